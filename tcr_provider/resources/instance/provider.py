"""InstanceProvider: Pulumi's check / diff / create / read / update / delete for TCR Enterprise instances.

Pulumi pickles an InstanceProvider into every Instance's state (`__provider`) and runs it in a separate
process with a pool of worker threads. The object therefore carries no data at all when pickled; the
settings and SDK clients are built in that process from the stack config passed to `configure`.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any, NoReturn

from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    CreateResult,
    DiffResult,
    ReadResult,
    UpdateResult,
)

from .cloud import (
    CREATE_FAILED_STATUSES,
    CREATING_STATUSES,
    DELETING_STATUSES,
    FAILED_STATUSES,
    READY_STATUS,
    Registry,
)
from .errors import (
    AdoptRefused,
    ApiError,
    CreationFailed,
    DeletionProtected,
    Interrupted,
    InvalidInputs,
    ProtectedReplacement,
    RegistryVanished,
    SettingsError,
    WaitTimedOut,
)
from .fields import Change, Field, Inputs
from .lifecycle import CloudProvider, say
from .ownership import OWNER_PROPERTY, OWNER_TAG_KEY, Owner
from .spec import INSTANCE, OUTPUT_KEYS, is_reserved_tag_key, validate_inputs

NAME_TAKEN = "InvalidParameter.ErrorNameExists"
# How long a failed creation waits for its cleanup delete before reporting.
_CLEANUP_WAIT_SECONDS = 120.0


class InstanceProvider(CloudProvider):
    """The dynamic provider behind `tcr_provider.Instance`. Takes no arguments and holds no credentials."""

    def __init__(self) -> None:
        super().__init__()
        self._names_in_stack: set[str] = set()
        self._claims: dict[str, Owner] = {}  # registry name -> the resource of this stack that declares it

    # --- check ------------------------------------------------------------------------------------------
    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        olds = _olds or {}
        owner = Owner.from_props(news)
        props = {k: v for k, v in news.items() if not k.startswith("__")}
        if props.get("region") is None and self.settings.default_region:
            props["region"] = self.settings.default_region
        spec, failures = validate_inputs(props)
        if spec is not None:
            failures = self._duplicate_failures(spec, owner) or self._name_failures(spec, olds, owner)
            props = spec.state()
        else:
            # Inputs not known yet (preview): the known ones still get their defaults, so the engine shows
            # only what changes, not every defaulted input as removed.
            props = INSTANCE.with_defaults(props)
        if owner is not None:
            props[OWNER_PROPERTY] = owner.to_property()
        return CheckResult(props, [CheckFailure(f.property, f.reason) for f in failures])

    def _duplicate_failures(self, spec: Inputs, owner: Owner | None) -> list[Any]:
        """Two resources of one stack declaring the same (global) name would fight at `up`: refuse both."""
        if owner is None:
            return []
        with self._lock:
            claimed = self._claims.setdefault(spec.name, owner)
        if claimed.marker == owner.marker:
            return []
        return [
            CheckFailure(
                "name",
                f"name: {spec.name!r} is declared by two resources of this stack, {claimed.resource!r} and "
                f"{owner.resource!r}; registry names are global: give each resource its own name",
            )
        ]

    def _name_failures(self, spec: Inputs, olds: dict[str, Any], owner: Owner | None) -> list[Any]:
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
            say(f"warning: could not check whether the name {spec.name!r} is free ({exc}); going on")
            return []
        except SettingsError as exc:
            say(f"warning: could not check whether the name {spec.name!r} is free ({exc}); going on")
            return []
        if verdict.available or (verdict.reason == "exists" and spec.adopt_existing):
            return []
        if verdict.reason == "exists" and owner is not None and self._bought_here(spec, owner) is not None:
            return []  # bought by an earlier, interrupted run of this very resource: create takes it over
        reasons = {
            "exists": "is already taken (instance names are global across all accounts). If that instance is "
            "yours, set adopt_existing=True to take it over; if you choose another name instead, it stays "
            "where it is, and is billed, until you delete it",
            "reserved": "is reserved by TCR: choose another name",
            "illegal": "is refused by TCR's name rules: use lower-case letters, digits and '-'",
        }
        reason = reasons.get(verdict.reason, "was refused by CheckInstanceName: choose another name")
        return [CheckFailure("name", f"name: {spec.name!r} {reason}")]

    def _bought_here(self, spec: Inputs, owner: Owner) -> Registry | None:
        """The instance of this name in this region, if it carries this resource's ownership marker."""
        existing = self.cloud.find_by_name(spec.region, spec.name)
        return existing if existing is not None and owner.marks(existing.description) else None

    # --- diff -------------------------------------------------------------------------------------------
    def diff(self, _id: str, _olds: dict[str, Any], _news: dict[str, Any]) -> DiffResult:
        # Names are global: a new instance under the same name in another region can only be created
        # once the old one is gone. A new name cannot collide, so the safer create-first order is kept.
        changed, replaces, delete_first = INSTANCE.diff(_olds, _news)
        if replaces and INSTANCE.effective(_olds, "deletionProtection"):
            # The replacement would buy the new instance, then fail to delete the protected old one, and
            # every later `up` would fail the same way: refuse it at preview, before anything is bought.
            raise ProtectedReplacement(f"{_olds.get('name') or _id} ({_id})", replaces)
        return DiffResult(
            changes=bool(changed),
            replaces=replaces,
            stables=[],
            delete_before_replace=delete_first,
        )

    # --- create -----------------------------------------------------------------------------------------
    def create(self, props: dict[str, Any]) -> CreateResult:
        spec = _spec(props)
        owner = Owner.from_props(props)
        cloud = self.cloud
        if spec.adopt_existing:
            existing = cloud.find_by_name(spec.region, spec.name)
            if existing is not None:
                return CreateResult(existing.registry_id, self._adopt(spec, existing, owner))
        params = _with_owner_tag(INSTANCE.create_params(spec), owner)
        taken_over = False
        try:
            registry_id, recovered = cloud.create(
                spec.region, spec.name, params, owns=lambda r: owner is not None and owner.marks(r.description)
            )
        except Interrupted:
            raise _interrupted_while_buying(spec, owner) from None
        except ApiError as exc:
            found = self._bought_here(spec, owner) if owner and exc.code == NAME_TAKEN else None
            if found is None:
                raise
            say(
                f"{spec.name}: {found.registry_id} was bought by an earlier, interrupted run of this resource "
                "(it carries its ownership marker); taking it over"
            )
            registry_id, recovered, taken_over = found.registry_id, False, True
        if recovered:
            say(f"{spec.name}: the CreateInstance answer was lost; found {registry_id}, bought by this resource")
        say(f"{spec.name}: creating {registry_id} in {spec.region}")
        # From here on an instance is bought: it ends up in the state, or deleted, or named to the user.
        try:
            registry = self._wait_until_running(spec, registry_id)
            if taken_over:  # bought by an earlier run, perhaps with other settings
                registry = self._converge(spec, registry_id, INSTANCE.live_inputs(registry.description, spec))
            outputs = self._outputs({**INSTANCE.recorded(spec, registry.description), **_owned_by(owner)}, registry)
        except CreationFailed:
            raise
        except Interrupted:
            # Cancelled by the user, not failed: what was bought stays, for the next `up` to take over.
            raise _interrupted_after_purchase(spec, registry_id, owner) from None
        except Exception as exc:
            self._abandon(spec, registry_id, f"could not be finished ({type(exc).__name__}: {exc})")
        return CreateResult(registry_id, outputs)

    def _wait_until_running(self, spec: Inputs, registry_id: str) -> Registry:
        """Wait for an instance this create bought; if it cannot be finished, it is deleted (see _abandon)."""
        timeout = self.settings.create_timeout
        try:
            registry = self._wait_until_settled(spec, registry_id, timeout)
        except WaitTimedOut:
            self._abandon(
                spec,
                registry_id,
                f"was not Running after {timeout:.0f}s; raise tcr:createTimeoutSeconds if the region is slow",
            )
        if registry.status != READY_STATUS:
            self._abandon(spec, registry_id, self._failure(spec, registry))
        return registry

    def _wait_until_settled(self, spec: Inputs, registry_id: str, timeout: float) -> Registry:
        """Wait until the instance is Running or has failed for good, through any passing status."""

        def settled(registry: Registry | None) -> bool:
            return registry is None or registry.status == READY_STATUS or registry.status in CREATE_FAILED_STATUSES

        deadline = time.monotonic() + timeout
        while True:
            registry = self.cloud.wait_for(
                spec.region,
                registry_id,
                settled,
                timeout=max(deadline - time.monotonic(), 0.0),
                activity=f"{spec.name} ({registry_id}) creating",
                progress=say,
            )
            if registry is not None:
                return registry
            # Seen as gone: believe it only once a lookup by its name agrees, so that a wrong answer of the
            # batched poll never abandons an instance that exists.
            found = self.cloud.find_by_name(spec.region, spec.name)
            if found is None or found.registry_id != registry_id:
                raise RegistryVanished(f"{spec.name} ({registry_id})", "created", "run `pulumi up` again")
            if found.status == READY_STATUS or found.status in CREATE_FAILED_STATUSES:
                return found

    def _failure(self, spec: Inputs, registry: Registry) -> str:
        reason = self.cloud.failure_reason(spec.region, registry.registry_id)
        kind = "failed" if registry.status in FAILED_STATUSES else "stopped"
        return f"{kind} with status {registry.status}: {reason}"

    def _abandon(self, spec: Inputs, registry_id: str, what_happened: str) -> NoReturn:
        """Delete an instance this create made but cannot finish, then raise: nothing is left untracked."""
        registry = f"{spec.name} ({registry_id})"
        try:
            self.cloud.delete(spec.region, registry_id, delete_bucket=True)
            try:
                self.cloud.wait_for(
                    spec.region,
                    registry_id,
                    lambda r: r is None,
                    timeout=min(self.settings.delete_timeout, _CLEANUP_WAIT_SECONDS),
                    activity=f"{registry} cleaning up",
                    progress=say,
                )
                cleanup, cleaned_up = (
                    "it was deleted (with its new, empty COS bucket), so nothing is left behind.",
                    True,
                )
            except (WaitTimedOut, Interrupted):
                cleanup, cleaned_up = "its deletion was requested and is still running.", True
        except ApiError as exc:
            cleanup = (
                f"Deleting it failed too ({exc}): delete {registry_id} in the console, or set adopt_existing=True "
                "to take it over"
            )
            cleaned_up = False
        raise CreationFailed(registry, what_happened, cleanup, cleaned_up)

    def _adopt(self, spec: Inputs, existing: Registry, owner: Owner | None) -> dict[str, Any]:
        """Take over an existing instance: settings chosen at purchase must match; the others are applied."""
        registry = f"{spec.name} ({existing.registry_id})"
        live = INSTANCE.read(existing.description)
        clashes = [
            f"{field.key} is {live[field.key]!r} there but {spec[field.key]!r} here"
            for field in INSTANCE.fields
            if field.change in (Change.REPLACE, Change.REPLACE_DELETE_FIRST)
            and field.key in live
            and field.key in spec
            and live[field.key] != spec[field.key]
        ]
        if clashes:
            raise AdoptRefused(
                registry,
                "cannot be taken over because settings that can only be chosen at purchase differ: "
                f"{'; '.join(clashes)}. Change the program to match the instance.",
                clashes,
            )
        if existing.status in DELETING_STATUSES:
            raise AdoptRefused(
                registry,
                "is being deleted and cannot be taken over; run `pulumi up` again once it is gone, and a new one "
                "is created",
            )
        say(f"{spec.name}: adopting existing instance {existing.registry_id}")
        if existing.status in CREATING_STATUSES:
            try:
                existing = self._wait_until_settled(spec, existing.registry_id, self.settings.create_timeout)
            except WaitTimedOut:
                raise AdoptRefused(
                    registry, "was still being created at the create timeout; run `pulumi up` again later"
                ) from None
        if existing.status != READY_STATUS:
            # Never delete an instance that was not bought by this create: report and leave it.
            raise AdoptRefused(registry, f"{self._failure(spec, existing)}; it was left as it is")
        if owner is not None and not owner.marks(existing.description):
            # Adopted, it is this resource's from now on: a later interrupted run recognises it.
            self.cloud.retag(spec.region, existing.registry_id, {OWNER_TAG_KEY: owner.marker}, [])
        current = self._converge(spec, existing.registry_id, INSTANCE.live_inputs(existing.description, spec))
        return self._outputs({**INSTANCE.recorded(spec, current.description), **_owned_by(owner)}, current)

    # --- read -------------------------------------------------------------------------------------------
    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        region = props.get("region") or self.settings.default_region
        if not region:
            raise SettingsError(
                f"reading registry {id_}: no region: pass region= to Instance.get, or set tencentcloud:region"
            )
        registry = self.cloud.read(str(region), id_)
        if registry is None:
            return ReadResult(None, {})
        if registry.status != READY_STATUS:
            # A refresh records the new status silently; a registry in Isolate is about to be reclaimed.
            say(f"warning: registry {registry.name or id_} ({id_}) is {registry.status}, not {READY_STATUS}")
        stored = {k: props.get(k) for k in INSTANCE.keys if props.get(k) is not None}
        inputs = {**INSTANCE.live_inputs(registry.description, stored), **_owned_by(Owner.from_props(props))}
        outs = self._outputs(inputs, registry, stored=props)
        return ReadResult(id_, outs, inputs)

    # --- update -----------------------------------------------------------------------------------------
    def update(self, _id: str, _olds: dict[str, Any], _news: dict[str, Any]) -> UpdateResult:
        spec = _spec(_news)
        registry = self._converge(spec, _id, _olds)
        owner = Owner.from_props(_news) or Owner.from_props(_olds)
        inputs = {**INSTANCE.recorded(spec, registry.description), **_owned_by(owner)}
        return UpdateResult(self._outputs(inputs, registry, stored=_olds))

    def _converge(self, spec: Inputs, registry_id: str, current: dict[str, Any]) -> Registry:
        """Bring the instance from `current` (state properties) to `spec` with as few calls as possible.

        Tags go through the Tag API by difference; every other in-place field through ModifyInstance, as its
        declaration says: a field that `settles` is waited for, and a field to `verify` is compared with a
        fresh read after the other writes, since they may have reset it.
        """
        cloud, region = self.cloud, spec.region
        old_tags = {k: v for k, v in (INSTANCE.effective(current, "tags") or {}).items() if not is_reserved_tag_key(k)}
        replace = {k: v for k, v in spec.tags.items() if old_tags.get(k) != v}
        cloud.retag(region, registry_id, replace, [k for k in old_tags if k not in spec.tags])

        modified = [f for f in INSTANCE.fields if f.change is Change.UPDATE and f.api.modify is not None]
        for field in (f for f in modified if not f.api.verify and f.key in spec):
            if INSTANCE.effective(current, field.key) != spec[field.key]:
                self._modify(spec, registry_id, field)
        registry = cloud.get(region, registry_id)
        for field in (f for f in modified if f.api.verify and f.key in spec):
            if registry is not None and INSTANCE.read(registry.description).get(field.key) != spec[field.key]:
                self._modify(spec, registry_id, field)
                registry = cloud.get(region, registry_id)
        if registry is None:
            raise RegistryVanished(
                f"{spec.name} ({registry_id})", "updated", "run `pulumi refresh` and then `pulumi up`"
            )
        return registry

    def _modify(self, spec: Inputs, registry_id: str, field: Field) -> None:
        api, value = field.api, spec[field.key]
        assert api.modify is not None
        self.cloud.modify(spec.region, registry_id, **{api.modify: api.encode(value) if api.encode else value})
        if not api.settles:
            return
        timeout = self.settings.update_timeout

        def applied(registry: Registry | None) -> bool:
            if registry is None:
                return True
            return INSTANCE.read(registry.description).get(field.key) == value and registry.status == READY_STATUS

        try:
            self.cloud.wait_for(
                spec.region,
                registry_id,
                applied,
                timeout=timeout,
                activity=f"{spec.name} ({registry_id}) changing {field.name} to {value}",
                progress=say,
            )
        except WaitTimedOut:
            raise WaitTimedOut(
                f"{spec.name} ({registry_id})",
                timeout,
                f"registry {spec.name} ({registry_id}) did not become {value} within {timeout:.0f}s; the change "
                "was requested and may still apply: run `pulumi refresh` later, or raise tcr:updateTimeoutSeconds",
            ) from None
        except Interrupted:
            raise Interrupted(
                f"{spec.name} ({registry_id})",
                f"registry {spec.name} ({registry_id}): interrupted while {field.name} was changing to {value}; the "
                "change was requested and may still apply. The next `pulumi up` finishes it",
            ) from None

    # --- delete -----------------------------------------------------------------------------------------
    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        name = _props.get("name") or _id
        region = str(_props.get("region") or self.settings.default_region)
        cloud = self.cloud
        registry = cloud.get(region, _id)
        if registry is None:
            return
        if INSTANCE.read(registry.description).get("deletionProtection"):
            raise DeletionProtected(f"{name} ({_id})")
        if registry.status not in DELETING_STATUSES:
            cloud.delete(region, _id, delete_bucket=bool(INSTANCE.effective(_props, "deleteBucket")))
        timeout = self.settings.delete_timeout
        try:
            cloud.wait_for(
                region,
                _id,
                lambda r: r is None,
                timeout=timeout,
                activity=f"{name} ({_id}) deleting",
                progress=say,
            )
        except WaitTimedOut:
            raise WaitTimedOut(
                f"{name} ({_id})",
                timeout,
                f"registry {name} ({_id}) was still being deleted after {timeout:.0f}s; it stays in the stack: "
                "run `pulumi destroy` (or `pulumi up`) again later, or raise tcr:deleteTimeoutSeconds",
            ) from None
        except Interrupted:
            raise Interrupted(
                f"{name} ({_id})",
                f"registry {name} ({_id}): interrupted while it was being deleted. The deletion was requested and "
                "goes on; the registry stays in the stack until the next `pulumi destroy` (or `pulumi up`) finds "
                "it gone",
            ) from None

    # --- outputs ----------------------------------------------------------------------------------------
    def _outputs(
        self, inputs: dict[str, Any], registry: Registry, stored: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        name = registry.name or inputs["name"]
        bucket, bucket_region = self._bucket(name, registry.region or inputs["region"], registry, stored or {})
        outputs = {
            "registryId": registry.registry_id,
            "status": registry.status,
            "domain": registry.public_domain or f"{name}.tencentcloudcr.com",
            "vpcDomain": f"{name}-vpc.tencentcloudcr.com",
            "internalEndpoint": registry.internal_endpoint,
            "cosBucket": bucket,
            "cosBucketRegion": bucket_region,
            "regionId": registry.region_id,
            "createdAt": registry.created_at,
            "expiredAt": registry.expired_at,
        }
        assert set(outputs) == set(OUTPUT_KEYS)
        return {**inputs, **outputs}

    def _bucket(self, name: str, region: str, registry: Registry, stored: Mapping[str, Any]) -> tuple[str, str]:
        """The COS bucket and its region: kept from the state once confirmed, else asked of COS; never guessed.

        A refresh therefore costs no COS call once the bucket is known, and a state that could not confirm it
        asks again, so a permission granted later fills it in.
        """
        known = stored.get("cosBucket")
        if isinstance(known, str) and known.startswith(f"{registry.registry_id}-"):
            return known, str(stored.get("cosBucketRegion") or region)
        found = self.cloud.buckets.find(region, registry.registry_id)
        if not found.confirmed:
            say(f"warning: {name} ({registry.registry_id}): cosBucket is left empty: {found.reason}")
        return found.bucket, found.region


def _interrupted_while_buying(spec: Inputs, owner: Owner | None) -> Interrupted:
    """CreateInstance was interrupted: unsent, or sent with its answer lost and not yet recovered."""
    after = (
        "the instance carries this resource's ownership marker, and the next `pulumi up` takes it over"
        if owner is not None
        else "set adopt_existing=True and run `pulumi up` to take it over"
    )
    return Interrupted(
        spec.name,
        f"registry {spec.name}: interrupted while it was being bought. If the purchase went through, {after}; "
        "if not, the next `pulumi up` buys it",
    )


def _interrupted_after_purchase(spec: Inputs, registry_id: str, owner: Owner | None) -> Interrupted:
    registry = f"{spec.name} ({registry_id})"
    after = (
        "it carries this resource's ownership marker, and the next `pulumi up` takes it over"
        if owner is not None
        else f"to keep it, set adopt_existing=True and run `pulumi up`; to drop it, delete {registry_id} in the console"
    )
    return Interrupted(
        registry,
        f"registry {registry} was bought, but the operation was interrupted before it was ready. It was not "
        f"deleted: {after}",
    )


def _owned_by(owner: Owner | None) -> dict[str, Any]:
    """The ownership property as state keeps it, in inputs and outputs alike, so a refresh never drops it."""
    return {} if owner is None else {OWNER_PROPERTY: owner.to_property()}


def _with_owner_tag(params: dict[str, Any], owner: Owner | None) -> dict[str, Any]:
    if owner is None:
        return params
    tags = params.setdefault("TagSpecification", {"ResourceType": "instance", "Tags": []})
    tags["Tags"] = [*tags["Tags"], {"Key": OWNER_TAG_KEY, "Value": owner.marker}]
    return params


def _spec(props: dict[str, Any]) -> Inputs:
    spec, failures = validate_inputs({k: v for k, v in props.items() if k in INSTANCE.by_key})
    if spec is None:
        raise InvalidInputs(str(props.get("name") or "(unnamed)"), [f.reason for f in failures])
    return spec
