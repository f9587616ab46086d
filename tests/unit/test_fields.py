"""What the field declarations promise, checked once over every declared field."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tcr_provider.emulator import rules as emulator_rules
from tcr_provider.fields import Change, Schema, attribute_docs
from tcr_provider.resources.access_token import ACCESS_TOKEN
from tcr_provider.resources.namespace import NAMESPACE
from tcr_provider.resources.public_access import PUBLIC_ACCESS
from tcr_provider.resources.vpc_attachment import VPC_ATTACHMENT
from tcr_provider.spec import INSTANCE, OUTPUT_KEYS, TCR_REGIONS, InstanceOutputs

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()
SCHEMAS: list[Schema] = [INSTANCE, VPC_ATTACHMENT, NAMESPACE, ACCESS_TOKEN, PUBLIC_ACCESS]
# Every part names its registry and region the same way; the README says so once, above the parts' tables.
SHARED_PART_FIELDS = {"registryId", "region"}
# In-place fields written by calls of their own rather than a modify parameter: tags through the Tag API, a
# VPC's private DNS records, a token's one-change-per-call ModifyInstanceToken, the allowlist by difference.
WRITTEN_BY_OWN_CALLS = {
    "tags",
    "enablePublicDomainDns",
    "enableVpcDomainDns",
    "description",
    "enabled",
    "allow",
    "openToAll",
}
CHANGE_WORDS = {
    Change.REPLACE: "replace",
    Change.REPLACE_DELETE_FIRST: "deleted first",
    Change.UPDATE: "in place",
    Change.STATE_ONLY: "state only",
}


def readme_row(field_name: str, resource: str = "Instance") -> str:
    text = README if resource == "Instance" else README.split(f"### {resource}\n", 1)[1].split("\n#", 1)[0]
    match = re.search(rf"^\| `{field_name}` \|.*$", text, re.MULTILINE)
    assert match, f"the README's inputs table has no row for `{field_name}`"
    return match.group(0)


@pytest.mark.parametrize("schema", SCHEMAS, ids=lambda s: s.resource)
def test_every_field_has_a_doc_a_camel_case_key_and_a_readme_row_with_its_change_rule(schema: Schema) -> None:
    docs = attribute_docs(schema.args)
    for field in schema.fields:
        assert docs.get(field.name), f"{schema.resource}Args.{field.name} has no docstring for editors to show"
        assert field.key == re.sub(r"_(\w)", lambda m: m.group(1).upper(), field.name)
        if schema is not INSTANCE and field.key in SHARED_PART_FIELDS:
            assert field.change is Change.REPLACE
        elif field.key != "adoptExisting":  # acts on create only, which its row says
            assert CHANGE_WORDS[field.change] in readme_row(field.name, schema.resource), field.name


@pytest.mark.parametrize("schema", SCHEMAS, ids=lambda s: s.resource)
def test_every_in_place_field_says_how_it_is_written(schema: Schema) -> None:
    for field in schema.fields:
        if field.change is Change.UPDATE:
            assert field.api.modify or field.key in WRITTEN_BY_OWN_CALLS, (
                f"{field.key} changes in place but names no write"
            )
        else:
            assert field.api.modify is None, f"{field.key} is not updated in place but names a modify parameter"


@pytest.mark.parametrize("schema", SCHEMAS, ids=lambda s: s.resource)
def test_read_keeps_the_stored_value_of_what_the_api_never_reports(schema: Schema) -> None:
    stored = {f.key: f"stored-{f.key}" for f in schema.fields}
    inputs = schema.live_inputs({}, stored)
    assert set(inputs) == {f.key for f in schema.fields if f.api.read is None}


def test_inputs_left_unset_are_not_sent_so_the_service_defaults_apply() -> None:
    inputs, failures = INSTANCE.validate({"name": "team-apps", "region": "ap-guangzhou"})
    assert failures == [] and inputs is not None
    assert INSTANCE.create_params(inputs) == {"RegistryName": "team-apps", "RegistryType": "basic", "SyncTag": False}
    service_decides = {f.key for f in INSTANCE.fields if f.service_default}
    assert service_decides == {"deletionProtection", "chargeType", "enableCosMaz", "enableCosVersioning"}
    recorded = {**inputs, "deletionProtection": True, "chargeType": "prepaid", "enableCosMaz": True}
    assert INSTANCE.changed(recorded, inputs) == []  # what the service chose is no change while left unset
    for key in service_decides:
        assert [f.key for f in INSTANCE.changed({**recorded, key: "other"}, {**inputs, key: False})] == [key]


def test_set_inputs_are_sent_as_given() -> None:
    inputs, _ = INSTANCE.validate(
        {"name": "team-apps", "region": "ap-guangzhou", "deletionProtection": False, "enableCosVersioning": False}
    )
    assert inputs is not None
    params = INSTANCE.create_params(inputs)
    assert (params["DeletionProtection"], params["EnableCosVersioning"]) == (False, False)


def test_instance_prepaid_and_tags_reach_their_nested_parameters() -> None:
    inputs, _ = INSTANCE.validate(
        {"name": "team-apps", "region": "ap-guangzhou", "chargeType": "prepaid", "prepaidPeriod": 3, "tags": {"a": "1"}}
    )
    assert inputs is not None
    params = INSTANCE.create_params(inputs)
    assert params["RegistryChargePrepaid"] == {"Period": 3, "RenewFlag": 0}
    assert params["TagSpecification"] == {"ResourceType": "instance", "Tags": [{"Key": "a", "Value": "1"}]}


def test_instance_outputs_are_documented() -> None:
    docs = attribute_docs(InstanceOutputs)
    assert [key for key in OUTPUT_KEYS if not docs.get(re.sub(r"([A-Z])", r"_\1", key).lower())] == []


def test_provider_and_emulator_agree_on_the_regions() -> None:
    assert set(emulator_rules.REGION_IDS) == set(TCR_REGIONS)
