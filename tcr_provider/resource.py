"""Instance and InstanceArgs: what a Pulumi program touches."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import pulumi
from pulumi.dynamic import Resource
from pydantic.alias_generators import to_camel, to_snake

from .provider import InstanceProvider
from .spec import OUTPUT_KEYS


@dataclass
class InstanceArgs:
    """Inputs of a TCR Enterprise instance. Each field takes a plain value or a Pulumi Input.

    name and region (and the purchase-time settings charge_type, enable_cos_maz, sync_tags_to_bucket)
    replace the instance when changed; instance_type, tags, deletion_protection and
    enable_cos_versioning change in place.
    """

    name: pulumi.Input[str]
    region: pulumi.Input[str] | None = None
    instance_type: pulumi.Input[str] | None = None
    tags: pulumi.Input[dict[str, pulumi.Input[str]]] | None = None
    deletion_protection: pulumi.Input[bool] | None = None
    delete_bucket: pulumi.Input[bool] | None = None
    charge_type: pulumi.Input[str] | None = None
    prepaid_period: pulumi.Input[int] | None = None
    renew_flag: pulumi.Input[str] | None = None
    enable_cos_maz: pulumi.Input[bool] | None = None
    enable_cos_versioning: pulumi.Input[bool] | None = None
    sync_tags_to_bucket: pulumi.Input[bool] | None = None
    adopt_existing: pulumi.Input[bool] | None = None
    _extra: dict[str, Any] = field(default_factory=dict, repr=False)

    def props(self) -> dict[str, Any]:
        return {
            to_camel(f.name): getattr(self, f.name)
            for f in dataclasses.fields(self)
            if not f.name.startswith("_") and getattr(self, f.name) is not None
        }


_ARG_NAMES = frozenset(f.name for f in dataclasses.fields(InstanceArgs) if not f.name.startswith("_"))


class Instance(Resource, module="tcr", name="Instance"):
    """A TCR Enterprise instance (type token `pulumi-python:dynamic/tcr:Instance`)."""

    # Inputs, echoed as outputs.
    name: pulumi.Output[str]
    region: pulumi.Output[str]
    instance_type: pulumi.Output[str]
    tags: pulumi.Output[dict[str, str]]
    deletion_protection: pulumi.Output[bool]
    delete_bucket: pulumi.Output[bool]
    charge_type: pulumi.Output[str]
    prepaid_period: pulumi.Output[int | None]
    renew_flag: pulumi.Output[str]
    enable_cos_maz: pulumi.Output[bool]
    enable_cos_versioning: pulumi.Output[bool]
    sync_tags_to_bucket: pulumi.Output[bool]
    adopt_existing: pulumi.Output[bool]
    # Outputs.
    registry_id: pulumi.Output[str]
    status: pulumi.Output[str]
    domain: pulumi.Output[str]
    vpc_domain: pulumi.Output[str]
    internal_endpoint: pulumi.Output[str]
    cos_bucket: pulumi.Output[str]
    cos_bucket_region: pulumi.Output[str]
    region_id: pulumi.Output[int]
    created_at: pulumi.Output[str]
    expired_at: pulumi.Output[str | None]

    def __init__(
        self,
        resource_name: str,
        args: InstanceArgs | None = None,
        opts: pulumi.ResourceOptions | None = None,
        **kwargs: Any,
    ) -> None:
        unknown = sorted(set(kwargs) - _ARG_NAMES)
        if unknown:
            raise TypeError(f"Instance {resource_name!r}: unknown argument(s) {', '.join(unknown)}")
        if args is not None and kwargs:
            args = dataclasses.replace(args, **kwargs)
        elif args is None:
            if "name" not in kwargs:
                raise TypeError(f"Instance {resource_name!r}: name is required")
            args = InstanceArgs(**kwargs)
        props = args.props()
        # An output exists on the resource only if its key is present in the props given to the engine.
        props.update({key: None for key in OUTPUT_KEYS})
        props.update({to_camel(name): props.get(to_camel(name)) for name in _ARG_NAMES})
        super().__init__(InstanceProvider(), resource_name, props, opts)
        _use_python_names(self)

    @staticmethod
    def get(
        resource_name: str,
        id: pulumi.Input[str],
        region: pulumi.Input[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> Instance:
        """A read-only reference to an existing instance, looked up by registry id."""
        instance: Instance = Instance.__new__(Instance)
        props: dict[str, Any] = {to_camel(name): None for name in _ARG_NAMES}
        props.update({key: None for key in OUTPUT_KEYS})
        props["region"] = region
        Resource.__init__(
            instance,
            InstanceProvider(),
            resource_name,
            props,
            pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(id=id)),
        )
        _use_python_names(instance)
        return instance


def _use_python_names(instance: Instance) -> None:
    # The engine's property names are camelCase (`registryId`), and Pulumi names an output attribute after
    # its property. Its name translation hooks would also rewrite the keys of nested dicts (tag keys such
    # as `cost-center`), so the attributes are renamed here instead.
    for key in [*OUTPUT_KEYS, *(to_camel(name) for name in _ARG_NAMES)]:
        snake = to_snake(key)
        if snake != key and key in instance.__dict__:
            instance.__dict__[snake] = instance.__dict__.pop(key)
