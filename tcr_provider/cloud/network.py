"""How a registry is reached: VPC access (internal endpoints), their private DNS, public access and its allowlist.

What the API reports is kept as it says it; the meaning of its status strings lives here once. Where the
published sources disagree (the DNS status is `ENABLE` in the SDK's documentation and `ENABLED` in the
Terraform provider's constant), both spellings are read as on, so either answer works. A DNS status of
`ERROR` means the status query failed (SDK 3.1.189 VpcPrivateDomainStatus: "ERROR代表查询出错"), not the
record: it is asked again, never taken for on or off.

A VPC may hold one attachment per subnet (the Terraform provider keys attachments by VPC and subnet), so an
attachment is named by both.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .batcher import ReadBatcher
from .instances import TcrCloud
from .retry import CallKind

# DescribeInternalEndpoints' AccessVpc.Status: the SDK documents no values. An attachment is ready once it
# reports an AccessIp in a status that is neither passing nor failed; the names below are the emulator's and
# the ones seen in the Terraform provider's logs, matched without regard to case.
ATTACHMENT_PASSING = frozenset({"creating", "pending", "deploying", "deleting"})
DNS_ON = frozenset({"ENABLE", "ENABLED"})
DNS_ERROR = "ERROR"
# DescribeExternalEndpointStatus: Opening, Opened, Closed (and Deleting while closing, per the API reference).
PUBLIC_OPEN = "Opened"
PUBLIC_CLOSED = "Closed"
PUBLIC_PASSING = frozenset({"Opening", "Deleting"})
OPEN_TO_ALL_CIDR = "0.0.0.0/0"


def attachment_key(vpc_id: str, subnet_id: str) -> str:
    """How an attachment is named within its registry (the key of its id, `<registry id>/<key>`)."""
    return f"{vpc_id}/{subnet_id}"


def attachment_failed(status: str) -> bool:
    return "fail" in status.lower() or status.lower() == "error"


@dataclass(frozen=True)
class Attachment:
    """One VPC's access to a registry, as DescribeInternalEndpoints reports it."""

    vpc_id: str
    subnet_id: str
    status: str
    access_ip: str

    @property
    def ready(self) -> bool:
        return (
            bool(self.access_ip)
            and self.status.lower() not in ATTACHMENT_PASSING
            and not attachment_failed(self.status)
        )

    @classmethod
    def from_api(cls, item: Mapping[str, Any]) -> Attachment:
        return cls(
            vpc_id=str(item.get("VpcId") or ""),
            subnet_id=str(item.get("SubnetId") or ""),
            status=str(item.get("Status") or ""),
            access_ip=str(item.get("AccessIp") or ""),
        )


@dataclass(frozen=True)
class DnsRecord:
    """Private DNS of one domain of a registry inside one VPC: `public` is the public domain, else the VPC domain."""

    vpc_id: str
    access_ip: str
    public: bool


@dataclass(frozen=True)
class Policy:
    """One allowlist entry of public access."""

    index: int
    version: str
    cidr: str
    description: str

    @classmethod
    def from_api(cls, item: Mapping[str, Any]) -> Policy:
        return cls(
            index=int(item.get("PolicyIndex") or 0),
            version=str(item.get("PolicyVersion") or ""),
            cidr=str(item.get("CidrBlock") or ""),
            description=str(item.get("Description") or ""),
        )


class Network:
    """VPC access, private DNS and public access of registries, over the provider's one TcrCloud."""

    def __init__(self, cloud: TcrCloud) -> None:
        self.cloud = cloud
        # A refresh of many attachments of one registry shares its DescribeInternalEndpoints calls.
        self.attachment_reads: ReadBatcher[Attachment] = ReadBatcher(self._attachments_of_scope)

    # --- VPC access -------------------------------------------------------------------------------------
    def attachments(self, region: str, registry_id: str) -> dict[str, Attachment]:
        """The registry's VPC attachments by `<vpc id>/<subnet id>`; empty when the registry is gone (with
        ResourceNotFound: DescribeInternalEndpoints documents none, and answers an unknown registry with
        InternalError, which the caller tells apart by asking for the registry)."""
        answer = self.cloud.call_unless_gone(
            region, "DescribeInternalEndpoints", {"RegistryId": registry_id}, registry=registry_id
        )
        found = (Attachment.from_api(item) for item in (answer or {}).get("AccessVpcSet") or [])
        return {attachment_key(a.vpc_id, a.subnet_id): a for a in found}

    def attachment(self, region: str, registry_id: str, vpc_id: str, subnet_id: str) -> Attachment | None:
        return self.attachments(region, registry_id).get(attachment_key(vpc_id, subnet_id))

    def read_attachment(self, region: str, registry_id: str, key: str) -> Attachment | None:
        """Like `attachment` by its key, but concurrent reads of one registry share their calls (a refresh)."""
        return self.attachment_reads.get(f"{region}/{registry_id}", key)

    def _attachments_of_scope(self, scope: str, keys: Sequence[str]) -> dict[str, Attachment]:
        region, registry_id = scope.split("/", 1)
        found = self.attachments(region, registry_id)
        return {k: found[k] for k in keys if k in found}

    def attach(self, region: str, registry_id: str, vpc_id: str, subnet_id: str) -> None:
        """ManageInternalEndpoint Create. A lost answer is recovered by looking for the attachment: one subnet
        is attached to a registry at most once, so what is found is what this call made."""

        def find_it() -> dict[str, Any] | None:
            return {} if self.attachment(region, registry_id, vpc_id, subnet_id) is not None else None

        self.cloud.call(
            "tcr",
            region,
            "ManageInternalEndpoint",
            {"RegistryId": registry_id, "Operation": "Create", "VpcId": vpc_id, "SubnetId": subnet_id},
            registry=registry_id,
            kind=CallKind.NEVER_REPEAT_BLINDLY,
            recover=find_it,
        )

    def detach(self, region: str, registry_id: str, vpc_id: str, subnet_id: str) -> bool:
        """ManageInternalEndpoint Delete; False when there was nothing to delete."""
        params = {"RegistryId": registry_id, "Operation": "Delete", "VpcId": vpc_id, "SubnetId": subnet_id}
        return self.cloud.call_unless_gone(region, "ManageInternalEndpoint", params, registry=registry_id) is not None

    # --- private DNS ------------------------------------------------------------------------------------
    def dns_status(self, region: str, registry_id: str, records: Iterable[DnsRecord]) -> dict[DnsRecord, str]:
        """The status of each record (ENABLE, DISABLE, or ERROR: the query failed), each asked in its own call:
        the answer's items carry nothing that tells the public-domain record from the VPC-domain one, and the
        Terraform provider asks for one at a time too."""
        return {record: self._one_dns_status(region, registry_id, record) for record in records}

    def _one_dns_status(self, region: str, registry_id: str, record: DnsRecord) -> str:
        answer = self.cloud.call(
            "tcr",
            region,
            "DescribeInternalEndpointDnsStatus",
            {"VpcSet": [self._dns_params(region, registry_id, record)]},
            registry=registry_id,
        )
        items = answer.get("VpcSet") or []
        return str(items[0].get("Status") or "") if len(items) == 1 else DNS_ERROR

    def enable_dns(self, region: str, registry_id: str, record: DnsRecord) -> None:
        self.cloud.call(
            "tcr",
            region,
            "CreateInternalEndpointDns",
            self._dns_params(region, registry_id, record),
            registry=registry_id,
        )

    def disable_dns(self, region: str, registry_id: str, record: DnsRecord) -> None:
        params = self._dns_params(region, registry_id, record)
        self.cloud.call_unless_gone(region, "DeleteInternalEndpointDns", params, registry=registry_id)

    @staticmethod
    def _dns_params(region: str, registry_id: str, record: DnsRecord) -> dict[str, Any]:
        return {
            "InstanceId": registry_id,
            "VpcId": record.vpc_id,
            "EniLBIp": record.access_ip,
            "UsePublicDomain": record.public,
            "RegionName": region,
        }

    # --- public access ----------------------------------------------------------------------------------
    def public_status(self, region: str, registry_id: str) -> str | None:
        """Opening, Opened, Deleting or Closed; None when the registry is gone."""
        answer = self.cloud.call_unless_gone(
            region, "DescribeExternalEndpointStatus", {"RegistryId": registry_id}, registry=registry_id
        )
        return None if answer is None else str(answer.get("Status") or "")

    def set_public(self, region: str, registry_id: str, opened: bool) -> None:
        self.cloud.call(
            "tcr",
            region,
            "ManageExternalEndpoint",
            {"RegistryId": registry_id, "Operation": "Create" if opened else "Delete"},
            registry=registry_id,
        )

    def policies(self, region: str, registry_id: str) -> list[Policy]:
        answer = self.cloud.call(
            "tcr", region, "DescribeSecurityPolicies", {"RegistryId": registry_id}, registry=registry_id
        )
        return [Policy.from_api(item) for item in answer.get("SecurityPolicySet") or []]

    def allow(self, region: str, registry_id: str, entries: Mapping[str, str]) -> None:
        """Add allowlist entries (CIDR -> description)."""
        if not entries:
            return

        def find_them() -> dict[str, Any] | None:
            # Sent again, a CIDR already present is refused: look first whether the lost call took effect.
            present = {p.cidr for p in self.policies(region, registry_id)}
            return {} if set(entries) <= present else None

        policies = [{"CidrBlock": cidr, "Description": text} for cidr, text in sorted(entries.items())]
        self.cloud.call(
            "tcr",
            region,
            "CreateMultipleSecurityPolicy",
            {"RegistryId": registry_id, "SecurityGroupPolicySet": policies},
            registry=registry_id,
            kind=CallKind.NEVER_REPEAT_BLINDLY,
            recover=find_them,
        )

    def disallow(self, region: str, registry_id: str, policies: Sequence[Policy]) -> None:
        """Delete allowlist entries. A lost answer is recovered by looking for them: sent again, an entry
        already gone would be refused, and a repeated delete that finds its entries gone has succeeded."""
        if not policies:
            return
        entries = [
            {"PolicyIndex": p.index, "PolicyVersion": p.version, "CidrBlock": p.cidr, "Description": p.description}
            for p in policies
        ]

        def find_them_gone() -> dict[str, Any] | None:
            present = {(p.index, p.cidr) for p in self.policies(region, registry_id)}
            return {} if not present & {(p.index, p.cidr) for p in policies} else None

        self.cloud.call(
            "tcr",
            region,
            "DeleteMultipleSecurityPolicy",
            {"RegistryId": registry_id, "SecurityGroupPolicySet": entries},
            registry=registry_id,
            kind=CallKind.NEVER_REPEAT_BLINDLY,
            recover=find_them_gone,
        )
