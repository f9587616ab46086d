"""Namespaces and repositories through the real TcrClient."""

from __future__ import annotations

import re

import pytest

from tcr_provider.emulator import rules

from .neighbours import call, make_namespace, make_repository, unhealthy_instance

GO_TIME = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? \+0800 CST")


def namespaces(api, registry_id: str, **params) -> list:
    return list(call(api, "DescribeNamespaces", RegistryId=registry_id, **params).NamespaceList)


def namespace(api, registry_id: str, name: str = "team"):
    (found,) = namespaces(api, registry_id, NamespaceName=name)
    return found


def repositories(api, registry_id: str, **params) -> list[str]:
    return [r.Name for r in call(api, "DescribeRepositories", RegistryId=registry_id, **params).RepositoryList]


# --- CreateNamespace / DescribeNamespaces ---


def test_created_namespace_reports_every_field(api):
    registry_id = api.create()
    call(
        api,
        "CreateNamespace",
        RegistryId=registry_id,
        NamespaceName="team",
        IsPublic=True,
        TagSpecification={"ResourceType": "namespace", "Tags": [{"Key": "owner", "Value": "platform"}]},
        IsAutoScan=True,
        IsPreventVUL=True,
        Severity="high",
        CVEWhitelistItems=[{"CVEID": "CVE-2021-44228"}],
    )
    found = namespace(api, registry_id)
    assert (found.Name, found.Public, found.AutoScan, found.PreventVUL, found.Severity) == (
        "team",
        True,
        True,
        True,
        "high",
    )
    assert isinstance(found.NamespaceId, int)
    assert GO_TIME.fullmatch(found.CreationTime)
    assert found.TagSpecification.ResourceType == "namespace"
    assert [(t.Key, t.Value) for t in found.TagSpecification.Tags] == [("owner", "platform")]
    assert [item.CVEID for item in found.CVEWhitelistItems] == ["CVE-2021-44228"]
    assert found.Metadata == []


def test_unset_options_read_back_empty(api):
    registry_id = api.create()
    make_namespace(api, registry_id)
    found = namespace(api, registry_id)
    assert (found.Public, found.AutoScan, found.PreventVUL, found.Severity) == (False, False, False, "")
    assert (found.TagSpecification.Tags, found.CVEWhitelistItems) == ([], [])


def test_namespace_ids_count_up(api):
    registry_id = api.create()
    for name in ("first", "second"):
        make_namespace(api, registry_id, name)
    assert [n.NamespaceId for n in namespaces(api, registry_id)] == [1, 2]


@pytest.mark.parametrize(
    "name",
    ["a", "a" * (rules.NAMESPACE_MAX_LENGTH + 1), "Team", "-team", "team-", ".team", "team_", "te--am", "te._am", "té"],
)
def test_illegal_namespace_names_are_refused(api, name):
    registry_id = api.create()
    with api.raises("InvalidParameterValue"):
        make_namespace(api, registry_id, name)


@pytest.mark.parametrize("name", ["ab", "a" * rules.NAMESPACE_MAX_LENGTH, "a.b_c-d", "0team9"])
def test_legal_namespace_names_are_taken(api, name):
    registry_id = api.create()
    make_namespace(api, registry_id, name)
    assert namespace(api, registry_id, name).Name == name


def test_reserved_and_taken_names_are_refused(api):
    registry_id = api.create()
    (reserved,) = rules.RESERVED_NAMESPACES
    with api.raises("InvalidParameter.ErrNamespaceReserved"):
        make_namespace(api, registry_id, reserved)
    make_namespace(api, registry_id)
    with api.raises("InvalidParameter.ErrNamespaceExist"):
        make_namespace(api, registry_id)


def test_the_same_name_in_another_instance_is_fine(api):
    first, second = api.create("first-registry"), api.create("second-registry")
    make_namespace(api, first)
    make_namespace(api, second)


@pytest.mark.parametrize(
    "params",
    [
        {"Severity": "critical"},
        {"CVEWhitelistItems": [{"CVEID": "log4shell"}]},
        {"TagSpecification": {"ResourceType": "instance", "Tags": []}},
    ],
)
def test_out_of_range_options_are_refused(api, params):
    registry_id = api.create()
    with api.raises("InvalidParameterValue"):
        make_namespace(api, registry_id, **params)


def test_is_public_is_required(api):
    registry_id = api.create()
    with api.raises("MissingParameter"):
        call(api, "CreateNamespace", RegistryId=registry_id, NamespaceName="team")


def test_namespaces_need_a_running_instance(api, control):
    registry_id = unhealthy_instance(api, control)
    with api.raises("ResourceInsufficient.ErrorInstanceNotRunning"):
        make_namespace(api, registry_id)


def test_describing_an_unknown_name_is_an_empty_list(api):
    registry_id = api.create()
    make_namespace(api, registry_id)
    response = call(api, "DescribeNamespaces", RegistryId=registry_id, NamespaceName="nobody")
    assert (response.NamespaceList, response.TotalCount) == ([], 0)


def test_describe_pages_by_page_number_unless_all(api):
    registry_id = api.create()
    names = [f"team{n}" for n in range(5)]
    for name in names:
        make_namespace(api, registry_id, name)
    page = call(api, "DescribeNamespaces", RegistryId=registry_id, Limit=2, Offset=1)
    assert ([n.Name for n in page.NamespaceList], page.TotalCount) == (names[2:4], 5)
    assert [n.Name for n in namespaces(api, registry_id, Limit=2, All=True)] == names
    assert [n.Name for n in namespaces(api, registry_id, Limit=200)] == names


def test_describe_filters_by_tags(api):
    registry_id = api.create()
    tagged = {"ResourceType": "namespace", "Tags": [{"Key": "team", "Value": "a"}]}
    make_namespace(api, registry_id, "tagged", TagSpecification=tagged)
    make_namespace(api, registry_id, "plain")
    found = namespaces(api, registry_id, Filters=[{"Name": "Tags", "Values": ["team:a", "team:z"]}])
    assert [n.Name for n in found] == ["tagged"]
    with api.raises("InvalidParameterValue"):
        namespaces(api, registry_id, Filters=[{"Name": "Public", "Values": ["true"]}])


# --- ModifyNamespace ---


def test_modify_changes_only_the_fields_given(api):
    registry_id = api.create()
    make_namespace(api, registry_id, IsAutoScan=True, Severity="low", CVEWhitelistItems=[{"CVEID": "CVE-2020-0001"}])
    call(api, "ModifyNamespace", RegistryId=registry_id, NamespaceName="team", IsPublic=True)
    found = namespace(api, registry_id)
    assert (found.Public, found.AutoScan, found.Severity) == (True, True, "low")
    assert [item.CVEID for item in found.CVEWhitelistItems] == ["CVE-2020-0001"]
    call(
        api,
        "ModifyNamespace",
        RegistryId=registry_id,
        NamespaceName="team",
        Severity="medium",
        CVEWhitelistItems=[],
        TagSpecification={"ResourceType": "namespace", "Tags": [{"Key": "k", "Value": "v"}]},
    )
    found = namespace(api, registry_id)
    assert (found.Public, found.Severity, found.CVEWhitelistItems) == (True, "medium", [])
    # The Terraform provider's reading: ModifyNamespace does not apply TagSpecification; the Tag API does.
    assert found.TagSpecification.Tags == []


def test_a_namespaces_tags_change_through_the_tag_api(api):
    registry_id = api.create()
    make_namespace(
        api, registry_id, TagSpecification={"ResourceType": "namespace", "Tags": [{"Key": "a", "Value": "1"}]}
    )
    resource = f"qcs::tcr:ap-guangzhou:uin/:repository/{registry_id}/team"
    api.invoke(
        api.tag(),
        "ModifyResourceTags",
        {"Resource": resource, "ReplaceTags": [{"TagKey": "b", "TagValue": "2"}], "DeleteTags": [{"TagKey": "a"}]},
    )
    assert [(t.Key, t.Value) for t in namespace(api, registry_id).TagSpecification.Tags] == [("b", "2")]
    with api.raises("InvalidParameterValue.ResourceIdInvalid"):
        api.invoke(
            api.tag(),
            "ModifyResourceTags",
            {"Resource": resource.replace("/team", "/other"), "DeleteTags": [{"TagKey": "b"}]},
        )


def test_a_lookup_by_name_keeps_every_namespace_whose_name_contains_it_at_most_a_hundred_a_page(api):
    registry_id = api.create()
    for index in range(101):
        make_namespace(api, registry_id, name=f"web-{index:03d}")
    make_namespace(api, registry_id, name="web")
    first = call(api, "DescribeNamespaces", RegistryId=registry_id, NamespaceName="web", Limit=200, Offset=0)
    assert (first.TotalCount, len(first.NamespaceList)) == (102, 100)
    second = call(api, "DescribeNamespaces", RegistryId=registry_id, NamespaceName="web", Limit=200, Offset=1)
    assert [n.Name for n in second.NamespaceList] == ["web-100", "web"]


def test_modifying_an_unknown_namespace_is_err_no_namespace(api):
    registry_id = api.create()
    with api.raises("ResourceNotFound.TcrResourceNotFound"):
        call(api, "ModifyNamespace", RegistryId=registry_id, NamespaceName="nobody", IsPublic=True)


def test_modify_refuses_a_bad_severity(api):
    registry_id = api.create()
    make_namespace(api, registry_id)
    with api.raises("InvalidParameterValue"):
        call(api, "ModifyNamespace", RegistryId=registry_id, NamespaceName="team", Severity="urgent")


# --- DeleteNamespace and repositories ---


def test_deleting_an_unknown_namespace_is_err_no_namespace(api):
    registry_id = api.create()
    with api.raises("ResourceNotFound.TcrResourceNotFound"):
        call(api, "DeleteNamespace", RegistryId=registry_id, NamespaceName="team")


def test_a_namespace_holding_repositories_is_not_deleted(api):
    registry_id = api.create()
    make_namespace(api, registry_id)
    make_repository(api, registry_id, name="app")
    make_repository(api, registry_id, name="web")
    with api.raises("FailedOperation.PreconditionFailed") as caught:
        call(api, "DeleteNamespace", RegistryId=registry_id, NamespaceName="team")
    assert "2 repositories" in caught.value.message
    for name in ("app", "web"):
        call(api, "DeleteRepository", RegistryId=registry_id, NamespaceName="team", RepositoryName=name)
    call(api, "DeleteNamespace", RegistryId=registry_id, NamespaceName="team")
    assert namespaces(api, registry_id) == []


def test_repository_reports_every_field(api):
    registry_id = api.create()
    make_namespace(api, registry_id, IsPublic=True)
    call(
        api,
        "CreateRepository",
        RegistryId=registry_id,
        NamespaceName="team",
        RepositoryName="app",
        BriefDescription="the app",
        Description="The app, built by CI.",
    )
    (repository,) = call(api, "DescribeRepositories", RegistryId=registry_id).RepositoryList
    assert (repository.Name, repository.Namespace, repository.Public) == ("team/app", "team", True)
    assert (repository.BriefDescription, repository.Description) == ("the app", "The app, built by CI.")
    assert GO_TIME.fullmatch(repository.CreationTime) and GO_TIME.fullmatch(repository.UpdateTime)


def test_repository_errors(api):
    registry_id = api.create()
    with api.raises("ResourceNotFound.TcrResourceNotFound"):
        make_repository(api, registry_id)
    make_namespace(api, registry_id)
    make_repository(api, registry_id)
    with api.raises("InvalidParameter.ErrRepoExist"):
        make_repository(api, registry_id)
    with api.raises("InvalidParameterValue"):
        make_repository(api, registry_id, name="Bad Name")
    with api.raises("ResourceNotFound.ErrNoRepo"):
        call(api, "DeleteRepository", RegistryId=registry_id, NamespaceName="team", RepositoryName="web")
    with api.raises("ResourceNotFound.TcrResourceNotFound"):
        call(api, "DeleteRepository", RegistryId=registry_id, NamespaceName="other", RepositoryName="app")


def test_repositories_filter_sort_and_page(api):
    registry_id = api.create()
    for namespace_name in ("alpha", "beta"):
        make_namespace(api, registry_id, namespace_name)
    for namespace_name, name in [("alpha", "web"), ("alpha", "app"), ("beta", "web-api"), ("beta", "tools/lint")]:
        make_repository(api, registry_id, namespace_name, name)
    assert repositories(api, registry_id) == ["alpha/web", "alpha/app", "beta/web-api", "beta/tools/lint"]
    assert repositories(api, registry_id, NamespaceName="beta") == ["beta/web-api", "beta/tools/lint"]
    assert repositories(api, registry_id, RepositoryName="web") == ["alpha/web", "beta/web-api"]
    assert repositories(api, registry_id, NamespaceName="gamma") == []
    assert repositories(api, registry_id, SortBy="-name")[0] == "beta/web-api"
    assert repositories(api, registry_id, SortBy="-creation_time")[0] == "beta/tools/lint"
    assert repositories(api, registry_id, Limit=3, Offset=1) == ["beta/tools/lint"]
    with api.raises("InvalidParameterValue"):
        repositories(api, registry_id, SortBy="size")


def test_state_shows_namespaces_with_their_repositories(api, control):
    registry_id = api.create()
    make_namespace(api, registry_id)
    make_repository(api, registry_id)
    (shown,) = control.state()["registries"][registry_id]["namespaces"]
    assert (shown["Name"], shown["NamespaceId"]) == ("team", 1)
    assert [r["Name"] for r in shown["Repositories"]] == ["team/app"]


def test_fault_rules_reach_namespace_actions_by_name(api, control):
    registry_id = api.create()
    control.fault({"action": "CreateNamespace", "error": "InternalError.ErrConflict"})
    with api.raises("InternalError.ErrConflict"):
        make_namespace(api, registry_id)
    assert namespaces(api, registry_id) == []
    make_namespace(api, registry_id)
    assert control.requests("CreateNamespace") == 2
