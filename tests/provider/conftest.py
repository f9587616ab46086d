from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tcr_provider import InstanceProvider, server_pool
from tcr_provider.emulator import Emulator
from tcr_provider.ownership import OWNER_PROPERTY, Owner
from tcr_provider.testing import wait_until

from ..support import Control, configured_provider, provider_config

# The `checked` fixture: inputs for a new instance, as check() returns them, from its properties.
Checked = Callable[..., dict[str, Any]]


@pytest.fixture(scope="session")
def emulator() -> Iterator[Emulator]:
    with Emulator(create_seconds=0.3, delete_seconds=0.2, modify_seconds=0.2, rate_limit=0) as emu:
        yield emu


@pytest.fixture
def make_provider(emulator: Emulator, control: Control) -> Callable[..., InstanceProvider]:
    def make(**extra: str) -> InstanceProvider:
        return configured_provider(provider_config(emulator, **extra))

    return make


@pytest.fixture
def provider(make_provider: Callable[..., InstanceProvider]) -> InstanceProvider:
    return make_provider()


@pytest.fixture
def checked(provider: InstanceProvider) -> Checked:
    """Inputs as check() returns them for a new instance: what create() receives from the engine."""

    def check(**props: Any) -> dict[str, Any]:
        # As an Instance of the program passes it: the ownership marker of a resource named after the registry.
        props.setdefault(OWNER_PROPERTY, Owner.of("tests", "dev", str(props.get("name"))).to_property())
        result = provider.check({}, props)
        assert result.failures == [], [f.reason for f in result.failures]
        return dict(result.inputs)

    return check


def create_instance(provider: InstanceProvider, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """Create the instance through the provider, as the engine does: its registry id and outputs."""
    result = provider.create(inputs)
    assert result.outs is not None
    return result.id, dict(result.outs)


@pytest.fixture
def interrupt() -> Iterator[threading.Event]:
    """The provider's process-wide interrupt, cleared after the test (in the server it is never cleared).

    A module whose tests interrupt the provider uses it for every test: `pytestmark = usefixtures("interrupt")`.
    """
    server_pool.INTERRUPTED.clear()
    yield server_pool.INTERRUPTED
    server_pool.INTERRUPTED.clear()


def interrupt_when(condition: Callable[[], object], event: threading.Event) -> threading.Thread:
    """Set `event` as soon as `condition` holds, from another thread (as the gRPC Cancel call does)."""

    def run() -> None:
        wait_until(condition, timeout=30)
        event.set()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread
