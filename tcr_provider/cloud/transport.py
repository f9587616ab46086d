"""One API call: the SDK client, pacing, the retry policy and the mapping of SDK errors to `ApiError`."""

from __future__ import annotations

import importlib
import json
import threading
import time
from collections.abc import Callable, Mapping
from types import ModuleType
from typing import Any

from ..errors import ApiError, Interrupted
from ..settings import CredentialSource, Settings
from .pacer import Pacer
from .retry import RETRY_POLICY, CallKind, LostAnswer, is_network, is_transient

# The SDK package of each service API version, with its client module and class. They are imported on first
# use, so a preview or a no-change `up`, which calls no API, does not pay for loading them.
SDK_SERVICES = {
    "tcr": ("tencentcloud.tcr.v20190924", "tcr_client", "TcrClient"),
    "tag": ("tencentcloud.tag.v20180813", "tag_client", "TagClient"),
    "cam": ("tencentcloud.cam.v20190116", "cam_client", "CamClient"),
}
# Requests per second the API allows for each action and SecretId, as each action's reference page states
# ("默认接口请求频率限制"; docs/api-fidelity.md names the pages): 20 unless listed. The provider paces its own
# calls a little below that (PACE_SHARE), so a stack of many registries waits its turn instead of being
# throttled and backing off.
DEFAULT_RATE_LIMIT = 20.0
RATE_LIMITS: dict[str, float] = {
    "DescribeInstances": 100.0,
    "DescribeResourceTagsByResourceIds": 100.0,
    "DescribeNamespaces": 100.0,
    "CreateInstanceToken": 100.0,
    "ManageInternalEndpoint": 2.0,
}
PACE_SHARE = 0.9


def paced_rate(action: str) -> float:
    return RATE_LIMITS.get(action, DEFAULT_RATE_LIMIT) * PACE_SHARE


# One request's connect and read timeout: an API that accepts connections but never answers costs this per
# attempt, and the call's whole budget (tcr:callTimeoutSeconds) bounds the attempts together.
REQUEST_TIMEOUT_SECONDS = 15
# Retries that last longer than this, or reach this attempt, print a progress line.
QUIET_SECONDS = 5.0
NOISY_ATTEMPTS = 3

# What to tell the user for codes they can act on.
HINTS: dict[str, str] = {
    "InvalidParameter.ErrorNameExists": (
        "instance names are global across all Tencent Cloud accounts: choose another name, or set "
        "adopt_existing=True if the instance is yours"
    ),
    "InvalidParameter.ErrorNameIllegal": (
        "use lower-case letters, digits and '-', starting and ending with a letter or digit"
    ),
    "InvalidParameter.ErrorNameReserved": "the name is reserved by TCR: choose another name",
    "InvalidParameter.ErrorRegistryName": "the name is not accepted by TCR: choose another name",
    "InvalidParameter.ErrorTagOverLimit": "an instance takes at most 10 tags: remove some",
    "InvalidParameter.UnsupportedRegion": "choose a region that serves TCR Enterprise",
    "OperationDenied.QuotaOverLimit": "the account's TCR instance quota is used up: delete an instance or ask for more",
    "FailedOperation.TradeFailed": "billing refused the purchase: check the account balance and payment method",
    "OperationDenied": "the API refused the operation (deletion protection, or an operation in progress)",
    "FailedOperation.PreconditionFailed": (
        "delete the instance's namespaces and repositories first (this provider never deletes them for you)"
    ),
    "ResourceInsufficient.ErrorVpcDnsStatus": "remove the instance's VPC access and DNS records first",
}

Answer = dict[str, Any]


class Transport:
    """Sends API actions with the provider's credentials; one SDK client per thread, service and region."""

    def __init__(
        self,
        settings: Settings,
        progress: Callable[[str], None] = lambda _: None,
        interrupted: threading.Event | None = None,
    ) -> None:
        self.progress = progress
        self.settings = settings
        # Once set (the operation was cancelled), no attempt is sent and a retry's pause ends at once.
        self.interrupted = interrupted or threading.Event()
        self.pacer = Pacer(paced_rate)
        self._local = threading.local()
        self._lock = threading.Lock()
        self._credentials: CredentialSource | None = None

    @property
    def credentials(self) -> CredentialSource:
        with self._lock:
            if self._credentials is None:
                self._credentials = self.settings.credentials()
            return self._credentials

    def client(self, service: str, region: str) -> Any:
        # SDK clients keep an HTTP connection that is not safe to share between threads.
        cache: dict[tuple[str, str], Any] | None = getattr(self._local, "clients", None)
        if cache is None:
            cache = self._local.clients = {}
        client = cache.get((service, region))
        if client is None:
            from tencentcloud.common.profile.client_profile import ClientProfile
            from tencentcloud.common.profile.http_profile import HttpProfile

            endpoint = self.settings.endpoint
            http = HttpProfile(
                protocol=endpoint.scheme,
                endpoint=endpoint.host,
                rootDomain=endpoint.root_domain,
                reqTimeout=min(REQUEST_TIMEOUT_SECONDS, max(1, int(self.settings.call_timeout))),
            )
            profile = ClientProfile(httpProfile=http, language="en-US")
            package, module, name = SDK_SERVICES[service]
            client_class = getattr(importlib.import_module(f"{package}.{module}"), name)
            client = client_class(self.credentials.credential, region, profile)
            cache[(service, region)] = client
        return client

    def call(
        self,
        service: str,
        region: str,
        action: str,
        params: Mapping[str, Any],
        *,
        registry: str,
        kind: CallKind = CallKind.SAFE_TO_REPEAT,
        recover: Callable[[], Answer | None] | None = None,
    ) -> Answer:
        """One API action, retried as RETRY_POLICY says for its kind.

        For a call that must never be repeated blindly, a lost answer calls `recover`, which looks for the
        call's result; the call is sent again only when `recover` finds none.
        """
        from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException

        rule = RETRY_POLICY[kind]
        models: ModuleType = importlib.import_module(f"{SDK_SERVICES[service][0]}.models")
        started = time.monotonic()
        budget = self.settings.call_timeout
        attempt = 0
        last_code = ""
        while True:
            attempt += 1
            if self.interrupted.is_set():
                when = "before it was sent" if attempt == 1 else f"after {attempt - 1} attempts (the last: {last_code})"
                raise Interrupted(registry, f"{action} for {registry} was interrupted {when}")
            self.pacer.wait_turn(action)
            try:
                request = getattr(models, f"{action}Request")()
                request.from_json_string(json.dumps(dict(params)))
                response = getattr(self.client(service, region), action)(request)
                result: Answer = json.loads(response.to_json_string())
                return result
            except TencentCloudSDKException as exc:
                error = self._error(exc, action, registry)
            last_code = error.code
            if is_network(error.code):
                if rule.lost_answer is LostAnswer.FAIL:
                    raise error
                if rule.lost_answer is LostAnswer.RECOVER:
                    found = recover() if recover is not None else None
                    if found is not None:
                        return found
            elif not is_transient(error.code):
                raise error
            elapsed = time.monotonic() - started
            pause = rule.backoff(attempt)
            if attempt >= rule.attempts or elapsed + pause >= budget:
                if attempt < rule.attempts:
                    spent = (
                        f"gave up after {elapsed:.0f}s and {attempt} attempts (tcr:callTimeoutSeconds is {budget:g})"
                    )
                    hint = f"{error.hint}; {spent}" if error.hint else spent
                    raise ApiError(action, error.code, error.api_message, error.request_id, registry, hint)
                raise error
            if elapsed >= QUIET_SECONDS or attempt >= NOISY_ATTEMPTS:
                self.progress(
                    f"{action} for {registry}: {error.code}, attempt {attempt}, {elapsed:.0f}s so far; retrying"
                )
            self.interrupted.wait(pause)

    def _error(self, exc: Any, action: str, registry: str) -> ApiError:
        """Map the SDK's TencentCloudSDKException to an ApiError that says what to do."""
        code = str(exc.code or "ClientError")
        message = exc.message.decode(errors="replace") if isinstance(exc.message, bytes) else str(exc.message)
        hint = HINTS.get(code)
        if code.startswith("AuthFailure") or code == "UnauthorizedOperation":
            source = self.credentials
            hint = (
                f"the credentials from {source.origin} (SecretId {source.secret_id_hint}) were refused "
                f"by {self.settings.endpoint.describe()}: check them and their CAM permissions"
            )
        elif is_network(code):
            hint = f"could not get an answer from {self.settings.endpoint.describe()}"
        return ApiError(action, code, message, exc.requestId, registry, hint)
