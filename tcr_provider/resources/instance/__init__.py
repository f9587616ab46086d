"""Instance: what a Pulumi program touches. Its inputs are declared by `InstanceArgs` (spec.py)."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

import pulumi
from pulumi.dynamic import Resource

from .fields import to_snake
from .ownership import OWNER_PROPERTY, Owner
from .provider import InstanceProvider
from .spec import INSTANCE, OUTPUT_KEYS, InstanceArgs, InstanceOutputs

__all__ = ["Instance", "InstanceArgs"]


class Instance(Resource, InstanceOutputs, module="tcr", name="Instance"):
    """A TCR Enterprise instance (type token `pulumi-python:dynamic/tcr:Instance`).

    Its outputs are those of `InstanceOutputs`, and every input of `InstanceArgs` is echoed as an output of the
    same name (`instance.tags`).
    """

    if TYPE_CHECKING:
        # The echoed inputs are set per declaration at run time; an editor sees them as outputs.
        def __getattr__(self, name: str) -> pulumi.Output[Any]: ...

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
        # An output exists on the resource only if its key is present in the props given to the engine.
        props: dict[str, Any] = {key: None for key in (*INSTANCE.keys, *OUTPUT_KEYS)}
        props.update({f.key: getattr(args, f.name) for f in INSTANCE.fields if getattr(args, f.name) is not None})
        # The mark the provider tags a purchase with, to recognise it after an interruption (ownership.py).
        props[OWNER_PROPERTY] = Owner.of(pulumi.get_project(), pulumi.get_stack(), resource_name).to_property()
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
        props: dict[str, Any] = {key: None for key in (*INSTANCE.keys, *OUTPUT_KEYS)}
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


_ARG_NAMES = frozenset(f.name for f in INSTANCE.fields)


def _use_python_names(instance: Instance) -> None:
    # The engine's property names are camelCase (`registryId`), and Pulumi names an output attribute after
    # its property. Its name translation hooks would also rewrite the keys of nested dicts (tag keys such
    # as `cost-center`), so the attributes are renamed here instead.
    for key in (*OUTPUT_KEYS, *INSTANCE.keys):
        snake = to_snake(key)
        if snake != key and key in instance.__dict__:
            instance.__dict__[snake] = instance.__dict__.pop(key)
