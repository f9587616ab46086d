"""The harness's helpers (tcr_provider.testing) under the names the test suites import them by, and the
readings of the emulator's answers that suites in several folders make."""

from __future__ import annotations

from typing import Any

from tcr_provider.ownership import OWNER_TAG_KEY
from tcr_provider.testing import EmulatorControl as Control
from tcr_provider.testing import configured_provider, provider_config, sdk_call

__all__ = ["Control", "configured_provider", "provider_config", "sdk_call", "user_tags"]


def user_tags(instance: dict[str, Any]) -> dict[str, str]:
    """An instance's tags as the API lists them, without the provider's ownership marker."""
    return {t["Key"]: t["Value"] for t in instance["TagSpecification"]["Tags"] if t["Key"] != OWNER_TAG_KEY}
