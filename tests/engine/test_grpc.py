"""The provider as the Pulumi engine drives it: `python -m pulumi.dynamic` over gRPC, with the engine's
own call sequences for preview, up, refresh and destroy."""

from __future__ import annotations

import base64
import threading
from collections.abc import Callable, Iterator

import dill
import grpc
import pytest
from pulumi.dynamic.dynamic import serialize_provider
from pulumi.output import Unknown
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc

from tcr_provider import InstanceProvider
from tcr_provider.emulator import Emulator
from tcr_provider.fields import UNKNOWN
from tcr_provider.testing import (
    EmulatorControl,
    configured_provider,
    delete_out_of_band,
    modify_out_of_band,
    provider_config,
    retag_out_of_band,
    wait_until,
)

from .conftest import PROVIDER, Engine, dynamic_server, plain, struct, urn


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    with Emulator(create_seconds=0.2, delete_seconds=0.2, modify_seconds=0.2, rate_limit=0) as emu:
        yield emu


@pytest.fixture(scope="module")
def server(emulator: Emulator) -> Iterator[provider_pb2_grpc.ResourceProviderStub]:
    with dynamic_server(emulator) as (_, engine):
        yield engine.stub


@pytest.fixture
def engine(server: provider_pb2_grpc.ResourceProviderStub, control: EmulatorControl) -> Engine:
    return Engine(server)


def test_preview_of_a_new_instance_with_unknown_values(engine: Engine, control: EmulatorControl) -> None:
    response = engine.check("apps", {}, {"name": "team-apps", "tags": {"team": UNKNOWN}})
    assert list(response.failures) == []
    inputs = plain(response.inputs)
    assert isinstance(inputs["tags"]["team"], Unknown)
    assert inputs["region"] == "ap-guangzhou"
    assert control.instances() == []
    assert control.requests("CreateInstance") == 0


def test_preview_rejects_bad_input_with_the_state_key(engine: Engine, control: EmulatorControl) -> None:
    response = engine.check("apps", {}, {"name": "Team_Apps", "tags": {f"k{i}": "v" for i in range(11)}})
    assert sorted(f.property for f in response.failures) == ["name", "tags"]
    assert control.requests("CreateInstance") == 0


def test_create_then_a_no_change_up_is_silent(engine: Engine, control: EmulatorControl) -> None:
    news = {"name": "team-apps", "tags": {"team": "a"}, "instanceType": "standard"}
    registry_id, outs = engine.up("apps", news)
    assert outs["registryId"] == registry_id and outs["status"] == "Running"
    assert outs["__provider"] == PROVIDER
    writes = {a: control.requests(a) for a in ("CreateInstance", "ModifyInstance", "ModifyResourceTags")}

    inputs = engine.checked("apps", {k: v for k, v in outs.items() if k in news}, news)
    diff = engine.diff("apps", registry_id, outs, {**inputs, "__provider": PROVIDER})
    assert diff.changes == provider_pb2.DiffResponse.DIFF_NONE
    assert {a: control.requests(a) for a in writes} == writes


def test_in_place_update_keeps_the_registry(engine: Engine, control: EmulatorControl) -> None:
    registry_id, outs = engine.up("apps", {"name": "team-apps", "tags": {"team": "a"}})
    news = engine.checked("apps", outs, {"name": "team-apps", "tags": {"team": "b"}})
    news["__provider"] = PROVIDER
    diff = engine.diff("apps", registry_id, outs, news)
    assert diff.changes == provider_pb2.DiffResponse.DIFF_SOME
    assert list(diff.replaces) == []
    updated = engine.update("apps", registry_id, outs, news)
    assert updated["tags"] == {"team": "b"}
    assert updated["registryId"] == registry_id
    assert [i["RegistryId"] for i in control.instances()] == [registry_id]


def test_rename_creates_the_new_instance_before_deleting_the_old(engine: Engine, control: EmulatorControl) -> None:
    old_id, outs = engine.up("apps", {"name": "team-apps"})
    news = {**engine.checked("apps", outs, {"name": "team-apps-2"}), "__provider": PROVIDER}
    diff = engine.diff("apps", old_id, outs, news)
    assert list(diff.replaces) == ["name"] and not diff.deleteBeforeReplace
    new_id, new_outs = engine.create("apps", news)
    assert {i["RegistryName"] for i in control.instances()} == {"team-apps", "team-apps-2"}
    engine.delete("apps", old_id, outs)
    assert [i["RegistryId"] for i in control.instances()] == [new_id]
    assert new_outs["domain"] == "team-apps-2.tencentcloudcr.com"


def test_a_name_not_known_at_preview_shows_only_the_name_replacing(engine: Engine, control: EmulatorControl) -> None:
    registry_id, outs = engine.up("apps", {"name": "team-apps", "instanceType": "standard", "tags": {"team": "a"}})
    # The name comes from another resource's output: unknown at preview; every other input stays as it was.
    response = engine.check("apps", outs, {"name": UNKNOWN, "instanceType": "standard", "tags": {"team": "a"}})
    assert list(response.failures) == []
    news = {**plain(response.inputs), "__provider": PROVIDER}
    assert news["instanceType"] == "standard" and news["tags"] == {"team": "a"} and news["region"] == outs["region"]
    diff = engine.diff("apps", registry_id, outs, news)
    assert diff.changes == provider_pb2.DiffResponse.DIFF_SOME and list(diff.replaces) == ["name"]
    assert not diff.deleteBeforeReplace
    assert control.requests("CreateInstance") == 1


def test_region_change_deletes_the_old_instance_first(engine: Engine, control: EmulatorControl) -> None:
    old_id, outs = engine.up("apps", {"name": "team-apps"})
    news = {**engine.checked("apps", outs, {"name": "team-apps", "region": "ap-singapore"}), "__provider": PROVIDER}
    diff = engine.diff("apps", old_id, outs, news)
    assert list(diff.replaces) == ["region"] and diff.deleteBeforeReplace
    engine.delete("apps", old_id, outs)
    assert control.instances() == []  # delete returned only once the instance was gone
    new_id, new_outs = engine.create("apps", news)
    [instance] = control.instances()
    assert (instance["RegistryId"], instance["RegionName"]) == (new_id, "ap-singapore")
    assert new_outs["cosBucketRegion"] == "ap-singapore"


def test_refresh_reports_drift_then_up_converges(engine: Engine, emulator: Emulator, control: EmulatorControl) -> None:
    news = {"name": "team-apps", "tags": {"team": "a"}}
    registry_id, outs = engine.up("apps", news)
    retag_out_of_band(emulator, registry_id, {"team": "b", "added": "by-hand"})
    modify_out_of_band(emulator, registry_id, RegistryType="premium")

    refreshed = engine.read("apps", registry_id, outs)
    assert refreshed.id == registry_id
    live_outs, live_inputs = plain(refreshed.properties), plain(refreshed.inputs)
    assert live_inputs["tags"] == {"team": "b", "added": "by-hand"}
    assert live_inputs["instanceType"] == "premium"
    assert live_outs["tags"] == live_inputs["tags"]

    inputs = {**engine.checked("apps", live_inputs, news), "__provider": PROVIDER}
    diff = engine.diff("apps", registry_id, live_outs, inputs)
    assert diff.changes == provider_pb2.DiffResponse.DIFF_SOME and list(diff.replaces) == []
    converged = engine.update("apps", registry_id, live_outs, inputs)
    assert converged["tags"] == {"team": "a"} and converged["instanceType"] == "basic"
    again = plain(engine.read("apps", registry_id, converged).properties)
    diff = engine.diff("apps", registry_id, again, inputs)
    assert diff.changes == provider_pb2.DiffResponse.DIFF_NONE


def test_refresh_after_the_instance_vanished(engine: Engine, emulator: Emulator, control: EmulatorControl) -> None:
    registry_id, outs = engine.up("apps", {"name": "team-apps"})
    delete_out_of_band(emulator, registry_id)
    refreshed = engine.read("apps", registry_id, outs)
    assert refreshed.id == ""
    assert {k for k in plain(refreshed.properties) if not k.startswith("__")} == set()


def test_destroy_waits_until_gone(engine: Engine, control: EmulatorControl) -> None:
    registry_id, outs = engine.up("apps", {"name": "team-apps"})
    engine.delete("apps", registry_id, outs)
    assert control.instances() == []
    assert control.state()["buckets"] == [outs["cosBucket"]]


def test_get_reads_an_existing_instance_by_id(engine: Engine, control: EmulatorControl) -> None:
    registry_id, outs = engine.up("apps", {"name": "team-apps", "region": "ap-singapore"})
    response = engine.read("ref", registry_id, {}, inputs={"region": "ap-singapore", "__provider": PROVIDER})
    assert response.id == registry_id
    assert plain(response.properties)["domain"] == outs["domain"]


def test_errors_reach_the_engine_with_action_code_and_request_id(engine: Engine, control: EmulatorControl) -> None:
    inputs = engine.checked("apps", {}, {"name": "team-apps"})
    control.fault({"action": "CreateInstance", "error": "OperationDenied.QuotaOverLimit"})
    with pytest.raises(grpc.RpcError) as failure:
        engine.create("apps", inputs)
    details = failure.value.details() or ""
    assert "CreateInstance" in details and "OperationDenied.QuotaOverLimit" in details
    assert "RequestId" in details and "team-apps" in details


def test_serialized_provider_holds_no_credentials(emulator: Emulator) -> None:
    configured = configured_provider(provider_config(emulator))
    configured.cloud.credentials  # noqa: B018  (resolves and caches the credentials)
    for serialized in (PROVIDER, serialize_provider(configured)):
        raw = base64.b64decode(serialized)
        assert emulator.secret_key.encode() not in raw
        assert emulator.secret_id.encode() not in raw
        assert b"endpoint" not in raw.lower()
        restored = dill.loads(raw)
        assert isinstance(restored, InstanceProvider)
    assert len(PROVIDER) < 400


def run_at_once(calls: list[Callable[[], object]], all_started: Callable[[], bool]) -> None:
    """Start every call in its own thread; assert they were all under way before any of them finished."""
    finished: list[int] = []
    threads = [threading.Thread(target=lambda c=c: (c(), finished.append(1))) for c in calls]
    for thread in threads:
        thread.start()
    wait_until(lambda: all_started() or finished, timeout=60, what="every call to start, or one to finish")
    assert all_started()
    assert finished == []
    for thread in threads:
        thread.join(timeout=60)
    assert len(finished) == len(calls)


def test_more_than_four_creations_wait_at_once() -> None:
    """The dynamic provider server has 4 threads; the provider widens it so creations do not queue."""
    with Emulator(create_seconds=3, rate_limit=0) as slow, dynamic_server(slow) as (_, engine):
        control = EmulatorControl(slow.endpoint_url)
        inputs = [engine.checked(f"r{i}", {}, {"name": f"parallel-{i}"}) for i in range(8)]
        run_at_once(
            [lambda i=i: engine.create(f"r{i}", inputs[i]) for i in range(8)],
            all_started=lambda: len(control.instances()) == 8,
        )


def test_more_than_four_deletions_wait_at_once_even_as_the_first_calls() -> None:
    """A destroy sends its deletes before any other call: they queue behind 4 threads unless given threads."""
    with Emulator(create_seconds=0, delete_seconds=3, rate_limit=0) as slow:
        control = EmulatorControl(slow.endpoint_url)
        with dynamic_server(slow) as (_, engine):
            created = [engine.up(f"r{i}", {"name": f"parallel-{i}"}) for i in range(8)]
        with dynamic_server(slow) as (_, engine):
            run_at_once(
                [lambda i=i, r=r, o=o: engine.delete(f"r{i}", r, o) for i, (r, o) in enumerate(created)],
                all_started=lambda: control.requests("DeleteInstance") == 8,
            )
        assert control.instances() == []


def test_a_provider_error_reaches_the_engine_as_its_message_alone(engine: Engine, control: EmulatorControl) -> None:
    inputs = engine.checked("apps", {}, {"name": "team-apps", "deletionProtection": True})
    registry_id, outs = engine.create("apps", inputs)
    with pytest.raises(grpc.RpcError) as failure:
        engine.delete("apps", registry_id, outs)
    details = failure.value.details() or ""
    assert "deletion protection" in details and registry_id in details
    assert "Traceback" not in details and "File " not in details
    not_a_provider = base64.b64encode(dill.dumps(42)).decode()
    with pytest.raises(grpc.RpcError) as bug:  # anything else is a bug, and keeps its traceback
        engine.stub.Check(
            provider_pb2.CheckRequest(urn=urn("apps"), news=struct({"name": "bug", "__provider": not_a_provider}))
        )
    assert "Traceback" in (bug.value.details() or "")
