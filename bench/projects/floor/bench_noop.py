"""A do-nothing dynamic provider, in an importable module so that dill pickles it by reference (as ours is).

Every call answers at once from its arguments: no API, no waiting, no imports beyond pulumi.
"""

from __future__ import annotations

from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, Resource, ResourceProvider, UpdateResult

KEYS = ("name", "instanceType", "tags")


class NoopProvider(ResourceProvider):
    def diff(self, _id: str, _olds: dict[str, Any], _news: dict[str, Any]) -> DiffResult:
        return DiffResult(changes=any(_olds.get(key) != _news.get(key) for key in KEYS))

    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult(f"noop-{props['name']}", {key: props.get(key) for key in KEYS})

    def update(self, _id: str, _olds: dict[str, Any], _news: dict[str, Any]) -> UpdateResult:
        return UpdateResult({key: _news.get(key) for key in KEYS})


class Noop(Resource, module="bench", name="Noop"):
    def __init__(
        self,
        resource_name: str,
        name: str,
        instance_type: str,
        tags: dict[str, str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = {"name": name, "instanceType": instance_type, "tags": tags}
        super().__init__(NoopProvider(), resource_name, props, opts)
