"""Instance: a TCR Enterprise instance, the registry itself. Its inputs and outputs are declared in args.py,
and what its provider does beyond the shared lifecycle is in provider.py."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, overload

import pulumi

from ...ownership import OWNER_PROPERTY, Owner
from ..common import DeclaredResource, Region, declared_props, use_python_names
from .args import INSTANCE, ChargeType, InstanceArgs, InstanceOutputs, InstanceType, RegistryName, RenewFlag
from .provider import InstanceProvider

__all__ = ["Instance", "InstanceArgs", "InstanceProvider"]


class Instance(DeclaredResource, InstanceOutputs, module="tcr", name="Instance"):
    """A TCR Enterprise instance (type token `pulumi-python:dynamic/tcr:Instance`).

    Its outputs are those of `InstanceOutputs`, and every input of `InstanceArgs` is echoed as an output of the
    same name (`instance.tags`).
    """

    provider_class = InstanceProvider

    if TYPE_CHECKING:
        # The echoed inputs are set per declaration at run time; an editor sees them as outputs.
        def __getattr__(self, name: str) -> pulumi.Output[Any]: ...

        # BEGIN generated: Instance signatures
        @overload
        def __init__(
            self,
            resource_name: str,
            args: InstanceArgs,
            opts: pulumi.ResourceOptions | None = None,
        ) -> None: ...

        @overload
        def __init__(
            self,
            resource_name: str,
            args: None = None,
            opts: pulumi.ResourceOptions | None = None,
            *,
            name: pulumi.Input[RegistryName],
            region: pulumi.Input[Region] | None = None,
            instance_type: pulumi.Input[InstanceType] | None = None,
            tags: pulumi.Input[dict[str, pulumi.Input[str]]] | None = None,
            deletion_protection: pulumi.Input[bool] | None = None,
            delete_bucket: pulumi.Input[bool] | None = None,
            charge_type: pulumi.Input[ChargeType] | None = None,
            prepaid_period: pulumi.Input[int] | None = None,
            renew_flag: pulumi.Input[RenewFlag] | None = None,
            enable_cos_maz: pulumi.Input[bool] | None = None,
            enable_cos_versioning: pulumi.Input[bool] | None = None,
            sync_tags_to_bucket: pulumi.Input[bool] | None = None,
            adopt_existing: pulumi.Input[bool] | None = None,
        ) -> None: ...

        def __init__(self, *args: Any, **kwargs: Any) -> None: ...

        # END generated: Instance signatures

    def internal_properties(self, resource_name: str) -> dict[str, Any]:
        # The mark the provider tags a purchase with, to recognise it after an interruption (ownership.py).
        return {OWNER_PROPERTY: Owner.of(pulumi.get_project(), pulumi.get_stack(), resource_name).to_property()}

    @staticmethod
    def get(
        resource_name: str,
        id: pulumi.Input[str],
        region: pulumi.Input[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> Instance:
        """A read-only reference to an existing instance, looked up by registry id."""
        instance: Instance = Instance.__new__(Instance)
        opts = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(id=id))
        props, opts = declared_props(INSTANCE, None, opts, {"region": region})
        pulumi.dynamic.Resource.__init__(instance, InstanceProvider(), resource_name, props, opts)
        use_python_names(instance, INSTANCE)
        return instance
