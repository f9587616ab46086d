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

from tcr_provider import ClusterRegistry, ClusterRegistryArgs, Instance, InstanceArgs
from tcr_provider.fields import to_camel, to_snake
from tcr_provider.resources import catalog

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

# Each part of the catalog has its config list: `namespaces` for Namespace (an uncountable `publicAccess` stays as
# it is). An entry's key defaults to its registry's key and what names the part within it.
for part in catalog()[1:]:
    list_key = to_camel(part.module) + ("" if part.module.endswith("ss") else "s")
    naming = part.schema.key_input
    for entry in config.get_object(list_key) or []:
        declared = dict(entry)
        owner = declared.pop("registry")
        key = declared.pop("key", f"{owner}-{declared[naming]}" if naming else f"{owner}-{list_key}")
        registry = registries[owner]
        declared.setdefault("region", registry.region)
        resource = part.resource(key, part.args(registry_id=registry.registry_id, **declared))
        pulumi.export(key, {name: getattr(resource, to_snake(name)) for name in part.schema.output_keys})

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
