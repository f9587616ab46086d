"""The real `pulumi` CLI with its state in an S3-compatible bucket, as a team's CI runners share it.

The bucket is served by moto's server mode on 127.0.0.1 (README, "Shared state for a team", says why not
MinIO); the stack's lock is the diy backend's own, a lock object per running command in the bucket.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tcr_provider.emulator import Emulator
from tcr_provider.testing import EmulatorControl, Stack, pulumi_env, sdk_call, stop_process

from .conftest import PASSPHRASE, ROOT, assert_no_secret_printed, assert_nothing_untracked

pytestmark = pytest.mark.e2e

APPS = {"name": "e2e-shared", "instance_type": "standard", "tags": {"team": "apps"}, "deletion_protection": False}
REGION = "us-east-1"  # the AWS SDK insists on a region, even for a server that ignores it
LISTENING = re.compile(r"Running on (http://127\.0\.0\.1:\d+)")
LOCKED = "the stack is currently locked"
INSTALL = "run `.venv/bin/pip install -e '.[dev]'` (as `make test` does) to install moto[server]"


class ObjectStore:
    """moto's S3 in a process of its own, on a free port of 127.0.0.1, logging to `log`."""

    def __init__(self, log: Path) -> None:
        self.log = log
        self.endpoint_url = ""
        self._process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 30) -> None:
        if importlib.util.find_spec("moto") is None:
            pytest.fail(f"the shared-state tests need an S3-compatible server: {INSTALL}", pytrace=False)
        with self.log.open("wb") as log:
            # Port 0 lets the server pick a free port, which it then prints: no race for a port.
            self._process = subprocess.Popen(
                [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", "0"],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self._process.poll() is None:
            found = LISTENING.search(self.log.read_text(errors="replace"))
            if found and self._answers(found.group(1)):
                self.endpoint_url = found.group(1)
                return
            time.sleep(0.1)
        ended = self._process.poll()
        self.stop()
        why = f"exited with code {ended}" if ended is not None else f"did not answer within {timeout:g}s"
        pytest.fail(
            f"the S3-compatible server (moto) {why}; it printed:\n"
            f"{self.log.read_text(errors='replace')[-2000:]}\nIf moto or its server extra is missing, {INSTALL}.",
            pytrace=False,
        )

    @staticmethod
    def _answers(endpoint_url: str) -> bool:
        try:
            with urllib.request.urlopen(endpoint_url, timeout=2):
                return True
        except OSError:
            return False

    def client(self) -> Any:
        import boto3  # installed with moto[server]

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            region_name=REGION,
            aws_access_key_id="shared-state",
            aws_secret_access_key="shared-state-secret",
        )

    def backend_url(self, bucket: str) -> str:
        # Path style, because `<bucket>.127.0.0.1` does not resolve; the endpoint's own scheme says plain HTTP.
        # moto sends no CRC checksums back, which the AWS SDK would otherwise warn about on every read.
        return (
            f"s3://{bucket}?endpoint={self.endpoint_url}&region={REGION}&use_path_style=true"
            "&response_checksum_validation=when_required"
        )

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is not None:
            stop_process(process)


@pytest.fixture(scope="module")
def object_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ObjectStore]:
    store = ObjectStore(tmp_path_factory.mktemp("object-store") / "moto.log")
    store.start()
    yield store
    store.stop()


class SharedBackend:
    """A fresh bucket on the object store, and how to read it back."""

    def __init__(self, store: ObjectStore) -> None:
        self.store = store
        self.bucket = f"pulumi-state-{uuid.uuid4().hex[:8]}"
        self.s3 = store.client()
        self.s3.create_bucket(Bucket=self.bucket)
        self.url = store.backend_url(self.bucket)

    def objects(self, prefix: str = "") -> list[str]:
        pages = self.s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix)
        return [item["Key"] for page in pages for item in page.get("Contents", [])]

    def env(self, base: dict[str, str]) -> dict[str, str]:
        """`base` with its state in the bucket; the runner's own AWS settings (a profile, a role) left out."""
        kept = {k: v for k, v in base.items() if not k.startswith("AWS_")}
        return {
            **kept,
            "PULUMI_BACKEND_URL": self.url,
            "AWS_ACCESS_KEY_ID": "shared-state",
            "AWS_SECRET_ACCESS_KEY": "shared-state-secret",
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            "AWS_EC2_METADATA_DISABLED": "true",
        }


@pytest.fixture
def backend(object_store: ObjectStore) -> SharedBackend:
    return SharedBackend(object_store)


@pytest.fixture
def shared_stack(
    tmp_path: Path, cli_dir: Path, emulator: Emulator, control: EmulatorControl, backend: SharedBackend
) -> Iterator[Stack]:
    """A fresh copy of the project whose stack lives in the bucket, with credentials in the stack config."""
    project = tmp_path / "project"
    (project / "stacks").mkdir(parents=True)
    (project / "Pulumi.yaml").write_bytes((ROOT / "Pulumi.yaml").read_bytes())
    (project / "stacks" / "__main__.py").write_bytes((ROOT / "stacks" / "__main__.py").read_bytes())
    env = backend.env(pulumi_env(cli_dir, tmp_path, emulator.endpoint_url, passphrase=PASSPHRASE))
    stack = Stack(project, env, "e2e")
    stack.init()
    stack.run("config", "set", "tencentcloud:region", "ap-guangzhou")
    stack.run("config", "set", "--secret", "tencentcloud:secretId", emulator.secret_id)
    stack.run("config", "set", "--secret", "tencentcloud:secretKey", emulator.secret_key)
    yield stack
    assert_no_secret_printed(stack, emulator)


def state_key(stack: Stack) -> str:
    return f".pulumi/stacks/tcr-registries/{stack.name}.json"


def test_up_drift_and_destroy_keep_the_state_in_the_bucket(
    shared_stack: Stack, backend: SharedBackend, control: EmulatorControl, emulator: Emulator, tmp_path: Path
) -> None:
    stack = shared_stack
    stack.configure(registries=[APPS])
    stack.up()
    [instance] = control.instances()
    assert stack.tracked_ids() == [instance["RegistryId"]]
    assert state_key(stack) in backend.objects()
    assert list((tmp_path / "state").iterdir()) == []  # nothing fell back to the local file backend

    stack.run("refresh", "--preview-only", "--expect-no-changes")
    resource = f"qcs::tcr:ap-guangzhou:uin/:instance/{instance['RegistryId']}"
    sdk_call(
        emulator,
        "tag",
        "ModifyResourceTags",
        {"Resource": resource, "ReplaceTags": [{"TagKey": "team", "TagValue": "someone-else"}]},
    )
    drift = stack.run("refresh", "--preview-only", "--expect-no-changes", "--diff", check=False)
    assert drift.returncode != 0
    assert "someone-else" in drift.stdout

    stack.run("destroy", "--yes", "--skip-preview")
    assert control.instances() == []
    assert stack.resources() == []
    assert backend.objects(".pulumi/locks/") == []


def test_two_concurrent_ups_of_one_stack_neither_lose_nor_duplicate_a_registry(
    shared_stack: Stack, backend: SharedBackend, control: EmulatorControl
) -> None:
    stack = shared_stack
    stack.configure(registries=[APPS])
    # A slow purchase keeps the winner's lock held well past the moment the other command asks for it.
    control.fault({"action": "CreateInstance", "delay_seconds": 3, "count": 2})
    command = ["pulumi", "up", "--yes", "--skip-preview", "--stack", stack.name, "--non-interactive"]
    processes = [
        subprocess.Popen(
            [*command, "--color", "never"],
            cwd=stack.project,
            env=stack.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [process.communicate(timeout=stack.timeout)[0] for process in processes]
    stack.transcript += outputs
    failed = [out for process, out in zip(processes, outputs, strict=True) if process.returncode != 0]

    # The diy lock never waits: whoever finds another command's lock object fails at once. In a dead heat
    # both can find each other's and both fail; neither ever proceeds alongside the other.
    assert failed, f"both commands ran the update together:\n{outputs[0]}\n{outputs[1]}"
    for out in failed:
        assert LOCKED in out and "pulumi cancel" in out, out
    assert backend.objects(".pulumi/locks/") == []
    assert_nothing_untracked(stack, control)
    assert control.requests("CreateInstance") == 2 - len(failed)

    # Whatever the race left, the next `up` converges on exactly the declared registry.
    stack.up()
    assert [i["RegistryName"] for i in control.instances()] == [APPS["name"]]
    assert_nothing_untracked(stack, control)
