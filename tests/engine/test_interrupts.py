"""Interrupts and the engine's lifetime, as the dynamic provider server (`python -m pulumi.dynamic`) sees them:
the engine's Cancel call, a SIGINT to the server's process, and an engine that disappears."""

from __future__ import annotations

import os
import signal
import stat
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import grpc
import pytest
from google.protobuf import empty_pb2

from tcr_provider import server_pool
from tcr_provider.emulator import Emulator
from tcr_provider.ownership import OWNER_PROPERTY, Owner
from tcr_provider.testing import EmulatorControl, wait_until
from tcr_provider.testing.processes import DYNAMIC_PROVIDER, alive, descendants

from .conftest import SERVER, dynamic_server

APPS = {"name": "team-apps", OWNER_PROPERTY: Owner.of("tests", "dev", "apps").to_property()}
# A stand-in for the CLI: it starts the provider (which prints its port to the stdout they share), then waits.
FAKE_ENGINE = "import subprocess, sys, time\nsubprocess.Popen(sys.argv[1:])\ntime.sleep(600)\n"


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    # A creation never finishes within a test: whatever ends a create's wait here is the interrupt.
    with Emulator(create_seconds=120, delete_seconds=0.2, modify_seconds=0.2, rate_limit=0) as emu:
        yield emu


def purchase(control: EmulatorControl) -> str:
    [instance] = wait_until(control.instances, timeout=30, what="the purchase")
    return str(instance["RegistryId"])


def assert_kept_and_named(failure: pytest.ExceptionInfo[grpc.RpcError], control: EmulatorControl, id_: str) -> None:
    """The create failed with the provider's own message, and the instance it bought is still being created."""
    assert failure.value.code() == grpc.StatusCode.UNKNOWN  # the provider's error, not a call dropped by the server
    details = str(failure.value.details())
    assert f"team-apps ({id_}) was bought, but the operation was interrupted before it was ready" in details
    assert "the next `pulumi up` takes it over" in details
    assert control.instance(id_)["Status"] != "Running"  # type: ignore[index]
    assert control.requests("DeleteInstance") == 0


def test_cancel_ends_a_create_wait_at_once_and_keeps_what_was_bought(
    emulator: Emulator, control: EmulatorControl, tmp_path: Path
) -> None:
    with dynamic_server(emulator, log=tmp_path / "stderr") as (process, engine), ThreadPoolExecutor(1) as pool:
        creating = pool.submit(engine.create, "apps", engine.checked("apps", {}, APPS))
        registry_id = purchase(control)
        cancelled = time.monotonic()
        engine.stub.Cancel(empty_pb2.Empty())
        with pytest.raises(grpc.RpcError) as failure:
            creating.result(timeout=30)
        assert time.monotonic() - cancelled < 3
        assert process.poll() is None  # Cancel ends the waits, not the server
    assert_kept_and_named(failure, control, registry_id)


def test_sigint_to_the_server_answers_the_create_before_the_server_stops(
    emulator: Emulator, control: EmulatorControl, tmp_path: Path
) -> None:
    with dynamic_server(emulator, log=tmp_path / "stderr") as (process, engine), ThreadPoolExecutor(1) as pool:
        creating = pool.submit(engine.create, "apps", engine.checked("apps", {}, APPS))
        registry_id = purchase(control)
        signalled = time.monotonic()
        process.send_signal(signal.SIGINT)
        with pytest.raises(grpc.RpcError) as failure:
            creating.result(timeout=30)
        assert time.monotonic() - signalled < 3
        assert process.wait(timeout=server_pool.INTERRUPT_GRACE_SECONDS + 5) == 0
    assert_kept_and_named(failure, control, registry_id)


def test_sigint_with_nothing_in_flight_stops_the_server_at_once(
    emulator: Emulator, control: EmulatorControl, tmp_path: Path
) -> None:
    # The CLI sends SIGINT to every plugin it shuts down, at the end of every run: no grace period then.
    with dynamic_server(emulator, log=tmp_path / "stderr") as (process, engine):
        engine.checked("apps", {}, APPS)  # unpickling the provider imports tcr_provider, which hooks the server
        signalled = time.monotonic()
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
        assert time.monotonic() - signalled < 2
    assert server_pool.__name__ not in (tmp_path / "stderr").read_text()


@pytest.mark.parametrize("launcher", [False, True], ids=["engine-is-the-parent", "through-the-cli-launcher"])
def test_the_provider_exits_once_its_engine_is_gone(
    emulator: Emulator, control: EmulatorControl, tmp_path: Path, launcher: bool
) -> None:
    provider_command: list[str] = list(SERVER)
    if launcher:
        # As the CLI starts a Python dynamic provider: a shell script, which stays the provider's parent.
        script = tmp_path / "pulumi-resource-pulumi-python"
        script.write_text(f'#!/bin/sh\n"{sys.executable}" -u -m pulumi.dynamic "$@"\n')
        script.chmod(script.stat().st_mode | stat.S_IXUSR)
        provider_command = [str(script)]
    command = [sys.executable, "-c", FAKE_ENGINE, *provider_command]
    with dynamic_server(emulator, command, log=tmp_path / "stderr") as (fake_engine, engine):
        [provider] = [pid for pid, line in descendants(fake_engine.pid).items() if DYNAMIC_PROVIDER in line]
        try:
            engine.checked("apps", {}, APPS)  # unpickling the provider imports tcr_provider: the watch starts
            # Alive as long as its engine is (a few rounds of the watch).
            time.sleep(4 * server_pool.ENGINE_CHECK_SECONDS)
            assert alive(provider)
            fake_engine.kill()
            fake_engine.wait()
            gone = time.monotonic()
            wait_until(lambda: not alive(provider), timeout=5, what="the orphaned provider to exit")
            assert time.monotonic() - gone < 5
        finally:
            if alive(provider):
                os.kill(provider, signal.SIGKILL)
