"""The Tag API's actions: read the parameters, check them, change the tag store, shape the reply."""

from __future__ import annotations

import hashlib
import re

from ... import rules
from ...errors import ApiError, InvalidParameterValue, LimitExceeded, MissingParameter
from ...rules import TagProblem
from ...schema import ListOf, Params, optional, required
from ..base import Account, CallContext, Reply, Service, action, struct
from ..tcr.model import TcrBackend
from .model import ResourceKey, TagStore

_RESOURCE_NAME = re.compile(
    r"qcs::(?P<service>[a-z0-9]+):(?P<region>[a-z0-9-]*):uin/(?P<uin>\d*):(?P<prefix>[A-Za-z0-9_-]+)/(?P<id>[^/]+(?:/[^/]+)?)"
)
_PROBLEM_CODES = {
    TagProblem.KEY_EMPTY: "TagKeyEmpty",
    TagProblem.KEY_TOO_LONG: "TagKeyLengthExceeded",
    TagProblem.KEY_RESERVED: "ReservedTagKey",
    TagProblem.KEY_ILLEGAL: "TagKeyCharacterIllegal",
    TagProblem.VALUE_EMPTY: "TagValueEmpty",
    TagProblem.VALUE_TOO_LONG: "TagValueLengthExceeded",
    TagProblem.VALUE_ILLEGAL: "TagValueCharacterIllegal",
}
_CATEGORIES = ("All", "Custom", "System")
# The resource prefixes of TCR the Tag API takes: an instance (instance/<id>) and a namespace
# (repository/<id>/<namespace>, as the Terraform provider's namespace update names it for ModifyResourceTags).
_NAMESPACE_PREFIX = "repository"
_PREFIXES = ("instance", _NAMESPACE_PREFIX)
_TAG = struct(TagKey=required(str), TagValue=required(str), Category=optional(str))


class TagApi(Service):
    name = "tag"
    version = "2018-08-13"
    regional = False

    def __init__(self, tags: TagStore, tcr: TcrBackend, account: Account) -> None:
        self.tags = tags
        self.tcr = tcr
        self.account = account

    @action(
        "ModifyResourceTags",
        Resource=required(str),
        ReplaceTags=optional(ListOf(_TAG)),
        DeleteTags=optional(ListOf(struct(TagKey=required(str)))),
    )
    def modify_resource_tags(self, context: CallContext, params: Params) -> Reply:
        replace_tags, delete_tags = params.records("ReplaceTags"), params.records("DeleteTags")
        if replace_tags is None and delete_tags is None:
            raise MissingParameter("ModifyResourceTags needs ReplaceTags, DeleteTags or both.")
        replacements = _tags(replace_tags, "ReplaceTags") if replace_tags is not None else {}
        deletions = _keys([tag.text("TagKey") for tag in delete_tags], "DeleteTags") if delete_tags is not None else []
        if both := sorted(set(replacements) & set(deletions)):
            raise InvalidParameterValue(
                f"The tag keys {both} are in both ReplaceTags and DeleteTags.", sub="DeleteTagsParamError"
            )
        resource = self._resource(params.text("Resource"))
        self._put(resource, replacements)
        self._remove(resource, deletions)
        return {}

    @action("TagResources", ResourceList=required(ListOf(str)), Tags=required(ListOf(_TAG)))
    def tag_resources(self, context: CallContext, params: Params) -> Reply:
        tags = _tags(params.records("Tags") or [], "Tags")
        failed: list[dict[str, str]] = []
        for name in _resource_names(params.texts("ResourceList") or []):
            try:
                self._put(self._resource(name), tags)
            except ApiError as error:
                failed.append({"Resource": name, "Code": error.code, "Message": error.message})
        return {"FailedResources": failed}

    @action("UnTagResources", ResourceList=required(ListOf(str)), TagKeys=required(ListOf(str)))
    def untag_resources(self, context: CallContext, params: Params) -> Reply:
        keys = _keys(params.texts("TagKeys") or [], "TagKeys")
        failed: list[dict[str, str]] = []
        for name in _resource_names(params.texts("ResourceList") or []):
            try:
                resource = self._resource(name)
            except ApiError as error:
                failed.append({"Resource": name, "Code": error.code, "Message": error.message})
                continue
            self._remove(resource, keys)
        return {"FailedResources": failed}

    @action(
        "DescribeResourceTagsByResourceIds",
        ServiceType=required(str),
        ResourcePrefix=required(str),
        ResourceIds=required(ListOf(str)),
        ResourceRegion=required(str),
        Offset=optional(int),
        Limit=optional(int),
        Category=optional(str),
    )
    def describe_resource_tags_by_resource_ids(self, context: CallContext, params: Params) -> Reply:
        resource_ids = params.texts("ResourceIds") or []
        if len(resource_ids) > rules.MAX_RESOURCE_IDS_PER_DESCRIBE:
            raise LimitExceeded(
                f"ResourceIds takes at most {rules.MAX_RESOURCE_IDS_PER_DESCRIBE} ids.", sub="ResourceNumPerRequest"
            )
        offset, limit = params.integer("Offset", 0), params.integer("Limit", rules.TAG_DESCRIBE_DEFAULT_LIMIT)
        if limit < 1 or offset < 0 or offset % limit:
            raise InvalidParameterValue("Limit must be 1 or more and Offset a multiple of Limit.", sub="OffsetInvalid")
        category = params.text("Category", "All")
        if category not in _CATEGORIES:
            raise InvalidParameterValue(f"Category must be one of {', '.join(_CATEGORIES)}.")
        service, prefix = params.text("ServiceType"), params.text("ResourcePrefix")
        rows = [
            _tag_resource(service, resource_id, key, value)
            for resource_id in resource_ids
            for key, value in self.tags.tags_of(
                ResourceKey(service, params.text("ResourceRegion"), prefix, resource_id)
            ).items()
            # Every tag the emulator stores was set by a user: none is a System tag.
            if category != "System"
        ]
        return {"TotalCount": len(rows), "Offset": offset, "Limit": limit, "Tags": rows[offset : offset + limit]}

    def _resource(self, name: str) -> ResourceKey:
        match = _RESOURCE_NAME.fullmatch(name)
        if match is None:
            raise InvalidParameterValue(
                f"{name!r} is not a resource name of the form qcs::<service>:<region>:uin/<uin>:<prefix>/<id>.",
                sub="ResourceDescriptionError",
            )
        if match["uin"] not in ("", self.account.uin):
            raise InvalidParameterValue(f"The uin in {name!r} is not this account's.", sub="UinInvalid")
        if match["service"] != "tcr":
            raise InvalidParameterValue(
                f"The emulator holds tcr resources only, not {match['service']}.", sub="ServiceTypeInvalid"
            )
        if match["prefix"] not in _PREFIXES:
            raise InvalidParameterValue(
                f"TCR tags instances and namespaces (repository/<instance>/<namespace>) only, not {match['prefix']}.",
                sub="ResourcePrefixInvalid",
            )
        resource = ResourceKey("tcr", match["region"], match["prefix"], match["id"])
        registry_id, _, namespace = resource.resource_id.partition("/")
        instance = next((i for i in self.tcr.instances(resource.region) if i.registry_id == registry_id), None)
        if instance is None or bool(namespace) != (resource.prefix == _NAMESPACE_PREFIX):
            raise InvalidParameterValue(
                f"There is no TCR {resource.prefix} {resource.resource_id} in {resource.region or 'an empty region'}.",
                sub="ResourceIdInvalid",
            )
        if namespace and namespace not in instance.namespaces.by_name:
            raise InvalidParameterValue(
                f"The TCR instance {registry_id} has no namespace {namespace!r}.", sub="ResourceIdInvalid"
            )
        return resource

    # A namespace's tags are the namespace's own (what DescribeNamespaces reports as its TagSpecification);
    # an instance's are in the store TCR's TagSpecification shares.
    def _put(self, resource: ResourceKey, tags: dict[str, str]) -> None:
        if resource.prefix != _NAMESPACE_PREFIX:
            self.tags.put(resource, tags)
            return
        namespace_tags = self._namespace_tags(resource)
        if len({*namespace_tags, *tags}) > rules.MAX_TAGS_PER_RESOURCE:
            raise LimitExceeded(
                f"A resource holds at most {rules.MAX_TAGS_PER_RESOURCE} tags.", sub="ResourceAttachedTags"
            )
        namespace_tags.update(tags)

    def _remove(self, resource: ResourceKey, keys: list[str]) -> None:
        if resource.prefix != _NAMESPACE_PREFIX:
            self.tags.remove(resource, keys)
            return
        namespace_tags = self._namespace_tags(resource)
        for key in keys:
            namespace_tags.pop(key, None)

    def _namespace_tags(self, resource: ResourceKey) -> dict[str, str]:
        registry_id, _, name = resource.resource_id.partition("/")
        return self.tcr.get(resource.region, registry_id).namespaces.by_name[name].tags


def _tags(tags: list[Params], parameter: str) -> dict[str, str]:
    pairs = {tag.text("TagKey"): tag.text("TagValue") for tag in tags}
    _keys([tag.text("TagKey") for tag in tags], parameter)
    for key, value in pairs.items():
        if problem := rules.tag_problem(key, value):
            raise InvalidParameterValue(f"{parameter}: the tag {key!r}: {problem.value}.", sub=_PROBLEM_CODES[problem])
    return pairs


def _keys(keys: list[str], parameter: str) -> list[str]:
    if not keys:
        raise InvalidParameterValue(f"{parameter} may be left out but not empty.")
    if len(keys) > rules.MAX_TAGS_PER_REQUEST:
        raise LimitExceeded(f"{parameter} takes at most {rules.MAX_TAGS_PER_REQUEST} tags.", sub="TagNumPerRequest")
    if len(set(keys)) != len(keys):
        raise InvalidParameterValue(f"{parameter} names a tag key twice.", sub="TagKeyDuplicate")
    for key in keys:
        if (problem := rules.tag_key_problem(key)) is TagProblem.KEY_EMPTY:
            raise InvalidParameterValue(f"{parameter}: {problem.value}.", sub=_PROBLEM_CODES[problem])
    return keys


def _resource_names(names: list[str]) -> list[str]:
    if not names:
        raise InvalidParameterValue("ResourceList may not be empty.")
    if len(names) > rules.MAX_RESOURCES_PER_REQUEST:
        raise LimitExceeded(
            f"ResourceList takes at most {rules.MAX_RESOURCES_PER_REQUEST} resources.", sub="ResourceNumPerRequest"
        )
    return names


def _tag_resource(service: str, resource_id: str, key: str, value: str) -> dict[str, str]:
    return {
        "TagKey": key,
        "TagValue": value,
        "ResourceId": resource_id,
        "TagKeyMd5": hashlib.md5(key.encode(), usedforsecurity=False).hexdigest(),
        "TagValueMd5": hashlib.md5(value.encode(), usedforsecurity=False).hexdigest(),
        "ServiceType": service,
        "Category": "Custom",
    }
