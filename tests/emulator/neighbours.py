"""Steps the neighbour tests share: call a TCR action, attach a VPC, open public access, make a namespace, buy an
instance that never runs."""

from __future__ import annotations

import base64
import urllib.error
import urllib.request
from typing import Any

from tcr_provider.testing import wait_until

VPC = "vpc-abcd1234"
SUBNET = "subnet-abcd1234"
OTHER_VPC = "vpc-wxyz5678"
OTHER_SUBNET = "subnet-wxyz5678"


def call(api: Any, action: str, **params: Any) -> Any:
    """Call a TCR action through the SDK's typed method."""
    return api.invoke(api.tcr(), action, params)


def unhealthy_instance(api: Any, control: Any) -> str:
    """The id of an instance that settles Unhealthy, never Running: what hangs off an instance needs a Running one."""
    control.fault({"action": "CreateInstance", "final_status": "Unhealthy"})
    return str(api.create())


def attachments(api: Any, registry_id: str) -> dict[str, Any]:
    """The instance's AccessVpcSet by VPC id."""
    return {vpc.VpcId: vpc for vpc in call(api, "DescribeInternalEndpoints", RegistryId=registry_id).AccessVpcSet}


def attach(api: Any, registry_id: str, vpc_id: str = VPC, subnet_id: str = SUBNET) -> None:
    call(api, "ManageInternalEndpoint", RegistryId=registry_id, Operation="Create", VpcId=vpc_id, SubnetId=subnet_id)


def attached_ip(api: Any, registry_id: str, vpc_id: str = VPC, subnet_id: str = SUBNET) -> str:
    """Attach the VPC, wait until the attachment is Running, and return its AccessIp."""
    attach(api, registry_id, vpc_id, subnet_id)
    return str(
        wait_until(
            lambda: (
                attachments(api, registry_id)[vpc_id].Status == "Running"
                and attachments(api, registry_id)[vpc_id].AccessIp
            ),
            what=f"{vpc_id} Running",
        )
    )


def dns_params(registry_id: str, ip: str, vpc_id: str = VPC, public: bool = False) -> dict[str, Any]:
    return {"InstanceId": registry_id, "VpcId": vpc_id, "EniLBIp": ip, "UsePublicDomain": public}


def dns_status(api: Any, registry_id: str, ip: str, vpc_id: str = VPC, public: bool = False) -> str:
    (status,) = call(
        api, "DescribeInternalEndpointDnsStatus", VpcSet=[dns_params(registry_id, ip, vpc_id, public)]
    ).VpcSet
    return str(status.Status)


def endpoint_status(api: Any, registry_id: str) -> str:
    return str(call(api, "DescribeExternalEndpointStatus", RegistryId=registry_id).Status)


def open_public_access(api: Any, registry_id: str) -> None:
    call(api, "ManageExternalEndpoint", RegistryId=registry_id, Operation="Create")
    wait_until(lambda: endpoint_status(api, registry_id) == "Opened", what="public access Opened")


def allow(api: Any, registry_id: str, *cidrs: str) -> None:
    policies = [{"CidrBlock": cidr, "Description": f"runners {cidr}"} for cidr in cidrs]
    call(api, "CreateMultipleSecurityPolicy", RegistryId=registry_id, SecurityGroupPolicySet=policies)


def policies(api: Any, registry_id: str) -> list[Any]:
    return list(call(api, "DescribeSecurityPolicies", RegistryId=registry_id).SecurityPolicySet)


def make_namespace(api: Any, registry_id: str, name: str = "team", **params: Any) -> None:
    call(api, "CreateNamespace", RegistryId=registry_id, NamespaceName=name, **{"IsPublic": False, **params})


def make_repository(api: Any, registry_id: str, namespace: str = "team", name: str = "app") -> None:
    call(api, "CreateRepository", RegistryId=registry_id, NamespaceName=namespace, RepositoryName=name)


def long_term_token(api: Any, registry_id: str, description: str = "ci") -> Any:
    return call(api, "CreateInstanceToken", RegistryId=registry_id, TokenType="longterm", Desc=description)


def version_check(
    endpoint_url: str,
    registry_host: str | None,
    credentials: tuple[str, str] | None,
    host: str | None = None,
) -> tuple[int, dict[str, str], bytes]:
    """``GET /v2/`` on the emulator: status, headers (lower-case names) and body."""
    request = urllib.request.Request(f"{endpoint_url}/v2/")
    if registry_host is not None:
        request.add_header("X-Registry-Host", registry_host)
    if host is not None:
        request.add_header("Host", host)
    if credentials is not None:
        encoded = base64.b64encode(":".join(credentials).encode()).decode()
        request.add_header("Authorization", f"Basic {encoded}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()
