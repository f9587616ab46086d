"""PublicAccess: a registry reachable from the internet, only from the CIDR blocks its allowlist names."""

# No `from __future__ import annotations`: the Args annotations must stay objects (fields.Schema reads them).
import ipaddress
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, NoReturn, TypedDict

import pulumi
from pulumi.dynamic import CreateResult, UpdateResult

from ..cloud.network import OPEN_TO_ALL_CIDR, PUBLIC_CLOSED, PUBLIC_OPEN, Network, Policy
from ..cloud.polling import poll_until
from ..cloud.retry import is_gone
from ..errors import AlreadyExists, ApiError, CreationFailed, Interrupted, PartGone, WaitTimedOut
from ..fields import Api, Change, Check, Failure, Schema, declared
from ..lifecycle import PartProvider, interrupted_after_opening, say
from ..spec import Region
from .base import RegistryId, args_from, output_keys, register

OPEN_TO_ALL_DESCRIPTION = "open to all (open_to_all=True)"
MAX_DESCRIPTION_LENGTH = 255


class AllowedCidr(TypedDict, total=False):
    """One allowlist entry: `cidr` (required, an IPv4 block such as 203.0.113.0/24) and a `description`."""

    cidr: str
    description: str


def _check_allow(entries: list[dict[str, Any]]) -> list[dict[str, str]]:
    normalized: dict[str, dict[str, str]] = {}
    for position, entry in enumerate(entries):
        unknown = sorted(set(entry) - {"cidr", "description"})
        if unknown:
            raise ValueError(f"entry {position} has {', '.join(unknown)}: an entry takes cidr and description")
        cidr, description = entry.get("cidr"), entry.get("description", "")
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


AllowList = Annotated[list[dict[str, Any]], Check(_check_allow)]

# The keys of the description `_description` builds from DescribeSecurityPolicies.
ALLOW, OPEN_TO_ALL = "Allow", "OpenToAll"


@dataclass
class PublicAccessArgs:
    """Inputs of a registry's public (internet) access. The registry replaces it; the allowlist changes in
    place, by difference."""

    registry_id: pulumi.Input[RegistryId] = declared(Change.REPLACE, required=True)
    """The registry (Instance.registry_id) to open to the internet."""

    region: pulumi.Input[Region] | None = declared(Change.REPLACE, resolved=True)
    """The registry's region; defaults to config tencentcloud:region, then TENCENTCLOUD_REGION."""

    allow: pulumi.Input[Sequence[pulumi.Input[AllowedCidr]]] | None = declared(
        Change.UPDATE, default=list, type=AllowList, api=Api(read=ALLOW)
    )
    """The CIDR blocks that may reach the registry, each {"cidr": ..., "description": ...}."""

    open_to_all: pulumi.Input[bool] | None = declared(Change.UPDATE, default=False, api=Api(read=OPEN_TO_ALL))
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


PUBLIC_ACCESS = Schema(
    "PublicAccess",
    PublicAccessArgs,
    validators=[_allowlist_is_deliberate],
    missing={
        "registryId": "is required: pass the Instance's registry_id",
        "region": "no region given: set region= (the registry's), or `pulumi config set tencentcloud:region ...`",
    },
)
OUTPUT_KEYS = output_keys(PublicAccessOutputs)


def _wanted(spec: Mapping[str, Any]) -> dict[str, str]:
    if spec.get("openToAll"):
        return {OPEN_TO_ALL_CIDR: OPEN_TO_ALL_DESCRIPTION}
    return {entry["cidr"]: entry.get("description", "") for entry in spec.get("allow") or []}


class PublicAccessProvider(PartProvider):
    """The dynamic provider behind `tcr_provider.PublicAccess`."""

    schema = PUBLIC_ACCESS
    output_keys = OUTPUT_KEYS

    @property
    def network(self) -> Network:
        return self.facade(Network)

    def create(self, props: dict[str, Any]) -> CreateResult:
        spec = self.inputs_of(props)
        region, registry_id = spec.region, spec.registry_id
        status = self.network.public_status(region, registry_id)
        if status is None:
            raise PartGone(registry_id, "the registry")
        if status != PUBLIC_CLOSED:
            raise AlreadyExists(registry_id, f"public access ({status})", f"{registry_id}/public")
        self.network.set_public(region, registry_id, True)
        # From here on the registry is open: it ends up in the state, or closed again, or named to the user.
        try:
            self._wait_for(spec, PUBLIC_OPEN, self.settings.update_timeout)
            self._converge(spec)
            outputs = self.outputs(spec, {"status": PUBLIC_OPEN})
        except Interrupted:
            raise interrupted_after_opening(registry_id, "public access", f"{registry_id}/public") from None
        except Exception as exc:
            self._abandon(spec, f"could not be finished ({type(exc).__name__}: {exc})")
        return CreateResult(f"{registry_id}/public", outputs)

    def update(self, _id: str, _olds: dict[str, Any], _news: dict[str, Any]) -> UpdateResult:
        spec = self.inputs_of(_news)
        status = self.network.public_status(spec.region, spec.registry_id)
        if status != PUBLIC_OPEN:
            raise PartGone(spec.registry_id, f"public access (now {status or 'gone'})")
        self._converge(spec)
        return UpdateResult(self.outputs(spec, {"status": status}))

    def _converge(self, spec: Mapping[str, Any]) -> None:
        """Bring the allowlist to what the program says, by difference: entries kept are never re-added."""
        region, registry_id = spec["region"], spec["registryId"]
        wanted = _wanted(spec)
        live = self.network.policies(region, registry_id)
        stale = [p for p in live if wanted.get(p.cidr) != p.description]
        kept = {p.cidr for p in live if p not in stale}
        self.network.disallow(region, registry_id, stale)
        self.network.allow(region, registry_id, {c: d for c, d in wanted.items() if c not in kept})

    def _wait_for(self, spec: Mapping[str, Any], status: str, timeout: float) -> None:
        region, registry_id = spec["region"], spec["registryId"]

        def done(seen: str | None) -> bool:
            if seen is None:
                raise PartGone(registry_id, "the registry")
            return seen == status

        def poll() -> str | None:
            return self.network.public_status(region, registry_id)

        def describe(seen: str | None) -> str:
            return seen or "gone"

        poll_until(
            poll,
            done,
            timeout=timeout,
            what=f"public access of {registry_id} becoming {status}",
            describe=describe,
            progress=say,
            interrupted=self.cloud.transport.interrupted,
        )

    def _abandon(self, spec: Mapping[str, Any], what_happened: str) -> NoReturn:
        registry = f"{spec['registryId']} (public access)"
        try:
            self._close(spec["region"], spec["registryId"])
            cleanup, cleaned_up = "Public access was closed again, so the registry is not left open.", True
        except (ApiError, WaitTimedOut) as exc:
            cleanup = f"Closing it failed too ({exc}): close public access in the console"
            cleaned_up = False
        raise CreationFailed(registry, what_happened, cleanup, cleaned_up)

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

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        registry_id = _id.partition("/")[0]
        self._close(str(_props.get("region") or self.settings.default_region), registry_id)

    def _close(self, region: str, registry_id: str) -> None:
        """Empty the allowlist (so a later opening starts from nothing), then close public access."""
        status = self.network.public_status(region, registry_id)
        if status is None or status == PUBLIC_CLOSED:
            return
        if status == PUBLIC_OPEN:
            self.network.disallow(region, registry_id, self.network.policies(region, registry_id))
        self.network.set_public(region, registry_id, False)
        self._wait_for({"region": region, "registryId": registry_id}, PUBLIC_CLOSED, self.settings.delete_timeout)


def _description(policies: Sequence[Policy]) -> dict[str, Any]:
    allow = [{"cidr": p.cidr, "description": p.description} for p in policies if p.cidr != OPEN_TO_ALL_CIDR]
    return {
        ALLOW: sorted(allow, key=lambda e: ipaddress.IPv4Network(e["cidr"], strict=False)),
        OPEN_TO_ALL: any(p.cidr == OPEN_TO_ALL_CIDR for p in policies),
    }


class PublicAccess(pulumi.dynamic.Resource, PublicAccessOutputs, module="tcr", name="PublicAccess"):
    """Public (internet) access to a TCR Enterprise registry, limited to an allowlist of CIDR blocks (type token
    `pulumi-python:dynamic/tcr:PublicAccess`)."""

    def __init__(
        self,
        resource_name: str,
        args: PublicAccessArgs | None = None,
        opts: pulumi.ResourceOptions | None = None,
        **kwargs: Any,
    ) -> None:
        args = args_from("PublicAccess", resource_name, PublicAccessArgs, args, kwargs)
        register(self, PublicAccessProvider(), resource_name, args, PUBLIC_ACCESS, OUTPUT_KEYS, opts)
