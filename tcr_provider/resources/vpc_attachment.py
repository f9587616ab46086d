"""VpcAttachment: private access to a registry from one VPC, with optional private DNS for its domains."""

# No `from __future__ import annotations`: the Args annotations must stay objects (fields.Schema reads them).
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, NoReturn

import pulumi
from pulumi.dynamic import CreateResult, UpdateResult

from ..cloud.network import DNS_ERROR, DNS_ON, Attachment, DnsRecord, Network, attachment_failed
from ..cloud.polling import poll_until
from ..errors import AlreadyExists, ApiError, CreationFailed, Interrupted, PartGone, WaitTimedOut
from ..fields import Api, Change, Check, Schema, declared
from ..lifecycle import PartProvider, interrupted_after_opening, say
from ..spec import Region
from .base import RegistryId, args_from, output_keys, register

VPC_ID = re.compile(r"^vpc-[a-z0-9]{8}$")
SUBNET_ID = re.compile(r"^subnet-[a-z0-9]{8}$")


def _checker(pattern: re.Pattern[str], what: str, example: str) -> Any:
    def check(value: str) -> str:
        if not pattern.match(value):
            raise ValueError(f"{value!r} is not a {what} id: it looks like {example}")
        return value

    return check


VpcId = Annotated[str, Check(_checker(VPC_ID, "VPC", "vpc-1a2b3c4d"))]
SubnetId = Annotated[str, Check(_checker(SUBNET_ID, "subnet", "subnet-1a2b3c4d"))]

# The keys of the description `_describe` builds from DescribeInternalEndpoints and the DNS status.
PUBLIC_DNS, VPC_DNS = "PublicDomainDns", "VpcDomainDns"


@dataclass
class VpcAttachmentArgs:
    """Inputs of a VPC's private access to a TCR registry. The registry, VPC and subnet replace it; the DNS
    settings change in place."""

    registry_id: pulumi.Input[RegistryId] = declared(Change.REPLACE, required=True)
    """The registry (Instance.registry_id)."""

    vpc_id: pulumi.Input[VpcId] = declared(Change.REPLACE, required=True, api=Api(read="VpcId"))
    """The VPC whose nodes pull privately (vpc-xxxxxxxx)."""

    subnet_id: pulumi.Input[SubnetId] = declared(Change.REPLACE, required=True, api=Api(read="SubnetId"))
    """The subnet of that VPC where the access IP is placed (subnet-xxxxxxxx)."""

    region: pulumi.Input[Region] | None = declared(Change.REPLACE, resolved=True)
    """The registry's region; defaults to config tencentcloud:region, then TENCENTCLOUD_REGION."""

    enable_public_domain_dns: pulumi.Input[bool] | None = declared(
        Change.UPDATE, default=False, api=Api(read=PUBLIC_DNS)
    )
    """Resolve the public domain (<name>.tencentcloudcr.com) to the access IP inside the VPC: the same image
    references work inside and outside it."""

    enable_vpc_domain_dns: pulumi.Input[bool] | None = declared(Change.UPDATE, default=False, api=Api(read=VPC_DNS))
    """Resolve the VPC domain (<name>-vpc.tencentcloudcr.com) to the access IP inside the VPC."""


class VpcAttachmentOutputs:
    """The outputs of a VpcAttachment, besides its echoed inputs."""

    access_ip: pulumi.Output[str]
    """The private IP address the registry answers on inside the VPC."""
    status: pulumi.Output[str]
    """The attachment's status as the API reports it."""


VPC_ATTACHMENT = Schema(
    "VpcAttachment",
    VpcAttachmentArgs,
    missing={
        "registryId": "is required: pass the Instance's registry_id",
        "vpcId": "is required: the VPC of the cluster's nodes",
        "subnetId": "is required: a subnet of that VPC",
        "region": "no region given: set region= (the registry's), or `pulumi config set tencentcloud:region ...`",
    },
)
OUTPUT_KEYS = output_keys(VpcAttachmentOutputs)
_DNS_FIELDS = (("enablePublicDomainDns", True), ("enableVpcDomainDns", False))


class VpcAttachmentProvider(PartProvider):
    """The dynamic provider behind `tcr_provider.VpcAttachment`."""

    schema = VPC_ATTACHMENT
    output_keys = OUTPUT_KEYS

    @property
    def network(self) -> Network:
        return self.facade(Network)

    # --- create -----------------------------------------------------------------------------------------
    def create(self, props: dict[str, Any]) -> CreateResult:
        spec = self.inputs_of(props)
        region, registry_id, vpc_id = spec.region, spec.registry_id, spec.vpc_id
        if self.network.attachment(region, registry_id, vpc_id) is not None:
            raise AlreadyExists(registry_id, f"access from VPC {vpc_id}", f"{registry_id}/{vpc_id}")
        self.network.attach(region, registry_id, vpc_id, spec.subnet_id)
        # From here on VPC access is open: it ends up in the state, or is removed, or is named to the user.
        try:
            attachment = self._wait_until_ready(spec)
            for key, public in _DNS_FIELDS:
                if spec[key]:
                    self._set_dns(spec, attachment, public, on=True)
            outputs = self._described(spec)
        except Interrupted:
            raise interrupted_after_opening(
                registry_id, f"access from VPC {vpc_id}", f"{registry_id}/{vpc_id}"
            ) from None
        except Exception as exc:
            self._abandon(spec, f"could not be finished ({type(exc).__name__}: {exc})")
        return CreateResult(f"{registry_id}/{vpc_id}", outputs)

    def _wait_until_ready(self, spec: Mapping[str, Any]) -> Attachment:
        region, registry_id, vpc_id = spec["region"], spec["registryId"], spec["vpcId"]

        def done(found: Attachment | None) -> bool:
            if found is None:
                raise PartGone(registry_id, f"access from VPC {vpc_id}")
            if attachment_failed(found.status):
                raise ApiError("DescribeInternalEndpoints", found.status, "the VPC access failed", None, registry_id)
            return found.ready

        found = poll_until(
            lambda: self.network.attachment(region, registry_id, vpc_id),
            done,
            timeout=self.settings.create_timeout,
            what=f"access from {vpc_id} to {registry_id}",
            describe=lambda a: a.status if a else "gone",
            progress=say,
            interrupted=self.cloud.transport.interrupted,
        )
        assert found is not None
        return found

    def _set_dns(self, spec: Mapping[str, Any], attachment: Attachment, public: bool, *, on: bool) -> None:
        region, registry_id = spec["region"], spec["registryId"]
        record = DnsRecord(attachment.vpc_id, attachment.access_ip, public)
        if on:
            self.network.enable_dns(region, registry_id, record)
        else:
            self.network.disable_dns(region, registry_id, record)
        domain = "public" if public else "VPC"

        def done(status: str) -> bool:
            if status == DNS_ERROR:
                raise ApiError(
                    "DescribeInternalEndpointDnsStatus", status, f"the {domain} domain's DNS failed", None, registry_id
                )
            return (status in DNS_ON) == on

        poll_until(
            lambda: self.network.dns_status(region, registry_id, [record])[record],
            done,
            timeout=self.settings.update_timeout,
            what=f"private DNS of the {domain} domain of {registry_id} in {attachment.vpc_id}",
            progress=say,
            interrupted=self.cloud.transport.interrupted,
        )

    def _abandon(self, spec: Mapping[str, Any], what_happened: str) -> NoReturn:
        """Remove VPC access this create opened but cannot finish, then raise: nothing is left untracked."""
        region, registry_id, vpc_id = spec["region"], spec["registryId"], spec["vpcId"]
        registry = f"{registry_id} (access from {vpc_id})"
        try:
            self._remove(region, registry_id, vpc_id, spec["subnetId"])
            cleanup, cleaned_up = "The VPC access was removed again, so nothing is left behind.", True
        except (ApiError, WaitTimedOut) as exc:
            cleanup = f"Removing it failed too ({exc}): remove the VPC access in the console"
            cleaned_up = False
        raise CreationFailed(registry, what_happened, cleanup, cleaned_up)

    # --- update -----------------------------------------------------------------------------------------
    def update(self, _id: str, _olds: dict[str, Any], _news: dict[str, Any]) -> UpdateResult:
        spec = self.inputs_of(_news)
        attachment = self.network.attachment(spec.region, spec.registry_id, spec.vpc_id)
        if attachment is None:
            raise PartGone(spec.registry_id, f"access from VPC {spec.vpc_id}")
        records = [DnsRecord(attachment.vpc_id, attachment.access_ip, public) for _, public in _DNS_FIELDS]
        live = self.network.dns_status(spec.region, spec.registry_id, records)
        for (key, public), record in zip(_DNS_FIELDS, records, strict=True):
            if (live[record] in DNS_ON) != bool(spec[key]):
                self._set_dns(spec, attachment, public, on=bool(spec[key]))
        return UpdateResult(self._described(spec))

    # --- read -------------------------------------------------------------------------------------------
    def read_part(
        self, region: str, registry_id: str, key: str, stored: dict[str, Any], props: Mapping[str, Any]
    ) -> tuple[dict[str, Any], dict[str, Any]] | None:
        attachment = self.network.read_attachment(region, registry_id, key)
        if attachment is None:
            return None
        description = self._description(region, registry_id, attachment)
        return VPC_ATTACHMENT.live_inputs(description, stored), _outputs_of(attachment)

    def _described(self, spec: Mapping[str, Any]) -> dict[str, Any]:
        attachment = self.network.attachment(spec["region"], spec["registryId"], spec["vpcId"])
        if attachment is None:
            raise PartGone(spec["registryId"], f"access from VPC {spec['vpcId']}")
        return self.outputs(spec, _outputs_of(attachment))

    def _description(self, region: str, registry_id: str, attachment: Attachment) -> dict[str, Any]:
        description: dict[str, Any] = {"VpcId": attachment.vpc_id, "SubnetId": attachment.subnet_id}
        if attachment.access_ip:
            records = [DnsRecord(attachment.vpc_id, attachment.access_ip, public) for _, public in _DNS_FIELDS]
            statuses = self.network.dns_status(region, registry_id, records)
            description[PUBLIC_DNS] = statuses[records[0]] in DNS_ON
            description[VPC_DNS] = statuses[records[1]] in DNS_ON
        return description

    # --- delete -----------------------------------------------------------------------------------------
    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        registry_id, _, vpc_id = _id.partition("/")
        region = str(_props.get("region") or self.settings.default_region)
        self._remove(region, registry_id, vpc_id, str(_props.get("subnetId") or ""))

    def _remove(self, region: str, registry_id: str, vpc_id: str, subnet_id: str) -> None:
        """Private DNS first (the API refuses to remove VPC access that still has records), then the access."""
        attachment = self.network.attachment(region, registry_id, vpc_id)
        if attachment is None:
            return
        if attachment.access_ip:
            records = [DnsRecord(vpc_id, attachment.access_ip, public) for _, public in _DNS_FIELDS]
            statuses = self.network.dns_status(region, registry_id, records)
            for record in records:
                if statuses[record] in DNS_ON or statuses[record] == DNS_ERROR:
                    spec = {"region": region, "registryId": registry_id}
                    self._set_dns(spec, attachment, record.public, on=False)
        self.network.detach(region, registry_id, vpc_id, subnet_id or attachment.subnet_id)
        poll_until(
            lambda: self.network.attachment(region, registry_id, vpc_id),
            lambda found: found is None,
            timeout=self.settings.delete_timeout,
            what=f"removing access from {vpc_id} to {registry_id}",
            describe=lambda a: a.status if a else "gone",
            progress=say,
            interrupted=self.cloud.transport.interrupted,
        )


def _outputs_of(attachment: Attachment) -> dict[str, Any]:
    return {"accessIp": attachment.access_ip, "status": attachment.status}


class VpcAttachment(pulumi.dynamic.Resource, VpcAttachmentOutputs, module="tcr", name="VpcAttachment"):
    """Private access to a TCR Enterprise registry from a VPC (type token
    `pulumi-python:dynamic/tcr:VpcAttachment`), with optional private DNS for the registry's domains."""

    def __init__(
        self,
        resource_name: str,
        args: VpcAttachmentArgs | None = None,
        opts: pulumi.ResourceOptions | None = None,
        **kwargs: Any,
    ) -> None:
        args = args_from("VpcAttachment", resource_name, VpcAttachmentArgs, args, kwargs)
        register(self, VpcAttachmentProvider(), resource_name, args, VPC_ATTACHMENT, OUTPUT_KEYS, opts)
