"""Bounded waits on the parts of a registry (VPC access, private DNS, public access) that settle asynchronously."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TypeVar

from ..errors import ApiError, Interrupted, WaitTimedOut
from .retry import is_network, is_transient

T = TypeVar("T")

FIRST_PAUSE_SECONDS = 0.25
MAX_PAUSE_SECONDS = 2.0
REPORT_EVERY_SECONDS = 15.0


def poll_until(
    poll: Callable[[], T],
    done: Callable[[T], bool],
    *,
    timeout: float,
    what: str,
    describe: Callable[[T], str] = str,
    progress: Callable[[str], None] = lambda _: None,
    interrupted: threading.Event | None = None,
) -> T:
    """Call `poll` (backing off from a quarter second to two) until `done` holds for its answer.

    An answer lost on the way, or throttling, does not end the wait: the next poll asks again, until the
    deadline. Every REPORT_EVERY_SECONDS a progress line says what is awaited, what the API last said and for
    how long; at the deadline WaitTimedOut names the last answer. Once `interrupted` is set (Ctrl-C), the
    wait ends at once with Interrupted.
    """
    stop = interrupted or threading.Event()
    started = time.monotonic()
    deadline = started + timeout
    pause = FIRST_PAUSE_SECONDS
    last_report = started
    last_seen = "no answer yet"
    while True:
        try:
            answer = poll()
        except ApiError as exc:
            if not (is_network(exc.code) or is_transient(exc.code)):
                raise
            last_seen = f"no answer from the API ({exc.code})"
        else:
            if done(answer):
                return answer
            last_seen = describe(answer)
        now = time.monotonic()
        if now >= deadline:
            raise WaitTimedOut(what, timeout, f"{what}: not done after {timeout:.0f}s (last: {last_seen})")
        if now - last_report >= REPORT_EVERY_SECONDS:
            last_report = now
            progress(f"{what}: {last_seen}, {now - started:.0f}s elapsed")
        if stop.wait(min(pause, max(deadline - now, 0.0))):
            raise Interrupted(what, f"{what}: interrupted after {now - started:.0f}s")
        pause = min(pause * 2, MAX_PAUSE_SECONDS)
