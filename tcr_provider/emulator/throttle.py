"""The per-action, per-SecretId request rate limit (``--rate-limit``): a sliding one-second window."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Mapping

from .errors import RequestLimitExceeded


class RateLimiter:
    """Admits at most ``per_second`` calls of one action by one SecretId in any second (or the action's
    ``lower`` published rate, when that is lower); 0 admits all."""

    def __init__(
        self,
        per_second: int,
        clock: Callable[[], float] = time.monotonic,
        lower: Mapping[str, int] | None = None,
    ) -> None:
        self.per_second = per_second
        self._lower = dict(lower or {})
        self._clock = clock
        self._recent: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def admit(self, action: str, secret_id: str) -> None:
        if self.per_second <= 0:
            return
        now = self._clock()
        with self._lock:
            recent = self._recent.setdefault((action, secret_id), deque())
            while recent and recent[0] <= now - 1.0:
                recent.popleft()
            allowed = min(self.per_second, self._lower.get(action, self.per_second))
            if len(recent) >= allowed:
                raise RequestLimitExceeded(
                    f"{action} allows {allowed} requests per second for each SecretId; retry later."
                )
            recent.append(now)

    def clear(self) -> None:
        with self._lock:
            self._recent.clear()
