"""Ways out of a half-finished or refused `up`, through the real CLI: two stacks racing for one name, a
protected instance a change would replace, one name declared twice, and an API that never answers."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from tcr_provider.emulator import Emulator
from tcr_provider.ownership import OWNER_TAG_KEY, Owner
from tcr_provider.testing import EmulatorControl, Stack, pulumi_env, wait_until

from .conftest import PASSPHRASE, ROOT, assert_nothing_untracked

pytestmark = pytest.mark.e2e

APPS = {"name": "e2e-refusals", "key": "apps"}


def stack_named(base: Path, cli_dir: Path, emulator: Emulator, name: str) -> Stack:
    """A stack of its own project copy and backend, as another team's checkout would be."""
    project = base / name
    (project / "stacks").mkdir(parents=True)
    shutil.copy(ROOT / "Pulumi.yaml", project / "Pulumi.yaml")
    shutil.copy(ROOT / "stacks" / "__main__.py", project / "stacks" / "__main__.py")
    stack = Stack(
        project, pulumi_env(cli_dir, base / f"{name}-home", emulator.endpoint_url, passphrase=PASSPHRASE), name
    )
    stack.init()
    stack.run("config", "set", "tencentcloud:region", "ap-guangzhou")
    stack.run("config", "set", "--secret", "tencentcloud:secretId", emulator.secret_id)
    stack.run("config", "set", "--secret", "tencentcloud:secretKey", emulator.secret_key)
    return stack


def owner_tag(instance: dict[str, Any]) -> str | None:
    return next((t["Value"] for t in instance["TagSpecification"]["Tags"] if t["Key"] == OWNER_TAG_KEY), None)


def test_a_lost_answer_never_takes_over_the_registry_another_stack_bought_meanwhile(
    tmp_path: Path, cli_dir: Path, emulator: Emulator, control: EmulatorControl
) -> None:
    a = stack_named(tmp_path, cli_dir, emulator, "team-a")
    b = stack_named(tmp_path, cli_dir, emulator, "team-b")
    for stack in (a, b):
        stack.configure(registries=[APPS])
    # A's purchase is answered 502 without being carried out; its lookup for what the call may have bought
    # is held back, and in that time B buys the name.
    control.fault({"action": "CreateInstance", "http_status": 502})
    control.fault({"action": "DescribeInstances", "delay_seconds": 20})
    command = ["pulumi", "up", "--yes", "--skip-preview", "--stack", a.name, "--non-interactive", "--color", "never"]
    racing = subprocess.Popen(
        command, cwd=a.project, env=a.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        wait_until(lambda: control.requests("CreateInstance") == 1, timeout=60, what="A's purchase to be answered 502")
        b.up()
        a_output, _ = racing.communicate(timeout=120)
    finally:
        if racing.poll() is None:
            racing.kill()
    a.transcript.append(a_output)

    assert racing.returncode != 0, a_output
    assert "ErrorNameExists" in a_output and "adopt_existing=True" in a_output, a_output
    (instance,) = control.instances()
    assert owner_tag(instance) == Owner.of("tcr-registries", "team-b", "apps").marker
    assert a.tracked_ids() == [] and b.tracked_ids() == [instance["RegistryId"]]
    assert_nothing_untracked(b, control)
    a.run("destroy", "--yes", "--skip-preview")
    assert control.instance(instance["RegistryId"]) is not None, "destroying A deleted B's registry"
    b.run("preview", "--expect-no-changes")


@pytest.mark.parametrize("change", [{"name": "e2e-refusals-new"}, {"region": "ap-shanghai"}], ids=["rename", "region"])
def test_replacing_a_protected_registry_is_refused_at_preview_and_done_in_two_ups(
    tmp_path: Path, cli_dir: Path, emulator: Emulator, control: EmulatorControl, change: dict[str, str]
) -> None:
    stack = stack_named(tmp_path, cli_dir, emulator, "protected")
    stack.configure(registries=[{**APPS, "deletion_protection": True}])
    stack.up()
    registry_id = stack.tracked_ids()[0]
    stack.configure(registries=[{**APPS, "deletion_protection": True, **change}])
    refused = stack.run("preview", check=False)
    assert refused.returncode != 0
    printed = refused.stdout + refused.stderr
    assert "deletion protection on" in printed and "Turn protection off first" in printed, printed
    assert "second `pulumi up`" in printed
    assert control.requests("CreateInstance") == 1 and stack.tracked_ids() == [registry_id]

    stack.configure(registries=[{**APPS, "deletion_protection": False}])
    stack.up()
    stack.configure(registries=[{**APPS, "deletion_protection": False, **change}])
    stack.up()
    (instance,) = control.instances()
    assert instance["RegistryId"] != registry_id
    assert_nothing_untracked(stack, control)


def test_one_name_declared_twice_in_a_stack_is_refused_at_preview_naming_both(
    tmp_path: Path, cli_dir: Path, emulator: Emulator, control: EmulatorControl
) -> None:
    stack = stack_named(tmp_path, cli_dir, emulator, "twice")
    stack.configure(registries=[{**APPS, "key": "first"}, {**APPS, "key": "second"}])
    refused = stack.run("preview", check=False)
    assert refused.returncode != 0
    printed = refused.stdout + refused.stderr
    assert "declared by two resources of this stack" in printed and "'first'" in printed and "'second'" in printed
    assert control.requests("CreateInstance") == 0


def test_an_api_that_never_answers_is_given_up_on_within_the_call_budget(
    tmp_path: Path, cli_dir: Path, emulator: Emulator, control: EmulatorControl
) -> None:
    stack = stack_named(tmp_path, cli_dir, emulator, "silent")
    stack.configure(registries=[APPS])
    # Set before the `up`: a refresh configures the provider with the settings the last `up` recorded.
    stack.run("config", "set", "tcr:callTimeoutSeconds", "3")
    stack.up()
    control.fault({"action": "DescribeInstances", "delay_seconds": 60, "count": 50})
    started = time.monotonic()
    refresh = stack.run("refresh", "--yes", "--skip-preview", check=False)
    seconds = time.monotonic() - started
    printed = refresh.stdout + refresh.stderr
    assert refresh.returncode != 0
    assert "tcr:callTimeoutSeconds is 3" in printed and "gave up after" in printed, printed
    assert "DescribeInstances" in printed
    # Recorded for the reliability table, which states the bound: the call budget plus the CLI's own start.
    print(f"refresh against a silent API ended after {seconds:.1f}s")
    # Nothing was lost to the failed refresh: the registry is still there, and still in the state.
    assert [i["RegistryId"] for i in control.instances()] == stack.tracked_ids() != []
