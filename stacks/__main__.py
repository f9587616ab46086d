"""The registries of a platform team, declared from stack config.

Each stack lists its registries under `tcr-registries:registries` (see stacks/Pulumi.dev.yaml); every
entry becomes one TCR Enterprise instance, and the stack exports how to reach each one. An entry's `key`
(default: its name) is the resource's name in the stack: keep it when renaming a registry, so the rename
replaces that registry instead of declaring a second one.
"""

from __future__ import annotations

from typing import Any

import pulumi

from tcr_provider import Instance, InstanceArgs

config = pulumi.Config()
common_tags: dict[str, str] = config.get_object("commonTags") or {}

for entry in config.require_object("registries"):
    declared: dict[str, Any] = dict(entry)
    name = declared.pop("name")
    key = declared.pop("key", name)
    tags = {**common_tags, **declared.pop("tags", {})}
    registry = Instance(key, InstanceArgs(name=name, tags=tags, **declared))
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
