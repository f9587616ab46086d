"""Interrupted, raced, refused: the provider recognises what it bought, refuses at preview what would get
stuck, and takes nothing over that it did not buy (docs/reliability.md)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from tcr_provider import InstanceProvider
from tcr_provider.errors import ApiError, ProtectedReplacement
from tcr_provider.fields import UNKNOWN
from tcr_provider.ownership import OWNER_PROPERTY, OWNER_TAG_KEY, Owner
from tcr_provider.testing import buy_out_of_band

from ..support import Control
from .conftest import Checked

STACK_A = Owner.of("tests", "stack-a", "apps")
STACK_B = Owner.of("tests", "stack-b", "apps")


def bought_by(emulator: Any, owner: Owner, name: str = "team-apps", **params: Any) -> str:
    """An instance bought out of band, carrying `owner`'s marker (as if that resource's run was interrupted)."""
    tags = {"ResourceType": "instance", "Tags": [{"Key": OWNER_TAG_KEY, "Value": owner.marker}]}
    return buy_out_of_band(emulator, name, TagSpecification=tags, **params)


def test_a_lost_answer_never_takes_over_an_instance_someone_else_bought_meanwhile(
    provider: InstanceProvider, checked: Checked, control: Control, emulator: Any
) -> None:
    inputs = checked(name="team-apps", **{OWNER_PROPERTY: STACK_A.to_property()})
    # Stack B buys the name while A's purchase is lost (a 502, not carried out): A's recovery finds B's
    # instance by name and must leave it alone.
    b_id = bought_by(emulator, STACK_B)
    control.fault({"action": "CreateInstance", "http_status": 502})
    with pytest.raises(ApiError) as failure:
        provider.create(inputs)
    assert failure.value.code == "InvalidParameter.ErrorNameExists"
    [instance] = control.instances()
    assert instance["RegistryId"] == b_id and control.requests("DeleteInstance") == 0


def test_the_next_up_takes_over_what_an_interrupted_run_of_the_same_resource_bought(
    provider: InstanceProvider, control: Control, emulator: Any, capfd: pytest.CaptureFixture[str]
) -> None:
    earlier = bought_by(emulator, STACK_A)
    result = provider.check({}, {"name": "team-apps", "tags": {"team": "apps"}, OWNER_PROPERTY: STACK_A.to_property()})
    assert result.failures == []
    created = provider.create(dict(result.inputs))
    assert created.id == earlier
    assert created.outs is not None and created.outs["tags"] == {"team": "apps"}
    assert "interrupted run of this resource" in capfd.readouterr().err
    assert len(control.instances()) == 1


def test_a_taken_name_puts_adopt_existing_first_and_warns_that_another_name_leaves_it_billed(
    provider: InstanceProvider, emulator: Any
) -> None:
    bought_by(emulator, STACK_B)
    result = provider.check({}, {"name": "team-apps", OWNER_PROPERTY: STACK_A.to_property()})
    [failure] = result.failures
    assert failure.property == "name"
    assert failure.reason.index("adopt_existing=True") < failure.reason.index("billed")


def test_replacing_a_protected_instance_is_refused_at_preview(
    provider: InstanceProvider, checked: Checked, control: Control
) -> None:
    registry_id, outs = provider.create(checked(name="team-apps", deletionProtection=True)).id, None
    outs = provider.read(registry_id, {"region": "ap-guangzhou", "name": "team-apps"}).outs
    assert outs is not None
    for change in ({"name": "team-apps2"}, {"region": "ap-shanghai"}):
        with pytest.raises(ProtectedReplacement) as failure:
            provider.diff(registry_id, dict(outs), {**outs, **change})
        assert failure.value.replaced_by == tuple(change)
    assert provider.diff(registry_id, dict(outs), {**outs, "deletionProtection": False}).replaces == []
    assert control.requests("CreateInstance") == 1


def test_one_name_declared_by_two_resources_of_a_stack_is_refused_naming_both(provider: InstanceProvider) -> None:
    first = provider.check({}, {"name": "team-apps", OWNER_PROPERTY: Owner.of("p", "s", "apps").to_property()})
    second = provider.check({}, {"name": "team-apps", OWNER_PROPERTY: Owner.of("p", "s", "apps-2").to_property()})
    assert first.failures == []
    [failure] = second.failures
    assert failure.property == "name" and "'apps'" in failure.reason and "'apps-2'" in failure.reason


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("deletionProtection", "yes"),
        ("deletionProtection", "True"),
        ("deletionProtection", 1),
        ("enableCosMaz", 0),
        ("prepaidPeriod", True),
        ("prepaidPeriod", "12"),
        ("instanceType", 1),
    ],
)
def test_types_are_strict_and_nothing_is_coerced_into_a_purchase(
    provider: InstanceProvider, key: str, value: Any
) -> None:
    news = {"name": "team-apps", "chargeType": "prepaid", "prepaidPeriod": 1, key: value}
    assert [f.property for f in provider.check({}, news).failures] == [key]


def test_an_unknown_name_at_preview_shows_only_the_name_changing(provider: InstanceProvider, checked: Checked) -> None:
    outs = dict(provider.create(checked(name="team-apps")).outs or {})
    news = provider.check(outs, {"name": UNKNOWN, OWNER_PROPERTY: Owner.of("tests", "dev", "team-apps").to_property()})
    assert news.failures == []
    for key in ("deleteBucket", "instanceType", "tags", "renewFlag", "adoptExisting", "region"):
        assert key in news.inputs, f"{key} would show as removed"
    assert provider.diff(outs["registryId"], outs, dict(news.inputs)).replaces == ["name"]


def test_the_ownership_marker_is_neither_a_user_tag_nor_drift(
    provider: InstanceProvider, checked: Checked, control: Control
) -> None:
    created = provider.create(checked(name="team-apps", tags={"team": "apps"}))
    assert created.outs is not None
    read = provider.read(created.id, dict(created.outs))
    assert read.outs is not None and read.outs["tags"] == {"team": "apps"}
    assert provider.diff(created.id, dict(read.outs), dict(created.outs)).changes is False
    [failure] = provider.check({}, {"name": "team-apps2", "tags": {OWNER_TAG_KEY: "x"}}).failures
    assert failure.property == "tags"


def test_a_silent_api_is_given_up_on_within_the_call_budget_with_the_setting_named(
    make_provider: Callable[..., InstanceProvider], checked: Checked, control: Control
) -> None:
    created = make_provider().create(checked(name="team-apps"))
    provider = make_provider(**{"tcr:callTimeoutSeconds": "2"})
    control.fault({"action": "DescribeInstances", "delay_seconds": 4, "count": 5})
    started = time.monotonic()
    with pytest.raises(ApiError) as failure:
        provider.read(created.id, dict(created.outs or {}))
    assert time.monotonic() - started < 10
    assert failure.value.code == "ClientNetworkError" and "tcr:callTimeoutSeconds" in str(failure.value)


def test_long_retries_print_progress(
    make_provider: Callable[..., InstanceProvider],
    checked: Checked,
    control: Control,
    capfd: pytest.CaptureFixture[str],
) -> None:
    created = make_provider().create(checked(name="team-apps"))
    provider = make_provider(**{"tcr:callTimeoutSeconds": "30"})
    control.fault({"action": "DescribeInstances", "http_status": 503, "count": 5})
    read = provider.read(created.id, dict(created.outs or {}))
    assert read.outs is not None
    assert "DescribeInstances for" in capfd.readouterr().err
