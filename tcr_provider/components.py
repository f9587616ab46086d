"""ClusterRegistry: one declaration for "this registry, wired to this cluster"."""

from __future__ import annotations

import base64
import ipaddress
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import pulumi

from .resources.access_token import AccessToken, AccessTokenArgs
from .resources.instance import Instance, InstanceArgs
from .resources.namespace import Namespace, NamespaceArgs
from .resources.public_access import AllowedCidr, PublicAccess, PublicAccessArgs
from .resources.vpc_attachment import VpcAttachment, VpcAttachmentArgs

__all__ = ["ClusterRegistry", "ClusterRegistryArgs"]

COMPONENT_TYPE = "tcr:index:ClusterRegistry"
PULL_DOMAINS = ("public", "vpc")


@dataclass
class ClusterRegistryArgs:
    """A registry and what a cluster in one VPC needs to pull from it."""

    instance: InstanceArgs | Instance
    """The registry: its arguments (a new Instance, a child of the component), or an Instance declared elsewhere."""
    vpc_id: pulumi.Input[str]
    """The cluster's VPC (vpc-xxxxxxxx); its nodes get private access with private DNS."""
    subnet_id: pulumi.Input[str]
    """A subnet of that VPC, where the registry's access IP is placed."""
    namespaces: Sequence[str] = field(default_factory=list)
    """The namespaces to create (private), each a Namespace child named `<component>-<namespace>`."""
    ci_cidrs: Sequence[str] | None = None
    """CIDR blocks outside the VPC (CI runners) that may reach the registry over the internet; None: no public
    access at all."""
    pull_domain: Literal["public", "vpc"] = "public"
    """The domain pods pull from, resolved privately inside the VPC: the public one (the same image references
    inside and outside the VPC) or the VPC one."""
    token_description: str | None = None
    """The description of the pull token; defaults to "pull secret of <component>"."""
    adopt_existing: bool = False
    """Take over the VPC access, namespaces and public access that exist already (made elsewhere, or by an
    interrupted `up`) instead of refusing; the Instance has its own adopt_existing in InstanceArgs."""


class ClusterRegistry(pulumi.ComponentResource):
    """A TCR Enterprise registry wired to a cluster (type `tcr:index:ClusterRegistry`): the Instance, private access
    from the cluster's VPC with private DNS, namespaces, a long-term pull token, and public access limited to
    `ci_cidrs` when given.

    `server` is the domain a pod pulls from; `docker_config_json` (a secret) is the value of a Kubernetes
    `kubernetes.io/dockerconfigjson` Secret's `.dockerconfigjson` key.
    """

    instance: Instance
    vpc_attachment: VpcAttachment
    namespaces: dict[str, Namespace]
    access_token: AccessToken
    public_access: PublicAccess | None
    server: pulumi.Output[str]
    docker_config_json: pulumi.Output[str]

    def __init__(
        self, resource_name: str, args: ClusterRegistryArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        problems = _problems(args)
        if problems:
            # A RunError ends the program with its message alone, before any resource is registered.
            raise pulumi.RunError(f"ClusterRegistry {resource_name!r}: {'; '.join(problems)}")
        super().__init__(COMPONENT_TYPE, resource_name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        if isinstance(args.instance, Instance):
            self.instance = args.instance
        else:
            self.instance = Instance(resource_name, args.instance, opts=child)
        registry_id, region = self.instance.registry_id, self.instance.region
        public_dns = args.pull_domain == "public"
        self.vpc_attachment = VpcAttachment(
            f"{resource_name}-vpc",
            VpcAttachmentArgs(
                registry_id=registry_id,
                region=region,
                vpc_id=args.vpc_id,
                subnet_id=args.subnet_id,
                enable_public_domain_dns=public_dns,
                enable_vpc_domain_dns=not public_dns,
                adopt_existing=args.adopt_existing,
            ),
            opts=child,
        )
        self.namespaces = {
            name: Namespace(
                f"{resource_name}-{name}",
                NamespaceArgs(registry_id=registry_id, region=region, name=name, adopt_existing=args.adopt_existing),
                opts=child,
            )
            for name in args.namespaces
        }
        self.access_token = AccessToken(
            f"{resource_name}-pull",
            AccessTokenArgs(
                registry_id=registry_id,
                region=region,
                description=args.token_description or f"pull secret of {resource_name}",
            ),
            opts=child,
        )
        self.public_access = None
        if args.ci_cidrs is not None:
            allow: list[AllowedCidr] = [
                {"cidr": cidr, "description": f"CI of {resource_name}"} for cidr in args.ci_cidrs
            ]
            self.public_access = PublicAccess(
                f"{resource_name}-public",
                PublicAccessArgs(
                    registry_id=registry_id, region=region, allow=allow, adopt_existing=args.adopt_existing
                ),
                opts=child,
            )
        domain = self.instance.domain if public_dns else self.instance.vpc_domain
        # The server is known only once pulls work: after the VPC access and its DNS are ready.
        self.server = pulumi.Output.all(domain, self.vpc_attachment.access_ip).apply(lambda values: str(values[0]))
        self.docker_config_json = pulumi.Output.secret(
            pulumi.Output.all(self.server, self.access_token.username, self.access_token.token).apply(
                lambda values: docker_config_json(str(values[0]), str(values[1]), str(values[2]))
            )
        )
        self.register_outputs(
            {
                "registryId": registry_id,
                "server": self.server,
                "dockerConfigJson": self.docker_config_json,
            }
        )


def _problems(args: ClusterRegistryArgs) -> list[str]:
    """What is wrong with the component's own arguments, each naming its field and the fix (the parts check
    theirs at preview as usual)."""
    problems: list[str] = []
    if args.pull_domain not in PULL_DOMAINS:
        problems.append(f"pull_domain: {args.pull_domain!r} is neither 'public' nor 'vpc'")
    for name, values in (("namespaces", args.namespaces), ("ci_cidrs", args.ci_cidrs)):
        if values is None:
            continue
        if isinstance(values, str) or not all(isinstance(v, str) for v in values):
            problems.append(f"{name}: give a list of strings, such as [{values!r}], not {type(values).__name__}")
            continue
        if twice := sorted({v for v in values if list(values).count(v) > 1}):
            problems.append(f"{name}: lists {', '.join(twice)} twice: list each once")
    if isinstance(args.ci_cidrs, list | tuple) and all(isinstance(c, str) for c in args.ci_cidrs):
        problems.extend(f"ci_cidrs: {problem}" for problem in _cidr_problems(args.ci_cidrs))
    return problems


def _cidr_problems(cidrs: Sequence[str]) -> list[str]:
    if not cidrs:
        return [
            "is empty, which would open the registry to no one: list the CI runners' blocks, or leave ci_cidrs "
            "out (None) for no public access"
        ]
    problems = []
    for cidr in cidrs:
        try:
            network = ipaddress.IPv4Network(cidr, strict=False)
        except ValueError:
            problems.append(f"{cidr!r} is not an IPv4 CIDR block such as 203.0.113.0/24")
            continue
        if network.prefixlen == 0:
            problems.append(f"{cidr} admits every address: list the CI runners' blocks")
        elif str(network) != cidr and str(network.network_address) != cidr:
            problems.append(f"{cidr!r} has host bits set; write the block as {network}")
    return problems


def docker_config_json(server: str, username: str, token: str) -> str:
    """What a `kubernetes.io/dockerconfigjson` Secret holds for one registry."""
    auth = base64.b64encode(f"{username}:{token}".encode()).decode()
    return json.dumps({"auths": {server: {"username": username, "password": token, "auth": auth}}}, sort_keys=True)
