"""TCR's network actions: VPC access, private DNS, and public access with its allowlist.

The rules are in :mod:`.network`, :mod:`.public_access` and :mod:`.model` (ManageExternalEndpoint); this
reads the parameters and shapes the replies.
"""

from __future__ import annotations

from ... import rules
from ...schema import ListOf, Params, optional, required
from ..base import CallContext, Reply, action, struct
from .model import Instance, TcrBackend
from .network import DnsQuery, NetworkBackend, VpcAttachment, record_domain
from .public_access import ExternalEndpoint, PolicyEntry, PublicAccessBackend, SecurityPolicy

_SECURITY_POLICY = struct(
    PolicyIndex=optional(int), Description=optional(str), CidrBlock=optional(str), PolicyVersion=optional(str)
)
_VPC_AND_DOMAIN = struct(
    InstanceId=required(str),
    VpcId=required(str),
    EniLBIp=required(str),
    UsePublicDomain=optional(bool),
    RegionName=optional(str),
)


class NetworkActions:
    backend: TcrBackend
    network: NetworkBackend
    public_access: PublicAccessBackend

    # --- VPC access ---

    @action(
        "ManageInternalEndpoint",
        RegistryId=required(str),
        Operation=required(str),
        VpcId=required(str),
        SubnetId=required(str),
        RegionId=optional(int),
        RegionName=optional(str),
    )
    def manage_internal_endpoint(self, context: CallContext, params: Params) -> Reply:
        registry_id = params.text("RegistryId")
        self.network.manage_internal_endpoint(
            context.region,
            registry_id,
            params.text("Operation"),
            params.text("VpcId"),
            params.text("SubnetId"),
            region_id=params.integer("RegionId"),
            region_name=params.text("RegionName"),
        )
        return {"RegistryId": registry_id}

    @action("DescribeInternalEndpoints", RegistryId=required(str))
    def describe_internal_endpoints(self, context: CallContext, params: Params) -> Reply:
        attachments = self.network.internal_endpoints(context.region, params.text("RegistryId"))
        now = self.backend.advance()
        return {"AccessVpcSet": [_access_vpc(a, now) for a in attachments], "TotalCount": len(attachments)}

    # --- private DNS ---

    @action(
        "CreateInternalEndpointDns",
        InstanceId=required(str),
        VpcId=required(str),
        EniLBIp=required(str),
        UsePublicDomain=optional(bool),
        RegionName=optional(str),
        RegionId=optional(int),
    )
    def create_internal_endpoint_dns(self, context: CallContext, params: Params) -> Reply:
        self.network.create_dns(
            context.region,
            params.text("InstanceId"),
            params.text("VpcId"),
            params.text("EniLBIp"),
            params.flag("UsePublicDomain"),
            region_id=params.integer("RegionId"),
            region_name=params.text("RegionName"),
        )
        return {}

    @action(
        "DeleteInternalEndpointDns",
        InstanceId=required(str),
        VpcId=required(str),
        EniLBIp=required(str),
        UsePublicDomain=optional(bool),
        RegionName=optional(str),
    )
    def delete_internal_endpoint_dns(self, context: CallContext, params: Params) -> Reply:
        self.network.delete_dns(
            context.region,
            params.text("InstanceId"),
            params.text("VpcId"),
            params.flag("UsePublicDomain"),
            params.text("RegionName"),
        )
        return {}

    @action("DescribeInternalEndpointDnsStatus", VpcSet=required(ListOf(_VPC_AND_DOMAIN)))
    def describe_internal_endpoint_dns_status(self, context: CallContext, params: Params) -> Reply:
        queries = [
            DnsQuery(
                instance_id=item.text("InstanceId"),
                vpc_id=item.text("VpcId"),
                use_public_domain=item.flag("UsePublicDomain"),
                region_name=item.text("RegionName"),
            )
            for item in params.records("VpcSet") or []
        ]
        statuses = self.network.dns_statuses(context.region, queries)
        if context.behaviour.dns_status_error:
            statuses = [(region, vpc_id, rules.DNS_QUERY_FAILED) for region, vpc_id, _ in statuses]
        return {
            "VpcSet": [{"Region": region, "VpcId": vpc_id, "Status": status} for region, vpc_id, status in statuses]
        }

    # --- public access ---

    @action("ManageExternalEndpoint", RegistryId=required(str), Operation=required(str))
    def manage_external_endpoint(self, context: CallContext, params: Params) -> Reply:
        registry_id = params.text("RegistryId")
        self.backend.manage_external_endpoint(context.region, registry_id, params.text("Operation"))
        return {"RegistryId": registry_id}

    @action("DescribeExternalEndpointStatus", RegistryId=required(str))
    def describe_external_endpoint_status(self, context: CallContext, params: Params) -> Reply:
        instance = self.backend.get(context.region, params.text("RegistryId"))
        return {"Status": instance.external_endpoint.status(self.backend.advance()), "Reason": ""}

    @action(
        "CreateMultipleSecurityPolicy",
        RegistryId=required(str),
        SecurityGroupPolicySet=required(ListOf(_SECURITY_POLICY)),
    )
    def create_multiple_security_policy(self, context: CallContext, params: Params) -> Reply:
        registry_id = params.text("RegistryId")
        self.public_access.create_policies(context.region, registry_id, _policy_entries(params))
        return {"RegistryId": registry_id}

    @action(
        "DeleteMultipleSecurityPolicy",
        RegistryId=required(str),
        SecurityGroupPolicySet=required(ListOf(_SECURITY_POLICY)),
    )
    def delete_multiple_security_policy(self, context: CallContext, params: Params) -> Reply:
        registry_id = params.text("RegistryId")
        self.public_access.delete_policies(context.region, registry_id, _policy_entries(params))
        return {"RegistryId": registry_id}

    @action("DescribeSecurityPolicies", RegistryId=required(str))
    def describe_security_policies(self, context: CallContext, params: Params) -> Reply:
        endpoint, policies = self.public_access.policies(context.region, params.text("RegistryId"))
        return {"SecurityPolicySet": [_security_policy(endpoint, policy) for policy in policies]}


def _policy_entries(params: Params) -> list[PolicyEntry]:
    return [
        PolicyEntry(
            cidr_block=entry.optional_text("CidrBlock"),
            description=entry.optional_text("Description"),
            index=entry.integer("PolicyIndex") if "PolicyIndex" in entry else None,
            version=entry.optional_text("PolicyVersion"),
        )
        for entry in params.records("SecurityGroupPolicySet") or []
    ]


def _access_vpc(attachment: VpcAttachment, now: float) -> dict[str, object]:
    return {
        "VpcId": attachment.vpc_id,
        "SubnetId": attachment.subnet_id,
        "Status": attachment.status(now),
        "AccessIp": attachment.access_ip(now),
    }


def _security_policy(endpoint: ExternalEndpoint, policy: SecurityPolicy) -> dict[str, object]:
    return {
        "PolicyIndex": policy.index,
        "Description": policy.description,
        "CidrBlock": policy.cidr_block,
        "PolicyVersion": endpoint.policy_version,
    }


def network_state(instance: Instance, now: float) -> dict[str, object]:
    """The instance's VPC attachments, private DNS records and public access, for ``GET /_emulator/state``."""
    endpoint = instance.external_endpoint
    return {
        "vpcAttachments": [_access_vpc(a, now) for a in instance.network.attachments.values()],
        "privateDns": [
            {
                "VpcId": record.vpc_id,
                "UsePublicDomain": record.use_public_domain,
                "Domain": record_domain(instance, record),
                "Status": record.status(now),
            }
            for record in instance.network.dns_records.values()
        ],
        "publicAccess": {
            "Status": endpoint.status(now),
            "SecurityPolicySet": [_security_policy(endpoint, policy) for policy in endpoint.policies],
        },
    }
