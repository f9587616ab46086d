"""Helpers shared by the test suites: the emulator's control endpoints and a configured provider."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

from pulumi.dynamic import ConfigureRequest
from pulumi.dynamic.config import Config

from tcr_provider import InstanceProvider


class Control:
    """The emulator's control endpoints (GET /_emulator/state, POST /_emulator/reset and /faults)."""

    def __init__(self, endpoint_url: str) -> None:
        self.url = endpoint_url

    def _send(self, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"{self.url}{path}", data=data, method="GET" if data is None else "POST")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request, timeout=10) as answer:
            raw = answer.read()
        return json.loads(raw) if raw else None

    def state(self) -> dict[str, Any]:
        result: dict[str, Any] = self._send("/_emulator/state")
        return result

    def reset(self) -> None:
        self._send("/_emulator/reset", {})

    def fault(self, *rules: dict[str, Any]) -> None:
        self._send("/_emulator/faults", list(rules))

    def instances(self) -> list[dict[str, Any]]:
        return list(self.state()["instances"])

    def requests(self, action: str) -> int:
        return int(self.state()["requests"].get(action, 0))


def provider_config(emu: Any, **extra: str) -> dict[str, str]:
    config = {
        "tencentcloud:secretId": emu.secret_id,
        "tencentcloud:secretKey": emu.secret_key,
        "tencentcloud:region": "ap-guangzhou",
        "tcr:endpointUrl": emu.endpoint_url,
    }
    config.update(extra)
    return config


def configured_provider(config: dict[str, str]) -> InstanceProvider:
    provider = InstanceProvider()
    provider.configure(ConfigureRequest(Config(config, "tests")))
    return provider


def sdk_call(emu: Any, service: str, action: str, params: dict[str, Any], region: str = "ap-guangzhou") -> Any:
    """Call the API with the real SDK, as an out-of-band change made in the console or by another tool."""
    from tencentcloud.common import credential
    from tencentcloud.common.profile.client_profile import ClientProfile
    from tencentcloud.common.profile.http_profile import HttpProfile
    from tencentcloud.tag.v20180813 import models as tag_models
    from tencentcloud.tag.v20180813 import tag_client
    from tencentcloud.tcr.v20190924 import models as tcr_models
    from tencentcloud.tcr.v20190924 import tcr_client

    host = emu.endpoint_url.split("://", 1)[1]
    profile = ClientProfile(httpProfile=HttpProfile(protocol="http", endpoint=host))
    cred = credential.Credential(emu.secret_id, emu.secret_key)
    client_class, models = {"tcr": (tcr_client.TcrClient, tcr_models), "tag": (tag_client.TagClient, tag_models)}[
        service
    ]
    request = getattr(models, f"{action}Request")()
    request.from_json_string(json.dumps(params))
    return json.loads(getattr(client_class(cred, region, profile), action)(request).to_json_string())
