"""An interrupt (the engine's Cancel, or SIGINT to the provider process) ends waits and retries at once, and a
create it cuts short keeps the instance it bought, for the next `up` to take over (docs/reliability.md)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from tcr_provider import InstanceProvider
from tcr_provider.cloud.watcher import StatusWatcher
from tcr_provider.emulator import Emulator
from tcr_provider.errors import Interrupted
from tcr_provider.testing import wait_until

from ..support import Control
from .conftest import Checked, interrupt_when

pytestmark = pytest.mark.usefixtures("interrupt")


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    # Deletions last long enough that an interrupt surely lands while the provider waits for one.
    with Emulator(create_seconds=0.3, delete_seconds=30, modify_seconds=0.2, rate_limit=0) as emu:
        yield emu


def test_an_interrupt_ends_a_wait_at_once() -> None:
    interrupted = threading.Event()
    polls: list[float] = []

    def describe(_region: str, ids: list[str]) -> dict[str, str]:
        polls.append(time.monotonic())
        return dict.fromkeys(ids, "Deploying")

    watcher: StatusWatcher[str] = StatusWatcher(describe, first_seconds=0.05, cap_seconds=0.1, interrupted=interrupted)
    interrupt_when(lambda: len(polls) >= 2, interrupted)
    started = time.monotonic()
    with pytest.raises(Interrupted) as failure:
        watcher.wait("ap-guangzhou", "tcr-1", lambda status: status == "Running", timeout=600)
    assert time.monotonic() - started < 2
    assert failure.value.registry == "tcr-1"
    # The waiter left, so the poller stops as after any other end of a wait.
    wait_until(lambda: watcher._thread is None, timeout=5, what="the poller to stop")


def test_an_interrupt_ends_a_retry_pause_and_sends_nothing_more(
    provider: InstanceProvider, control: Control, interrupt: threading.Event
) -> None:
    control.fault({"action": "DescribeInstances", "error": "RequestLimitExceeded", "count": 100})
    interrupt_when(lambda: control.requests("DescribeInstances") >= 2, interrupt)
    started = time.monotonic()
    with pytest.raises(Interrupted) as failure:
        provider.cloud.get("ap-guangzhou", "tcr-1")
    assert time.monotonic() - started < 5
    assert "DescribeInstances for tcr-1 was interrupted after" in str(failure.value)
    sent = control.requests("DescribeInstances")
    with pytest.raises(Interrupted, match="before it was sent"):
        provider.cloud.get("ap-guangzhou", "tcr-1")
    assert control.requests("DescribeInstances") == sent


def test_a_create_interrupted_while_it_waits_keeps_the_instance_and_names_it(
    provider: InstanceProvider, checked: Checked, control: Control, interrupt: threading.Event
) -> None:
    inputs = checked(name="team-apps")
    control.fault({"action": "CreateInstance", "final_status": "Deploying"})
    interrupt_when(control.instances, interrupt)
    started = time.monotonic()
    with pytest.raises(Interrupted) as failure:
        provider.create(inputs)
    assert time.monotonic() - started < 5
    [instance] = control.instances()
    registry_id = instance["RegistryId"]
    assert failure.value.registry == f"team-apps ({registry_id})"
    message = str(failure.value)
    assert "was bought, but the operation was interrupted" in message
    assert "It was not deleted" in message and "the next `pulumi up` takes it over" in message
    assert control.requests("DeleteInstance") == 0


def test_a_create_interrupted_before_the_purchase_buys_nothing(
    provider: InstanceProvider, checked: Checked, control: Control, interrupt: threading.Event
) -> None:
    inputs = checked(name="team-apps")
    interrupt.set()
    with pytest.raises(Interrupted) as failure:
        provider.create(inputs)
    assert "interrupted while it was being bought" in str(failure.value)
    assert control.requests("CreateInstance") == 0 and control.instances() == []


def test_a_delete_interrupted_while_it_waits_says_the_deletion_goes_on(
    provider: InstanceProvider, checked: Checked, control: Control, interrupt: threading.Event
) -> None:
    created = provider.create(checked(name="team-apps"))
    interrupt_when(lambda: control.requests("DeleteInstance") >= 1, interrupt)
    started = time.monotonic()
    with pytest.raises(Interrupted) as failure:
        provider.delete(created.id, dict(created.outs or {}))
    assert time.monotonic() - started < 5
    assert f"team-apps ({created.id}): interrupted while it was being deleted" in str(failure.value)
    assert "The deletion was requested and goes on" in str(failure.value)
    assert control.instance(created.id)["Status"] == "Deleting"  # type: ignore[index]
