"""The registries of a platform team, declared from stack config.

Each stack lists its registries under `tcr-registries:registries` (see stacks/Pulumi.dev.yaml); every
entry becomes one TCR Enterprise instance, and the stack exports how to reach each one. An entry's `key`
(default: its name) is the resource's name in the stack: keep it when renaming a registry, so the rename
replaces that registry instead of declaring a second one.

A registry's parts are listed the same way, each entry naming its registry by key: `vpcAttachments`,
`namespaces`, `accessTokens` and `publicAccess`. `clusters` declares whole registries wired to a cluster
(ClusterRegistry; see stacks/Pulumi.cluster.yaml).
"""

from __future__ import annotations

from typing import Any

import pulumi

from tcr_provider import (
    AccessToken,
    AccessTokenArgs,
    ClusterRegistry,
    ClusterRegistryArgs,
    Instance,
    InstanceArgs,
    Namespace,
    NamespaceArgs,
    PublicAccess,
    PublicAccessArgs,
    VpcAttachment,
    VpcAttachmentArgs,
)


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name)


config = pulumi.Config()
common_tags: dict[str, str] = config.get_object("commonTags") or {}

registries: dict[str, Instance] = {}
for entry in config.get_object("registries") or []:
    declared: dict[str, Any] = dict(entry)
    name = declared.pop("name")
    key = declared.pop("key", name)
    tags = {**common_tags, **declared.pop("tags", {})}
    registry = registries[key] = Instance(key, InstanceArgs(name=name, tags=tags, **declared))
    pulumi.export(
        key,
        {
            "registryId": registry.registry_id,
            "domain": registry.domain,
            "cosBucket": registry.cos_bucket,
            "region": registry.region,
            "status": registry.status,
        },
    )

# Each part: its config list, its classes, what names it within its registry, and the outputs it exports.
PARTS: dict[str, tuple[Any, Any, str | None, tuple[str, ...]]] = {
    "vpcAttachments": (VpcAttachment, VpcAttachmentArgs, "vpc_id", ("accessIp", "status")),
    "namespaces": (Namespace, NamespaceArgs, "name", ("namespaceId",)),
    "accessTokens": (AccessToken, AccessTokenArgs, None, ("tokenId", "username", "token")),
    "publicAccess": (PublicAccess, PublicAccessArgs, None, ("status",)),
}
for list_key, (resource_class, args_class, naming, exported) in PARTS.items():
    for entry in config.get_object(list_key) or []:
        declared = dict(entry)
        owner = declared.pop("registry")
        key = declared.pop("key", f"{owner}-{declared[naming]}" if naming else f"{owner}-{list_key}")
        registry = registries[owner]
        declared.setdefault("region", registry.region)
        part = resource_class(key, args_class(registry_id=registry.registry_id, **declared))
        pulumi.export(key, {name: getattr(part, _snake(name)) for name in exported})

for entry in config.get_object("clusters") or []:
    declared = dict(entry)
    key = declared.pop("key")
    instance = dict(declared.pop("instance"))
    instance["tags"] = {**common_tags, **instance.get("tags", {})}
    cluster = ClusterRegistry(key, ClusterRegistryArgs(instance=InstanceArgs(**instance), **declared))
    pulumi.export(
        key,
        {
            "registryId": cluster.instance.registry_id,
            "server": cluster.server,
            "dockerConfigJson": cluster.docker_config_json,
        },
    )
