"""Namespaces and the repositories in them: plain state on each instance, all changes immediate.

- CreateNamespace needs a ``Running`` instance. Names: 2 to 30 lower-case letters, digits and the separators
  . _ -, never first, last or twice in a row (``InvalidParameterValue``); a reserved name
  (``InvalidParameter.ErrNamespaceReserved``); a taken one (``InvalidParameter.ErrNamespaceExist``). Severity
  is low, medium, high or empty. NamespaceId counts 1, 2, 3, ... per instance.
- DescribeNamespaces: NamespaceName keeps the namespaces whose name contains it (the Terraform provider met a
  namespace whose name is part of another's: commit ad956716e, "return error of more than 1"); an unknown
  name gives an empty list, no error.
- ModifyNamespace changes only the fields given; CVEWhitelistItems given replaces the whole list. A
  TagSpecification is accepted and ignored: the Terraform provider's namespace update says ModifyNamespace
  does not apply it and changes tags through the Tag API (ModifyResourceTags on
  ``qcs::tcr:<region>:uin/:repository/<registryId>/<namespace>``), which the Tag service here serves. An unknown
  namespace is ``ResourceNotFound.TcrResourceNotFound``.
- DeleteNamespace: unknown is ``ResourceNotFound.TcrResourceNotFound`` (documented for DeleteNamespace and
  ModifyNamespace; ``ErrNoNamespace`` is the personal edition's); one still holding repositories is
  ``FailedOperation.PreconditionFailed``.
- Repositories: CreateRepository (a ``Running`` instance; ``InvalidParameter.ErrRepoExist`` when taken),
  DeleteRepository (``ResourceNotFound.ErrNoRepo`` when unknown; no images are emulated, so ForceDelete changes
  nothing), DescribeRepositories, whose Name is ``<namespace>/<repository>``.

Paging, the emulator's reading of the SDK docs ("第几页"): DescribeNamespaces' and DescribeRepositories' Offset
is a page number counted from 0, so a page is items ``[Offset * Limit, (Offset + 1) * Limit)``; Limit must be 1
or more; a DescribeNamespaces page holds at most 100 (:data:`...rules.NAMESPACE_PAGE_MAX`) whatever it asks
(the Terraform provider asks for 200 at a time), and All lists every one.

Also the emulator's reading: the reserved names (:data:`...rules.RESERVED_NAMESPACES`); that a RepositoryName
filter matches any repository whose name contains it; that Filters ``Tags`` values ``key:value`` keep a
namespace carrying any of them; the CreationTime format (the one the SDK documents for repositories).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from ... import rules
from ...errors import FailedOperation, InvalidParameter, InvalidParameterValue, ResourceNotFound
from .instance_view import BackendView, InstanceView


@dataclass
class Repository:
    namespace: str
    name: str
    created_at: datetime
    brief_description: str
    description: str

    @property
    def full_name(self) -> str:
        return f"{self.namespace}/{self.name}"


@dataclass
class NamespaceSettings:
    """What CreateNamespace sets and ModifyNamespace may change; ``None`` in a change: leave it as it is."""

    public: bool | None = None
    auto_scan: bool | None = None
    prevent_vul: bool | None = None
    severity: str | None = None
    cve_whitelist: list[str] | None = None
    tags: dict[str, str] | None = None


@dataclass
class Namespace:
    name: str
    namespace_id: int
    created_at: datetime
    public: bool
    auto_scan: bool = False
    prevent_vul: bool = False
    severity: str = ""
    cve_whitelist: list[str] = field(default_factory=list)
    tags: dict[str, str] = field(default_factory=dict)
    repositories: dict[str, Repository] = field(default_factory=dict)

    def apply(self, settings: NamespaceSettings, *, with_tags: bool) -> None:
        if settings.public is not None:
            self.public = settings.public
        if settings.auto_scan is not None:
            self.auto_scan = settings.auto_scan
        if settings.prevent_vul is not None:
            self.prevent_vul = settings.prevent_vul
        if settings.severity is not None:
            self.severity = settings.severity
        if settings.cve_whitelist is not None:
            self.cve_whitelist = list(settings.cve_whitelist)
        if settings.tags is not None and with_tags:
            self.tags = dict(settings.tags)


@dataclass
class Namespaces:
    """An instance's namespaces by name, oldest first."""

    by_name: dict[str, Namespace] = field(default_factory=dict)
    next_id: int = 1

    def get(self, name: str, registry_id: str) -> Namespace:
        namespace = self.by_name.get(name)
        if namespace is None:
            raise ResourceNotFound(f"The instance {registry_id} has no namespace {name!r}.", sub="TcrResourceNotFound")
        return namespace


class WithNamespaces(InstanceView, Protocol):
    """An instance as :class:`NamespaceBackend` sees it."""

    @property
    def namespaces(self) -> Namespaces: ...


class NamespaceBackend:
    """Namespace and repository actions, over the instances a :class:`.model.TcrBackend` holds."""

    def __init__(self, tcr: BackendView[WithNamespaces]) -> None:
        self.tcr = tcr

    # --- namespaces ---

    def create_namespace(self, region: str, registry_id: str, name: str, settings: NamespaceSettings) -> None:
        instance = self.tcr.get(region, registry_id)
        check_namespace_name(name)
        check_settings(settings)
        self.tcr.require_running(instance)
        namespaces = instance.namespaces
        if name in namespaces.by_name:
            raise InvalidParameter(
                f"The instance {registry_id} already has a namespace {name!r}.", sub="ErrNamespaceExist"
            )
        namespace = Namespace(name, namespaces.next_id, self.tcr.wall_now(), public=bool(settings.public))
        namespace.apply(settings, with_tags=True)
        namespaces.by_name[name] = namespace
        namespaces.next_id += 1

    def namespaces(self, region: str, registry_id: str) -> list[Namespace]:
        return list(self.tcr.get(region, registry_id).namespaces.by_name.values())

    def modify_namespace(self, region: str, registry_id: str, name: str, settings: NamespaceSettings) -> None:
        namespace = self.tcr.get(region, registry_id).namespaces.get(name, registry_id)
        check_settings(settings)
        namespace.apply(settings, with_tags=False)

    def delete_namespace(self, region: str, registry_id: str, name: str) -> None:
        instance = self.tcr.get(region, registry_id)
        namespace = instance.namespaces.get(name, registry_id)
        if count := len(namespace.repositories):
            raise FailedOperation(
                f"The namespace {name!r} of {registry_id} still holds {count} "
                f"{'repository' if count == 1 else 'repositories'}: delete them with DeleteRepository first.",
                sub="PreconditionFailed",
            )
        del instance.namespaces.by_name[name]

    # --- repositories ---

    def create_repository(
        self, region: str, registry_id: str, namespace_name: str, name: str, *, brief_description: str, description: str
    ) -> None:
        instance = self.tcr.get(region, registry_id)
        namespace = instance.namespaces.get(namespace_name, registry_id)
        check_repository_name(name)
        self.tcr.require_running(instance)
        if name in namespace.repositories:
            raise InvalidParameter(
                f"The namespace {namespace_name!r} of {registry_id} already has a repository {name!r}.",
                sub="ErrRepoExist",
            )
        namespace.repositories[name] = Repository(
            namespace_name, name, self.tcr.wall_now(), brief_description, description
        )

    def repositories(self, region: str, registry_id: str) -> list[tuple[Namespace, Repository]]:
        """Every repository of the instance with its namespace, oldest namespace first."""
        return [
            (namespace, repository)
            for namespace in self.tcr.get(region, registry_id).namespaces.by_name.values()
            for repository in namespace.repositories.values()
        ]

    def delete_repository(self, region: str, registry_id: str, namespace_name: str, name: str) -> None:
        namespace = self.tcr.get(region, registry_id).namespaces.get(namespace_name, registry_id)
        if namespace.repositories.pop(name, None) is None:
            raise ResourceNotFound(
                f"The namespace {namespace_name!r} of {registry_id} has no repository {name!r}.", sub="ErrNoRepo"
            )


def check_namespace_name(name: str) -> None:
    length_ok = rules.NAMESPACE_MIN_LENGTH <= len(name) <= rules.NAMESPACE_MAX_LENGTH
    if not (length_ok and rules.NAMESPACE_PATTERN.fullmatch(name)):
        raise InvalidParameterValue(
            f"The namespace name {name!r} is not allowed: use {rules.NAMESPACE_MIN_LENGTH} to "
            f"{rules.NAMESPACE_MAX_LENGTH} lower-case letters, digits and the separators . _ -, not at the start or "
            "the end and never two in a row."
        )
    if name in rules.RESERVED_NAMESPACES:
        raise InvalidParameter(f"The namespace name {name!r} is reserved.", sub="ErrNamespaceReserved")


def check_repository_name(name: str) -> None:
    if not (
        rules.REPOSITORY_NAME_MIN_LENGTH <= len(name) <= rules.REPOSITORY_NAME_MAX_LENGTH
        and rules.REPOSITORY_PATTERN.fullmatch(name)
    ):
        raise InvalidParameterValue(
            f"The repository name {name!r} is not allowed: use {rules.REPOSITORY_NAME_MIN_LENGTH} to "
            f"{rules.REPOSITORY_NAME_MAX_LENGTH} lower-case letters, digits and the separators . _ -, not at the "
            "start or the end and never two in a row."
        )


def check_settings(settings: NamespaceSettings) -> None:
    if settings.severity not in (None, "", *rules.SEVERITIES):
        raise InvalidParameterValue(
            f"Severity must be one of {', '.join(rules.SEVERITIES)} (or empty), not {settings.severity!r}."
        )
    for cve_id in settings.cve_whitelist or []:
        if not rules.CVE_ID_PATTERN.fullmatch(cve_id):
            raise InvalidParameterValue(f"CVEWhitelistItems: {cve_id!r} is not a CVE id such as CVE-2021-44228.")
    for key, value in (settings.tags or {}).items():
        if problem := rules.tag_problem(key, value):
            raise InvalidParameter(f"The tag {key!r}: {problem.value}.")
