"""Fault rules: what ``POST /_emulator/faults`` queues, and how the next matching calls consume them.

A rule applies to an authenticated API request for its action (``"*"``: any action), before rate limiting
and parameter checks. Pending rules are tried in the order they were added; the first that matches takes
the call and loses one of its ``count``. Only ``error`` and ``http_status`` stop the call; a delayed or
dropped call is still performed.
"""

from __future__ import annotations

import threading
from collections.abc import Collection
from dataclasses import asdict, dataclass, replace
from typing import Final

from .rules import STATUS_REASONS

ANY_ACTION: Final = "*"
EFFECTS: Final = ("error", "http_status", "delay_seconds", "drop_response", "final_status")
_SETTLING_ACTION: Final = "CreateInstance"


class FaultRuleError(ValueError):
    """A rule that cannot be queued; the message says what to fix."""


@dataclass(frozen=True)
class FaultRule:
    action: str
    count: int = 1
    error: str | None = None
    http_status: int | None = None
    delay_seconds: float | None = None
    drop_response: bool = False
    final_status: str | None = None

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
        rule = cls(action=action, count=count)
        value = document[effects[0]]
        match effects[0]:
            case "error":
                if not isinstance(value, str) or not value:
                    raise FaultRuleError('"error" must be an API error code such as "InternalError".')
                return replace(rule, error=value)
            case "http_status":
                if not isinstance(value, int) or isinstance(value, bool) or not 400 <= value <= 599:
                    raise FaultRuleError('"http_status" must be an HTTP error status from 400 to 599.')
                return replace(rule, http_status=value)
            case "delay_seconds":
                if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
                    raise FaultRuleError('"delay_seconds" must be a number of seconds, 0 or more.')
                return replace(rule, delay_seconds=float(value))
            case "drop_response":
                if value is not True:
                    raise FaultRuleError('"drop_response" must be true.')
                return replace(rule, drop_response=True)
            case _:
                if value not in STATUS_REASONS:
                    raise FaultRuleError(f'"final_status" must be one of {sorted(STATUS_REASONS)}.')
                if action not in (ANY_ACTION, _SETTLING_ACTION):
                    raise FaultRuleError('"final_status" applies to CreateInstance only.')
                return replace(rule, final_status=value)

    def matches(self, action: str) -> bool:
        if self.final_status is not None and action != _SETTLING_ACTION:
            return False
        return self.action in (ANY_ACTION, action)

    def to_json(self) -> dict[str, object]:
        return {name: value for name, value in asdict(self).items() if value is not None and value is not False}


class FaultPlan:
    """The pending fault rules, shared by every request thread."""

    def __init__(self) -> None:
        self._rules: list[FaultRule] = []
        self._lock = threading.Lock()

    def add(self, rules: list[FaultRule]) -> None:
        with self._lock:
            self._rules.extend(rules)

    def take(self, action: str) -> FaultRule | None:
        with self._lock:
            for index, rule in enumerate(self._rules):
                if rule.matches(action):
                    if rule.count > 1:
                        self._rules[index] = replace(rule, count=rule.count - 1)
                    else:
                        del self._rules[index]
                    return rule
            return None

    def pending(self) -> list[dict[str, object]]:
        with self._lock:
            return [rule.to_json() for rule in self._rules]

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()
