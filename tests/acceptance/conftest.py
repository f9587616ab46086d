"""Where the acceptance suite runs, and the cleanup that runs whatever happens.

By default the suite starts an emulator of its own, so every `make test` runs the same code as a real run.
With TCR_ACCEPTANCE=1 (`make acceptance`) it runs against the Tencent Cloud account of TENCENTCLOUD_SECRET_ID
and TENCENTCLOUD_SECRET_KEY instead, and buys what it announces.
"""

from __future__ import annotations

import os
import secrets
import shutil
import string
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tcr_provider.emulator import Emulator
from tcr_provider.testing import REGION, Stack, pulumi_env

from .registry_api import RegistryApi, sweep
from .settings import MissingSettings, Target, acceptance_requested, cloud_target, emulator_target

PROJECT = Path(__file__).parent / "project"
NAME_ALPHABET = string.ascii_lowercase + string.digits
# A real creation takes minutes and the provider waits up to 20 of them; the emulator's take a fraction of a second.
COMMAND_TIMEOUT = {True: 1800.0, False: 120.0}
SWEEP_TIMEOUT = {True: 1200.0, False: 15.0}
SWEEP_INTERVAL = {True: 10.0, False: 0.1}

Say = Callable[[str], None]


class RunNames:
    """The instance names of one run: under a prefix of its own, each one recorded before anything is bought."""

    def __init__(self) -> None:
        self.prefix = "tcracc-" + "".join(secrets.choice(NAME_ALPHABET) for _ in range(8))
        self.issued: list[str] = []

    def new(self, role: str) -> str:
        name = f"{self.prefix}-{role}"
        self.issued.append(name)
        return name


@pytest.fixture(scope="session")
def target() -> Iterator[Target]:
    try:
        real = cloud_target(os.environ) if acceptance_requested(os.environ) else None
    except MissingSettings as error:
        missing = str(error)
    else:
        missing = ""
    if missing:
        # A failure, never a skip: a real-account run that did not happen must not look like one that passed.
        pytest.fail(missing, pytrace=False)
    if real is not None:
        yield real
        return
    with Emulator(create_seconds=0.3, delete_seconds=0.2, modify_seconds=0.2) as emu:
        yield emulator_target(emu.endpoint_url, emu.secret_id, emu.secret_key, REGION)


@pytest.fixture
def say(target: Target, capsys: pytest.CaptureFixture[str]) -> Say:
    def say(line: str) -> None:
        if target.real:
            # A real run spends money and minutes: what it buys and how far it got reach the terminal, even
            # without -s.
            with capsys.disabled():
                print(f"tcr acceptance: {line}", flush=True)
        else:
            print(line)

    return say


@pytest.fixture
def names() -> RunNames:
    return RunNames()


@pytest.fixture
def api(target: Target) -> RegistryApi:
    return RegistryApi(target)


@pytest.fixture
def stack(
    target: Target, cli_dir: Path, tmp_path: Path, names: RunNames, api: RegistryApi, say: Say
) -> Iterator[Stack]:
    project = tmp_path / "project"
    shutil.copytree(PROJECT, project, ignore=shutil.ignore_patterns("__pycache__"))
    env = pulumi_env(cli_dir, tmp_path, "", passphrase=secrets.token_urlsafe(16))
    # pulumi_env points the provider at an emulator; here the target alone says where the API is.
    del env["TENCENTCLOUD_ENDPOINT_URL"]
    env.update(target.provider_environment())
    stack = Stack(project, env, "acceptance", timeout=COMMAND_TIMEOUT[target.real])
    try:
        stack.init()
        yield stack
    finally:
        clean_up(stack, target, names, api, say)


def clean_up(stack: Stack, target: Target, names: RunNames, api: RegistryApi, say: Say) -> None:
    """`pulumi destroy`, then delete whatever still carries one of the run's exact names: never anything else."""
    try:
        destroyed = stack.run("destroy", "--yes", "--skip-preview", check=False)
        if destroyed.returncode != 0:
            say(f"cleanup: pulumi destroy failed, looking up this run's names:\n{destroyed.stdout}{destroyed.stderr}")
    finally:
        deleted = sweep(api, names.issued, timeout=SWEEP_TIMEOUT[target.real], interval=SWEEP_INTERVAL[target.real])
        if deleted:
            say(f"cleanup: deleted what pulumi destroy left behind: {', '.join(deleted)}")
        say(f"cleanup: no instance named {', '.join(names.issued) or 'by this run'} is left in {target.region}")
