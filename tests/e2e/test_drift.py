"""`tcr-drift` end to end: the real CLI, through the Automation API, against the emulator.

The stacks share one copy of the project (and one file backend); each test makes its own stacks there.
Every run of the command is checked for leaked secrets, and most for changing nothing but reads.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tcr_provider.emulator import Emulator
from tcr_provider.testing import (
    REGION,
    EmulatorControl,
    Stack,
    buy_out_of_band,
    delete_out_of_band,
    modify_out_of_band,
    pulumi_env,
    retag_out_of_band,
    sdk_call,
    wait_until,
)

from .conftest import PASSPHRASE, ROOT, assert_no_secret_printed

pytestmark = pytest.mark.e2e

SCHEMA = json.loads((ROOT / "docs" / "drift-report.schema.json").read_text())
TCR_DRIFT = str(Path(sys.executable).parent / "tcr-drift")
# API actions that only read: the emulator's request counts may grow only for these during a drift report.
READ_ACTIONS = ("Describe", "Check", "Get", "Head", "List")

APPS = {"name": "drift-apps", "instance_type": "standard", "tags": {"team": "apps"}, "deletion_protection": False}
ML = {"name": "drift-ml", "tags": {"team": "ml"}}


@dataclass
class Project:
    path: Path
    env: dict[str, str]
    state: Path


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory, cli_dir: Path, emulator: Emulator) -> Project:
    base = tmp_path_factory.mktemp("drift")
    path = base / "project"
    (path / "stacks").mkdir(parents=True)
    shutil.copy(ROOT / "Pulumi.yaml", path / "Pulumi.yaml")
    shutil.copy(ROOT / "stacks" / "__main__.py", path / "stacks" / "__main__.py")
    env = pulumi_env(cli_dir, base, emulator.endpoint_url, passphrase=PASSPHRASE)
    return Project(path, env, base / "state")


def make_stack(project: Project, emulator: Emulator, name: str, registries: list[dict[str, Any]]) -> Stack:
    """A stack of `registries` after `pulumi up`, its credentials in its config as secrets."""
    stack = Stack(project.path, project.env, name)
    stack.init(registries=registries)
    stack.run("config", "set", "tencentcloud:region", REGION)
    stack.run("config", "set", "--secret", "tencentcloud:secretId", emulator.secret_id)
    stack.run("config", "set", "--secret", "tencentcloud:secretKey", emulator.secret_key)
    stack.up()
    return stack


def registry_id(control: EmulatorControl, name: str) -> str:
    return str(next(i["RegistryId"] for i in control.instances() if i["RegistryName"] == name))


@dataclass
class DriftRun:
    returncode: int
    stdout: str
    stderr: str
    output: str  # what --output received

    @property
    def report(self) -> dict[str, Any]:
        report: dict[str, Any] = json.loads(self.output)
        jsonschema.validate(report, SCHEMA)
        return report

    def stack(self, name: str) -> dict[str, Any]:
        return next(s for s in self.report["stacks"] if s["stack"] == name)


def tcr_drift(
    project: Project, emulator: Emulator, *args: str, fmt: str = "json", command: tuple[str, ...] = (TCR_DRIFT,)
) -> DriftRun:
    """Run the command in the project directory, the report in a file; no secret may appear anywhere."""
    output = project.path.parent / "drift-report.out"
    output.unlink(missing_ok=True)
    result = subprocess.run(
        [*command, "--format", fmt, "--output", str(output), *args],
        cwd=project.path,
        env=project.env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    run = DriftRun(result.returncode, result.stdout, result.stderr, output.read_text() if output.exists() else "")
    for secret in (emulator.secret_key, emulator.secret_id):
        for name, text in (("stdout", run.stdout), ("stderr", run.stderr), ("report", run.output)):
            assert secret not in text, f"a credential appeared in the {name} of tcr-drift"
    return run


def _snapshot(directory: Path) -> dict[str, bytes]:
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


@contextmanager
def changes_nothing(project: Project, control: EmulatorControl) -> Iterator[None]:
    """The state files are byte-for-byte the same afterwards, and the API received only reads."""
    state, calls = _snapshot(project.state), control.request_counts()
    yield
    assert _snapshot(project.state) == state, "the state backend's files changed"
    grown = {action for action, count in control.request_counts().items() if count != calls.get(action, 0)}
    writes = {action for action in grown if not action.startswith(READ_ACTIONS)}
    assert not writes, f"tcr-drift called API actions that change things: {sorted(writes)}"
    assert "DescribeInstances" in grown, "tcr-drift did not read the registries"


def test_no_drift_exits_0_and_changes_nothing(project: Project, emulator: Emulator, control: EmulatorControl) -> None:
    stack = make_stack(project, emulator, "clean", [APPS, ML])
    stack.run("stack", "select")
    with changes_nothing(project, control):
        run = tcr_drift(project, emulator)  # no --stack: the selected one
    assert run.returncode == 0, run.stderr
    report = run.report
    assert report["result"] == "no-drift" and report["exitCode"] == 0
    [checked] = report["stacks"]
    assert checked["stack"] == "clean" and checked["project"] == "tcr-registries"
    assert checked["registries"] == 2 and checked["drift"] == [] and checked["health"] == []
    assert "clean in .: no drift" in run.stderr
    assert_no_secret_printed(stack, emulator)


def test_a_tag_changed_out_of_band_is_drift_with_state_and_live_values(
    project: Project, emulator: Emulator, control: EmulatorControl
) -> None:
    stack = make_stack(project, emulator, "tagged", [APPS, ML])
    apps = registry_id(control, "drift-apps")
    retag_out_of_band(emulator, apps, {"team": "someone-else", "added": "by-hand"})
    with changes_nothing(project, control):
        run = tcr_drift(project, emulator, "--stack", "tagged")
    assert run.returncode == 2, run.stderr
    report = run.report
    assert report["result"] == "drift" and report["summary"]["resourcesDrifted"] == 1
    [drift] = run.stack("tagged")["drift"]
    assert (drift["resource"], drift["registryId"], drift["change"]) == ("drift-apps", apps, "changed")
    assert drift["type"] == "pulumi-python:dynamic/tcr:Instance"
    assert drift["fields"] == [
        {
            "field": "tags",
            "state": {"team": "apps"},
            "live": {"team": "someone-else", "added": "by-hand"},
            "secret": False,
        }
    ]
    assert_no_secret_printed(stack, emulator)


def test_a_type_changed_out_of_band_is_reported_as_text(
    project: Project, emulator: Emulator, control: EmulatorControl
) -> None:
    make_stack(project, emulator, "retyped", [APPS])
    apps = registry_id(control, "drift-apps")
    modify_out_of_band(emulator, apps, RegistryType="premium")
    with changes_nothing(project, control):
        run = tcr_drift(project, emulator, "--stack", "retyped", fmt="text")
    assert run.returncode == 2, run.stderr
    assert f"drift-apps ({apps}): changed" in run.output
    assert 'instanceType: "standard" (state) -> "premium" (live)' in run.output
    assert "tags" not in run.output


def test_a_registry_deleted_out_of_band_is_reported_and_stays_in_the_state(
    project: Project, emulator: Emulator, control: EmulatorControl
) -> None:
    stack = make_stack(project, emulator, "deleted", [APPS, ML])
    ml = registry_id(control, "drift-ml")
    delete_out_of_band(emulator, ml)
    with changes_nothing(project, control):
        run = tcr_drift(project, emulator, "--stack", "deleted", fmt="markdown")
    assert run.returncode == 2, run.stderr
    assert f"| drift-ml | `{ml}` | | deleted out of band | |" in run.output
    assert "drift-apps" not in run.output.split("### deleted", 1)[1]
    assert ml in stack.tracked_ids()


def test_two_stacks_at_once_each_with_its_own_result(
    project: Project, emulator: Emulator, control: EmulatorControl
) -> None:
    make_stack(project, emulator, "first", [APPS])
    second = make_stack(project, emulator, "second", [ML])
    second.run("stack", "select")
    apps = registry_id(control, "drift-apps")
    modify_out_of_band(emulator, apps, RegistryType="basic")
    with changes_nothing(project, control):
        run = tcr_drift(project, emulator, "--stack", "first", "--stack", "second", "--parallel", "2")
    assert run.returncode == 2, run.stderr
    assert [(s["stack"], s["result"]) for s in run.report["stacks"]] == [("first", "drift"), ("second", "no-drift")]
    [drift] = run.stack("first")["drift"]
    assert drift["fields"] == [{"field": "instanceType", "state": "standard", "live": "basic", "secret": False}]
    for name in ("first", "second"):
        assert f"{name} in .: refreshing" in run.stderr
    assert "second in .: no drift" in run.stderr
    # Checking a stack leaves the user's selected stack as it was.
    assert second.run("stack", "--show-name").stdout.strip() == "second"


def test_a_stack_that_cannot_be_found_is_named_and_exits_1(
    project: Project, emulator: Emulator, control: EmulatorControl
) -> None:
    make_stack(project, emulator, "listed", [APPS])
    other = project.path.parent / "other-project"
    other.mkdir(exist_ok=True)
    shutil.copy(project.path / "Pulumi.yaml", other / "Pulumi.yaml")
    Stack(other, project.env, "empty").init()
    # Relative project directories are taken from the stacks file's own directory, not the working one.
    stacks_file = project.path.parent / "stacks.txt"
    stacks_file.write_text(
        "# project directory, then its stacks\nproject listed no-such-stack\n\nother-project empty\n"
    )
    run = tcr_drift(project, emulator, "--stacks-file", str(stacks_file))
    assert run.returncode == 1, run.stderr
    results = [(Path(s["projectDir"]).name, s["stack"], s["result"]) for s in run.report["stacks"]]
    assert results == [
        ("project", "listed", "no-drift"),
        ("project", "no-such-stack", "error"),
        ("other-project", "empty", "no-drift"),
    ]
    assert "no stack named 'no-such-stack'" in run.stack("no-such-stack")["error"]
    assert run.report["summary"]["stacksFailed"] == 1


def test_an_api_failure_is_named_per_stack_and_exits_1(
    project: Project, emulator: Emulator, control: EmulatorControl
) -> None:
    make_stack(project, emulator, "refused", [APPS])
    control.fault({"action": "DescribeInstances", "error": "AuthFailure.SignatureFailure", "count": 100})
    with changes_nothing(project, control):
        run = tcr_drift(project, emulator, "--stack", "refused", fmt="text")
    assert run.returncode == 1, run.stderr
    assert "stack refused (.): could not tell" in run.output
    assert "AuthFailure.SignatureFailure" in run.output
    assert "Traceback" not in run.output


def test_a_registry_that_is_not_running_is_a_health_finding(
    project: Project, emulator: Emulator, control: EmulatorControl, tmp_path: Path
) -> None:
    stack = make_stack(project, emulator, "isolated", [APPS])
    old = registry_id(control, "drift-apps")
    # The emulator cannot move a Running instance to another status, so the stack's registry is swapped for
    # one that settled in Isolate (same name, type and tags), as if its account had fallen into arrears.
    delete_out_of_band(emulator, old)
    control.fault({"action": "CreateInstance", "final_status": "Isolate"})
    new = buy_out_of_band(
        emulator,
        "drift-apps",
        RegistryType="standard",
        TagSpecification={"ResourceType": "instance", "Tags": [{"Key": "team", "Value": "apps"}]},
    )
    wait_until(lambda: control.instance(new)["Status"] == "Isolate", what="the instance to settle in Isolate")
    deployment = tmp_path / "deployment.json"
    deployment.write_text(stack.export().replace(old, new))
    stack.run("stack", "import", "--file", str(deployment))

    # Pulumi alone sees nothing wrong: a refresh would record the new status silently.
    stack.run("refresh", "--preview-only", "--expect-no-changes")
    with changes_nothing(project, control):
        run = tcr_drift(project, emulator, "--stack", "isolated")
    assert run.returncode == 2, run.stderr
    checked = run.stack("isolated")
    assert checked["drift"] == []
    assert [(h["resource"], h["registryId"], h["status"]) for h in checked["health"]] == [
        ("drift-apps", new, "Isolate")
    ]
    assert run.report["summary"]["registriesNotRunning"] == 1


PROGRAM_WITH_SECRET_TAGS = '''"""One registry whose tags are a secret of the stack's config."""

import pulumi

from tcr_provider import Instance, InstanceArgs

config = pulumi.Config()
Instance("vault", InstanceArgs(name=config.require("name"), tags=config.require_secret_object("tags")))
'''


def test_secret_values_never_appear_in_any_format(
    tmp_path: Path, cli_dir: Path, emulator: Emulator, control: EmulatorControl
) -> None:
    path = tmp_path / "project"
    (path / "stacks").mkdir(parents=True)
    shutil.copy(ROOT / "Pulumi.yaml", path / "Pulumi.yaml")
    (path / "stacks" / "__main__.py").write_text(PROGRAM_WITH_SECRET_TAGS)
    project = Project(
        path, pulumi_env(cli_dir, tmp_path, emulator.endpoint_url, passphrase=PASSPHRASE), tmp_path / "state"
    )
    stack = Stack(path, project.env, "secret")
    stack.init(name="drift-vault")
    stack.run("config", "set", "tencentcloud:region", REGION)
    stack.run("config", "set", "--secret", "tencentcloud:secretId", emulator.secret_id)
    stack.run("config", "set", "--secret", "tencentcloud:secretKey", emulator.secret_key)
    stack.run("config", "set", "--secret", "--path", "tags.owner", "hidden-owner")
    stack.up()
    vault = registry_id(control, "drift-vault")
    retag_out_of_band(emulator, vault, {"owner": "hidden-new-owner"})

    for fmt in ("json", "text", "markdown"):
        run = tcr_drift(project, emulator, "--stack", "secret", fmt=fmt)
        assert run.returncode == 2, run.stderr
        for text in (run.stdout, run.stderr, run.output):
            assert "hidden" not in text, f"a secret tag value appeared in the {fmt} report"
        assert "[secret]" in run.output
        if fmt == "json":
            [drift] = run.stack("secret")["drift"]
            assert drift["fields"] == [{"field": "tags", "state": "[secret]", "live": "[secret]", "secret": True}]
    assert_no_secret_printed(stack, emulator)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--parallel", "0"), "--parallel must be at least 1"),
        (("--format", "yaml"), "invalid choice"),
        (("--stacks-file", "missing.txt"), "cannot read the stacks file"),
    ],
)
def test_usage_errors_exit_1(project: Project, emulator: Emulator, args: tuple[str, ...], message: str) -> None:
    run = tcr_drift(project, emulator, *args, command=(sys.executable, "-m", "tcr_provider.drift"))
    assert run.returncode == 1
    assert message in run.stderr
    assert run.output == ""


def test_both_entry_points_answer_help(project: Project) -> None:
    for command in ([TCR_DRIFT], [sys.executable, "-m", "tcr_provider.drift"]):
        result = subprocess.run([*command, "--help"], env=project.env, capture_output=True, text=True, timeout=60)
        assert result.returncode == 0
        assert "--stacks-file FILE" in result.stdout and "--format {text,json,markdown}" in result.stdout


def test_drift_of_a_registrys_parts_names_their_registry_and_never_shows_the_token(
    project: Project, emulator: Emulator, control: EmulatorControl
) -> None:
    stack = Stack(project.path, project.env, "parts")
    stack.init(
        registries=[{**ML, "key": "ml"}],
        namespaces=[{"registry": "ml", "key": "ml-models", "name": "models"}],
        accessTokens=[{"registry": "ml", "key": "ml-pull", "description": "pull"}],
    )
    stack.run("config", "set", "tencentcloud:region", REGION)
    stack.run("config", "set", "--secret", "tencentcloud:secretId", emulator.secret_id)
    stack.run("config", "set", "--secret", "tencentcloud:secretKey", emulator.secret_key)
    stack.up()
    ml = registry_id(control, "drift-ml")
    token = json.loads(stack.run("stack", "output", "--json", "--show-secrets").stdout)["ml-pull"]["token"]
    sdk_call(emulator, "tcr", "ModifyNamespace", {"RegistryId": ml, "NamespaceName": "models", "IsPublic": True})
    with changes_nothing(project, control):
        run = tcr_drift(project, emulator, "--stack", "parts")
    assert run.returncode == 2, run.stderr
    [drift] = run.stack("parts")["drift"]
    assert (drift["resource"], drift["registryId"], drift["change"]) == ("ml-models", ml, "changed")
    assert drift["type"] == "pulumi-python:dynamic/tcr:Namespace"
    assert drift["fields"] == [{"field": "isPublic", "state": False, "live": True, "secret": False}]
    assert token not in run.output + run.stdout + run.stderr
