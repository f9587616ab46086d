"""VpcAttachment: private access to a registry from one VPC, with optional private DNS for its domains."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, overload

import pulumi
from pulumi.dynamic import CreateResult, UpdateResult

from ..cloud.network import DNS_ERROR, DNS_ON, Attachment, DnsRecord, Network, attachment_failed, attachment_key
from ..errors import AlreadyExists, ApiError, PartGone, WaitTimedOut
from ..fields import Api, Change, Check, Inputs, Schema, Write, declared
from ..lifecycle import PartProvider, part_id, say, split_part_id
from ..settings import CREATE_TIMEOUT, DELETE_TIMEOUT, UPDATE_TIMEOUT
from .common import AdoptableArgs, DeclaredResource, Region, RegistryId

__all__ = ["VpcAttachment", "VpcAttachmentArgs"]

VPC_ID = re.compile(r"^vpc-[a-z0-9]{8}$")
SUBNET_ID = re.compile(r"^subnet-[a-z0-9]{8}$")


def _checker(pattern: re.Pattern[str], what: str, example: str) -> Any:
    def check(value: str) -> str:
        if not pattern.match(value):
            raise ValueError(f"{value!r} is not a {what} id: it looks like {example}")
        return value

    return check


VpcId = Annotated[str, Check(_checker(VPC_ID, "VPC", "vpc-1a2b3c4d"), "`vpc-xxxxxxxx`")]
SubnetId = Annotated[str, Check(_checker(SUBNET_ID, "subnet", "subnet-1a2b3c4d"), "`subnet-xxxxxxxx`")]

# The keys of the description `_describe` builds from DescribeInternalEndpoints and the DNS status.
PUBLIC_DNS, VPC_DNS = "PublicDomainDns", "VpcDomainDns"
# Private DNS records are written by calls of their own, one record each.
DNS_CALLS = "CreateInternalEndpointDns / DeleteInternalEndpointDns"


@dataclass(kw_only=True)
class VpcAttachmentArgs(AdoptableArgs):
    """Inputs of a VPC's private access to a TCR registry. The registry, VPC and subnet replace it; the DNS
    settings change in place."""

    vpc_id: pulumi.Input[VpcId] = declared(
        Change.REPLACE, required=True, api=Api(read="VpcId"), missing="is required: the VPC of the cluster's nodes"
    )
    """The VPC whose nodes pull privately (vpc-xxxxxxxx)."""

    subnet_id: pulumi.Input[SubnetId] = declared(
        Change.REPLACE_DELETE_FIRST,
        required=True,
        api=Api(read="SubnetId"),
        missing="is required: a subnet of that VPC",
    )
    """The subnet of that VPC where the access IP is placed (subnet-xxxxxxxx). A new subnet replaces the
    attachment, deleting the old one first: the VPC's private DNS records can point at one address only."""

    enable_public_domain_dns: pulumi.Input[bool] | None = declared(
        Change.UPDATE, default=False, api=Api(read=PUBLIC_DNS, write=Write.OWN_CALL, via=DNS_CALLS)
    )
    """Resolve the public domain (<name>.tencentcloudcr.com) to the access IP inside the VPC: the same image
    references work inside and outside it."""

    enable_vpc_domain_dns: pulumi.Input[bool] | None = declared(
        Change.UPDATE, default=False, api=Api(read=VPC_DNS, write=Write.OWN_CALL, via=DNS_CALLS)
    )
    """Resolve the VPC domain (<name>-vpc.tencentcloudcr.com) to the access IP inside the VPC."""


class VpcAttachmentOutputs:
    """The outputs of a VpcAttachment, besides its echoed inputs."""

    access_ip: pulumi.Output[str]
    """The private IP address the registry answers on inside the VPC."""
    status: pulumi.Output[str]
    """The attachment's status as the API reports it."""


VPC_ATTACHMENT = Schema(
    "VpcAttachment", VpcAttachmentArgs, VpcAttachmentOutputs, key_input="subnet_id", distinct_by=["vpcId"]
)
_DNS_FIELDS = (("enablePublicDomainDns", True), ("enableVpcDomainDns", False))
# How long a refresh asks again while the DNS status query fails (ERROR), before it keeps the stored settings.
DNS_READ_SECONDS = 10.0


class VpcAttachmentProvider(PartProvider):
    """The dynamic provider behind `tcr_provider.VpcAttachment`. Its id is `<registry id>/<vpc id>/<subnet id>`:
    a VPC may hold one attachment per subnet."""

    schema = VPC_ATTACHMENT

    @property
    def network(self) -> Network:
        return self.facade(Network)

    # --- create -----------------------------------------------------------------------------------------
    def create(self, props: dict[str, Any]) -> CreateResult:
        inputs = self.inputs_of(props)
        region, registry_id, vpc_id, subnet_id = inputs.region, inputs.registry_id, inputs.vpc_id, inputs.subnet_id
        key = attachment_key(vpc_id, subnet_id)
        what = f"access from VPC {vpc_id} through {subnet_id}"
        if self.network.attachment(region, registry_id, vpc_id, subnet_id) is not None:
            if not inputs.adopt_existing:
                raise AlreadyExists(registry_id, what, part_id(registry_id, key))
            self._converge(inputs, self._wait_until_ready(inputs))
            return CreateResult(part_id(registry_id, key), self._described(inputs))
        self.network.attach(region, registry_id, vpc_id, subnet_id)
        opened = self.opened(
            registry_id,
            what,
            key,
            lambda: self._remove(region, registry_id, vpc_id, subnet_id),
            closed="The VPC access was removed again, so nothing is left behind.",
        )

        def finish() -> dict[str, Any]:
            attachment = self._wait_until_ready(inputs)
            for field, public in _DNS_FIELDS:
                if inputs[field]:
                    self._set_dns(region, registry_id, attachment, public, on=True)
            return self._described(inputs)

        return CreateResult(part_id(registry_id, key), opened.finish(finish))

    def _wait_until_ready(self, inputs: Mapping[str, Any]) -> Attachment:
        region, registry_id, vpc_id, subnet_id = (
            inputs["region"],
            inputs["registryId"],
            inputs["vpcId"],
            inputs["subnetId"],
        )

        def done(found: Attachment | None) -> bool:
            if found is None:
                raise PartGone(registry_id, f"access from VPC {vpc_id}")
            if attachment_failed(found.status):
                raise ApiError("DescribeInternalEndpoints", found.status, "the VPC access failed", None, registry_id)
            return found.ready

        found = self.wait_until(
            lambda: self.network.attachment(region, registry_id, vpc_id, subnet_id),
            done,
            timeout=self.settings.create_timeout,
            setting=CREATE_TIMEOUT,
            what=f"access from {vpc_id} to {registry_id}",
            describe=lambda a: a.status if a else "gone",
        )
        assert found is not None
        return found

    def _set_dns(self, region: str, registry_id: str, attachment: Attachment, public: bool, *, on: bool) -> None:
        record = DnsRecord(attachment.vpc_id, attachment.access_ip, public)
        if on:
            self.network.enable_dns(region, registry_id, record)
        else:
            self.network.disable_dns(region, registry_id, record)
        domain = "public" if public else "VPC"
        self.wait_until(
            lambda: self.network.dns_status(region, registry_id, [record])[record],
            # ERROR: the status query failed, which says nothing of the record; the next poll asks again.
            lambda status: status != DNS_ERROR and (status in DNS_ON) == on,
            timeout=self.settings.update_timeout,
            setting=UPDATE_TIMEOUT,
            what=f"private DNS of the {domain} domain of {registry_id} in {attachment.vpc_id}",
        )

    def _dns_on(self, region: str, registry_id: str, attachment: Attachment, timeout: float) -> dict[bool, bool]:
        """Whether each record (public domain: True) is on, asked again while the answer is ERROR, for up to
        `timeout` seconds."""
        on: dict[bool, bool] = {}
        for _, public in _DNS_FIELDS:
            record = DnsRecord(attachment.vpc_id, attachment.access_ip, public)

            def ask(record: DnsRecord = record) -> str:
                return self.network.dns_status(region, registry_id, [record])[record]

            status = self.wait_until(
                ask,
                lambda answer: answer != DNS_ERROR,
                timeout=timeout,
                what=f"the private DNS status of {registry_id} in {attachment.vpc_id}",
            )
            on[public] = status in DNS_ON
        return on

    # --- update -----------------------------------------------------------------------------------------
    def update_part(self, _id: str, _olds: dict[str, Any], _news: dict[str, Any]) -> UpdateResult:
        inputs = self.inputs_of(_news)
        region, registry_id = inputs.region, inputs.registry_id
        attachment = self.network.attachment(region, registry_id, inputs.vpc_id, inputs.subnet_id)
        if attachment is None:
            raise PartGone(registry_id, f"access from VPC {inputs.vpc_id}")
        self._converge(inputs, attachment)
        return UpdateResult(self._described(inputs))

    def _converge(self, inputs: Inputs, attachment: Attachment) -> None:
        """Bring the attachment's private DNS to the program's settings."""
        region, registry_id = inputs.region, inputs.registry_id
        live = self._dns_on(region, registry_id, attachment, self.settings.update_timeout)
        for field, public in _DNS_FIELDS:
            if live[public] != bool(inputs[field]):
                self._set_dns(region, registry_id, attachment, public, on=bool(inputs[field]))

    # --- read -------------------------------------------------------------------------------------------
    def read_part(
        self, region: str, registry_id: str, key: str, stored: dict[str, Any], props: Mapping[str, Any]
    ) -> tuple[dict[str, Any], dict[str, Any]] | None:
        if "/" not in key:  # an id from before attachments were named by subnet too: `<registry id>/<vpc id>`
            key = attachment_key(key, str(stored.get("subnetId") or ""))
        attachment = self.network.read_attachment(region, registry_id, key)
        if attachment is None:
            return None
        description: dict[str, Any] = {"VpcId": attachment.vpc_id, "SubnetId": attachment.subnet_id}
        if attachment.access_ip:
            try:
                on = self._dns_on(region, registry_id, attachment, DNS_READ_SECONDS)
            except WaitTimedOut as exc:
                # A refresh reports what it knows: the stored DNS settings stand until a query answers.
                say(f"warning: {exc}; the stored private DNS settings are kept")
            else:
                description[PUBLIC_DNS], description[VPC_DNS] = on[True], on[False]
        live = VPC_ATTACHMENT.live_inputs(description, stored)
        if PUBLIC_DNS not in description:
            # No answer on DNS (no access IP yet, or every query failed): the stored settings stand.
            live.update({field: stored[field] for field, _ in _DNS_FIELDS if field in stored})
        return live, _outputs_of(attachment)

    def _described(self, inputs: Mapping[str, Any]) -> dict[str, Any]:
        attachment = self.network.attachment(
            inputs["region"], inputs["registryId"], inputs["vpcId"], inputs["subnetId"]
        )
        if attachment is None:
            raise PartGone(inputs["registryId"], f"access from VPC {inputs['vpcId']}")
        return self.outputs(inputs, _outputs_of(attachment))

    # --- delete -----------------------------------------------------------------------------------------
    def delete_part(self, _id: str, _props: dict[str, Any]) -> None:
        registry_id, key = split_part_id(_id)
        vpc_id, _, subnet_id = key.partition("/")
        region = self.region_of(_props, f"deleting VpcAttachment {_id}")
        self._remove(region, registry_id, vpc_id, subnet_id or str(_props.get("subnetId") or ""))

    def _remove(self, region: str, registry_id: str, vpc_id: str, subnet_id: str) -> None:
        """Private DNS first (the API refuses to remove VPC access that still has records), then the access."""
        attachment = self.network.attachment(region, registry_id, vpc_id, subnet_id)
        if attachment is None:
            return
        if attachment.access_ip:
            for public, on in self._dns_on(region, registry_id, attachment, self.settings.delete_timeout).items():
                if on:
                    self._set_dns(region, registry_id, attachment, public, on=False)
        self.network.detach(region, registry_id, vpc_id, subnet_id)
        self.wait_until(
            lambda: self.network.attachment(region, registry_id, vpc_id, subnet_id),
            lambda found: found is None,
            timeout=self.settings.delete_timeout,
            setting=DELETE_TIMEOUT,
            what=f"removing access from {vpc_id} through {subnet_id} to {registry_id}",
            describe=lambda a: a.status if a else "gone",
        )


def _outputs_of(attachment: Attachment) -> dict[str, Any]:
    return {"accessIp": attachment.access_ip, "status": attachment.status}


class VpcAttachment(DeclaredResource, VpcAttachmentOutputs, module="tcr", name="VpcAttachment"):
    """Private access to a TCR Enterprise registry from a VPC (type token
    `pulumi-python:dynamic/tcr:VpcAttachment`), with optional private DNS for the registry's domains."""

    provider_class = VpcAttachmentProvider

    if TYPE_CHECKING:
        # BEGIN generated: VpcAttachment signatures
        @overload
        def __init__(
            self,
            resource_name: str,
            args: VpcAttachmentArgs,
            opts: pulumi.ResourceOptions | None = None,
        ) -> None: ...

        @overload
        def __init__(
            self,
            resource_name: str,
            args: None = None,
            opts: pulumi.ResourceOptions | None = None,
            *,
            registry_id: pulumi.Input[RegistryId],
            vpc_id: pulumi.Input[VpcId],
            subnet_id: pulumi.Input[SubnetId],
            region: pulumi.Input[Region] | None = None,
            adopt_existing: pulumi.Input[bool] | None = None,
            enable_public_domain_dns: pulumi.Input[bool] | None = None,
            enable_vpc_domain_dns: pulumi.Input[bool] | None = None,
        ) -> None: ...

        def __init__(self, *args: Any, **kwargs: Any) -> None: ...

        # END generated: VpcAttachment signatures
