"""Control endpoints, fault rules and the rate limit."""

from __future__ import annotations

import json

import pytest
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException

from tcr_provider.emulator import Emulator


def describe(api, client=None):
    return api.invoke(client or api.tcr(), "DescribeInstances")


# --- state and reset ---


def test_state_counts_every_request_whatever_its_outcome(api):
    api.create()
    describe(api)
    with api.raises("AuthFailure.SignatureFailure"):
        describe(api, api.tcr(secret_key="wrong"))
    api.add_faults({"action": "DescribeInstances", "error": "InternalError"})
    with api.raises("InternalError"):
        describe(api)
    state = api.state()
    assert state["requests"] == {"CreateInstance": 1, "DescribeInstances": 3}
    assert [r["RegistryName"] for r in state["instances"]] == ["demo-registry"]
    assert set(state) == {"instances", "registries", "buckets", "requests"}


def test_state_shows_instances_as_describe_instances_does(api):
    api.create(region="ap-tokyo", TagSpecification={"ResourceType": "instance", "Tags": [{"Key": "a", "Value": "b"}]})
    described = json.loads(api.tcr("ap-tokyo").call("DescribeInstances", {}))["Response"]["Registries"]
    assert api.state()["instances"] == described


def test_reset_forgets_everything(api):
    registry_id = api.create(TagSpecification={"ResourceType": "instance", "Tags": [{"Key": "a", "Value": "b"}]})
    api.add_faults({"action": "DescribeInstances", "error": "InternalError"})
    assert api.control("POST", "reset") == (200, {})
    assert api.state() == {"instances": [], "registries": {}, "buckets": [], "requests": {}}
    assert describe(api).TotalCount == 0
    response = api.invoke(
        api.tag(),
        "DescribeResourceTagsByResourceIds",
        {
            "ServiceType": "tcr",
            "ResourcePrefix": "instance",
            "ResourceIds": [registry_id],
            "ResourceRegion": "ap-guangzhou",
        },
    )
    assert response.TotalCount == 0


@pytest.mark.parametrize(
    "method, name, status",
    [("GET", "nothing", 404), ("GET", "reset", 405), ("POST", "state", 405)],
)
def test_unknown_control_calls_are_refused(api, method, name, status):
    assert api.control(method, name, {} if method == "POST" else None)[0] == status


# --- fault rules ---


def test_error_rule_answers_with_its_code_then_expires(api):
    api.add_faults({"action": "CreateInstance", "error": "InternalError.ErrorConflict"})
    with api.raises("InternalError.ErrorConflict"):
        api.create()
    assert api.state()["instances"] == []
    api.create()


def test_count_and_wildcard_rules_hit_in_order(api):
    api.add_faults(
        {"action": "*", "error": "FailedOperation.GetTcrClient", "count": 2},
        {"action": "DescribeInstances", "error": "RequestLimitExceeded"},
    )
    with api.raises("FailedOperation.GetTcrClient"):
        api.invoke(api.cam(), "GetUserAppId")
    with api.raises("FailedOperation.GetTcrClient"):
        describe(api)
    with api.raises("RequestLimitExceeded"):
        describe(api)
    assert describe(api).TotalCount == 0


def test_http_status_rule_is_a_server_network_error(api):
    api.add_faults({"action": "DescribeInstances", "http_status": 500})
    with api.raises("ServerNetworkError"):
        describe(api)


def test_delay_rule_answers_late_but_normally(api):
    api.add_faults(
        {"action": "DescribeInstances", "delay_seconds": 1.0}, {"action": "DescribeInstances", "delay_seconds": 0.05}
    )
    with api.raises("ClientNetworkError"):
        describe(api, api.tcr(timeout=0.3))
    assert describe(api).TotalCount == 0


def test_drop_response_rule_performs_the_call_without_answering(api):
    api.add_faults({"action": "CreateInstance", "drop_response": True})
    with api.raises("ClientNetworkError"):
        api.create("dropped-registry")
    (created,) = api.state()["instances"]
    assert (created["RegistryName"], created["Status"]) == ("dropped-registry", "Running")
    with api.raises("InvalidParameter.ErrorNameExists"):
        api.create("dropped-registry")


def test_final_status_rule_settles_the_instance_with_a_reason(api):
    api.add_faults({"action": "*", "final_status": "FailedCreated"})
    assert describe(api).TotalCount == 0  # a final_status rule waits for CreateInstance
    registry_id = api.create()
    (status,) = api.invoke(api.tcr(), "DescribeInstanceStatus", {"RegistryIds": [registry_id]}).RegistryStatusSet
    assert status.Status == "FailedCreated"
    (condition,) = status.Conditions
    assert (condition.Type, condition.Status) == ("Ready", "False")
    assert "failed" in condition.Reason.lower()
    assert api.registry(registry_id).Status == "FailedCreated"
    assert api.registry(api.create("next-registry")).Status == "Running"


def test_a_batch_with_an_unknown_id_is_answered_both_ways(api):
    registry_id = api.create()
    batch = {"Registryids": [registry_id, "tcr-unknown1"]}
    assert [r.RegistryId for r in api.invoke(api.tcr(), "DescribeInstances", batch).Registries] == [registry_id]
    api.add_faults({"action": "*", "unknown_id_not_found": True, "count": 2})
    assert api.invoke(api.tcr(), "CreateInstance", {"RegistryName": "other-registry", "RegistryType": "basic"})
    with api.raises("ResourceNotFound"):
        api.invoke(api.tcr(), "DescribeInstances", batch)
    assert api.invoke(api.tcr(), "DescribeInstances", {"Registryids": [registry_id]}).TotalCount == 1
    status, document = api.control("POST", "faults", [{"action": "CreateInstance", "unknown_id_not_found": True}])
    assert status == 400 and "DescribeInstances only" in json.dumps(document)


def test_final_status_deploying_never_finishes_creating(api):
    api.add_faults({"action": "CreateInstance", "final_status": "Deploying"})
    registry_id = api.create()
    assert api.registry(registry_id).Status == "Deploying"
    api.invoke(api.tcr(), "DeleteInstance", {"RegistryId": registry_id})
    assert api.state()["instances"] == []


@pytest.mark.parametrize(
    "rule",
    [
        {"action": "DescribeNothing", "error": "InternalError"},
        {"action": "CreateInstance"},
        {"action": "CreateInstance", "error": "InternalError", "delay_seconds": 1},
        {"action": "CreateInstance", "final_status": "Sleeping"},
        {"action": "DeleteInstance", "final_status": "FailedCreated"},
        {"action": "CreateInstance", "http_status": 200},
        {"action": "CreateInstance", "error": "InternalError", "count": 0},
        {"action": "CreateInstance", "explode": True},
    ],
)
def test_malformed_fault_rules_are_refused(api, rule):
    status, document = api.control("POST", "faults", rule)
    assert status == 400
    assert document["error"]


def test_one_rule_without_a_list_is_accepted(api):
    status, document = api.control("POST", "faults", {"action": "CreateInstance", "error": "InternalError"})
    assert (status, document) == (200, {"faults": [{"action": "CreateInstance", "count": 1, "error": "InternalError"}]})


# --- rate limit ---


def test_rate_limit_answers_request_limit_exceeded(api_for):
    with Emulator(rate_limit=3) as emulator:
        api = api_for(emulator)
        client = api.tcr()
        outcomes = []
        for _ in range(8):
            try:
                describe(api, client)
                outcomes.append("ok")
            except TencentCloudSDKException as error:
                outcomes.append(error.code)
        assert outcomes[:3] == ["ok"] * 3
        assert "RequestLimitExceeded" in outcomes
        # The limit is per action: another action is still served.
        assert api.invoke(client, "CheckInstanceName", {"RegistryName": "fresh-name"}).IsValidated


def test_rate_limit_zero_turns_the_limit_off(api):
    client = api.tcr()
    for _ in range(30):
        describe(api, client)
