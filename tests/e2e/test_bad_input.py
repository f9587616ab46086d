"""Bad input is rejected at `pulumi preview`, naming the field and the fix, with no CreateInstance call.

One stack serves every case: each case rewrites the stack's registry list and runs a preview.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tcr_provider.emulator import Emulator
from tcr_provider.resources.common import TAG_VALUE_MAX_LENGTH
from tcr_provider.resources.instance.args import MAX_TAGS, NAME_MAX_LENGTH, NAME_MIN_LENGTH
from tcr_provider.testing import EmulatorControl, Stack, buy_out_of_band

from .conftest import assert_no_secret_printed, new_stack

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def preview_stack(tmp_path_factory: pytest.TempPathFactory, cli_dir: Path, emulator: Emulator) -> Iterator[Stack]:
    stack = new_stack(tmp_path_factory.mktemp("bad-input"), cli_dir, emulator)
    yield stack
    assert_no_secret_printed(stack, emulator)


CASES: list[tuple[str, dict[str, Any], str, str]] = [
    ("upper case", {"name": "Team-Apps"}, "name", "lower-case"),
    ("underscore", {"name": "team_apps"}, "name", "lower-case"),
    ("leading hyphen", {"name": "-team-apps"}, "name", "starting and ending"),
    ("trailing hyphen", {"name": "team-apps-"}, "name", "starting and ending"),
    ("too short", {"name": "a" * (NAME_MIN_LENGTH - 1)}, "name", f"{NAME_MIN_LENGTH} to {NAME_MAX_LENGTH}"),
    ("too long", {"name": "a" * (NAME_MAX_LENGTH + 1)}, "name", f"{NAME_MIN_LENGTH} to {NAME_MAX_LENGTH}"),
    ("reserved name", {"name": "harbor"}, "name", "reserved"),
    ("taken name", {"name": "taken-apps"}, "name", "adopt_existing=True"),
    ("unsupported region", {"name": "team-apps", "region": "us-east-1"}, "region", "ap-guangzhou"),
    ("unknown type", {"name": "team-apps", "instance_type": "enterprise"}, "instanceType", "premium"),
    (
        "eleven tags",
        {"name": "team-apps", "tags": {f"k{i}": "v" for i in range(MAX_TAGS + 1)}},
        "tags",
        f"at most {MAX_TAGS}",
    ),
    ("empty tag key", {"name": "team-apps", "tags": {"": "v"}}, "tags", "non-empty key"),
    ("reserved tag prefix", {"name": "team-apps", "tags": {"qcloud:owner": "v"}}, "tags", "choose another key"),
    (
        "over-long tag value",
        {"name": "team-apps", "tags": {"team": "x" * (TAG_VALUE_MAX_LENGTH + 1)}},
        "tags",
        f"at most {TAG_VALUE_MAX_LENGTH}",
    ),
    ("non-string tag value", {"name": "team-apps", "tags": {"replicas": 3}}, "tags", "valid string"),
    ("prepaid without period", {"name": "team-apps", "charge_type": "prepaid"}, "prepaidPeriod", "prepaid_period"),
    # What the API would refuse at `up` is refused at preview, and nothing is coerced into a purchase.
    ("tag value with #", {"name": "team-apps", "tags": {"team": "a#b"}}, "tags", "use only"),
    ("tag key with !", {"name": "team-apps", "tags": {"team!": "apps"}}, "tags", "use only"),
    ("tag value with an emoji", {"name": "team-apps", "tags": {"team": "ship\U0001f680"}}, "tags", "use only"),
    (
        "prepaid period true",
        {"name": "team-apps", "charge_type": "prepaid", "prepaid_period": True},
        "prepaidPeriod",
        "valid integer",
    ),
    ("yes for a bool", {"name": "team-apps", "deletion_protection": "yes"}, "deletionProtection", "valid boolean"),
    ("True for a bool", {"name": "team-apps", "deletion_protection": "True"}, "deletionProtection", "valid boolean"),
    ("1 for a bool", {"name": "team-apps", "deletion_protection": 1}, "deletionProtection", "valid boolean"),
]


@pytest.mark.parametrize(("declared", "field", "fix"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_fails_at_preview(
    preview_stack: Stack, control: EmulatorControl, emulator: Emulator, declared: dict[str, Any], field: str, fix: str
) -> None:
    if declared["name"] == "taken-apps":
        buy_out_of_band(emulator, "taken-apps")
    preview_stack.configure(registries=[declared])
    result = preview_stack.run("preview", check=False)
    assert result.returncode != 0
    printed = result.stdout + result.stderr
    assert f"property {field} value" in printed, printed
    assert f"{field}: " in printed and fix in printed, printed
    assert control.requests("CreateInstance") == (1 if declared["name"] == "taken-apps" else 0)
