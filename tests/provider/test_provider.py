"""InstanceProvider's lifecycle methods against the emulator, through the real SDK."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from tcr_provider import InstanceProvider
from tcr_provider.errors import AdoptRefused, ApiError, CreationFailed, DeletionProtected
from tcr_provider.fields import UNKNOWN
from tcr_provider.ownership import OWNER_PROPERTY, OWNER_TAG_KEY, Owner
from tcr_provider.resources.instance.args import INSTANCE
from tcr_provider.testing import buy_out_of_band

from ..support import Control, sdk_call, user_tags
from .conftest import Checked, create_instance


# --- check ----------------------------------------------------------------------------------------------
def test_check_resolves_region_from_config_and_fills_defaults(provider: InstanceProvider) -> None:
    result = provider.check({}, {"name": "team-apps", "__provider": "x"})
    assert result.failures == []
    assert result.inputs["region"] == "ap-guangzhou"
    assert result.inputs["instanceType"] == "basic"
    assert "__provider" not in result.inputs


def test_check_rejects_a_taken_name_at_preview(provider: InstanceProvider, checked: Checked, control: Control) -> None:
    create_instance(provider, checked(name="team-apps"))
    result = provider.check({}, {"name": "team-apps"})
    assert [f.property for f in result.failures] == ["name"]
    assert "already taken" in result.failures[0].reason
    assert "adopt_existing" in result.failures[0].reason


def test_check_accepts_a_taken_name_when_adopting(provider: InstanceProvider, checked: Checked) -> None:
    create_instance(provider, checked(name="team-apps"))
    assert provider.check({}, {"name": "team-apps", "adoptExisting": True}).failures == []


def test_check_asks_the_api_only_about_new_names(provider: InstanceProvider, control: Control) -> None:
    olds = {"name": "team-apps", "region": "ap-guangzhou"}
    provider.check(olds, {"name": "team-apps", "instanceType": "premium"})
    assert control.requests("CheckInstanceName") == 0
    provider.check(olds, {"name": "team-apps-2"})
    assert control.requests("CheckInstanceName") == 1


def test_check_still_passes_when_the_api_is_unreachable(
    make_provider: Callable[..., InstanceProvider], capfd: pytest.CaptureFixture[str]
) -> None:
    provider = make_provider(**{"tcr:endpointUrl": "http://127.0.0.1:9"})
    result = provider.check({}, {"name": "team-apps"})
    assert result.failures == []
    assert "could not check whether the name" in capfd.readouterr().err


def test_check_reports_bad_fields_by_state_key(provider: InstanceProvider) -> None:
    result = provider.check({}, {"name": "Team_Apps", "instanceType": "huge", "tags": {"": "x"}})
    assert sorted(f.property for f in result.failures) == ["instanceType", "name", "tags"]


# --- diff -----------------------------------------------------------------------------------------------
@pytest.fixture
def existing(checked: Checked) -> dict[str, Any]:
    outs = checked(name="team-apps", tags={"team": "a"})
    outs.update({key: "x" for key in INSTANCE.output_keys})
    outs["__provider"] = "old-pickle"
    return outs


def test_diff_without_changes_is_silent(provider: InstanceProvider, existing: dict[str, Any]) -> None:
    news = {k: v for k, v in existing.items() if k not in INSTANCE.output_keys}
    news["__provider"] = "new-pickle"
    news["prepaidPeriod"] = None
    result = provider.diff("tcr-1", existing, news)
    assert result.changes is False
    assert result.replaces == []


@pytest.mark.parametrize("key", ["tags", "instanceType", "deletionProtection", "enableCosVersioning"])
def test_diff_updates_in_place(provider: InstanceProvider, existing: dict[str, Any], key: str) -> None:
    value = {"tags": {"team": "b"}, "instanceType": "premium"}.get(key, True)
    result = provider.diff("tcr-1", existing, {**existing, key: value})
    assert result.changes is True
    assert result.replaces == []


@pytest.mark.parametrize("key", ["deleteBucket", "renewFlag", "adoptExisting"])
def test_diff_of_state_only_inputs_updates_without_replacing(
    provider: InstanceProvider, existing: dict[str, Any], key: str
) -> None:
    value = "auto" if key == "renewFlag" else True
    result = provider.diff("tcr-1", existing, {**existing, key: value})
    assert (result.changes, result.replaces) == (True, [])


def test_rename_replaces_creating_first(provider: InstanceProvider, existing: dict[str, Any]) -> None:
    result = provider.diff("tcr-1", existing, {**existing, "name": "team-apps-2"})
    assert result.replaces == ["name"]
    assert result.delete_before_replace is False


def test_region_change_replaces_delete_first(provider: InstanceProvider, existing: dict[str, Any]) -> None:
    result = provider.diff("tcr-1", existing, {**existing, "region": "ap-singapore"})
    assert result.replaces == ["region"]
    assert result.delete_before_replace is True


def test_region_and_name_change_replaces_creating_first(provider: InstanceProvider, existing: dict[str, Any]) -> None:
    result = provider.diff("tcr-1", existing, {**existing, "region": "ap-singapore", "name": "team-apps-sg"})
    assert sorted(result.replaces or []) == ["name", "region"]
    assert result.delete_before_replace is False


@pytest.mark.parametrize("key", ["chargeType", "enableCosMaz", "syncTagsToBucket"])
def test_purchase_time_settings_replace(provider: InstanceProvider, existing: dict[str, Any], key: str) -> None:
    value = "prepaid" if key == "chargeType" else True
    assert provider.diff("tcr-1", existing, {**existing, key: value}).replaces == [key]


def test_unknown_values_count_as_changes(provider: InstanceProvider, existing: dict[str, Any]) -> None:
    assert provider.diff("tcr-1", existing, {**existing, "tags": {"team": UNKNOWN}}).replaces == []
    assert provider.diff("tcr-1", existing, {**existing, "tags": {"team": UNKNOWN}}).changes is True
    assert provider.diff("tcr-1", existing, {**existing, "name": UNKNOWN}).replaces == ["name"]


def test_whole_number_floats_equal_ints(provider: InstanceProvider, existing: dict[str, Any]) -> None:
    olds = {**existing, "chargeType": "prepaid", "prepaidPeriod": 12}
    assert provider.diff("tcr-1", olds, {**olds, "prepaidPeriod": 12.0}).changes is False


# --- create ---------------------------------------------------------------------------------------------
def test_create_tags_at_purchase_and_waits_until_running(
    provider: InstanceProvider, checked: Checked, control: Control, emulator: Any
) -> None:
    registry_id, outs = create_instance(
        provider, checked(name="team-apps", tags={"team": "a"}, instanceType="standard")
    )
    assert outs["registryId"] == registry_id
    assert outs["status"] == "Running"
    assert outs["domain"] == "team-apps.tencentcloudcr.com"
    assert outs["vpcDomain"] == "team-apps-vpc.tencentcloudcr.com"
    assert outs["cosBucket"] == f"{registry_id}-{emulator.app_id}"
    assert outs["cosBucketRegion"] == "ap-guangzhou"
    assert outs["regionId"] == 1
    assert outs["tags"] == {"team": "a"}
    assert control.requests("CreateInstance") == 1
    assert control.requests("ModifyResourceTags") == 0  # no untagged window: tags went with the purchase
    [instance] = control.instances()
    assert instance["TagSpecification"]["Tags"] == [
        {"Key": "team", "Value": "a"},
        {"Key": OWNER_TAG_KEY, "Value": Owner.of("tests", "dev", "team-apps").marker},
    ]
    assert outs["cosBucket"] in control.state()["buckets"]


def test_create_echoes_every_input(provider: InstanceProvider, checked: Checked) -> None:
    inputs = checked(name="team-apps", chargeType="prepaid", prepaidPeriod=12.0, renewFlag="auto")
    _, outs = create_instance(provider, inputs)
    assert {k: outs[k] for k in inputs if k != OWNER_PROPERTY} == {
        k: v for k, v in inputs.items() if k != OWNER_PROPERTY
    }
    assert set(INSTANCE.output_keys) <= set(outs)
    assert outs["expiredAt"]


def test_failed_creation_reports_the_reason_fast_and_leaves_nothing(
    provider: InstanceProvider, checked: Checked, control: Control
) -> None:
    control.fault({"action": "CreateInstance", "final_status": "FailedCreated"})
    started = time.monotonic()
    with pytest.raises(CreationFailed) as failure:
        provider.create(checked(name="team-apps"))
    assert time.monotonic() - started < 30
    assert "FailedCreated" in failure.value.what_happened
    assert failure.value.cleaned_up
    assert control.instances() == []
    assert control.state()["buckets"] == []


def test_creation_past_the_timeout_is_cleaned_up(
    make_provider: Callable[..., InstanceProvider], control: Control
) -> None:
    provider = make_provider(**{"tcr:createTimeoutSeconds": "0.5"})
    control.fault({"action": "CreateInstance", "final_status": "Deploying"})
    inputs = provider.check({}, {"name": "team-apps"}).inputs
    with pytest.raises(CreationFailed) as failure:
        provider.create(inputs)
    assert "tcr:createTimeoutSeconds" in failure.value.what_happened
    assert failure.value.cleaned_up
    assert control.instances() == []


def test_lost_create_answer_keeps_exactly_one_instance(
    provider: InstanceProvider, checked: Checked, control: Control, capfd: pytest.CaptureFixture[str]
) -> None:
    control.fault({"action": "CreateInstance", "drop_response": True})
    registry_id, outs = create_instance(provider, checked(name="team-apps"))
    [instance] = control.instances()
    assert instance["RegistryId"] == registry_id
    assert outs["status"] == "Running"
    assert "answer was lost" in capfd.readouterr().err


def test_adopt_existing_takes_over_without_creating(
    provider: InstanceProvider, checked: Checked, control: Control
) -> None:
    first_id, _ = create_instance(provider, checked(name="team-apps", tags={"old": "1"}))
    adopted_id, outs = create_instance(provider, checked(name="team-apps", tags={"new": "2"}, adoptExisting=True))
    assert adopted_id == first_id
    assert control.requests("CreateInstance") == 1
    assert outs["tags"] == {"new": "2"}
    [instance] = control.instances()
    assert user_tags(instance) == {"new": "2"}


def test_adopt_existing_refuses_when_purchase_settings_differ(provider: InstanceProvider, checked: Checked) -> None:
    create_instance(provider, checked(name="team-apps"))
    with pytest.raises(AdoptRefused) as failure:
        provider.create(checked(name="team-apps", enableCosMaz=True, adoptExisting=True))
    assert [clash.split()[0] for clash in failure.value.clashes] == ["enableCosMaz"]


def test_adopt_existing_creates_when_nothing_exists(
    provider: InstanceProvider, checked: Checked, control: Control
) -> None:
    create_instance(provider, checked(name="team-apps", adoptExisting=True))
    assert control.requests("CreateInstance") == 1


def test_adopt_existing_waits_for_an_instance_still_being_created(
    provider: InstanceProvider, checked: Checked, control: Control, emulator: Any
) -> None:
    bought = buy_out_of_band(emulator, "team-apps")
    registry_id, outs = create_instance(provider, checked(name="team-apps", adoptExisting=True))
    assert registry_id == bought
    assert outs["status"] == "Running"
    assert control.requests("CreateInstance") == 1


def test_adopt_existing_never_deletes_a_failed_instance_it_did_not_buy(
    provider: InstanceProvider, checked: Checked, control: Control, emulator: Any
) -> None:
    control.fault({"action": "CreateInstance", "final_status": "FailedCreated"})
    buy_out_of_band(emulator, "team-apps")
    with pytest.raises(AdoptRefused) as failure:
        provider.create(checked(name="team-apps", adoptExisting=True))
    assert "FailedCreated" in failure.value.reason
    assert [i["Status"] for i in control.instances()] == ["FailedCreated"]
    assert control.requests("DeleteInstance") == 0


def test_adopt_existing_refuses_an_instance_being_deleted(
    provider: InstanceProvider, checked: Checked, control: Control, emulator: Any
) -> None:
    registry_id, _ = create_instance(provider, checked(name="team-apps"))
    sdk_call(emulator, "tcr", "DeleteInstance", {"RegistryId": registry_id})
    with pytest.raises(AdoptRefused) as failure:
        provider.create(checked(name="team-apps", adoptExisting=True))
    assert "being deleted" in failure.value.reason


# --- read -----------------------------------------------------------------------------------------------
def test_read_makes_one_call_and_reports_drift(
    provider: InstanceProvider, checked: Checked, control: Control, emulator: Any
) -> None:
    registry_id, outs = create_instance(provider, checked(name="team-apps", tags={"team": "a"}))
    provider.update(registry_id, outs, {**outs, "tags": {"team": "b", "extra": "1"}, "instanceType": "premium"})
    before = control.requests("DescribeInstances")
    result = provider.read(registry_id, outs)
    assert control.requests("DescribeInstances") == before + 1
    assert control.requests("GetUserAppId") <= 1
    assert result.inputs is not None and result.outs is not None
    assert result.inputs["tags"] == {"team": "b", "extra": "1"}
    assert result.inputs["instanceType"] == "premium"
    assert result.outs["tags"] == result.inputs["tags"]
    assert result.inputs["deleteBucket"] is False  # never reported by the API: kept from state


def test_read_of_a_vanished_instance_says_gone(provider: InstanceProvider, checked: Checked, control: Control) -> None:
    registry_id, outs = create_instance(provider, checked(name="team-apps"))
    provider.delete(registry_id, outs)
    result = provider.read(registry_id, outs)
    assert (result.id, result.outs) == (None, {})


def test_read_by_id_and_region_only(provider: InstanceProvider, checked: Checked) -> None:
    registry_id, outs = create_instance(provider, checked(name="team-apps", region="ap-singapore"))
    result = provider.read(registry_id, {"region": "ap-singapore"})
    assert result.outs is not None
    assert result.outs["name"] == "team-apps"
    assert result.outs["domain"] == outs["domain"]


def test_read_does_not_wait_for_transitional_states(
    make_provider: Callable[..., InstanceProvider], checked: Checked, control: Control
) -> None:
    provider = make_provider()
    registry_id, outs = create_instance(provider, checked(name="team-apps"))
    provider.cloud.call("tcr", "ap-guangzhou", "DeleteInstance", {"RegistryId": registry_id}, registry="t")
    result = provider.read(registry_id, outs)
    assert result.outs is not None and result.outs["status"] == "Deleting"


# --- update ---------------------------------------------------------------------------------------------
def test_tag_update_sends_only_the_difference(provider: InstanceProvider, checked: Checked, control: Control) -> None:
    registry_id, outs = create_instance(
        provider, checked(name="team-apps", tags={"keep": "1", "change": "a", "drop": "x"})
    )
    news = {**outs, "tags": {"keep": "1", "change": "b", "add": "y"}}
    result = provider.update(registry_id, outs, news)
    assert result.outs is not None and result.outs["tags"] == news["tags"]
    assert control.requests("ModifyResourceTags") == 1
    assert control.requests("ModifyInstance") == 0
    [instance] = control.instances()
    assert user_tags(instance) == news["tags"]


def test_type_change_waits_until_applied(provider: InstanceProvider, checked: Checked, control: Control) -> None:
    registry_id, outs = create_instance(provider, checked(name="team-apps"))
    result = provider.update(registry_id, outs, {**outs, "instanceType": "premium"})
    assert result.outs is not None and result.outs["instanceType"] == "premium"
    assert control.instances()[0]["RegistryType"] == "premium"


def test_deletion_protection_and_versioning_update(
    provider: InstanceProvider, checked: Checked, control: Control
) -> None:
    registry_id, outs = create_instance(provider, checked(name="team-apps"))
    result = provider.update(registry_id, outs, {**outs, "deletionProtection": True, "enableCosVersioning": True})
    assert result.outs is not None
    assert (result.outs["deletionProtection"], result.outs["enableCosVersioning"]) == (True, True)
    [instance] = control.instances()
    assert (instance["DeletionProtection"], instance["EnableCosVersioning"]) == (True, True)


def test_state_only_change_calls_no_api(provider: InstanceProvider, checked: Checked, control: Control) -> None:
    registry_id, outs = create_instance(provider, checked(name="team-apps"))
    writes_before = {a: control.requests(a) for a in ("ModifyInstance", "ModifyResourceTags")}
    result = provider.update(registry_id, outs, {**outs, "deleteBucket": True})
    assert result.outs is not None and result.outs["deleteBucket"] is True
    assert {a: control.requests(a) for a in writes_before} == writes_before


def test_conflicts_on_modify_are_retried(provider: InstanceProvider, checked: Checked, control: Control) -> None:
    registry_id, outs = create_instance(provider, checked(name="team-apps"))
    control.fault({"action": "ModifyInstance", "error": "InternalError.ErrorConflict", "count": 2})
    result = provider.update(registry_id, outs, {**outs, "deletionProtection": True})
    assert result.outs is not None and result.outs["deletionProtection"] is True
    assert control.requests("ModifyInstance") == 3


# --- delete ---------------------------------------------------------------------------------------------
def test_delete_refuses_while_protected(provider: InstanceProvider, checked: Checked, control: Control) -> None:
    registry_id, outs = create_instance(provider, checked(name="team-apps", deletionProtection=True))
    with pytest.raises(DeletionProtected) as failure:
        provider.delete(registry_id, outs)
    assert failure.value.registry == f"team-apps ({registry_id})"
    assert control.requests("DeleteInstance") == 0
    assert len(control.instances()) == 1


def test_delete_keeps_the_bucket_by_default(provider: InstanceProvider, checked: Checked, control: Control) -> None:
    registry_id, outs = create_instance(provider, checked(name="team-apps"))
    provider.delete(registry_id, outs)
    assert control.instances() == []
    assert control.state()["buckets"] == [outs["cosBucket"]]


def test_delete_bucket_removes_it(provider: InstanceProvider, checked: Checked, control: Control) -> None:
    registry_id, outs = create_instance(provider, checked(name="team-apps", deleteBucket=True))
    provider.delete(registry_id, outs)
    assert control.state()["buckets"] == []


def test_delete_of_an_instance_already_gone_succeeds(
    provider: InstanceProvider, checked: Checked, control: Control
) -> None:
    registry_id, outs = create_instance(provider, checked(name="team-apps"))
    provider.delete(registry_id, outs)
    provider.delete(registry_id, outs)
    assert control.requests("DeleteInstance") == 1


def test_delete_refused_by_the_api_reports_its_reason(
    provider: InstanceProvider, checked: Checked, control: Control
) -> None:
    registry_id, outs = create_instance(provider, checked(name="team-apps"))
    control.fault({"action": "DeleteInstance", "error": "FailedOperation.PreconditionFailed"})
    with pytest.raises(ApiError) as failure:
        provider.delete(registry_id, outs)
    error = failure.value
    assert (error.action, error.code, error.registry) == (
        "DeleteInstance",
        "FailedOperation.PreconditionFailed",
        registry_id,
    )
    assert error.request_id and error.hint and "namespaces" in error.hint
    assert len(control.instances()) == 1


# --- errors and credentials -----------------------------------------------------------------------------
def test_throttling_is_retried_with_backoff(provider: InstanceProvider, checked: Checked, control: Control) -> None:
    control.fault({"action": "CreateInstance", "error": "RequestLimitExceeded", "count": 3})
    registry_id, _ = create_instance(provider, checked(name="team-apps"))
    assert control.requests("CreateInstance") == 4
    assert [i["RegistryId"] for i in control.instances()] == [registry_id]


def test_auth_failure_is_not_retried_and_names_the_source_not_the_key(
    make_provider: Callable[..., InstanceProvider], checked: Checked, control: Control, emulator: Any
) -> None:
    provider = make_provider(**{"tencentcloud:secretKey": "wrong-key-0123456789"})
    with pytest.raises(ApiError) as at_preview:
        provider.check({}, {"name": "team-apps"})
    with pytest.raises(ApiError) as at_create:
        provider.create(checked(name="team-apps"))
    for failure in (at_preview, at_create):
        message = str(failure.value)
        assert "AuthFailure.SignatureFailure" in message
        assert "stack config tencentcloud:secretId" in message
        assert "wrong-key-0123456789" not in message
        assert emulator.secret_id not in message
    assert control.requests("CreateInstance") == 1  # refused, not retried, and nothing bought
    assert control.instances() == []
    assert control.requests("CheckInstanceName") == 2  # one refused at preview, one by the good provider


def test_a_registry_not_running_is_read_with_a_warning(
    provider: InstanceProvider, checked: Checked, control: Control, capfd: pytest.CaptureFixture[str]
) -> None:
    registry_id, outs = create_instance(provider, checked(name="team-apps"))
    provider.cloud.call("tcr", "ap-guangzhou", "DeleteInstance", {"RegistryId": registry_id}, registry="t")
    provider.read(registry_id, outs)
    assert f"warning: registry team-apps ({registry_id}) is Deleting, not Running" in capfd.readouterr().err


def test_concurrent_reads_share_their_describe_calls(
    provider: InstanceProvider, control: Control, emulator: Any
) -> None:
    ids = [buy_out_of_band(emulator, f"team-read{i:02d}") for i in range(30)]
    before = control.requests("DescribeInstances")
    start = threading.Barrier(len(ids))
    results: dict[str, Any] = {}

    def read(registry_id: str) -> None:
        start.wait()
        results[registry_id] = provider.read(registry_id, {"region": "ap-guangzhou"})

    threads = [threading.Thread(target=read, args=(registry_id,)) for registry_id in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(r.id for r in results.values()) == sorted(ids)
    assert control.requests("DescribeInstances") - before <= 3  # the first read alone, the rest together
