"""API faults through the real CLI: nothing lost, leaked or duplicated.

Each test is one row of docs/reliability.md (the table names the test), and ends with the invariant:
every instance in the emulator is tracked in the stack's state exactly once.
"""

from __future__ import annotations

import time

import pytest

from tcr_provider.emulator import Emulator
from tcr_provider.testing import EmulatorControl, Stack

from .conftest import assert_nothing_untracked

pytestmark = pytest.mark.e2e

APPS = {"name": "fault-apps", "tags": {"team": "apps"}}


@pytest.mark.parametrize("action", ["CreateInstance", "DescribeInstances", "ModifyResourceTags", "DeleteInstance"])
def test_throttling_is_absorbed_by_backoff(stack: Stack, control: EmulatorControl, action: str) -> None:
    stack.configure(registries=[APPS])
    control.fault({"action": action, "error": "RequestLimitExceeded", "count": 3})
    stack.up()
    stack.configure(registries=[{**APPS, "tags": {"team": "platform"}}])
    stack.up()
    assert_nothing_untracked(stack, control)
    stack.run("destroy", "--yes", "--skip-preview")
    assert control.instances() == []
    assert control.state()["requests"][action] >= 4


@pytest.mark.parametrize("effect", [{"http_status": 500}, {"delay_seconds": 1.5}])
def test_a_wait_carries_on_through_errors_and_slow_answers(
    stack: Stack, control: EmulatorControl, effect: dict[str, object]
) -> None:
    stack.configure(registries=[APPS])
    control.fault({"action": "DescribeInstances", "count": 2, **effect})
    stack.up()
    assert [i["Status"] for i in control.instances()] == ["Running"]
    assert_nothing_untracked(stack, control)


def test_lost_create_answer_leaves_exactly_one_tracked_instance(stack: Stack, control: EmulatorControl) -> None:
    stack.configure(registries=[APPS])
    control.fault({"action": "CreateInstance", "drop_response": True})
    stack.up()
    assert control.requests("CreateInstance") == 1
    assert len(control.instances()) == 1
    assert_nothing_untracked(stack, control)
    stack.run("preview", "--expect-no-changes")


def test_failed_creation_reports_the_reason_within_seconds(stack: Stack, control: EmulatorControl) -> None:
    stack.configure(registries=[APPS])
    control.fault({"action": "CreateInstance", "final_status": "FailedCreated"})
    started = time.monotonic()
    result = stack.run("up", "--yes", "--skip-preview", check=False)
    assert result.returncode != 0
    assert time.monotonic() - started < 60
    message = result.printed
    assert "FailedCreated" in message and "did not start" in message  # the emulator's Reason
    assert "deleted" in message
    assert control.instances() == []
    assert_nothing_untracked(stack, control)


def test_creation_stuck_past_the_timeout_is_reported_and_cleaned_up(stack: Stack, control: EmulatorControl) -> None:
    stack.run("config", "set", "tcr:createTimeoutSeconds", "2")
    stack.configure(registries=[APPS])
    control.fault({"action": "CreateInstance", "final_status": "Deploying"})
    result = stack.run("up", "--yes", "--skip-preview", check=False)
    assert result.returncode != 0
    message = result.printed
    assert "was not Running after 2s" in message and "tcr:createTimeoutSeconds" in message
    assert control.instances() == []
    assert_nothing_untracked(stack, control)


def test_conflicts_on_modify_are_retried(stack: Stack, control: EmulatorControl) -> None:
    stack.configure(registries=[APPS])
    stack.up()
    control.fault({"action": "ModifyInstance", "error": "InternalError.ErrorConflict", "count": 2})
    stack.configure(registries=[{**APPS, "deletion_protection": True}])
    stack.up()
    assert control.instances()[0]["DeletionProtection"] is True
    assert control.requests("ModifyInstance") == 3
    assert_nothing_untracked(stack, control)


@pytest.mark.parametrize(
    ("setting", "value", "code"),
    [
        ("tencentcloud:secretKey", "not-the-key-9876543210", "AuthFailure.SignatureFailure"),
        ("tencentcloud:secretId", "AKIDNOSUCHID", "AuthFailure.SecretIdNotFound"),
    ],
)
def test_rejected_credentials_fail_at_once_naming_their_source(
    stack: Stack, control: EmulatorControl, emulator: Emulator, setting: str, value: str, code: str
) -> None:
    stack.run("config", "set", "--secret", setting, value)
    stack.configure(registries=[APPS])
    result = stack.run("preview", check=False)
    assert result.returncode != 0
    message = result.printed
    assert code in message
    assert "stack config tencentcloud:secretId and stack config tencentcloud:secretKey" in message
    assert value not in message and emulator.secret_key not in message
    assert control.requests("CheckInstanceName") == 1  # no retries
    assert control.requests("CreateInstance") == 0


@pytest.mark.parametrize("code", ["OperationDenied", "FailedOperation.PreconditionFailed"])
def test_refused_delete_keeps_the_instance_and_the_state(stack: Stack, control: EmulatorControl, code: str) -> None:
    stack.configure(registries=[APPS])
    stack.up()
    control.fault({"action": "DeleteInstance", "error": code})
    result = stack.run("destroy", "--yes", "--skip-preview", check=False)
    assert result.returncode != 0
    message = result.printed
    assert "DeleteInstance failed for registry" in message and code in message and "RequestId" in message
    assert len(control.instances()) == 1
    assert_nothing_untracked(stack, control)


def test_twenty_registries_under_the_rate_limit(stack: Stack, control: EmulatorControl) -> None:
    registries = [{"name": f"fleet-{i:02d}", "tags": {"fleet": "yes"}} for i in range(20)]
    stack.configure(registries=registries)
    stack.up()
    assert len(control.instances()) == 20
    assert all(i["Status"] == "Running" for i in control.instances())
    assert control.requests("CreateInstance") == 20
    assert_nothing_untracked(stack, control)
    stack.run("destroy", "--yes", "--skip-preview")
    assert control.instances() == []


# --- readings of the real API the emulator answers both ways, and faults after a purchase -------------------
def test_every_batch_answered_not_found_still_converges(stack: Stack, control: EmulatorControl) -> None:
    old = {"name": "fault-old", "tags": {"team": "old"}}
    stack.configure(registries=[old])
    stack.up()
    control.fault({"action": "DescribeInstances", "unknown_id_not_found": True, "count": 10_000})
    # The old registry is deleted while three are created: the shared poll asks about gone ids among live ones.
    stack.configure(registries=[{"name": f"fault-new{i}", "tags": {"n": str(i)}} for i in range(3)])
    stack.up()
    assert sorted(i["RegistryName"] for i in control.instances()) == ["fault-new0", "fault-new1", "fault-new2"]
    assert_nothing_untracked(stack, control)
    stack.run("refresh", "--preview-only", "--expect-no-changes")
    stack.run("destroy", "--yes", "--skip-preview")
    assert control.instances() == []


def test_an_unhealthy_new_instance_is_waited_out(stack: Stack, control: EmulatorControl) -> None:
    stack.configure(registries=[APPS])
    control.fault({"action": "CreateInstance", "passing_status": "Unhealthy"})
    stack.up()
    assert [i["Status"] for i in control.instances()] == ["Running"]
    assert control.requests("DeleteInstance") == 0
    assert_nothing_untracked(stack, control)


def test_a_purchase_that_can_be_neither_finished_nor_deleted_is_named_with_the_way_back(
    stack: Stack, control: EmulatorControl
) -> None:
    stack.run("config", "set", "tcr:createTimeoutSeconds", "1")
    stack.configure(registries=[APPS])
    control.fault(
        {"action": "DescribeInstances", "http_status": 502, "count": 8},
        {"action": "DeleteInstance", "error": "AuthFailure.TokenFailure"},
    )
    result = stack.run("up", "--yes", "--skip-preview", check=False)
    assert result.returncode != 0
    [instance] = control.instances()
    message = result.printed
    assert instance["RegistryId"] in message and "adopt_existing=True" in message
    assert stack.tracked_ids() == []
    # The way back the error names: take it over, and it is tracked exactly once.
    stack.run("config", "rm", "tcr:createTimeoutSeconds")
    stack.configure(registries=[{**APPS, "adopt_existing": True}])
    stack.up()
    assert_nothing_untracked(stack, control)
