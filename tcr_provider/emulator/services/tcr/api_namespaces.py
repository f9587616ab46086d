"""TCR's namespace and repository actions; the rules are in :mod:`.namespaces`."""

from __future__ import annotations

from ... import rules
from ...errors import InvalidParameterValue
from ...schema import ListOf, Params, optional, required
from ..base import CallContext, Reply, action, struct
from .model import Instance
from .namespaces import Namespace, NamespaceBackend, NamespaceSettings, Repository
from .shapes import TAG_SPECIFICATION, go_time, page_number, paging, tag_specification, tag_specification_reply

_CVE_WHITELIST = ListOf(struct(CVEID=required(str)))


class NamespaceActions:
    namespaces: NamespaceBackend

    @action(
        "CreateNamespace",
        RegistryId=required(str),
        NamespaceName=required(str),
        IsPublic=required(bool),
        TagSpecification=optional(TAG_SPECIFICATION),
        IsAutoScan=optional(bool),
        IsPreventVUL=optional(bool),
        Severity=optional(str),
        CVEWhitelistItems=optional(_CVE_WHITELIST),
    )
    def create_namespace(self, context: CallContext, params: Params) -> Reply:
        self.namespaces.create_namespace(
            context.region, params.text("RegistryId"), params.text("NamespaceName"), _settings(params)
        )
        return {}

    @action(
        "DescribeNamespaces",
        RegistryId=required(str),
        NamespaceName=optional(str),
        Limit=optional(int),
        Offset=optional(int),
        All=optional(bool),
        Filters=optional(ListOf(struct(Name=required(str), Values=required(ListOf(str))))),
        KmsSignPolicy=optional(bool),
    )
    def describe_namespaces(self, context: CallContext, params: Params) -> Reply:
        page, limit = paging(params, rules.PAGE_DEFAULT_LIMIT)
        found = self.namespaces.namespaces(context.region, params.text("RegistryId"))
        if name := params.text("NamespaceName"):
            found = [namespace for namespace in found if name in namespace.name]
        for namespace_filter in params.records("Filters") or []:
            found = _filtered(found, namespace_filter)
        if params.flag("KmsSignPolicy"):
            # No namespace of the emulator signs its images with KMS.
            found = []
        limit = min(limit, rules.NAMESPACE_PAGE_MAX)
        shown = found if params.flag("All") else page_number(found, page, limit)
        return {"NamespaceList": [_namespace_info(namespace) for namespace in shown], "TotalCount": len(found)}

    @action(
        "ModifyNamespace",
        RegistryId=required(str),
        NamespaceName=required(str),
        IsPublic=optional(bool),
        IsAutoScan=optional(bool),
        IsPreventVUL=optional(bool),
        Severity=optional(str),
        CVEWhitelistItems=optional(_CVE_WHITELIST),
        TagSpecification=optional(TAG_SPECIFICATION),
    )
    def modify_namespace(self, context: CallContext, params: Params) -> Reply:
        self.namespaces.modify_namespace(
            context.region, params.text("RegistryId"), params.text("NamespaceName"), _settings(params)
        )
        return {}

    @action("DeleteNamespace", RegistryId=required(str), NamespaceName=required(str))
    def delete_namespace(self, context: CallContext, params: Params) -> Reply:
        self.namespaces.delete_namespace(context.region, params.text("RegistryId"), params.text("NamespaceName"))
        return {}

    @action(
        "CreateRepository",
        RegistryId=required(str),
        NamespaceName=required(str),
        RepositoryName=required(str),
        BriefDescription=optional(str),
        Description=optional(str),
    )
    def create_repository(self, context: CallContext, params: Params) -> Reply:
        self.namespaces.create_repository(
            context.region,
            params.text("RegistryId"),
            params.text("NamespaceName"),
            params.text("RepositoryName"),
            brief_description=params.text("BriefDescription"),
            description=params.text("Description"),
        )
        return {}

    @action(
        "DescribeRepositories",
        RegistryId=required(str),
        NamespaceName=optional(str),
        RepositoryName=optional(str),
        Offset=optional(int),
        Limit=optional(int),
        SortBy=optional(str),
    )
    def describe_repositories(self, context: CallContext, params: Params) -> Reply:
        page, limit = paging(params, rules.PAGE_DEFAULT_LIMIT)
        sort_by = params.text("SortBy")
        if sort_by and sort_by not in rules.REPOSITORY_SORTS:
            raise InvalidParameterValue(f"SortBy must be one of {', '.join(rules.REPOSITORY_SORTS)}, not {sort_by!r}.")
        found = self.namespaces.repositories(context.region, params.text("RegistryId"))
        if namespace_name := params.text("NamespaceName"):
            found = [(ns, repository) for ns, repository in found if ns.name == namespace_name]
        if repository_name := params.text("RepositoryName"):
            found = [(ns, repository) for ns, repository in found if repository_name in repository.name]
        if sort_by:
            found = _sorted(found, sort_by)
        return {
            "RepositoryList": [_repository_info(ns, repository) for ns, repository in page_number(found, page, limit)],
            "TotalCount": len(found),
        }

    @action(
        "DeleteRepository",
        RegistryId=required(str),
        NamespaceName=required(str),
        RepositoryName=required(str),
        ForceDelete=optional(bool),
    )
    def delete_repository(self, context: CallContext, params: Params) -> Reply:
        self.namespaces.delete_repository(
            context.region, params.text("RegistryId"), params.text("NamespaceName"), params.text("RepositoryName")
        )
        return {}


def _settings(params: Params) -> NamespaceSettings:
    whitelist = params.records("CVEWhitelistItems")
    return NamespaceSettings(
        public=params.optional_flag("IsPublic"),
        auto_scan=params.optional_flag("IsAutoScan"),
        prevent_vul=params.optional_flag("IsPreventVUL"),
        severity=params.optional_text("Severity"),
        cve_whitelist=None if whitelist is None else [item.text("CVEID") for item in whitelist],
        tags=tag_specification(params.record("TagSpecification"), "namespace"),
    )


def _sorted(found: list[tuple[Namespace, Repository]], sort_by: str) -> list[tuple[Namespace, Repository]]:
    # Repositories are never updated, so update_time sorts as creation_time; creation order breaks ties
    # within one second.
    order = list(enumerate(found))
    if sort_by.removeprefix("-") == "name":
        order.sort(key=lambda item: item[1][1].full_name)
    else:
        order.sort(key=lambda item: (item[1][1].created_at, item[0]))
    if sort_by.startswith("-"):
        order.reverse()
    return [pair for _, pair in order]


def _filtered(namespaces: list[Namespace], namespace_filter: Params) -> list[Namespace]:
    if namespace_filter.text("Name") not in rules.NAMESPACE_FILTERS:
        raise InvalidParameterValue(
            f"Filters.Name must be one of {', '.join(rules.NAMESPACE_FILTERS)}, not {namespace_filter.text('Name')!r}."
        )
    wanted = {tuple(value.split(":", 1)) for value in namespace_filter.texts("Values") or []}
    return [namespace for namespace in namespaces if wanted & set(namespace.tags.items())]


def _namespace_info(namespace: Namespace) -> dict[str, object]:
    return {
        "Name": namespace.name,
        "CreationTime": go_time(namespace.created_at),
        "Public": namespace.public,
        "NamespaceId": namespace.namespace_id,
        "TagSpecification": tag_specification_reply("namespace", namespace.tags),
        "Metadata": [],
        "CVEWhitelistItems": [{"CVEID": cve_id} for cve_id in namespace.cve_whitelist],
        "AutoScan": namespace.auto_scan,
        "PreventVUL": namespace.prevent_vul,
        "Severity": namespace.severity,
    }


def _repository_info(namespace: Namespace, repository: Repository) -> dict[str, object]:
    return {
        "Name": repository.full_name,
        "Namespace": namespace.name,
        "CreationTime": go_time(repository.created_at),
        "Public": namespace.public,
        "Description": repository.description,
        "BriefDescription": repository.brief_description,
        "UpdateTime": go_time(repository.created_at),
    }


def namespaces_state(instance: Instance) -> list[dict[str, object]]:
    """The instance's namespaces with their repositories, for ``GET /_emulator/state``."""
    return [
        {
            **_namespace_info(namespace),
            "Repositories": [_repository_info(namespace, repository) for repository in namespace.repositories.values()],
        }
        for namespace in instance.namespaces.by_name.values()
    ]
