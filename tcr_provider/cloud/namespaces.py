"""Namespaces of a registry, and the repositories in them (read only: the provider never deletes a repository)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .batcher import ReadBatcher
from .instances import TcrCloud
from .retry import CallKind

PAGE_SIZE = 100
# DescribeNamespaces answers an unknown registry with ResourceNotFound (the Terraform provider reads that as
# "none"); DeleteNamespace and ModifyNamespace name an unknown namespace ResourceNotFound.ErrNoNamespace.
NAMESPACE_GONE = frozenset({"ResourceNotFound.ErrNoNamespace"})
NAMESPACE_EXISTS = "InvalidParameter.ErrNamespaceExist"

Description = Mapping[str, Any]


class Namespaces:
    def __init__(self, cloud: TcrCloud) -> None:
        self.cloud = cloud
        self.reads: ReadBatcher[Description] = ReadBatcher(self._of_scope)

    def get(self, region: str, registry_id: str, name: str) -> Description | None:
        """The namespace as DescribeNamespaces reports it (TcrNamespaceInfo), or None."""
        for item in self._page(region, registry_id, {"NamespaceName": name}):
            if item.get("Name") == name:
                return item
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

    def delete(self, region: str, registry_id: str, name: str) -> bool:
        """DeleteNamespace; False when it was already gone."""
        params = {"RegistryId": registry_id, "NamespaceName": name}
        answer = self.cloud.call_unless_gone(
            region, "DeleteNamespace", params, registry=registry_id, gone=NAMESPACE_GONE
        )
        return answer is not None

    def repositories(self, region: str, registry_id: str, namespace: str) -> tuple[list[str], int]:
        """Up to a page of the repositories in a namespace (`namespace/name`), and how many there are."""
        params = {"RegistryId": registry_id, "NamespaceName": namespace, "Offset": 0, "Limit": PAGE_SIZE}
        answer = self.cloud.call_unless_gone(
            region, "DescribeRepositories", params, registry=registry_id, gone=NAMESPACE_GONE
        )
        if answer is None:
            return [], 0
        names = [str(item.get("Name") or "") for item in answer.get("RepositoryList") or []]
        return names, max(int(answer.get("TotalCount") or 0), len(names))
