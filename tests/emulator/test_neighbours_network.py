"""VPC access, private DNS, public access with its allowlist, and what they do to DeleteInstance, through the
real TcrClient: the rules on the zero-delay emulator (`api`), the transitions on one whose changes take a
fraction of a second (`timed`)."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator

import pytest

from tcr_provider.emulator import Emulator, rules
from tcr_provider.testing import wait_until

from .neighbours import (
    OTHER_SUBNET,
    OTHER_VPC,
    SUBNET,
    VPC,
    allow,
    attach,
    attached_ip,
    attachments,
    call,
    dns_params,
    dns_status,
    endpoint_status,
    make_namespace,
    open_public_access,
    policies,
    unhealthy_instance,
)

SETTLE_SECONDS = 0.25
UNKNOWN = "tcr-00000000"


@pytest.fixture(scope="module")
def timed_emulator() -> Iterator[Emulator]:
    """Instances are ready and gone at once; VPC, DNS and public access changes take SETTLE_SECONDS."""
    with Emulator(create_seconds=0, delete_seconds=0, modify_seconds=SETTLE_SECONDS, rate_limit=0) as running:
        yield running


@pytest.fixture
def timed(timed_emulator, api_for):
    return api_for(timed_emulator).reset()


def detach(api, registry_id: str, vpc_id: str = VPC, subnet_id: str = SUBNET) -> None:
    call(api, "ManageInternalEndpoint", RegistryId=registry_id, Operation="Delete", VpcId=vpc_id, SubnetId=subnet_id)


def enabled_dns(api, registry_id: str, public: bool = False) -> str:
    """Attach VPC, add a DNS record and wait until it is ENABLE; return the access IP."""
    ip = attached_ip(api, registry_id)
    call(api, "CreateInternalEndpointDns", **dns_params(registry_id, ip, public=public))
    wait_until(lambda: dns_status(api, registry_id, ip, public=public) == "ENABLE", what="DNS ENABLE")
    return ip


# --- every new action knows only the instances of its region ---

UNKNOWN_REGISTRY_CALLS = [
    ("ManageInternalEndpoint", {"RegistryId": UNKNOWN, "Operation": "Create", "VpcId": VPC, "SubnetId": SUBNET}),
    ("DescribeInternalEndpoints", {"RegistryId": UNKNOWN}),
    ("CreateInternalEndpointDns", dns_params(UNKNOWN, "10.0.0.4")),
    ("DeleteInternalEndpointDns", dns_params(UNKNOWN, "10.0.0.4")),
    ("DescribeInternalEndpointDnsStatus", {"VpcSet": [dns_params(UNKNOWN, "10.0.0.4")]}),
    ("CreateNamespace", {"RegistryId": UNKNOWN, "NamespaceName": "team", "IsPublic": False}),
    ("DescribeNamespaces", {"RegistryId": UNKNOWN}),
    ("ModifyNamespace", {"RegistryId": UNKNOWN, "NamespaceName": "team", "IsPublic": True}),
    ("DeleteNamespace", {"RegistryId": UNKNOWN, "NamespaceName": "team"}),
    ("CreateRepository", {"RegistryId": UNKNOWN, "NamespaceName": "team", "RepositoryName": "app"}),
    ("DescribeRepositories", {"RegistryId": UNKNOWN}),
    ("DeleteRepository", {"RegistryId": UNKNOWN, "NamespaceName": "team", "RepositoryName": "app"}),
    ("CreateInstanceToken", {"RegistryId": UNKNOWN, "TokenType": "longterm"}),
    ("DescribeInstanceToken", {"RegistryId": UNKNOWN}),
    ("ModifyInstanceToken", {"RegistryId": UNKNOWN, "TokenId": "t", "Enable": False}),
    ("DeleteInstanceToken", {"RegistryId": UNKNOWN, "TokenId": "t"}),
    (
        "CreateMultipleSecurityPolicy",
        {"RegistryId": UNKNOWN, "SecurityGroupPolicySet": [{"CidrBlock": "10.0.0.0/8", "Description": "x"}]},
    ),
    (
        "DeleteMultipleSecurityPolicy",
        {"RegistryId": UNKNOWN, "SecurityGroupPolicySet": [{"PolicyIndex": 0, "PolicyVersion": "1"}]},
    ),
    ("DescribeSecurityPolicies", {"RegistryId": UNKNOWN}),
]


def unknown_registry_code(action: str) -> str:
    return "InternalError" if action in rules.UNKNOWN_INSTANCE_IS_INTERNAL_ERROR else "ResourceNotFound"


@pytest.mark.parametrize("action, params", UNKNOWN_REGISTRY_CALLS, ids=[a for a, _ in UNKNOWN_REGISTRY_CALLS])
def test_every_new_action_refuses_an_unknown_registry_with_its_documented_code(api, action, params):
    with api.raises(unknown_registry_code(action)):
        api.invoke(api.tcr(), action, params)


def test_actions_whose_error_lists_have_no_not_found_answer_an_unknown_registry_with_an_internal_error(api):
    # Go SDK tcr v20190924 client.go: these actions document no ResourceNotFound (the Terraform provider's
    # DescribeTCRVPCAttachments looks the instance up first for that reason).
    for action in ("DescribeInternalEndpoints", "DescribeInstanceToken", "ModifyInstanceToken", "DeleteInstanceToken"):
        assert action in rules.UNKNOWN_INSTANCE_IS_INTERNAL_ERROR
    with api.raises("InternalError"):
        api.invoke(api.tcr(), "DescribeInternalEndpoints", {"RegistryId": UNKNOWN})


@pytest.mark.parametrize("action, params", UNKNOWN_REGISTRY_CALLS, ids=[a for a, _ in UNKNOWN_REGISTRY_CALLS])
def test_fault_rules_apply_to_every_new_action_by_name(api, control, action, params):
    control.fault({"action": action, "error": "InternalError.ErrConflict"})
    with api.raises("InternalError.ErrConflict"):
        api.invoke(api.tcr(), action, params)
    with api.raises(unknown_registry_code(action)):
        api.invoke(api.tcr(), action, params)
    assert control.requests(action) == 2


@pytest.mark.parametrize("action, params", UNKNOWN_REGISTRY_CALLS[:3], ids=[a for a, _ in UNKNOWN_REGISTRY_CALLS[:3]])
def test_a_registry_of_another_region_is_unknown(api, action, params):
    registry_id = api.create(region="ap-tokyo")
    named = {key: registry_id if value == UNKNOWN else value for key, value in params.items()}
    with api.raises(unknown_registry_code(action)):
        api.invoke(api.tcr(), action, named)


# --- VPC access ---


def test_attachment_is_creating_then_running_with_a_private_address(timed):
    registry_id = timed.create()
    response = call(
        timed, "ManageInternalEndpoint", RegistryId=registry_id, Operation="Create", VpcId=VPC, SubnetId=SUBNET
    )
    assert response.RegistryId == registry_id
    described = call(timed, "DescribeInternalEndpoints", RegistryId=registry_id)
    assert described.TotalCount == 1
    (creating,) = described.AccessVpcSet
    assert (creating.VpcId, creating.SubnetId, creating.Status, creating.AccessIp) == (VPC, SUBNET, "Creating", "")
    running = wait_until(
        lambda: attachments(timed, registry_id)[VPC].Status == "Running" and attachments(timed, registry_id)[VPC]
    )
    assert ipaddress.ip_address(running.AccessIp).is_private


def test_the_same_attachment_gets_the_same_address_and_another_one_another(api):
    registry_id = api.create()
    first = attached_ip(api, registry_id)
    other = attached_ip(api, registry_id, OTHER_VPC, OTHER_SUBNET)
    detach(api, registry_id)
    wait_until(lambda: VPC not in attachments(api, registry_id), what="detached")
    assert attached_ip(api, registry_id) == first != other


def test_attaching_needs_a_running_instance(api, control):
    registry_id = unhealthy_instance(api, control)
    with api.raises("ResourceInsufficient.ErrorInstanceNotRunning"):
        attach(api, registry_id)


def test_a_subnet_is_attached_once_and_a_vpc_holds_one_attachment_per_subnet(api):
    registry_id = api.create()
    attach(api, registry_id)
    with api.raises("InvalidParameter") as caught:
        attach(api, registry_id)
    assert "already attached" in caught.value.message
    attach(api, registry_id, subnet_id=OTHER_SUBNET)
    listed = call(api, "DescribeInternalEndpoints", RegistryId=registry_id).AccessVpcSet
    assert sorted((a.VpcId, a.SubnetId) for a in listed) == sorted([(VPC, SUBNET), (VPC, OTHER_SUBNET)])


@pytest.mark.parametrize(
    "vpc_id, subnet_id",
    [("vpc-ABCD1234", SUBNET), ("vpc-abc123", SUBNET), ("abcd1234", SUBNET), (VPC, "subnet-abc"), (VPC, VPC)],
)
def test_malformed_vpc_and_subnet_ids_are_refused(api, vpc_id, subnet_id):
    registry_id = api.create()
    with api.raises("InvalidParameterValue"):
        attach(api, registry_id, vpc_id, subnet_id)


def test_operation_must_be_create_or_delete(api):
    registry_id = api.create()
    with api.raises("InvalidParameterValue"):
        call(api, "ManageInternalEndpoint", RegistryId=registry_id, Operation="Attach", VpcId=VPC, SubnetId=SUBNET)


def test_replica_regions_are_refused_and_the_own_region_accepted(api):
    registry_id = api.create()
    params = {"RegistryId": registry_id, "Operation": "Create", "VpcId": VPC, "SubnetId": SUBNET}
    with api.raises("InvalidParameterValue"):
        api.invoke(api.tcr(), "ManageInternalEndpoint", {**params, "RegionName": "ap-tokyo"})
    with api.raises("InvalidParameterValue"):
        api.invoke(api.tcr(), "ManageInternalEndpoint", {**params, "RegionId": 25})
    api.invoke(api.tcr(), "ManageInternalEndpoint", {**params, "RegionName": "ap-guangzhou", "RegionId": 1})


def test_detaching_is_deleting_then_gone(timed):
    registry_id = timed.create()
    attached_ip(timed, registry_id)
    detach(timed, registry_id)
    assert attachments(timed, registry_id)[VPC].Status == "Deleting"
    with timed.raises("InvalidParameter"):
        attach(timed, registry_id)
    detach(timed, registry_id)
    wait_until(lambda: attachments(timed, registry_id) == {}, what="detached")


def test_detaching_an_unknown_vpc_is_resource_not_found(api):
    registry_id = api.create()
    with api.raises("ResourceNotFound"):
        detach(api, registry_id)


def test_detaching_a_subnet_not_attached_is_refused(api):
    registry_id = api.create()
    attach(api, registry_id)
    with api.raises("ResourceNotFound"):
        detach(api, registry_id, subnet_id=OTHER_SUBNET)


def test_detaching_a_vpc_with_dns_records_is_refused(api):
    registry_id = api.create()
    enabled_dns(api, registry_id)
    with api.raises("ResourceInsufficient.ErrorVpcDnsStatus") as caught:
        detach(api, registry_id)
    assert "demo-registry-vpc.tencentcloudcr.com" in caught.value.message
    assert attachments(api, registry_id)[VPC].Status == "Running"


# --- private DNS ---


def test_dns_record_is_disable_then_enable_and_only_for_its_domain(timed):
    registry_id = timed.create()
    ip = attached_ip(timed, registry_id)
    assert call(timed, "CreateInternalEndpointDns", **dns_params(registry_id, ip)).RequestId
    assert dns_status(timed, registry_id, ip) == "DISABLE"
    wait_until(lambda: dns_status(timed, registry_id, ip) == "ENABLE", what="DNS ENABLE")
    assert dns_status(timed, registry_id, ip, public=True) == "DISABLE"


def test_dns_status_answers_each_item_in_order(api):
    registry_id = api.create()
    ip = enabled_dns(api, registry_id, public=True)
    asked = [
        dns_params(registry_id, ip, public=False),
        {**dns_params(registry_id, ip, public=True), "RegionName": "ap-guangzhou"},
        dns_params(registry_id, ip, vpc_id=OTHER_VPC),
    ]
    answered = call(api, "DescribeInternalEndpointDnsStatus", VpcSet=asked).VpcSet
    assert [(a.Region, a.VpcId, a.Status) for a in answered] == [
        ("ap-guangzhou", VPC, "DISABLE"),
        ("ap-guangzhou", VPC, "ENABLE"),
        ("ap-guangzhou", OTHER_VPC, "DISABLE"),
    ]


def test_dns_needs_a_running_attachment_with_that_address(timed):
    registry_id = timed.create()
    with timed.raises("ResourceNotFound") as caught:
        call(timed, "CreateInternalEndpointDns", **dns_params(registry_id, "10.0.0.4"))
    assert "not attached" in caught.value.message
    attach(timed, registry_id)
    with timed.raises("InvalidParameter") as caught:
        call(timed, "CreateInternalEndpointDns", **dns_params(registry_id, "10.0.0.4"))
    assert "Creating" in caught.value.message
    ip = wait_until(lambda: attachments(timed, registry_id)[VPC].AccessIp)
    wrong = "10.255.255.254" if ip != "10.255.255.254" else "10.255.255.253"
    with timed.raises("InvalidParameter") as caught:
        call(timed, "CreateInternalEndpointDns", **dns_params(registry_id, wrong))
    assert ip in caught.value.message


def test_creating_an_existing_record_changes_nothing(api):
    registry_id = api.create()
    ip = enabled_dns(api, registry_id)
    call(api, "CreateInternalEndpointDns", **dns_params(registry_id, ip))
    assert dns_status(api, registry_id, ip) == "ENABLE"


def test_deleted_record_stays_enable_until_it_is_gone_then_the_vpc_detaches(timed):
    registry_id = timed.create()
    ip = enabled_dns(timed, registry_id)
    call(timed, "DeleteInternalEndpointDns", **dns_params(registry_id, ip))
    assert dns_status(timed, registry_id, ip) == "ENABLE"
    with timed.raises("ResourceInsufficient.ErrorVpcDnsStatus"):
        detach(timed, registry_id)
    wait_until(lambda: dns_status(timed, registry_id, ip) == "DISABLE", what="DNS DISABLE")
    detach(timed, registry_id)


def test_deleting_an_unknown_record_succeeds_and_changes_nothing(api):
    registry_id = api.create()
    ip = enabled_dns(api, registry_id)
    call(api, "DeleteInternalEndpointDns", **dns_params(registry_id, ip, public=True))
    call(api, "DeleteInternalEndpointDns", **dns_params(registry_id, ip, vpc_id=OTHER_VPC))
    assert dns_status(api, registry_id, ip) == "ENABLE"


# --- DeleteInstance and what hangs off the instance ---


@pytest.mark.parametrize("dry_run", [False, True])
def test_instance_with_namespaces_cannot_be_deleted(api, dry_run):
    registry_id = api.create()
    make_namespace(api, registry_id, "team-a")
    make_namespace(api, registry_id, "team-b")
    with api.raises("FailedOperation.PreconditionFailed") as caught:
        call(api, "DeleteInstance", RegistryId=registry_id, DryRun=dry_run)
    assert "team-a, team-b" in caught.value.message
    assert "delete its namespaces and repositories first" in caught.value.message
    assert api.registry(registry_id).Status == "Running"


@pytest.mark.parametrize("dry_run", [False, True])
def test_instance_with_private_dns_cannot_be_deleted(api, dry_run):
    registry_id = api.create()
    enabled_dns(api, registry_id)
    with api.raises("ResourceInsufficient.ErrorVpcDnsStatus"):
        call(api, "DeleteInstance", RegistryId=registry_id, DryRun=dry_run)


@pytest.mark.parametrize("dry_run", [False, True])
def test_instance_with_attached_vpcs_cannot_be_deleted(api, dry_run):
    registry_id = api.create()
    attach(api, registry_id)
    with api.raises("FailedOperation.PreconditionFailed") as caught:
        call(api, "DeleteInstance", RegistryId=registry_id, DryRun=dry_run)
    assert VPC in caught.value.message


def test_deleting_protection_is_checked_before_the_neighbours(api):
    registry_id = api.create(DeletionProtection=True)
    make_namespace(api, registry_id)
    with api.raises("OperationDenied"):
        call(api, "DeleteInstance", RegistryId=registry_id)


def test_an_instance_cleared_of_its_neighbours_is_deleted_with_the_rest(api, control):
    registry_id = api.create()
    ip = enabled_dns(api, registry_id)
    make_namespace(api, registry_id)
    call(api, "CreateInstanceToken", RegistryId=registry_id, TokenType="longterm")
    open_public_access(api, registry_id)
    allow(api, registry_id, "203.0.113.0/24")
    call(api, "DeleteNamespace", RegistryId=registry_id, NamespaceName="team")
    call(api, "DeleteInternalEndpointDns", **dns_params(registry_id, ip))
    wait_until(lambda: dns_status(api, registry_id, ip) == "DISABLE")
    detach(api, registry_id)
    wait_until(lambda: attachments(api, registry_id) == {})
    call(api, "DeleteInstance", RegistryId=registry_id)
    assert control.state()["registries"] == {}
    assert control.instances() == []


# --- public access allowlist ---


def test_policies_need_opened_public_access(timed):
    registry_id = timed.create(RegistryType="standard")
    assert policies(timed, registry_id) == []
    with timed.raises("FailedOperation.PreconditionFailed") as caught:
        allow(timed, registry_id, "203.0.113.0/24")
    assert "open public access first" in caught.value.message
    call(timed, "ManageExternalEndpoint", RegistryId=registry_id, Operation="Create")
    assert endpoint_status(timed, registry_id) == "Opening"
    with timed.raises("ResourceNotFound"):
        policies(timed, registry_id)
    with timed.raises("FailedOperation.PreconditionFailed"):
        allow(timed, registry_id, "203.0.113.0/24")
    wait_until(lambda: endpoint_status(timed, registry_id) == "Opened")
    response = call(
        timed,
        "CreateMultipleSecurityPolicy",
        RegistryId=registry_id,
        SecurityGroupPolicySet=[{"CidrBlock": "203.0.113.0/24", "Description": "office"}],
    )
    assert response.RegistryId == registry_id
    (policy,) = policies(timed, registry_id)
    assert (policy.CidrBlock, policy.Description, policy.PolicyIndex) == ("203.0.113.0/24", "office", 0)


def test_indexes_increase_and_the_version_changes_with_every_change(api):
    registry_id = api.create()
    open_public_access(api, registry_id)
    allow(api, registry_id, "203.0.113.0/24", "198.51.100.7")
    first = policies(api, registry_id)
    assert [(p.PolicyIndex, p.CidrBlock) for p in first] == [(0, "203.0.113.0/24"), (1, "198.51.100.7")]
    assert {p.PolicyVersion for p in first} == {"1"}
    allow(api, registry_id, "192.0.2.0/28")
    second = policies(api, registry_id)
    assert [p.PolicyIndex for p in second] == [0, 1, 2]
    assert {p.PolicyVersion for p in second} == {"2"}
    call(
        api,
        "DeleteMultipleSecurityPolicy",
        RegistryId=registry_id,
        SecurityGroupPolicySet=[{"PolicyIndex": 1, "PolicyVersion": "2", "CidrBlock": "198.51.100.7"}],
    )
    allow(api, registry_id, "198.51.100.8")
    third = policies(api, registry_id)
    assert [(p.PolicyIndex, p.CidrBlock) for p in third] == [
        (0, "203.0.113.0/24"),
        (2, "192.0.2.0/28"),
        (3, "198.51.100.8"),
    ]
    assert {p.PolicyVersion for p in third} == {"4"}


@pytest.mark.parametrize("cidr", ["203.0.113.0/33", "203.0.113.1/24", "2001:db8::/32", "not-a-cidr", "256.0.0.0/8"])
def test_a_policy_needs_an_ipv4_cidr(api, cidr):
    registry_id = api.create()
    open_public_access(api, registry_id)
    with api.raises("InvalidParameterValue"):
        allow(api, registry_id, cidr)


def test_a_cidr_is_allowed_once_and_a_failed_request_changes_nothing(api):
    registry_id = api.create()
    open_public_access(api, registry_id)
    allow(api, registry_id, "203.0.113.0/24")
    with api.raises("InvalidParameter"):
        allow(api, registry_id, "198.51.100.0/24", "203.0.113.0/24")
    with api.raises("InvalidParameter"):
        allow(api, registry_id, "192.0.2.0/24", "192.0.2.0/24")
    assert [p.CidrBlock for p in policies(api, registry_id)] == ["203.0.113.0/24"]


def test_a_policy_needs_its_cidr_and_description(api):
    registry_id = api.create()
    open_public_access(api, registry_id)
    for entry, code in [
        ({"Description": "no cidr"}, "MissingParameter"),
        ({"CidrBlock": "192.0.2.0/24"}, "MissingParameter"),
        ({"CidrBlock": "192.0.2.0/24", "Description": " "}, "InvalidParameterValue"),
    ]:
        with api.raises(code):
            call(api, "CreateMultipleSecurityPolicy", RegistryId=registry_id, SecurityGroupPolicySet=[entry])


def test_deleting_needs_a_current_policy(api):
    registry_id = api.create()
    open_public_access(api, registry_id)
    allow(api, registry_id, "203.0.113.0/24")

    def delete(**entry):
        call(api, "DeleteMultipleSecurityPolicy", RegistryId=registry_id, SecurityGroupPolicySet=[entry])

    for entry in [
        {"PolicyIndex": 7, "PolicyVersion": "1"},
        {"PolicyIndex": 0, "PolicyVersion": "0"},
        {"PolicyIndex": 0, "PolicyVersion": "1", "CidrBlock": "198.51.100.0/24"},
        {"CidrBlock": "198.51.100.0/24", "PolicyVersion": "1"},
    ]:
        with api.raises("ResourceNotFound"):
            delete(**entry)
    with api.raises("MissingParameter"):
        delete(PolicyIndex=0)
    delete(CidrBlock="203.0.113.0/24", PolicyVersion="1")
    assert policies(api, registry_id) == []


def test_closing_public_access_drops_the_policies_once_closed(timed):
    registry_id = timed.create()
    open_public_access(timed, registry_id)
    allow(timed, registry_id, "203.0.113.0/24")
    call(timed, "ManageExternalEndpoint", RegistryId=registry_id, Operation="Delete")
    assert endpoint_status(timed, registry_id) == "Deleting"
    assert [p.CidrBlock for p in policies(timed, registry_id)] == ["203.0.113.0/24"]
    with timed.raises("FailedOperation.PreconditionFailed"):
        allow(timed, registry_id, "198.51.100.0/24")
    wait_until(lambda: endpoint_status(timed, registry_id) == "Closed")
    assert policies(timed, registry_id) == []
    open_public_access(timed, registry_id)
    assert policies(timed, registry_id) == []


# --- state ---


def test_state_shows_the_network_of_each_registry(api, control):
    registry_id = api.create()
    ip = enabled_dns(api, registry_id)
    open_public_access(api, registry_id)
    allow(api, registry_id, "203.0.113.0/24")
    (shown,) = control.state()["registries"].values()
    assert shown["vpcAttachments"] == [{"VpcId": VPC, "SubnetId": SUBNET, "Status": "Running", "AccessIp": ip}]
    assert shown["privateDns"] == [
        {"VpcId": VPC, "UsePublicDomain": False, "Domain": "demo-registry-vpc.tencentcloudcr.com", "Status": "ENABLE"}
    ]
    assert shown["publicAccess"] == {
        "Status": "Opened",
        "SecurityPolicySet": [
            {
                "PolicyIndex": 0,
                "Description": "runners 203.0.113.0/24",
                "CidrBlock": "203.0.113.0/24",
                "PolicyVersion": "1",
            }
        ],
    }


def test_vpc_access_is_throttled_at_two_requests_a_second() -> None:
    from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException

    from tcr_provider.testing import buy_running_out_of_band, sdk_call

    with Emulator(create_seconds=0, delete_seconds=0, modify_seconds=0, rate_limit=20) as emulator:
        registry_id = buy_running_out_of_band(emulator, "throttled")
        subnets = ["subnet-0a1b2c3d", "subnet-1a2b3c4d", "subnet-2a2b3c4d"]
        params = {"RegistryId": registry_id, "Operation": "Create", "VpcId": VPC}
        for subnet in subnets[:2]:
            sdk_call(emulator, "tcr", "ManageInternalEndpoint", {**params, "SubnetId": subnet})
        with pytest.raises(TencentCloudSDKException) as caught:
            sdk_call(emulator, "tcr", "ManageInternalEndpoint", {**params, "SubnetId": subnets[2]})
        assert caught.value.code == "RequestLimitExceeded" and "allows 2 requests per second" in caught.value.message
        for _ in range(4):  # the other actions keep the default
            sdk_call(emulator, "tcr", "DescribeInternalEndpoints", {"RegistryId": registry_id})
