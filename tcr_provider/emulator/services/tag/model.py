"""The account's tags: one store for TCR's TagSpecification and the Tag API alike."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ... import rules
from ...errors import LimitExceeded


@dataclass(frozen=True)
class ResourceKey:
    """A taggable resource, as the six-part name ``qcs::<service>:<region>:uin/<uin>:<prefix>/<id>`` names it."""

    service: str
    region: str
    prefix: str
    resource_id: str


class TagStore:
    def __init__(self) -> None:
        self._tags: dict[ResourceKey, dict[str, str]] = {}

    def tags_of(self, resource: ResourceKey) -> dict[str, str]:
        return dict(self._tags.get(resource, {}))

    def put(self, resource: ResourceKey, tags: Mapping[str, str]) -> None:
        """Add or overwrite the given keys, keeping the others; all or nothing."""
        if len({*self._tags.get(resource, {}), *tags}) > rules.MAX_TAGS_PER_RESOURCE:
            raise LimitExceeded(
                f"A resource holds at most {rules.MAX_TAGS_PER_RESOURCE} tags.", sub="ResourceAttachedTags"
            )
        self._tags.setdefault(resource, {}).update(tags)

    def remove(self, resource: ResourceKey, keys: list[str]) -> None:
        current = self._tags.get(resource, {})
        for key in keys:
            current.pop(key, None)

    def forget(self, resource: ResourceKey) -> None:
        self._tags.pop(resource, None)
