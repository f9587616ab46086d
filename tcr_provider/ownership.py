"""How the provider recognises an instance it bought itself.

TCR instances carry no client token and no description, so the mark is a tag set at purchase: its value is a
digest of the project, stack and resource name that the `Instance` class passes in (the `__owner` property),
so it holds no name a tag could not, and no secret. The tag is hidden from the user's tags and from drift.
A lost CreateInstance answer is recovered only into an instance carrying this resource's mark, and the next
`up` after an interruption takes over such an instance on its own; an instance bought by anyone else is
never taken over without `adopt_existing`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

OWNER_PROPERTY = "__owner"
OWNER_TAG_KEY = "tcr-provider-owner"


@dataclass(frozen=True)
class Owner:
    marker: str  # the tag value
    resource: str  # the resource's name in the stack, for messages

    def to_property(self) -> dict[str, str]:
        return {"marker": self.marker, "resource": self.resource}

    @classmethod
    def of(cls, project: str, stack: str, resource: str) -> Owner:
        digest = hashlib.sha256(f"{project}/{stack}/{resource}".encode()).hexdigest()[:32]
        return cls(digest, resource)

    @classmethod
    def from_props(cls, props: Mapping[str, Any]) -> Owner | None:
        value = props.get(OWNER_PROPERTY)
        if isinstance(value, Mapping) and isinstance(value.get("marker"), str):
            return cls(value["marker"], str(value.get("resource") or ""))
        return None

    def marks(self, description: Mapping[str, Any]) -> bool:
        """Whether the API's description of an instance carries this owner's tag."""
        tags = (description.get("TagSpecification") or {}).get("Tags") or []
        return any(t.get("Key") == OWNER_TAG_KEY and t.get("Value") == self.marker for t in tags)
