"""What every emulated service is made of: the account, the call context, declared actions, the tag store."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import ClassVar, TypeVar

from ..schema import Field, Params, Struct

Reply = dict[str, object]
"""An action's response fields, without RequestId: the protocol layer adds it."""


@dataclass(frozen=True)
class Account:
    uin: str
    app_id: int


@dataclass(frozen=True)
class Timings:
    """How long the asynchronous operations take (the ``--*-seconds`` flags)."""

    create_seconds: float
    delete_seconds: float
    modify_seconds: float


@dataclass(frozen=True)
class CallContext:
    region: str
    final_status: str | None = None
    """Set by a ``final_status`` fault rule: the status a created instance settles in."""


@dataclass(frozen=True)
class Action:
    name: str
    fields: Mapping[str, Field]
    perform: Callable[[CallContext, Params], Reply]


_Handler = TypeVar("_Handler", bound=Callable[..., Reply])
_ACTION_MARK = "_emulated_action"


def action(name: str, **fields: Field) -> Callable[[_Handler], _Handler]:
    """Declare a method as the handler of API action ``name`` taking exactly ``fields``."""

    def mark(handler: _Handler) -> _Handler:
        setattr(handler, _ACTION_MARK, (name, fields))
        return handler

    return mark


def struct(**fields: Field) -> Struct:
    return Struct(fields)


class Service:
    """One API (``tcr``, ``tag``, ``cam``): its version, and the actions its ``@action`` methods declare."""

    name: ClassVar[str]
    version: ClassVar[str]
    regional: ClassVar[bool]

    def admit(self, context: CallContext) -> None:
        """Checks every call of this service must pass before its action runs."""

    def actions(self) -> dict[str, Action]:
        found: dict[str, Action] = {}
        for attribute in dir(type(self)):
            mark = getattr(getattr(type(self), attribute), _ACTION_MARK, None)
            if mark is not None:
                name, fields = mark
                found[name] = Action(name, fields, getattr(self, attribute))
        return found


@dataclass(frozen=True)
class ResourceKey:
    """A taggable resource, as the six-part name ``qcs::<service>:<region>:uin/<uin>:<prefix>/<id>`` names it."""

    service: str
    region: str
    prefix: str
    resource_id: str


class TagStore:
    """The account's tags, one store for TCR's TagSpecification and the Tag API alike."""

    def __init__(self) -> None:
        self._tags: dict[ResourceKey, dict[str, str]] = {}

    def tags_of(self, resource: ResourceKey) -> dict[str, str]:
        return dict(self._tags.get(resource, {}))

    def put(self, resource: ResourceKey, tags: Mapping[str, str]) -> None:
        """Add or overwrite the given keys, keeping the others."""
        self._tags.setdefault(resource, {}).update(tags)

    def remove(self, resource: ResourceKey, keys: list[str]) -> None:
        current = self._tags.get(resource, {})
        for key in keys:
            current.pop(key, None)

    def forget(self, resource: ResourceKey) -> None:
        self._tags.pop(resource, None)
