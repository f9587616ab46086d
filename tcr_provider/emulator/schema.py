"""Declared request parameters: each action lists its fields, and a request is checked against them.

Names are checked exactly (the real API answers ``UnknownParameter`` for a misspelt one), required fields
must be present, and values must have the declared type. GET requests carry every value as text, so
there the same declaration also says how to read it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypeAlias

from .errors import InvalidParameterValue, MissingParameter, UnknownParameter


@dataclass(frozen=True)
class ListOf:
    item: Shape


@dataclass(frozen=True)
class Struct:
    fields: Mapping[str, Field]


Shape: TypeAlias = type[str] | type[int] | type[bool] | ListOf | Struct


@dataclass(frozen=True)
class Field:
    shape: Shape
    required: bool = False


def required(shape: Shape) -> Field:
    return Field(shape, required=True)


def optional(shape: Shape) -> Field:
    return Field(shape)


_INTEGER_TEXT = re.compile(r"-?\d+")
_BOOLEAN_TEXT = {"true": True, "1": True, "false": False, "0": False}


class Params:
    """A request's parameters after :func:`conform`: typed reads that trust the declaration."""

    def __init__(self, values: Mapping[str, object]) -> None:
        self._values = values

    def __contains__(self, name: str) -> bool:
        return name in self._values

    def text(self, name: str, default: str = "") -> str:
        value = self._values.get(name, default)
        assert isinstance(value, str)
        return value

    def integer(self, name: str, default: int = 0) -> int:
        value = self._values.get(name, default)
        assert isinstance(value, int)
        return value

    def flag(self, name: str, default: bool = False) -> bool:
        value = self._values.get(name, default)
        assert isinstance(value, bool)
        return value

    def optional_flag(self, name: str) -> bool | None:
        return self.flag(name) if name in self._values else None

    def optional_text(self, name: str) -> str | None:
        return self.text(name) if name in self._values else None

    def texts(self, name: str) -> list[str] | None:
        value = self._values.get(name)
        if value is None:
            return None
        assert isinstance(value, list)
        return [str(item) for item in value]

    def record(self, name: str) -> Params | None:
        value = self._values.get(name)
        if value is None:
            return None
        assert isinstance(value, Mapping)
        return Params(value)

    def records(self, name: str) -> list[Params] | None:
        value = self._values.get(name)
        if value is None:
            return None
        assert isinstance(value, list)
        return [Params(item) for item in value]


def conform(values: Mapping[str, object], fields: Mapping[str, Field], *, textual: bool) -> Params:
    """Check ``values`` against ``fields``; ``textual`` means scalars arrived as text (a GET query)."""
    return Params(_conform_struct(values, fields, textual=textual, path=""))


def _conform_struct(
    values: Mapping[str, object], fields: Mapping[str, Field], *, textual: bool, path: str
) -> dict[str, object]:
    for name in values:
        if name not in fields:
            raise UnknownParameter(f"The parameter `{path}{name}` is not recognized.")
    conformed: dict[str, object] = {}
    for name, field in fields.items():
        value = values.get(name)
        if value is None:
            if field.required:
                raise MissingParameter(f"The request is missing a required parameter `{path}{name}`.")
            continue
        conformed[name] = _conform_value(value, field.shape, textual=textual, path=f"{path}{name}")
    return conformed


def _conform_value(value: object, shape: Shape, *, textual: bool, path: str) -> object:
    if isinstance(shape, ListOf):
        if not isinstance(value, list):
            raise _wrong_type(path, "a list")
        return [
            _conform_value(item, shape.item, textual=textual, path=f"{path}.{index}")
            for index, item in enumerate(value)
        ]
    if isinstance(shape, Struct):
        if not isinstance(value, Mapping):
            raise _wrong_type(path, "an object")
        return _conform_struct(value, shape.fields, textual=textual, path=f"{path}.")
    if shape is bool:
        if textual and isinstance(value, str) and value.lower() in _BOOLEAN_TEXT:
            return _BOOLEAN_TEXT[value.lower()]
        if not isinstance(value, bool):
            raise _wrong_type(path, "a boolean")
        return value
    if shape is int:
        if textual and isinstance(value, str) and _INTEGER_TEXT.fullmatch(value):
            return int(value)
        # bool is an int to Python but not to the API.
        if not isinstance(value, int) or isinstance(value, bool):
            raise _wrong_type(path, "an integer")
        return value
    if not isinstance(value, str):
        raise _wrong_type(path, "a string")
    return value


def _wrong_type(path: str, expected: str) -> InvalidParameterValue:
    return InvalidParameterValue(f"The value of the parameter `{path}` must be {expected}.")
