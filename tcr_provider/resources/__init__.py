"""Every resource of this package, each a Pulumi dynamic resource declared in one module of this folder: the
Instance (instance/) and the parts of a registry (VPC access, namespaces, access tokens, public access).

A module (or package) here is a resource when it defines `<Name>`, `<Name>Args` and `<Name>Provider` (whose
`schema` declares its fields): `catalog()` finds it, and with it the README's tables (reference.py), the
public names of `tcr_provider` and the example program.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from ..fields import Schema

if TYPE_CHECKING:
    from ..lifecycle import DeclaredProvider


@dataclass(frozen=True)
class Declared:
    """One resource of the catalog: its module, its resource class, its provider class and its schema."""

    module: str
    resource: type
    provider: type[DeclaredProvider]

    @property
    def schema(self) -> Schema:
        return self.provider.schema

    @property
    def name(self) -> str:
        return self.schema.resource

    @property
    def args(self) -> type:
        return self.schema.args


@cache
def catalog() -> tuple[Declared, ...]:
    """Every resource, the Instance first, then the parts in alphabetical order."""
    found: list[Declared] = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: (m.name != "instance", m.name)):
        module = importlib.import_module(f".{info.name}", __name__)
        name = "".join(part.capitalize() for part in info.name.split("_"))
        resource, provider = getattr(module, name, None), getattr(module, f"{name}Provider", None)
        if resource is not None and provider is not None and hasattr(provider, "schema"):
            found.append(Declared(info.name, resource, provider))
    return tuple(found)


def schemas() -> tuple[Schema, ...]:
    return tuple(d.schema for d in catalog())


__all__ = ["Declared", "catalog", "schemas"]
