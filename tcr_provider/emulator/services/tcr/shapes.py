"""Request and reply pieces several TCR action groups share: tag specifications, paging, Go-style times."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TypeVar

from ...errors import InvalidParameter, InvalidParameterValue
from ...schema import ListOf, Params, required
from ..base import struct

TAG = struct(Key=required(str), Value=required(str))
TAG_SPECIFICATION = struct(ResourceType=required(str), Tags=required(ListOf(TAG)))

_Item = TypeVar("_Item")


def tag_specification(specification: Params | None, resource_type: str) -> dict[str, str] | None:
    """The tags a TagSpecification gives, or ``None`` when there is none."""
    if specification is None:
        return None
    if specification.text("ResourceType") != resource_type:
        raise InvalidParameterValue(f'TagSpecification.ResourceType must be "{resource_type}".')
    tags: dict[str, str] = {}
    for tag in specification.records("Tags") or []:
        if tag.text("Key") in tags:
            raise InvalidParameter(f"The tag key {tag.text('Key')!r} is given twice.")
        tags[tag.text("Key")] = tag.text("Value")
    return tags


def tag_specification_reply(resource_type: str, tags: Mapping[str, str]) -> dict[str, object]:
    return {"ResourceType": resource_type, "Tags": [{"Key": key, "Value": value} for key, value in tags.items()]}


def paging(params: Params, default_limit: int) -> tuple[int, int]:
    """Offset and Limit: Offset 0 or more, Limit 1 or more (no maximum)."""
    offset, limit = params.integer("Offset", 0), params.integer("Limit", default_limit)
    if offset < 0 or limit < 1:
        raise InvalidParameterValue("Offset must be 0 or more and Limit 1 or more.")
    return offset, limit


def page_number(items: Sequence[_Item], page: int, limit: int) -> list[_Item]:
    """Page ``page`` (counted from 0) of ``limit`` items each."""
    return list(items[page * limit : (page + 1) * limit])


def go_time(moment: datetime) -> str:
    """A time as Go's ``time.Time.String()`` prints it, the format the SDK documents for repository times:
    ``2006-01-02 15:04:05.999999999 -0700 MST``, fractional seconds only when there are any."""
    fraction = f".{moment.microsecond:06d}".rstrip("0") if moment.microsecond else ""
    return f"{moment:%Y-%m-%d %H:%M:%S}{fraction} {moment:%z %Z}"
