"""The harness's helpers (tcr_provider.testing) under the names the test suites import them by."""

from __future__ import annotations

from tcr_provider.testing import EmulatorControl as Control
from tcr_provider.testing import configured_provider, provider_config, sdk_call

__all__ = ["Control", "configured_provider", "provider_config", "sdk_call"]
