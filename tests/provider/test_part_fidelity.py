"""The parts read against the sources, as the Instance was: each test shows one thing the real API does (its
source is in docs/api-fidelity.md), through the real SDK against the emulator."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from pulumi.dynamic import ConfigureRequest
from pulumi.dynamic.config import Config

from tcr_provider.cloud.transport import paced_rate
from tcr_provider.emulator import Emulator
from tcr_provider.errors import ApiError, NamespaceNotEmpty
from tcr_provider.lifecycle import PartProvider
from tcr_provider.resources.access_token import AccessTokenProvider
from tcr_provider.resources.namespace import NamespaceProvider
from tcr_provider.resources.public_access import DEFAULT_DESCRIPTION, PublicAccessProvider
from tcr_provider.resources.vpc_attachment import VpcAttachmentProvider
from tcr_provider.testing import buy_running_out_of_band

from ..support import Control, provider_config, sdk_call

VPC, SUBNET, OTHER_SUBNET = "vpc-0a1b2c3d", "subnet-0a1b2c3d", "subnet-9z8y7x6w"
GONE_REGISTRY = "tcr-00000000"


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    with Emulator(create_seconds=0.1, delete_seconds=0.1, modify_seconds=0.2, rate_limit=0) as emu:
        yield emu


def configured(kind: type[PartProvider], emulator: Emulator) -> Any:
    provider = kind()
    provider.configure(ConfigureRequest(Config(dict(provider_config(emulator)), "testing")))
    return provider


def created(provider: PartProvider, **props: Any) -> tuple[str, dict[str, Any]]:
    result = provider.check({}, props)
    assert result.failures == [], [f.reason for f in result.failures]
    made = provider.create(dict(result.inputs))
    assert made.outs is not None
    return str(made.id), dict(made.outs)


def updated(provider: PartProvider, id_: str, olds: dict[str, Any], **changes: Any) -> dict[str, Any]:
    news = provider.check(olds, {**{k: v for k, v in olds.items() if k in provider.schema.by_key}, **changes})
    assert news.failures == [], [f.reason for f in news.failures]
    result = provider.update(id_, olds, dict(news.inputs))
    return dict(result.outs or {})


def namespace_of(emulator: Emulator, registry_id: str, name: str) -> dict[str, Any]:
    answer = sdk_call(emulator, "tcr", "DescribeNamespaces", {"RegistryId": registry_id, "All": True})
    return next(n for n in answer["NamespaceList"] if n["Name"] == name)


# --- namespaces ------------------------------------------------------------------------------------------


def test_namespace_tags_change_through_the_tag_api_not_modify_namespace(emulator: Emulator, control: Control) -> None:
    registry_id = buy_running_out_of_band(emulator, "ns-tags")
    provider = configured(NamespaceProvider, emulator)
    id_, outs = created(provider, registryId=registry_id, name="web", tags={"team": "a", "tier": "1"})
    updated(provider, id_, outs, tags={"team": "b", "cost": "x"})
    tags = {t["Key"]: t["Value"] for t in namespace_of(emulator, registry_id, "web")["TagSpecification"]["Tags"]}
    assert tags == {"team": "b", "cost": "x"}
    assert all("TagSpecification" not in sent for sent in control.sent("ModifyNamespace"))
    (retag,) = control.sent("ModifyResourceTags")
    assert retag["Resource"] == f"qcs::tcr:ap-guangzhou:uin/:repository/{registry_id}/web"
    read = provider.read(id_, outs)
    assert read.inputs is not None and read.inputs["tags"] == {"team": "b", "cost": "x"}


def test_a_namespace_modify_sends_the_cve_allowlist_only_when_it_changes(emulator: Emulator, control: Control) -> None:
    registry_id = buy_running_out_of_band(emulator, "ns-cves")
    provider = configured(NamespaceProvider, emulator)
    id_, outs = created(provider, registryId=registry_id, name="web", cveAllowlist=["CVE-2021-44228"])
    outs = updated(provider, id_, outs, isPublic=True)
    updated(provider, id_, outs, cveAllowlist=[])
    first, second = control.sent("ModifyNamespace")
    assert "CVEWhitelistItems" not in first and first["IsPublic"] is True
    assert second["CVEWhitelistItems"] == []
    assert namespace_of(emulator, registry_id, "web")["CVEWhitelistItems"] == []


def test_a_namespace_is_found_by_its_exact_name_past_the_first_page_of_a_fuzzy_match(
    emulator: Emulator, control: Control
) -> None:
    registry_id = buy_running_out_of_band(emulator, "ns-fuzzy")
    for index in range(101):
        sdk_call(
            emulator,
            "tcr",
            "CreateNamespace",
            {"RegistryId": registry_id, "NamespaceName": f"web-{index:03d}", "IsPublic": False},
        )
    provider = configured(NamespaceProvider, emulator)
    id_, outs = created(provider, registryId=registry_id, name="web")
    read = provider.read(id_, outs)
    assert read.id == id_ and read.outs is not None and read.outs["name"] == "web"


def test_a_namespace_holding_repositories_is_never_sent_to_delete_namespace(
    emulator: Emulator, control: Control
) -> None:
    registry_id = buy_running_out_of_band(emulator, "ns-repos")
    provider = configured(NamespaceProvider, emulator)
    id_, outs = created(provider, registryId=registry_id, name="web")
    sdk_call(
        emulator,
        "tcr",
        "CreateRepository",
        {"RegistryId": registry_id, "NamespaceName": "web", "RepositoryName": "app"},
    )
    with pytest.raises(NamespaceNotEmpty, match="web/app"):
        provider.delete(id_, outs)
    assert control.requests("DeleteNamespace") == 0


def test_a_namespace_delete_refused_with_an_unsourced_code_succeeds_once_the_namespace_is_gone(
    emulator: Emulator, control: Control
) -> None:
    registry_id = buy_running_out_of_band(emulator, "ns-gone")
    provider = configured(NamespaceProvider, emulator)
    id_, outs = created(provider, registryId=registry_id, name="web")
    sdk_call(emulator, "tcr", "DeleteNamespace", {"RegistryId": registry_id, "NamespaceName": "web"})
    control.fault({"action": "DeleteNamespace", "error": "ResourceNotFound.ErrNoNamespace"})
    provider.delete(id_, outs)
    id_, outs = created(provider, registryId=registry_id, name="api")
    control.fault({"action": "DeleteNamespace", "error": "FailedOperation.DependenceError"})
    with pytest.raises(ApiError, match=r"FailedOperation\.DependenceError"):
        provider.delete(id_, outs)


# --- a registry that vanished ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "id_", "props"),
    [
        (VpcAttachmentProvider, f"{GONE_REGISTRY}/{VPC}/{SUBNET}", {"vpcId": VPC, "subnetId": SUBNET}),
        (AccessTokenProvider, f"{GONE_REGISTRY}/42", {"tokenId": "42"}),
        (NamespaceProvider, f"{GONE_REGISTRY}/web", {"name": "web"}),
        (PublicAccessProvider, f"{GONE_REGISTRY}/public", {"allow": [{"cidr": "10.0.0.0/8"}]}),
    ],
    ids=["VpcAttachment", "AccessToken", "Namespace", "PublicAccess"],
)
def test_a_part_of_a_registry_that_vanished_reads_as_gone_and_deletes(
    emulator: Emulator, control: Control, kind: type[PartProvider], id_: str, props: dict[str, Any]
) -> None:
    provider = configured(kind, emulator)
    stored = {"registryId": GONE_REGISTRY, "region": "ap-guangzhou", **props}
    assert provider.read(id_, stored).id is None
    provider.delete(id_, stored)


# --- VPC access and private DNS ---------------------------------------------------------------------------


def test_a_vpc_holds_one_attachment_per_subnet(emulator: Emulator, control: Control) -> None:
    registry_id = buy_running_out_of_band(emulator, "two-subnets")
    provider = configured(VpcAttachmentProvider, emulator)
    first, first_outs = created(provider, registryId=registry_id, vpcId=VPC, subnetId=SUBNET)
    second, second_outs = created(provider, registryId=registry_id, vpcId=VPC, subnetId=OTHER_SUBNET)
    assert (first, second) == (f"{registry_id}/{VPC}/{SUBNET}", f"{registry_id}/{VPC}/{OTHER_SUBNET}")
    assert provider.read(first, first_outs).outs["subnetId"] == SUBNET  # type: ignore[index]
    provider.delete(second, second_outs)
    assert provider.read(second, second_outs).id is None
    assert provider.read(first, first_outs).id == first


def test_an_attachment_stored_under_its_old_id_is_still_read(emulator: Emulator, control: Control) -> None:
    registry_id = buy_running_out_of_band(emulator, "old-id")
    provider = configured(VpcAttachmentProvider, emulator)
    _, outs = created(provider, registryId=registry_id, vpcId=VPC, subnetId=SUBNET)
    assert provider.read(f"{registry_id}/{VPC}", outs).id == f"{registry_id}/{VPC}"
    provider.delete(f"{registry_id}/{VPC}", outs)
    assert provider.read(f"{registry_id}/{VPC}/{SUBNET}", outs).id is None


def test_each_private_dns_record_is_asked_about_in_a_call_of_its_own(emulator: Emulator, control: Control) -> None:
    registry_id = buy_running_out_of_band(emulator, "dns-one-each")
    provider = configured(VpcAttachmentProvider, emulator)
    id_, outs = created(
        provider,
        registryId=registry_id,
        vpcId=VPC,
        subnetId=SUBNET,
        enablePublicDomainDns=True,
        enableVpcDomainDns=True,
    )
    before = control.requests("DescribeInternalEndpointDnsStatus")
    read = provider.read(id_, outs)
    assert read.inputs is not None and read.inputs["enablePublicDomainDns"] and read.inputs["enableVpcDomainDns"]
    assert control.requests("DescribeInternalEndpointDnsStatus") - before == 2
    assert all(len(sent["VpcSet"]) == 1 for sent in control.sent("DescribeInternalEndpointDnsStatus"))


def test_a_dns_status_error_is_a_failed_query_and_is_asked_again(emulator: Emulator, control: Control) -> None:
    registry_id = buy_running_out_of_band(emulator, "dns-error")
    provider = configured(VpcAttachmentProvider, emulator)
    control.fault({"action": "DescribeInternalEndpointDnsStatus", "dns_status_error": True, "count": 3})
    id_, outs = created(provider, registryId=registry_id, vpcId=VPC, subnetId=SUBNET, enablePublicDomainDns=True)
    assert outs["enablePublicDomainDns"] is True
    control.fault({"action": "DescribeInternalEndpointDnsStatus", "dns_status_error": True, "count": 2})
    read = provider.read(id_, outs)
    assert read.inputs is not None and read.inputs["enablePublicDomainDns"] is True
    control.fault({"action": "DescribeInternalEndpointDnsStatus", "dns_status_error": True, "count": 2})
    outs = updated(provider, id_, outs, enablePublicDomainDns=False)
    control.fault({"action": "DescribeInternalEndpointDnsStatus", "dns_status_error": True, "count": 2})
    provider.delete(id_, outs)
    assert provider.read(id_, outs).id is None


def test_vpc_access_is_paced_at_its_published_rate_of_two_a_second() -> None:
    assert paced_rate("ManageInternalEndpoint") < 2
    assert paced_rate("DescribeNamespaces") > 20 and paced_rate("CreateInstanceToken") > 20


# --- public access --------------------------------------------------------------------------------------


def test_an_allowlist_entry_without_a_description_is_sent_with_one(emulator: Emulator, control: Control) -> None:
    registry_id = buy_running_out_of_band(emulator, "allow-desc")
    provider = configured(PublicAccessProvider, emulator)
    id_, outs = created(provider, registryId=registry_id, allow=[{"cidr": "203.0.113.0/24"}])
    (sent,) = control.sent("CreateMultipleSecurityPolicy")
    assert sent["SecurityGroupPolicySet"] == [{"CidrBlock": "203.0.113.0/24", "Description": DEFAULT_DESCRIPTION}]
    read = provider.read(id_, outs)
    assert read.inputs is not None and read.inputs["allow"] == outs["allow"]
