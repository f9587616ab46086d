"""TCR's actions: read the parameters, call the backends, shape the reply.

The instance actions are here; the actions on what hangs off an instance are in :mod:`.api_network`,
:mod:`.api_namespaces` and :mod:`.api_tokens`, which :class:`TcrApi` takes in as mixins: one API, one version.
"""

from __future__ import annotations

from collections.abc import Iterable

from ... import rules
from ...errors import ApiError, InvalidParameterValue, MissingParameter, ResourceNotFound
from ...rules import NameProblem
from ...schema import ListOf, Params, optional, required
from ..base import CallContext, Reply, Service, action, struct
from .api_namespaces import NamespaceActions, namespaces_state
from .api_network import NetworkActions, network_state
from .api_tokens import TokenActions, tokens_state
from .instance_view import UnknownInstance
from .model import Charge, Instance, TcrBackend, check_region
from .namespaces import NamespaceBackend
from .network import NetworkBackend
from .public_access import PublicAccessBackend
from .shapes import TAG_SPECIFICATION, tag_specification, tag_specification_reply
from .tokens import TokenBackend

_NAME_DETAIL_CODES = {None: 0, NameProblem.ILLEGAL: 1, NameProblem.RESERVED: 2, NameProblem.TAKEN: 3}


class TcrApi(NetworkActions, NamespaceActions, TokenActions, Service):
    name = "tcr"
    version = "2019-09-24"
    regional = True

    def __init__(self, backend: TcrBackend) -> None:
        self.backend = backend
        self.network = NetworkBackend(backend)
        self.public_access = PublicAccessBackend(backend)
        self.namespaces = NamespaceBackend(backend)
        self.tokens = TokenBackend(backend)

    def admit(self, context: CallContext) -> None:
        check_region(context.region)

    def answer_for(self, action: str, error: ApiError) -> ApiError:
        if isinstance(error, UnknownInstance) and action in rules.UNKNOWN_INSTANCE_IS_INTERNAL_ERROR:
            return ApiError(f"An internal error occurred ({action}): {error.message}")
        return error

    @action(
        "CreateInstance",
        RegistryName=required(str),
        RegistryType=required(str),
        TagSpecification=optional(TAG_SPECIFICATION),
        RegistryChargeType=optional(int),
        RegistryChargePrepaid=optional(struct(Period=required(int), RenewFlag=optional(int))),
        # SyncTag copies the instance's tags to its COS bucket; the emulator serves no bucket tags, so it is
        # accepted and changes nothing.
        SyncTag=optional(bool),
        EnableCosMAZ=optional(bool),
        DeletionProtection=optional(bool),
        EnableCosVersioning=optional(bool),
    )
    def create_instance(self, context: CallContext, params: Params) -> Reply:
        versioning = params.optional_flag("EnableCosVersioning")
        if versioning is None:
            # Left out, the service decides: premium instances get a versioned bucket (the Terraform
            # provider's documentation of enable_cos_versioning).
            versioning = params.text("RegistryType") == rules.PREMIUM_TYPE
        instance = self.backend.create_instance(
            context.region,
            params.text("RegistryName"),
            params.text("RegistryType"),
            tag_specification(params.record("TagSpecification"), "instance") or {},
            _charge(params),
            enable_cos_maz=params.flag("EnableCosMAZ"),
            deletion_protection=params.flag("DeletionProtection"),
            enable_cos_versioning=versioning,
            final_status=context.behaviour.final_status,
            passing_status=context.behaviour.passing_status,
        )
        return {"RegistryId": instance.registry_id}

    @action(
        "DescribeInstances",
        Registryids=optional(ListOf(str)),
        Offset=optional(int),
        Limit=optional(int),
        Filters=optional(ListOf(struct(Name=required(str), Values=required(ListOf(str))))),
        AllRegion=optional(bool),
    )
    def describe_instances(self, context: CallContext, params: Params) -> Reply:
        offset = params.integer("Offset", 0)
        limit = params.integer("Limit", rules.DESCRIBE_DEFAULT_LIMIT)
        if offset < 0 or not 1 <= limit <= rules.DESCRIBE_MAX_LIMIT:
            raise InvalidParameterValue(f"Offset must be 0 or more and Limit 1 to {rules.DESCRIBE_MAX_LIMIT}.")
        found = self.backend.instances(None if params.flag("AllRegion") else context.region)
        if ids := params.texts("Registryids"):  # an empty list asks for every instance
            found = [i for i in found if i.registry_id in ids]
            unknown = sorted(set(ids) - {i.registry_id for i in found})
            if unknown and context.behaviour.unknown_id_not_found:
                raise ResourceNotFound(f"The instance {unknown[0]} does not exist in {context.region}.")
        for instance_filter in params.records("Filters") or []:
            if instance_filter.text("Name") not in rules.INSTANCE_FILTERS:
                raise InvalidParameterValue(
                    f"Filters.Name must be one of {', '.join(rules.INSTANCE_FILTERS)}, "
                    f"not {instance_filter.text('Name')!r}."
                )
            names = instance_filter.texts("Values") or []
            found = [i for i in found if i.name in names]
        return {
            "TotalCount": len(found),
            "Registries": self.registries(found[offset : offset + limit]),
        }

    @action("DescribeInstanceStatus", RegistryIds=required(ListOf(str)))
    def describe_instance_status(self, context: CallContext, params: Params) -> Reply:
        ids = params.texts("RegistryIds") or []
        now = self.backend.advance()
        return {
            "RegistryStatusSet": [
                {
                    "RegistryId": instance.registry_id,
                    "Status": instance.status(now),
                    "Conditions": [_ready_condition(instance, now)],
                }
                for instance in self.backend.instances(context.region)
                if instance.registry_id in ids
            ]
        }

    @action(
        "ModifyInstance",
        RegistryId=required(str),
        RegistryType=optional(str),
        DeletionProtection=optional(bool),
        EnableCosVersioning=optional(bool),
    )
    def modify_instance(self, context: CallContext, params: Params) -> Reply:
        self.backend.modify_instance(
            context.region,
            params.text("RegistryId"),
            registry_type=params.optional_text("RegistryType"),
            deletion_protection=params.optional_flag("DeletionProtection"),
            enable_cos_versioning=params.optional_flag("EnableCosVersioning"),
        )
        return {}

    @action("DeleteInstance", RegistryId=required(str), DeleteBucket=optional(bool), DryRun=optional(bool))
    def delete_instance(self, context: CallContext, params: Params) -> Reply:
        self.backend.delete_instance(
            context.region,
            params.text("RegistryId"),
            delete_bucket=params.flag("DeleteBucket"),
            dry_run=params.flag("DryRun"),
        )
        return {}

    @action("CheckInstanceName", RegistryName=required(str))
    def check_instance_name(self, context: CallContext, params: Params) -> Reply:
        problem = self.backend.name_problem(params.text("RegistryName"))
        return {"IsValidated": problem is None, "DetailCode": _NAME_DETAIL_CODES[problem]}

    def registries(self, instances: Iterable[Instance]) -> list[dict[str, object]]:
        """Instances as DescribeInstances' ``Registry`` objects."""
        now = self.backend.advance()
        return [self._registry(instance, now) for instance in instances]

    def neighbours(self, instances: Iterable[Instance]) -> dict[str, dict[str, object]]:
        """What hangs off each instance, by registry id, as ``GET /_emulator/state`` shows it (never a token's
        secret)."""
        now = self.backend.advance()
        return {
            instance.registry_id: {
                **network_state(instance, now),
                "namespaces": namespaces_state(instance),
                "tokens": tokens_state(instance),
            }
            for instance in instances
        }

    def _registry(self, instance: Instance, now: float) -> dict[str, object]:
        tags = self.backend.tags.tags_of(instance.tag_resource)
        expired_at = instance.expired_at
        return {
            "RegistryId": instance.registry_id,
            "RegistryName": instance.name,
            "RegistryType": instance.type_at(now),
            "Status": instance.status(now),
            "PublicDomain": instance.public_domain,
            "CreatedAt": instance.created_at.isoformat(),
            "RegionName": instance.region,
            "RegionId": rules.REGION_IDS[instance.region],
            "EnableAnonymous": False,
            "TokenValidTime": rules.TOKEN_VALID_HOURS,
            "InternalEndpoint": instance.internal_endpoint,
            "TagSpecification": tag_specification_reply("instance", tags),
            "ExpiredAt": expired_at.isoformat() if expired_at else "",
            "PayMod": instance.charge.pay_mod,
            "RenewFlag": instance.charge.renew_flag,
            "DeletionProtection": instance.deletion_protection,
            "AIFeature": False,
            "EnableCosMAZ": instance.enable_cos_maz,
            "EnableCosVersioning": instance.enable_cos_versioning,
        }


def _ready_condition(instance: Instance, now: float) -> dict[str, str]:
    status = instance.status(now)
    return {
        "Type": "Ready",
        "Status": "True" if status == "Running" else "False",
        "Reason": rules.STATUS_REASONS[status],
    }


def _charge(params: Params) -> Charge:
    pay_mod = params.integer("RegistryChargeType", 0)
    if pay_mod not in rules.CHARGE_TYPES:
        raise InvalidParameterValue("RegistryChargeType must be 0 (postpaid) or 1 (prepaid).")
    if pay_mod == 0:
        return Charge(pay_mod=0)
    prepaid = params.record("RegistryChargePrepaid")
    if prepaid is None:
        raise MissingParameter("A prepaid instance (RegistryChargeType 1) needs RegistryChargePrepaid.")
    period, renew_flag = prepaid.integer("Period"), prepaid.integer("RenewFlag", 0)
    if period not in rules.PREPAID_PERIODS:
        raise InvalidParameterValue(
            f"RegistryChargePrepaid.Period must be one of {sorted(rules.PREPAID_PERIODS)} months, not {period}."
        )
    if renew_flag not in rules.RENEW_FLAGS:
        raise InvalidParameterValue("RegistryChargePrepaid.RenewFlag must be 0 (manual), 1 (auto) or 2 (none).")
    return Charge(pay_mod=1, renew_flag=renew_flag, period_months=period)
