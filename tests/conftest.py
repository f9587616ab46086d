"""Fixtures shared by the suites. Each suite defines its own `emulator` (with the timings it needs)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tcr_provider.testing import EmulatorControl, PulumiNotFound, find_cli


@pytest.fixture(scope="session")
def cli_dir() -> Path:
    """The directory of the real Pulumi CLI, for the suites that drive it (e2e, acceptance)."""
    try:
        return find_cli()
    except PulumiNotFound as error:
        missing = str(error)
    # A failure, not a skip: CI must never pass without having run these tests.
    pytest.fail(f"these tests need the Pulumi CLI (`make test` builds it): {missing}", pytrace=False)


@pytest.fixture
def control(emulator: Any) -> Iterator[EmulatorControl]:
    """The emulator's control endpoints, with its state reset before and after the test."""
    control = EmulatorControl(emulator.endpoint_url)
    control.reset()
    yield control
    control.reset()
