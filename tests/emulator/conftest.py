"""Shared fixtures: emulators started once per session, reset before each test, and an `Api` helper
that drives them through the real tencentcloud SDK clients (or, for protocol tests, raw signed HTTP)."""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import importlib
import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from tencentcloud.cam.v20190116 import cam_client
from tencentcloud.common import credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.common.sign import Sign
from tencentcloud.tag.v20180813 import tag_client
from tencentcloud.tcr.v20190924 import tcr_client

from tcr_provider.emulator import Emulator

REGION = "ap-guangzhou"
VERSIONS = {"tcr": "2019-09-24", "tag": "2018-08-13", "cam": "2019-01-16"}


class Api:
    """One emulator, reached through the SDK's own clients."""

    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator
        self.endpoint = emulator.endpoint_url.removeprefix("http://")

    # --- SDK clients ---

    def profile(self, method: str = "POST", timeout: float = 10) -> ClientProfile:
        return ClientProfile(
            httpProfile=HttpProfile(protocol="http", endpoint=self.endpoint, reqMethod=method, reqTimeout=timeout)
        )

    def credential(self, secret_id: str | None = None, secret_key: str | None = None, token: str | None = None):
        return credential.Credential(
            secret_id or self.emulator.secret_id, secret_key or self.emulator.secret_key, token
        )

    def tcr(self, region: str = REGION, method: str = "POST", timeout: float = 10, **cred: str) -> Any:
        return tcr_client.TcrClient(self.credential(**cred), region, self.profile(method, timeout))

    def tag(self, **cred: str) -> Any:
        return tag_client.TagClient(self.credential(**cred), "", self.profile())

    def cam(self, **cred: str) -> Any:
        return cam_client.CamClient(self.credential(**cred), "", self.profile())

    @staticmethod
    def invoke(client: Any, action: str, params: dict[str, Any] | None = None) -> Any:
        """Call ``action`` through the client's typed method, building its request model from ``params``."""
        models = importlib.import_module(type(client).__module__.rsplit(".", 1)[0] + ".models")
        request = getattr(models, f"{action}Request")()
        request.from_json_string(json.dumps(params or {}))
        return getattr(client, action)(request)

    def create(self, name: str = "demo-registry", region: str = REGION, **params: Any) -> str:
        params = {"RegistryName": name, "RegistryType": "basic", **params}
        return self.invoke(self.tcr(region), "CreateInstance", params).RegistryId

    def registries(self, region: str = REGION, **params: Any) -> list[Any]:
        return self.invoke(self.tcr(region), "DescribeInstances", params).Registries

    def registry(self, registry_id: str, region: str = REGION) -> Any:
        (found,) = self.registries(region, Registryids=[registry_id])
        return found

    @staticmethod
    @contextlib.contextmanager
    def raises(code: str) -> Iterator[pytest.ExceptionInfo[TencentCloudSDKException]]:
        with pytest.raises(TencentCloudSDKException) as caught:
            yield caught
        assert caught.value.code == code, caught.value

    # --- control endpoints ---

    def control(self, method: str, name: str, body: object = None) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"{self.emulator.endpoint_url}/_emulator/{name}", data, method=method)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, json.load(response)
        except urllib.error.HTTPError as error:
            return error.code, json.load(error)

    def reset(self) -> Api:
        """Forget every instance, tag, fault and request count; this `Api`, for chaining."""
        assert self.control("POST", "reset")[0] == 200
        return self

    def state(self) -> dict[str, Any]:
        status, document = self.control("GET", "state")
        assert status == 200
        return document

    def add_faults(self, *rules: dict[str, Any]) -> None:
        status, document = self.control("POST", "faults", list(rules))
        assert status == 200, document

    # --- raw TC3 requests, signed here rather than by the SDK ---

    def raw(
        self,
        action: str,
        params: dict[str, Any] | None = None,
        *,
        service: str = "tcr",
        region: str = REGION,
        timestamp: int | None = None,
        secret_key: str | None = None,
        signed_host: str | None = None,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[http.client.HTTPResponse, dict[str, Any]]:
        """POST an API call signed by hand; ``body`` replaces the signed body, ``headers`` add or override."""
        signed_body = json.dumps(params or {}).encode()
        timestamp = int(time.time()) if timestamp is None else timestamp
        date = datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d")
        content_type = "application/json"
        canonical_request = "\n".join(
            [
                "POST",
                "/",
                "",
                f"content-type:{content_type}\nhost:{signed_host or self.endpoint}\n",
                "content-type;host",
                hashlib.sha256(signed_body).hexdigest(),
            ]
        )
        string_to_sign = "\n".join(
            [
                "TC3-HMAC-SHA256",
                str(timestamp),
                f"{date}/{service}/tc3_request",
                hashlib.sha256(canonical_request.encode()).hexdigest(),
            ]
        )
        signature = Sign.sign_tc3(secret_key or self.emulator.secret_key, date, service, string_to_sign)
        all_headers = {
            "Content-Type": content_type,
            "Host": self.endpoint,
            "X-TC-Action": action,
            "X-TC-Version": VERSIONS.get(service, "2019-09-24"),
            "X-TC-Region": region,
            "X-TC-Timestamp": str(timestamp),
            "Authorization": f"TC3-HMAC-SHA256 Credential={self.emulator.secret_id}/{date}/{service}/tc3_request, "
            f"SignedHeaders=content-type;host, Signature={signature}",
            **(headers or {}),
        }
        host, port = self.endpoint.split(":")
        connection = http.client.HTTPConnection(host, int(port), timeout=10)
        try:
            connection.request("POST", "/", body if body is not None else signed_body, all_headers)
            response = connection.getresponse()
            return response, json.loads(response.read())
        finally:
            connection.close()


@pytest.fixture(scope="session")
def api_for() -> type[Api]:
    """``api_for(emulator)``: an `Api` for an emulator a test starts itself."""
    return Api


@pytest.fixture(scope="session")
def emulator() -> Iterator[Emulator]:
    with Emulator(create_seconds=0, delete_seconds=0, modify_seconds=0, rate_limit=0) as running:
        yield running


@pytest.fixture
def api(emulator: Emulator) -> Api:
    """The zero-delay emulator, reset: no instances, tags, faults or request counts."""
    return Api(emulator).reset()


@pytest.fixture(scope="session")
def slow_emulator() -> Iterator[Emulator]:
    """Instances are ready at once, but deletes and changes take a minute: long enough to watch them."""
    with Emulator(create_seconds=0, delete_seconds=60, modify_seconds=60, rate_limit=0) as running:
        yield running


@pytest.fixture
def slow_api(slow_emulator: Emulator) -> Api:
    return Api(slow_emulator).reset()
