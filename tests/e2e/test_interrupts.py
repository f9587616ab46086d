"""An `up` cut short while it waits for a purchase, through the real CLI: Ctrl-C, a killed CLI, a killed provider.

Each test is a row of docs/reliability.md, and ends with the next `up` converging and the invariant: every
instance in the emulator is tracked in the stack's state exactly once. The instance bought by the interrupted
run carries its resource's ownership marker, so that `up` takes it over instead of buying a second one.
"""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tcr_provider.emulator import Emulator
from tcr_provider.testing import EmulatorControl, Stack, wait_until
from tcr_provider.testing.processes import alive, start

from .conftest import assert_nothing_untracked

pytestmark = pytest.mark.e2e

# Long enough that a signal surely lands while `up` waits for Running, short enough for the next `up`.
CREATE_SECONDS = 20
APPS = {"name": "int-apps", "tags": {"team": "apps"}}
UP = ("up", "--yes", "--skip-preview")
TAKEN_OVER = (
    "was bought by an earlier, interrupted run of this resource (it carries its ownership marker); taking it over"
)


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    with Emulator(create_seconds=CREATE_SECONDS, delete_seconds=0.2, modify_seconds=0.2) as emu:
        yield emu


def purchase(control: EmulatorControl) -> str:
    """The id of the one instance the running `up` bought, once it is bought (it then waits for Running)."""
    [instance] = wait_until(control.instances, timeout=60, what="the purchase")
    assert instance["Status"] != "Running"
    return str(instance["RegistryId"])


def pending_operations(stack: Stack) -> list[dict[str, Any]]:
    operations: list[dict[str, Any]] = json.loads(stack.export())["deployment"].get("pending_operations") or []
    return operations


def up_takes_it_over(stack: Stack, control: EmulatorControl, registry_id: str) -> None:
    """The next `up` converges on the instance the interrupted run bought, saying so, and buys nothing else."""
    result = stack.run(*UP)
    assert f"int-apps: {registry_id} {TAKEN_OVER}" in result.printed
    assert [i["RegistryId"] for i in control.instances()] == [registry_id]
    assert control.instance(registry_id)["Status"] == "Running"  # type: ignore[index]
    assert pending_operations(stack) == []
    assert_nothing_untracked(stack, control)
    stack.run("preview", "--expect-no-changes")


def test_ctrl_c_ends_the_create_wait_within_seconds_and_the_next_up_takes_the_registry_over(
    stack: Stack, control: EmulatorControl
) -> None:
    stack.configure(registries=[APPS])
    with start(stack, *UP) as run:
        run.provider()
        registry_id = purchase(control)
        signalled = time.monotonic()
        run.interrupt()
        result = run.finish(timeout=CREATE_SECONDS)
        stopped_after = time.monotonic() - signalled
    assert result.returncode != 0
    assert stopped_after < CREATE_SECONDS / 4, f"the CLI took {stopped_after:.1f}s to stop after Ctrl-C"
    message = result.printed
    assert f"int-apps ({registry_id}) was bought, but the operation was interrupted before it was ready" in message
    assert "the next `pulumi up` takes it over" in message
    # Neither deleted nor recorded; the failed create left no pending operation, so no `pulumi cancel` is needed.
    assert control.instance(registry_id) is not None and control.requests("DeleteInstance") == 0
    assert stack.tracked_ids() == [] and pending_operations(stack) == []
    up_takes_it_over(stack, control, registry_id)


@pytest.mark.parametrize("pending_creates", ["--clear-pending-creates", "--import-pending-creates"])
def test_a_killed_cli_leaves_no_provider_behind_and_the_next_up_takes_the_registry_over(
    stack: Stack, control: EmulatorControl, pending_creates: str
) -> None:
    stack.configure(registries=[APPS])
    with start(stack, *UP) as run:
        provider = run.provider()
        registry_id = purchase(control)
        run.kill()
        killed = time.monotonic()
        wait_until(lambda: not alive(provider), timeout=5, what="the orphaned provider process to exit")
        orphan_seconds = time.monotonic() - killed
    assert orphan_seconds < 5
    assert control.instance(registry_id) is not None and control.requests("DeleteInstance") == 0
    # The killed CLI left its lock, and the create as a pending operation, which `up` would keep (and warn of).
    locked = stack.run(*UP, check=False)
    assert locked.returncode != 0 and "pulumi cancel" in locked.printed
    stack.run("cancel", "--yes")
    [pending] = pending_operations(stack)
    assert pending["type"] == "creating"
    refresh = ("refresh", "--yes", "--skip-preview")
    if pending_creates == "--clear-pending-creates":
        stack.run(*refresh, "--clear-pending-creates")
    else:
        reads_before = control.requests("DescribeInstances")
        stack.run(
            *refresh, "--import-pending-creates", pending["resource"]["urn"], "--import-pending-creates", registry_id
        )
        # The engine drops the pending operation without asking the provider anything: nothing is imported,
        # and the README says to run `pulumi up` instead.
        assert control.requests("DescribeInstances") == reads_before
    assert pending_operations(stack) == [] and stack.tracked_ids() == []
    up_takes_it_over(stack, control, registry_id)


def test_a_killed_provider_fails_the_up_and_the_next_up_takes_the_registry_over(
    stack: Stack, control: EmulatorControl
) -> None:
    stack.configure(registries=[APPS])
    with start(stack, *UP) as run:
        provider = run.provider()
        registry_id = purchase(control)
        os.kill(provider, signal.SIGKILL)
        result = run.finish(timeout=30)
    assert result.returncode != 0
    assert "error reading from server: EOF" in result.printed
    # Nothing recorded, nothing pending, no lock left: the next `up` needs no other command first.
    assert stack.tracked_ids() == [] and pending_operations(stack) == []
    up_takes_it_over(stack, control, registry_id)
