"""The real `pulumi` CLI against the emulator: up, preview, refresh, destroy, drift, replace orders, secrets."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tcr_provider.emulator import Emulator
from tcr_provider.testing import (
    EmulatorControl,
    Stack,
    Step,
    buy_running_out_of_band,
    delete_out_of_band,
    modify_out_of_band,
    retag_out_of_band,
    sdk_call,
)

from ..support import user_tags

pytestmark = pytest.mark.e2e

APPS = {"name": "e2e-apps", "instance_type": "standard", "tags": {"team": "apps"}, "deletion_protection": False}
ML = {"name": "e2e-ml", "instance_type": "premium", "tags": {"team": "ml"}, "enable_cos_versioning": True}


def by_name(control: EmulatorControl) -> dict[str, dict[str, Any]]:
    return {i["RegistryName"]: i for i in control.instances()}


def changed_fields(diff_output: str) -> set[str]:
    """The property names `pulumi ... --diff` marks as changed (~), added (+) or removed (-)."""
    fields = set()
    for line in diff_output.splitlines():
        match = re.match(r"^\s+[~+-]\s+([\w-]+)\s*:(?!\w)", line)
        if match:
            fields.add(match.group(1))
    return fields


def ops(steps: list[Step]) -> list[str]:
    return [s.op for s in steps if s.op not in ("same", "refresh")]


def test_up_creates_the_declared_registries_and_a_preview_after_it_is_clean(
    stack: Stack, control: EmulatorControl, emulator: Emulator
) -> None:
    stack.configure(registries=[APPS, ML])
    steps = stack.up()
    assert sorted(ops(steps)) == ["create", "create"]
    live = by_name(control)
    assert set(live) == {"e2e-apps", "e2e-ml"}
    outputs = stack.outputs()
    for name, instance in live.items():
        registry_id = instance["RegistryId"]
        assert outputs[name]["registryId"] == registry_id
        assert outputs[name]["domain"] == instance["PublicDomain"] == f"{name}.tencentcloudcr.com"
        assert outputs[name]["cosBucket"] == f"{registry_id}-{emulator.app_id}"
        assert outputs[name]["cosBucket"] in control.state()["buckets"]
        assert outputs[name]["status"] == "Running"
    assert live["e2e-ml"]["RegistryType"] == "premium" and live["e2e-ml"]["EnableCosVersioning"] is True

    stack.run("preview", "--expect-no-changes")
    stack.run("refresh", "--preview-only", "--expect-no-changes")
    writes = {a: control.requests(a) for a in ("CreateInstance", "ModifyInstance", "ModifyResourceTags")}
    assert ops(stack.up()) == []  # a no-change `up` changes nothing and writes nothing
    assert {a: control.requests(a) for a in writes} == writes


def test_out_of_band_changes_are_reported_as_drift_then_converged(
    stack: Stack, control: EmulatorControl, emulator: Emulator
) -> None:
    stack.configure(registries=[APPS])
    stack.up()
    registry_id = by_name(control)["e2e-apps"]["RegistryId"]
    retag_out_of_band(emulator, registry_id, {"team": "someone-else", "added": "by-hand"})
    # The second ModifyInstance is sent while the type change of the first is still pending.
    sdk_call(emulator, "tcr", "ModifyInstance", {"RegistryId": registry_id, "RegistryType": "premium"})
    modify_out_of_band(emulator, registry_id, RegistryType="premium", DeletionProtection=True)

    drift = stack.run("refresh", "--preview-only", "--expect-no-changes", "--diff", check=False)
    assert drift.returncode != 0
    assert changed_fields(drift.stdout) == {"deletionProtection", "instanceType", "tags", "team", "added"}, drift.stdout

    steps = stack.up("--refresh")
    assert ops(steps) == ["update"]
    instance = by_name(control)["e2e-apps"]
    assert instance["RegistryId"] == registry_id
    assert instance["RegistryType"] == "standard" and instance["DeletionProtection"] is False
    assert user_tags(instance) == {"team": "apps"}
    stack.run("refresh", "--preview-only", "--expect-no-changes")
    stack.run("preview", "--expect-no-changes")


def test_instance_deleted_out_of_band_is_created_again(
    stack: Stack, control: EmulatorControl, emulator: Emulator
) -> None:
    stack.configure(registries=[APPS])
    stack.up()
    old_id = by_name(control)["e2e-apps"]["RegistryId"]
    delete_out_of_band(emulator, old_id)
    refreshed = stack.run("refresh", "--yes", "--skip-preview")
    assert "deleted" in refreshed.stdout
    assert stack.resources() == []
    assert ops(stack.up()) == ["create"]
    new_id = by_name(control)["e2e-apps"]["RegistryId"]
    assert new_id != old_id
    assert stack.outputs()["e2e-apps"]["registryId"] == new_id


def test_rename_creates_the_new_registry_before_deleting_the_old(stack: Stack, control: EmulatorControl) -> None:
    stack.configure(registries=[{"key": "apps", **APPS}])
    stack.up()
    old_id = by_name(control)["e2e-apps"]["RegistryId"]
    stack.configure(registries=[{"key": "apps", **APPS, "name": "e2e-apps-renamed"}])
    steps = ops(stack.up())
    assert steps.index("create-replacement") < steps.index("delete-replaced")
    live = by_name(control)
    assert set(live) == {"e2e-apps-renamed"}
    assert live["e2e-apps-renamed"]["RegistryId"] != old_id
    assert stack.outputs()["apps"]["domain"] == "e2e-apps-renamed.tencentcloudcr.com"


def test_region_change_with_the_same_name_deletes_first(stack: Stack, control: EmulatorControl) -> None:
    stack.configure(registries=[APPS])
    stack.up()
    stack.configure(registries=[{**APPS, "region": "ap-singapore"}])
    steps = ops(stack.up())
    assert steps.index("delete-replaced") < steps.index("create-replacement")
    [instance] = control.instances()
    assert instance["RegionName"] == "ap-singapore"
    outputs = stack.outputs()["e2e-apps"]
    assert outputs["region"] == "ap-singapore" and outputs["domain"] == "e2e-apps.tencentcloudcr.com"


def test_tag_only_change_updates_in_place(stack: Stack, control: EmulatorControl) -> None:
    stack.configure(registries=[APPS])
    stack.up()
    registry_id = by_name(control)["e2e-apps"]["RegistryId"]
    stack.configure(registries=[{**APPS, "tags": {"team": "apps", "cost-center": "42"}}])
    assert ops(stack.up()) == ["update"]
    instance = by_name(control)["e2e-apps"]
    assert instance["RegistryId"] == registry_id
    tags = user_tags(instance)
    assert tags == {"team": "apps", "cost-center": "42"}
    assert control.requests("CreateInstance") == 1


def test_destroy_removes_registries_and_keeps_buckets_unless_asked(stack: Stack, control: EmulatorControl) -> None:
    stack.configure(registries=[APPS, {**ML, "delete_bucket": True}])
    stack.up()
    buckets = {o["cosBucket"]: name for name, o in stack.outputs().items()}
    stack.run("destroy", "--yes", "--skip-preview")
    assert control.instances() == []
    kept = control.state()["buckets"]
    assert [buckets[b] for b in kept] == ["e2e-apps"]


def test_destroy_refuses_a_protected_registry(stack: Stack, control: EmulatorControl) -> None:
    stack.configure(registries=[{**APPS, "deletion_protection": True}])
    stack.up()
    result = stack.run("destroy", "--yes", "--skip-preview", check=False)
    assert result.returncode != 0
    message = result.stdout + result.stderr
    assert "deletion protection is on" in message
    assert "deletion_protection=False" in message
    assert len(control.instances()) == 1
    assert len(stack.resources()) == 1


def test_adopt_existing_takes_over_an_instance_created_elsewhere(
    stack: Stack, control: EmulatorControl, emulator: Emulator
) -> None:
    bought = buy_running_out_of_band(emulator, "e2e-apps")
    stack.configure(registries=[{**APPS, "adopt_existing": True}])
    stack.up()
    assert control.requests("CreateInstance") == 1
    [instance] = control.instances()
    assert instance["RegistryId"] == bought
    assert instance["RegistryType"] == "standard"
    assert stack.outputs()["e2e-apps"]["registryId"] == bought
    stack.run("preview", "--expect-no-changes")


def test_secret_key_never_lands_in_state_in_plaintext(stack: Stack, emulator: Emulator) -> None:
    stack.configure(registries=[APPS])
    stack.up()
    assert emulator.secret_key not in stack.export()
    shown = json.loads(stack.export("--show-secrets"))["deployment"]
    for resource in shown["resources"]:
        text = json.dumps(resource)
        if resource["type"] == "pulumi:providers:pulumi-python":
            continue  # the engine keeps every stack config value as the default provider's inputs
        assert emulator.secret_key not in text, resource["urn"]
    [instance] = [r for r in shown["resources"] if r["type"] == "pulumi-python:dynamic/tcr:Instance"]
    assert emulator.secret_id not in json.dumps(instance)


def test_credentials_from_the_environment_appear_nowhere(stack: Stack, emulator: Emulator) -> None:
    stack.run("config", "rm", "tencentcloud:secretId")
    stack.run("config", "rm", "tencentcloud:secretKey")
    stack.env.update({"TENCENTCLOUD_SECRET_ID": emulator.secret_id, "TENCENTCLOUD_SECRET_KEY": emulator.secret_key})
    stack.configure(registries=[APPS])
    stack.up()
    exported = stack.export("--show-secrets")
    assert emulator.secret_key not in exported
    assert emulator.secret_id not in exported
