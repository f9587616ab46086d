"""Concurrent reads coalesced into one describe call per region for up to a page of ids.

A refresh reads every registry of a stack at once, one `read` per registry, each on its own provider thread.
The first read of a region is sent at once, alone, so a single read waits for nothing; reads that arrive
while it is in flight join the next call, sent as soon as that one returns. So N concurrent reads cost about
two calls instead of N, and never more than one call is in flight per region.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass
class _Batch(Generic[T]):
    ids: list[str] = field(default_factory=list)
    answer: Future[dict[str, T]] = field(default_factory=Future)


@dataclass
class _Region(Generic[T]):
    in_flight: bool = False
    queued: list[_Batch[T]] = field(default_factory=list)


class ReadBatcher(Generic[T]):
    """`get(region, id)` for many threads at once, answered by batched `describe(region, ids)` calls."""

    def __init__(self, describe: Callable[[str, Sequence[str]], dict[str, T]], batch_size: int = 100) -> None:
        self._describe = describe
        self._batch_size = batch_size
        self._lock = threading.Lock()
        self._regions: dict[str, _Region[T]] = {}

    def get(self, region: str, registry_id: str) -> T | None:
        with self._lock:
            state = self._regions.setdefault(region, _Region())
            if not state.queued or len(state.queued[-1].ids) >= self._batch_size:
                state.queued.append(_Batch())
            batch = state.queued[-1]
            batch.ids.append(registry_id)
            send = not state.in_flight
            if send:
                state.in_flight = True
        if send:
            self._send_queued(region)
        return batch.answer.result().get(registry_id)

    def _send_queued(self, region: str) -> None:
        """Send every queued batch of `region`, one call at a time, until none is left."""
        while True:
            with self._lock:
                state = self._regions[region]
                if not state.queued:
                    state.in_flight = False
                    return
                batch = state.queued.pop(0)
            try:
                batch.answer.set_result(self._describe(region, list(dict.fromkeys(batch.ids))))
            except BaseException as error:
                batch.answer.set_exception(error)
