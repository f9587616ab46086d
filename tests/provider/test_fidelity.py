"""The provider under the readings of the real API that the emulator can answer both ways, and after a
purchase whatever fails: nothing bought is forgotten (docs/api-fidelity.md)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest

from tcr_provider import InstanceProvider
from tcr_provider.errors import CreationFailed
from tcr_provider.testing import REGION, buy_out_of_band

from ..support import Control
from .conftest import Checked, create_instance


# --- a batch that holds an unknown id ---------------------------------------------------------------------
def test_a_batch_answered_not_found_is_asked_again_one_id_at_a_time(
    provider: InstanceProvider, checked: Checked, control: Control
) -> None:
    registry_id, _ = create_instance(provider, checked(name="team-apps"))
    control.fault({"action": "DescribeInstances", "unknown_id_not_found": True, "count": 10})
    before = control.requests("DescribeInstances")
    found = provider.cloud.describe(REGION, [registry_id, "tcr-unknown1"])
    assert list(found) == [registry_id]
    assert control.requests("DescribeInstances") - before == 3  # the batch, then each id on its own


def test_concurrent_waits_survive_a_batch_answered_not_found(
    provider: InstanceProvider, checked: Checked, control: Control
) -> None:
    old_id, old_outs = create_instance(provider, checked(name="team-old"))
    control.fault({"action": "DescribeInstances", "unknown_id_not_found": True, "count": 1000})
    results: dict[str, Any] = {}

    def run(name: str, work: Callable[[], Any]) -> None:
        try:
            results[name] = work()
        except Exception as exc:
            results[name] = exc

    threads = [
        threading.Thread(target=run, args=("delete", lambda: provider.delete(old_id, old_outs))),
        *(
            threading.Thread(target=run, args=(name, lambda name=name: create_instance(provider, checked(name=name))))
            for name in ("team-new1", "team-new2")
        ),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not any(isinstance(r, Exception) for r in results.values()), results
    live = {i["RegistryName"]: i["RegistryId"] for i in control.instances()}
    assert live == {name: results[name][0] for name in ("team-new1", "team-new2")}


def test_an_instance_seen_gone_while_creating_is_confirmed_by_name(
    provider: InstanceProvider, checked: Checked, control: Control
) -> None:
    inputs = checked(name="team-apps")
    control.fault({"action": "DescribeInstances", "error": "ResourceNotFound"})
    registry_id, outs = create_instance(provider, inputs)
    assert outs["status"] == "Running"
    assert [i["RegistryId"] for i in control.instances()] == [registry_id]


# --- waiting for a purchase ---------------------------------------------------------------------------------
def test_unhealthy_while_creating_is_waited_out(provider: InstanceProvider, checked: Checked, control: Control) -> None:
    control.fault({"action": "CreateInstance", "passing_status": "Unhealthy"})
    registry_id, outs = create_instance(provider, checked(name="team-apps"))
    assert outs["status"] == "Running"
    assert control.requests("DeleteInstance") == 0
    assert [i["RegistryId"] for i in control.instances()] == [registry_id]


def test_a_refused_cos_listing_never_fails_a_create(
    provider: InstanceProvider, checked: Checked, control: Control, capfd: pytest.CaptureFixture[str]
) -> None:
    control.fault({"action": "GetService", "error": "AccessDenied"})
    registry_id, outs = create_instance(provider, checked(name="team-apps"))
    assert [i["RegistryId"] for i in control.instances()] == [registry_id]
    assert (outs["status"], outs["cosBucket"], outs["cosBucketRegion"]) == ("Running", "", "")
    warning = capfd.readouterr().err
    assert f"warning: team-apps ({registry_id}): cosBucket is left empty" in warning
    assert "AccessDenied" in warning and "cos:GetService" in warning
    assert control.requests("GetService") == 1  # a refusal is not retried
    assert control.requests("DeleteInstance") == 0


def test_a_silent_api_after_the_purchase_ends_in_a_deleted_instance(
    make_provider: Callable[..., InstanceProvider], control: Control
) -> None:
    provider = make_provider(**{"tcr:createTimeoutSeconds": "1"})
    inputs = provider.check({}, {"name": "team-apps"}).inputs
    control.fault({"action": "DescribeInstances", "http_status": 502, "count": 8})
    with pytest.raises(CreationFailed) as failure:
        provider.create(inputs)
    assert failure.value.cleaned_up
    assert control.requests("DeleteInstance") == 1


def test_when_the_purchase_can_be_neither_finished_nor_deleted_its_id_and_the_way_back_are_named(
    make_provider: Callable[..., InstanceProvider], control: Control
) -> None:
    provider = make_provider(**{"tcr:createTimeoutSeconds": "1"})
    inputs = provider.check({}, {"name": "team-apps"}).inputs
    control.fault(
        {"action": "DescribeInstances", "http_status": 502, "count": 8},
        {"action": "DeleteInstance", "error": "AuthFailure.TokenFailure"},
    )
    with pytest.raises(CreationFailed) as failure:
        provider.create(inputs)
    [instance] = control.instances()
    assert not failure.value.cleaned_up
    assert instance["RegistryId"] in str(failure.value) and "adopt_existing=True" in str(failure.value)


# --- send only what changes; let the service's defaults stand ---------------------------------------------
def test_unset_inputs_are_not_sent_and_the_service_defaults_are_recorded_without_a_diff(
    provider: InstanceProvider, checked: Checked, control: Control
) -> None:
    inputs = checked(name="team-apps", instanceType="premium")
    registry_id, outs = create_instance(provider, inputs)
    [params] = control.sent("CreateInstance")
    assert "EnableCosVersioning" not in params and "DeletionProtection" not in params
    assert outs["enableCosVersioning"] is True  # premium instances get a versioned bucket by default
    assert provider.diff(registry_id, outs, inputs).changes is False


def test_modify_sends_only_the_field_that_changes(
    provider: InstanceProvider, checked: Checked, control: Control
) -> None:
    registry_id, outs = create_instance(provider, checked(name="team-apps", enableCosVersioning=False))
    provider.update(registry_id, outs, {**outs, "enableCosVersioning": True})
    assert control.sent("ModifyInstance") == [{"RegistryId": registry_id, "EnableCosVersioning": True}]


def test_adopting_leaves_alone_what_the_program_never_mentions(
    provider: InstanceProvider, checked: Checked, control: Control, emulator: Any
) -> None:
    buy_out_of_band(emulator, "team-apps", EnableCosVersioning=True, DeletionProtection=True)
    _, outs = create_instance(provider, checked(name="team-apps", adoptExisting=True))
    assert control.requests("ModifyInstance") == 0
    assert (outs["enableCosVersioning"], outs["deletionProtection"]) == (True, True)
