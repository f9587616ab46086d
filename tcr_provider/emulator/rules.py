"""The emulated cloud's behaviour rules, each in one place.

These are the emulator's own model of TCR, Tag and CAM. They are deliberately not shared with the provider:
when the two disagree, a test fails and someone checks the real service. Rules marked [?] are not published
by Tencent Cloud and were chosen here; change them here and nowhere else.
"""

from __future__ import annotations

import enum
import re
from typing import Final

# --- Account -------------------------------------------------------------------------------------

ACCOUNT_UIN: Final = "100000000001"
"""The emulated account's Uin (and OwnerUin: it is a root account)."""

# --- Regions -------------------------------------------------------------------------------------

REGION_IDS: Final[dict[str, int]] = {
    "ap-guangzhou": 1,
    "ap-shanghai": 4,
    "ap-hongkong": 5,
    "ap-shanghai-fsi": 7,  # [?] id from the CVM region list, not the TCR reference
    "ap-beijing": 8,
    "ap-singapore": 9,
    "ap-shenzhen-fsi": 11,  # [?] id from the CVM region list, not the TCR reference
    "na-siliconvalley": 15,
    "ap-chengdu": 16,
    "eu-frankfurt": 17,
    "ap-seoul": 18,
    "ap-chongqing": 19,
    "ap-mumbai": 21,
    "na-ashburn": 22,
    "ap-bangkok": 23,
    "ap-tokyo": 25,
    "ap-nanjing": 33,
    "ap-jakarta": 72,
    "sa-saopaulo": 74,
}
"""Regions where TCR Enterprise is served, with the numeric RegionId DescribeInstances reports."""

# --- Instance names ------------------------------------------------------------------------------

NAME_MIN_LENGTH: Final = 5  # [?]
NAME_MAX_LENGTH: Final = 50  # [?]
NAME_PATTERN: Final = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?")
RESERVED_NAMES: Final = frozenset(
    {"admin", "docker", "harbor", "qcloud", "registry", "tencent", "tencentcloud", "tencentcloudcr"}
)  # [?] exact names; the real list is unpublished


class NameProblem(enum.Enum):
    ILLEGAL = "illegal"
    RESERVED = "reserved"
    TAKEN = "taken"


def name_problem(name: str) -> NameProblem | None:
    """What is wrong with an instance name on its own; whether it is taken is the backend's business."""
    if not NAME_MIN_LENGTH <= len(name) <= NAME_MAX_LENGTH or not NAME_PATTERN.fullmatch(name):
        return NameProblem.ILLEGAL
    if name in RESERVED_NAMES:
        return NameProblem.RESERVED
    return None


def name_rules_text() -> str:
    return (
        f"{NAME_MIN_LENGTH} to {NAME_MAX_LENGTH} lower-case letters, digits and '-', "
        "starting and ending with a letter or digit"
    )


# --- Instances -----------------------------------------------------------------------------------

REGISTRY_TYPES: Final = ("basic", "standard", "premium")
PREMIUM_TYPE: Final = "premium"
# How long at least a new instance shows a passing status (a `passing_status` fault) before it settles.
PASSING_SECONDS: Final = 1.0
CHARGE_TYPES: Final = {0: "postpaid", 1: "prepaid"}
RENEW_FLAGS: Final = {0: "manual", 1: "auto", 2: "none"}
PREPAID_PERIODS: Final = frozenset({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 24, 36})  # [?] months
MAX_INSTANCE_TAGS: Final = 10
TOKEN_VALID_HOURS: Final = 24  # [?]
DOMAIN_SUFFIX: Final = "tencentcloudcr.com"
REGISTRY_ID_PREFIX: Final = "tcr-"
REGISTRY_ID_ALPHABET: Final = "abcdefghijklmnopqrstuvwxyz0123456789"
REGISTRY_ID_LENGTH: Final = 8
DESCRIBE_DEFAULT_LIMIT: Final = 20
DESCRIBE_MAX_LIMIT: Final = 100
INSTANCE_FILTERS: Final = ("RegistryName",)

PENDING_SHARE: Final = 1 / 3
"""Share of --create-seconds an instance spends Pending before it turns Deploying."""

CREATING_STATUSES: Final = ("Pending", "Deploying")
DELETING_STATUS: Final = "Deleting"
STATUS_REASONS: Final[dict[str, str]] = {
    "Pending": "The instance is waiting for its resources.",
    "Deploying": "The registry components are being deployed.",
    "Running": "",
    "Unhealthy": "The registry components failed their health checks.",
    "FailedCreated": "Creating the instance failed: the registry components did not start.",
    "FailedUpdated": "Updating the instance specification failed.",
    "Bucket-Error": "The COS bucket of the instance is not accessible.",
    "Isolate": "The account is in arrears or the prepaid period ended; the instance awaits reclaim.",
    "Deleting": "The instance is being deleted.",
    "DeleteBucketFailed": "Deleting the COS bucket of the instance failed.",
    "DeleteFailed": "Deleting the instance failed.",
}
"""Every instance status, with the Reason DescribeInstanceStatus gives for it. A ``final_status`` fault rule
may name any of them: ``Deploying`` makes an instance that never finishes being created."""

EXTERNAL_ENDPOINT_OPERATIONS: Final = ("Create", "Delete")

# --- VPC access and private DNS ---------------------------------------------------------------

VPC_ID_PATTERN: Final = re.compile(r"vpc-[a-z0-9]{8}")
SUBNET_ID_PATTERN: Final = re.compile(r"subnet-[a-z0-9]{8}")
INTERNAL_ENDPOINT_OPERATIONS: Final = ("Create", "Delete")
ACCESS_VPC_CREATING: Final = "Creating"  # [?] the SDK documents the field, not its values
ACCESS_VPC_RUNNING: Final = "Running"  # [?]
ACCESS_VPC_DELETING: Final = "Deleting"  # [?]
DNS_ENABLED: Final = "ENABLE"
DNS_DISABLED: Final = "DISABLE"
DNS_QUERY_FAILED: Final = "ERROR"  # SDK 3.1.189 VpcPrivateDomainStatus.Status: "ERROR代表查询出错", the query failed
"""VpcPrivateDomainStatus.Status as the SDK documents it (it also names ERROR, for a failed query)."""
VPC_DOMAIN_LABEL_SUFFIX: Final = "-vpc"
"""The VPC domain is ``<name>-vpc.tencentcloudcr.com``."""

# --- Namespaces and repositories -----------------------------------------------------------------

NAMESPACE_MIN_LENGTH: Final = 2
NAMESPACE_MAX_LENGTH: Final = 30
NAMESPACE_PATTERN: Final = re.compile(r"[a-z0-9]+(?:[._-][a-z0-9]+)*")
"""CreateNamespace's SDK doc: lower-case letters, digits and the separators . _ -, never first, last or twice
in a row."""
RESERVED_NAMESPACES: Final = frozenset({"tcr"})  # [?] the real list is unpublished; kept to one name
SEVERITIES: Final = ("low", "medium", "high")
CVE_ID_PATTERN: Final = re.compile(r"CVE-\d{4}-\d{4,}")
REPOSITORY_NAME_MIN_LENGTH: Final = 3  # the SDK doc: "longer than 2 and shorter than 245 characters"
REPOSITORY_NAME_MAX_LENGTH: Final = 244
REPOSITORY_PATTERN: Final = re.compile(r"[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*")
"""Lower-case letters, digits and . _ - (the SDK doc); / nests paths as Harbor allows [?]."""
NAMESPACE_FILTERS: Final = ("Tags",)
REPOSITORY_SORTS: Final = ("creation_time", "-creation_time", "name", "-name", "update_time", "-update_time")
"""DescribeRepositories' SortBy: the SDK names the descending ones; ascending without the - [?]."""
PAGE_DEFAULT_LIMIT: Final = 20  # [?] DescribeNamespaces, DescribeRepositories and DescribeInstanceToken
# [?] A DescribeNamespaces page holds at most this many, whatever Limit asks (DescribeRepositories documents a
# maximum Limit of 100; DescribeNamespaces documents none): a client must page, or ask for All.
NAMESPACE_PAGE_MAX: Final = 100

# --- Access tokens -------------------------------------------------------------------------------

TOKEN_TYPES: Final = ("longterm", "temp")
DEFAULT_TOKEN_TYPE: Final = "temp"
TEMP_TOKEN_SECONDS: Final = 3600
"""CreateInstanceToken's SDK doc: a temporary token is valid for one hour."""
TOKEN_ID_LENGTH: Final = 20  # [?] the shape of a long-term TokenId is unpublished
TOKEN_SECRET_BYTES: Final = 36
"""Secrets are URL-safe base64 of this many random bytes: 48 characters."""
MODIFY_TOKEN_DESCRIPTION: Final = 1
MODIFY_TOKEN_ENABLED: Final = 2
"""ModifyInstanceToken's ModifyFlag: 1 changes Desc only, 2 (the default) Enable only."""

# --- Public access allowlist ---------------------------------------------------------------------

FIRST_POLICY_INDEX: Final = 0  # [?] a third-party transcript of the real API shows 0 for the first policy

# --- Tags ----------------------------------------------------------------------------------------

TAG_KEY_MAX_LENGTH: Final = 127
TAG_VALUE_MAX_LENGTH: Final = 255
RESERVED_TAG_KEY_PREFIXES: Final = ("qcs:", "qcloud", "tencent", "project", "项目")
"""System keys, refused in any letter case: qcloud, tencent and project by the Tag API's error text, qcs:,
project and 项目 by the tag limits page (product 651, document 13354)."""
TAG_TEXT_PATTERN: Final = re.compile(r"[A-Za-z0-9\u4e00-\u9fff +\-=._:/@()\[\],;><【】]+")
"""What the tag limits page allows in keys and values: Chinese and English letters, digits, spaces and
+ - = . _ : / @ ( ) [ ] , ; > < 【 】."""
MAX_TAGS_PER_REQUEST: Final = 10
MAX_TAGS_PER_RESOURCE: Final = 50
MAX_RESOURCES_PER_REQUEST: Final = 10
MAX_RESOURCE_IDS_PER_DESCRIBE: Final = 50
TAG_DESCRIBE_DEFAULT_LIMIT: Final = 15


_TAG_TEXT = "Chinese and English letters, digits, inner spaces and + - = . _ : / @ ( ) [ ] , ; > < 【 】"


class TagProblem(enum.Enum):
    KEY_EMPTY = "the tag key is empty"
    KEY_TOO_LONG = f"the tag key is longer than {TAG_KEY_MAX_LENGTH} characters"
    KEY_RESERVED = f"tag keys starting with {', '.join(RESERVED_TAG_KEY_PREFIXES)} are reserved for the system"
    KEY_ILLEGAL = f"the tag key may hold only {_TAG_TEXT}"
    VALUE_EMPTY = "the tag value is empty"
    VALUE_TOO_LONG = f"the tag value is longer than {TAG_VALUE_MAX_LENGTH} characters"
    VALUE_ILLEGAL = f"the tag value may hold only {_TAG_TEXT}"


def _legal_text(text: str) -> bool:
    return bool(TAG_TEXT_PATTERN.fullmatch(text)) and text == text.strip(" ")


def tag_key_problem(key: str) -> TagProblem | None:
    if not key:
        return TagProblem.KEY_EMPTY
    if len(key) > TAG_KEY_MAX_LENGTH:
        return TagProblem.KEY_TOO_LONG
    if key.lower().startswith(RESERVED_TAG_KEY_PREFIXES):
        return TagProblem.KEY_RESERVED
    if not _legal_text(key):
        return TagProblem.KEY_ILLEGAL
    return None


def tag_problem(key: str, value: str) -> TagProblem | None:
    """What is wrong with one tag."""
    if problem := tag_key_problem(key):
        return problem
    if not value:
        return TagProblem.VALUE_EMPTY
    if len(value) > TAG_VALUE_MAX_LENGTH:
        return TagProblem.VALUE_TOO_LONG
    if not _legal_text(value):
        return TagProblem.VALUE_ILLEGAL
    return None


# Actions whose documented error codes have no ResourceNotFound (the "可能返回的错误码" lists of the Go SDK's
# tcr v20190924 client.go, generated from the same spec as the API pages): for an instance id that does not
# exist they answer InternalError, as the Terraform provider's comment on DescribeInternalEndpoints says
# ("sdk has internal error as invalid instance id"). The others answer ResourceNotFound.
UNKNOWN_INSTANCE_IS_INTERNAL_ERROR: Final = frozenset(
    {
        "DescribeInternalEndpoints",
        "DescribeInternalEndpointDnsStatus",
        "CreateInternalEndpointDns",
        "DeleteInternalEndpointDns",
        "DescribeInstanceToken",
        "ModifyInstanceToken",
        "DeleteInstanceToken",
        "ManageExternalEndpoint",
        "CreateMultipleSecurityPolicy",
        "DeleteMultipleSecurityPolicy",
    }
)
# Published request rates below the default (each action's API page, "默认接口请求频率限制"): the emulator
# admits at most this many of the action per second and SecretId, or --rate-limit if that is lower.
LOWER_RATE_LIMITS: Final[dict[str, int]] = {"ManageInternalEndpoint": 2}  # page 1141/50733
