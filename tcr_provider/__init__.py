"""Tencent Container Registry (TCR) Enterprise instances as a Pulumi dynamic resource."""

from .provider import InstanceProvider
from .resource import Instance, InstanceArgs

__all__ = ["Instance", "InstanceArgs", "InstanceProvider"]
