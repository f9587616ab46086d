"""A part's create cut short by an interrupt after it opened something: it stays, and the error names it and
the import id that takes it over (no call may be sent any more to remove it)."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from pulumi.dynamic import ConfigureRequest
from pulumi.dynamic.config import Config

from tcr_provider.emulator import Emulator
from tcr_provider.errors import Interrupted
from tcr_provider.resources.vpc_attachment import VpcAttachmentProvider
from tcr_provider.testing import buy_running_out_of_band

from ..support import Control, provider_config, sdk_call
from .conftest import interrupt_when

VPC, SUBNET = "vpc-0a1b2c3d", "subnet-0a1b2c3d"

pytestmark = pytest.mark.usefixtures("interrupt")


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    # VPC access takes long enough to settle that an interrupt surely lands while the provider waits for it.
    with Emulator(create_seconds=0.1, delete_seconds=0.1, modify_seconds=30, rate_limit=0) as emu:
        yield emu


def test_vpc_access_interrupted_while_it_settles_is_left_named_with_its_import_id(
    emulator: Emulator, control: Control, interrupt: threading.Event
) -> None:
    registry_id = buy_running_out_of_band(emulator, "part-stop")
    provider = VpcAttachmentProvider()
    provider.configure(ConfigureRequest(Config(dict(provider_config(emulator)), "testing")))
    inputs = provider.check({}, {"registryId": registry_id, "vpcId": VPC, "subnetId": SUBNET}).inputs
    interrupt_when(lambda: control.requests("ManageInternalEndpoint") == 1, interrupt)
    with pytest.raises(Interrupted) as raised:
        provider.create(dict(inputs))
    message = str(raised.value)
    assert f"({registry_id}/{VPC}/{SUBNET})" in message and "adopt_existing=True" in message
    assert "left as it is" in message
    attachments = sdk_call(emulator, "tcr", "DescribeInternalEndpoints", {"RegistryId": registry_id})["AccessVpcSet"]
    assert [a["VpcId"] for a in attachments] == [VPC]
    assert control.requests("ManageInternalEndpoint") == 1
