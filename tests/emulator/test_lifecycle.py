"""Timed behaviour, on the backends directly with a hand-wound clock: no sleeping, no flakiness."""

from __future__ import annotations

import pytest

from tcr_provider.emulator import rules
from tcr_provider.emulator.errors import RequestLimitExceeded
from tcr_provider.emulator.services.base import Account, Timings
from tcr_provider.emulator.services.cos.model import BucketStore
from tcr_provider.emulator.services.tag.model import TagStore
from tcr_provider.emulator.services.tcr.model import Charge, TcrBackend
from tcr_provider.emulator.throttle import RateLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def backend(clock: Clock) -> TcrBackend:
    timings = Timings(create_seconds=30, delete_seconds=10, modify_seconds=20)
    return TcrBackend(Account("1", 1250000000), timings, TagStore(), BucketStore(1250000000), clock)


def create(backend: TcrBackend, final_status: str | None = None, **tags: str):
    return backend.create_instance(
        "ap-guangzhou",
        "timed-registry",
        "basic",
        dict(tags),
        Charge(pay_mod=0),
        enable_cos_maz=False,
        deletion_protection=False,
        enable_cos_versioning=False,
        final_status=final_status,
    )


def test_create_goes_pending_deploying_running(backend, clock):
    instance = create(backend)
    seen = []
    for _ in range(4):
        seen.append(instance.status(clock()))
        clock.now += 10.5
    assert seen == ["Pending", "Deploying", "Deploying", "Running"]


def test_fault_final_status_replaces_running(backend, clock):
    instance = create(backend, final_status="Bucket-Error")
    clock.now += 30
    assert instance.status(clock()) == "Bucket-Error"


def test_type_change_shows_after_modify_seconds(backend, clock):
    instance = create(backend)
    clock.now += 30
    backend.modify_instance(
        "ap-guangzhou",
        instance.registry_id,
        registry_type="premium",
        deletion_protection=True,
        enable_cos_versioning=None,
    )
    assert (instance.type_at(clock()), instance.deletion_protection) == ("basic", True)
    clock.now += 20
    assert instance.type_at(clock()) == "premium"


def test_delete_lists_deleting_then_forgets_instance_tags_and_bucket(backend, clock):
    instance = create(backend, team="a")
    backend.delete_instance("ap-guangzhou", instance.registry_id, delete_bucket=True, dry_run=False)
    clock.now += 9
    assert [i.status(clock()) for i in backend.instances()] == ["Deleting"]
    assert backend.name_problem("timed-registry") is rules.NameProblem.TAKEN
    clock.now += 1
    assert backend.instances() == []
    assert backend.buckets.names() == []
    assert backend.tags.tags_of(instance.tag_resource) == {}
    assert backend.name_problem("timed-registry") is None


def test_external_endpoint_opens_and_closes_over_modify_seconds(backend, clock):
    instance = create(backend)
    clock.now += 30
    backend.manage_external_endpoint("ap-guangzhou", instance.registry_id, "Create")
    assert instance.external_endpoint.status(clock()) == "Opening"
    clock.now += 20
    assert instance.external_endpoint.status(clock()) == "Opened"
    backend.manage_external_endpoint("ap-guangzhou", instance.registry_id, "Delete")
    assert instance.external_endpoint.status(clock()) == "Deleting"
    clock.now += 20
    assert instance.external_endpoint.status(clock()) == "Closed"


def test_rate_limit_is_a_sliding_one_second_window(clock):
    limiter = RateLimiter(2, clock)
    limiter.admit("DescribeInstances", "AKID1")
    clock.now += 0.5
    limiter.admit("DescribeInstances", "AKID1")
    limiter.admit("DescribeInstances", "AKID2")
    limiter.admit("CreateInstance", "AKID1")
    with pytest.raises(RequestLimitExceeded):
        limiter.admit("DescribeInstances", "AKID1")
    clock.now += 0.5
    limiter.admit("DescribeInstances", "AKID1")
