"""The Tag API on the tag store TCR shares, and CAM GetUserAppId, through the real TagClient and CamClient."""

from __future__ import annotations

import pytest

from tcr_provider.emulator import rules

REGION = "ap-guangzhou"


def resource(registry_id: str, region: str = REGION, uin: str = "") -> str:
    return f"qcs::tcr:{region}:uin/{uin}:instance/{registry_id}"


def tag_list(**pairs: str) -> list[dict[str, str]]:
    return [{"TagKey": key, "TagValue": value} for key, value in pairs.items()]


def instance_tags(api, registry_id: str) -> dict[str, str]:
    return {t.Key: t.Value for t in api.registry(registry_id).TagSpecification.Tags}


def described_tags(api, registry_id: str, region: str = REGION) -> dict[str, str]:
    response = api.invoke(
        api.tag(),
        "DescribeResourceTagsByResourceIds",
        {"ServiceType": "tcr", "ResourcePrefix": "instance", "ResourceIds": [registry_id], "ResourceRegion": region},
    )
    return {row.TagKey: row.TagValue for row in response.Tags}


@pytest.fixture
def registry_id(api) -> str:
    return api.create(TagSpecification={"ResourceType": "instance", "Tags": [{"Key": "team", "Value": "a"}]})


def test_tag_specification_and_tag_api_share_one_store(api, registry_id):
    assert described_tags(api, registry_id) == {"team": "a"}
    api.invoke(
        api.tag(),
        "ModifyResourceTags",
        {
            "Resource": resource(registry_id),
            "ReplaceTags": tag_list(team="b", env="dev"),
            "DeleteTags": [{"TagKey": "gone"}],
        },
    )
    assert instance_tags(api, registry_id) == {"team": "b", "env": "dev"}


def test_modify_resource_tags_deletes_keys(api, registry_id):
    api.invoke(api.tag(), "ModifyResourceTags", {"Resource": resource(registry_id), "DeleteTags": [{"TagKey": "team"}]})
    assert instance_tags(api, registry_id) == {}


def test_resource_name_with_the_account_uin_is_accepted(api, registry_id):
    uin = api.invoke(api.cam(), "GetUserAppId").Uin
    api.invoke(
        api.tag(), "ModifyResourceTags", {"Resource": resource(registry_id, uin=uin), "ReplaceTags": tag_list(x="1")}
    )
    assert described_tags(api, registry_id) == {"team": "a", "x": "1"}


@pytest.mark.parametrize(
    "params, code",
    [
        ({}, "MissingParameter"),
        ({"ReplaceTags": []}, "InvalidParameterValue"),
        ({"DeleteTags": []}, "InvalidParameterValue"),
        (
            {"ReplaceTags": tag_list(team="b"), "DeleteTags": [{"TagKey": "team"}]},
            "InvalidParameterValue.DeleteTagsParamError",
        ),
        ({"ReplaceTags": tag_list(**{f"k{n}": "v" for n in range(11)})}, "LimitExceeded.TagNumPerRequest"),
        ({"ReplaceTags": tag_list(**{"qcloud:app": "v"})}, "InvalidParameterValue.ReservedTagKey"),
        ({"ReplaceTags": tag_list(**{"": "v"})}, "InvalidParameterValue.TagKeyEmpty"),
        ({"ReplaceTags": tag_list(**{"k" * 128: "v"})}, "InvalidParameterValue.TagKeyLengthExceeded"),
        ({"ReplaceTags": tag_list(k="v" * 256)}, "InvalidParameterValue.TagValueLengthExceeded"),
        ({"ReplaceTags": tag_list(**{"a#b": "v"})}, "InvalidParameterValue.TagKeyCharacterIllegal"),
        ({"ReplaceTags": tag_list(**{" ab": "v"})}, "InvalidParameterValue.TagKeyCharacterIllegal"),
        ({"ReplaceTags": tag_list(k="\U0001f600")}, "InvalidParameterValue.TagValueCharacterIllegal"),
        ({"ReplaceTags": tag_list(k="")}, "InvalidParameterValue.TagValueEmpty"),
        ({"ReplaceTags": tag_list(**{"qcs:owner": "v"})}, "InvalidParameterValue.ReservedTagKey"),
        ({"ReplaceTags": tag_list(**{"项目": "v"})}, "InvalidParameterValue.ReservedTagKey"),
    ],
)
def test_modify_resource_tags_refuses_bad_requests(api, registry_id, params, code):
    with api.raises(code):
        api.invoke(api.tag(), "ModifyResourceTags", {"Resource": resource(registry_id), **params})
    assert described_tags(api, registry_id) == {"team": "a"}


@pytest.mark.parametrize(
    "name, code",
    [
        ("tcr-12345678", "InvalidParameterValue.ResourceDescriptionError"),
        ("qcs::tcr:ap-guangzhou:uin/42:instance/{id}", "InvalidParameterValue.UinInvalid"),
        ("qcs::cvm:ap-guangzhou:uin/:instance/{id}", "InvalidParameterValue.ServiceTypeInvalid"),
        ("qcs::tcr:ap-guangzhou:uin/:namespace/{id}", "InvalidParameterValue.ResourcePrefixInvalid"),
        ("qcs::tcr:ap-guangzhou:uin/:instance/tcr-00000000", "InvalidParameterValue.ResourceIdInvalid"),
        ("qcs::tcr:ap-beijing:uin/:instance/{id}", "InvalidParameterValue.ResourceIdInvalid"),
    ],
)
def test_modify_resource_tags_refuses_bad_resource_names(api, registry_id, name, code):
    with api.raises(code):
        api.invoke(
            api.tag(), "ModifyResourceTags", {"Resource": name.format(id=registry_id), "ReplaceTags": tag_list(a="b")}
        )


def test_tag_and_untag_resources(api, registry_id):
    other = api.create("other-registry")
    names = [resource(registry_id), resource(other), resource("tcr-00000000")]
    tagged = api.invoke(api.tag(), "TagResources", {"ResourceList": names, "Tags": tag_list(env="prod")})
    assert [(f.Resource, f.Code) for f in tagged.FailedResources] == [
        (names[2], "InvalidParameterValue.ResourceIdInvalid")
    ]
    assert described_tags(api, other) == {"env": "prod"}
    untagged = api.invoke(api.tag(), "UnTagResources", {"ResourceList": names[:2], "TagKeys": ["env", "team"]})
    assert untagged.FailedResources == []
    assert described_tags(api, registry_id) == described_tags(api, other) == {}


def test_tag_resources_checks_list_sizes(api, registry_id):
    with api.raises("LimitExceeded.ResourceNumPerRequest"):
        api.invoke(api.tag(), "TagResources", {"ResourceList": [resource(registry_id)] * 11, "Tags": tag_list(a="b")})
    with api.raises("InvalidParameterValue"):
        api.invoke(api.tag(), "UnTagResources", {"ResourceList": [resource(registry_id)], "TagKeys": []})


def test_describe_tags_pages_rows(api):
    registry_id = api.create(
        TagSpecification={"ResourceType": "instance", "Tags": [{"Key": f"k{n}", "Value": "v"} for n in range(5)]}
    )
    params = {"ServiceType": "tcr", "ResourcePrefix": "instance", "ResourceIds": [registry_id, "tcr-00000000"]}
    page = api.invoke(
        api.tag(), "DescribeResourceTagsByResourceIds", {**params, "ResourceRegion": REGION, "Offset": 2, "Limit": 2}
    )
    assert (page.TotalCount, page.Offset, page.Limit) == (5, 2, 2)
    assert [(row.TagKey, row.ResourceId, row.ServiceType, row.Category) for row in page.Tags] == [
        ("k2", registry_id, "tcr", "Custom"),
        ("k3", registry_id, "tcr", "Custom"),
    ]
    elsewhere = api.invoke(api.tag(), "DescribeResourceTagsByResourceIds", {**params, "ResourceRegion": "ap-tokyo"})
    assert (elsewhere.TotalCount, elsewhere.Limit) == (0, rules.TAG_DESCRIBE_DEFAULT_LIMIT)
    with api.raises("InvalidParameterValue.OffsetInvalid"):
        api.invoke(
            api.tag(),
            "DescribeResourceTagsByResourceIds",
            {**params, "ResourceRegion": REGION, "Offset": 1, "Limit": 2},
        )


def test_deleted_instance_loses_its_tags(api, registry_id):
    api.invoke(api.tcr(), "DeleteInstance", {"RegistryId": registry_id})
    assert described_tags(api, registry_id) == {}


def test_get_user_app_id(api):
    response = api.invoke(api.cam(), "GetUserAppId")
    assert (response.Uin, response.OwnerUin, response.AppId) == (
        rules.ACCOUNT_UIN,
        rules.ACCOUNT_UIN,
        api.emulator.app_id,
    )
