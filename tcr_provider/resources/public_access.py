"""PublicAccess: a registry reachable from the internet, only from the CIDR blocks its allowlist names."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, TypedDict, overload

import pulumi
from pulumi.dynamic import CreateResult, UpdateResult

from ..cloud.network import OPEN_TO_ALL_CIDR, PUBLIC_CLOSED, PUBLIC_OPEN, Network, Policy
from ..cloud.retry import is_gone
from ..errors import AlreadyExists, ApiError, PartGone
from ..fields import Api, Change, Check, Failure, Schema, Write, declared
from ..lifecycle import PartProvider, part_id, split_part_id
from ..settings import DELETE_TIMEOUT, UPDATE_TIMEOUT, Key
from .common import AdoptableArgs, DeclaredResource, Region, RegistryId

__all__ = ["AllowedCidr", "PublicAccess", "PublicAccessArgs"]

OPEN_TO_ALL_DESCRIPTION = "open to all (open_to_all=True)"
# CreateSecurityPolicy marks Description required (page 1141/53908); whether CreateMultipleSecurityPolicy's
# entries need one is unverified: an entry given none gets this, so the call is right either way.
DEFAULT_DESCRIPTION = "allowed by Pulumi"
# A registry has one public endpoint: its PublicAccess's id is `<registry id>/public`.
PUBLIC_KEY = "public"
PUBLIC_OPENING = ("Opening",)  # on its way to Opened: taken over once it is there
MAX_DESCRIPTION_LENGTH = 255


class AllowedCidr(TypedDict, total=False):
    """One allowlist entry: `cidr` (required, an IPv4 block such as 203.0.113.0/24) and a `description` (default
    "allowed by Pulumi")."""

    cidr: str
    description: str


def _check_allow(entries: list[dict[str, Any]]) -> list[dict[str, str]]:
    normalized: dict[str, dict[str, str]] = {}
    for position, entry in enumerate(entries):
        unknown = sorted(set(entry) - {"cidr", "description"})
        if unknown:
            raise ValueError(f"entry {position} has {', '.join(unknown)}: an entry takes cidr and description")
        cidr, description = entry.get("cidr"), entry.get("description") or DEFAULT_DESCRIPTION
        if not isinstance(cidr, str) or not isinstance(description, str):
            raise ValueError(f"entry {position}: cidr (required) and description must be strings")
        try:
            network = ipaddress.IPv4Network(cidr, strict=False)
        except ValueError:
            raise ValueError(f"entry {position}: {cidr!r} is not an IPv4 CIDR block such as 203.0.113.0/24") from None
        if str(network) != cidr and f"{network.network_address}" != cidr:
            raise ValueError(f"entry {position}: {cidr!r} has host bits set; write the block as {network}")
        block = str(network)
        if block == OPEN_TO_ALL_CIDR:
            raise ValueError(f"entry {position}: {OPEN_TO_ALL_CIDR} admits everyone: set open_to_all=True instead")
        if block in normalized:
            raise ValueError(f"lists {block} twice: list each block once")
        if len(description) > MAX_DESCRIPTION_LENGTH:
            raise ValueError(f"entry {position}: the description is longer than {MAX_DESCRIPTION_LENGTH} characters")
        normalized[block] = {"cidr": block, "description": description}
    return [normalized[block] for block in sorted(normalized, key=lambda b: ipaddress.IPv4Network(b))]


AllowList = Annotated[
    list[dict[str, Any]], Check(_check_allow, 'list of `{"cidr": "203.0.113.0/24", "description": ...}`')
]

# The keys of the description `_description` builds from DescribeSecurityPolicies.
ALLOW, OPEN_TO_ALL = "Allow", "OpenToAll"
# The allowlist is written entry by entry, by difference.
POLICY_CALLS = "CreateMultipleSecurityPolicy / DeleteMultipleSecurityPolicy"


@dataclass(kw_only=True)
class PublicAccessArgs(AdoptableArgs):
    """Inputs of a registry's public (internet) access. The registry replaces it; the allowlist changes in
    place, by difference."""

    allow: pulumi.Input[Sequence[pulumi.Input[AllowedCidr]]] | None = declared(
        Change.UPDATE, default=list, type=AllowList, api=Api(read=ALLOW, write=Write.OWN_CALL, via=POLICY_CALLS)
    )
    """The CIDR blocks that may reach the registry, each {"cidr": ..., "description": ...}; a description left
    out or empty is "allowed by Pulumi"."""

    open_to_all: pulumi.Input[bool] | None = declared(
        Change.UPDATE, default=False, api=Api(read=OPEN_TO_ALL, write=Write.OWN_CALL, via=POLICY_CALLS)
    )
    """Admit every address; an empty allowlist is refused unless this says so."""


class PublicAccessOutputs:
    """The outputs of a PublicAccess, besides its echoed inputs."""

    status: pulumi.Output[str]
    """Opened, as DescribeExternalEndpointStatus reports it."""


def _allowlist_is_deliberate(inputs: Mapping[str, Any]) -> list[Failure]:
    if not inputs.get("allow") and not inputs.get("openToAll"):
        return [
            Failure(
                "allow",
                "allow: is empty, which would open the registry to no one or, if the service reads it so, to "
                "everyone: list the CIDR blocks that may pull and push, or set open_to_all=True to admit every "
                "address on purpose",
            )
        ]
    if inputs.get("allow") and inputs.get("openToAll"):
        return [Failure("openToAll", "openToAll: admits every address, so allow would mean nothing: remove one")]
    return []


PUBLIC_ACCESS = Schema("PublicAccess", PublicAccessArgs, PublicAccessOutputs, validators=[_allowlist_is_deliberate])


def _wanted(inputs: Mapping[str, Any]) -> dict[str, str]:
    if inputs.get("openToAll"):
        return {OPEN_TO_ALL_CIDR: OPEN_TO_ALL_DESCRIPTION}
    return {entry["cidr"]: entry.get("description") or DEFAULT_DESCRIPTION for entry in inputs.get("allow") or []}


class PublicAccessProvider(PartProvider):
    """The dynamic provider behind `tcr_provider.PublicAccess`."""

    schema = PUBLIC_ACCESS

    @property
    def network(self) -> Network:
        return self.facade(Network)

    def create(self, props: dict[str, Any]) -> CreateResult:
        inputs = self.inputs_of(props)
        region, registry_id = inputs.region, inputs.registry_id
        status = self.network.public_status(region, registry_id)
        if status is None:
            raise PartGone(registry_id, "the registry")
        if status != PUBLIC_CLOSED:
            if not inputs.adopt_existing or status not in (PUBLIC_OPEN, *PUBLIC_OPENING):
                raise AlreadyExists(registry_id, f"public access ({status})", part_id(registry_id, PUBLIC_KEY))
            self._wait_for(inputs, PUBLIC_OPEN, self.settings.update_timeout, UPDATE_TIMEOUT)
            self._converge(inputs)
            return CreateResult(part_id(registry_id, PUBLIC_KEY), self.outputs(inputs, {"status": PUBLIC_OPEN}))
        self.network.set_public(region, registry_id, True)
        opened = self.opened(
            registry_id,
            "public access",
            PUBLIC_KEY,
            lambda: self._close(region, registry_id),
            closed="Public access was closed again, so the registry is not left open.",
        )

        def finish() -> dict[str, Any]:
            self._wait_for(inputs, PUBLIC_OPEN, self.settings.update_timeout, UPDATE_TIMEOUT)
            self._converge(inputs)
            return self.outputs(inputs, {"status": PUBLIC_OPEN})

        return CreateResult(part_id(registry_id, PUBLIC_KEY), opened.finish(finish))

    def update_part(self, _id: str, _olds: dict[str, Any], _news: dict[str, Any]) -> UpdateResult:
        inputs = self.inputs_of(_news)
        status = self.network.public_status(inputs.region, inputs.registry_id)
        if status != PUBLIC_OPEN:
            raise PartGone(inputs.registry_id, f"public access (now {status or 'gone'})")
        self._converge(inputs)
        return UpdateResult(self.outputs(inputs, {"status": status}))

    def _converge(self, inputs: Mapping[str, Any]) -> None:
        """Bring the allowlist to what the program says, by difference: entries kept are never re-added."""
        region, registry_id = inputs["region"], inputs["registryId"]
        wanted = _wanted(inputs)
        live = self.network.policies(region, registry_id)
        # New blocks are added before stale entries go, so a fault in between never leaves the endpoint open with
        # fewer entries than either list; an entry whose description changes is deleted and added again.
        added = {c: d for c, d in wanted.items() if c not in {p.cidr for p in live}}
        if added:
            self.network.allow(region, registry_id, added)
            live = self.network.policies(region, registry_id)  # a delete names the set's current version
        stale = [p for p in live if wanted.get(p.cidr) != p.description]
        self.network.disallow(region, registry_id, stale)
        self.network.allow(region, registry_id, {p.cidr: wanted[p.cidr] for p in stale if p.cidr in wanted})

    def _wait_for(self, inputs: Mapping[str, Any], status: str, timeout: float, setting: Key) -> None:
        region, registry_id = inputs["region"], inputs["registryId"]

        def done(seen: str | None) -> bool:
            if seen is None:
                raise PartGone(registry_id, "the registry")
            return seen == status

        def poll() -> str | None:
            return self.network.public_status(region, registry_id)

        def describe(seen: str | None) -> str:
            return seen or "gone"

        self.wait_until(
            poll,
            done,
            timeout=timeout,
            what=f"public access of {registry_id} becoming {status}",
            describe=describe,
            setting=setting,
        )

    def read_part(
        self, region: str, registry_id: str, key: str, stored: dict[str, Any], props: Mapping[str, Any]
    ) -> tuple[dict[str, Any], dict[str, Any]] | None:
        status = self.network.public_status(region, registry_id)
        if status is None or status == PUBLIC_CLOSED:
            return None
        try:
            policies = self.network.policies(region, registry_id)
        except ApiError as exc:
            if not is_gone(exc.code):  # while Opening, the allowlist is not there yet
                raise
            policies = []
        inputs = {**PUBLIC_ACCESS.live_inputs(_description(policies), stored)}
        inputs["allow"] = _description(policies)[ALLOW]
        inputs["openToAll"] = _description(policies)[OPEN_TO_ALL]
        return inputs, {"status": status}

    def delete_part(self, _id: str, _props: dict[str, Any]) -> None:
        registry_id = split_part_id(_id)[0]
        self._close(self.region_of(_props, f"deleting PublicAccess {_id}"), registry_id)

    def _close(self, region: str, registry_id: str) -> None:
        """Close public access, then empty what is left of the allowlist (so a later opening starts from nothing).

        In that order, a fault at any step leaves the endpoint closed, or open with its entries: never open with
        an allowlist emptied, which might admit everyone (unverified)."""
        status = self.network.public_status(region, registry_id)
        if status is None:
            return
        if status != PUBLIC_CLOSED:
            self.network.set_public(region, registry_id, False)
            closed = {"region": region, "registryId": registry_id}
            self._wait_for(closed, PUBLIC_CLOSED, self.settings.delete_timeout, DELETE_TIMEOUT)
        try:
            left = self.network.policies(region, registry_id)
        except ApiError as exc:
            if not is_gone(exc.code):  # closed, the endpoint may have no allowlist to describe
                raise
            left = []
        self.network.disallow(region, registry_id, left)


def _description(policies: Sequence[Policy]) -> dict[str, Any]:
    allow = [{"cidr": p.cidr, "description": p.description} for p in policies if p.cidr != OPEN_TO_ALL_CIDR]
    return {
        ALLOW: sorted(allow, key=lambda e: ipaddress.IPv4Network(e["cidr"], strict=False)),
        OPEN_TO_ALL: any(p.cidr == OPEN_TO_ALL_CIDR for p in policies),
    }


class PublicAccess(DeclaredResource, PublicAccessOutputs, module="tcr", name="PublicAccess"):
    """Public (internet) access to a TCR Enterprise registry, limited to an allowlist of CIDR blocks (type token
    `pulumi-python:dynamic/tcr:PublicAccess`)."""

    provider_class = PublicAccessProvider

    if TYPE_CHECKING:
        # BEGIN generated: PublicAccess signatures
        @overload
        def __init__(
            self,
            resource_name: str,
            args: PublicAccessArgs,
            opts: pulumi.ResourceOptions | None = None,
        ) -> None: ...

        @overload
        def __init__(
            self,
            resource_name: str,
            args: None = None,
            opts: pulumi.ResourceOptions | None = None,
            *,
            registry_id: pulumi.Input[RegistryId],
            region: pulumi.Input[Region] | None = None,
            adopt_existing: pulumi.Input[bool] | None = None,
            allow: pulumi.Input[Sequence[pulumi.Input[AllowedCidr]]] | None = None,
            open_to_all: pulumi.Input[bool] | None = None,
        ) -> None: ...

        def __init__(self, *args: Any, **kwargs: Any) -> None: ...

        # END generated: PublicAccess signatures
