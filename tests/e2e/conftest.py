"""End-to-end fixtures: the real Pulumi CLI, a local file backend, and the emulator.

Each test gets its own copy of the project (Pulumi.yaml and the program in stacks/) and its own stack;
the emulator is shared and reset between tests.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tcr_provider.emulator import Emulator

from ..support import Control

ROOT = Path(__file__).resolve().parents[2]
PASSPHRASE = "e2e-passphrase"


def find_cli() -> Path:
    """The directory of the Pulumi CLI: TCR_PULUMI_BIN (set by `make test`), else `pulumi` on PATH."""
    configured = os.environ.get("TCR_PULUMI_BIN")
    if configured and (Path(configured) / "pulumi").exists():
        return Path(configured)
    found = shutil.which("pulumi")
    if found:
        return Path(found).parent
    pytest.fail(
        "the Pulumi CLI is needed for the end-to-end tests and was not found: run `make test` (it builds the "
        "CLI with scripts/ensure-pulumi.sh), or set TCR_PULUMI_BIN to the directory that holds `pulumi`",
        pytrace=False,
    )


@pytest.fixture(scope="session")
def cli_dir() -> Path:
    return find_cli()


@pytest.fixture(scope="session")
def emulator() -> Iterator[Emulator]:
    with Emulator(create_seconds=0.3, delete_seconds=0.2, modify_seconds=0.2) as emu:
        yield emu


class Stack:
    """One stack of a fresh copy of the project, driven through the `pulumi` command line."""

    def __init__(self, project: Path, env: dict[str, str], name: str = "e2e") -> None:
        self.project = project
        self.env = env
        self.name = name
        self.events = 0
        self.transcript: list[str] = []  # everything the CLI printed, checked for leaked secrets

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            ["pulumi", *args, "--non-interactive", "--color", "never"],
            cwd=self.project,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if "--show-secrets" not in args:
            self.transcript += [result.stdout, result.stderr]
        if check and result.returncode != 0:
            raise AssertionError(
                f"pulumi {' '.join(args)} failed ({result.returncode})\n{result.stdout}\n{result.stderr}"
            )
        return result

    def configure(self, registries: list[dict[str, Any]], **config: Any) -> None:
        """Declare the registries in the stack file, as a user edits it (other config values stay)."""
        path = self.project / "stacks" / f"Pulumi.{self.name}.yaml"
        document = yaml.safe_load(path.read_text()) or {}
        document.setdefault("config", {}).update({"tcr-registries:registries": registries, **config})
        path.write_text(yaml.safe_dump(document, sort_keys=False))

    def up(self, *extra: str) -> list[dict[str, Any]]:
        """`pulumi up`; returns the engine's resource steps, in the order they started."""
        self.events += 1
        log = self.project / f"events-{self.events}.jsonl"
        self.run("up", "--yes", "--skip-preview", "--event-log", str(log), *extra)
        steps = []
        for line in log.read_text().splitlines():
            event = json.loads(line)
            pre = event.get("resourcePreEvent")
            if pre and pre["metadata"]["type"] == "pulumi-python:dynamic/tcr:Instance":
                steps.append({"op": pre["metadata"]["op"], "urn": pre["metadata"]["urn"]})
        return steps

    def outputs(self) -> dict[str, Any]:
        result: dict[str, Any] = json.loads(self.run("stack", "output", "--json").stdout)
        return result

    def export(self, *extra: str) -> str:
        return self.run("stack", "export", *extra).stdout

    def resources(self) -> list[dict[str, Any]]:
        deployment = json.loads(self.export("--show-secrets"))["deployment"]
        return [r for r in deployment.get("resources", []) if r["type"] == "pulumi-python:dynamic/tcr:Instance"]

    def tracked_ids(self) -> list[str]:
        return [r["id"] for r in self.resources()]


def assert_nothing_untracked(stack: Stack, control: Control) -> None:
    """The invariant after every scenario: each instance is in the stack's state once, and none is duplicated."""
    live = control.instances()
    names = [i["RegistryName"] for i in live]
    assert len(names) == len(set(names)), f"duplicated instances: {names}"
    assert sorted(i["RegistryId"] for i in live) == sorted(stack.tracked_ids())


def stack_env(base: Path, cli_dir: Path, emulator: Emulator) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TENCENTCLOUD_", "PULUMI_"))}
    (base / "state").mkdir()
    env.update(
        {
            "PATH": f"{cli_dir}{os.pathsep}{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
            "PULUMI_HOME": str(base / "pulumi-home"),
            "PULUMI_BACKEND_URL": f"file://{base / 'state'}",
            "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
            "PULUMI_SKIP_UPDATE_CHECK": "true",
            "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
            "PULUMI_PYTHON_CMD": sys.executable,
            "PULUMI_DEBUG_COMMANDS": "true",  # enables `--event-log`, which records the engine's steps in order
            "TENCENTCLOUD_ENDPOINT_URL": emulator.endpoint_url,
        }
    )
    return env


def new_stack(base: Path, cli_dir: Path, emulator: Emulator) -> Stack:
    """A fresh copy of the project with a new stack whose credentials come from the stack config."""
    project = base / "project"
    (project / "stacks").mkdir(parents=True)
    shutil.copy(ROOT / "Pulumi.yaml", project / "Pulumi.yaml")
    shutil.copy(ROOT / "stacks" / "__main__.py", project / "stacks" / "__main__.py")
    stack = Stack(project, stack_env(base, cli_dir, emulator))
    stack.run("stack", "init", stack.name)
    stack.run("config", "set", "tencentcloud:region", "ap-guangzhou")
    stack.run("config", "set", "--secret", "tencentcloud:secretId", emulator.secret_id)
    stack.run("config", "set", "--secret", "tencentcloud:secretKey", emulator.secret_key)
    return stack


def assert_no_secret_printed(stack: Stack, emulator: Emulator) -> None:
    printed = "".join(stack.transcript)
    assert emulator.secret_key not in printed, "the SecretKey appeared in the CLI's output"


@pytest.fixture
def stack(tmp_path: Path, cli_dir: Path, emulator: Emulator, control: Control) -> Iterator[Stack]:
    stack = new_stack(tmp_path, cli_dir, emulator)
    yield stack
    assert_no_secret_printed(stack, emulator)
