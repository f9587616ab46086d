"""Namespace: where a registry's repositories live, and who may pull from them."""

# No `from __future__ import annotations`: the Args annotations must stay objects (fields.Schema reads them).
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import pulumi
from pulumi.dynamic import CreateResult, UpdateResult

from ..cloud.namespaces import Namespaces
from ..errors import AlreadyExists, ApiError, NamespaceNotEmpty, PartGone
from ..fields import Api, Change, Check, Failure, Schema, declared
from ..lifecycle import PartProvider
from ..spec import Region, check_tag_entries
from .base import RegistryId, args_from, output_keys, register

# The Terraform provider's documentation of tcr_namespace: 2 to 30 characters, lower-case letters, digits
# and the separators . _ -, neither first, last, nor two in a row.
NAME_MIN_LENGTH = 2
NAME_MAX_LENGTH = 30
NAME_PATTERN = re.compile(r"^[a-z0-9]+(?:[._-][a-z0-9]+)*$")
CVE_PATTERN = re.compile(r"^CVE-\d{4}-\d{4,}$")
MAX_TAGS = 10  # TCR's tag limit for an instance; the API publishes none for namespaces, so the same is kept

Severity = Literal["low", "medium", "high"]


def _check_name(name: str) -> str:
    if not NAME_MIN_LENGTH <= len(name) <= NAME_MAX_LENGTH or not NAME_PATTERN.match(name):
        raise ValueError(
            f"{name!r} is not a namespace name: use {NAME_MIN_LENGTH} to {NAME_MAX_LENGTH} lower-case letters, "
            "digits and the separators '.', '_', '-' (not first, last, or two in a row)"
        )
    return name


def _check_cves(ids: list[str]) -> list[str]:
    for cve in ids:
        if not CVE_PATTERN.match(cve):
            raise ValueError(f"{cve!r} is not a CVE id: write it as CVE-2024-12345")
    if len(set(ids)) != len(ids):
        raise ValueError("lists a CVE twice: list each once")
    return ids


def _check_tags(tags: dict[str, str]) -> dict[str, str]:
    if len(tags) > MAX_TAGS:
        raise ValueError(f"has {len(tags)} tags; a namespace takes at most {MAX_TAGS}: remove some")
    return check_tag_entries(tags)


NamespaceName = Annotated[str, Check(_check_name)]
CveList = Annotated[list[str], Check(_check_cves)]
NamespaceTags = Annotated[dict[str, str], Check(_check_tags)]


def _tags_to_api(tags: Mapping[str, str]) -> dict[str, Any]:
    return {"ResourceType": "namespace", "Tags": [{"Key": k, "Value": v} for k, v in sorted(tags.items())]}


def _tags_from_api(spec: Mapping[str, Any]) -> dict[str, str]:
    return {str(t["Key"]): str(t.get("Value") or "") for t in (spec or {}).get("Tags") or []}


def _cves_to_api(ids: list[str]) -> list[dict[str, str]]:
    return [{"CVEID": cve} for cve in ids]


def _cves_from_api(items: list[Mapping[str, Any]]) -> list[str]:
    return [str(item.get("CVEID")) for item in items or [] if item.get("CVEID")]


def _severity_from_api(value: str) -> str | None:
    return value or None


@dataclass
class NamespaceArgs:
    """Inputs of a namespace of a TCR registry. registry_id and name replace it; everything else changes in place."""

    registry_id: pulumi.Input[RegistryId] = declared(Change.REPLACE, required=True)
    """The registry (Instance.registry_id) the namespace belongs to."""

    name: pulumi.Input[NamespaceName] = declared(
        Change.REPLACE, required=True, api=Api(read="Name", create="NamespaceName")
    )
    """2 to 30 lower-case letters, digits and '.', '_', '-'; images are pulled as <domain>/<name>/<repo>."""

    region: pulumi.Input[Region] | None = declared(Change.REPLACE, resolved=True)
    """The registry's region; defaults to config tencentcloud:region, then TENCENTCLOUD_REGION."""

    is_public: pulumi.Input[bool] | None = declared(
        Change.UPDATE, default=False, api=Api(read="Public", create="IsPublic", modify="IsPublic")
    )
    """Anyone may pull without credentials; off by default."""

    auto_scan: pulumi.Input[bool] | None = declared(
        Change.UPDATE, default=False, api=Api(read="AutoScan", create="IsAutoScan", modify="IsAutoScan")
    )
    """Scan every pushed image for vulnerabilities."""

    block_vulnerable: pulumi.Input[bool] | None = declared(
        Change.UPDATE, default=False, api=Api(read="PreventVUL", create="IsPreventVUL", modify="IsPreventVUL")
    )
    """Refuse pulls of images with vulnerabilities of `severity` or worse (needs severity)."""

    severity: pulumi.Input[Severity] | None = declared(
        Change.UPDATE,
        api=Api(read="Severity", create="Severity", modify="Severity", decode=_severity_from_api),
    )
    """The lowest vulnerability level that blocks a pull: low, medium or high."""

    cve_allowlist: pulumi.Input[list[pulumi.Input[str]]] | None = declared(
        Change.UPDATE,
        default=list,
        type=CveList,
        api=Api(
            read="CVEWhitelistItems",
            create="CVEWhitelistItems",
            modify="CVEWhitelistItems",
            encode=_cves_to_api,
            decode=_cves_from_api,
        ),
    )
    """CVE ids that never block a pull (CVE-2024-12345)."""

    tags: pulumi.Input[dict[str, pulumi.Input[str]]] | None = declared(
        Change.UPDATE,
        default=dict,
        type=NamespaceTags,
        api=Api(
            read="TagSpecification",
            create="TagSpecification",
            modify="TagSpecification",
            encode=_tags_to_api,
            decode=_tags_from_api,
        ),
    )
    """Tags of the namespace."""


class NamespaceOutputs:
    """The outputs of a Namespace, besides its echoed inputs."""

    namespace_id: pulumi.Output[int]
    """The API's numeric id of the namespace."""
    created_at: pulumi.Output[str]
    """Creation time, as the API reports it."""


def _severity_needs_blocking(inputs: Mapping[str, Any]) -> list[Failure]:
    if inputs.get("blockVulnerable") and not inputs.get("severity"):
        return [Failure("severity", "severity: block_vulnerable needs severity: 'low', 'medium' or 'high'")]
    if inputs.get("severity") and not inputs.get("blockVulnerable"):
        return [Failure("severity", "severity: applies only with block_vulnerable=True; set it, or remove severity")]
    return []


NAMESPACE = Schema(
    "Namespace",
    NamespaceArgs,
    validators=[_severity_needs_blocking],
    missing={
        "registryId": "is required: pass the Instance's registry_id",
        "name": "is required: name the namespace",
        "region": "no region given: set region= (the registry's), or `pulumi config set tencentcloud:region ...`",
    },
)
OUTPUT_KEYS = output_keys(NamespaceOutputs)
_MODIFIED = [f for f in NAMESPACE.fields if f.change is Change.UPDATE and f.api.modify]


class NamespaceProvider(PartProvider):
    """The dynamic provider behind `tcr_provider.Namespace`."""

    schema = NAMESPACE
    output_keys = OUTPUT_KEYS

    @property
    def namespaces(self) -> Namespaces:
        return self.facade(Namespaces)

    def create(self, props: dict[str, Any]) -> CreateResult:
        spec = self.inputs_of(props)
        region, registry_id, name = spec.region, spec.registry_id, spec.name
        if self.namespaces.get(region, registry_id, name) is not None:
            raise AlreadyExists(registry_id, f"namespace {name!r}", f"{registry_id}/{name}")
        self.namespaces.create(region, registry_id, NAMESPACE.create_params(spec))
        return CreateResult(f"{registry_id}/{name}", self._settled(spec))

    def update(self, _id: str, _olds: dict[str, Any], _news: dict[str, Any]) -> UpdateResult:
        spec = self.inputs_of(_news)
        # Every setting is sent in each modify: whether the API keeps or resets a field left out is not
        # documented (DeletionProtection on ModifyInstance resets), and sending all is right either way.
        params: dict[str, Any] = {"NamespaceName": spec.name}
        for field in _MODIFIED:
            value = spec.get(field.key)
            if value is not None and field.api.modify is not None:
                params[field.api.modify] = field.api.encode(value) if field.api.encode else value
        try:
            self.namespaces.modify(spec.region, spec.registry_id, params)
        except ApiError as exc:
            if exc.code.startswith("ResourceNotFound"):
                raise PartGone(spec.registry_id, f"namespace {spec.name!r}") from exc
            raise
        return UpdateResult(self._settled(spec))

    def _settled(self, spec: Mapping[str, Any]) -> dict[str, Any]:
        found = self.namespaces.get(spec["region"], spec["registryId"], spec["name"])
        if found is None:
            raise PartGone(spec["registryId"], f"namespace {spec['name']!r}")
        return self.outputs(spec, _outputs_of(found))

    def read_part(
        self, region: str, registry_id: str, key: str, stored: dict[str, Any], props: Mapping[str, Any]
    ) -> tuple[dict[str, Any], dict[str, Any]] | None:
        found = self.namespaces.read(region, registry_id, key)
        if found is None:
            return None
        live = NAMESPACE.live_inputs(found, stored)
        if not live.get("blockVulnerable"):
            # The severity means nothing while blocking is off, and "" cannot be written back to clear it.
            live.pop("severity", None)
        return live, _outputs_of(found)

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        registry_id, _, name = _id.partition("/")
        region = str(_props.get("region") or self.settings.default_region)
        try:
            self.namespaces.delete(region, registry_id, name)
        except ApiError as exc:
            # Whatever code the refusal carries, the repositories left are the one reason worth naming.
            repositories, count = self.namespaces.repositories(region, registry_id, name)
            if count:
                raise NamespaceNotEmpty(registry_id, name, repositories, count) from exc
            raise


def _outputs_of(found: Mapping[str, Any]) -> dict[str, Any]:
    return {"namespaceId": found.get("NamespaceId"), "createdAt": str(found.get("CreationTime") or "")}


class Namespace(pulumi.dynamic.Resource, NamespaceOutputs, module="tcr", name="Namespace"):
    """A namespace of a TCR Enterprise registry (type token `pulumi-python:dynamic/tcr:Namespace`).

    Deleting it never deletes repositories: while it holds any, `pulumi destroy` stops and names them.
    """

    def __init__(
        self,
        resource_name: str,
        args: NamespaceArgs | None = None,
        opts: pulumi.ResourceOptions | None = None,
        **kwargs: Any,
    ) -> None:
        args = args_from("Namespace", resource_name, NamespaceArgs, args, kwargs)
        register(self, NamespaceProvider(), resource_name, args, NAMESPACE, OUTPUT_KEYS, opts)
