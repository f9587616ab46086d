"""Namespaces of a registry, and the repositories in them (read only: the provider never deletes a repository)."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ..errors import ApiError
from .batcher import ReadBatcher
from .instances import TcrCloud
from .retry import CallKind

PAGE_SIZE = 100
# DescribeNamespaces answers an unknown registry with ResourceNotFound (the Terraform provider reads that as
# "none"). What DeleteNamespace answers for an unknown namespace has no source (ResourceNotFound.ErrNoNamespace
# is documented for the personal edition only), so a failed delete looks for the namespace instead.
NAMESPACE_EXISTS = "InvalidParameter.ErrNamespaceExist"

Description = Mapping[str, Any]


class Namespaces:
    def __init__(self, cloud: TcrCloud) -> None:
        self.cloud = cloud
        self.reads: ReadBatcher[Description] = ReadBatcher(self._of_scope)

    def get(self, region: str, registry_id: str, name: str) -> Description | None:
        """The namespace as DescribeNamespaces reports it (TcrNamespaceInfo), or None.

        A name filter keeps every namespace whose name contains it (the Terraform provider met a namespace whose
        name is part of another's), and a page holds at most PAGE_SIZE: the exact name is looked for page after
        page until every match has been seen. Offset is read as the SDK documents it, a page number; if the
        service counts items instead, the pages overlap and the walk goes on until it has seen as many distinct
        namespaces as the total, so the namespace is never read as gone while unseen."""
        seen: set[str] = set()
        for page in itertools.count():
            answer = self.cloud.call_unless_gone(
                region,
                "DescribeNamespaces",
                {"RegistryId": registry_id, "NamespaceName": name, "Offset": page, "Limit": PAGE_SIZE},
                registry=registry_id,
            )
            items: list[Description] = list((answer or {}).get("NamespaceList") or [])
            for item in items:
                if item.get("Name") == name:
                    return item
            before = len(seen)
            seen.update(str(item.get("Name")) for item in items)
            if answer is None or len(seen) == before or len(seen) >= int(answer.get("TotalCount") or 0):
                return None
        return None

    def read(self, region: str, registry_id: str, name: str) -> Description | None:
        """Like `get`, but concurrent reads of one registry share one listing (a refresh of many namespaces)."""
        return self.reads.get(f"{region}/{registry_id}", name)

    def _of_scope(self, scope: str, names: Sequence[str]) -> dict[str, Description]:
        region, registry_id = scope.split("/", 1)
        if len(names) == 1:
            found = self.get(region, registry_id, names[0])
            return {} if found is None else {names[0]: found}
        # The SDK documents Offset as a page number, the Terraform provider pages by items: neither is relied
        # on. One listing with All, and whatever it leaves out is asked about by name.
        listed = {str(item.get("Name")): item for item in self._page(region, registry_id, {"All": True})}
        missing = [n for n in names if n not in listed]
        for name in missing:
            item = self.get(region, registry_id, name)
            if item is not None:
                listed[name] = item
        return {n: listed[n] for n in names if n in listed}

    def _page(self, region: str, registry_id: str, filters: Mapping[str, Any]) -> list[Description]:
        params = {"RegistryId": registry_id, "Offset": 0, "Limit": PAGE_SIZE, **filters}
        answer = self.cloud.call_unless_gone(region, "DescribeNamespaces", params, registry=registry_id)
        return list((answer or {}).get("NamespaceList") or [])

    def create(self, region: str, registry_id: str, params: Mapping[str, Any]) -> None:
        """CreateNamespace. A lost answer is recovered by looking for the namespace (create checked it was absent)."""
        name = str(params["NamespaceName"])

        def find_it() -> dict[str, Any] | None:
            return {} if self.get(region, registry_id, name) is not None else None

        self.cloud.call(
            "tcr",
            region,
            "CreateNamespace",
            {"RegistryId": registry_id, **params},
            registry=registry_id,
            kind=CallKind.NEVER_REPEAT_BLINDLY,
            recover=find_it,
        )

    def modify(self, region: str, registry_id: str, params: Mapping[str, Any]) -> None:
        self.cloud.call("tcr", region, "ModifyNamespace", {"RegistryId": registry_id, **params}, registry=registry_id)

    def delete(self, region: str, registry_id: str, name: str) -> None:
        """DeleteNamespace; a refusal of a namespace that is gone meanwhile (a repeated call) is success."""
        params = {"RegistryId": registry_id, "NamespaceName": name}
        try:
            self.cloud.call_unless_gone(region, "DeleteNamespace", params, registry=registry_id)
        except ApiError:
            if self.get(region, registry_id, name) is not None:
                raise

    def retag(
        self, region: str, registry_id: str, name: str, replace: Mapping[str, str], remove: Iterable[str]
    ) -> None:
        """A namespace's tags, by difference, through the Tag API: ModifyNamespace does not apply its
        TagSpecification (the Terraform provider's namespace update)."""
        resource = self.cloud.tag_resource(region, registry_id, name)
        self.cloud.retag(region, registry_id, replace, remove, resource=resource)

    def repositories(self, region: str, registry_id: str, namespace: str) -> tuple[list[str], int]:
        """Up to a page of the repositories in a namespace (`namespace/name`), and how many there are."""
        params = {"RegistryId": registry_id, "NamespaceName": namespace, "Offset": 0, "Limit": PAGE_SIZE}
        answer = self.cloud.call_unless_gone(region, "DescribeRepositories", params, registry=registry_id)
        if answer is None:
            return [], 0
        names = [str(item.get("Name") or "") for item in answer.get("RepositoryList") or []]
        return names, max(int(answer.get("TotalCount") or 0), len(names))
