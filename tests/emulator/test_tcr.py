"""TCR actions through the real TcrClient: happy paths, every business error, and the visible lifecycle."""

from __future__ import annotations

import ipaddress
import re
from datetime import datetime, timedelta

import pytest

from tcr_provider.emulator import Emulator, rules

REGISTRY_FIELDS = {
    "RegistryId",
    "RegistryName",
    "RegistryType",
    "Status",
    "PublicDomain",
    "CreatedAt",
    "RegionName",
    "RegionId",
    "EnableAnonymous",
    "TokenValidTime",
    "InternalEndpoint",
    "TagSpecification",
    "ExpiredAt",
    "PayMod",
    "RenewFlag",
    "DeletionProtection",
    "AIFeature",
    "EnableCosMAZ",
    "EnableCosVersioning",
}


def tags(*pairs: tuple[str, str]) -> dict:
    return {"ResourceType": "instance", "Tags": [{"Key": key, "Value": value} for key, value in pairs]}


# --- CreateInstance / DescribeInstances ---


def test_created_instance_reports_every_registry_field(api):
    registry_id = api.create(
        "demo-registry",
        region="ap-shanghai",
        RegistryType="premium",
        TagSpecification=tags(("team", "platform")),
        EnableCosMAZ=True,
        EnableCosVersioning=True,
    )
    assert re.fullmatch(r"tcr-[a-z0-9]{8}", registry_id)
    registry = api.registry(registry_id, region="ap-shanghai")
    assert registry.RegistryName == "demo-registry"
    assert registry.RegistryType == "premium"
    assert registry.Status == "Running"
    assert registry.PublicDomain == "demo-registry.tencentcloudcr.com"
    assert (registry.RegionName, registry.RegionId) == ("ap-shanghai", 4)
    assert ipaddress.ip_address(registry.InternalEndpoint).is_private
    assert datetime.fromisoformat(registry.CreatedAt).utcoffset() == timedelta(hours=8)
    assert registry.CreatedAt.endswith("+08:00")
    assert [(t.Key, t.Value) for t in registry.TagSpecification.Tags] == [("team", "platform")]
    assert registry.TagSpecification.ResourceType == "instance"
    assert (registry.ExpiredAt, registry.PayMod, registry.RenewFlag) == ("", 0, 0)
    assert (registry.EnableCosMAZ, registry.EnableCosVersioning, registry.DeletionProtection) == (True, True, False)
    assert {name for name, value in vars(registry).items() if value is not None} == {
        f"_{field}" for field in REGISTRY_FIELDS
    }


def test_create_makes_the_cos_bucket_named_by_id_and_app_id(api):
    registry_id = api.create()
    assert api.state()["buckets"] == [f"{registry_id}-{api.emulator.app_id}"]


def test_prepaid_instance_expires_after_its_period(api):
    registry_id = api.create(RegistryChargeType=1, RegistryChargePrepaid={"Period": 12, "RenewFlag": 2})
    registry = api.registry(registry_id)
    assert (registry.PayMod, registry.RenewFlag) == (1, 2)
    created, expires = datetime.fromisoformat(registry.CreatedAt), datetime.fromisoformat(registry.ExpiredAt)
    assert (expires.year - created.year, expires.month) == (1, created.month)


def test_prepaid_instance_needs_its_charge_details(api):
    with api.raises("MissingParameter"):
        api.create(RegistryChargeType=1)


@pytest.mark.parametrize(
    "params",
    [
        {"RegistryChargeType": 2},
        {"RegistryChargeType": 1, "RegistryChargePrepaid": {"Period": 13}},
        {"RegistryChargeType": 1, "RegistryChargePrepaid": {"Period": 1, "RenewFlag": 3}},
        {"RegistryType": "enterprise"},
        {"TagSpecification": {"ResourceType": "bucket", "Tags": []}},
    ],
)
def test_out_of_range_values_are_invalid_parameter_value(api, params):
    with api.raises("InvalidParameterValue"):
        api.create(**params)


@pytest.mark.parametrize(
    "name",
    ["abcd", "a" * (rules.NAME_MAX_LENGTH + 1), "Demo-registry", "-demo-registry", "demo-registry-", "demo_registry"],
)
def test_illegal_names_are_refused(api, name):
    with api.raises("InvalidParameter.ErrorNameIllegal"):
        api.create(name)


def test_reserved_names_are_refused(api):
    with api.raises("InvalidParameter.ErrorNameReserved"):
        api.create("registry")


def test_names_are_unique_across_regions(api):
    api.create("shared-name", region="ap-guangzhou")
    with api.raises("InvalidParameter.ErrorNameExists"):
        api.create("shared-name", region="ap-singapore")


def test_unsupported_region_is_refused(api):
    with api.raises("InvalidParameter.UnsupportedRegion"):
        api.create(region="ap-moon")


def test_more_than_ten_tags_is_over_limit(api):
    with api.raises("InvalidParameter.ErrorTagOverLimit"):
        api.create(TagSpecification=tags(*[(f"key{n}", "v") for n in range(11)]))
    api.create(TagSpecification=tags(*[(f"key{n}", "v") for n in range(10)]))


@pytest.mark.parametrize(
    "key, value",
    [("", "v"), ("qcloud:owner", "v"), ("tencentcloud:x", "v"), ("project", "v"), ("k" * 128, "v"), ("k", "v" * 256)],
)
def test_tags_breaking_tag_rules_are_invalid_parameter(api, key, value):
    with api.raises("InvalidParameter"):
        api.create(TagSpecification=tags((key, value)))


def test_describe_with_unknown_id_is_empty_and_with_no_ids_lists_all(api):
    registry_id = api.create()
    assert api.registries(Registryids=["tcr-00000000"]) == []
    assert [r.RegistryId for r in api.registries(Registryids=[])] == [registry_id]


def test_describe_lists_one_region_unless_all_regions(api):
    here, there = api.create("here-registry"), api.create("there-registry", region="ap-tokyo")
    assert [r.RegistryId for r in api.registries()] == [here]
    assert [r.RegistryId for r in api.registries(AllRegion=True)] == [here, there]


def test_describe_filters_by_name(api):
    api.create("alpha-registry")
    beta = api.create("beta-registry")
    found = api.registries(Filters=[{"Name": "RegistryName", "Values": ["beta-registry", "gamma-registry"]}])
    assert [r.RegistryId for r in found] == [beta]


def test_describe_pages_with_offset_and_limit(api):
    ids = [api.create(f"page-registry-{n}") for n in range(5)]
    page = api.invoke(api.tcr(), "DescribeInstances", {"Offset": 1, "Limit": 2})
    assert page.TotalCount == 5
    assert [r.RegistryId for r in page.Registries] == ids[1:3]


@pytest.mark.parametrize(
    "params",
    [
        {"Limit": rules.DESCRIBE_MAX_LIMIT + 1},
        {"Limit": 0},
        {"Offset": -1},
        {"Filters": [{"Name": "Vpc", "Values": []}]},
    ],
)
def test_describe_refuses_bad_paging_and_filters(api, params):
    with api.raises("InvalidParameterValue"):
        api.registries(**params)


# --- DescribeInstanceStatus ---


def test_status_of_a_running_instance_is_ready(api):
    registry_id = api.create()
    response = api.invoke(api.tcr(), "DescribeInstanceStatus", {"RegistryIds": [registry_id, "tcr-00000000"]})
    (status,) = response.RegistryStatusSet
    assert (status.RegistryId, status.Status) == (registry_id, "Running")
    assert [(c.Type, c.Status) for c in status.Conditions] == [("Ready", "True")]


def test_a_new_instance_is_pending_and_cannot_be_modified_yet(api_for):
    with Emulator(create_seconds=60, rate_limit=0) as emulator:
        api = api_for(emulator)
        registry_id = api.create()
        assert api.registry(registry_id).Status == "Pending"
        with api.raises("ResourceInsufficient.ErrorInstanceNotRunning"):
            api.invoke(api.tcr(), "ModifyInstance", {"RegistryId": registry_id, "DeletionProtection": True})


# --- ModifyInstance ---


def test_modify_applies_flags_at_once(api):
    registry_id = api.create()
    api.invoke(
        api.tcr(),
        "ModifyInstance",
        {"RegistryId": registry_id, "DeletionProtection": True, "EnableCosVersioning": True},
    )
    registry = api.registry(registry_id)
    assert (registry.DeletionProtection, registry.EnableCosVersioning, registry.RegistryType) == (True, True, "basic")


def test_type_change_shows_only_after_modify_seconds(slow_api):
    registry_id = slow_api.create()
    slow_api.invoke(slow_api.tcr(), "ModifyInstance", {"RegistryId": registry_id, "RegistryType": "premium"})
    assert slow_api.registry(registry_id).RegistryType == "basic"


def test_type_change_applies_with_zero_modify_seconds(api):
    registry_id = api.create()
    api.invoke(api.tcr(), "ModifyInstance", {"RegistryId": registry_id, "RegistryType": "standard"})
    assert api.registry(registry_id).RegistryType == "standard"


def test_modify_refuses_unknown_types_and_instances(api):
    registry_id = api.create()
    with api.raises("InvalidParameterValue"):
        api.invoke(api.tcr(), "ModifyInstance", {"RegistryId": registry_id, "RegistryType": "huge"})
    with api.raises("ResourceNotFound"):
        api.invoke(api.tcr(), "ModifyInstance", {"RegistryId": "tcr-00000000", "DeletionProtection": True})
    with api.raises("ResourceNotFound"):
        api.invoke(api.tcr("ap-beijing"), "ModifyInstance", {"RegistryId": registry_id, "DeletionProtection": True})


# --- DeleteInstance ---


def test_protected_instance_cannot_be_deleted(api):
    registry_id = api.create(DeletionProtection=True)
    with api.raises("OperationDenied") as caught:
        api.invoke(api.tcr(), "DeleteInstance", {"RegistryId": registry_id})
    assert "deletion protection is on" in caught.value.message.lower()
    assert "DeletionProtection=false" in caught.value.message
    assert api.registry(registry_id).Status == "Running"


def test_dry_run_checks_but_keeps_the_instance(api):
    protected, plain = api.create("protected-one", DeletionProtection=True), api.create("plain-one")
    with api.raises("OperationDenied"):
        api.invoke(api.tcr(), "DeleteInstance", {"RegistryId": protected, "DryRun": True})
    api.invoke(api.tcr(), "DeleteInstance", {"RegistryId": plain, "DryRun": True})
    assert api.registry(plain).Status == "Running"


def test_delete_keeps_the_bucket_and_frees_the_name(api):
    registry_id = api.create(TagSpecification=tags(("team", "a")))
    api.invoke(api.tcr(), "DeleteInstance", {"RegistryId": registry_id})
    state = api.state()
    assert state["instances"] == []
    assert state["buckets"] == [f"{registry_id}-{api.emulator.app_id}"]
    assert api.create() != registry_id


def test_delete_bucket_removes_the_bucket(api):
    registry_id = api.create()
    api.invoke(api.tcr(), "DeleteInstance", {"RegistryId": registry_id, "DeleteBucket": True})
    assert api.state()["buckets"] == []


def test_deleting_instance_is_listed_and_keeps_its_name(slow_api):
    registry_id = slow_api.create("going-registry")
    slow_api.invoke(slow_api.tcr(), "DeleteInstance", {"RegistryId": registry_id})
    assert slow_api.registry(registry_id).Status == "Deleting"
    assert slow_api.state()["instances"][0]["Status"] == "Deleting"
    with slow_api.raises("InvalidParameter.ErrorNameExists"):
        slow_api.create("going-registry")
    slow_api.invoke(slow_api.tcr(), "DeleteInstance", {"RegistryId": registry_id})
    assert slow_api.registry(registry_id).Status == "Deleting"


def test_deleting_an_unknown_or_gone_instance_is_resource_not_found(api):
    registry_id = api.create()
    api.invoke(api.tcr(), "DeleteInstance", {"RegistryId": registry_id})
    for missing in (registry_id, "tcr-00000000"):
        with api.raises("ResourceNotFound"):
            api.invoke(api.tcr(), "DeleteInstance", {"RegistryId": missing})


# --- CheckInstanceName ---


@pytest.mark.parametrize(
    "name, valid, detail",
    [("fresh-name", True, 0), ("Bad_Name", False, 1), ("admin", False, 2), ("taken-name", False, 3)],
)
def test_check_instance_name(api, name, valid, detail):
    api.create("taken-name", region="ap-seoul")
    response = api.invoke(api.tcr(), "CheckInstanceName", {"RegistryName": name})
    assert (response.IsValidated, response.DetailCode) == (valid, detail)


# --- External endpoint ---


def test_external_endpoint_opens_and_closes(api):
    registry_id = api.create()
    client = api.tcr()

    def status() -> str:
        return api.invoke(client, "DescribeExternalEndpointStatus", {"RegistryId": registry_id}).Status

    assert status() == "Closed"
    response = api.invoke(client, "ManageExternalEndpoint", {"RegistryId": registry_id, "Operation": "Create"})
    assert response.RegistryId == registry_id
    assert status() == "Opened"
    api.invoke(client, "ManageExternalEndpoint", {"RegistryId": registry_id, "Operation": "Delete"})
    assert status() == "Closed"


def test_external_endpoint_takes_modify_seconds_to_open(slow_api):
    registry_id = slow_api.create()
    client = slow_api.tcr()
    slow_api.invoke(client, "ManageExternalEndpoint", {"RegistryId": registry_id, "Operation": "Create"})
    assert slow_api.invoke(client, "DescribeExternalEndpointStatus", {"RegistryId": registry_id}).Status == "Opening"


def test_external_endpoint_refuses_bad_operations_and_ids(api):
    registry_id = api.create()
    with api.raises("InvalidParameterValue"):
        api.invoke(api.tcr(), "ManageExternalEndpoint", {"RegistryId": registry_id, "Operation": "Open"})
    with api.raises("ResourceNotFound"):
        api.invoke(api.tcr(), "DescribeExternalEndpointStatus", {"RegistryId": "tcr-00000000"})
