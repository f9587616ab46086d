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

from .neighbours import (
    SUBNET,
    VPC,
    allow,
    attached_ip,
    call,
    dns_params,
    long_term_token,
    make_namespace,
    make_repository,
    open_public_access,
    policies,
)

REGION = "ap-guangzhou"
NAMESPACE_TAGS = {"ResourceType": "namespace", "Tags": [{"Key": "team", "Value": "x"}]}


def resource(registry_id: str) -> str:
    return f"qcs::tcr:{REGION}:uin/:instance/{registry_id}"


def after(_prepared: object, params: dict) -> dict:
    """``params``, once the step evaluated as the first argument has prepared what the call needs."""
    return params


def with_dns(api, rid):
    ip = attached_ip(api, rid)
    call(api, "CreateInternalEndpointDns", **dns_params(rid, ip))
    return dns_params(rid, ip)


def with_namespace(api, rid):
    make_namespace(api, rid, TagSpecification=NAMESPACE_TAGS, CVEWhitelistItems=[{"CVEID": "CVE-2021-44228"}])
    return {"RegistryId": rid, "NamespaceName": "team"}


def with_repository(api, rid):
    make_namespace(api, rid)
    make_repository(api, rid)
    return {"RegistryId": rid, "NamespaceName": "team", "RepositoryName": "app"}


def with_policy(api, rid):
    open_public_access(api, rid)
    allow(api, rid, "203.0.113.0/24")
    (policy,) = policies(api, rid)
    return {"RegistryId": rid, "SecurityGroupPolicySet": [{"PolicyIndex": 0, "PolicyVersion": policy.PolicyVersion}]}


# Each case builds its parameters from the Api and a Running instance's id, preparing what the call needs.
CALLS = [
    ("tcr", "CreateInstance", lambda api, _: {"RegistryName": "contract-new", "RegistryType": "standard"}),
    ("tcr", "DescribeInstances", lambda api, _: {}),
    ("tcr", "DescribeInstanceStatus", lambda api, rid: {"RegistryIds": [rid]}),
    ("tcr", "ModifyInstance", lambda api, rid: {"RegistryId": rid, "RegistryType": "premium"}),
    ("tcr", "DeleteInstance", lambda api, rid: {"RegistryId": rid}),
    ("tcr", "CheckInstanceName", lambda api, _: {"RegistryName": "contract-registry"}),
    ("tcr", "ManageExternalEndpoint", lambda api, rid: {"RegistryId": rid, "Operation": "Create"}),
    ("tcr", "DescribeExternalEndpointStatus", lambda api, rid: {"RegistryId": rid}),
    (
        "tcr",
        "ManageInternalEndpoint",
        lambda api, rid: {"RegistryId": rid, "Operation": "Create", "VpcId": VPC, "SubnetId": SUBNET},
    ),
    ("tcr", "DescribeInternalEndpoints", lambda api, rid: after(attached_ip(api, rid), {"RegistryId": rid})),
    ("tcr", "CreateInternalEndpointDns", lambda api, rid: dns_params(rid, attached_ip(api, rid))),
    ("tcr", "DescribeInternalEndpointDnsStatus", lambda api, rid: {"VpcSet": [with_dns(api, rid)]}),
    ("tcr", "DeleteInternalEndpointDns", with_dns),
    (
        "tcr",
        "CreateNamespace",
        lambda api, rid: {"RegistryId": rid, "NamespaceName": "team", "IsPublic": True, "Severity": "high"},
    ),
    ("tcr", "DescribeNamespaces", lambda api, rid: after(with_namespace(api, rid), {"RegistryId": rid})),
    ("tcr", "ModifyNamespace", lambda api, rid: {**with_namespace(api, rid), "IsPublic": True}),
    ("tcr", "DeleteNamespace", with_namespace),
    ("tcr", "CreateRepository", lambda api, rid: {**with_namespace(api, rid), "RepositoryName": "app"}),
    ("tcr", "DescribeRepositories", lambda api, rid: after(with_repository(api, rid), {"RegistryId": rid})),
    ("tcr", "DeleteRepository", with_repository),
    ("tcr", "CreateInstanceToken", lambda api, rid: {"RegistryId": rid, "TokenType": "longterm", "Desc": "ci"}),
    ("tcr", "DescribeInstanceToken", lambda api, rid: after(long_term_token(api, rid), {"RegistryId": rid})),
    (
        "tcr",
        "ModifyInstanceToken",
        lambda api, rid: {"RegistryId": rid, "TokenId": long_term_token(api, rid).TokenId, "Enable": False},
    ),
    (
        "tcr",
        "DeleteInstanceToken",
        lambda api, rid: {"RegistryId": rid, "TokenId": long_term_token(api, rid).TokenId},
    ),
    (
        "tcr",
        "CreateMultipleSecurityPolicy",
        lambda api, rid: after(
            open_public_access(api, rid),
            {"RegistryId": rid, "SecurityGroupPolicySet": [{"CidrBlock": "198.51.100.7", "Description": "ci"}]},
        ),
    ),
    ("tcr", "DeleteMultipleSecurityPolicy", with_policy),
    ("tcr", "DescribeSecurityPolicies", lambda api, rid: after(with_policy(api, rid), {"RegistryId": rid})),
    (
        "tag",
        "ModifyResourceTags",
        lambda api, rid: {"Resource": resource(rid), "ReplaceTags": [{"TagKey": "a", "TagValue": "b"}]},
    ),
    (
        "tag",
        "TagResources",
        lambda api, rid: {
            "ResourceList": [resource(rid), resource("tcr-00000000")],
            "Tags": [{"TagKey": "a", "TagValue": "b"}],
        },
    ),
    (
        "tag",
        "UnTagResources",
        lambda api, rid: {
            "ResourceList": [resource(rid), "qcs::cvm:ap-guangzhou:uin/:instance/ins-1"],
            "TagKeys": ["team"],
        },
    ),
    (
        "tag",
        "DescribeResourceTagsByResourceIds",
        lambda api, rid: {
            "ServiceType": "tcr",
            "ResourcePrefix": "instance",
            "ResourceIds": [rid],
            "ResourceRegion": REGION,
        },
    ),
    ("cam", "GetUserAppId", lambda api, _: {}),
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
    response = json.loads(client.call(action, params(api, registry_id)))["Response"]
    assert "Error" not in response, response

    models = importlib.import_module(type(client).__module__.rsplit(".", 1)[0] + ".models")
    model = getattr(models, f"{action}Response")()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model._deserialize(response)
    assert set(response) <= {name[1:] for name in vars(model)}, "fields the SDK model does not have"
    assert model.RequestId == response["RequestId"]
