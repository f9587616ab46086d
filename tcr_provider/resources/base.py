"""What every part of a registry shares as a Pulumi resource: its registry id, its region, how a program
builds it from an Args dataclass (or keyword arguments), and its outputs under Python names."""

import dataclasses
import re
from collections.abc import Sequence
from typing import Annotated, Any

import pulumi
from pulumi.dynamic import ResourceProvider

from ..fields import Check, Schema, to_camel, to_snake

REGISTRY_ID = re.compile(r"^tcr-[a-z0-9]{8}$")


def _check_registry_id(value: str) -> str:
    if not REGISTRY_ID.match(value):
        raise ValueError(
            f"{value!r} is not a registry id: pass the Instance's registry_id (`tcr-` and 8 lower-case letters or "
            "digits)"
        )
    return value


RegistryId = Annotated[str, Check(_check_registry_id)]


def output_keys(outputs: type) -> tuple[str, ...]:
    return tuple(to_camel(name) for name in outputs.__annotations__)


def args_from(kind: str, resource_name: str, args_class: type, args: Any, kwargs: dict[str, Any]) -> Any:
    """The Args of a resource given as an Args object, keyword arguments, or both (keywords win)."""
    names = {f.name for f in dataclasses.fields(args_class)}
    unknown = sorted(set(kwargs) - names)
    if unknown:
        raise TypeError(f"{kind} {resource_name!r}: unknown argument(s) {', '.join(unknown)}")
    if args is None:
        return args_class(**kwargs)
    return dataclasses.replace(args, **kwargs) if kwargs else args


def register(
    resource: pulumi.dynamic.Resource,
    provider: ResourceProvider,
    resource_name: str,
    args: Any,
    schema: Schema,
    outputs: Sequence[str],
    opts: pulumi.ResourceOptions | None,
    secrets: Sequence[str] = (),
) -> None:
    """Register a part with the engine, every declared input and output present, outputs under Python names."""
    props: dict[str, Any] = {key: None for key in (*schema.keys, *outputs)}
    props.update({f.key: getattr(args, f.name) for f in schema.fields if getattr(args, f.name) is not None})
    if secrets:
        opts = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(additional_secret_outputs=list(secrets)))
    pulumi.dynamic.Resource.__init__(resource, provider, resource_name, props, opts)
    # The engine's property names are camelCase; Pulumi names an output attribute after its property.
    for key in (*outputs, *schema.keys):
        snake = to_snake(key)
        if snake != key and key in resource.__dict__:
            resource.__dict__[snake] = resource.__dict__.pop(key)
