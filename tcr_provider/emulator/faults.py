"""Fault rules: what ``POST /_emulator/faults`` queues, and how the next matching calls consume them.

A rule applies to an authenticated API request for its action (``"*"``: any action), before rate limiting
and parameter checks. Pending rules are tried in the order they were added; the first that matches takes
the call and loses one of its ``count``. Only ``error`` and ``http_status`` stop the call; a delayed or
dropped call is still performed.

What a rule does is its :class:`Effect`, one class per effect: the server hands the effect the call as a
:class:`PendingCall` and answers with whatever the effect returns, so a new effect is one new class here.
"""

from __future__ import annotations

import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Collection
from dataclasses import dataclass, replace
from typing import ClassVar, Final, Self

from .errors import InjectedError
from .protocol import DROPPED, HttpAnswer
from .rules import STATUS_REASONS
from .services import Behaviour

ANY_ACTION: Final = "*"
_SETTLING_ACTION: Final = "CreateInstance"
_DESCRIBING_ACTION: Final = "DescribeInstances"
_DNS_STATUS_ACTION: Final = "DescribeInternalEndpointDnsStatus"
_INJECTED_TEXT: Final = b"Injected by an emulator fault rule."


class FaultRuleError(ValueError):
    """A rule that cannot be queued; the message says what to fix."""


@dataclass(frozen=True)
class PendingCall:
    """An authenticated API call on its way to an answer: what a fault effect acts on."""

    behaviour: Behaviour
    """How the emulated cloud acts on the call unless an effect says otherwise."""
    perform: Callable[[Behaviour], HttpAnswer]
    """Rate-limit and perform the call; an API error comes back as its envelope, never as an exception."""

    def proceed(self, behaviour: Behaviour | None = None) -> HttpAnswer:
        return self.perform(self.behaviour if behaviour is None else behaviour)


class Effect(ABC):
    """What a fault rule does to each call it takes; ``key`` names it in the JSON rule.

    :meth:`apply` is the one hook: it may answer without performing the call, act before or after
    ``call.proceed()``, or proceed with a changed :class:`Behaviour`.
    """

    key: ClassVar[str]

    @classmethod
    @abstractmethod
    def parse(cls, value: object, action: str) -> Self:
        """The effect the rule's value asks for; raises :class:`FaultRuleError` saying what to fix."""

    @abstractmethod
    def to_json(self) -> object:
        """The rule's value, as the list of pending rules shows it."""

    @abstractmethod
    def apply(self, call: PendingCall) -> HttpAnswer:
        """Answer ``call``, with or without ``call.proceed()``; an :class:`ApiError` raised here is answered too."""

    def acts_on(self, action: str) -> bool:
        """Whether the effect means anything for ``action``: a rule waits for a call it can act on."""
        return True


@dataclass(frozen=True)
class ErrorEffect(Effect):
    """Answer with an API error envelope carrying ``code``; the call is not performed."""

    key: ClassVar[str] = "error"
    code: str

    @classmethod
    def parse(cls, value: object, action: str) -> Self:
        if not isinstance(value, str) or not value:
            raise FaultRuleError('"error" must be an API error code such as "InternalError".')
        return cls(value)

    def to_json(self) -> object:
        return self.code

    def apply(self, call: PendingCall) -> HttpAnswer:
        raise InjectedError(self.code)


@dataclass(frozen=True)
class HttpStatusEffect(Effect):
    """Answer with a bare HTTP error status, as a failing gateway would; the call is not performed."""

    key: ClassVar[str] = "http_status"
    status: int

    @classmethod
    def parse(cls, value: object, action: str) -> Self:
        if not isinstance(value, int) or isinstance(value, bool) or not 400 <= value <= 599:
            raise FaultRuleError('"http_status" must be an HTTP error status from 400 to 599.')
        return cls(value)

    def to_json(self) -> object:
        return self.status

    def apply(self, call: PendingCall) -> HttpAnswer:
        return HttpAnswer(self.status, _INJECTED_TEXT, "text/plain")


@dataclass(frozen=True)
class DelayEffect(Effect):
    """Wait, then perform the call and answer normally."""

    key: ClassVar[str] = "delay_seconds"
    seconds: float

    @classmethod
    def parse(cls, value: object, action: str) -> Self:
        if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
            raise FaultRuleError('"delay_seconds" must be a number of seconds, 0 or more.')
        return cls(float(value))

    def to_json(self) -> object:
        return self.seconds

    def apply(self, call: PendingCall) -> HttpAnswer:
        time.sleep(self.seconds)
        return call.proceed()


@dataclass(frozen=True)
class DropResponseEffect(Effect):
    """Perform the call, then close the connection without answering, whatever the call's outcome."""

    key: ClassVar[str] = "drop_response"

    @classmethod
    def parse(cls, value: object, action: str) -> Self:
        if value is not True:
            raise FaultRuleError('"drop_response" must be true.')
        return cls()

    def to_json(self) -> object:
        return True

    def apply(self, call: PendingCall) -> HttpAnswer:
        call.proceed()
        return DROPPED


@dataclass(frozen=True)
class FinalStatusEffect(Effect):
    """Let the instance CreateInstance makes settle in ``status`` instead of Running."""

    key: ClassVar[str] = "final_status"
    status: str

    @classmethod
    def parse(cls, value: object, action: str) -> Self:
        if value not in STATUS_REASONS:
            raise FaultRuleError(f'"final_status" must be one of {sorted(STATUS_REASONS)}.')
        if action not in (ANY_ACTION, _SETTLING_ACTION):
            raise FaultRuleError('"final_status" applies to CreateInstance only.')
        return cls(str(value))

    def to_json(self) -> object:
        return self.status

    def apply(self, call: PendingCall) -> HttpAnswer:
        return call.proceed(replace(call.behaviour, final_status=self.status))

    def acts_on(self, action: str) -> bool:
        return action == _SETTLING_ACTION


@dataclass(frozen=True)
class PassingStatusEffect(Effect):
    """Let the instance CreateInstance makes show ``status`` for a while before it settles (as a healthy new
    instance may pass through Unhealthy)."""

    key: ClassVar[str] = "passing_status"
    status: str

    @classmethod
    def parse(cls, value: object, action: str) -> Self:
        if value not in STATUS_REASONS:
            raise FaultRuleError(f'"passing_status" must be one of {sorted(STATUS_REASONS)}.')
        if action not in (ANY_ACTION, _SETTLING_ACTION):
            raise FaultRuleError('"passing_status" applies to CreateInstance only.')
        return cls(str(value))

    def to_json(self) -> object:
        return self.status

    def apply(self, call: PendingCall) -> HttpAnswer:
        return call.proceed(replace(call.behaviour, passing_status=self.status))

    def acts_on(self, action: str) -> bool:
        return action == _SETTLING_ACTION


@dataclass(frozen=True)
class UnknownIdNotFoundEffect(Effect):
    """Answer a DescribeInstances batch that holds an unknown id with ``ResourceNotFound`` instead of leaving
    the id out: the other reading of the API, which a client must survive."""

    key: ClassVar[str] = "unknown_id_not_found"

    @classmethod
    def parse(cls, value: object, action: str) -> Self:
        if value is not True:
            raise FaultRuleError('"unknown_id_not_found" must be true.')
        if action not in (ANY_ACTION, _DESCRIBING_ACTION):
            raise FaultRuleError('"unknown_id_not_found" applies to DescribeInstances only.')
        return cls()

    def to_json(self) -> object:
        return True

    def apply(self, call: PendingCall) -> HttpAnswer:
        return call.proceed(replace(call.behaviour, unknown_id_not_found=True))

    def acts_on(self, action: str) -> bool:
        return action == _DESCRIBING_ACTION


@dataclass(frozen=True)
class DnsStatusErrorEffect(Effect):
    """Answer DescribeInternalEndpointDnsStatus with Status ``ERROR`` for every record: the SDK documents ERROR
    as "the query failed", whatever the records' state."""

    key: ClassVar[str] = "dns_status_error"

    @classmethod
    def parse(cls, value: object, action: str) -> Self:
        if value is not True:
            raise FaultRuleError('"dns_status_error" must be true.')
        if action not in (ANY_ACTION, _DNS_STATUS_ACTION):
            raise FaultRuleError(f'"dns_status_error" applies to {_DNS_STATUS_ACTION} only.')
        return cls()

    def to_json(self) -> object:
        return True

    def apply(self, call: PendingCall) -> HttpAnswer:
        return call.proceed(replace(call.behaviour, dns_status_error=True))

    def acts_on(self, action: str) -> bool:
        return action == _DNS_STATUS_ACTION


_EFFECT_TYPES: Final[dict[str, type[Effect]]] = {
    effect.key: effect
    for effect in (
        ErrorEffect,
        HttpStatusEffect,
        DelayEffect,
        DropResponseEffect,
        FinalStatusEffect,
        PassingStatusEffect,
        UnknownIdNotFoundEffect,
        DnsStatusErrorEffect,
    )
}
EFFECTS: Final = tuple(_EFFECT_TYPES)


@dataclass(frozen=True)
class FaultRule:
    """A queued rule: the action it waits for, how many calls it still takes, and its effect."""

    action: str
    count: int
    effect: Effect

    @classmethod
    def parse(cls, document: object, known_actions: Collection[str]) -> FaultRule:
        if not isinstance(document, dict):
            raise FaultRuleError('A fault rule is a JSON object such as {"action": "CreateInstance", ...}.')
        unknown = set(document) - {"action", "count", *EFFECTS}
        if unknown:
            raise FaultRuleError(f"Unknown fault rule keys {sorted(unknown)}; the effects are {list(EFFECTS)}.")
        effects = [name for name in EFFECTS if name in document]
        if len(effects) != 1:
            raise FaultRuleError(f"A fault rule needs exactly one effect out of {list(EFFECTS)}, got {effects}.")
        action = document.get("action")
        if not isinstance(action, str) or (action != ANY_ACTION and action not in known_actions):
            raise FaultRuleError(f'Fault rule action {action!r} is neither "*" nor an emulated API action.')
        count = document.get("count", 1)
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            raise FaultRuleError("A fault rule's count must be a positive integer.")
        (key,) = effects
        return cls(action, count, _EFFECT_TYPES[key].parse(document[key], action))

    def matches(self, action: str) -> bool:
        return self.effect.acts_on(action) and self.action in (ANY_ACTION, action)

    def to_json(self) -> dict[str, object]:
        return {"action": self.action, "count": self.count, self.effect.key: self.effect.to_json()}


class FaultPlan:
    """The pending fault rules, shared by every request thread."""

    def __init__(self) -> None:
        self._rules: list[FaultRule] = []
        self._lock = threading.Lock()

    def add(self, rules: list[FaultRule]) -> None:
        with self._lock:
            self._rules.extend(rules)

    def take(self, action: str) -> Effect | None:
        """The effect of the first pending rule that matches ``action``, which loses one of its count."""
        with self._lock:
            for index, rule in enumerate(self._rules):
                if rule.matches(action):
                    if rule.count > 1:
                        self._rules[index] = replace(rule, count=rule.count - 1)
                    else:
                        del self._rules[index]
                    return rule.effect
            return None

    def pending(self) -> list[dict[str, object]]:
        with self._lock:
            return [rule.to_json() for rule in self._rules]

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()
