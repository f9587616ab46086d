"""Tencent Container Registry (TCR) Enterprise as Pulumi dynamic resources: registries, their VPC access,
namespaces, access tokens and public access, and a component that wires a registry to a cluster.

Each name is imported on first use: the provider process that every Pulumi command starts unpickles one
provider class, and then loads only that class's modules.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# BEGIN generated: public names
if TYPE_CHECKING:
    from .components import ClusterRegistry, ClusterRegistryArgs
    from .resources.access_token import AccessToken, AccessTokenArgs
    from .resources.instance import Instance, InstanceArgs, InstanceProvider
    from .resources.namespace import Namespace, NamespaceArgs
    from .resources.public_access import AllowedCidr, PublicAccess, PublicAccessArgs
    from .resources.vpc_attachment import VpcAttachment, VpcAttachmentArgs

_MODULE_OF = {
    "AccessToken": "resources.access_token",
    "AccessTokenArgs": "resources.access_token",
    "AllowedCidr": "resources.public_access",
    "ClusterRegistry": "components",
    "ClusterRegistryArgs": "components",
    "Instance": "resources.instance",
    "InstanceArgs": "resources.instance",
    "InstanceProvider": "resources.instance",
    "Namespace": "resources.namespace",
    "NamespaceArgs": "resources.namespace",
    "PublicAccess": "resources.public_access",
    "PublicAccessArgs": "resources.public_access",
    "VpcAttachment": "resources.vpc_attachment",
    "VpcAttachmentArgs": "resources.vpc_attachment",
}
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
# END generated: public names


def __getattr__(name: str) -> Any:
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_MODULE_OF[name]}", __name__), name)
    globals()[name] = value
    return value
