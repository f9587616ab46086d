"""One Instance's life through the real Pulumi CLI: create, a clean preview, an in-place tag change, a clean
refresh, destroy.

The same test runs against the emulator in `make test` and against a real account in `make acceptance`.
"""

from __future__ import annotations

from typing import Any

from tcr_provider.testing import Stack, Step

from .conftest import RunNames, Say
from .registry_api import RegistryApi
from .settings import Target

# The cheapest instance there is, and nothing that could outlive the run: no protection, no bucket left.
PURCHASE = {"instance_type": "basic", "charge_type": "postpaid", "deletion_protection": False, "delete_bucket": True}


def ops(steps: list[Step]) -> list[str]:
    return [s.op for s in steps if s.op not in ("same", "refresh")]


def announce(say: Say, target: Target, instance: dict[str, Any]) -> None:
    say(f"about to buy one TCR Enterprise instance in {target.account}:")
    say(f"  name     {instance['name']}")
    say(f"  region   {instance['region']} ({target.region_source})")
    say(f"  type     {instance['instance_type']}")
    say(f"  billing  {instance['charge_type']}: billed for the minutes it exists")
    protection = "on" if instance["deletion_protection"] else "off"
    bucket = "with its COS bucket" if instance["delete_bucket"] else "keeping its COS bucket"
    say(f"  cleanup  deletion protection {protection}; deleted {bucket} at the end, even when a step fails")


def test_instance_lifecycle_create_update_refresh_destroy(
    stack: Stack, target: Target, names: RunNames, api: RegistryApi, say: Say
) -> None:
    name = names.new("registry")
    instance = {"name": name, "region": target.region, "tags": {"purpose": "tcr-acceptance"}, **PURCHASE}
    announce(say, target, instance)
    stack.configure(instance=instance)

    say("pulumi up: creating (a real instance takes several minutes)")
    assert ops(stack.up()) == ["create"]
    outputs = stack.outputs()["registry"]
    registry_id = outputs["registryId"]
    assert registry_id.startswith("tcr-")
    assert outputs["domain"] == f"{name}.tencentcloudcr.com"
    assert outputs["status"] == "Running"
    assert (outputs["region"], outputs["instanceType"], outputs["chargeType"]) == (target.region, "basic", "postpaid")
    assert [i["RegistryId"] for i in api.instances_named(name)] == [registry_id]

    say(f"created {registry_id}; pulumi preview --expect-no-changes")
    stack.run("preview", "--expect-no-changes")

    say("pulumi up: changing the tags in place")
    retagged = {**instance["tags"], "stage": "updated"}
    stack.configure(instance={**instance, "tags": retagged})
    assert ops(stack.up()) == ["update"]
    outputs = stack.outputs()["registry"]
    assert outputs["registryId"] == registry_id
    assert outputs["tags"] == retagged

    say("pulumi refresh --preview-only --expect-no-changes")
    stack.run("refresh", "--preview-only", "--expect-no-changes")

    say("pulumi destroy")
    assert ops(stack.run("destroy", "--yes", "--skip-preview").steps) == ["delete"]
    assert stack.resources() == []
    assert api.instances_named(name) == []
