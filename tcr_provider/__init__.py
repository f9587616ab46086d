"""Tencent Container Registry (TCR) Enterprise as Pulumi dynamic resources: registries, their VPC access,
namespaces, access tokens and public access, and a component that wires a registry to a cluster."""

from .components import ClusterRegistry, ClusterRegistryArgs
from .provider import InstanceProvider
from .resource import Instance, InstanceArgs
from .resources import (
    AccessToken,
    AccessTokenArgs,
    AllowedCidr,
    Namespace,
    NamespaceArgs,
    PublicAccess,
    PublicAccessArgs,
    VpcAttachment,
    VpcAttachmentArgs,
)

__all__ = [
    "AccessToken",
    "AccessTokenArgs",
    "AllowedCidr",
    "ClusterRegistry",
    "ClusterRegistryArgs",
    "Instance",
    "InstanceArgs",
    "InstanceProvider",
    "Namespace",
    "NamespaceArgs",
    "PublicAccess",
    "PublicAccessArgs",
    "VpcAttachment",
    "VpcAttachmentArgs",
]
