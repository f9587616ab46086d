"""The TCR instance operations the provider needs, over the transport: reads, writes and bounded waits.

This module knows the API and nothing of Pulumi. The statuses and what they mean live here once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import ApiError
from ..settings import Settings
from .batcher import ReadBatcher
from .buckets import CosBuckets
from .retry import CallKind, is_gone, is_network, is_transient
from .transport import Answer, Transport
from .watcher import StatusWatcher

# --- Statuses ------------------------------------------------------------------------------------------
CREATING_STATUSES = frozenset({"Pending", "Deploying"})
READY_STATUS = "Running"
FAILED_STATUSES = frozenset({"FailedCreated", "Bucket-Error", "Isolate", "FailedUpdated"})
# The only statuses that end a creation for good; anything else (Unhealthy can be a passing status of a
# healthy new instance) is waited out until the create timeout.
CREATE_FAILED_STATUSES = frozenset({"FailedCreated", "Bucket-Error"})
DELETING_STATUSES = frozenset({"Deleting"})

DESCRIBE_PAGE_SIZE = 100
# Actions that change nothing; any other action drops the region's listing kept for reads.
READ_ACTION_PREFIXES = ("Describe", "Check", "Get")
# A refresh lists a whole region (see ReadBatcher) only while it holds at most this many registries.
LIST_LIMIT = 1000


@dataclass(frozen=True)
class Registry:
    """One TCR Enterprise instance as DescribeInstances reports it.

    The attributes are what the lifecycle itself needs; `description` is the whole `Registry` object of the
    answer, from which a resource's schema reads its inputs.
    """

    registry_id: str
    name: str
    status: str
    region: str
    region_id: int | None
    public_domain: str
    internal_endpoint: str
    created_at: str
    expired_at: str | None
    description: Mapping[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def from_api(cls, item: Mapping[str, Any]) -> Registry:
        return cls(
            registry_id=item["RegistryId"],
            name=item.get("RegistryName") or "",
            status=item.get("Status") or "",
            region=item.get("RegionName") or "",
            region_id=item.get("RegionId"),
            public_domain=item.get("PublicDomain") or "",
            internal_endpoint=item.get("InternalEndpoint") or "",
            created_at=item.get("CreatedAt") or "",
            expired_at=item.get("ExpiredAt") or None,
            description=dict(item),
        )


@dataclass(frozen=True)
class NameVerdict:
    available: bool
    reason: str  # "", "illegal", "reserved", "exists"


_NAME_VERDICTS = {1: "illegal", 2: "reserved", 3: "exists"}

ProgressFn = Callable[[str], None]


def _quiet(_: str) -> None:
    return None


def _says_nothing_of_registries(error: BaseException) -> bool:
    return isinstance(error, ApiError) and (is_network(error.code) or is_transient(error.code))


class TcrCloud:
    """The API operations the provider needs, each retried as the one policy says."""

    def __init__(
        self,
        settings: Settings,
        progress: Callable[[str], None] = lambda _: None,
        interrupted: threading.Event | None = None,
    ) -> None:
        self.settings = settings
        # One interrupt for the calls and the waits: once set, both end within a second or so.
        self.transport = Transport(settings, progress, interrupted)
        self.watcher: StatusWatcher[Registry] = StatusWatcher(
            self.describe, keeps_waiting=_says_nothing_of_registries, interrupted=self.transport.interrupted
        )
        self.buckets = CosBuckets(self.transport)
        self.reads: ReadBatcher[Registry] = ReadBatcher(
            self.describe, list_region=self.list_region, batch_size=DESCRIBE_PAGE_SIZE
        )

    @property
    def credentials(self) -> Any:
        return self.transport.credentials

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
        try:
            return self.transport.call(service, region, action, params, registry=registry, kind=kind, recover=recover)
        finally:
            if not action.startswith(READ_ACTION_PREFIXES):
                self.reads.forget(region)

    def call_unless_gone(
        self,
        region: str,
        action: str,
        params: Mapping[str, Any],
        *,
        registry: str,
        gone: Iterable[str] = (),
    ) -> Answer | None:
        """`call`, or None when the API answers that what it acts on (or its registry) is not there: a not-found
        code, or one of `gone` (an action's own name for it). TCR actions only."""
        try:
            return self.call("tcr", region, action, params, registry=registry)
        except ApiError as exc:
            if is_gone(exc.code) or exc.code in gone:
                return None
            raise

    def pages(
        self,
        region: str,
        action: str,
        params: Mapping[str, Any],
        *,
        items: str,
        registry: str,
        page_size: int = DESCRIBE_PAGE_SIZE,
        unless_gone: bool = False,
    ) -> Iterator[tuple[list[Any], int]]:
        """Each page of a paged TCR listing (Offset, Limit, TotalCount) as (its `items`, the total), until the
        total is reached or a page comes back empty. With `unless_gone`, a not-found answer ends the listing."""
        offset = 0
        while True:
            paged = {**params, "Offset": offset, "Limit": page_size}
            if unless_gone:
                answer = self.call_unless_gone(region, action, paged, registry=registry)
                if answer is None:
                    return
            else:
                answer = self.call("tcr", region, action, paged, registry=registry)
            page, total = list(answer.get(items) or []), int(answer.get("TotalCount") or 0)
            yield page, total
            offset += len(page)
            if not page or offset >= total:
                return

    # --- reads ------------------------------------------------------------------------------------------
    def describe(self, region: str, registry_ids: Iterable[str]) -> dict[str, Registry]:
        """The registries among `registry_ids` that exist in `region` (unknown ids are simply absent).

        The API leaves an unknown id out of the answer, but a not-found error is also read as "gone" (the
        Terraform provider has done so since 2020). Such an error can only say that of a single id: a batch
        answered that way is asked again one id at a time, so one unknown id never hides the others.
        """
        ids = list(registry_ids)
        found: dict[str, Registry] = {}
        for start in range(0, len(ids), DESCRIBE_PAGE_SIZE):
            chunk = ids[start : start + DESCRIBE_PAGE_SIZE]
            label = chunk[0] if len(chunk) == 1 else f"{len(chunk)} registries"
            try:
                answer = self.call(
                    "tcr",
                    region,
                    "DescribeInstances",
                    {"Registryids": chunk, "Limit": DESCRIBE_PAGE_SIZE},
                    registry=label,
                )
            except ApiError as exc:
                if not is_gone(exc.code):
                    raise
                if len(chunk) > 1:
                    for registry_id in chunk:
                        found.update(self.describe(region, [registry_id]))
                continue
            for item in answer.get("Registries") or []:
                registry = Registry.from_api(item)
                found[registry.registry_id] = registry
        return found

    def list_region(self, region: str) -> dict[str, Registry] | None:
        """Every registry of the region, or None when it holds more than LIST_LIMIT (a listing would cost more
        calls than it saves)."""
        found: dict[str, Registry] = {}
        listing = self.pages(
            region, "DescribeInstances", {}, items="Registries", registry=f"every registry of {region}"
        )
        for page, total in listing:
            if total > LIST_LIMIT:
                return None
            for item in page:
                registry = Registry.from_api(item)
                found[registry.registry_id] = registry
        return found

    def get(self, region: str, registry_id: str) -> Registry | None:
        return self.describe(region, [registry_id]).get(registry_id)

    def read(self, region: str, registry_id: str) -> Registry | None:
        """Like `get`, but concurrent reads share their DescribeInstances calls (a refresh of many registries)."""
        return self.reads.get(region, registry_id)

    def find_by_name(self, region: str, name: str) -> Registry | None:
        answer = self.call(
            "tcr",
            region,
            "DescribeInstances",
            {"Filters": [{"Name": "RegistryName", "Values": [name]}], "Limit": DESCRIBE_PAGE_SIZE},
            registry=name,
        )
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
    def create(
        self, region: str, name: str, params: Mapping[str, Any], owns: Callable[[Registry], bool]
    ) -> tuple[str, bool]:
        """CreateInstance; returns (registry id, whether the answer was lost and the id recovered by name).

        CreateInstance takes no idempotency token, so a lost answer is never retried blindly: the
        instance is looked up by its (globally unique) name instead and kept if `owns` recognises it as
        this purchase's; otherwise it is created again (and a name taken by someone else then fails).
        """
        recovered: list[bool] = []

        def find_it() -> Answer | None:
            existing = self.find_by_name(region, name)
            if existing is None or not owns(existing):
                # Not there, or bought by someone else meanwhile (names are global): never taken over here.
                return None
            recovered.append(True)
            return {"RegistryId": existing.registry_id}

        answer = self.call(
            "tcr",
            region,
            "CreateInstance",
            params,
            registry=name,
            kind=CallKind.NEVER_REPEAT_BLINDLY,
            recover=find_it,
        )
        return str(answer["RegistryId"]), bool(recovered)

    def modify(self, region: str, registry_id: str, **fields: Any) -> None:
        """ModifyInstance with only the fields that change, so the service leaves the others as they are."""
        params = {"RegistryId": registry_id, **fields}
        self.call("tcr", region, "ModifyInstance", params, registry=registry_id)

    def retag(
        self,
        region: str,
        registry_id: str,
        replace: Mapping[str, str],
        remove: Iterable[str],
        *,
        resource: str | None = None,
    ) -> None:
        """Change tags by difference through the Tag API: the instance's, or `resource`'s (a namespace's)."""
        params: dict[str, Any] = {"Resource": resource or self.tag_resource(region, registry_id)}
        if replace:
            params["ReplaceTags"] = [{"TagKey": k, "TagValue": v} for k, v in sorted(replace.items())]
        removed = sorted(remove)
        if removed:
            params["DeleteTags"] = [{"TagKey": k} for k in removed]
        if len(params) > 1:
            self.call("tag", region, "ModifyResourceTags", params, registry=registry_id)

    def tag_resource(self, region: str, registry_id: str, namespace: str | None = None) -> str:
        """The Tag API's name of an instance, or of one of its namespaces (the Terraform provider's namespace
        update names it `repository/<registry id>/<namespace>`)."""
        # The Tag API accepts an empty uin in the resource name, so the owner's uin is never looked up for it.
        if namespace is not None:
            return f"qcs::tcr:{region}:uin/:repository/{registry_id}/{namespace}"
        return f"qcs::tcr:{region}:uin/:instance/{registry_id}"

    def delete(self, region: str, registry_id: str, delete_bucket: bool) -> bool:
        """DeleteInstance; False when the registry was already gone."""
        params = {"RegistryId": registry_id, "DeleteBucket": delete_bucket}
        return self.call_unless_gone(region, "DeleteInstance", params, registry=registry_id) is not None

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

        def report(what: str) -> None:
            now = time.monotonic()
            if now - last_report[0] >= report_every:
                last_report[0] = now
                progress(f"{activity}: {what}, {now - started:.0f}s elapsed")

        def on_round(registry: Registry | None) -> None:
            report(registry.status if registry else "gone")

        def on_error(error: BaseException) -> None:
            code = error.code if isinstance(error, ApiError) else type(error).__name__
            report(f"no answer from the API yet ({code})")

        return self.watcher.wait(region, registry_id, done, timeout, on_round, on_error)
