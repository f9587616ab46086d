from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tcr_provider import InstanceProvider
from tcr_provider.emulator import Emulator
from tcr_provider.ownership import OWNER_PROPERTY, Owner

from ..support import Control, configured_provider, provider_config


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
def checked(provider: InstanceProvider) -> Callable[..., dict[str, Any]]:
    """Inputs as check() returns them for a new instance: what create() receives from the engine."""

    def check(**props: Any) -> dict[str, Any]:
        # As an Instance of the program passes it: the ownership marker of a resource named after the registry.
        props.setdefault(OWNER_PROPERTY, Owner.of("tests", "dev", str(props.get("name"))).to_property())
        result = provider.check({}, props)
        assert result.failures == [], [f.reason for f in result.failures]
        return dict(result.inputs)

    return check
