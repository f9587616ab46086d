"""Concurrent reads coalesced into as few describe calls as possible.

A refresh reads every registry of a stack, one `read` per registry on its own provider thread, while the
engine keeps only a few reads in flight at once. The first read of a region is sent at once, alone, so a
single read waits for nothing; reads that arrive while it is in flight join the next call, sent as soon as
that one returns. When a region sees a burst of reads, that next call lists the whole region instead (when
it holds at most `list_limit` registries), and the reads of the following seconds are answered from the
listing: a refresh of 50 registries costs about two calls, whatever the engine's parallelism. An id missing
from a listing is asked about on its own before it is reported gone, and a write in a region drops its
listing, so a read never sees the region as it was before this process changed it.
"""

from __future__ import annotations

import threading
import time
from collections import deque
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
class _Listing(Generic[T]):
    requested_at: float
    registries: dict[str, T]


@dataclass
class _Region(Generic[T]):
    in_flight: bool = False
    queued: list[_Batch[T]] = field(default_factory=list)
    arrivals: deque[float] = field(default_factory=deque)
    listing: _Listing[T] | None = None
    written_at: float = 0.0
    too_large_until: float = 0.0


class ReadBatcher(Generic[T]):
    """`get(region, id)` for many threads at once, answered by batched `describe(region, ids)` calls, or by
    `list_region(region)` (every registry of the region; None when there are too many to list) in a burst."""

    def __init__(
        self,
        describe: Callable[[str, Sequence[str]], dict[str, T]],
        *,
        list_region: Callable[[str], dict[str, T] | None] | None = None,
        batch_size: int = 100,
        burst: int = 4,
        fresh_seconds: float = 5.0,
    ) -> None:
        self._describe = describe
        self._list_region = list_region
        self._batch_size = batch_size
        self._burst = burst
        self._fresh = fresh_seconds
        self._lock = threading.Lock()
        self._regions: dict[str, _Region[T]] = {}

    def get(self, region: str, registry_id: str) -> T | None:
        with self._lock:
            state = self._regions.setdefault(region, _Region())
            now = time.monotonic()
            state.arrivals.append(now)
            while state.arrivals and state.arrivals[0] < now - self._fresh:
                state.arrivals.popleft()
            listing = state.listing
            if (
                listing is not None
                and listing.requested_at > state.written_at
                and now - listing.requested_at <= self._fresh
                and registry_id in listing.registries
            ):
                return listing.registries[registry_id]
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

    def forget(self, region: str) -> None:
        """Something in the region was just changed: no listing requested before now answers a read."""
        with self._lock:
            state = self._regions.setdefault(region, _Region())
            state.listing = None
            state.written_at = time.monotonic()

    def _send_queued(self, region: str) -> None:
        """Send every queued batch of `region`, one call at a time, until none is left."""
        while True:
            with self._lock:
                state = self._regions[region]
                if not state.queued:
                    state.in_flight = False
                    return
                batch = state.queued.pop(0)
                now = time.monotonic()
                listed = state.listing is not None and now - state.listing.requested_at <= self._fresh
                # A fresh listing that lacks an id is not listed again: that id alone is asked about.
                in_burst = len(state.arrivals) >= self._burst and now >= state.too_large_until and not listed
            try:
                batch.answer.set_result(self._answer(region, list(dict.fromkeys(batch.ids)), in_burst))
            except BaseException as error:
                batch.answer.set_exception(error)

    def _answer(self, region: str, ids: list[str], in_burst: bool) -> dict[str, T]:
        if in_burst and self._list_region is not None:
            requested_at = time.monotonic()
            registries = self._list_region(region)
            with self._lock:
                state = self._regions[region]
                if registries is None:
                    state.too_large_until = requested_at + self._fresh
                elif requested_at > state.written_at:
                    state.listing = _Listing(requested_at, registries)
            if registries is not None:
                found = {i: registries[i] for i in ids if i in registries}
                missing = [i for i in ids if i not in registries]
                return {**found, **(self._describe(region, missing) if missing else {})}
        return self._describe(region, ids)
