"""Reaching the emulator: its control endpoints, the emulator as a process, and clients pointed at it."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from collections.abc import Callable, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol, TypeVar

import tcr_provider
from tcr_provider.emulator import server

REGION = "ap-guangzhou"
LISTENING = "tcr-emulator listening on "

T = TypeVar("T")


class EmulatorEndpoint(Protocol):
    """Where an emulator answers and the credentials it accepts: an `Emulator` or an `EmulatorProcess`."""

    @property
    def endpoint_url(self) -> str: ...

    @property
    def secret_id(self) -> str: ...

    @property
    def secret_key(self) -> str: ...


def wait_until(condition: Callable[[], T], timeout: float = 10.0, interval: float = 0.05, what: str = "") -> T:
    """Call `condition` until it returns something true, and return that; TimeoutError after `timeout` seconds.

    The emulator's statuses follow its clock, so a test waits for the state it needs rather than for a time.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise TimeoutError(f"waited {timeout:g}s for {what or 'a condition'}")
        time.sleep(interval)


def stop_process(process: subprocess.Popen[Any]) -> None:
    """Ask a server process to stop, and kill it if it has not within 10 seconds."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class EmulatorControl:
    """The emulator's control endpoints: GET /_emulator/state, POST /_emulator/reset and /_emulator/faults.

    They are not API actions: using them adds nothing to the request counts.
    """

    def __init__(self, endpoint_url: str) -> None:
        self.endpoint_url = endpoint_url

    def _send(self, name: str, body: object = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"{self.endpoint_url}/_emulator/{name}", data=data)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request, timeout=10) as answer:
            raw = answer.read()
        return json.loads(raw) if raw else None

    def state(self) -> dict[str, Any]:
        """Instances (as DescribeInstances shows them), COS buckets, and API requests received by action."""
        state: dict[str, Any] = self._send("state")
        return state

    def reset(self) -> None:
        """Forget every instance, tag, bucket, pending fault and request count."""
        self._send("reset", {})

    def fault(self, *rules: Mapping[str, object]) -> None:
        """Add fault rules, e.g. ``{"action": "CreateInstance", "error": "RequestLimitExceeded", "count": 2}``."""
        self._send("faults", list(rules))

    def instances(self) -> list[dict[str, Any]]:
        return list(self.state()["instances"])

    def instance(self, registry_id: str) -> dict[str, Any] | None:
        """The instance with this id, as DescribeInstances shows it; None once it is gone."""
        return next((i for i in self.instances() if i["RegistryId"] == registry_id), None)

    def requests(self, action: str) -> int:
        """API requests of `action` received since the last reset, throttled and failed ones included."""
        return int(self.state()["requests"].get(action, 0))

    def sent(self, action: str) -> list[dict[str, Any]]:
        """The parameters of the latest authenticated `action` calls (GET /_emulator/calls), oldest first."""
        calls: list[dict[str, Any]] = self._send("calls")["calls"]
        return [call["params"] for call in calls if call["action"] == action]

    def request_counts(self) -> Counter[str]:
        """API requests received since the last reset, by action."""
        return Counter(self.state()["requests"])

    def alive(self) -> bool:
        """Whether an emulator answers at this address."""
        try:
            with urllib.request.urlopen(f"{self.endpoint_url}/_emulator/state", timeout=2) as answer:
                return bool(answer.status == 200)
        except OSError:
            return False


class EmulatorProcess:
    """`python -m tcr_provider.emulator` in a process of its own (`with EmulatorProcess(...) as emu:`).

    In its own process it never competes for this one's GIL. It runs the `tcr_provider` this process imported,
    whatever the working directory (the bench measures a copy). `detached`, it has a session of its own and
    outlives this process (stop it by its `pid`); `log` receives what it writes to stderr.
    """

    def __init__(
        self,
        *,
        create_seconds: float = server.DEFAULT_CREATE_SECONDS,
        delete_seconds: float = server.DEFAULT_DELETE_SECONDS,
        modify_seconds: float = server.DEFAULT_MODIFY_SECONDS,
        rate_limit: int = server.DEFAULT_RATE_LIMIT,
        secret_id: str = server.DEFAULT_SECRET_ID,
        secret_key: str = server.DEFAULT_SECRET_KEY,
        app_id: int = server.DEFAULT_APP_ID,
        log: Path | None = None,
        detached: bool = False,
    ) -> None:
        self.create_seconds = create_seconds
        self.delete_seconds = delete_seconds
        self.modify_seconds = modify_seconds
        self.rate_limit = rate_limit
        self.secret_id = secret_id
        self.secret_key = secret_key
        self.app_id = app_id
        self.log = log
        self.detached = detached
        self.endpoint_url = ""
        self._process: subprocess.Popen[str] | None = None

    @property
    def pid(self) -> int:
        if self._process is None:
            raise RuntimeError("the emulator process has not been started")
        return self._process.pid

    @property
    def control(self) -> EmulatorControl:
        return EmulatorControl(self.endpoint_url)

    def start(self) -> EmulatorProcess:
        arguments = [
            "--port",
            "0",
            "--create-seconds",
            str(self.create_seconds),
            "--delete-seconds",
            str(self.delete_seconds),
            "--modify-seconds",
            str(self.modify_seconds),
            "--rate-limit",
            str(self.rate_limit),
            "--secret-id",
            self.secret_id,
            "--secret-key",
            self.secret_key,
            "--app-id",
            str(self.app_id),
        ]
        stderr = self.log.open("w") if self.log else None
        try:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "tcr_provider.emulator", *arguments],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=stderr or subprocess.DEVNULL,
                text=True,
                # `python -m` imports from its working directory first.
                cwd=Path(tcr_provider.__file__).parent.parent,
                start_new_session=self.detached,
            )
        finally:
            if stderr is not None:
                stderr.close()
        assert self._process.stdout is not None
        line = self._process.stdout.readline().strip()
        if not line.startswith(LISTENING):
            self.stop()
            see = f"; see {self.log}" if self.log else ""
            raise RuntimeError(f"the emulator did not start (it printed {line!r}){see}")
        self.endpoint_url = line.removeprefix(LISTENING)
        return self

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        stop_process(process)
        if process.stdout is not None:
            process.stdout.close()

    def __enter__(self) -> EmulatorProcess:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()


def provider_config(emulator: EmulatorEndpoint, **extra: str) -> dict[str, str]:
    """Stack-config keys that point the provider at `emulator`, plus `extra` keys."""
    return {
        "tencentcloud:secretId": emulator.secret_id,
        "tencentcloud:secretKey": emulator.secret_key,
        "tencentcloud:region": REGION,
        "tcr:endpointUrl": emulator.endpoint_url,
        **extra,
    }


def configured_provider(config: Mapping[str, str]) -> tcr_provider.InstanceProvider:
    """An InstanceProvider configured from stack config, as the dynamic provider server configures it."""
    from pulumi.dynamic import ConfigureRequest
    from pulumi.dynamic.config import Config

    provider = tcr_provider.InstanceProvider()
    provider.configure(ConfigureRequest(Config(dict(config), "testing")))
    return provider


def sdk_call(
    emulator: EmulatorEndpoint, service: str, action: str, params: Mapping[str, Any], region: str = REGION
) -> Any:
    """Call the API with the real SDK, as an out-of-band change made in the console or by another tool."""
    from tencentcloud.common import credential
    from tencentcloud.common.profile.client_profile import ClientProfile
    from tencentcloud.common.profile.http_profile import HttpProfile
    from tencentcloud.tag.v20180813 import models as tag_models
    from tencentcloud.tag.v20180813 import tag_client
    from tencentcloud.tcr.v20190924 import models as tcr_models
    from tencentcloud.tcr.v20190924 import tcr_client

    host = emulator.endpoint_url.split("://", 1)[1]
    profile = ClientProfile(httpProfile=HttpProfile(protocol="http", endpoint=host))
    cred = credential.Credential(emulator.secret_id, emulator.secret_key)
    clients = {"tcr": (tcr_client.TcrClient, tcr_models), "tag": (tag_client.TagClient, tag_models)}
    client_class, models = clients[service]
    request = getattr(models, f"{action}Request")()
    request.from_json_string(json.dumps(params))
    return json.loads(getattr(client_class(cred, region, profile), action)(request).to_json_string())
