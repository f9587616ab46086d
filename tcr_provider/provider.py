"""InstanceProvider: Pulumi's check / diff / create / read / update / delete for TCR Enterprise instances.

Pulumi pickles an InstanceProvider into every Instance's state (`__provider`) and runs it in a separate
process with a pool of worker threads. The object therefore carries no data at all when pickled; the
settings and SDK clients are built in that process from the stack config passed to `configure`.
"""

from __future__ import annotations

import gc
import os
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, NoReturn

from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    ConfigureRequest,
    CreateResult,
    DiffResult,
    ReadResult,
    ResourceProvider,
    UpdateResult,
)

from . import settings as keys
from .cloud import (
    CREATING_STATUSES,
    DELETING_STATUSES,
    FAILED_STATUSES,
    READY_STATUS,
    ApiError,
    Registry,
    TcrCloud,
    WaitTimeout,
)
from .settings import Settings, SettingsError
from .spec import (
    FIELDS,
    INPUT_KEYS,
    LIVE_INPUT_KEYS,
    OUTPUT_KEYS,
    Change,
    InstanceSpec,
    effective,
    is_reserved_tag_key,
    is_unknown,
    validate_inputs,
)

CONFIG_KEYS = tuple(
    key[0]
    for key in (
        keys.SECRET_ID, keys.SECRET_KEY, keys.SECURITY_TOKEN, keys.REGION, keys.ENDPOINT_URL,
        keys.APP_ID, keys.CREATE_TIMEOUT, keys.UPDATE_TIMEOUT, keys.DELETE_TIMEOUT,
    )
)  # fmt: skip

# How long a failed creation waits for its cleanup delete before reporting.
_CLEANUP_WAIT_SECONDS = 120.0
# Concurrent operations the provider process serves; the engine's --parallel is the real limit.
PROVIDER_THREADS = int(os.environ.get("TCR_PROVIDER_THREADS", "128"))


def _say(message: str) -> None:
    # The engine shows what the provider process writes to stderr as diagnostics during `pulumi up`.
    print(f"tcr: {message}", file=sys.stderr, flush=True)


def _widen_dynamic_provider_pool(threads: int) -> None:
    """Let the dynamic provider server run `threads` calls at once instead of its fixed 4.

    `python -m pulumi.dynamic` serves gRPC from a ThreadPoolExecutor(max_workers=4), so a fifth creation
    that waits minutes for Running would queue behind the first four whatever `--parallel` says. This
    module is imported in that process (when the first `__provider` is unpickled), after the server
    started; the executor grows its pool on demand up to `_max_workers`, which is raised here. Only that
    process is touched, and only executors still at the server's size of 4.
    """
    main = sys.modules.get("__main__")
    if getattr(getattr(main, "__spec__", None), "name", None) != "pulumi.dynamic.__main__":
        return
    for candidate in gc.get_objects():
        if isinstance(candidate, ThreadPoolExecutor) and candidate._max_workers == 4:
            candidate._max_workers = max(threads, 4)
            # The pool adds a thread only when work is submitted: calls that queued up behind the first four
            # (a `destroy` sends all its deletes at once) get threads of their own through empty tasks.
            for _ in range(candidate._work_queue.qsize()):
                candidate.submit(lambda: None)


_widen_dynamic_provider_pool(PROVIDER_THREADS)


class InstanceProvider(ResourceProvider):
    """The dynamic provider behind `tcr_provider.Instance`. Takes no arguments and holds no credentials."""

    # Nothing secret is ever pickled (see __getstate__), so the serialized provider can stay readable.
    serialize_as_secret_always = False

    def __init__(self) -> None:
        super().__init__()
        self._settings: Settings | None = None
        self._cloud: TcrCloud | None = None
        self._lock = threading.Lock()
        self._names_in_stack: set[str] = set()

    def __getstate__(self) -> dict[str, Any]:
        # Credentials, clients and locks must never reach Pulumi state.
        return {}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__()  # type: ignore[misc]

    # --- set-up -----------------------------------------------------------------------------------------
    def configure(self, req: ConfigureRequest) -> None:
        config = {key: str(req.config.get(key)) for key in CONFIG_KEYS if req.config.get(key) is not None}
        with self._lock:
            self._settings = Settings(config=config)
            self._cloud = None

    @property
    def settings(self) -> Settings:
        with self._lock:
            if self._settings is None:
                self._settings = Settings()
            return self._settings

    @property
    def cloud(self) -> TcrCloud:
        settings = self.settings
        with self._lock:
            if self._cloud is None:
                self._cloud = TcrCloud(settings)
            return self._cloud

    # --- check ------------------------------------------------------------------------------------------
    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        olds = _olds or {}
        props = {k: v for k, v in news.items() if not k.startswith("__")}
        if props.get("region") is None and self.settings.default_region:
            props["region"] = self.settings.default_region
        spec, failures = validate_inputs(props)
        if spec is not None:
            failures = self._name_failures(spec, olds)
            props = spec.state()
        return CheckResult(props, [CheckFailure(f.property, f.reason) for f in failures])

    def _name_failures(self, spec: InstanceSpec, olds: dict[str, Any]) -> list[Any]:
        """Ask CheckInstanceName about a new name, so a taken name fails at preview, not during up."""
        # For a replacement the engine checks the inputs a second time with no old inputs. When the name
        # stays (a region change), it is taken by the very instance being replaced; the first check of
        # this run, in this process, recorded that.
        with self._lock:
            if olds.get("name") == spec.name:
                self._names_in_stack.add(spec.name)
                return []
            if spec.name in self._names_in_stack:
                return []
        try:
            verdict = self.cloud.check_name(spec.region, spec.name)
        except ApiError as exc:
            if exc.code.startswith("AuthFailure"):
                raise  # every later call would fail the same way: say so at preview
            _say(f"warning: could not check whether the name {spec.name!r} is free ({exc}); going on")
            return []
        except SettingsError as exc:
            _say(f"warning: could not check whether the name {spec.name!r} is free ({exc}); going on")
            return []
        if verdict.available or (verdict.reason == "exists" and spec.adopt_existing):
            return []
        reasons = {
            "exists": "is already taken (instance names are global across all accounts): choose another "
            "name, or set adopt_existing=True if that instance is yours",
            "reserved": "is reserved by TCR: choose another name",
            "illegal": "is refused by TCR's name rules: use lower-case letters, digits and '-'",
        }
        reason = reasons.get(verdict.reason, "was refused by CheckInstanceName: choose another name")
        return [CheckFailure("name", f"name: {spec.name!r} {reason}")]

    # --- diff -------------------------------------------------------------------------------------------
    def diff(self, _id: str, _olds: dict[str, Any], _news: dict[str, Any]) -> DiffResult:
        changed = [key for key in FIELDS if _differs(_olds, _news, key)]
        replaces = [key for key in changed if FIELDS[key] is Change.REPLACE]
        # Names are global: a new instance under the same name in another region can only be created
        # once the old one is gone. A new name cannot collide, so the safer create-first order is kept.
        delete_first = "region" in replaces and "name" not in changed
        return DiffResult(
            changes=bool(changed),
            replaces=replaces,
            stables=[],
            delete_before_replace=delete_first,
        )

    # --- create -----------------------------------------------------------------------------------------
    def create(self, props: dict[str, Any]) -> CreateResult:
        spec = _spec(props)
        cloud = self.cloud
        if spec.adopt_existing:
            existing = cloud.find_by_name(spec.region, spec.name)
            if existing is not None:
                return CreateResult(existing.registry_id, self._adopt(spec, existing))
        registry_id, recovered = cloud.create(spec)
        if recovered:
            _say(f"{spec.name}: the CreateInstance answer was lost; found {registry_id} by name and kept it")
        _say(f"{spec.name}: creating {registry_id} in {spec.region}")
        registry = self._wait_until_running(spec, registry_id)
        return CreateResult(registry_id, self._outputs(spec.state(), registry))

    def _wait_until_running(self, spec: InstanceSpec, registry_id: str) -> Registry:
        """Wait for an instance this create bought; if it cannot be finished, it is deleted (see _abandon)."""
        timeout = self.settings.create_timeout
        try:
            registry = self._wait_until_settled(spec, registry_id, timeout)
        except WaitTimeout:
            self._abandon(
                spec,
                registry_id,
                f"was not Running after {timeout:.0f}s; raise tcr:createTimeoutSeconds if the region is slow",
            )
        if registry.status != READY_STATUS:
            self._abandon(spec, registry_id, self._failure(spec, registry))
        return registry

    def _wait_until_settled(self, spec: InstanceSpec, registry_id: str, timeout: float) -> Registry:
        def settled(registry: Registry | None) -> bool:
            return registry is None or registry.status not in CREATING_STATUSES

        registry = self.cloud.wait_for(
            spec.region, registry_id, settled, timeout=timeout,
            activity=f"{spec.name} ({registry_id}) creating", progress=_say,
        )  # fmt: skip
        if registry is None:
            raise RuntimeError(
                f"registry {spec.name} ({registry_id}) disappeared while it was being created; run `pulumi up` again"
            )
        return registry

    def _failure(self, spec: InstanceSpec, registry: Registry) -> str:
        reason = self.cloud.failure_reason(spec.region, registry.registry_id)
        kind = "failed" if registry.status in FAILED_STATUSES else "stopped"
        return f"{kind} with status {registry.status}: {reason}"

    def _abandon(self, spec: InstanceSpec, registry_id: str, what_happened: str) -> NoReturn:
        """Delete an instance this create made but cannot finish, then raise: nothing is left untracked."""
        try:
            self.cloud.delete(spec.region, registry_id, delete_bucket=True)
            try:
                self.cloud.wait_for(
                    spec.region, registry_id, lambda r: r is None,
                    timeout=min(self.settings.delete_timeout, _CLEANUP_WAIT_SECONDS),
                    activity=f"{spec.name} ({registry_id}) cleaning up", progress=_say,
                )  # fmt: skip
                cleanup = "it was deleted (with its new, empty COS bucket), so nothing is left behind"
            except WaitTimeout:
                cleanup = "its deletion was requested and is still running"
        except ApiError as exc:
            raise RuntimeError(
                f"registry {spec.name} ({registry_id}) {what_happened}. Deleting it failed too ({exc}): "
                f"delete {registry_id} in the console, or set adopt_existing=True to take it over"
            ) from None
        raise RuntimeError(f"registry {spec.name} ({registry_id}) {what_happened}. {cleanup}.")

    def _adopt(self, spec: InstanceSpec, existing: Registry) -> dict[str, Any]:
        """Take over an existing instance: create-only settings must match; the others are applied."""
        create_only = {
            "chargeType": existing.charge_type,
            "enableCosMaz": existing.enable_cos_maz,
        }
        wanted = spec.state()
        clashes = [
            f"{key} is {live!r} there but {effective(wanted, key)!r} here"
            for key, live in create_only.items()
            if effective(wanted, key) != live
        ]
        if clashes:
            raise RuntimeError(
                f"adopt_existing: registry {spec.name} ({existing.registry_id}) cannot be taken over because "
                f"settings that can only be chosen at purchase differ: {'; '.join(clashes)}. Change the "
                "program to match the instance."
            )
        if existing.status in DELETING_STATUSES:
            raise RuntimeError(
                f"adopt_existing: registry {spec.name} ({existing.registry_id}) is being deleted and cannot be "
                "taken over; run `pulumi up` again once it is gone, and a new one is created"
            )
        _say(f"{spec.name}: adopting existing instance {existing.registry_id}")
        if existing.status in CREATING_STATUSES:
            try:
                existing = self._wait_until_settled(spec, existing.registry_id, self.settings.create_timeout)
            except WaitTimeout:
                raise RuntimeError(
                    f"adopt_existing: registry {spec.name} ({existing.registry_id}) was still being created "
                    "at the create timeout; run `pulumi up` again later"
                ) from None
        if existing.status != READY_STATUS:
            # Never delete an instance that was not bought by this create: report and leave it.
            raise RuntimeError(
                f"adopt_existing: registry {spec.name} ({existing.registry_id}) {self._failure(spec, existing)}; "
                "it was left as it is"
            )
        registry = self._converge(spec, existing.registry_id, _live_inputs(existing, wanted))
        return self._outputs(wanted, registry)

    # --- read -------------------------------------------------------------------------------------------
    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        region = props.get("region") or self.settings.default_region
        if not region:
            raise RuntimeError(
                f"reading registry {id_}: no region: pass region= to Instance.get, or set tencentcloud:region"
            )
        registry = self.cloud.get(str(region), id_)
        if registry is None:
            return ReadResult(None, {})
        stored = {k: props.get(k) for k in INPUT_KEYS if props.get(k) is not None}
        inputs = _live_inputs(registry, stored)
        outs = self._outputs(inputs, registry, known_bucket=props.get("cosBucket"))
        return ReadResult(id_, outs, inputs)

    # --- update -----------------------------------------------------------------------------------------
    def update(self, _id: str, _olds: dict[str, Any], _news: dict[str, Any]) -> UpdateResult:
        spec = _spec(_news)
        registry = self._converge(spec, _id, _olds)
        return UpdateResult(self._outputs(spec.state(), registry, known_bucket=_olds.get("cosBucket")))

    def _converge(self, spec: InstanceSpec, registry_id: str, current: dict[str, Any]) -> Registry:
        """Bring the instance from `current` (state properties) to `spec` with as few calls as possible."""
        cloud, region = self.cloud, spec.region
        old_tags = {k: v for k, v in (effective(current, "tags") or {}).items() if not is_reserved_tag_key(k)}
        replace = {k: v for k, v in spec.tags.items() if old_tags.get(k) != v}
        cloud.retag(region, registry_id, replace, [k for k in old_tags if k not in spec.tags])

        if effective(current, "instanceType") != spec.instance_type:
            cloud.modify(region, registry_id, RegistryType=spec.instance_type)
            self._wait_for_type(spec, registry_id)
        if effective(current, "enableCosVersioning") != spec.enable_cos_versioning:
            cloud.modify(
                region, registry_id,
                RegistryType=spec.instance_type, EnableCosVersioning=spec.enable_cos_versioning,
            )  # fmt: skip

        registry = cloud.get(region, registry_id)
        # The API documents DeletionProtection as "defaults to false", so it gets a call of its own and
        # is checked against a fresh read: an earlier modify may have reset it.
        if registry is not None and registry.deletion_protection != spec.deletion_protection:
            cloud.modify(
                region, registry_id,
                RegistryType=spec.instance_type, DeletionProtection=spec.deletion_protection,
            )  # fmt: skip
            registry = cloud.get(region, registry_id)
        if registry is None:
            raise RuntimeError(
                f"registry {spec.name} ({registry_id}) disappeared while it was being updated; "
                "run `pulumi refresh` and then `pulumi up`"
            )
        return registry

    def _wait_for_type(self, spec: InstanceSpec, registry_id: str) -> None:
        timeout = self.settings.update_timeout
        try:
            self.cloud.wait_for(
                spec.region, registry_id,
                lambda r: r is None or (r.registry_type == spec.instance_type and r.status == READY_STATUS),
                timeout=timeout, activity=f"{spec.name} ({registry_id}) changing to {spec.instance_type}",
                progress=_say,
            )  # fmt: skip
        except WaitTimeout:
            raise RuntimeError(
                f"registry {spec.name} ({registry_id}) did not become {spec.instance_type} within "
                f"{timeout:.0f}s; the change was requested and may still apply: run `pulumi refresh` later, "
                "or raise tcr:updateTimeoutSeconds"
            ) from None

    # --- delete -----------------------------------------------------------------------------------------
    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        name = _props.get("name") or _id
        region = str(_props.get("region") or self.settings.default_region)
        cloud = self.cloud
        registry = cloud.get(region, _id)
        if registry is None:
            return
        if registry.deletion_protection:
            raise RuntimeError(
                f"registry {name} ({_id}) was not deleted: deletion protection is on. To delete it, set "
                "deletion_protection=False on the Instance and run `pulumi up`, then delete it again; to "
                "stop managing it without deleting it, run `pulumi state delete <urn>`"
            )
        if registry.status not in DELETING_STATUSES:
            cloud.delete(region, _id, delete_bucket=bool(effective(_props, "deleteBucket")))
        timeout = self.settings.delete_timeout
        try:
            cloud.wait_for(
                region, _id, lambda r: r is None, timeout=timeout,
                activity=f"{name} ({_id}) deleting", progress=_say,
            )  # fmt: skip
        except WaitTimeout:
            raise RuntimeError(
                f"registry {name} ({_id}) was still being deleted after {timeout:.0f}s; it stays in the "
                "stack: run `pulumi destroy` (or `pulumi up`) again later, or raise tcr:deleteTimeoutSeconds"
            ) from None

    # --- outputs ----------------------------------------------------------------------------------------
    def _outputs(self, inputs: dict[str, Any], registry: Registry, known_bucket: Any = None) -> dict[str, Any]:
        if isinstance(known_bucket, str) and known_bucket.startswith(f"{registry.registry_id}-"):
            bucket = known_bucket
        else:
            app_id, _ = self.cloud.account(registry.region or inputs["region"])
            bucket = f"{registry.registry_id}-{app_id}"
        name = registry.name or inputs["name"]
        outputs = {
            "registryId": registry.registry_id,
            "status": registry.status,
            "domain": registry.public_domain or f"{name}.tencentcloudcr.com",
            "vpcDomain": f"{name}-vpc.tencentcloudcr.com",
            "internalEndpoint": registry.internal_endpoint,
            "cosBucket": bucket,
            "cosBucketRegion": registry.region or inputs["region"],
            "regionId": registry.region_id,
            "createdAt": registry.created_at,
            "expiredAt": registry.expired_at,
        }
        assert set(outputs) == set(OUTPUT_KEYS)
        return {**inputs, **outputs}


def _spec(props: dict[str, Any]) -> InstanceSpec:
    spec, failures = validate_inputs({k: v for k, v in props.items() if k in INPUT_KEYS})
    if spec is None:
        raise ValueError("; ".join(f.reason for f in failures) or "inputs are not known yet")
    return spec


def _differs(olds: dict[str, Any], news: dict[str, Any], key: str) -> bool:
    if is_unknown(news.get(key)):
        return True
    return bool(effective(olds, key) != effective(news, key))


def _live_inputs(registry: Registry, stored: dict[str, Any]) -> dict[str, Any]:
    """Inputs as the cloud has them; inputs the API never reports keep their stored values."""
    live = {
        "name": registry.name,
        "region": registry.region,
        "instanceType": registry.registry_type,
        "tags": {k: v for k, v in registry.tags.items() if not is_reserved_tag_key(k)},
        "deletionProtection": registry.deletion_protection,
        "chargeType": registry.charge_type,
        "enableCosMaz": registry.enable_cos_maz,
        "enableCosVersioning": registry.enable_cos_versioning,
    }
    assert set(live) == set(LIVE_INPUT_KEYS)
    inputs = {k: v for k, v in stored.items() if k in INPUT_KEYS and k not in live}
    inputs.update({k: v for k, v in live.items() if v not in (None, "")})
    return inputs
