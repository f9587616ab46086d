"""A part's create cut short by an interrupt after it opened something: it stays, and the error names it and
the import id that takes it over (no call may be sent any more to remove it)."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from pulumi.dynamic import ConfigureRequest
from pulumi.dynamic.config import Config

from tcr_provider import server_pool
from tcr_provider.emulator import Emulator
from tcr_provider.errors import Interrupted
from tcr_provider.resources.vpc_attachment import VpcAttachmentProvider
from tcr_provider.testing import wait_until

from ..support import Control, provider_config, sdk_call

VPC, SUBNET = "vpc-0a1b2c3d", "subnet-0a1b2c3d"


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    # VPC access takes long enough to settle that an interrupt surely lands while the provider waits for it.
    with Emulator(create_seconds=0.1, delete_seconds=0.1, modify_seconds=30, rate_limit=0) as emu:
        yield emu


@pytest.fixture(autouse=True)
def interrupt() -> Iterator[threading.Event]:
    server_pool.INTERRUPTED.clear()
    yield server_pool.INTERRUPTED
    server_pool.INTERRUPTED.clear()


def test_vpc_access_interrupted_while_it_settles_is_left_named_with_its_import_id(
    emulator: Emulator, control: Control, interrupt: threading.Event
) -> None:
    registry_id = sdk_call(emulator, "tcr", "CreateInstance", {"RegistryName": "part-stop", "RegistryType": "basic"})[
        "RegistryId"
    ]
    wait_until(lambda: (control.instance(registry_id) or {}).get("Status") == "Running", what="the registry")
    provider = VpcAttachmentProvider()
    provider.configure(ConfigureRequest(Config(dict(provider_config(emulator)), "testing")))
    inputs = provider.check({}, {"registryId": registry_id, "vpcId": VPC, "subnetId": SUBNET}).inputs

    def cancel_once_sent() -> None:
        wait_until(lambda: control.requests("ManageInternalEndpoint") == 1, timeout=30)
        interrupt.set()

    threading.Thread(target=cancel_once_sent, daemon=True).start()
    with pytest.raises(Interrupted) as raised:
        provider.create(dict(inputs))
    message = str(raised.value)
    assert f"import_='{registry_id}/{VPC}'" in message and "left as it is" in message
    attachments = sdk_call(emulator, "tcr", "DescribeInternalEndpoints", {"RegistryId": registry_id})["AccessVpcSet"]
    assert [a["VpcId"] for a in attachments] == [VPC]
    assert control.requests("ManageInternalEndpoint") == 1
