"""Tencent Container Registry (TCR) Enterprise as Pulumi dynamic resources: registries, their VPC access,
namespaces, access tokens and public access, and a component that wires a registry to a cluster.

Each name is imported on first use: the provider process that every Pulumi command starts unpickles one
provider class, and then loads only that class's modules.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

_MODULE_OF = {
    "ClusterRegistry": "components",
    "ClusterRegistryArgs": "components",
    "InstanceProvider": "provider",
    "Instance": "resource",
    "InstanceArgs": "resource",
}


def __getattr__(name: str) -> Any:
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_MODULE_OF.get(name, 'resources')}", __name__), name)
    globals()[name] = value
    return value
