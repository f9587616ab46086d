"""What every emulated service is made of: the account, the call context and its behaviour, declared actions."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import ClassVar, TypeVar

from ..errors import ApiError
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
class Behaviour:
    """How the emulated cloud acts on one call where a test may want it to misbehave; the defaults act as the
    real service does."""

    final_status: str | None = None
    """The status a new instance settles in instead of Running."""
    passing_status: str | None = None
    """A status a new instance shows for a while between Deploying and its final status."""
    unknown_id_not_found: bool = False
    """DescribeInstances answers a batch holding an unknown id with ResourceNotFound instead of omitting it."""
    dns_status_error: bool = False
    """DescribeInternalEndpointDnsStatus answers ERROR (its query failed) for every record."""


@dataclass(frozen=True)
class CallContext:
    region: str
    behaviour: Behaviour


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

    def answer_for(self, action: str, error: ApiError) -> ApiError:
        """The error an action answers with when its handler raised `error` (an action's own code for it)."""
        return error

    def actions(self) -> dict[str, Action]:
        found: dict[str, Action] = {}
        for attribute in dir(type(self)):
            mark = getattr(getattr(type(self), attribute), _ACTION_MARK, None)
            if mark is not None:
                name, fields = mark
                found[name] = Action(name, fields, getattr(self, attribute))
        return found
