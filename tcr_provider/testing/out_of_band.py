"""Changes made behind the provider's back, in the emulator's region, as in the console or by another tool.

They go through the real SDK (`sdk_call`). A change the emulator takes time over is waited for until
DescribeInstances shows it, so that the provider's next read sees it; a purchase returns at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .emulator import REGION, EmulatorControl, EmulatorEndpoint, sdk_call, wait_until


def buy_out_of_band(emulator: EmulatorEndpoint, name: str, **params: Any) -> str:
    """Buy an instance (CreateInstance, a basic one unless `params` say otherwise); its id, at once."""
    created = sdk_call(emulator, "tcr", "CreateInstance", {"RegistryName": name, "RegistryType": "basic", **params})
    return str(created["RegistryId"])


def buy_running_out_of_band(emulator: EmulatorEndpoint, name: str, **params: Any) -> str:
    """Buy an instance as `buy_out_of_band` does, then wait until it is Running; its id."""
    registry_id = buy_out_of_band(emulator, name, **params)
    control = EmulatorControl(emulator.endpoint_url)
    wait_until(lambda: (control.instance(registry_id) or {}).get("Status") == "Running", what=f"{name} to run")
    return registry_id


def retag_out_of_band(emulator: EmulatorEndpoint, registry_id: str, tags: Mapping[str, str]) -> None:
    """Set these tags on the instance with the tag API (ModifyResourceTags' ReplaceTags: the others stay)."""
    sdk_call(
        emulator,
        "tag",
        "ModifyResourceTags",
        {
            "Resource": f"qcs::tcr:{REGION}:uin/:instance/{registry_id}",
            "ReplaceTags": [{"TagKey": key, "TagValue": value} for key, value in tags.items()],
        },
    )


def modify_out_of_band(emulator: EmulatorEndpoint, registry_id: str, **changes: Any) -> None:
    """ModifyInstance with `changes` (the API's field names), then wait until the instance shows every one."""
    sdk_call(emulator, "tcr", "ModifyInstance", {"RegistryId": registry_id, **changes})
    control = EmulatorControl(emulator.endpoint_url)

    def applied() -> bool:
        instance = control.instance(registry_id) or {}
        return all(instance.get(field) == value for field, value in changes.items())

    wait_until(applied, what=f"the change of {registry_id} to apply ({changes})")


def delete_out_of_band(emulator: EmulatorEndpoint, registry_id: str) -> None:
    """DeleteInstance, then wait until the instance is gone."""
    sdk_call(emulator, "tcr", "DeleteInstance", {"RegistryId": registry_id})
    control = EmulatorControl(emulator.endpoint_url)
    wait_until(lambda: control.instance(registry_id) is None, what=f"the deleted instance {registry_id} to be gone")
