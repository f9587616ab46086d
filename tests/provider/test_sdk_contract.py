"""The client side of the SDK contract: every request parameter the provider sends, and every response field
it reads, exists in the installed SDK's models.

The SDK drops fields its models do not know, with a warning: a parameter would silently not be sent, and a
field the API returns would silently read as absent (an instance bought with enable_cos_maz=True reading back
False, and the next `up --refresh` replacing it). The lifecycle below runs with warnings as errors, so such a
field fails here. pyproject.toml's SDK floors are the oldest versions this passes with.
"""

from __future__ import annotations

import importlib

import pytest

from tcr_provider import InstanceProvider
from tcr_provider.errors import CreationFailed
from tcr_provider.ownership import OWNER_TAG_KEY, Owner
from tcr_provider.resources.access_token import ACCESS_TOKEN
from tcr_provider.resources.instance.args import INSTANCE
from tcr_provider.resources.namespace import NAMESPACE

from ..support import Control
from .conftest import Checked

TCR_MODELS = importlib.import_module("tencentcloud.tcr.v20190924.models")


def fields_of(model_name: str) -> set[str]:
    return {name.removeprefix("_") for name in vars(getattr(TCR_MODELS, model_name)())}


def test_every_declared_api_name_is_in_the_sdk_models() -> None:
    registry, create, modify = (
        fields_of("Registry"),
        fields_of("CreateInstanceRequest"),
        fields_of("ModifyInstanceRequest"),
    )
    prepaid = fields_of("RegistryChargePrepaid")
    for field in INSTANCE.fields:
        api = field.api
        assert api.read is None or api.read in registry, f"{field.key}: Registry.{api.read} is not in the SDK"
        assert api.modify is None or api.modify in modify, f"{field.key}: ModifyInstance {api.modify} is not in the SDK"
        if api.create is not None:
            head, _, nested = api.create.partition(".")
            assert head in create, f"{field.key}: CreateInstance {head} is not in the SDK"
            assert not nested or nested in prepaid, f"{field.key}: {api.create} is not in the SDK"


def test_the_parts_declared_api_names_are_in_the_sdk_models() -> None:
    namespace, create, modify = (
        fields_of("TcrNamespaceInfo"),
        fields_of("CreateNamespaceRequest"),
        fields_of("ModifyNamespaceRequest"),
    )
    for field in NAMESPACE.fields:
        api = field.api
        assert api.read is None or api.read in namespace, f"{field.key}: TcrNamespaceInfo.{api.read} is not in the SDK"
        assert api.create is None or api.create in create, (
            f"{field.key}: CreateNamespace {api.create} is not in the SDK"
        )
        assert api.modify is None or api.modify in modify, (
            f"{field.key}: ModifyNamespace {api.modify} is not in the SDK"
        )
    token = fields_of("TcrInstanceToken")
    for field in ACCESS_TOKEN.fields:
        assert field.api.read is None or field.api.read in token, f"{field.key}: TcrInstanceToken.{field.api.read}"


@pytest.mark.parametrize(
    ("model", "sent"),
    [
        ("ManageInternalEndpointRequest", {"RegistryId", "Operation", "VpcId", "SubnetId"}),
        ("AccessVpc", {"VpcId", "SubnetId", "Status", "AccessIp"}),
        ("VpcAndDomainInfo", {"InstanceId", "VpcId", "EniLBIp", "UsePublicDomain", "RegionName"}),
        ("CreateInternalEndpointDnsRequest", {"InstanceId", "VpcId", "EniLBIp", "UsePublicDomain", "RegionName"}),
        ("DeleteInternalEndpointDnsRequest", {"InstanceId", "VpcId", "EniLBIp", "UsePublicDomain", "RegionName"}),
        ("VpcPrivateDomainStatus", {"VpcId", "Status"}),
        ("DescribeNamespacesRequest", {"RegistryId", "NamespaceName", "Offset", "Limit", "All"}),
        ("DescribeRepositoriesRequest", {"RegistryId", "NamespaceName", "Offset", "Limit"}),
        ("CreateInstanceTokenRequest", {"RegistryId", "TokenType", "Desc"}),
        ("CreateInstanceTokenResponse", {"Username", "Token", "ExpTime", "TokenId"}),
        ("ModifyInstanceTokenRequest", {"RegistryId", "TokenId", "Enable", "Desc", "ModifyFlag"}),
        ("TcrInstanceToken", {"Id", "Desc", "Enabled", "CreatedAt", "ExpiredAt"}),
        ("SecurityPolicy", {"PolicyIndex", "PolicyVersion", "CidrBlock", "Description"}),
        ("CreateMultipleSecurityPolicyRequest", {"RegistryId", "SecurityGroupPolicySet"}),
        ("DeleteMultipleSecurityPolicyRequest", {"RegistryId", "SecurityGroupPolicySet"}),
        ("DescribeExternalEndpointStatusResponse", {"Status"}),
    ],
)
def test_every_field_the_parts_send_or_read_is_in_the_sdk_models(model: str, sent: set[str]) -> None:
    assert sent <= fields_of(model), f"{model} lacks {sorted(sent - fields_of(model))}"


@pytest.mark.filterwarnings("error")
def test_a_whole_lifecycle_sends_and_reads_only_fields_the_sdk_knows(
    provider: InstanceProvider, checked: Checked, control: Control
) -> None:
    inputs = checked(
        name="team-apps",
        instanceType="premium",
        tags={"team": "apps"},
        deletionProtection=False,
        chargeType="prepaid",
        prepaidPeriod=1,
        renewFlag="auto",
        enableCosMaz=True,
        enableCosVersioning=True,
        syncTagsToBucket=True,
    )
    created = provider.create(inputs)
    assert created.outs is not None
    spec, _ = INSTANCE.validate(inputs)
    assert spec is not None
    # Every parameter the provider meant to send arrived: the SDK dropped none.
    [sent] = control.sent("CreateInstance")
    owner_tag = {"Key": OWNER_TAG_KEY, "Value": Owner.from_props(inputs).marker}  # type: ignore[union-attr]
    expected = INSTANCE.create_params(spec)
    expected["TagSpecification"]["Tags"].append(owner_tag)
    assert sent == expected
    outs = dict(created.outs)
    news = {**outs, "instanceType": "standard", "tags": {"team": "web"}, "enableCosVersioning": False}
    updated = provider.update(created.id, outs, {**news, "deletionProtection": True})
    assert updated.outs is not None
    modified = {key for params in control.sent("ModifyInstance") for key in params}
    assert modified == {"RegistryId", *(f.api.modify for f in INSTANCE.fields if f.api.modify)}
    read = provider.read(created.id, dict(updated.outs))
    assert read.outs is not None and read.inputs is not None
    # Every field the provider reads arrived: the SDK's response models dropped none.
    assert {f.key for f in INSTANCE.fields if f.api.read} <= set(read.inputs)
    assert (read.inputs["enableCosMaz"], read.inputs["deletionProtection"]) == (True, True)
    adopted = provider.create(checked(name="team-apps", adoptExisting=True, deletionProtection=False))
    assert adopted.id == created.id and adopted.outs is not None
    provider.delete(created.id, dict(adopted.outs))
    control.fault({"action": "CreateInstance", "final_status": "FailedCreated"})
    with pytest.raises(CreationFailed, match="FailedCreated"):  # reads DescribeInstanceStatus for the reason
        provider.create(checked(name="team-failing"))
    assert control.instances() == []
