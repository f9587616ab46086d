"""The Instance's inputs and outputs, declared once, and the validation rules only the Instance uses.

`InstanceArgs` is the declaration: each field's Python type, its one-line documentation (the attribute
docstring an editor shows), its default, its change rule and how the TCR API reads and writes it.
`InstanceOutputs` declares the outputs. `INSTANCE` is the schema derived from both; check, diff, create, read
and update all work from it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import pulumi

from ...fields import SERVICE_DEFAULT, Api, Change, Check, Failure, Schema, Write, declared
from ...ownership import OWNER_TAG_KEY
from ..common import REGION_DEFAULT, Region, first_illegal, is_reserved_tag_key, tag_limit

# --- Names -------------------------------------------------------------------------------------------
# The API publishes no length limits; CheckInstanceName stays the authority, so these only catch what
# can never be valid before an API call is made.
NAME_MIN_LENGTH = 5
NAME_MAX_LENGTH = 50
NAME_PATTERN = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$")

# --- Tags --------------------------------------------------------------------------------------------
# TCR's InvalidParameter.ErrorTagOverLimit allows 10; one is the provider's ownership marker.
MAX_TAGS = 9
# Tags copied to the COS bucket (sync_tags_to_bucket) must also be bucket tags: PUT Bucket tagging allows
# English letters, digits, spaces and + - _ = . : /, keys under 128 bytes and values under 256 bytes.
BUCKET_TAG_TEXT = re.compile(r"[A-Za-z0-9 +\-_=.:/]")
BUCKET_TAG_TEXT_WORDS = "English letters, digits, spaces and + - _ = . : /"
BUCKET_TAG_KEY_MAX_BYTES = 127
BUCKET_TAG_VALUE_MAX_BYTES = 255

# --- Billing -----------------------------------------------------------------------------------------
PREPAID_PERIODS = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 24, 36)
CHARGE_TYPE_CODES = {"postpaid": 0, "prepaid": 1}
RENEW_FLAG_CODES = {"manual": 0, "auto": 1, "none": 2}

InstanceType = Literal["basic", "standard", "premium"]
ChargeType = Literal["postpaid", "prepaid"]
RenewFlag = Literal["manual", "auto", "none"]


def _check_name(name: str) -> str:
    if not NAME_MIN_LENGTH <= len(name) <= NAME_MAX_LENGTH:
        raise ValueError(f"must be {NAME_MIN_LENGTH} to {NAME_MAX_LENGTH} characters long (got {len(name)}: {name!r})")
    if not NAME_PATTERN.match(name):
        raise ValueError(
            f"{name!r} is not allowed: use only lower-case letters, digits and '-', starting and ending "
            "with a letter or digit (it becomes the domain <name>.tencentcloudcr.com)"
        )
    return name


# Validated strictly (fields.Schema): a string is a string, never a number turned into one.
RegistryName = Annotated[str, Check(_check_name, "str")]
TagSet = Annotated[
    dict[str, str],
    tag_limit(
        MAX_TAGS,
        "an instance",
        besides=f" besides the provider's own {OWNER_TAG_KEY!r}",
        shown=f"dict[str, str], at most {MAX_TAGS} (the tenth is the provider's ownership marker)",
    ),
]


def _tags_to_api(tags: Mapping[str, str]) -> dict[str, Any] | None:
    if not tags:
        return None
    return {"ResourceType": "instance", "Tags": [{"Key": k, "Value": v} for k, v in sorted(tags.items())]}


def _tags_from_api(specification: Mapping[str, Any]) -> dict[str, str]:
    return {
        str(t["Key"]): str(t.get("Value") or "")
        for t in specification.get("Tags") or []
        if not is_reserved_tag_key(str(t["Key"])) and t["Key"] != OWNER_TAG_KEY
    }


def _code_of(codes: Mapping[str, int]) -> Any:
    return lambda value: codes[value]


def _name_of(codes: Mapping[str, int], default: str | None = None) -> Any:
    names = {code: name for name, code in codes.items()}
    return lambda code: names.get(int(code), default)


def _is_prepaid(inputs: Mapping[str, Any]) -> bool:
    return inputs.get("chargeType") == "prepaid"


@dataclass
class InstanceArgs:
    """Inputs of a TCR Enterprise instance. Each field takes a plain value or a Pulumi Input.

    name and region (and the purchase-time settings charge_type, enable_cos_maz, sync_tags_to_bucket)
    replace the instance when changed; instance_type, tags, deletion_protection and
    enable_cos_versioning change in place.
    """

    name: pulumi.Input[RegistryName] = declared(
        Change.REPLACE,
        required=True,
        api=Api(read="RegistryName", create="RegistryName"),
        missing="is required: give the registry a globally unique name",
    )
    """Globally unique name (lower-case letters, digits, '-'); it becomes the domain <name>.tencentcloudcr.com."""

    region: pulumi.Input[Region] | None = declared(
        Change.REPLACE_DELETE_FIRST,
        resolved=REGION_DEFAULT,
        api=Api(read="RegionName"),
        missing="no region given: set region= on the Instance, or `pulumi config set tencentcloud:region "
        "ap-guangzhou`, or the TENCENTCLOUD_REGION environment variable",
    )
    """Region of the instance; defaults to config tencentcloud:region, then TENCENTCLOUD_REGION."""

    instance_type: pulumi.Input[InstanceType] | None = declared(
        Change.UPDATE,
        default="basic",
        api=Api(read="RegistryType", create="RegistryType", modify="RegistryType", settles=True),
    )
    """Specification: basic, standard or premium; changes in place and waits until it applies."""

    tags: pulumi.Input[dict[str, pulumi.Input[str]]] | None = declared(
        Change.UPDATE,
        default=dict,
        type=TagSet,
        api=Api(
            read="TagSpecification",
            create="TagSpecification",
            write=Write.TAG_API,
            encode=_tags_to_api,
            decode=_tags_from_api,
        ),
    )
    """Tags, updated in place by difference; a tag added outside Pulumi is drift."""

    deletion_protection: pulumi.Input[bool] | None = declared(
        Change.UPDATE,
        default=SERVICE_DEFAULT,
        api=Api(read="DeletionProtection", create="DeletionProtection", modify="DeletionProtection", verify=True),
    )
    """While on, `pulumi destroy` refuses to delete the instance. Left unset, the service decides (off); set, it is
    compared with a fresh read before each write, since other modifications may reset it."""

    delete_bucket: pulumi.Input[bool] | None = declared(Change.STATE_ONLY, default=False)
    """Whether deleting the instance also deletes its COS bucket and the images in it; read at delete only."""

    charge_type: pulumi.Input[ChargeType] | None = declared(
        Change.REPLACE,
        default=SERVICE_DEFAULT,
        api=Api(
            read="PayMod",
            create="RegistryChargeType",
            encode=_code_of(CHARGE_TYPE_CODES),
            decode=_name_of(CHARGE_TYPE_CODES, "postpaid"),
        ),
    )
    """Billing mode: postpaid (pay as you go, the service's default) or prepaid (needs prepaid_period)."""

    prepaid_period: pulumi.Input[int] | None = declared(
        Change.STATE_ONLY, api=Api(create="RegistryChargePrepaid.Period", create_when=_is_prepaid)
    )
    """Months bought at once for a prepaid instance: 1 to 12, 24 or 36; required when prepaid, used at purchase
    only."""

    renew_flag: pulumi.Input[RenewFlag] | None = declared(
        Change.STATE_ONLY,
        default="manual",
        api=Api(create="RegistryChargePrepaid.RenewFlag", encode=_code_of(RENEW_FLAG_CODES), create_when=_is_prepaid),
    )
    """Renewal of a prepaid instance: manual, auto or none; applies at purchase only."""

    enable_cos_maz: pulumi.Input[bool] | None = declared(
        Change.REPLACE, default=SERVICE_DEFAULT, api=Api(read="EnableCosMAZ", create="EnableCosMAZ")
    )
    """Keep the images' COS bucket across availability zones (the service's default: off); chosen at purchase."""

    enable_cos_versioning: pulumi.Input[bool] | None = declared(
        Change.UPDATE,
        default=SERVICE_DEFAULT,
        api=Api(read="EnableCosVersioning", create="EnableCosVersioning", modify="EnableCosVersioning"),
    )
    """Versioning of the images' COS bucket (the service's default: on for premium, per the Terraform docs)."""

    sync_tags_to_bucket: pulumi.Input[bool] | None = declared(Change.REPLACE, default=False, api=Api(create="SyncTag"))
    """Copy the instance's tags to its COS bucket; chosen at purchase."""

    adopt_existing: pulumi.Input[bool] | None = declared(Change.STATE_ONLY, default=False)
    """On create, take over the instance of this name and region instead of buying one: settings chosen at
    purchase must match, the others are applied."""


class InstanceOutputs:
    """The outputs of an Instance, besides its echoed inputs."""

    registry_id: pulumi.Output[str]
    """`tcr-xxxxxxxx`; also the resource id."""
    status: pulumi.Output[str]
    """Running, Unhealthy, ... as the API reports it."""
    domain: pulumi.Output[str]
    """Public domain, `<name>.tencentcloudcr.com`: what `docker login` takes."""
    vpc_domain: pulumi.Output[str]
    """`<name>-vpc.tencentcloudcr.com`, resolvable inside an attached VPC."""
    internal_endpoint: pulumi.Output[str]
    """The VPC access IP the API reports."""
    cos_bucket: pulumi.Output[str]
    """The COS bucket holding the images."""
    cos_bucket_region: pulumi.Output[str]
    """The bucket's region."""
    region_id: pulumi.Output[int]
    """Numeric region id."""
    created_at: pulumi.Output[str]
    """Creation time, as the API reports it."""
    expired_at: pulumi.Output[str | None]
    """Expiry of a prepaid instance, else None."""


def _tags_fit_the_bucket(inputs: Mapping[str, Any]) -> list[Failure]:
    """With sync_tags_to_bucket, the tags are copied to the COS bucket and must be valid bucket tags too."""
    if not inputs.get("syncTagsToBucket"):
        return []
    for key, value in (inputs.get("tags") or {}).items():
        for what, text, limit in (("key", key, BUCKET_TAG_KEY_MAX_BYTES), ("value", value, BUCKET_TAG_VALUE_MAX_BYTES)):
            char = first_illegal(text, BUCKET_TAG_TEXT)
            if char is not None or len(text.encode()) > limit:
                problem = f"has {char!r}" if char is not None else f"is longer than {limit} bytes"
                return [
                    Failure(
                        "tags",
                        f"tags: tag {what} {text!r} {problem}, and sync_tags_to_bucket copies tags to the COS "
                        f"bucket, whose tags take only {BUCKET_TAG_TEXT_WORDS} (at most {limit} bytes): change "
                        "the tag or turn sync_tags_to_bucket off",
                    )
                ]
    return []


def _billing_is_consistent(inputs: Mapping[str, Any]) -> list[Failure]:
    period = inputs.get("prepaidPeriod")
    offered = ", ".join(map(str, PREPAID_PERIODS))
    if inputs.get("chargeType") == "prepaid":
        if period is None:
            return [
                Failure("prepaidPeriod", f"prepaidPeriod: a prepaid instance needs prepaid_period (months: {offered})")
            ]
        if period not in PREPAID_PERIODS:
            return [Failure("prepaidPeriod", f"prepaidPeriod: {period} months is not offered; choose one of {offered}")]
    elif period is not None:
        return [
            Failure(
                "prepaidPeriod", "prepaidPeriod: prepaid_period only applies when charge_type is 'prepaid'; remove it"
            )
        ]
    return []


INSTANCE = Schema(
    "Instance",
    InstanceArgs,
    InstanceOutputs,
    modify_call="ModifyInstance",
    validators=[_billing_is_consistent, _tags_fit_the_bucket],
    distinct_by=["name"],
)
