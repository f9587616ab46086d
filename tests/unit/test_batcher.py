"""Concurrent reads are coalesced: a single read is sent at once, the ones that arrive meanwhile share a call."""

from __future__ import annotations

import threading
from collections.abc import Sequence

import pytest

from tcr_provider.cloud.batcher import ReadBatcher
from tcr_provider.testing import wait_until


def queued(batcher: ReadBatcher[str], region: str) -> int:
    with batcher._lock:
        return sum(len(batch.ids) for batch in batcher._regions[region].queued)


class SlowDescribe:
    """A describe call that holds its first answer until released, recording every batch it was asked."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, list[str]]] = []
        self.first_started = threading.Event()
        self.release = threading.Event()

    def __call__(self, region: str, ids: Sequence[str]) -> dict[str, str]:
        self.calls.append((region, list(ids)))
        if len(self.calls) == 1:
            self.first_started.set()
            self.release.wait(5)
        return {i: f"{region}/{i}" for i in ids if not i.startswith("gone")}


def test_a_single_read_is_one_call_sent_at_once() -> None:
    describe = SlowDescribe()
    describe.release.set()
    batcher = ReadBatcher(describe)
    assert batcher.get("ap-guangzhou", "tcr-1") == "ap-guangzhou/tcr-1"
    assert batcher.get("ap-guangzhou", "gone-1") is None
    assert describe.calls == [("ap-guangzhou", ["tcr-1"]), ("ap-guangzhou", ["gone-1"])]


def test_reads_arriving_during_a_call_share_the_next_one_per_region() -> None:
    describe = SlowDescribe()
    batcher = ReadBatcher(describe, batch_size=100)
    results: dict[str, str | None] = {}

    def read(region: str, registry_id: str) -> None:
        results[registry_id] = batcher.get(region, registry_id)

    first = threading.Thread(target=read, args=("ap-guangzhou", "tcr-0"))
    first.start()
    assert describe.first_started.wait(5)
    others = [threading.Thread(target=read, args=("ap-guangzhou", f"tcr-{i}")) for i in range(1, 150)]
    others.append(threading.Thread(target=read, args=("ap-tokyo", "tcr-t")))
    for thread in others:
        thread.start()
    wait_until(lambda: queued(batcher, "ap-guangzhou") == 149, what="the other reads to queue")
    describe.release.set()
    for thread in [first, *others]:
        thread.join(5)
    assert len(results) == 151 and results["tcr-149"] == "ap-guangzhou/tcr-149"
    guangzhou = [ids for region, ids in describe.calls if region == "ap-guangzhou"]
    assert [len(ids) for ids in guangzhou] == [1, 100, 49]
    assert ("ap-tokyo", ["tcr-t"]) in describe.calls


def test_a_failed_call_fails_exactly_the_reads_it_carried() -> None:
    def describe(region: str, ids: Sequence[str]) -> dict[str, str]:
        raise RuntimeError("the API is down")

    batcher = ReadBatcher(describe)
    with pytest.raises(RuntimeError, match="down"):
        batcher.get("ap-guangzhou", "tcr-1")


class Region:
    """A region of registries, described by id or listed whole, recording every call."""

    def __init__(self, ids: list[str], too_many: bool = False) -> None:
        self.ids = set(ids)
        self.too_many = too_many
        self.calls: list[str] = []

    def describe(self, region: str, ids: Sequence[str]) -> dict[str, str]:
        self.calls.append(f"describe {len(ids)}")
        return {i: f"live {i}" for i in ids if i in self.ids}

    def list_region(self, region: str) -> dict[str, str] | None:
        self.calls.append("list")
        return None if self.too_many else {i: f"live {i}" for i in self.ids}


def burst_of_reads(batcher: ReadBatcher[str], ids: list[str], at_once: int = 8) -> dict[str, str | None]:
    """Reads as a refresh makes them: `at_once` in flight, the next starting as one ends."""
    results: dict[str, str | None] = {}
    pending = list(ids)
    lock = threading.Lock()

    def worker() -> None:
        while True:
            with lock:
                if not pending:
                    return
                registry_id = pending.pop(0)
            results[registry_id] = batcher.get("ap-guangzhou", registry_id)

    workers = [threading.Thread(target=worker) for _ in range(at_once)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join(10)
    return results


def test_a_burst_of_reads_is_answered_by_one_listing_of_the_region() -> None:
    ids = [f"tcr-{i}" for i in range(50)]
    region = Region(ids)
    batcher = ReadBatcher(region.describe, list_region=region.list_region)
    results = burst_of_reads(batcher, ids)
    assert results == {i: f"live {i}" for i in ids}
    assert region.calls.count("list") == 1
    assert len(region.calls) <= 4, region.calls  # at most the reads before the burst showed, then the listing


def test_an_id_missing_from_the_listing_is_asked_about_before_it_is_reported_gone() -> None:
    ids = [f"tcr-{i}" for i in range(20)]
    region = Region(ids)
    batcher = ReadBatcher(region.describe, list_region=region.list_region)
    burst_of_reads(batcher, ids)
    region.ids.add("tcr-new")
    assert batcher.get("ap-guangzhou", "tcr-new") == "live tcr-new"
    assert batcher.get("ap-guangzhou", "tcr-gone") is None
    assert region.calls[-2:] == ["describe 1", "describe 1"]


def test_a_write_in_the_region_retires_its_listing() -> None:
    ids = [f"tcr-{i}" for i in range(20)]
    region = Region(ids)
    batcher = ReadBatcher(region.describe, list_region=region.list_region)
    burst_of_reads(batcher, ids)
    calls = len(region.calls)
    batcher.forget("ap-guangzhou")
    batcher.get("ap-guangzhou", "tcr-1")
    assert len(region.calls) == calls + 1


def test_a_region_too_large_to_list_is_read_by_id() -> None:
    ids = [f"tcr-{i}" for i in range(50)]
    region = Region(ids, too_many=True)
    batcher = ReadBatcher(region.describe, list_region=region.list_region)
    assert burst_of_reads(batcher, ids) == {i: f"live {i}" for i in ids}
    assert region.calls.count("list") == 1
