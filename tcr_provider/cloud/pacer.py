"""Spacing of API calls under the API's per-action rate limit."""

from __future__ import annotations

import threading
import time


class Pacer:
    """Spaces calls of each action evenly at `rate` per second across every thread of the process."""

    def __init__(self, rate: float) -> None:
        self._interval = 1.0 / rate if rate > 0 else 0.0
        self._next: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait_turn(self, action: str) -> None:
        if not self._interval:
            return
        with self._lock:
            now = time.monotonic()
            slot = max(now, self._next.get(action, now))
            self._next[action] = slot + self._interval
        if slot > now:
            time.sleep(slot - now)
