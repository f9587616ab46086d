"""Validation rules of the Instance inputs: each rule names the field and the fix."""

from __future__ import annotations

from typing import Any

import pytest

from tcr_provider.fields import UNKNOWN, Change
from tcr_provider.resources.common import RESERVED_TAG_KEY_PREFIXES, TAG_VALUE_MAX_LENGTH
from tcr_provider.resources.instance.args import INSTANCE, MAX_TAGS, NAME_MAX_LENGTH, NAME_MIN_LENGTH

INPUT_KEYS = INSTANCE.keys
effective = INSTANCE.effective


def props(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"name": "team-registry", "region": "ap-guangzhou"}
    base.update(overrides)
    return base


def failure_of(values: dict[str, Any]) -> tuple[str, str]:
    spec, failures = INSTANCE.validate(values)
    assert spec is None
    assert len(failures) == 1, failures
    return failures[0].property, failures[0].reason


def test_valid_inputs_resolve_every_default() -> None:
    spec, failures = INSTANCE.validate(props())
    assert failures == []
    assert spec is not None
    state = spec.state()
    assert state["instanceType"] == "basic"
    assert state["tags"] == {}
    assert state["deleteBucket"] is False
    left_to_the_service = {"prepaidPeriod", "chargeType", "deletionProtection", "enableCosMaz", "enableCosVersioning"}
    assert set(state) == set(INPUT_KEYS) - left_to_the_service


@pytest.mark.parametrize(
    "name",
    [
        "Team-registry",
        "team_registry",
        "-team-registry",
        "team-registry-",
        "a" * (NAME_MIN_LENGTH - 1),
        "a" * (NAME_MAX_LENGTH + 1),
        "team.registry",
    ],
)
def test_bad_names_are_rejected_naming_the_field(name: str) -> None:
    prop, reason = failure_of(props(name=name))
    assert prop == "name"
    assert reason.startswith("name:")


def test_unsupported_region_lists_the_choices() -> None:
    prop, reason = failure_of(props(region="us-east-1"))
    assert prop == "region"
    assert "ap-guangzhou" in reason


def test_unknown_instance_type_is_rejected() -> None:
    prop, reason = failure_of(props(instanceType="enterprise"))
    assert prop == "instanceType"
    assert "basic" in reason


def test_eleven_tags_are_too_many() -> None:
    prop, reason = failure_of(props(tags={f"k{i}": "v" for i in range(MAX_TAGS + 1)}))
    assert prop == "tags"
    assert str(MAX_TAGS) in reason


@pytest.mark.parametrize(
    ("tags", "needle"),
    [
        ({"": "v"}, "empty tag key"),
        ({f"{RESERVED_TAG_KEY_PREFIXES[0]}:owner": "v"}, "reserves"),
        ({"team": "x" * (TAG_VALUE_MAX_LENGTH + 1)}, str(TAG_VALUE_MAX_LENGTH)),
        ({"team": 5}, "string"),
    ],
)
def test_bad_tags_are_rejected(tags: dict[str, Any], needle: str) -> None:
    prop, reason = failure_of(props(tags=tags))
    assert prop == "tags"
    assert needle in reason


def test_prepaid_needs_a_period() -> None:
    prop, reason = failure_of(props(chargeType="prepaid"))
    assert prop == "prepaidPeriod"
    assert "prepaid_period" in reason


def test_prepaid_period_arrives_as_float_and_is_accepted() -> None:
    spec, failures = INSTANCE.validate(props(chargeType="prepaid", prepaidPeriod=12.0))
    assert failures == []
    assert spec is not None and spec.prepaid_period == 12


def test_unknown_values_pass_through_but_known_ones_are_still_checked() -> None:
    spec, failures = INSTANCE.validate(props(name=UNKNOWN, tags={"team": UNKNOWN}))
    assert spec is None and failures == []
    spec, failures = INSTANCE.validate(props(name=UNKNOWN, instanceType="huge"))
    assert [f.property for f in failures] == ["instanceType"]


def test_missing_region_says_how_to_set_it() -> None:
    spec, failures = INSTANCE.validate({"name": "team-registry"})
    assert spec is None
    assert failures[0].property == "region"
    assert "tencentcloud:region" in failures[0].reason


def test_unknown_input_is_rejected() -> None:
    prop, reason = failure_of(props(registryType="basic"))
    assert prop == "registryType"
    assert "remove it" in reason


def test_every_input_has_a_change_rule_and_the_replace_set_is_as_documented() -> None:
    rules = {f.key: f.change for f in INSTANCE.fields}
    replaced = {k for k, rule in rules.items() if rule in (Change.REPLACE, Change.REPLACE_DELETE_FIRST)}
    assert replaced == {"name", "region", "chargeType", "enableCosMaz", "syncTagsToBucket"}
    assert [k for k, rule in rules.items() if rule is Change.REPLACE_DELETE_FIRST] == ["region"]


def test_whole_floats_equal_ints_and_missing_keys_take_defaults() -> None:
    assert effective({"prepaidPeriod": 12.0}, "prepaidPeriod") == 12
    assert effective({}, "instanceType") == "basic"
    assert effective({}, "tags") == {}


@pytest.mark.parametrize(
    ("tags", "needle"),
    [
        ({"team": "a#b"}, "'#'"),
        ({"team": "yes!"}, "'!'"),
        ({"team": "\U0001f600"}, "use only"),
        ({"team": ""}, "empty value"),
        ({" team": "x"}, "leading or trailing space"),
        ({"qcs:tag:owner": "x"}, "reserves"),
        ({"项目": "x"}, "reserves"),
        ({"Project-x": "x"}, "reserves"),
    ],
)
def test_tags_the_published_rules_forbid_are_refused(tags: dict[str, str], needle: str) -> None:
    prop, reason = failure_of(props(tags=tags))
    assert prop == "tags"
    assert needle in reason


def test_tags_the_published_rules_allow_pass() -> None:
    tags = {"环境": "生产", "cost-center": "a<b>(c)[d],e;f@g", "owner": "team platform"}
    spec, failures = INSTANCE.validate(props(tags=tags))
    assert failures == [] and spec is not None and spec.tags == tags


def test_tags_copied_to_the_bucket_must_also_be_bucket_tags() -> None:
    assert INSTANCE.validate(props(tags={"owner": "a@b"}))[1] == []
    prop, reason = failure_of(props(tags={"owner": "a@b"}, syncTagsToBucket=True))
    assert prop == "tags" and "sync_tags_to_bucket" in reason


def test_system_tags_are_hidden_on_read() -> None:

    described = {
        "TagSpecification": {"Tags": [{"Key": "qcs:tag:createdBy", "Value": "Root:1"}, {"Key": "a", "Value": "b"}]}
    }
    assert INSTANCE.read(described)["tags"] == {"a": "b"}
