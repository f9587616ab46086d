"""One TCR Enterprise instance, every input taken from the stack config value `tcr-acceptance:instance`.

The suite owns the whole declaration, so what it announces before buying is exactly what this program buys.
"""

from __future__ import annotations

import pulumi

from tcr_provider import Instance, InstanceArgs

registry = Instance("registry", InstanceArgs(**pulumi.Config().require_object("instance")))
pulumi.export(
    "registry",
    {
        "registryId": registry.registry_id,
        "domain": registry.domain,
        "status": registry.status,
        "region": registry.region,
        "instanceType": registry.instance_type,
        "chargeType": registry.charge_type,
        "tags": registry.tags,
        "cosBucket": registry.cos_bucket,
    },
)
