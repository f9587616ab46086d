"""TCR Enterprise's state: instances, their lifecycle, their COS bucket, and what hangs off each instance.

Plain state, and every status computed from timestamps when asked, so nothing runs in the background.

Lifecycle, with the emulator's ``--create-seconds`` C, ``--delete-seconds`` D and ``--modify-seconds`` M:

- CreateInstance: ``Pending`` for the first third of C, ``Deploying`` for the rest, then ``Running`` (or
  the status a ``final_status`` fault rule names; DescribeInstanceStatus then gives its Reason).
- ModifyInstance: a RegistryType change shows after M (until then DescribeInstances reports the old
  type); DeletionProtection and EnableCosVersioning change at once. Refused while the instance is being
  created or deleted (``ResourceInsufficient.ErrorInstanceNotRunning``). Omitted fields stay as they are.
- DeleteInstance: ``OperationDenied`` while deletion protection is on; ``FailedOperation.PreconditionFailed``
  while the instance has namespaces; ``ResourceInsufficient.ErrorVpcDnsStatus`` while it has private DNS
  records; ``FailedOperation.PreconditionFailed`` while VPCs are attached (checked in that order). Otherwise
  the instance is listed as ``Deleting`` for D, keeping its name, then it is gone with its tags, tokens and
  everything else under it (and its bucket if DeleteBucket). Deleting an instance already ``Deleting``
  succeeds and changes nothing; an unknown or gone id (or one in another region) is ``ResourceNotFound``.
  DryRun checks the same rules and changes nothing.
- ManageExternalEndpoint: ``Opening`` (or ``Deleting`` when closing) for M, then ``Opened`` / ``Closed``;
  needs a ``Running`` instance.

What hangs off an instance is plain state on it, each kind in its own module with the actions over it:
:mod:`.network` (VPC attachments, private DNS), :mod:`.public_access` (the external endpoint's allowlist),
:mod:`.namespaces` (namespaces, repositories) and :mod:`.tokens` (access tokens). This module imports them and
they never import it: they see an :class:`Instance` and the :class:`TcrBackend` only through the protocols of
:mod:`.instance_view`, which both satisfy without naming them.

The emulator's reading, not confirmed by a source: which of DeleteInstance's refusals comes first, and that
attached VPCs refuse it with ``FailedOperation.PreconditionFailed``.
"""

from __future__ import annotations

import calendar
import hashlib
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from ... import rules
from ...errors import (
    FailedOperation,
    InvalidParameter,
    InvalidParameterValue,
    OperationDenied,
    ResourceInsufficient,
)
from ...rules import NameProblem
from ..base import Account, Timings
from ..cos.model import BucketStore
from ..tag.model import ResourceKey, TagStore
from .instance_view import InstanceView, UnknownInstance
from .namespaces import Namespaces
from .network import Network, record_domain
from .public_access import ExternalEndpoint
from .tokens import Tokens

CHINA_TIME = timezone(timedelta(hours=8), "CST")
"""TCR reports times in UTC+8 whatever the region."""


@dataclass(frozen=True)
class Charge:
    pay_mod: int
    renew_flag: int = 0
    period_months: int = 0


@dataclass
class Instance:
    registry_id: str
    name: str
    region: str
    registry_type: str
    charge: Charge
    created_at: datetime
    deletion_protection: bool
    enable_cos_maz: bool
    enable_cos_versioning: bool
    deploying_from: float
    settles_at: float
    settled_status: str
    passing_status: str | None = None
    passes_until: float = 0.0
    pending_type: str | None = None
    type_changes_at: float = 0.0
    deleting_until: float | None = None
    delete_bucket: bool = False
    external_endpoint: ExternalEndpoint = field(default_factory=ExternalEndpoint)
    network: Network = field(default_factory=Network)
    namespaces: Namespaces = field(default_factory=Namespaces)
    tokens: Tokens = field(default_factory=Tokens)

    @property
    def public_domain(self) -> str:
        return f"{self.name}.{rules.DOMAIN_SUFFIX}"

    @property
    def vpc_domain(self) -> str:
        return f"{self.name}{rules.VPC_DOMAIN_LABEL_SUFFIX}.{rules.DOMAIN_SUFFIX}"

    @property
    def tag_resource(self) -> ResourceKey:
        return ResourceKey("tcr", self.region, "instance", self.registry_id)

    def status(self, now: float) -> str:
        if self.deleting_until is not None:
            return rules.DELETING_STATUS
        if now < self.deploying_from:
            return "Pending"
        if now < self.settles_at:
            return "Deploying"
        if self.passing_status is not None and now < self.passes_until:
            return self.passing_status
        return self.settled_status

    def is_gone(self, now: float) -> bool:
        return self.deleting_until is not None and now >= self.deleting_until

    def type_at(self, now: float) -> str:
        if self.pending_type is not None and now >= self.type_changes_at:
            return self.pending_type
        return self.registry_type

    @property
    def expired_at(self) -> datetime | None:
        if self.charge.pay_mod == 0:
            return None
        return _add_months(self.created_at, self.charge.period_months)

    @property
    def internal_endpoint(self) -> str:
        # Stable per instance, and plainly an address inside a VPC.
        digest = hashlib.sha256(self.registry_id.encode()).digest()
        return f"10.{digest[0]}.{digest[1]}.{digest[2] % 254 + 1}"


class TcrBackend:
    """The account's TCR instances in every region; ids and names are unique across regions."""

    def __init__(
        self,
        account: Account,
        timings: Timings,
        tags: TagStore,
        buckets: BucketStore,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.account = account
        self.timings = timings
        self.tags = tags
        self.buckets = buckets
        self.clock = clock
        self.wall_clock = wall_clock
        """Unix time, for what the API reports as a date or a timestamp (token expiry)."""
        self._instances: dict[str, Instance] = {}

    # --- reads ---

    def advance(self) -> float:
        """Bring the state up to the present (instances whose deletion has run its course go, with everything
        under them; detached VPCs, deleted DNS records, a closed endpoint's allowlist and expired temporary
        tokens go) and return it."""
        now, now_ms = self.clock(), self.wall_ms()
        for instance in [i for i in self._instances.values() if i.is_gone(now)]:
            del self._instances[instance.registry_id]
            self.tags.forget(instance.tag_resource)
            if instance.delete_bucket:
                self.buckets.discard(self.bucket_name(instance))
        for instance in self._instances.values():
            instance.network.settle(now)
            instance.external_endpoint.settle(now)
            instance.tokens.settle(now_ms)
        return now

    def wall_now(self) -> datetime:
        return datetime.fromtimestamp(self.wall_clock(), CHINA_TIME).replace(microsecond=0)

    def wall_ms(self) -> int:
        return int(self.wall_clock() * 1000)

    def instances(self, region: str | None = None) -> list[Instance]:
        """Every instance in ``region`` (``None``: all regions), oldest first."""
        self.advance()
        return [i for i in self._instances.values() if region is None or i.region == region]

    def get(self, region: str, registry_id: str) -> Instance:
        self.advance()
        instance = self._instances.get(registry_id)
        if instance is None or instance.region != region:
            raise UnknownInstance(f"The instance {registry_id} does not exist in {region}.")
        return instance

    def require_running(self, instance: InstanceView) -> None:
        status = instance.status(self.advance())
        if status != "Running":
            raise ResourceInsufficient(
                f"The instance {instance.registry_id} is {status}, not Running.", sub="ErrorInstanceNotRunning"
            )

    def by_domain(self, domain: str) -> Instance | None:
        """The instance one of whose domains is ``domain``; a public domain wins over a VPC domain, since
        ``a-vpc.tencentcloudcr.com`` is the public domain of ``a-vpc`` and the VPC domain of ``a``."""
        instances = self.instances()
        return next((i for i in instances if i.public_domain == domain), None) or next(
            (i for i in instances if i.vpc_domain == domain), None
        )

    def bucket_name(self, instance: Instance) -> str:
        return f"{instance.registry_id}-{self.account.app_id}"

    def name_problem(self, name: str) -> NameProblem | None:
        problem = rules.name_problem(name)
        if problem is None and any(i.name == name for i in self.instances()):
            return NameProblem.TAKEN
        return problem

    # --- changes ---

    def create_instance(
        self,
        region: str,
        name: str,
        registry_type: str,
        tags: dict[str, str],
        charge: Charge,
        *,
        enable_cos_maz: bool,
        deletion_protection: bool,
        enable_cos_versioning: bool,
        final_status: str | None,
        passing_status: str | None = None,
    ) -> Instance:
        check_region(region)
        match self.name_problem(name):
            case NameProblem.ILLEGAL:
                raise InvalidParameter(
                    f"The instance name {name!r} is not allowed: use {rules.name_rules_text()}.", sub="ErrorNameIllegal"
                )
            case NameProblem.RESERVED:
                raise InvalidParameter(f"The instance name {name!r} is reserved.", sub="ErrorNameReserved")
            case NameProblem.TAKEN:
                raise InvalidParameter(
                    f"The instance name {name!r} is already taken; names are unique across all regions.",
                    sub="ErrorNameExists",
                )
        check_registry_type(registry_type)
        check_instance_tags(tags)
        now = self.advance()
        instance = Instance(
            registry_id=self._new_registry_id(),
            name=name,
            region=region,
            registry_type=registry_type,
            charge=charge,
            created_at=self.wall_now(),
            deletion_protection=deletion_protection,
            enable_cos_maz=enable_cos_maz,
            enable_cos_versioning=enable_cos_versioning,
            deploying_from=now + self.timings.create_seconds * rules.PENDING_SHARE,
            settles_at=now + self.timings.create_seconds,
            settled_status=final_status or "Running",
            passing_status=passing_status,
            passes_until=now + self.timings.create_seconds + max(self.timings.create_seconds, rules.PASSING_SECONDS),
        )
        self._instances[instance.registry_id] = instance
        self.buckets.create(self.bucket_name(instance), instance.region)
        if tags:
            self.tags.put(instance.tag_resource, tags)
        return instance

    def modify_instance(
        self,
        region: str,
        registry_id: str,
        *,
        registry_type: str | None,
        deletion_protection: bool | None,
        enable_cos_versioning: bool | None,
    ) -> None:
        instance = self.get(region, registry_id)
        now = self.advance()
        status = instance.status(now)
        if status in rules.CREATING_STATUSES or status == rules.DELETING_STATUS:
            raise ResourceInsufficient(
                f"The instance {registry_id} is {status}; modify it once it has settled.",
                sub="ErrorInstanceNotRunning",
            )
        if registry_type is not None:
            check_registry_type(registry_type)
            instance.registry_type = instance.type_at(now)
            instance.pending_type = registry_type if registry_type != instance.registry_type else None
            instance.type_changes_at = now + self.timings.modify_seconds
        if deletion_protection is not None:
            instance.deletion_protection = deletion_protection
        if enable_cos_versioning is not None:
            instance.enable_cos_versioning = enable_cos_versioning

    def delete_instance(self, region: str, registry_id: str, *, delete_bucket: bool, dry_run: bool) -> None:
        instance = self.get(region, registry_id)
        if instance.deleting_until is not None:
            return
        if instance.deletion_protection:
            raise OperationDenied(
                f"Deletion protection is on for the instance {registry_id}: turn it off with ModifyInstance "
                "(DeletionProtection=false), then delete it."
            )
        check_nothing_left(instance)
        if dry_run:
            return
        instance.deleting_until = self.advance() + self.timings.delete_seconds
        instance.delete_bucket = delete_bucket
        self.advance()  # with --delete-seconds 0 the instance is gone before the call returns

    def manage_external_endpoint(self, region: str, registry_id: str, operation: str) -> None:
        if operation not in rules.EXTERNAL_ENDPOINT_OPERATIONS:
            raise InvalidParameterValue(
                f"Operation must be one of {', '.join(rules.EXTERNAL_ENDPOINT_OPERATIONS)}, not {operation!r}."
            )
        instance = self.get(region, registry_id)
        self.require_running(instance)
        now = self.advance()
        endpoint = instance.external_endpoint
        opened = operation == "Create"
        if endpoint.opened != opened:
            endpoint.opened = opened
            endpoint.settles_at = now + self.timings.modify_seconds
            self.advance()  # with --modify-seconds 0 a closed endpoint drops its allowlist at once

    def _new_registry_id(self) -> str:
        while True:
            suffix = "".join(random.choices(rules.REGISTRY_ID_ALPHABET, k=rules.REGISTRY_ID_LENGTH))
            registry_id = rules.REGISTRY_ID_PREFIX + suffix
            if registry_id not in self._instances:
                return registry_id


def check_nothing_left(instance: Instance) -> None:
    """Refuse to delete an instance that still holds namespaces, private DNS records or VPC attachments."""
    registry_id = instance.registry_id
    if names := list(instance.namespaces.by_name):
        raise FailedOperation(
            f"The instance {registry_id} still has the namespaces {', '.join(names)}: delete its namespaces and "
            "repositories first (DeleteRepository, DeleteNamespace), then the instance.",
            sub="PreconditionFailed",
        )
    if records := list(instance.network.dns_records.values()):
        described = ", ".join(f"{record_domain(instance, r)} in {r.vpc_id}" for r in records)
        raise ResourceInsufficient(
            f"The instance {registry_id} still has private DNS records ({described}): delete them with "
            "DeleteInternalEndpointDns first.",
            sub="ErrorVpcDnsStatus",
        )
    if vpcs := sorted({vpc_id for vpc_id, _ in instance.network.attachments}):
        raise FailedOperation(
            f"The instance {registry_id} is still attached to the VPCs {', '.join(vpcs)}: detach them with "
            "ManageInternalEndpoint (Operation=Delete) first.",
            sub="PreconditionFailed",
        )


def check_region(region: str) -> None:
    if region not in rules.REGION_IDS:
        raise InvalidParameter(
            f"TCR Enterprise is not available in the region {region!r}; use one of: {', '.join(rules.REGION_IDS)}.",
            sub="UnsupportedRegion",
        )


def check_registry_type(registry_type: str) -> None:
    if registry_type not in rules.REGISTRY_TYPES:
        raise InvalidParameterValue(
            f"RegistryType must be one of {', '.join(rules.REGISTRY_TYPES)}, not {registry_type!r}."
        )


def check_instance_tags(tags: dict[str, str]) -> None:
    if len(tags) > rules.MAX_INSTANCE_TAGS:
        raise InvalidParameter(
            f"An instance takes at most {rules.MAX_INSTANCE_TAGS} tags, not {len(tags)}.", sub="ErrorTagOverLimit"
        )
    for key, value in tags.items():
        if problem := rules.tag_problem(key, value):
            raise InvalidParameter(f"The tag {key!r}: {problem.value}.")


def _add_months(moment: datetime, months: int) -> datetime:
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)
