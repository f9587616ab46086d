"""Faults in the middle of a part's change: public access is never left open with its allowlist emptied, a lost
answer to a delete of allowlist entries is recovered, and a wait that runs out names the setting that bounds it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from pulumi.dynamic import ConfigureRequest
from pulumi.dynamic.config import Config

from tcr_provider.emulator import Emulator
from tcr_provider.errors import ApiError, CreationFailed
from tcr_provider.lifecycle import PartProvider
from tcr_provider.resources.public_access import PublicAccessProvider
from tcr_provider.resources.vpc_attachment import VpcAttachmentProvider
from tcr_provider.testing import buy_running_out_of_band

from ..support import Control, provider_config, sdk_call

CI, OFFICE = "203.0.113.0/24", "198.51.100.0/24"


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    with Emulator(create_seconds=0.1, delete_seconds=0.1, modify_seconds=0.2, rate_limit=0) as emu:
        yield emu


def configured(kind: type[PartProvider], emulator: Emulator, **extra: str) -> Any:
    provider = kind()
    provider.configure(ConfigureRequest(Config(dict(provider_config(emulator, **extra)), "testing")))
    return provider


def checked(provider: PartProvider, **props: Any) -> dict[str, Any]:
    result = provider.check({}, props)
    assert result.failures == [], [f.reason for f in result.failures]
    return dict(result.inputs)


def allowlist(emulator: Emulator, registry_id: str) -> set[str]:
    answer = sdk_call(emulator, "tcr", "DescribeSecurityPolicies", {"RegistryId": registry_id})
    return {p["CidrBlock"] for p in answer["SecurityPolicySet"] or []}


def endpoint(emulator: Emulator, registry_id: str) -> str:
    return str(sdk_call(emulator, "tcr", "DescribeExternalEndpointStatus", {"RegistryId": registry_id})["Status"])


def test_a_refused_close_leaves_public_access_open_with_its_allowlist(emulator: Emulator, control: Control) -> None:
    registry_id = buy_running_out_of_band(emulator, "close-refused")
    provider = configured(PublicAccessProvider, emulator)
    made = provider.create(checked(provider, registryId=registry_id, allow=[{"cidr": CI, "description": "CI"}]))
    control.fault({"action": "ManageExternalEndpoint", "error": "OperationDenied"})
    with pytest.raises(ApiError, match="OperationDenied"):
        provider.delete(made.id, made.outs)
    assert endpoint(emulator, registry_id) == "Opened" and allowlist(emulator, registry_id) == {CI}
    provider.delete(made.id, made.outs)
    assert endpoint(emulator, registry_id) == "Closed"


def test_a_lost_answer_to_an_allowlist_delete_is_recovered(emulator: Emulator, control: Control) -> None:
    registry_id = buy_running_out_of_band(emulator, "lost-delete")
    provider = configured(PublicAccessProvider, emulator)
    olds = checked(provider, registryId=registry_id, allow=[{"cidr": CI, "description": "CI"}])
    made = provider.create(olds)
    news = checked(provider, registryId=registry_id, allow=[{"cidr": OFFICE, "description": "office"}])
    control.fault({"action": "DeleteMultipleSecurityPolicy", "drop_response": True})
    provider.update(made.id, dict(made.outs), news)
    assert allowlist(emulator, registry_id) == {OFFICE}
    assert control.requests("DeleteMultipleSecurityPolicy") == 1


def test_an_allowlist_change_adds_new_blocks_before_it_deletes_stale_ones(emulator: Emulator, control: Control) -> None:
    registry_id = buy_running_out_of_band(emulator, "add-first")
    provider = configured(PublicAccessProvider, emulator)
    made = provider.create(checked(provider, registryId=registry_id, allow=[{"cidr": CI, "description": "CI"}]))
    news = checked(provider, registryId=registry_id, allow=[{"cidr": OFFICE, "description": "office"}])
    control.fault({"action": "DeleteMultipleSecurityPolicy", "error": "InternalError", "count": 10})
    with pytest.raises(ApiError):
        provider.update(made.id, dict(made.outs), news)
    assert allowlist(emulator, registry_id) == {CI, OFFICE}, "the endpoint lost entries it should keep"


def test_vpc_access_that_outlasts_its_create_timeout_names_the_setting(control: Control) -> None:
    with Emulator(create_seconds=0.1, delete_seconds=0.1, modify_seconds=3, rate_limit=0) as slow:
        registry_id = buy_running_out_of_band(slow, "slow-vpc")
        provider = configured(VpcAttachmentProvider, slow, **{"tcr:createTimeoutSeconds": "1"})
        inputs = checked(provider, registryId=registry_id, vpcId="vpc-0a1b2c3d", subnetId="subnet-0a1b2c3d")
        with pytest.raises(CreationFailed) as failed:
            provider.create(inputs)
        assert "tcr:createTimeoutSeconds" in str(failed.value) and failed.value.cleaned_up
