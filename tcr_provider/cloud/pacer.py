"""Spacing of API calls under the API's per-action rate limit."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class Pacer:
    """Spaces calls of each action evenly at its own rate per second across every thread of the process."""

    def __init__(self, rate: Callable[[str], float]) -> None:
        self._rate = rate
        self._next: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait_turn(self, action: str) -> None:
        rate = self._rate(action)
        if rate <= 0:
            return
        with self._lock:
            now = time.monotonic()
            slot = max(now, self._next.get(action, now))
            self._next[action] = slot + 1.0 / rate
        if slot > now:
            time.sleep(slot - now)
