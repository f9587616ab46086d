"""The Instance resource's inputs and outputs, and every validation rule, in one place.

Property keys in Pulumi state are camelCase (`instanceType`); Python attributes are snake_case. The
pydantic model `InstanceSpec` holds validated inputs; `FIELDS` says how a change of each input is applied.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pulumi.output import Unknown
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictStr,
    TypeAdapter,
    ValidationError,
    model_validator,
)
from pydantic.alias_generators import to_camel

# Pulumi's marker for a value not known until apply, as it travels on the wire (pulumi.runtime.rpc.UNKNOWN);
# the dynamic provider server hands such values to check and diff as `pulumi.output.Unknown` objects.
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"

# --- Names -------------------------------------------------------------------------------------------
# The API publishes no length limits; CheckInstanceName stays the authority, so these only catch what
# can never be valid before an API call is made.
NAME_MIN_LENGTH = 5
NAME_MAX_LENGTH = 50
NAME_PATTERN = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$")

# --- Regions -----------------------------------------------------------------------------------------
TCR_REGIONS: frozenset[str] = frozenset(
    {
        "ap-bangkok", "ap-beijing", "ap-chengdu", "ap-chongqing", "ap-guangzhou", "ap-hongkong",
        "ap-jakarta", "ap-mumbai", "ap-nanjing", "ap-seoul", "ap-shanghai", "ap-shanghai-fsi",
        "ap-shenzhen-fsi", "ap-singapore", "ap-tokyo", "eu-frankfurt", "na-ashburn",
        "na-siliconvalley", "sa-saopaulo",
    }
)  # fmt: skip

# --- Tags --------------------------------------------------------------------------------------------
MAX_TAGS = 10
TAG_KEY_MAX_LENGTH = 127
TAG_VALUE_MAX_LENGTH = 255
# Keys the Tag service keeps for itself; they are never the user's to set, and never shown as drift.
RESERVED_TAG_KEY_PREFIXES = ("qcloud", "tencent", "project")

# --- Billing -----------------------------------------------------------------------------------------
PREPAID_PERIODS = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 24, 36)
CHARGE_TYPE_CODES = {"postpaid": 0, "prepaid": 1}
RENEW_FLAG_CODES = {"manual": 0, "auto": 1, "none": 2}

InstanceType = Literal["basic", "standard", "premium"]
ChargeType = Literal["postpaid", "prepaid"]
RenewFlag = Literal["manual", "auto", "none"]


def is_reserved_tag_key(key: str) -> bool:
    return key.lower().startswith(RESERVED_TAG_KEY_PREFIXES)


def _check_name(name: str) -> str:
    if not NAME_MIN_LENGTH <= len(name) <= NAME_MAX_LENGTH:
        raise ValueError(f"must be {NAME_MIN_LENGTH} to {NAME_MAX_LENGTH} characters long (got {len(name)}: {name!r})")
    if not NAME_PATTERN.match(name):
        raise ValueError(
            f"{name!r} is not allowed: use only lower-case letters, digits and '-', starting and ending "
            "with a letter or digit (it becomes the domain <name>.tencentcloudcr.com)"
        )
    return name


def _check_region(region: str) -> str:
    if region not in TCR_REGIONS:
        raise ValueError(
            f"{region!r} is not a region that serves TCR Enterprise; choose one of {', '.join(sorted(TCR_REGIONS))}"
        )
    return region


def _check_tags(tags: dict[str, str]) -> dict[str, str]:
    if len(tags) > MAX_TAGS:
        raise ValueError(f"has {len(tags)} tags; an instance takes at most {MAX_TAGS}: remove some")
    for key, value in tags.items():
        if not key.strip():
            raise ValueError("has an empty tag key: give every tag a non-empty key")
        if len(key) > TAG_KEY_MAX_LENGTH:
            raise ValueError(f"tag key {key[:20]!r}... is longer than {TAG_KEY_MAX_LENGTH} characters")
        if is_reserved_tag_key(key):
            raise ValueError(
                f"tag key {key!r} starts with a prefix the Tag service reserves "
                f"({', '.join(RESERVED_TAG_KEY_PREFIXES)}): choose another key"
            )
        if len(value) > TAG_VALUE_MAX_LENGTH:
            raise ValueError(
                f"the value of tag {key!r} is {len(value)} characters long; at most {TAG_VALUE_MAX_LENGTH}"
            )
    return tags


RegistryName = Annotated[StrictStr, AfterValidator(_check_name)]
Region = Annotated[StrictStr, AfterValidator(_check_region)]
TagSet = Annotated[dict[StrictStr, StrictStr], AfterValidator(_check_tags)]


class InstanceSpec(BaseModel):
    """Validated inputs of one Instance, with every default resolved."""

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="forbid", frozen=True, strict=False
    )

    name: RegistryName
    region: Region
    instance_type: InstanceType = "basic"
    tags: TagSet = Field(default_factory=dict)
    deletion_protection: bool = False
    delete_bucket: bool = False
    charge_type: ChargeType = "postpaid"
    prepaid_period: int | None = None
    renew_flag: RenewFlag = "manual"
    enable_cos_maz: bool = False
    enable_cos_versioning: bool = False
    sync_tags_to_bucket: bool = False
    adopt_existing: bool = False

    @model_validator(mode="after")
    def _billing_is_consistent(self) -> InstanceSpec:
        if self.charge_type == "prepaid":
            if self.prepaid_period is None:
                raise ValueError(
                    "prepaidPeriod: a prepaid instance needs prepaid_period (months: "
                    f"{', '.join(map(str, PREPAID_PERIODS))})"
                )
            if self.prepaid_period not in PREPAID_PERIODS:
                raise ValueError(
                    f"prepaidPeriod: {self.prepaid_period} months is not offered; choose one of "
                    f"{', '.join(map(str, PREPAID_PERIODS))}"
                )
        elif self.prepaid_period is not None:
            raise ValueError("prepaidPeriod: prepaid_period only applies when charge_type is 'prepaid'; remove it")
        return self

    def state(self) -> dict[str, Any]:
        """The inputs as Pulumi state properties (camelCase keys; None values left out)."""
        return self.model_dump(by_alias=True, exclude_none=True)


INPUT_KEYS: tuple[str, ...] = tuple(info.alias or name for name, info in InstanceSpec.model_fields.items())
_FIELD_BY_KEY = {info.alias or name: name for name, info in InstanceSpec.model_fields.items()}
_DEFAULTS: dict[str, Any] = {
    key: InstanceSpec.model_fields[name].get_default(call_default_factory=True) for key, name in _FIELD_BY_KEY.items()
}


# --- How each input changes ---------------------------------------------------------------------------
class Change(enum.Enum):
    REPLACE = "replace"  # a new instance is created, the old one deleted
    UPDATE = "update"  # changed in place through the API
    STATE_ONLY = "state-only"  # recorded in state; no API call (used by delete, or only at create)


FIELDS: dict[str, Change] = {
    "name": Change.REPLACE,
    "region": Change.REPLACE,
    "instanceType": Change.UPDATE,
    "tags": Change.UPDATE,
    "deletionProtection": Change.UPDATE,
    "deleteBucket": Change.STATE_ONLY,
    "chargeType": Change.REPLACE,
    "prepaidPeriod": Change.STATE_ONLY,
    "renewFlag": Change.STATE_ONLY,
    "enableCosMaz": Change.REPLACE,
    "enableCosVersioning": Change.UPDATE,
    "syncTagsToBucket": Change.REPLACE,
    "adoptExisting": Change.STATE_ONLY,
}
assert set(FIELDS) == set(INPUT_KEYS), "every input needs a change rule"

# Inputs the API reports back, so `read` can return them as they are in the cloud. The others exist only
# in our state (the API never echoes them), so `read` keeps the stored value.
LIVE_INPUT_KEYS = (
    "name",
    "region",
    "instanceType",
    "tags",
    "deletionProtection",
    "chargeType",
    "enableCosMaz",
    "enableCosVersioning",
)

OUTPUT_KEYS = (
    "registryId",
    "status",
    "domain",
    "vpcDomain",
    "internalEndpoint",
    "cosBucket",
    "cosBucketRegion",
    "regionId",
    "createdAt",
    "expiredAt",
)


def is_unknown(value: Any) -> bool:
    if isinstance(value, Unknown) or value == UNKNOWN:
        return True
    if isinstance(value, Mapping):
        return any(is_unknown(v) for v in value.values())
    if isinstance(value, list):
        return any(is_unknown(v) for v in value)
    return False


def normalize(value: Any) -> Any:
    """Pulumi sends every number as a float; compare 12.0 and 12 as equal."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, Mapping):
        return {k: normalize(v) for k, v in value.items()}
    if isinstance(value, list):
        return [normalize(v) for v in value]
    return value


def effective(props: Mapping[str, Any], key: str) -> Any:
    """A property's value with the default filled in (state drops keys whose value is None)."""
    value = props.get(key)
    return normalize(_DEFAULTS[key] if value is None else value)


@dataclass(frozen=True)
class Failure:
    """One invalid input: the state key and what to do about it."""

    property: str
    reason: str


def _field_adapter(name: str) -> TypeAdapter[Any]:
    info = InstanceSpec.model_fields[name]
    annotated: Any = Annotated[(info.annotation, *info.metadata)] if info.metadata else info.annotation
    return TypeAdapter(annotated)


_ADAPTERS = {key: _field_adapter(name) for key, name in _FIELD_BY_KEY.items()}


def _failures_from(error: ValidationError, default_key: str | None = None) -> list[Failure]:
    failures = []
    for item in error.errors():
        loc = tuple(item.get("loc") or ())
        key = default_key or (str(loc[0]) if loc else None)
        message = str(item.get("msg", "is not valid")).removeprefix("Value error, ")
        if key is None and ":" in message:
            key, _, message = message.partition(":")
            message = message.strip()
        key = _to_key(key or "name")
        where = loc if default_key else loc[1:]
        if where and item.get("type") != "value_error":
            message = f"{message} (tag {where[0]!r} has {item.get('input')!r})"
        elif item.get("type") != "value_error":
            message = f"{message} (got {item.get('input')!r})"
        failures.append(Failure(key, f"{key}: {message}"))
    return failures


def _to_key(field: str) -> str:
    return field if field in FIELDS else to_camel(field)


def validate_inputs(props: Mapping[str, Any]) -> tuple[InstanceSpec | None, list[Failure]]:
    """Validate checked inputs. Unknown values (preview) are skipped; the spec is None when any is unknown."""
    failures: list[Failure] = []
    known: dict[str, Any] = {}
    for key, value in props.items():
        if key.startswith("__"):
            continue
        if key not in _ADAPTERS:
            failures.append(Failure(key, f"{key}: is not an Instance input; remove it"))
            continue
        if is_unknown(value):
            continue
        if value is None:
            continue
        try:
            known[key] = _ADAPTERS[key].validate_python(normalize(value))
        except ValidationError as exc:
            failures.extend(_failures_from(exc, default_key=key))
    if "name" not in props or props.get("name") is None:
        failures.append(Failure("name", "name: is required: give the registry a globally unique name"))
    if "region" not in props or props.get("region") is None:
        failures.append(
            Failure(
                "region",
                "region: no region given: set region= on the Instance, or `pulumi config set "
                "tencentcloud:region ap-guangzhou`, or the TENCENTCLOUD_REGION environment variable",
            )
        )
    if failures or any(is_unknown(v) for k, v in props.items() if not k.startswith("__")):
        return None, failures
    try:
        return InstanceSpec.model_validate(known), []
    except ValidationError as exc:
        return None, _failures_from(exc)
