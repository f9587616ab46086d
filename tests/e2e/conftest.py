"""End-to-end fixtures: the real Pulumi CLI, a local file backend, and the emulator.

Each test gets its own copy of the project (Pulumi.yaml and the program in stacks/) and its own stack;
the emulator is shared and reset between tests.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tcr_provider.emulator import Emulator
from tcr_provider.testing import EmulatorControl, Stack, pulumi_env

ROOT = Path(__file__).resolve().parents[2]
PASSPHRASE = "e2e-passphrase"


@pytest.fixture(scope="session")
def emulator() -> Iterator[Emulator]:
    with Emulator(create_seconds=0.3, delete_seconds=0.2, modify_seconds=0.2) as emu:
        yield emu


def assert_nothing_untracked(stack: Stack, control: EmulatorControl) -> None:
    """The invariant after every scenario: each instance is in the stack's state once, and none is duplicated."""
    live = control.instances()
    names = [i["RegistryName"] for i in live]
    assert len(names) == len(set(names)), f"duplicated instances: {names}"
    assert sorted(i["RegistryId"] for i in live) == sorted(stack.tracked_ids())


def new_stack(base: Path, cli_dir: Path, emulator: Emulator) -> Stack:
    """A fresh copy of the project with a new stack whose credentials come from the stack config."""
    project = base / "project"
    (project / "stacks").mkdir(parents=True)
    shutil.copy(ROOT / "Pulumi.yaml", project / "Pulumi.yaml")
    shutil.copy(ROOT / "stacks" / "__main__.py", project / "stacks" / "__main__.py")
    stack = Stack(project, pulumi_env(cli_dir, base, emulator.endpoint_url, passphrase=PASSPHRASE), "e2e")
    stack.init()
    stack.run("config", "set", "tencentcloud:region", "ap-guangzhou")
    stack.run("config", "set", "--secret", "tencentcloud:secretId", emulator.secret_id)
    stack.run("config", "set", "--secret", "tencentcloud:secretKey", emulator.secret_key)
    return stack


def assert_no_secret_printed(stack: Stack, emulator: Emulator) -> None:
    printed = "".join(stack.transcript)
    assert emulator.secret_key not in printed, "the SecretKey appeared in the CLI's output"


@pytest.fixture
def stack(tmp_path: Path, cli_dir: Path, emulator: Emulator, control: EmulatorControl) -> Iterator[Stack]:
    stack = new_stack(tmp_path, cli_dir, emulator)
    yield stack
    assert_no_secret_printed(stack, emulator)
