"""Fixtures shared by the suites. Each suite defines its own `emulator` (with the timings it needs)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from .support import Control


@pytest.fixture
def control(emulator: Any) -> Iterator[Control]:
    """The emulator's control endpoints, with its state reset before and after the test."""
    control = Control(emulator.endpoint_url)
    control.reset()
    yield control
    control.reset()
