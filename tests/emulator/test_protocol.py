"""API 3.0 protocol: signatures, routing, parameter checks, GET queries and the answer's envelope."""

from __future__ import annotations

import time
import uuid

import pytest

from tcr_provider.emulator.errors import InvalidParameterValue
from tcr_provider.emulator.protocol import decode_query


def test_answers_are_json_with_a_request_id(api):
    response, document = api.raw("DescribeInstances")
    assert response.status == 200
    assert response.getheader("Content-Type") == "application/json"
    assert uuid.UUID(document["Response"]["RequestId"])


def test_errors_use_the_same_envelope(api):
    response, document = api.raw("DescribeInstances", {"Limit": "ten"})
    assert response.status == 200
    assert response.getheader("Content-Type") == "application/json"
    assert document["Response"]["Error"]["Code"] == "InvalidParameterValue"
    assert uuid.UUID(document["Response"]["RequestId"])


def test_wrong_secret_key_is_signature_failure(api):
    with api.raises("AuthFailure.SignatureFailure"):
        api.invoke(api.tcr(secret_key="not-the-key"), "DescribeInstances")


def test_unknown_secret_id_is_secret_id_not_found(api):
    with api.raises("AuthFailure.SecretIdNotFound"):
        api.invoke(api.tcr(secret_id="AKIDSOMEONEELSE"), "DescribeInstances")


@pytest.mark.parametrize("skew", [-301, 301])
def test_timestamp_over_five_minutes_off_is_signature_expire(api, skew):
    _, document = api.raw("DescribeInstances", timestamp=int(time.time()) + skew)
    assert document["Response"]["Error"]["Code"] == "AuthFailure.SignatureExpire"


def test_timestamp_within_five_minutes_is_accepted(api):
    _, document = api.raw("DescribeInstances", timestamp=int(time.time()) - 240)
    assert "Error" not in document["Response"]


def test_a_changed_body_breaks_the_signature(api):
    _, document = api.raw("DescribeInstances", {"Limit": 1}, body=b'{"Limit": 2}')
    assert document["Response"]["Error"]["Code"] == "AuthFailure.SignatureFailure"


def test_signature_covers_the_raw_host_header(api):
    _, document = api.raw("DescribeInstances", signed_host="tcr.tencentcloudapi.com")
    assert document["Response"]["Error"]["Code"] == "AuthFailure.SignatureFailure"


def test_a_request_without_tc3_authorization_is_refused(api):
    _, document = api.raw("DescribeInstances", headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert document["Response"]["Error"]["Code"] == "AuthFailure.InvalidAuthorization"


def test_session_token_is_accepted(api):
    response = api.invoke(api.tcr(token="a-session-token"), "DescribeInstances")
    assert response.TotalCount == 0


def test_unsigned_payload_is_accepted(api):
    client = api.tcr()
    client.profile.unsignedPayload = True
    assert api.invoke(client, "DescribeInstances", {"Limit": 1}).TotalCount == 0


def test_unknown_action_is_invalid_action(api):
    with api.raises("InvalidAction"):
        api.tcr().call("DescribeNothing", {})


def test_unknown_service_is_invalid_action(api):
    _, document = api.raw("DescribeInstances", service="cvm")
    assert document["Response"]["Error"]["Code"] == "InvalidAction"


def test_wrong_version_is_no_such_version(api):
    _, document = api.raw("DescribeInstances", headers={"X-TC-Version": "2017-03-12"})
    assert document["Response"]["Error"]["Code"] == "NoSuchVersion"


def test_tcr_calls_need_a_region(api):
    with api.raises("MissingParameter"):
        api.invoke(api.tcr(region=""), "DescribeInstances")


def test_missing_required_parameter(api):
    with api.raises("MissingParameter") as caught:
        api.tcr().call("CreateInstance", {"RegistryName": "demo-registry"})
    assert "RegistryType" in caught.value.message


@pytest.mark.parametrize(
    "params, name",
    [
        ({"RegistryName": "demo-registry", "RegistryType": "basic", "Colour": "red"}, "Colour"),
        (
            {
                "RegistryName": "demo-registry",
                "RegistryType": "basic",
                "TagSpecification": {"ResourceType": "instance", "Tags": [{"Key": "a", "Value": "b", "Kind": "x"}]},
            },
            "TagSpecification.Tags.0.Kind",
        ),
    ],
)
def test_unknown_parameter(api, params, name):
    with api.raises("UnknownParameter") as caught:
        api.tcr().call("CreateInstance", params)
    assert name in caught.value.message
    assert api.state()["instances"] == []


@pytest.mark.parametrize(
    "action, params",
    [
        ("DescribeInstances", {"Limit": "ten"}),
        ("DescribeInstances", {"AllRegion": "yes"}),
        ("DescribeInstances", {"Registryids": "tcr-12345678"}),
        ("CreateInstance", {"RegistryName": "demo-registry", "RegistryType": "basic", "DeletionProtection": 1}),
        ("CreateInstance", {"RegistryName": "demo-registry", "RegistryType": "basic", "RegistryChargeType": True}),
    ],
)
def test_wrong_type_is_invalid_parameter_value(api, action, params):
    with api.raises("InvalidParameterValue"):
        api.tcr().call(action, params)


def test_get_requests_carry_dotted_lists_and_filters(api):
    first, second = api.create("first-registry"), api.create("second-registry")
    get = api.tcr(method="GET")
    by_id = api.invoke(get, "DescribeInstances", {"Registryids": [second, "tcr-00000000"]})
    assert [r.RegistryId for r in by_id.Registries] == [second]
    by_name = api.invoke(
        get, "DescribeInstances", {"Filters": [{"Name": "RegistryName", "Values": ["first-registry"]}], "Limit": 5}
    )
    assert [r.RegistryId for r in by_name.Registries] == [first]


def test_get_requests_read_booleans_and_integers_as_declared(api):
    params = {
        "RegistryName": "prepaid-registry",
        "RegistryType": "standard",
        "DeletionProtection": True,
        "RegistryChargeType": 1,
        "RegistryChargePrepaid": {"Period": 3, "RenewFlag": 1},
    }
    registry_id = api.invoke(api.tcr(method="GET"), "CreateInstance", params).RegistryId
    registry = api.registry(registry_id)
    assert (registry.DeletionProtection, registry.PayMod, registry.RenewFlag) == (True, 1, 1)


def test_dotted_query_becomes_nested_lists():
    assert decode_query("Registryids.0=a&Registryids.1=b&Filters.0.Name=n&Filters.0.Values.0=v") == {
        "Registryids": ["a", "b"],
        "Filters": [{"Name": "n", "Values": ["v"]}],
    }


@pytest.mark.parametrize("query", ["Registryids.1=a", "Registryids.0=a&Registryids.2=b", "A=1&A.0=2"])
def test_dotted_query_with_gaps_or_clashes_is_refused(query):
    with pytest.raises(InvalidParameterValue):
        decode_query(query)
