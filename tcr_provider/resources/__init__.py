"""The parts of a registry, each a Pulumi dynamic resource: VPC access, namespaces, access tokens, public access."""

from .access_token import AccessToken, AccessTokenArgs
from .namespace import Namespace, NamespaceArgs
from .public_access import AllowedCidr, PublicAccess, PublicAccessArgs
from .vpc_attachment import VpcAttachment, VpcAttachmentArgs

__all__ = [
    "AccessToken",
    "AccessTokenArgs",
    "AllowedCidr",
    "Namespace",
    "NamespaceArgs",
    "PublicAccess",
    "PublicAccessArgs",
    "VpcAttachment",
    "VpcAttachmentArgs",
]
