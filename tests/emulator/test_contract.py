"""Contract: every response deserializes into the SDK's own models with no unknown or misspelt field.

Nested SDK models warn about fields they do not know; top-level Response models do not, so their keys
are compared with the model's attributes here.
"""

from __future__ import annotations

import importlib
import json
import warnings

import pytest

from tcr_provider.emulator.services import Account, Cloud, Timings
from tcr_provider.emulator.services.cos.api import ACTIONS as COS_ACTIONS

REGION = "ap-guangzhou"


def resource(registry_id: str) -> str:
    return f"qcs::tcr:{REGION}:uin/:instance/{registry_id}"


CALLS = [
    ("tcr", "CreateInstance", lambda _: {"RegistryName": "contract-new", "RegistryType": "standard"}),
    ("tcr", "DescribeInstances", lambda _: {}),
    ("tcr", "DescribeInstanceStatus", lambda rid: {"RegistryIds": [rid]}),
    ("tcr", "ModifyInstance", lambda rid: {"RegistryId": rid, "RegistryType": "premium"}),
    ("tcr", "DeleteInstance", lambda rid: {"RegistryId": rid}),
    ("tcr", "CheckInstanceName", lambda _: {"RegistryName": "contract-registry"}),
    ("tcr", "ManageExternalEndpoint", lambda rid: {"RegistryId": rid, "Operation": "Create"}),
    ("tcr", "DescribeExternalEndpointStatus", lambda rid: {"RegistryId": rid}),
    (
        "tag",
        "ModifyResourceTags",
        lambda rid: {"Resource": resource(rid), "ReplaceTags": [{"TagKey": "a", "TagValue": "b"}]},
    ),
    (
        "tag",
        "TagResources",
        lambda rid: {
            "ResourceList": [resource(rid), resource("tcr-00000000")],
            "Tags": [{"TagKey": "a", "TagValue": "b"}],
        },
    ),
    (
        "tag",
        "UnTagResources",
        lambda rid: {"ResourceList": [resource(rid), "qcs::cvm:ap-guangzhou:uin/:instance/ins-1"], "TagKeys": ["team"]},
    ),
    (
        "tag",
        "DescribeResourceTagsByResourceIds",
        lambda rid: {
            "ServiceType": "tcr",
            "ResourcePrefix": "instance",
            "ResourceIds": [rid],
            "ResourceRegion": REGION,
        },
    ),
    ("cam", "GetUserAppId", lambda _: {}),
]


def test_every_emulated_action_has_a_contract_case():
    emulated = Cloud(Account("1", 1), Timings(0, 0, 0)).action_names()
    # COS answers XML, not API 3.0 envelopes: the COS SDK itself reads those answers in test_cos.py.
    assert emulated - set(COS_ACTIONS) == {action for _, action, _ in CALLS}


@pytest.mark.parametrize("service, action, params", CALLS, ids=[action for _, action, _ in CALLS])
def test_response_matches_the_sdk_model(api, service, action, params):
    registry_id = api.create(
        "contract-registry", TagSpecification={"ResourceType": "instance", "Tags": [{"Key": "team", "Value": "x"}]}
    )
    client = getattr(api, service)()
    response = json.loads(client.call(action, params(registry_id)))["Response"]
    assert "Error" not in response, response

    models = importlib.import_module(type(client).__module__.rsplit(".", 1)[0] + ".models")
    model = getattr(models, f"{action}Response")()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model._deserialize(response)
    assert set(response) <= {name[1:] for name in vars(model)}, "fields the SDK model does not have"
    assert model.RequestId == response["RequestId"]
