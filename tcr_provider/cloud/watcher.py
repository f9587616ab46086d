"""Bounded waits on many registries, served by one poller that describes them in batches."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from ..errors import Interrupted, WaitTimedOut

T = TypeVar("T")
# How often a waiter looks at the interrupt: an interrupted wait ends within this.
INTERRUPT_CHECK_SECONDS = 0.1


class StatusWatcher(Generic[T]):
    """Waits on many registries with one DescribeInstances call per round, shared by every waiter.

    A creation holds a provider thread for minutes; polling each one separately would make N concurrent
    creations cost N calls a round and eat the API's per-action rate limit. The poller starts when the first
    waiter arrives, polls after `first_seconds`, backs off exponentially to `cap_seconds`, and stops when no
    one waits. Waiters arriving while it runs join its next round: they never make it poll sooner, so the
    calls stay at about one per `cap_seconds` however many registries are waited on.

    """

    def __init__(
        self,
        describe: Callable[[str, list[str]], dict[str, T]],
        first_seconds: float = 0.25,
        cap_seconds: float = 1.0,
        keeps_waiting: Callable[[BaseException], bool] = lambda _: False,
        interrupted: threading.Event | None = None,
    ) -> None:
        self._describe = describe
        # Set once the operation is cancelled (see server_pool): every wait then ends with Interrupted.
        self._interrupted = interrupted or threading.Event()
        # A failed poll that says nothing of the registries (a lost answer, throttling) is reported to each
        # waiter, who keeps waiting until its own deadline; any other failure ends every wait at once.
        self._keeps_waiting = keeps_waiting
        self._first = first_seconds
        self._cap = cap_seconds
        self._lock = threading.Lock()
        self._waiters: dict[int, _Waiter[T]] = {}
        self._next_key = 0
        self._thread: threading.Thread | None = None
        self._idle = threading.Event()  # set when the last waiter leaves, so the poller stops at once

    def wait(
        self,
        region: str,
        registry_id: str,
        done: Callable[[T | None], bool],
        timeout: float,
        on_round: Callable[[T | None], None] = lambda _: None,
        on_error: Callable[[BaseException], None] = lambda _: None,
    ) -> T | None:
        """Block until `done(registry)` holds (registry None = gone); raise WaitTimedOut at the deadline, and
        Interrupted as soon as the interrupt is set."""
        waiter: _Waiter[T] = _Waiter(region, registry_id, done, on_round, on_error)
        with self._lock:
            key = self._next_key
            self._next_key += 1
            self._waiters[key] = waiter
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="tcr-status-watcher", daemon=True)
                self._thread.start()
        deadline = time.monotonic() + timeout
        try:
            while not waiter.event.wait(min(max(deadline - time.monotonic(), 0.0), INTERRUPT_CHECK_SECONDS)):
                if self._interrupted.is_set():
                    raise Interrupted(registry_id, f"the wait for {registry_id} was interrupted")
                if time.monotonic() >= deadline:
                    raise WaitTimedOut(registry_id, timeout)
        finally:
            with self._lock:
                self._waiters.pop(key, None)
                if not self._waiters:
                    self._idle.set()
        if waiter.error is not None:
            raise waiter.error
        return waiter.result

    def _run(self) -> None:
        delay = self._first
        while True:
            self._idle.wait(delay)
            with self._lock:
                if self._idle.is_set():
                    # Every waiter left: stop, unless one arrived meanwhile (then start quickly again).
                    self._idle.clear()
                    if not self._waiters:
                        self._thread = None
                        return
                    delay = self._first
                    continue
                waiting = [w for w in self._waiters.values() if not w.event.is_set()]
            by_region: dict[str, list[_Waiter[T]]] = {}
            for waiter in waiting:
                by_region.setdefault(waiter.region, []).append(waiter)
            for region, waiters in by_region.items():
                self._poll(region, waiters)
            delay = min(self._cap, delay * 2)

    def _poll(self, region: str, waiters: list[_Waiter[T]]) -> None:
        ids = sorted({w.registry_id for w in waiters})
        try:
            found = self._describe(region, ids)
        except Exception as exc:
            keep_waiting = self._keeps_waiting(exc)
            for waiter in waiters:
                if keep_waiting:
                    waiter.on_error(exc)
                else:
                    waiter.error = exc
                    waiter.event.set()
            return
        for waiter in waiters:
            registry = found.get(waiter.registry_id)
            try:
                waiter.on_round(registry)
                finished = waiter.done(registry)
            except Exception as exc:
                waiter.error = exc
                finished = True
            if finished:
                waiter.result = registry
                waiter.event.set()


@dataclass
class _Waiter(Generic[T]):
    region: str
    registry_id: str
    done: Callable[[T | None], bool]
    on_round: Callable[[T | None], None]
    on_error: Callable[[BaseException], None]
    event: threading.Event = field(default_factory=threading.Event)
    result: T | None = None
    error: BaseException | None = None
