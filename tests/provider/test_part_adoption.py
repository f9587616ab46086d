"""A part that exists already (made elsewhere, or by a create that was interrupted) is refused with the step
that works, and taken over with adopt_existing=True, brought to the program's settings."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from pulumi.dynamic import ConfigureRequest
from pulumi.dynamic.config import Config

from tcr_provider.emulator import Emulator
from tcr_provider.errors import AlreadyExists
from tcr_provider.lifecycle import PartProvider
from tcr_provider.resources.namespace import NamespaceProvider
from tcr_provider.resources.public_access import PublicAccessProvider
from tcr_provider.resources.vpc_attachment import VpcAttachmentProvider
from tcr_provider.testing import buy_running_out_of_band

from ..support import Control, provider_config, sdk_call

VPC, SUBNET = "vpc-0a1b2c3d", "subnet-0a1b2c3d"


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    with Emulator(create_seconds=0.1, delete_seconds=0.1, modify_seconds=0.2, rate_limit=0) as emu:
        yield emu


def configured(kind: type[PartProvider], emulator: Emulator) -> Any:
    provider = kind()
    provider.configure(ConfigureRequest(Config(dict(provider_config(emulator)), "testing")))
    return provider


def make_elsewhere(emulator: Emulator, kind: str, registry_id: str) -> None:
    calls = {
        "namespace": [("CreateNamespace", {"NamespaceName": "web", "IsPublic": True})],
        "vpc": [("ManageInternalEndpoint", {"Operation": "Create", "VpcId": VPC, "SubnetId": SUBNET})],
        "public": [("ManageExternalEndpoint", {"Operation": "Create"})],
    }[kind]
    for action, params in calls:
        sdk_call(emulator, "tcr", action, {"RegistryId": registry_id, **params})


@pytest.mark.parametrize(
    ("kind", "provider_kind", "props", "part_id"),
    [
        ("namespace", NamespaceProvider, {"name": "web", "isPublic": False}, "web"),
        (
            "vpc",
            VpcAttachmentProvider,
            {"vpcId": VPC, "subnetId": SUBNET, "enableVpcDomainDns": True},
            f"{VPC}/{SUBNET}",
        ),
        ("public", PublicAccessProvider, {"allow": [{"cidr": "203.0.113.0/24", "description": "CI"}]}, "public"),
    ],
)
def test_an_existing_part_is_refused_naming_adopt_existing_then_taken_over_with_it(
    emulator: Emulator,
    control: Control,
    kind: str,
    provider_kind: type[PartProvider],
    props: dict[str, Any],
    part_id: str,
) -> None:
    registry_id = buy_running_out_of_band(emulator, f"adopt-{kind}")
    make_elsewhere(emulator, kind, registry_id)
    provider = configured(provider_kind, emulator)
    refused = provider.check({}, {"registryId": registry_id, **props})
    with pytest.raises(AlreadyExists) as raised:
        provider.create(dict(refused.inputs))
    assert "adopt_existing=True" in str(raised.value) and "import_" not in str(raised.value)
    adopting = provider.check({}, {"registryId": registry_id, **props, "adoptExisting": True})
    made = provider.create(dict(adopting.inputs))
    assert made.id == f"{registry_id}/{part_id}"
    read = provider.read(made.id, dict(made.outs or {}))
    assert read.inputs is not None
    for key, value in props.items():
        assert read.inputs[key] == value, key  # brought to the program's settings
    assert provider.diff(made.id, read.inputs, dict(adopting.inputs)).changes is False
