"""Namespace: where a registry's repositories live, and who may pull from them."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, Literal, overload

import pulumi
from pulumi.dynamic import CreateResult, UpdateResult

from ..cloud.namespaces import Namespaces
from ..errors import AlreadyExists, NamespaceNotEmpty, PartGone
from ..fields import Api, Change, Check, Failure, Inputs, Schema, Write, declared
from ..lifecycle import PartProvider, part_id, split_part_id
from .common import AdoptableArgs, DeclaredResource, Region, RegistryId, tag_limit

__all__ = ["Namespace", "NamespaceArgs"]

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


NamespaceName = Annotated[str, Check(_check_name, "2 to 30 of `a-z 0-9 . _ -`")]
CveList = Annotated[list[str], Check(_check_cves, "list of `CVE-YYYY-NNNN`")]
NamespaceTags = Annotated[dict[str, str], tag_limit(MAX_TAGS, "a namespace")]


def _tags_to_api(tags: Mapping[str, str]) -> dict[str, Any]:
    return {"ResourceType": "namespace", "Tags": [{"Key": k, "Value": v} for k, v in sorted(tags.items())]}


def _tags_from_api(specification: Mapping[str, Any]) -> dict[str, str]:
    return {str(t["Key"]): str(t.get("Value") or "") for t in (specification or {}).get("Tags") or []}


def _cves_to_api(ids: list[str]) -> list[dict[str, str]]:
    return [{"CVEID": cve} for cve in ids]


def _cves_from_api(items: list[Mapping[str, Any]]) -> list[str]:
    return [str(item.get("CVEID")) for item in items or [] if item.get("CVEID")]


def _severity_from_api(value: str) -> str | None:
    return value or None


@dataclass(kw_only=True)
class NamespaceArgs(AdoptableArgs):
    """Inputs of a namespace of a TCR registry. registry_id and name replace it; everything else changes in place."""

    name: pulumi.Input[NamespaceName] = declared(
        Change.REPLACE,
        required=True,
        api=Api(read="Name", create="NamespaceName"),
        missing="is required: name the namespace",
    )
    """2 to 30 lower-case letters, digits and '.', '_', '-'; images are pulled as <domain>/<name>/<repo>."""

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
            write=Write.TAG_API,
            encode=_tags_to_api,
            decode=_tags_from_api,
        ),
    )
    """Tags of the namespace; changed in place through the Tag API, by difference."""


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
    NamespaceOutputs,
    modify_call="ModifyNamespace",
    key_input="name",
    validators=[_severity_needs_blocking],
)
_MODIFIED = [f for f in NAMESPACE.fields if f.change is Change.UPDATE and f.api.modify]


class NamespaceProvider(PartProvider):
    """The dynamic provider behind `tcr_provider.Namespace`."""

    schema = NAMESPACE

    @property
    def namespaces(self) -> Namespaces:
        return self.facade(Namespaces)

    def create(self, props: dict[str, Any]) -> CreateResult:
        inputs = self.inputs_of(props)
        region, registry_id, name = inputs.region, inputs.registry_id, inputs.name
        found = self.namespaces.get(region, registry_id, name)
        if found is not None and not inputs.adopt_existing:
            raise AlreadyExists(registry_id, f"namespace {name!r}", part_id(registry_id, name))
        if found is None:
            self.namespaces.create(region, registry_id, NAMESPACE.create_params(inputs))
        else:
            self._converge(inputs, found)
        return CreateResult(part_id(registry_id, name), self._settled(inputs))

    def update_part(self, _id: str, _olds: dict[str, Any], _news: dict[str, Any]) -> UpdateResult:
        inputs = self.inputs_of(_news)
        found = self.namespaces.get(inputs.region, inputs.registry_id, inputs.name)
        if found is None:
            raise PartGone(inputs.registry_id, f"namespace {inputs.name!r}")
        self._converge(inputs, found)
        return UpdateResult(self._settled(inputs))

    def _converge(self, inputs: Inputs, found: Mapping[str, Any]) -> None:
        """Bring the namespace from what the API reports (`found`) to the program's settings."""
        region, registry_id, name = inputs.region, inputs.registry_id, inputs.name
        current = NAMESPACE.live_inputs(found, {})
        changed = {f.key for f in NAMESPACE.changed(current, inputs)}
        if changed & {f.key for f in _MODIFIED}:
            # The settings are sent together: whether the API keeps or resets one left out is not documented
            # (DeletionProtection on ModifyInstance resets). The CVE allowlist, a list the call replaces, is sent
            # only when it changes.
            params: dict[str, Any] = {"NamespaceName": name}
            for field in _MODIFIED:
                value = inputs.get(field.key)
                if (
                    value is None
                    or field.api.modify is None
                    or (field.key == "cveAllowlist" and field.key not in changed)
                ):
                    continue
                params[field.api.modify] = field.api.encode(value) if field.api.encode else value
            self.namespaces.modify(region, registry_id, params)
        if "tags" in changed:
            old_tags: dict[str, str] = NAMESPACE.effective(current, "tags") or {}
            replace = {k: v for k, v in inputs.tags.items() if old_tags.get(k) != v}
            self.namespaces.retag(region, registry_id, name, replace, [k for k in old_tags if k not in inputs.tags])

    def _settled(self, inputs: Mapping[str, Any]) -> dict[str, Any]:
        found = self.namespaces.get(inputs["region"], inputs["registryId"], inputs["name"])
        if found is None:
            raise PartGone(inputs["registryId"], f"namespace {inputs['name']!r}")
        return self.outputs(inputs, _outputs_of(found))

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

    def delete_part(self, _id: str, _props: dict[str, Any]) -> None:
        registry_id, name = split_part_id(_id)
        region = self.region_of(_props, f"deleting namespace {_id}")
        # Looked for first, whatever DeleteNamespace would do with them: no source says whether it refuses or
        # deletes the repositories too, and this provider never deletes a repository.
        repositories, count = self.namespaces.repositories(region, registry_id, name)
        if count:
            raise NamespaceNotEmpty(registry_id, name, repositories, count)
        self.namespaces.delete(region, registry_id, name)


def _outputs_of(found: Mapping[str, Any]) -> dict[str, Any]:
    return {"namespaceId": found.get("NamespaceId"), "createdAt": str(found.get("CreationTime") or "")}


class Namespace(DeclaredResource, NamespaceOutputs, module="tcr", name="Namespace"):
    """A namespace of a TCR Enterprise registry (type token `pulumi-python:dynamic/tcr:Namespace`).

    Deleting it never deletes repositories: while it holds any, `pulumi destroy` stops and names them.
    """

    provider_class = NamespaceProvider

    if TYPE_CHECKING:
        # BEGIN generated: Namespace signatures
        @overload
        def __init__(
            self,
            resource_name: str,
            args: NamespaceArgs,
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
            name: pulumi.Input[NamespaceName],
            region: pulumi.Input[Region] | None = None,
            adopt_existing: pulumi.Input[bool] | None = None,
            is_public: pulumi.Input[bool] | None = None,
            auto_scan: pulumi.Input[bool] | None = None,
            block_vulnerable: pulumi.Input[bool] | None = None,
            severity: pulumi.Input[Severity] | None = None,
            cve_allowlist: pulumi.Input[list[pulumi.Input[str]]] | None = None,
            tags: pulumi.Input[dict[str, pulumi.Input[str]]] | None = None,
        ) -> None: ...

        def __init__(self, *args: Any, **kwargs: Any) -> None: ...

        # END generated: Namespace signatures
