"""VPC access (ManageInternalEndpoint) and private DNS (CreateInternalEndpointDns) of an instance.

Plain state on each instance, every status computed from timestamps; with ``--modify-seconds`` M:

- ManageInternalEndpoint Create needs a ``Running`` instance. The attachment is listed ``Creating`` with an
  empty AccessIp for M, then ``Running`` with its AccessIp: a private address derived from the registry id,
  the VPC and the subnet, so the same attachment always gets the same address. A VPC may hold one attachment
  per subnet (the Terraform provider keys them by VPC and subnet): a subnet already attached (or still being
  detached) is refused with ``InvalidParameter``.
- ManageInternalEndpoint Delete: ``Deleting`` for M, then gone. An unknown VPC and subnet is
  ``ResourceNotFound``, an attachment whose address still has private DNS records
  ``ResourceInsufficient.ErrorVpcDnsStatus``; deleting an attachment already ``Deleting`` succeeds and changes
  nothing.
- CreateInternalEndpointDns needs a ``Running`` attachment of the VPC whose AccessIp is EniLBIp. A record is
  one (VPC, UsePublicDomain) pair of the instance, pointing at one address: ``DISABLE`` for M, then
  ``ENABLE``. Creating a record that exists succeeds and changes nothing (one being deleted is kept); one that
  exists for another address of the VPC is refused with ``InvalidParameter``.
- DeleteInternalEndpointDns: an enabled record stays ``ENABLE`` for M, then it is gone (``DISABLE``), so
  ``DISABLE`` after ``ENABLE`` means the VPC can be detached; a record not enabled yet goes at once. An unknown
  record: success, nothing changes.

RegionId / RegionName name a replica region; the emulator serves none, so when given (not 0 or empty) they
must be the instance's own region.

The emulator's reading, not confirmed by a source: the AccessVpc status strings (the SDK documents the field
only); that one VPC's domain resolves to one address; the codes for a subnet attached twice, an attachment
not Running or an address not the VPC's (``InvalidParameter``) and a subnet not attached
(``ResourceNotFound``); that a record being deleted still shows ``ENABLE``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Protocol

from ... import rules
from ...errors import InvalidParameter, InvalidParameterValue, ResourceInsufficient, ResourceNotFound
from .instance_view import BackendView, InstanceView


@dataclass
class VpcAttachment:
    vpc_id: str
    subnet_id: str
    address: str
    ready_at: float
    detached_at: float | None = None

    def status(self, now: float) -> str:
        if self.detached_at is not None:
            return rules.ACCESS_VPC_DELETING
        return rules.ACCESS_VPC_CREATING if now < self.ready_at else rules.ACCESS_VPC_RUNNING

    def access_ip(self, now: float) -> str:
        return "" if self.status(now) == rules.ACCESS_VPC_CREATING else self.address

    def is_gone(self, now: float) -> bool:
        return self.detached_at is not None and now >= self.detached_at


@dataclass
class DnsRecord:
    vpc_id: str
    use_public_domain: bool
    address: str
    enabled_at: float
    removed_at: float | None = None

    def status(self, now: float) -> str:
        if self.removed_at is not None:
            return rules.DNS_ENABLED
        return rules.DNS_ENABLED if now >= self.enabled_at else rules.DNS_DISABLED

    def is_gone(self, now: float) -> bool:
        return self.removed_at is not None and now >= self.removed_at


@dataclass
class Network:
    """An instance's VPC attachments (by VPC and subnet) and private DNS records (by VPC id and domain kind)."""

    attachments: dict[tuple[str, str], VpcAttachment] = field(default_factory=dict)
    dns_records: dict[tuple[str, bool], DnsRecord] = field(default_factory=dict)

    def settle(self, now: float) -> None:
        for key in [k for k, attachment in self.attachments.items() if attachment.is_gone(now)]:
            del self.attachments[key]
        for record_key in [k for k, record in self.dns_records.items() if record.is_gone(now)]:
            del self.dns_records[record_key]

    def records_of(self, attachment: VpcAttachment) -> list[DnsRecord]:
        return [
            record
            for record in self.dns_records.values()
            if record.vpc_id == attachment.vpc_id and record.address == attachment.address
        ]


@dataclass(frozen=True)
class DnsQuery:
    """One VpcAndDomainInfo of DescribeInternalEndpointDnsStatus."""

    instance_id: str
    vpc_id: str
    use_public_domain: bool
    region_name: str


class WithNetwork(InstanceView, Protocol):
    """An instance as :class:`NetworkBackend` sees it."""

    @property
    def network(self) -> Network: ...


class NetworkBackend:
    """VPC attachments and private DNS, over the instances a :class:`.model.TcrBackend` holds."""

    def __init__(self, tcr: BackendView[WithNetwork]) -> None:
        self.tcr = tcr

    # --- VPC attachments ---

    def manage_internal_endpoint(
        self,
        region: str,
        registry_id: str,
        operation: str,
        vpc_id: str,
        subnet_id: str,
        *,
        region_id: int,
        region_name: str,
    ) -> None:
        if operation not in rules.INTERNAL_ENDPOINT_OPERATIONS:
            raise InvalidParameterValue(
                f"Operation must be one of {', '.join(rules.INTERNAL_ENDPOINT_OPERATIONS)}, not {operation!r}."
            )
        check_vpc_id(vpc_id)
        if not rules.SUBNET_ID_PATTERN.fullmatch(subnet_id):
            raise InvalidParameterValue(f"SubnetId {subnet_id!r} is not a subnet id: subnet- and 8 letters or digits.")
        instance = self.tcr.get(region, registry_id)
        _check_own_region(instance, region_id=region_id, region_name=region_name)
        if operation == "Create":
            self._attach(instance, vpc_id, subnet_id)
        else:
            self._detach(instance, vpc_id, subnet_id)

    def _attach(self, instance: WithNetwork, vpc_id: str, subnet_id: str) -> None:
        self.tcr.require_running(instance)
        now = self.tcr.advance()
        existing = instance.network.attachments.get((vpc_id, subnet_id))
        if existing is not None:
            if existing.detached_at is not None:
                raise InvalidParameter(
                    f"The subnet {subnet_id} of {vpc_id} is still being detached from {instance.registry_id}; "
                    "attach it again once DescribeInternalEndpoints no longer lists it."
                )
            raise InvalidParameter(
                f"The subnet {subnet_id} of {vpc_id} is already attached to {instance.registry_id}; an instance "
                "takes one attachment per subnet."
            )
        instance.network.attachments[vpc_id, subnet_id] = VpcAttachment(
            vpc_id=vpc_id,
            subnet_id=subnet_id,
            address=_access_ip(instance.registry_id, vpc_id, subnet_id),
            ready_at=now + self.tcr.timings.modify_seconds,
        )

    def _detach(self, instance: WithNetwork, vpc_id: str, subnet_id: str) -> None:
        now = self.tcr.advance()
        attachment = instance.network.attachments.get((vpc_id, subnet_id))
        if attachment is None:
            raise ResourceNotFound(f"The subnet {subnet_id} of {vpc_id} is not attached to {instance.registry_id}.")
        if records := instance.network.records_of(attachment):
            raise ResourceInsufficient(
                f"The VPC {vpc_id} still has private DNS records for {instance.registry_id} "
                f"({_domains(instance, records)}): delete them with DeleteInternalEndpointDns first.",
                sub="ErrorVpcDnsStatus",
            )
        if attachment.detached_at is None:
            attachment.detached_at = now + self.tcr.timings.modify_seconds
            self.tcr.advance()

    def internal_endpoints(self, region: str, registry_id: str) -> list[VpcAttachment]:
        return list(self.tcr.get(region, registry_id).network.attachments.values())

    # --- private DNS ---

    def create_dns(
        self,
        region: str,
        registry_id: str,
        vpc_id: str,
        eni_lb_ip: str,
        use_public_domain: bool,
        *,
        region_id: int,
        region_name: str,
    ) -> None:
        check_vpc_id(vpc_id)
        instance = self.tcr.get(region, registry_id)
        _check_own_region(instance, region_id=region_id, region_name=region_name)
        now = self.tcr.advance()
        in_vpc = [a for a in instance.network.attachments.values() if a.vpc_id == vpc_id]
        if not in_vpc:
            raise ResourceNotFound(
                f"The VPC {vpc_id} is not attached to {registry_id}: attach it with ManageInternalEndpoint "
                "(Operation=Create) and wait until it is Running."
            )
        running = [a for a in in_vpc if a.status(now) == rules.ACCESS_VPC_RUNNING]
        if not running:
            raise InvalidParameter(
                f"The attachment of the VPC {vpc_id} to {registry_id} is {in_vpc[0].status(now)}; private DNS "
                "needs it Running."
            )
        if not any(a.address == eni_lb_ip for a in running):
            addresses = ", ".join(a.address for a in running)
            raise InvalidParameter(
                f"EniLBIp {eni_lb_ip!r} is not an access IP of the VPC {vpc_id} on {registry_id} ({addresses}, as "
                "DescribeInternalEndpoints reports them)."
            )
        record = instance.network.dns_records.get((vpc_id, use_public_domain))
        if record is None:
            instance.network.dns_records[vpc_id, use_public_domain] = DnsRecord(
                vpc_id, use_public_domain, eni_lb_ip, enabled_at=now + self.tcr.timings.modify_seconds
            )
        elif record.address != eni_lb_ip:
            raise InvalidParameter(
                f"The VPC {vpc_id} already resolves {registry_id} to {record.address}; delete that record first."
            )
        else:
            record.removed_at = None

    def delete_dns(self, region: str, registry_id: str, vpc_id: str, use_public_domain: bool, region_name: str) -> None:
        instance = self.tcr.get(region, registry_id)
        _check_own_region(instance, region_id=0, region_name=region_name)
        now = self.tcr.advance()
        records = instance.network.dns_records
        record = records.get((vpc_id, use_public_domain))
        if record is None or record.removed_at is not None:
            return
        if now < record.enabled_at:
            del records[vpc_id, use_public_domain]
        else:
            record.removed_at = now + self.tcr.timings.modify_seconds
            self.tcr.advance()

    def dns_statuses(self, region: str, queries: list[DnsQuery]) -> list[tuple[str, str, str]]:
        """(Region, VpcId, Status) for each query, in order."""
        answers: list[tuple[str, str, str]] = []
        for query in queries:
            instance = self.tcr.get(region, query.instance_id)
            _check_own_region(instance, region_id=0, region_name=query.region_name)
            record = instance.network.dns_records.get((query.vpc_id, query.use_public_domain))
            status = rules.DNS_DISABLED if record is None else record.status(self.tcr.advance())
            answers.append((query.region_name or instance.region, query.vpc_id, status))
        return answers


def check_vpc_id(vpc_id: str) -> None:
    if not rules.VPC_ID_PATTERN.fullmatch(vpc_id):
        raise InvalidParameterValue(f"VpcId {vpc_id!r} is not a VPC id: vpc- and 8 lower-case letters or digits.")


def record_domain(instance: InstanceView, record: DnsRecord) -> str:
    return instance.public_domain if record.use_public_domain else instance.vpc_domain


def _domains(instance: InstanceView, records: list[DnsRecord]) -> str:
    return ", ".join(record_domain(instance, record) for record in records)


def _access_ip(registry_id: str, vpc_id: str, subnet_id: str) -> str:
    digest = hashlib.sha256(f"{registry_id}/{vpc_id}/{subnet_id}".encode()).digest()
    return f"10.{digest[0]}.{digest[1]}.{digest[2] % 250 + 4}"


def _check_own_region(instance: InstanceView, *, region_id: int, region_name: str) -> None:
    # The Terraform provider sends 0 and "" when no replica region is meant.
    if region_name and region_name != instance.region:
        raise InvalidParameterValue(
            f"RegionName {region_name!r} is not the region of {instance.registry_id} ({instance.region}); the "
            "emulator serves no replica regions."
        )
    if region_id and region_id != rules.REGION_IDS[instance.region]:
        raise InvalidParameterValue(
            f"RegionId {region_id} is not the region of {instance.registry_id} "
            f"({instance.region}, {rules.REGION_IDS[instance.region]}); the emulator serves no replica regions."
        )
