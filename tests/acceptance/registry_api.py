"""The run's instances looked up and deleted by name, with the tencentcloud SDK alone.

The sweep must work when the provider under test is what failed, so it shares no code with it.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from typing import Any

from tencentcloud.common import credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.tcr.v20190924 import models, tcr_client

from .settings import Target

PAGE = 100


class LeftBehind(RuntimeError):
    pass


class RegistryApi:
    def __init__(self, target: Target) -> None:
        if target.endpoint_url:
            protocol, host = target.endpoint_url.split("://", 1)
            http = HttpProfile(protocol=protocol, endpoint=host)
        else:
            http = HttpProfile(rootDomain=target.handed_on.get("TENCENTCLOUD_DOMAIN"))
        cred = credential.Credential(target.secret_id, target.secret_key, target.security_token)
        self._client = tcr_client.TcrClient(cred, target.region, ClientProfile(httpProfile=http))

    def _call(self, action: str, params: dict[str, Any]) -> dict[str, Any]:
        request = getattr(models, f"{action}Request")()
        request.from_json_string(json.dumps(params))
        answer: dict[str, Any] = json.loads(getattr(self._client, action)(request).to_json_string())
        return answer

    def instances_named(self, name: str) -> list[dict[str, Any]]:
        """The instances called exactly `name`, as DescribeInstances reports them."""
        found: list[dict[str, Any]] = []
        offset = 0
        while True:
            page = self._call(
                "DescribeInstances",
                {"Filters": [{"Name": "RegistryName", "Values": [name]}], "Offset": offset, "Limit": PAGE},
            )
            registries = page.get("Registries") or []
            # Nothing documents the name filter as an exact match: a fuzzy one must not reach others' instances.
            found += [r for r in registries if r.get("RegistryName") == name]
            offset += len(registries)
            if not registries or offset >= (page.get("TotalCount") or 0):
                return found

    def delete(self, registry_id: str) -> None:
        self._call("DeleteInstance", {"RegistryId": registry_id, "DeleteBucket": True})


def sweep(api: RegistryApi, names: Iterable[str], *, timeout: float, interval: float) -> list[str]:
    """Delete every instance (and its bucket) called exactly one of `names`, and wait until all are gone.

    Returns `<name> (<registry id>)` for each one it deleted; LeftBehind, naming them, if any outlives `timeout`.
    """
    names = list(names)
    deleted: list[str] = []
    left: list[str] = list(names)
    problems: dict[str, str] = {}
    deadline = time.monotonic() + timeout
    while True:
        try:
            found = [instance for name in names for instance in api.instances_named(name)]
        except TencentCloudSDKException as error:
            problems["DescribeInstances"] = f"{error.code}: {error.message}"
        else:
            if not found:
                return deleted
            left = [f"{i['RegistryName']} ({i['RegistryId']}, {i.get('Status')})" for i in found]
            for instance in found:
                if instance.get("Status") == "Deleting":
                    continue
                registry_id = instance["RegistryId"]
                try:
                    api.delete(registry_id)
                    deleted.append(f"{instance['RegistryName']} ({registry_id})")
                except TencentCloudSDKException as error:
                    # An instance still being created can refuse deletion for a while: the next round asks again.
                    problems[registry_id] = f"DeleteInstance: {error.code}: {error.message}"
        if time.monotonic() >= deadline:
            raise LeftBehind(
                f"this run's instances may still exist after {timeout:g}s: {', '.join(left)}; "
                f"last errors: {problems or 'none'}. Delete them in the TCR console, with their COS buckets."
            )
        time.sleep(interval)
