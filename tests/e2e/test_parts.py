"""A registry's parts through the real CLI: VpcAttachment, Namespace, AccessToken and PublicAccess.

Every scenario declares one registry with all four parts (the example program's config lists), so each
command exercises every part at once: create, no-change preview, drift of every updatable field and its
convergence, deletion out of band, replacement, destroy order, bad input and faults.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tcr_provider.emulator import Emulator
from tcr_provider.testing import ANY_TCR_TYPE, EmulatorControl, Stack, Step, sdk_call, wait_until

from .conftest import assert_no_secret_printed, new_stack

pytestmark = pytest.mark.e2e

REGISTRY = {"key": "apps", "name": "e2e-parts"}
VPC, SUBNET, OTHER_VPC, OTHER_SUBNET = "vpc-0a1b2c3d", "subnet-0a1b2c3d", "vpc-9z8y7x6w", "subnet-9z8y7x6w"
PARTS: dict[str, list[dict[str, Any]]] = {
    "vpcAttachments": [
        {"registry": "apps", "key": "apps-vpc", "vpc_id": VPC, "subnet_id": SUBNET, "enable_public_domain_dns": True}
    ],
    "namespaces": [{"registry": "apps", "key": "apps-ns", "name": "storefront", "auto_scan": False}],
    "accessTokens": [{"registry": "apps", "key": "apps-token", "description": "pull secret of e2e"}],
    "publicAccess": [
        {"registry": "apps", "key": "apps-public", "allow": [{"cidr": "203.0.113.0/24", "description": "CI"}]}
    ],
}
WRITES = (
    "ManageInternalEndpoint",
    "CreateInternalEndpointDns",
    "DeleteInternalEndpointDns",
    "CreateNamespace",
    "ModifyNamespace",
    "DeleteNamespace",
    "CreateInstanceToken",
    "ModifyInstanceToken",
    "DeleteInstanceToken",
    "ManageExternalEndpoint",
    "CreateMultipleSecurityPolicy",
    "DeleteMultipleSecurityPolicy",
    "CreateInstance",
)


@pytest.fixture
def stack(tmp_path: Path, cli_dir: Path, emulator: Emulator, control: EmulatorControl) -> Iterator[Stack]:
    stack = new_stack(tmp_path, cli_dir, emulator)
    stack.resource_type = ANY_TCR_TYPE
    yield stack
    assert_no_secret_printed(stack, emulator)


def ops(steps: list[Step]) -> dict[str, str]:
    """The engine's operation per resource name, bar unchanged ones."""
    found: dict[str, str] = {}
    for step in steps:
        if step.op not in ("same", "refresh"):
            name = step.urn.rsplit("::", 1)[1]
            found[name] = "+".join(filter(None, (found.get(name), step.op)))
    return found


def call(emulator: Emulator, action: str, **params: Any) -> Any:
    return sdk_call(emulator, "tcr", action, params)


class Live:
    """The registry's parts as the API reports them."""

    def __init__(self, emulator: Emulator, registry_id: str) -> None:
        self.emulator, self.registry_id = emulator, registry_id

    def attachments(self) -> dict[str, dict[str, Any]]:
        found = call(self.emulator, "DescribeInternalEndpoints", RegistryId=self.registry_id)["AccessVpcSet"]
        return {a["VpcId"]: a for a in found or []}

    def dns(self, vpc_id: str) -> dict[str, str]:
        access_ip = self.attachments()[vpc_id]["AccessIp"]
        asked = [
            {"InstanceId": self.registry_id, "VpcId": vpc_id, "EniLBIp": access_ip, "UsePublicDomain": public}
            for public in (True, False)
        ]
        answer = call(self.emulator, "DescribeInternalEndpointDnsStatus", VpcSet=asked)["VpcSet"]
        return {"public": answer[0]["Status"], "vpc": answer[1]["Status"]}

    def namespaces(self) -> dict[str, dict[str, Any]]:
        found = call(self.emulator, "DescribeNamespaces", RegistryId=self.registry_id, All=True)["NamespaceList"]
        return {n["Name"]: n for n in found or []}

    def tokens(self) -> dict[str, dict[str, Any]]:
        return {
            t["Id"]: t
            for t in call(self.emulator, "DescribeInstanceToken", RegistryId=self.registry_id)["Tokens"] or []
        }

    def public(self) -> str:
        return str(call(self.emulator, "DescribeExternalEndpointStatus", RegistryId=self.registry_id)["Status"])

    def policies(self) -> dict[str, str]:
        found = call(self.emulator, "DescribeSecurityPolicies", RegistryId=self.registry_id)["SecurityPolicySet"]
        return {p["CidrBlock"]: p["Description"] for p in found or []}


def up_with_parts(stack: Stack, emulator: Emulator, **parts: list[dict[str, Any]]) -> Live:
    stack.configure(registries=[REGISTRY], **{**PARTS, **parts})
    stack.up()
    return Live(emulator, stack.outputs()["apps"]["registryId"])


def registry_get(emulator: Emulator, host: str, username: str, password: str) -> int:
    """The Docker Registry API's version check against the emulator, as `docker login` makes it."""
    import urllib.error
    import urllib.request

    request = urllib.request.Request(f"{emulator.endpoint_url}/v2/", headers={"X-Registry-Host": host})
    request.add_header("Authorization", "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode())
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def test_parts_are_created_ready_and_a_preview_after_them_is_clean(
    stack: Stack, emulator: Emulator, control: EmulatorControl
) -> None:
    stack.configure(registries=[REGISTRY], **PARTS)
    created = ops(stack.up())
    assert created == dict.fromkeys(["apps", "apps-vpc", "apps-ns", "apps-token", "apps-public"], "create")
    outputs = stack.outputs()
    live = Live(emulator, outputs["apps"]["registryId"])
    attachment = live.attachments()[VPC]
    assert attachment["SubnetId"] == SUBNET and attachment["AccessIp"] == outputs["apps-vpc"]["accessIp"]
    assert live.dns(VPC) == {"public": "ENABLE", "vpc": "DISABLE"}
    namespace = live.namespaces()["storefront"]
    assert namespace["Public"] is False and outputs["apps-ns"]["namespaceId"] == namespace["NamespaceId"]
    assert list(live.tokens()) == [outputs["apps-token"]["tokenId"]]
    assert live.public() == "Opened" and live.policies() == {"203.0.113.0/24": "CI"}

    stack.run("preview", "--expect-no-changes")
    stack.run("refresh", "--preview-only", "--expect-no-changes")

    # The token is a secret: ciphertext in the state and in the outputs, and it logs in to this registry only.
    exported = stack.export()
    secrets = json.loads(stack.run("stack", "output", "--json", "--show-secrets").stdout)["apps-token"]
    assert secrets["token"] and secrets["token"] not in exported and secrets["token"] not in "".join(stack.transcript)
    assert stack.outputs()["apps-token"]["token"] == "[secret]"
    domain = f"{REGISTRY['name']}.tencentcloudcr.com"
    assert registry_get(emulator, domain, secrets["username"], secrets["token"]) == 200
    assert registry_get(emulator, domain, secrets["username"], "wrong") == 401


def test_drift_of_every_updatable_field_is_reported_then_converged(
    stack: Stack, emulator: Emulator, control: EmulatorControl
) -> None:
    live = up_with_parts(stack, emulator)
    registry_id = live.registry_id
    token_id = next(iter(live.tokens()))
    access_ip = live.attachments()[VPC]["AccessIp"]
    dns = {"InstanceId": registry_id, "VpcId": VPC, "EniLBIp": access_ip}
    call(emulator, "DeleteInternalEndpointDns", **dns, UsePublicDomain=True)
    call(emulator, "CreateInternalEndpointDns", **dns, UsePublicDomain=False)
    call(
        emulator,
        "ModifyNamespace",
        RegistryId=registry_id,
        NamespaceName="storefront",
        IsPublic=True,
        IsAutoScan=True,
        IsPreventVUL=True,
        Severity="high",
        CVEWhitelistItems=[{"CVEID": "CVE-2024-1234"}],
        TagSpecification={"ResourceType": "namespace", "Tags": [{"Key": "team", "Value": "intruder"}]},
    )
    call(emulator, "ModifyInstanceToken", RegistryId=registry_id, TokenId=token_id, Enable=False, ModifyFlag=2)
    call(emulator, "ModifyInstanceToken", RegistryId=registry_id, TokenId=token_id, Desc="changed", ModifyFlag=1)
    call(
        emulator,
        "CreateMultipleSecurityPolicy",
        RegistryId=registry_id,
        SecurityGroupPolicySet=[{"CidrBlock": "198.51.100.0/24", "Description": "someone"}],
    )
    wait_until(lambda: live.dns(VPC) == {"public": "DISABLE", "vpc": "ENABLE"}, what="the DNS changes to apply")

    drift = stack.run("refresh", "--preview-only", "--expect-no-changes", "--diff", check=False)
    assert drift.returncode != 0
    for field in (
        "enablePublicDomainDns",
        "enableVpcDomainDns",
        "isPublic",
        "autoScan",
        "blockVulnerable",
        "severity",
        "cveAllowlist",
        "description",
        "enabled",
        "allow",
    ):
        assert field in drift.stdout, f"{field} drifted but the refresh did not say so:\n{drift.stdout}"

    converged = ops(stack.up("--refresh"))
    assert converged == dict.fromkeys(["apps-vpc", "apps-ns", "apps-token", "apps-public"], "update")
    wait_until(lambda: live.dns(VPC) == {"public": "ENABLE", "vpc": "DISABLE"}, what="the DNS to converge")
    namespace = live.namespaces()["storefront"]
    assert (namespace["Public"], namespace["AutoScan"], namespace["PreventVUL"]) == (False, False, False)
    assert namespace["CVEWhitelistItems"] in ([], None) and not (namespace["TagSpecification"] or {}).get("Tags")
    token = live.tokens()[token_id]
    assert token["Enabled"] is True and token["Desc"] == "pull secret of e2e"
    assert live.policies() == {"203.0.113.0/24": "CI"}
    stack.run("refresh", "--preview-only", "--expect-no-changes")
    stack.run("preview", "--expect-no-changes")


def test_parts_deleted_out_of_band_are_created_again_and_replacements_follow_the_program(
    stack: Stack, emulator: Emulator, control: EmulatorControl
) -> None:
    live = up_with_parts(stack, emulator)
    registry_id = live.registry_id
    old_token = next(iter(live.tokens()))
    access_ip = live.attachments()[VPC]["AccessIp"]
    call(
        emulator,
        "DeleteInternalEndpointDns",
        InstanceId=registry_id,
        VpcId=VPC,
        EniLBIp=access_ip,
        UsePublicDomain=True,
    )
    wait_until(lambda: live.dns(VPC)["public"] == "DISABLE", what="the DNS record to go")
    call(emulator, "ManageInternalEndpoint", RegistryId=registry_id, Operation="Delete", VpcId=VPC, SubnetId=SUBNET)
    call(emulator, "DeleteNamespace", RegistryId=registry_id, NamespaceName="storefront")
    call(emulator, "DeleteInstanceToken", RegistryId=registry_id, TokenId=old_token)
    policies = call(emulator, "DescribeSecurityPolicies", RegistryId=registry_id)["SecurityPolicySet"]
    call(emulator, "DeleteMultipleSecurityPolicy", RegistryId=registry_id, SecurityGroupPolicySet=policies)
    call(emulator, "ManageExternalEndpoint", RegistryId=registry_id, Operation="Delete")
    wait_until(lambda: not live.attachments() and live.public() == "Closed", what="the parts to be gone")

    refreshed = stack.run("refresh", "--yes", "--skip-preview")
    assert refreshed.stdout.count("deleted") >= 4, refreshed.stdout
    assert {r["urn"].rsplit("::", 1)[1] for r in stack.resources()} == {"apps"}
    recreated = ops(stack.up())
    assert recreated == dict.fromkeys(["apps-vpc", "apps-ns", "apps-token", "apps-public"], "create")
    assert set(live.attachments()) == {VPC} and set(live.namespaces()) == {"storefront"}
    assert len(live.tokens()) == 1 and old_token not in live.tokens() and live.public() == "Opened"

    # The VPC, the subnet and the namespace's name replace; the new token-free change keeps the token.
    parts = {
        "vpcAttachments": [{**PARTS["vpcAttachments"][0], "vpc_id": OTHER_VPC, "subnet_id": OTHER_SUBNET}],
        "namespaces": [{**PARTS["namespaces"][0], "name": "checkout"}],
    }
    stack.configure(**parts)
    replaced = ops(stack.up())
    assert replaced["apps-vpc"].startswith("create-replacement") and replaced["apps-ns"].startswith(
        "create-replacement"
    )
    assert "apps-token" not in replaced and "apps" not in replaced
    assert set(live.attachments()) == {OTHER_VPC} and set(live.namespaces()) == {"checkout"}
    assert live.dns(OTHER_VPC)["public"] == "ENABLE"
    stack.run("preview", "--expect-no-changes")


def test_destroy_stops_at_a_namespace_with_repositories_and_deletes_the_registry_last(
    stack: Stack, emulator: Emulator, control: EmulatorControl
) -> None:
    live = up_with_parts(stack, emulator)
    registry_id = live.registry_id
    call(emulator, "CreateRepository", RegistryId=registry_id, NamespaceName="storefront", RepositoryName="web")

    refused = stack.run("destroy", "--yes", "--skip-preview", check=False)
    assert refused.returncode != 0
    first = {s.urn.rsplit("::", 1)[1] for s in refused.steps if s.op == "delete"}
    assert "apps" not in first
    assert "storefront" in refused.stdout and "web" in refused.stdout and "never deletes" in refused.stdout
    assert control.instance(registry_id) is not None, "the registry was deleted while a namespace held images"
    assert set(live.namespaces()) == {"storefront"}
    assert call(emulator, "DescribeRepositories", RegistryId=registry_id, NamespaceName="storefront")["TotalCount"] == 1

    call(emulator, "DeleteRepository", RegistryId=registry_id, NamespaceName="storefront", RepositoryName="web")
    destroyed = stack.run("destroy", "--yes", "--skip-preview")
    deletes = [s.urn.rsplit("::", 1)[1] for s in destroyed.steps if s.op == "delete"]
    assert deletes[-1] == "apps" and "apps-ns" in deletes
    assert first | set(deletes) == {"apps", "apps-vpc", "apps-ns", "apps-token", "apps-public"}
    wait_until(lambda: control.instance(registry_id) is None, what="the registry to be gone")
    assert stack.resources() == []


def test_bad_input_for_every_part_is_refused_at_preview_without_a_write(
    stack: Stack, emulator: Emulator, control: EmulatorControl
) -> None:
    stack.configure(registries=[REGISTRY], **PARTS)
    stack.up()
    before = {action: control.requests(action) for action in WRITES}
    bad = {
        "vpcAttachments": [{**PARTS["vpcAttachments"][0], "subnet_id": "subnet-1"}],
        "namespaces": [{**PARTS["namespaces"][0], "name": "Store_Front-"}],
        "accessTokens": [{**PARTS["accessTokens"][0], "enabled": "yes"}],
        "publicAccess": [{**PARTS["publicAccess"][0], "allow": []}],
    }
    for list_key, entries in bad.items():
        stack.configure(**{**PARTS, list_key: entries})
        preview = stack.run("preview", check=False)
        assert preview.returncode != 0
        field = {"vpcAttachments": "subnetId", "namespaces": "name", "accessTokens": "enabled", "publicAccess": "allow"}
        assert f"{field[list_key]}:" in preview.stdout, preview.stdout
    assert {action: control.requests(action) for action in WRITES} == before


def test_throttling_and_lost_create_answers_leave_exactly_one_of_each_part(
    stack: Stack, emulator: Emulator, control: EmulatorControl
) -> None:
    stack.configure(registries=[REGISTRY])
    stack.up()
    for action in ("ManageInternalEndpoint", "CreateNamespace", "CreateInstanceToken", "CreateMultipleSecurityPolicy"):
        control.fault({"action": action, "drop_response": True})
    for action in (
        "DescribeInternalEndpoints",
        "DescribeNamespaces",
        "DescribeInstanceToken",
        "ManageExternalEndpoint",
    ):
        control.fault({"action": action, "error": "RequestLimitExceeded", "count": 2})
    stack.configure(**PARTS)
    assert ops(stack.up()) == dict.fromkeys(["apps-vpc", "apps-ns", "apps-token", "apps-public"], "create")
    live = Live(emulator, stack.outputs()["apps"]["registryId"])
    assert set(live.attachments()) == {VPC} and set(live.namespaces()) == {"storefront"}
    assert list(live.tokens()) == [stack.outputs()["apps-token"]["tokenId"]], "a token was left untracked"
    assert live.policies() == {"203.0.113.0/24": "CI"}
    secrets = json.loads(stack.run("stack", "output", "--json", "--show-secrets").stdout)["apps-token"]
    domain = f"{REGISTRY['name']}.tencentcloudcr.com"
    assert registry_get(emulator, domain, secrets["username"], secrets["token"]) == 200
    stack.run("preview", "--expect-no-changes")


def test_moving_a_token_and_public_access_to_another_registry_replaces_them(
    stack: Stack, emulator: Emulator, control: EmulatorControl
) -> None:
    other = {"key": "ml", "name": "e2e-parts-ml"}
    parts = {"accessTokens": PARTS["accessTokens"], "publicAccess": PARTS["publicAccess"]}
    stack.configure(registries=[REGISTRY, other], **parts)
    stack.up()
    outputs = stack.outputs()
    apps, ml = Live(emulator, outputs["apps"]["registryId"]), Live(emulator, outputs["ml"]["registryId"])
    old_token = outputs["apps-token"]["tokenId"]
    assert list(apps.tokens()) == [old_token] and apps.public() == "Opened" and ml.public() == "Closed"

    stack.configure(**{key: [{**entries[0], "registry": "ml"}] for key, entries in parts.items()})
    replaced = ops(stack.up())
    assert replaced["apps-token"].startswith("create-replacement")
    assert replaced["apps-public"].startswith("create-replacement")
    assert apps.tokens() == {} and apps.public() == "Closed"
    assert list(ml.tokens()) == [stack.outputs()["apps-token"]["tokenId"]] and old_token not in ml.tokens()
    assert ml.public() == "Opened" and ml.policies() == {"203.0.113.0/24": "CI"}
    stack.run("preview", "--expect-no-changes")


def test_namespace_tag_changes_converge_and_a_refresh_after_them_is_clean(
    stack: Stack, emulator: Emulator, control: EmulatorControl
) -> None:
    tagged = [{**PARTS["namespaces"][0], "tags": {"team": "shop"}}]
    live = up_with_parts(stack, emulator, namespaces=tagged)

    def tags() -> dict[str, str]:
        return {t["Key"]: t["Value"] for t in live.namespaces()["storefront"]["TagSpecification"]["Tags"]}

    assert tags() == {"team": "shop"}
    stack.configure(namespaces=[{**tagged[0], "tags": {"team": "checkout", "tier": "gold"}}])
    assert ops(stack.up()) == {"apps-ns": "update"}
    assert tags() == {"team": "checkout", "tier": "gold"}
    stack.run("refresh", "--preview-only", "--expect-no-changes")
    resource = f"qcs::tcr:ap-guangzhou:uin/:repository/{live.registry_id}/storefront"
    sdk_call(emulator, "tag", "ModifyResourceTags", {"Resource": resource, "DeleteTags": [{"TagKey": "tier"}]})
    drift = stack.run("refresh", "--preview-only", "--expect-no-changes", "--diff", check=False)
    assert drift.returncode != 0 and "tier" in drift.stdout
    assert ops(stack.up("--refresh")) == {"apps-ns": "update"}
    assert tags() == {"team": "checkout", "tier": "gold"}
    stack.run("refresh", "--preview-only", "--expect-no-changes")


def test_a_transient_dns_status_error_is_ridden_out(stack: Stack, emulator: Emulator, control: EmulatorControl) -> None:
    control.fault({"action": "DescribeInternalEndpointDnsStatus", "dns_status_error": True, "count": 3})
    live = up_with_parts(stack, emulator, namespaces=[], accessTokens=[], publicAccess=[])
    assert live.dns(VPC) == {"public": "ENABLE", "vpc": "DISABLE"}
    control.fault({"action": "DescribeInternalEndpointDnsStatus", "dns_status_error": True, "count": 2})
    stack.run("refresh", "--preview-only", "--expect-no-changes")


def test_two_attachments_of_one_vpc_and_a_subnet_changed_both_ways(
    stack: Stack, emulator: Emulator, control: EmulatorControl
) -> None:
    third_subnet = "subnet-5e6f7a8b"
    first = PARTS["vpcAttachments"][0]
    second = {"registry": "apps", "key": "apps-vpc-2", "vpc_id": VPC, "subnet_id": OTHER_SUBNET}
    live = up_with_parts(
        stack, emulator, vpcAttachments=[first, second], namespaces=[], accessTokens=[], publicAccess=[]
    )

    def subnets() -> set[str]:
        found = call(emulator, "DescribeInternalEndpoints", RegistryId=live.registry_id)["AccessVpcSet"]
        return {a["SubnetId"] for a in found if a["VpcId"] == VPC}

    assert subnets() == {SUBNET, OTHER_SUBNET}
    stack.run("preview", "--expect-no-changes")
    for subnet in (third_subnet, SUBNET):
        stack.configure(vpcAttachments=[{**first, "subnet_id": subnet}, second])
        replaced = ops(stack.up())
        assert set(replaced) == {"apps-vpc"} and "delete-replaced" in replaced["apps-vpc"], replaced
        assert subnets() == {subnet, OTHER_SUBNET}
        assert stack.outputs()["apps-vpc"]["accessIp"]
        stack.run("preview", "--expect-no-changes")


def test_a_registry_deleted_out_of_band_takes_its_parts_with_it(
    stack: Stack, emulator: Emulator, control: EmulatorControl
) -> None:
    parts = {"vpcAttachments": [], "namespaces": []}
    for command in ("refresh", "destroy"):
        registry_id = up_with_parts(stack, emulator, **parts).registry_id
        call(emulator, "ManageExternalEndpoint", RegistryId=registry_id, Operation="Delete")
        call(emulator, "DeleteInstance", RegistryId=registry_id, DeleteBucket=True)
        wait_until(lambda gone=registry_id: control.instance(gone) is None, what="the registry to be gone")
        if command == "refresh":
            refreshed = stack.run("refresh", "--yes", "--skip-preview")
            assert refreshed.stdout.count("deleted") >= 3, refreshed.stdout
        else:
            destroyed = stack.run("destroy", "--yes", "--skip-preview")
            deleted = {s.urn.rsplit("::", 1)[1] for s in destroyed.steps if s.op == "delete"}
            assert deleted == {"apps", "apps-token", "apps-public"}
        assert stack.resources() == []


def test_a_namespace_made_elsewhere_is_refused_naming_adopt_existing_then_taken_over_with_it(
    stack: Stack, emulator: Emulator, control: EmulatorControl
) -> None:
    stack.configure(registries=[REGISTRY])
    stack.up()
    registry_id = stack.outputs()["apps"]["registryId"]
    call(emulator, "CreateNamespace", RegistryId=registry_id, NamespaceName="storefront", IsPublic=True)
    namespaces = {**PARTS, "vpcAttachments": [], "accessTokens": [], "publicAccess": []}
    stack.configure(**namespaces)
    refused = stack.run("up", "--yes", "--skip-preview", check=False)
    assert refused.returncode != 0
    printed = refused.stdout + refused.stderr
    assert "adopt_existing=True" in printed and "import_" not in printed
    stack.configure(namespaces=[{**PARTS["namespaces"][0], "adopt_existing": True}])
    assert ops(stack.up()) == {"apps-ns": "create"}
    assert Live(emulator, registry_id).namespaces()["storefront"]["Public"] is False
    stack.run("preview", "--expect-no-changes")
    stack.run("refresh", "--preview-only", "--expect-no-changes")
