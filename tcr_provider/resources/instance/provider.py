"""InstanceProvider: what the Instance does beyond the shared lifecycle (lifecycle.DeclaredProvider).

Check asks the API whether a new name is free and refuses a name declared twice in one stack; diff refuses to
replace a protected instance; create buys, waits until Running and takes over what an interrupted run of the
same resource bought (its ownership marker, ownership.py) or, with adopt_existing, any instance of that name;
update converges tags through the Tag API and the rest through ModifyInstance; delete waits until it is gone.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from pulumi.dynamic import CreateResult, UpdateResult

from ...cloud import (
    CREATE_FAILED_STATUSES,
    CREATING_STATUSES,
    DELETING_STATUSES,
    FAILED_STATUSES,
    READY_STATUS,
    Registry,
)
from ...errors import (
    AdoptRefused,
    ApiError,
    DeletionProtected,
    Interrupted,
    ProtectedReplacement,
    RegistryVanished,
    WaitTimedOut,
)
from ...fields import Change, Failure, Field, Inputs
from ...lifecycle import DeclaredProvider, Opened, say
from ...ownership import OWNER_PROPERTY, OWNER_TAG_KEY, Owner
from ..common import is_reserved_tag_key
from .args import INSTANCE
from .names import NameChecks

NAME_TAKEN = "InvalidParameter.ErrorNameExists"
# How long a failed creation waits for its cleanup delete before reporting.
_CLEANUP_WAIT_SECONDS = 120.0


class InstanceProvider(DeclaredProvider):
    """The dynamic provider behind `tcr_provider.Instance`. Takes no arguments and holds no credentials."""

    schema = INSTANCE

    def __init__(self) -> None:
        super().__init__()
        self._names = NameChecks()

    # --- check ------------------------------------------------------------------------------------------
    def internal(self, props: Mapping[str, Any]) -> dict[str, Any]:
        return _owned_by(Owner.from_props(props))

    def check_more(self, inputs: Inputs, olds: Mapping[str, Any], news: Mapping[str, Any]) -> list[Failure]:
        owner = Owner.from_props(news)
        taken_by_us = None if owner is None else lambda: self._bought_here(inputs, owner) is not None
        return self._names.failures(self.cloud, inputs, olds, owner, taken_by_us)

    def _bought_here(self, inputs: Inputs, owner: Owner) -> Registry | None:
        """The instance of this name in this region, if it carries this resource's ownership marker."""
        existing = self.cloud.find_by_name(inputs.region, inputs.name)
        return existing if existing is not None and owner.marks(existing.description) else None

    # --- diff -------------------------------------------------------------------------------------------
    def check_replacement(self, id_: str, olds: Mapping[str, Any], replaces: list[str]) -> None:
        if INSTANCE.effective(olds, "deletionProtection"):
            # The replacement would buy the new instance, then fail to delete the protected old one, and
            # every later `up` would fail the same way: refuse it at preview, before anything is bought.
            raise ProtectedReplacement(f"{olds.get('name') or id_} ({id_})", replaces)

    # --- create -----------------------------------------------------------------------------------------
    def create(self, props: dict[str, Any]) -> CreateResult:
        inputs = self.inputs_of(props)
        owner = Owner.from_props(props)
        cloud = self.cloud
        if inputs.adopt_existing:
            existing = cloud.find_by_name(inputs.region, inputs.name)
            if existing is not None:
                return CreateResult(existing.registry_id, self._adopt(inputs, existing, owner))
        params = _with_owner_tag(INSTANCE.create_params(inputs), owner)
        taken_over = False
        try:
            registry_id, recovered = cloud.create(
                inputs.region, inputs.name, params, owns=lambda r: owner is not None and owner.marks(r.description)
            )
        except Interrupted:
            raise _interrupted_while_buying(inputs, owner) from None
        except ApiError as exc:
            found = self._bought_here(inputs, owner) if owner and exc.code == NAME_TAKEN else None
            if found is None:
                raise
            say(
                f"{inputs.name}: {found.registry_id} was bought by an earlier, interrupted run of this resource "
                "(it carries its ownership marker); taking it over"
            )
            registry_id, recovered, taken_over = found.registry_id, False, True
        if recovered:
            say(f"{inputs.name}: the CreateInstance answer was lost; found {registry_id}, bought by this resource")
        say(f"{inputs.name}: creating {registry_id} in {inputs.region}")
        bought = self._bought(inputs, registry_id, owner)

        def finish() -> dict[str, Any]:
            registry = self._wait_until_running(inputs, registry_id, bought)
            if taken_over:  # bought by an earlier run, perhaps with other settings
                registry = self._converge(inputs, registry_id, INSTANCE.live_inputs(registry.description, inputs))
            return self._outputs({**INSTANCE.recorded(inputs, registry.description), **_owned_by(owner)}, registry)

        return CreateResult(registry_id, bought.finish(finish))

    def _bought(self, inputs: Inputs, registry_id: str, owner: Owner | None) -> Opened:
        """The instance a create bought: it ends up in the state, or deleted, or named to the user."""
        registry = f"{inputs.name} ({registry_id})"

        def delete() -> str:
            self.cloud.delete(inputs.region, registry_id, delete_bucket=True)
            try:
                self.cloud.wait_for(
                    inputs.region,
                    registry_id,
                    lambda r: r is None,
                    timeout=min(self.settings.delete_timeout, _CLEANUP_WAIT_SECONDS),
                    activity=f"{registry} cleaning up",
                    progress=say,
                )
            except (WaitTimedOut, Interrupted):
                return "its deletion was requested and is still running."
            return "it was deleted (with its new, empty COS bucket), so nothing is left behind."

        return Opened(
            what=registry,
            close=delete,
            by_hand=lambda exc: (
                f"Deleting it failed too ({exc}): delete {registry_id} in the console, or set adopt_existing=True "
                "to take it over"
            ),
            # Cancelled by the user, not failed: what was bought stays, for the next `up` to take over.
            interrupted=lambda: _interrupted_after_purchase(inputs, registry_id, owner),
        )

    def _wait_until_running(self, inputs: Inputs, registry_id: str, bought: Opened) -> Registry:
        """Wait for an instance this create bought; if it cannot be finished, it is deleted."""
        timeout = self.settings.create_timeout
        try:
            registry = self._wait_until_settled(inputs, registry_id, timeout)
        except WaitTimedOut:
            bought.abandon(
                f"was not Running after {timeout:.0f}s; raise tcr:createTimeoutSeconds if the region is slow"
            )
        if registry.status != READY_STATUS:
            bought.abandon(self._failure(inputs, registry))
        return registry

    def _wait_until_settled(self, inputs: Inputs, registry_id: str, timeout: float) -> Registry:
        """Wait until the instance is Running or has failed for good, through any passing status."""

        def settled(registry: Registry | None) -> bool:
            return registry is None or registry.status == READY_STATUS or registry.status in CREATE_FAILED_STATUSES

        deadline = time.monotonic() + timeout
        while True:
            registry = self.cloud.wait_for(
                inputs.region,
                registry_id,
                settled,
                timeout=max(deadline - time.monotonic(), 0.0),
                activity=f"{inputs.name} ({registry_id}) creating",
                progress=say,
            )
            if registry is not None:
                return registry
            # Seen as gone: believe it only once a lookup by its name agrees, so that a wrong answer of the
            # batched poll never abandons an instance that exists.
            found = self.cloud.find_by_name(inputs.region, inputs.name)
            if found is None or found.registry_id != registry_id:
                raise RegistryVanished(f"{inputs.name} ({registry_id})", "created", "run `pulumi up` again")
            if found.status == READY_STATUS or found.status in CREATE_FAILED_STATUSES:
                return found

    def _failure(self, inputs: Inputs, registry: Registry) -> str:
        reason = self.cloud.failure_reason(inputs.region, registry.registry_id)
        kind = "failed" if registry.status in FAILED_STATUSES else "stopped"
        return f"{kind} with status {registry.status}: {reason}"

    def _adopt(self, inputs: Inputs, existing: Registry, owner: Owner | None) -> dict[str, Any]:
        """Take over an existing instance: settings chosen at purchase must match; the others are applied."""
        registry = f"{inputs.name} ({existing.registry_id})"
        live = INSTANCE.read(existing.description)
        clashes = [
            f"{field.key} is {live[field.key]!r} there but {inputs[field.key]!r} here"
            for field in INSTANCE.fields
            if field.change in (Change.REPLACE, Change.REPLACE_DELETE_FIRST)
            and field.key in live
            and field.key in inputs
            and live[field.key] != inputs[field.key]
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
        say(f"{inputs.name}: adopting existing instance {existing.registry_id}")
        if existing.status in CREATING_STATUSES:
            try:
                existing = self._wait_until_settled(inputs, existing.registry_id, self.settings.create_timeout)
            except WaitTimedOut:
                raise AdoptRefused(
                    registry, "was still being created at the create timeout; run `pulumi up` again later"
                ) from None
        if existing.status != READY_STATUS:
            # Never delete an instance that was not bought by this create: report and leave it.
            raise AdoptRefused(registry, f"{self._failure(inputs, existing)}; it was left as it is")
        if owner is not None and not owner.marks(existing.description):
            # Adopted, it is this resource's from now on: a later interrupted run recognises it.
            self.cloud.retag(inputs.region, existing.registry_id, {OWNER_TAG_KEY: owner.marker}, [])
        current = self._converge(inputs, existing.registry_id, INSTANCE.live_inputs(existing.description, inputs))
        return self._outputs({**INSTANCE.recorded(inputs, current.description), **_owned_by(owner)}, current)

    # --- read -------------------------------------------------------------------------------------------
    def read_object(
        self, id_: str, stored: dict[str, Any], props: Mapping[str, Any]
    ) -> tuple[dict[str, Any], dict[str, Any]] | None:
        registry = self.cloud.read(stored["region"], id_)
        if registry is None:
            return None
        if registry.status != READY_STATUS:
            # A refresh records the new status silently; a registry in Isolate is about to be reclaimed.
            say(f"warning: registry {registry.name or id_} ({id_}) is {registry.status}, not {READY_STATUS}")
        inputs = INSTANCE.live_inputs(registry.description, stored)
        return inputs, self._output_values(inputs, registry, props)

    # --- update -----------------------------------------------------------------------------------------
    def update(self, _id: str, _olds: dict[str, Any], _news: dict[str, Any]) -> UpdateResult:
        inputs = self.inputs_of(_news)
        registry = self._converge(inputs, _id, _olds)
        owner = Owner.from_props(_news) or Owner.from_props(_olds)
        recorded = {**INSTANCE.recorded(inputs, registry.description), **_owned_by(owner)}
        return UpdateResult(self._outputs(recorded, registry, stored=_olds))

    def _converge(self, inputs: Inputs, registry_id: str, current: dict[str, Any]) -> Registry:
        """Bring the instance from `current` (state properties) to `inputs` with as few calls as possible.

        Tags go through the Tag API by difference; every other in-place field through ModifyInstance, as its
        declaration says: a field that `settles` is waited for, and a field to `verify` is compared with a
        fresh read after the other writes, since they may have reset it.
        """
        cloud, region = self.cloud, inputs.region
        old_tags = {k: v for k, v in (INSTANCE.effective(current, "tags") or {}).items() if not is_reserved_tag_key(k)}
        replace = {k: v for k, v in inputs.tags.items() if old_tags.get(k) != v}
        cloud.retag(region, registry_id, replace, [k for k in old_tags if k not in inputs.tags])

        modified = [f for f in INSTANCE.fields if f.change is Change.UPDATE and f.api.modify is not None]
        for field in (f for f in modified if not f.api.verify and f.key in inputs):
            if INSTANCE.effective(current, field.key) != inputs[field.key]:
                self._modify(inputs, registry_id, field)
        registry = cloud.get(region, registry_id)
        for field in (f for f in modified if f.api.verify and f.key in inputs):
            if registry is not None and INSTANCE.read(registry.description).get(field.key) != inputs[field.key]:
                self._modify(inputs, registry_id, field)
                registry = cloud.get(region, registry_id)
        if registry is None:
            raise RegistryVanished(
                f"{inputs.name} ({registry_id})", "updated", "run `pulumi refresh` and then `pulumi up`"
            )
        return registry

    def _modify(self, inputs: Inputs, registry_id: str, field: Field) -> None:
        api, value = field.api, inputs[field.key]
        assert api.modify is not None
        self.cloud.modify(inputs.region, registry_id, **{api.modify: api.encode(value) if api.encode else value})
        if not api.settles:
            return
        timeout = self.settings.update_timeout

        def applied(registry: Registry | None) -> bool:
            if registry is None:
                return True
            return INSTANCE.read(registry.description).get(field.key) == value and registry.status == READY_STATUS

        try:
            self.cloud.wait_for(
                inputs.region,
                registry_id,
                applied,
                timeout=timeout,
                activity=f"{inputs.name} ({registry_id}) changing {field.name} to {value}",
                progress=say,
            )
        except WaitTimedOut:
            raise WaitTimedOut(
                f"{inputs.name} ({registry_id})",
                timeout,
                f"registry {inputs.name} ({registry_id}) did not become {value} within {timeout:.0f}s; the change "
                "was requested and may still apply: run `pulumi refresh` later, or raise tcr:updateTimeoutSeconds",
            ) from None
        except Interrupted:
            raise Interrupted(
                f"{inputs.name} ({registry_id})",
                f"registry {inputs.name} ({registry_id}): interrupted while {field.name} was changing to {value}; the "
                "change was requested and may still apply. The next `pulumi up` finishes it",
            ) from None

    # --- delete -----------------------------------------------------------------------------------------
    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        name = _props.get("name") or _id
        region = self.region_of(_props, f"deleting registry {name} ({_id})")
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
        return self.outputs(inputs, self._output_values(inputs, registry, stored or {}))

    def _output_values(
        self, inputs: Mapping[str, Any], registry: Registry, stored: Mapping[str, Any]
    ) -> dict[str, Any]:
        name = registry.name or inputs["name"]
        bucket, bucket_region = self._bucket(name, registry.region or inputs["region"], registry, stored)
        return {
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


def _interrupted_while_buying(inputs: Inputs, owner: Owner | None) -> Interrupted:
    """CreateInstance was interrupted: unsent, or sent with its answer lost and not yet recovered."""
    after = (
        "the instance carries this resource's ownership marker, and the next `pulumi up` takes it over"
        if owner is not None
        else "set adopt_existing=True and run `pulumi up` to take it over"
    )
    return Interrupted(
        inputs.name,
        f"registry {inputs.name}: interrupted while it was being bought. If the purchase went through, {after}; "
        "if not, the next `pulumi up` buys it",
    )


def _interrupted_after_purchase(inputs: Inputs, registry_id: str, owner: Owner | None) -> Interrupted:
    registry = f"{inputs.name} ({registry_id})"
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
