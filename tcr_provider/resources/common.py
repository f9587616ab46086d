"""What every resource of this package shares as a Pulumi resource: the types and rules more than one
resource uses (regions, registry ids, tags), the Args base of a registry's parts, and how a program's
arguments become a registered resource with its outputs under Python names."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, ClassVar

import pulumi

from ..fields import Change, Check, Schema, declared, to_snake
from ..ownership import OWNER_TAG_KEY

if TYPE_CHECKING:
    from ..lifecycle import DeclaredProvider

# --- Regions -----------------------------------------------------------------------------------------
TCR_REGIONS: frozenset[str] = frozenset(
    {
        *("ap-bangkok", "ap-beijing", "ap-chengdu", "ap-chongqing", "ap-guangzhou", "ap-hongkong"),
        *("ap-jakarta", "ap-mumbai", "ap-nanjing", "ap-seoul", "ap-shanghai", "ap-shanghai-fsi"),
        *("ap-shenzhen-fsi", "ap-singapore", "ap-tokyo", "eu-frankfurt", "na-ashburn"),
        *("na-siliconvalley", "sa-saopaulo"),
    }
)
REGION_DEFAULT = "`tencentcloud:region`, then `TENCENTCLOUD_REGION`"


def _check_region(region: str) -> str:
    if region not in TCR_REGIONS:
        raise ValueError(
            f"{region!r} is not a region that serves TCR Enterprise; choose one of {', '.join(sorted(TCR_REGIONS))}"
        )
    return region


# --- Registry ids ------------------------------------------------------------------------------------
REGISTRY_ID = re.compile(r"^tcr-[a-z0-9]{8}$")


def _check_registry_id(value: str) -> str:
    if not REGISTRY_ID.match(value):
        raise ValueError(
            f"{value!r} is not a registry id: pass the Instance's registry_id (`tcr-` and 8 lower-case letters or "
            "digits)"
        )
    return value


# --- Tags --------------------------------------------------------------------------------------------
# Where the published sources differ, whatever any of them forbids is refused (docs/api-fidelity.md).
TAG_KEY_MAX_LENGTH = 127  # the tag limits page, product 651 document 13354
TAG_VALUE_MAX_LENGTH = 255
# System keys, in any letter case: qcloud, tencent and project by the Tag API's error text; qcs:, project and
# 项目 by the tag limits page and the COS bucket-tag page. Never the user's to set, never shown as drift.
RESERVED_TAG_KEY_PREFIXES = ("qcs:", "qcloud", "tencent", "project", "项目")
# Keys and values, per the tag limits page: Chinese and English letters, digits, inner spaces, and these signs.
TAG_TEXT = re.compile(r"[A-Za-z0-9\u4e00-\u9fff +\-=._:/@()\[\],;><【】]")
TAG_TEXT_WORDS = "Chinese and English letters, digits, inner spaces and + - = . _ : / @ ( ) [ ] , ; > < 【 】"


def is_reserved_tag_key(key: str) -> bool:
    return key.lower().startswith(RESERVED_TAG_KEY_PREFIXES)


def first_illegal(text: str, allowed: re.Pattern[str]) -> str | None:
    return next((char for char in text if not allowed.fullmatch(char)), None)


def check_tag_entries(tags: dict[str, str]) -> dict[str, str]:
    """The Tag service's rules for each key and value (what any TCR resource's tags must follow)."""
    for key, value in tags.items():
        if not key.strip():
            raise ValueError("has an empty tag key: give every tag a non-empty key")
        if len(key) > TAG_KEY_MAX_LENGTH:
            raise ValueError(f"tag key {key[:20]!r}... is longer than {TAG_KEY_MAX_LENGTH} characters")
        if key == OWNER_TAG_KEY:
            raise ValueError(f"tag key {key!r} is the provider's ownership marker: choose another key")
        if is_reserved_tag_key(key):
            raise ValueError(
                f"tag key {key!r} starts with a prefix the Tag service reserves "
                f"({', '.join(RESERVED_TAG_KEY_PREFIXES)}): choose another key"
            )
        if not value:
            raise ValueError(f"tag {key!r} has an empty value; the Tag service needs 1 to {TAG_VALUE_MAX_LENGTH}")
        if len(value) > TAG_VALUE_MAX_LENGTH:
            raise ValueError(
                f"the value of tag {key!r} is {len(value)} characters long; at most {TAG_VALUE_MAX_LENGTH}"
            )
        for what, text in (("key", key), ("value", value)):
            char = first_illegal(text, TAG_TEXT)
            if char is not None or text != text.strip(" "):
                shown = repr(char) if char is not None else "a leading or trailing space"
                raise ValueError(f"tag {what} {text!r} has {shown}; use only {TAG_TEXT_WORDS}")
    return tags


def tag_limit(limit: int, holder: str, *, besides: str = "", shown: str = "") -> Check:
    """The Tag service's rules, and at most `limit` tags on `holder` ("a namespace")."""

    def check(tags: dict[str, str]) -> dict[str, str]:
        if len(tags) > limit:
            raise ValueError(f"has {len(tags)} tags; {holder} takes at most {limit}{besides}: remove some")
        return check_tag_entries(tags)

    return Check(check, shown or f"dict[str, str], at most {limit}")


# Validated strictly (fields.Schema): a string is a string, never a number turned into one.
Region = Annotated[str, Check(_check_region, "str")]
RegistryId = Annotated[str, Check(_check_registry_id, "`tcr-xxxxxxxx`")]


# --- The Args of a registry's parts --------------------------------------------------------------------
@dataclass(kw_only=True)
class PartArgs:
    """What every part of a registry is given: which registry, and in which region. Changing either replaces
    the part."""

    registry_id: pulumi.Input[RegistryId] = declared(
        Change.REPLACE, required=True, missing="is required: pass the Instance's registry_id"
    )
    """The registry (Instance.registry_id) the part belongs to."""

    region: pulumi.Input[Region] | None = declared(
        Change.REPLACE,
        resolved=REGION_DEFAULT,
        missing="no region given: set region= (the registry's), or `pulumi config set tencentcloud:region ...`",
    )
    """The registry's region; defaults to config tencentcloud:region, then TENCENTCLOUD_REGION."""


@dataclass(kw_only=True)
class AdoptableArgs(PartArgs):
    """The Args of a part that can be taken over when it exists already (made elsewhere, or by a create that
    was interrupted)."""

    adopt_existing: pulumi.Input[bool] | None = declared(Change.STATE_ONLY, default=False)
    """On create, take over the part if it exists already, bringing it to the program's settings, instead of
    refusing."""


# --- From a program's arguments to a registered resource -----------------------------------------------
def args_from(kind: str, resource_name: str, args_class: type, args: Any, kwargs: dict[str, Any]) -> Any:
    """The Args of a resource given as an Args object, keyword arguments, or both (keywords win)."""
    fields = dataclasses.fields(args_class)
    unknown = sorted(set(kwargs) - {f.name for f in fields})
    if unknown:
        raise TypeError(f"{kind} {resource_name!r}: unknown argument(s) {', '.join(unknown)}")
    if args is not None:
        return dataclasses.replace(args, **kwargs) if kwargs else args
    required = dataclasses.MISSING
    missing = [
        f.name for f in fields if f.default is required and f.default_factory is required and f.name not in kwargs
    ]
    if missing:
        raise TypeError(f"{kind} {resource_name!r}: {', '.join(missing)} is required")
    return args_class(**kwargs)


def declared_props(
    schema: Schema, args: Any, opts: pulumi.ResourceOptions | None, internal: dict[str, Any] | None = None
) -> tuple[dict[str, Any], pulumi.ResourceOptions | None]:
    """What a resource registers with the engine: every declared input and output present (an output exists on
    the resource only if its key is among the props), the given inputs, and `internal` properties the provider
    keeps beside them (`__owner`); its options with the secret outputs added."""
    props: dict[str, Any] = {key: None for key in (*schema.keys, *schema.output_keys)}
    if args is not None:
        props.update({f.key: getattr(args, f.name) for f in schema.fields if getattr(args, f.name) is not None})
    props.update(internal or {})
    if schema.secrets:
        opts = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(additional_secret_outputs=[*schema.secrets]))
    return props, opts


def use_python_names(resource: pulumi.dynamic.Resource, schema: Schema) -> None:
    # The engine's property names are camelCase (`registryId`), and Pulumi names an output attribute after its
    # property. Its name translation hooks would also rewrite the keys of nested dicts (tag keys such as
    # `cost-center`), so the attributes are renamed here instead.
    for key in (*schema.output_keys, *schema.keys):
        snake = to_snake(key)
        if snake != key and key in resource.__dict__:
            resource.__dict__[snake] = resource.__dict__.pop(key)


class DeclaredResource(pulumi.dynamic.Resource):
    """Base of every resource class: built from an Args object, keyword arguments of the same names, or both
    (keywords win). Subclasses set `provider_class`; their typed constructor signatures are generated
    (reference.py)."""

    provider_class: ClassVar[type[DeclaredProvider]]

    def __init__(
        self,
        resource_name: str,
        args: Any = None,
        opts: pulumi.ResourceOptions | None = None,
        **kwargs: Any,
    ) -> None:
        schema = self.provider_class.schema
        args = args_from(schema.resource, resource_name, schema.args, args, kwargs)
        props, opts = declared_props(schema, args, opts, self.internal_properties(resource_name))
        # Registered from here, not a helper: the engine records this call's place and its callers' in the
        # state of every resource (sourcePosition, stackTrace), one frame each.
        super().__init__(self.provider_class(), resource_name, props, opts)
        use_python_names(self, schema)

    def internal_properties(self, resource_name: str) -> dict[str, Any]:
        """Properties the provider keeps beside the inputs (the Instance's ownership mark)."""
        return {}
