"""The cluster stack of the example (stacks/Pulumi.cluster.yaml): ClusterRegistry through the real CLI."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tcr_provider.emulator import Emulator
from tcr_provider.testing import ANY_TCR_TYPE, EmulatorControl, Stack, sdk_call, wait_until

from .conftest import ROOT, assert_no_secret_printed, new_stack
from .test_parts import registry_get

pytestmark = pytest.mark.e2e

CLUSTER_CONFIG = yaml.safe_load((ROOT / "stacks" / "Pulumi.cluster.yaml").read_text())["config"]


@pytest.fixture
def stack(tmp_path: Path, cli_dir: Path, emulator: Emulator, control: EmulatorControl) -> Iterator[Stack]:
    stack = new_stack(tmp_path, cli_dir, emulator)
    stack.resource_type = ANY_TCR_TYPE
    stack.configure(**{k.split(":", 1)[1]: v for k, v in CLUSTER_CONFIG.items() if k.startswith("tcr-registries:")})
    yield stack
    assert_no_secret_printed(stack, emulator)


def test_the_cluster_stack_comes_up_and_its_pull_secret_logs_in(
    stack: Stack, emulator: Emulator, control: EmulatorControl
) -> None:
    cluster = CLUSTER_CONFIG["tcr-registries:clusters"][0]
    steps = stack.up()
    created = sorted(s.urn.rsplit("::", 1)[1] for s in steps if s.op == "create")
    key = cluster["key"]
    expected = [key, f"{key}-payments", f"{key}-public", f"{key}-pull", f"{key}-storefront", f"{key}-vpc"]
    assert created == sorted(expected)
    server = f"{cluster['instance']['name']}.tencentcloudcr.com"
    outputs = stack.outputs()[key]
    assert outputs["server"] == server and outputs["dockerConfigJson"] == "[secret]"

    exported = json.loads(stack.export())
    plain = json.loads(stack.run("stack", "output", "--json", "--show-secrets").stdout)[key]
    document = json.loads(plain["dockerConfigJson"])
    auth = document["auths"][server]
    username, token = base64.b64decode(auth["auth"]).decode().split(":", 1)
    assert (username, token) == (auth["username"], auth["password"])
    assert token not in json.dumps(exported), "the pull token is in the state in plain text"
    assert registry_get(emulator, server, username, token) == 200
    assert registry_get(emulator, f"{cluster['instance']['name']}-vpc.tencentcloudcr.com", username, token) == 200
    assert registry_get(emulator, server, username, "not-" + token) == 401

    registry_id = plain["registryId"]
    live_vpcs = sdk_call(emulator, "tcr", "DescribeInternalEndpoints", {"RegistryId": registry_id})["AccessVpcSet"]
    assert [(v["VpcId"], v["SubnetId"]) for v in live_vpcs] == [(cluster["vpc_id"], cluster["subnet_id"])]
    policies = sdk_call(emulator, "tcr", "DescribeSecurityPolicies", {"RegistryId": registry_id})["SecurityPolicySet"]
    assert [p["CidrBlock"] for p in policies] == cluster["ci_cidrs"]
    stack.run("preview", "--expect-no-changes")
    stack.run("refresh", "--preview-only", "--expect-no-changes")

    destroyed = stack.run("destroy", "--yes", "--skip-preview")
    deletes = [s.urn.rsplit("::", 1)[1] for s in destroyed.steps if s.op == "delete"]
    assert deletes[-1] == key and sorted(deletes) == sorted(expected)
    wait_until(lambda: control.instance(registry_id) is None, what="the registry to be gone")
    assert registry_get(emulator, server, username, token) == 401
