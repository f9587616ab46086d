"""What the field declarations promise, checked once over every declared field of every resource."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tcr_provider import reference
from tcr_provider.emulator import rules as emulator_rules
from tcr_provider.fields import Api, Change, Schema, Write
from tcr_provider.resources import catalog, schemas
from tcr_provider.resources.common import TCR_REGIONS
from tcr_provider.resources.instance.args import INSTANCE

SCHEMAS: tuple[Schema, ...] = schemas()


def test_the_catalog_holds_every_resource_the_package_exports() -> None:
    assert [s.resource for s in SCHEMAS] == ["Instance", "AccessToken", "Namespace", "PublicAccess", "VpcAttachment"]


@pytest.mark.parametrize("schema", SCHEMAS, ids=lambda s: s.resource)
def test_every_field_and_output_has_a_doc_and_a_camel_case_key(schema: Schema) -> None:
    docs = reference.attribute_docs(schema.args)
    for field in schema.fields:
        assert docs.get(field.name), f"{schema.resource}Args.{field.name} has no docstring for editors to show"
        assert field.key == re.sub(r"_(\w)", lambda m: m.group(1).upper(), field.name)
    output_docs = reference.attribute_docs(schema.outputs)
    assert [key for key in schema.output_keys if not output_docs.get(re.sub(r"([A-Z])", r"_\1", key).lower())] == []


@pytest.mark.parametrize("schema", SCHEMAS, ids=lambda s: s.resource)
def test_every_in_place_field_says_how_it_is_written(schema: Schema) -> None:
    for field in schema.fields:
        if field.change is Change.UPDATE:
            assert field.api.write is not None, f"{schema.resource}.{field.key} changes in place but names no write"
            if field.api.write is Write.MODIFY:
                assert schema.modify_call, f"{schema.resource} writes {field.key} by a modify call it does not name"
        else:
            assert field.api.write is None, f"{field.key} is not updated in place but names a write"


def test_a_declaration_cannot_say_one_write_and_mean_another() -> None:
    assert Api(modify="IsPublic").write is Write.MODIFY
    with pytest.raises(TypeError, match="modify"):
        Api(write=Write.MODIFY)
    with pytest.raises(TypeError, match="via"):
        Api(write=Write.OWN_CALL)
    with pytest.raises(TypeError, match="written by its modify call"):
        Api(modify="Tags", write=Write.TAG_API)


def test_the_generated_blocks_are_current() -> None:
    assert reference.problems() == []


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


def test_provider_and_emulator_agree_on_the_regions() -> None:
    assert set(emulator_rules.REGION_IDS) == set(TCR_REGIONS)


def test_type_checkers_catch_a_misspelt_keyword_of_any_resource(tmp_path: Path) -> None:
    from mypy import api

    program = tmp_path / "program.py"
    calls = [f'{d.name}("r", {f.name}x=None)' for d in catalog() for f in d.schema.fields[:1]]
    program.write_text("\n".join(["from tcr_provider import *  # noqa: F403", *calls, ""]))
    out, _, status = api.run(["--no-incremental", "--follow-imports=silent", str(program)])
    assert status == 1
    for declared in catalog():
        misspelt = f"{declared.schema.fields[0].name}x"
        assert f'Unexpected keyword argument "{misspelt}" for overloaded function "{declared.name}"' in out, out
