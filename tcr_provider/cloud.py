"""A small typed facade over the TCR, Tag and CAM SDK clients: retries, waits and error mapping.

This module knows the API and nothing of Pulumi. Every rule about API behaviour lives here once: which
error codes are retried, which mean "gone", which statuses mean "still creating" or "failed".
"""

from __future__ import annotations

import importlib
import json
import random
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from .settings import CredentialSource, Settings
from .spec import CHARGE_TYPE_CODES, RENEW_FLAG_CODES, InstanceSpec

# --- Error codes ---------------------------------------------------------------------------------------
# Transient: the request did not take effect, or repeating it is harmless.
RETRYABLE_CODES = frozenset(
    {
        "InternalError.ErrorConflict",
        "InternalError.ErrConflict",
        "FailedOperation.ErrorTcrResourceConflict",
        "ResourceInsufficient.ErrorInstanceNotRunning",
        "FailedOperation.GetTcrClient",
    }
)
RETRYABLE_PREFIXES = ("RequestLimitExceeded",)
# The SDK's names for a refused/dropped connection and for a non-200 answer: the request may or may not
# have been carried out, so only calls that are safe to repeat retry them.
NETWORK_CODES = frozenset({"ClientNetworkError", "ServerNetworkError"})
GONE_CODES = frozenset({"ResourceNotFound", "ResourceNotFound.TcrResourceNotFound"})

MAX_ATTEMPTS = 8
BACKOFF_BASE_SECONDS = 0.5
BACKOFF_CAP_SECONDS = 8.0

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

# --- Statuses ------------------------------------------------------------------------------------------
CREATING_STATUSES = frozenset({"Pending", "Deploying"})
READY_STATUS = "Running"
FAILED_STATUSES = frozenset({"FailedCreated", "Bucket-Error", "Isolate", "FailedUpdated"})
DELETING_STATUSES = frozenset({"Deleting"})

DESCRIBE_PAGE_SIZE = 100
# The SDK package of each service API version, with its client module and class. They are imported on first
# use, so a preview or a no-change `up`, which calls no API, does not pay for loading them.
SDK_SERVICES = {
    "tcr": ("tencentcloud.tcr.v20190924", "tcr_client", "TcrClient"),
    "tag": ("tencentcloud.tag.v20180813", "tag_client", "TagClient"),
    "cam": ("tencentcloud.cam.v20190116", "cam_client", "CamClient"),
}
# TCR allows 20 requests per second for each action and SecretId. The provider paces its own calls a little
# below that, so a stack of many registries waits its turn instead of being throttled and backing off.
API_CALLS_PER_SECOND = 18.0


class Pacer:
    """Spaces calls of each action evenly at `rate` per second across every thread of the process."""

    def __init__(self, rate: float) -> None:
        self._interval = 1.0 / rate if rate > 0 else 0.0
        self._next: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait_turn(self, action: str) -> None:
        if not self._interval:
            return
        with self._lock:
            now = time.monotonic()
            slot = max(now, self._next.get(action, now))
            self._next[action] = slot + self._interval
        if slot > now:
            time.sleep(slot - now)


class ApiError(Exception):
    """An API call failed. The message names the registry, the action, the code, the message and the RequestId."""

    def __init__(
        self,
        action: str,
        code: str,
        message: str,
        request_id: str | None,
        registry: str,
        hint: str | None = None,
    ) -> None:
        self.action = action
        self.code = code
        self.api_message = message
        self.request_id = request_id
        self.registry = registry
        self.hint = hint if hint is not None else HINTS.get(code)
        text = f"TCR {action} failed for registry {registry}: {code}: {message}"
        if request_id:
            text += f" (RequestId {request_id})"
        if self.hint:
            text += f". {self.hint}"
        super().__init__(text)

    @property
    def is_gone(self) -> bool:
        return self.code in GONE_CODES

    @property
    def is_network(self) -> bool:
        return self.code in NETWORK_CODES

    @property
    def is_transient(self) -> bool:
        return self.code in RETRYABLE_CODES or self.code.startswith(RETRYABLE_PREFIXES)


class WaitTimeout(Exception):
    """A bounded wait ended before the registry reached the wanted state."""


@dataclass(frozen=True)
class Registry:
    """One TCR Enterprise instance as DescribeInstances reports it."""

    registry_id: str
    name: str
    registry_type: str
    status: str
    region: str
    region_id: int | None
    public_domain: str
    internal_endpoint: str
    created_at: str
    expired_at: str | None
    charge_type: str
    renew_flag: str | None
    deletion_protection: bool
    enable_cos_maz: bool
    enable_cos_versioning: bool
    tags: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_api(cls, item: Mapping[str, Any]) -> Registry:
        spec = item.get("TagSpecification") or {}
        tags = {str(t["Key"]): str(t.get("Value") or "") for t in spec.get("Tags") or []}
        charge = {code: name for name, code in CHARGE_TYPE_CODES.items()}
        renew = {code: name for name, code in RENEW_FLAG_CODES.items()}
        return cls(
            registry_id=item["RegistryId"],
            name=item.get("RegistryName") or "",
            registry_type=item.get("RegistryType") or "",
            status=item.get("Status") or "",
            region=item.get("RegionName") or "",
            region_id=item.get("RegionId"),
            public_domain=item.get("PublicDomain") or "",
            internal_endpoint=item.get("InternalEndpoint") or "",
            created_at=item.get("CreatedAt") or "",
            expired_at=item.get("ExpiredAt") or None,
            charge_type=charge.get(int(item.get("PayMod") or 0), "postpaid"),
            renew_flag=renew.get(int(item["RenewFlag"])) if item.get("RenewFlag") is not None else None,
            deletion_protection=bool(item.get("DeletionProtection")),
            enable_cos_maz=bool(item.get("EnableCosMAZ")),
            enable_cos_versioning=bool(item.get("EnableCosVersioning")),
            tags=tags,
        )


@dataclass(frozen=True)
class NameVerdict:
    available: bool
    reason: str  # "", "illegal", "reserved", "exists"


_NAME_VERDICTS = {1: "illegal", 2: "reserved", 3: "exists"}

ProgressFn = Callable[[str], None]


def _quiet(_: str) -> None:
    return None


class StatusWatcher:
    """Waits on many registries with one DescribeInstances call per round, shared by every waiter.

    A creation holds a provider thread for minutes; polling each one separately would make N concurrent
    creations cost N calls a round and eat the API's per-action rate limit. The poller starts when the first
    waiter arrives, polls after `first_seconds`, backs off exponentially to `cap_seconds`, and stops when no
    one waits. Waiters arriving while it runs join its next round: they never make it poll sooner, so the
    calls stay at about one per `cap_seconds` however many registries are waited on.

    """

    def __init__(
        self,
        describe: Callable[[str, list[str]], dict[str, Registry]],
        first_seconds: float = 0.25,
        cap_seconds: float = 1.0,
    ) -> None:
        self._describe = describe
        self._first = first_seconds
        self._cap = cap_seconds
        self._lock = threading.Lock()
        self._waiters: dict[int, _Waiter] = {}
        self._next_key = 0
        self._thread: threading.Thread | None = None
        self._idle = threading.Event()  # set when the last waiter leaves, so the poller stops at once

    def wait(
        self,
        region: str,
        registry_id: str,
        done: Callable[[Registry | None], bool],
        timeout: float,
        on_round: Callable[[Registry | None], None] = lambda _: None,
    ) -> Registry | None:
        """Block until `done(registry)` holds (registry None = gone); raise WaitTimeout at the deadline."""
        waiter = _Waiter(region, registry_id, done, on_round)
        with self._lock:
            key = self._next_key
            self._next_key += 1
            self._waiters[key] = waiter
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="tcr-status-watcher", daemon=True)
                self._thread.start()
        try:
            if not waiter.event.wait(timeout):
                raise WaitTimeout(f"{registry_id} did not reach the wanted state within {timeout:.0f}s")
        finally:
            with self._lock:
                self._waiters.pop(key, None)
                if not self._waiters:
                    self._idle.set()
        if waiter.error is not None:
            raise waiter.error
        return waiter.result

    def _run(self) -> None:
        delay = self._first
        while True:
            self._idle.wait(delay)
            with self._lock:
                if self._idle.is_set():
                    # Every waiter left: stop, unless one arrived meanwhile (then start quickly again).
                    self._idle.clear()
                    if not self._waiters:
                        self._thread = None
                        return
                    delay = self._first
                    continue
                waiting = [w for w in self._waiters.values() if not w.event.is_set()]
            by_region: dict[str, list[_Waiter]] = {}
            for waiter in waiting:
                by_region.setdefault(waiter.region, []).append(waiter)
            for region, waiters in by_region.items():
                self._poll(region, waiters)
            delay = min(self._cap, delay * 2)

    def _poll(self, region: str, waiters: list[_Waiter]) -> None:
        ids = sorted({w.registry_id for w in waiters})
        try:
            found = self._describe(region, ids)
        except Exception as exc:
            for waiter in waiters:
                waiter.error = exc
                waiter.event.set()
            return
        for waiter in waiters:
            registry = found.get(waiter.registry_id)
            try:
                waiter.on_round(registry)
                finished = waiter.done(registry)
            except Exception as exc:
                waiter.error = exc
                finished = True
            if finished:
                waiter.result = registry
                waiter.event.set()


@dataclass
class _Waiter:
    region: str
    registry_id: str
    done: Callable[[Registry | None], bool]
    on_round: Callable[[Registry | None], None]
    event: threading.Event = field(default_factory=threading.Event)
    result: Registry | None = None
    error: BaseException | None = None


class TcrCloud:
    """The API operations the provider needs, each retried where that is safe."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._local = threading.local()
        self._lock = threading.Lock()
        self._credentials: CredentialSource | None = None
        self._account: tuple[str, str] | None = None  # (AppId, OwnerUin)
        self._account_lock = threading.Lock()
        self.pacer = Pacer(API_CALLS_PER_SECOND)
        self.watcher = StatusWatcher(self.describe)

    # --- plumbing ---------------------------------------------------------------------------------------
    @property
    def credentials(self) -> CredentialSource:
        with self._lock:
            if self._credentials is None:
                self._credentials = self.settings.credentials()
            return self._credentials

    def _client(self, service: str, region: str) -> Any:
        # SDK clients keep an HTTP connection that is not safe to share between threads.
        cache: dict[tuple[str, str], Any] | None = getattr(self._local, "clients", None)
        if cache is None:
            cache = self._local.clients = {}
        client = cache.get((service, region))
        if client is None:
            from tencentcloud.common.profile.client_profile import ClientProfile
            from tencentcloud.common.profile.http_profile import HttpProfile

            endpoint = self.settings.endpoint
            http = HttpProfile(protocol=endpoint.scheme, endpoint=endpoint.host, reqTimeout=30)
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
        repeatable: bool = True,
    ) -> dict[str, Any]:
        """One API action with retries; `repeatable` says whether a lost answer may be retried blindly."""
        from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException

        models: ModuleType = importlib.import_module(f"{SDK_SERVICES[service][0]}.models")
        attempt = 0
        while True:
            attempt += 1
            self.pacer.wait_turn(action)
            try:
                request = getattr(models, f"{action}Request")()
                request.from_json_string(json.dumps(dict(params)))
                response = getattr(self._client(service, region), action)(request)
                result: dict[str, Any] = json.loads(response.to_json_string())
                return result
            except TencentCloudSDKException as exc:
                error = self._error(exc, action, registry)
            retry = error.is_transient or (repeatable and error.is_network)
            if not retry or attempt >= MAX_ATTEMPTS:
                raise error
            time.sleep(random.uniform(0, min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** (attempt - 1))))

    def _error(self, exc: Any, action: str, registry: str) -> ApiError:
        """Map the SDK's TencentCloudSDKException to an ApiError that says what to do."""
        code = str(exc.code or "ClientError")
        message = exc.message.decode(errors="replace") if isinstance(exc.message, bytes) else str(exc.message)
        hint = None
        if code.startswith("AuthFailure") or code == "UnauthorizedOperation":
            source = self.credentials
            hint = (
                f"the credentials from {source.origin} (SecretId {source.secret_id_hint}) were refused "
                f"by {self.settings.endpoint.describe()}: check them and their CAM permissions"
            )
        elif code in NETWORK_CODES:
            hint = f"could not get an answer from {self.settings.endpoint.describe()}"
        return ApiError(action, code, message, exc.requestId, registry, hint)

    # --- account ----------------------------------------------------------------------------------------
    def account(self, region: str) -> tuple[str, str]:
        """(AppId, OwnerUin): looked up once per process (one call even when many threads ask at once), or
        the AppId taken from config."""
        with self._account_lock:
            if self._account is None:
                configured = self.settings.app_id
                if configured:
                    self._account = (configured, "")
                else:
                    answer = self.call("cam", region, "GetUserAppId", {}, registry="(account lookup)")
                    self._account = (str(answer["AppId"]), str(answer.get("OwnerUin") or ""))
            return self._account

    # --- reads ------------------------------------------------------------------------------------------
    def describe(self, region: str, registry_ids: Iterable[str]) -> dict[str, Registry]:
        """The registries among `registry_ids` that exist in `region` (unknown ids are simply absent)."""
        ids = list(registry_ids)
        found: dict[str, Registry] = {}
        for start in range(0, len(ids), DESCRIBE_PAGE_SIZE):
            chunk = ids[start : start + DESCRIBE_PAGE_SIZE]
            label = chunk[0] if len(chunk) == 1 else f"{len(chunk)} registries"
            try:
                answer = self.call(
                    "tcr", region, "DescribeInstances",
                    {"Registryids": chunk, "Limit": DESCRIBE_PAGE_SIZE},
                    registry=label,
                )  # fmt: skip
            except ApiError as exc:
                if exc.is_gone:
                    continue
                raise
            for item in answer.get("Registries") or []:
                registry = Registry.from_api(item)
                found[registry.registry_id] = registry
        return found

    def get(self, region: str, registry_id: str) -> Registry | None:
        return self.describe(region, [registry_id]).get(registry_id)

    def find_by_name(self, region: str, name: str) -> Registry | None:
        answer = self.call(
            "tcr", region, "DescribeInstances",
            {"Filters": [{"Name": "RegistryName", "Values": [name]}], "Limit": DESCRIBE_PAGE_SIZE},
            registry=name,
        )  # fmt: skip
        for item in answer.get("Registries") or []:
            if item.get("RegistryName") == name:
                return Registry.from_api(item)
        return None

    def check_name(self, region: str, name: str) -> NameVerdict:
        answer = self.call("tcr", region, "CheckInstanceName", {"RegistryName": name}, registry=name)
        if answer.get("IsValidated"):
            return NameVerdict(True, "")
        return NameVerdict(False, _NAME_VERDICTS.get(int(answer.get("DetailCode") or 0), "refused"))

    def failure_reason(self, region: str, registry_id: str) -> str:
        """Why a registry is in a failed status, as DescribeInstanceStatus explains it."""
        try:
            answer = self.call(
                "tcr", region, "DescribeInstanceStatus", {"RegistryIds": [registry_id]}, registry=registry_id
            )
        except ApiError as exc:
            return f"(the reason could not be read: {exc.code})"
        reasons = []
        for status in answer.get("RegistryStatusSet") or []:
            for condition in status.get("Conditions") or []:
                if condition.get("Reason"):
                    reasons.append(f"{condition.get('Type')}: {condition['Reason']}")
        return "; ".join(reasons) or "(the API gave no reason)"

    # --- writes -----------------------------------------------------------------------------------------
    def create(self, spec: InstanceSpec) -> tuple[str, bool]:
        """CreateInstance; returns (registry id, whether the answer was lost and the id recovered by name).

        CreateInstance takes no idempotency token, so a lost answer is never retried blindly: the
        instance is looked up by its (globally unique) name instead, and created again only if absent.
        """
        params: dict[str, Any] = {
            "RegistryName": spec.name,
            "RegistryType": spec.instance_type,
            "RegistryChargeType": CHARGE_TYPE_CODES[spec.charge_type],
            "SyncTag": spec.sync_tags_to_bucket,
            "EnableCosMAZ": spec.enable_cos_maz,
            "DeletionProtection": spec.deletion_protection,
            "EnableCosVersioning": spec.enable_cos_versioning,
        }
        if spec.tags:
            params["TagSpecification"] = {
                "ResourceType": "instance",
                "Tags": [{"Key": k, "Value": v} for k, v in sorted(spec.tags.items())],
            }
        if spec.charge_type == "prepaid":
            params["RegistryChargePrepaid"] = {
                "Period": spec.prepaid_period,
                "RenewFlag": RENEW_FLAG_CODES[spec.renew_flag],
            }
        for _ in range(MAX_ATTEMPTS):
            try:
                answer = self.call("tcr", spec.region, "CreateInstance", params, registry=spec.name, repeatable=False)
                return str(answer["RegistryId"]), False
            except ApiError as exc:
                if not exc.is_network:
                    raise
                lost = exc
            existing = self.find_by_name(spec.region, spec.name)
            if existing is not None:
                return existing.registry_id, True
        raise lost

    def modify(self, region: str, registry_id: str, **fields: Any) -> None:
        params = {"RegistryId": registry_id, **fields}
        self.call("tcr", region, "ModifyInstance", params, registry=registry_id)

    def retag(self, region: str, registry_id: str, replace: Mapping[str, str], remove: Iterable[str]) -> None:
        params: dict[str, Any] = {"Resource": self.tag_resource(region, registry_id)}
        if replace:
            params["ReplaceTags"] = [{"TagKey": k, "TagValue": v} for k, v in sorted(replace.items())]
        removed = sorted(remove)
        if removed:
            params["DeleteTags"] = [{"TagKey": k} for k in removed]
        if len(params) > 1:
            self.call("tag", region, "ModifyResourceTags", params, registry=registry_id)

    def tag_resource(self, region: str, registry_id: str) -> str:
        # The Tag API accepts an empty uin in the resource name; the owner's is used once it is known anyway,
        # but is never looked up just for this.
        uin = self._account[1] if self._account else ""
        return f"qcs::tcr:{region}:uin/{uin}:instance/{registry_id}"

    def delete(self, region: str, registry_id: str, delete_bucket: bool) -> bool:
        """DeleteInstance; False when the registry was already gone."""
        try:
            self.call(
                "tcr", region, "DeleteInstance",
                {"RegistryId": registry_id, "DeleteBucket": delete_bucket},
                registry=registry_id,
            )  # fmt: skip
        except ApiError as exc:
            if exc.is_gone:
                return False
            raise
        return True

    # --- waits ------------------------------------------------------------------------------------------
    def wait_for(
        self,
        region: str,
        registry_id: str,
        done: Callable[[Registry | None], bool],
        *,
        timeout: float,
        activity: str,
        progress: ProgressFn = _quiet,
        report_every: float = 15.0,
    ) -> Registry | None:
        """Wait (bounded) until `done` holds, reporting progress every `report_every` seconds."""
        started = time.monotonic()
        last_report = [started]

        def on_round(registry: Registry | None) -> None:
            now = time.monotonic()
            if now - last_report[0] >= report_every:
                last_report[0] = now
                status = registry.status if registry else "gone"
                progress(f"{activity}: {status}, {now - started:.0f}s elapsed")

        return self.watcher.wait(region, registry_id, done, timeout, on_round)
