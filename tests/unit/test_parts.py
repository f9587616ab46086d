"""The declarations of a registry's parts: what check refuses (at preview, naming the field) and what changes do."""

from __future__ import annotations

import base64
import json
from typing import Any

import pulumi
import pytest

from tcr_provider import (
    AccessToken,
    ClusterRegistry,
    ClusterRegistryArgs,
    InstanceArgs,
    Namespace,
    PublicAccess,
    VpcAttachment,
)
from tcr_provider.components import COMPONENT_TYPE, docker_config_json
from tcr_provider.fields import Schema
from tcr_provider.resources.access_token import ACCESS_TOKEN
from tcr_provider.resources.namespace import NAMESPACE
from tcr_provider.resources.public_access import DEFAULT_DESCRIPTION, PUBLIC_ACCESS
from tcr_provider.resources.vpc_attachment import VPC_ATTACHMENT

REGISTRY = {"registryId": "tcr-a1b2c3d4", "region": "ap-guangzhou"}


def refused(schema: Schema, **props: Any) -> dict[str, str]:
    inputs, failures = schema.validate({**REGISTRY, **props})
    assert inputs is None, f"{props} passed"
    return {f.property: f.reason for f in failures}


def valid(schema: Schema, **props: Any) -> dict[str, Any]:
    inputs, failures = schema.validate({**REGISTRY, **props})
    assert failures == [] and inputs is not None
    return inputs.state()


@pytest.mark.parametrize(
    ("resource", "token"),
    [
        (VpcAttachment, "VpcAttachment"),
        (Namespace, "Namespace"),
        (AccessToken, "AccessToken"),
        (PublicAccess, "PublicAccess"),
    ],
)
def test_each_part_has_the_type_token_of_the_interface(resource: type, token: str) -> None:
    assert resource._resource_type_name == f"dynamic/tcr:{token}"  # type: ignore[attr-defined]


def test_component_type_is_fixed() -> None:
    assert COMPONENT_TYPE == "tcr:index:ClusterRegistry" and issubclass(ClusterRegistry, object)


@pytest.mark.parametrize("registry_id", ["tcr-1", "TCR-A1B2C3D4", "cr-a1b2c3d4", 12])
def test_a_registry_id_that_cannot_be_one_is_refused(registry_id: Any) -> None:
    reasons = refused(NAMESPACE, registryId=registry_id, name="apps")
    assert "registryId" in reasons and "registryId" in reasons["registryId"]


@pytest.mark.parametrize("name", ["a", "Apps", "-apps", "apps-", "ap..ps", "a" * 31, "apps/x"])
def test_bad_namespace_names_are_refused_with_the_rule(name: str) -> None:
    assert "lower-case" in refused(NAMESPACE, name=name)["name"]


def test_namespace_defaults_are_private_and_unscanned() -> None:
    state = valid(NAMESPACE, name="apps")
    assert state["isPublic"] is False and state["autoScan"] is False and state["cveAllowlist"] == []
    assert NAMESPACE.create_params(valid(NAMESPACE, name="apps")) == {
        "NamespaceName": "apps",
        "IsPublic": False,
        "IsAutoScan": False,
        "IsPreventVUL": False,
        "CVEWhitelistItems": [],
        "TagSpecification": {"ResourceType": "namespace", "Tags": []},
    }


def test_blocking_and_severity_go_together() -> None:
    assert "needs severity" in refused(NAMESPACE, name="apps", blockVulnerable=True)["severity"]
    assert "only with block_vulnerable" in refused(NAMESPACE, name="apps", severity="high")["severity"]
    assert valid(NAMESPACE, name="apps", blockVulnerable=True, severity="high")["severity"] == "high"


def test_cve_ids_and_strict_booleans() -> None:
    assert "CVE id" in refused(NAMESPACE, name="apps", cveAllowlist=["2024-1"])["cveAllowlist"]
    assert "isPublic" in refused(NAMESPACE, name="apps", isPublic="yes")
    assert "enabled" in refused(ACCESS_TOKEN, enabled=1)


@pytest.mark.parametrize(
    ("key", "value"), [("vpcId", "vpc-1"), ("subnetId", "subnet-ABCDEFGH"), ("vpcId", "subnet-1a2b3c4d")]
)
def test_vpc_and_subnet_ids_are_checked(key: str, value: str) -> None:
    props = {"vpcId": "vpc-1a2b3c4d", "subnetId": "subnet-1a2b3c4d", key: value}
    assert "looks like" in refused(VPC_ATTACHMENT, **props)[key]


def test_an_empty_allowlist_is_refused_unless_open_to_all_says_so() -> None:
    assert "open_to_all=True" in refused(PUBLIC_ACCESS)["allow"]
    assert valid(PUBLIC_ACCESS, openToAll=True)["allow"] == []
    assert "openToAll" in refused(PUBLIC_ACCESS, openToAll=True, allow=[{"cidr": "10.0.0.0/8"}])


@pytest.mark.parametrize(
    ("allow", "needle"),
    [
        ([{"cidr": "10.0.0.1/24"}], "write the block as 10.0.0.0/24"),
        ([{"cidr": "not-a-cidr"}], "not an IPv4 CIDR"),
        ([{"cidr": "0.0.0.0/0"}], "open_to_all=True"),
        ([{"cidr": "10.0.0.0/8"}, {"cidr": "10.0.0.0/8"}], "twice"),
        ([{"cidr": "10.0.0.0/8", "comment": "x"}], "takes cidr and description"),
    ],
)
def test_bad_allowlist_entries_are_refused(allow: list[dict[str, str]], needle: str) -> None:
    assert needle in refused(PUBLIC_ACCESS, allow=allow)["allow"]


def test_the_allowlist_is_kept_in_one_order_so_reordering_is_no_change() -> None:
    first = valid(PUBLIC_ACCESS, allow=[{"cidr": "198.51.100.7"}, {"cidr": "10.0.0.0/8", "description": "office"}])
    second = valid(PUBLIC_ACCESS, allow=[{"cidr": "10.0.0.0/8", "description": "office"}, {"cidr": "198.51.100.7/32"}])
    assert first["allow"] == [
        {"cidr": "10.0.0.0/8", "description": "office"},
        {"cidr": "198.51.100.7/32", "description": DEFAULT_DESCRIPTION},
    ]
    assert PUBLIC_ACCESS.diff(first, second)[0] == []


def test_a_new_subnet_replaces_the_attachment_deleting_the_old_one_first() -> None:
    # The VPC's private DNS records can point at one access IP only, so the successor cannot be finished
    # while its predecessor's records stand.
    old = valid(VPC_ATTACHMENT, vpcId="vpc-1a2b3c4d", subnetId="subnet-1a2b3c4d")
    new = valid(VPC_ATTACHMENT, vpcId="vpc-1a2b3c4d", subnetId="subnet-9z8y7x6w")
    assert VPC_ATTACHMENT.diff(old, new) == (["subnetId"], ["subnetId"], True)


@pytest.mark.parametrize(
    ("schema", "base", "change", "replaces"),
    [
        (VPC_ATTACHMENT, {"vpcId": "vpc-1a2b3c4d", "subnetId": "subnet-1a2b3c4d"}, {"vpcId": "vpc-9z8y7x6w"}, True),
        (VPC_ATTACHMENT, {"vpcId": "vpc-1a2b3c4d", "subnetId": "subnet-1a2b3c4d"}, {"enableVpcDomainDns": True}, False),
        (NAMESPACE, {"name": "apps"}, {"name": "apps2"}, True),
        (NAMESPACE, {"name": "apps"}, {"isPublic": True}, False),
        (ACCESS_TOKEN, {}, {"enabled": False}, False),
        (ACCESS_TOKEN, {}, {"registryId": "tcr-z9y8x7w6"}, True),
        (PUBLIC_ACCESS, {"openToAll": True}, {"openToAll": False, "allow": [{"cidr": "10.0.0.0/8"}]}, False),
    ],
)
def test_changes_replace_or_update_as_declared(
    schema: Schema, base: dict[str, Any], change: dict[str, Any], replaces: bool
) -> None:
    old = valid(schema, **base)
    new = valid(schema, **{**base, **change})
    changed, replaced, delete_first = schema.diff(old, new)
    assert set(changed) == set(change) - {k for k in change if old.get(k) == new.get(k)}
    assert bool(replaced) is replaces and delete_first is False


def test_docker_config_json_is_what_kubernetes_reads() -> None:
    document = json.loads(docker_config_json("shop.tencentcloudcr.com", "100012345678", "s3cr3t"))
    entry = document["auths"]["shop.tencentcloudcr.com"]
    assert entry["username"] == "100012345678" and entry["password"] == "s3cr3t"
    assert base64.b64decode(entry["auth"]).decode() == "100012345678:s3cr3t"


def test_both_spellings_of_a_dns_record_being_on_are_read_as_on() -> None:
    from tcr_provider.cloud.network import DNS_ON

    assert {"ENABLE", "ENABLED"} <= DNS_ON and "DISABLE" not in DNS_ON


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        ({"pull_domain": "Public"}, "pull_domain: 'Public' is neither 'public' nor 'vpc'"),
        ({"namespaces": "web"}, "namespaces: give a list of strings, such as ['web'], not str"),
        ({"namespaces": ["web", "api", "web"]}, "namespaces: lists web twice"),
        ({"ci_cidrs": ["0.0.0.0/0"]}, "ci_cidrs: 0.0.0.0/0 admits every address"),
        ({"ci_cidrs": ["10.0.0.1/24"]}, "ci_cidrs: '10.0.0.1/24' has host bits set; write the block as 10.0.0.0/24"),
        ({"ci_cidrs": []}, "ci_cidrs: is empty"),
    ],
)
def test_a_cluster_registrys_own_arguments_are_refused_before_anything_is_declared(
    extra: dict[str, Any], named: str
) -> None:
    args = ClusterRegistryArgs(
        instance=InstanceArgs(name="team-apps"), vpc_id="vpc-0a1b2c3d", subnet_id="subnet-0a1b2c3d", **extra
    )
    with pytest.raises(pulumi.RunError) as refused:
        ClusterRegistry("shop", args)
    assert named in str(refused.value) and "open_to_all" not in str(refused.value)
