"""Fixtures shared by the suites. Each suite defines its own `emulator` (with the timings it needs)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tcr_provider.testing import EmulatorControl


@pytest.fixture
def control(emulator: Any) -> Iterator[EmulatorControl]:
    """The emulator's control endpoints, with its state reset before and after the test."""
    control = EmulatorControl(emulator.endpoint_url)
    control.reset()
    yield control
    control.reset()
