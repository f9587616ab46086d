"""Access tokens through the real TcrClient, and the Docker Registry version check ``GET /v2/`` they open."""

from __future__ import annotations

import json
import time

import pytest

from tcr_provider.emulator import rules
from tcr_provider.emulator.services.base import Account, Timings
from tcr_provider.emulator.services.cos.model import BucketStore
from tcr_provider.emulator.services.tag.model import TagStore
from tcr_provider.emulator.services.tcr.model import Charge, TcrBackend
from tcr_provider.emulator.services.tcr.tokens import TokenBackend

from .neighbours import call, long_term_token, unhealthy_instance, version_check

DOMAIN = "demo-registry.tencentcloudcr.com"
VPC_DOMAIN = "demo-registry-vpc.tencentcloudcr.com"


def tokens(api, registry_id: str, **params) -> list:
    return list(call(api, "DescribeInstanceToken", RegistryId=registry_id, **params).Tokens)


def only_token(api, registry_id: str):
    (token,) = tokens(api, registry_id)
    return token


# --- CreateInstanceToken / DescribeInstanceToken ---


def test_long_term_token(api):
    registry_id = api.create()
    created = long_term_token(api, registry_id, "ci runners")
    assert created.Username == rules.ACCOUNT_UIN
    assert len(created.Token) >= 40
    assert (created.ExpTime, bool(created.TokenId)) == (0, True)
    described = call(api, "DescribeInstanceToken", RegistryId=registry_id)
    assert described.TotalCount == 1
    (token,) = described.Tokens
    assert (token.Id, token.Desc, token.RegistryId, token.Enabled, token.ExpiredAt) == (
        created.TokenId,
        "ci runners",
        registry_id,
        True,
        0,
    )
    assert token.CreatedAt.endswith("+08:00")


def test_temporary_token_lasts_an_hour_and_is_not_listed(api):
    registry_id = api.create()
    before = time.time() * 1000
    created = call(api, "CreateInstanceToken", RegistryId=registry_id)
    after = time.time() * 1000
    assert created.TokenId == ""
    assert before + 3_600_000 - 1000 <= created.ExpTime <= after + 3_600_000 + 1000
    assert created.Token != call(api, "CreateInstanceToken", RegistryId=registry_id, TokenType="temp").Token
    assert tokens(api, registry_id) == []


def test_token_type_must_be_known(api):
    registry_id = api.create()
    with api.raises("InvalidParameterValue"):
        call(api, "CreateInstanceToken", RegistryId=registry_id, TokenType="forever")


def test_tokens_need_a_running_instance(api, control):
    registry_id = unhealthy_instance(api, control)
    with api.raises("ResourceInsufficient.ErrorInstanceNotRunning"):
        long_term_token(api, registry_id)


def test_describe_pages_by_offset(api):
    registry_id = api.create()
    ids = [long_term_token(api, registry_id, f"token {n}").TokenId for n in range(3)]
    page = call(api, "DescribeInstanceToken", RegistryId=registry_id, Offset=1, Limit=1)
    assert (page.TotalCount, [t.Id for t in page.Tokens]) == (3, ids[1:2])


# --- ModifyInstanceToken / DeleteInstanceToken ---


def test_modify_flag_2_the_default_enables_and_disables_only(api):
    registry_id = api.create()
    token_id = long_term_token(api, registry_id, "before").TokenId
    call(api, "ModifyInstanceToken", RegistryId=registry_id, TokenId=token_id, Enable=False, Desc="ignored")
    assert (only_token(api, registry_id).Enabled, only_token(api, registry_id).Desc) == (False, "before")
    call(api, "ModifyInstanceToken", RegistryId=registry_id, TokenId=token_id, Enable=True, ModifyFlag=2)
    assert only_token(api, registry_id).Enabled is True


def test_modify_flag_1_changes_the_description_only(api):
    registry_id = api.create()
    token_id = long_term_token(api, registry_id, "before").TokenId
    call(api, "ModifyInstanceToken", RegistryId=registry_id, TokenId=token_id, ModifyFlag=1, Desc="after", Enable=False)
    assert (only_token(api, registry_id).Enabled, only_token(api, registry_id).Desc) == (True, "after")


def test_modify_refuses_what_it_cannot_do(api):
    registry_id = api.create()
    token_id = long_term_token(api, registry_id).TokenId
    with api.raises("MissingParameter"):
        call(api, "ModifyInstanceToken", RegistryId=registry_id, TokenId=token_id, ModifyFlag=1, Enable=False)
    with api.raises("MissingParameter"):
        call(api, "ModifyInstanceToken", RegistryId=registry_id, TokenId=token_id, Desc="no flag: Enable needed")
    with api.raises("InvalidParameterValue"):
        call(api, "ModifyInstanceToken", RegistryId=registry_id, TokenId=token_id, ModifyFlag=3, Enable=False)
    with api.raises("ResourceNotFound"):
        call(api, "ModifyInstanceToken", RegistryId=registry_id, TokenId="unknown", Enable=False)


def test_delete_token(api):
    registry_id = api.create()
    token_id = long_term_token(api, registry_id).TokenId
    call(api, "DeleteInstanceToken", RegistryId=registry_id, TokenId=token_id)
    assert tokens(api, registry_id) == []
    with api.raises("ResourceNotFound"):
        call(api, "DeleteInstanceToken", RegistryId=registry_id, TokenId=token_id)


def test_a_token_belongs_to_its_registry(api):
    first, second = api.create("first-registry"), api.create("second-registry")
    token_id = long_term_token(api, first).TokenId
    with api.raises("ResourceNotFound"):
        call(api, "DeleteInstanceToken", RegistryId=second, TokenId=token_id)


def test_state_shows_tokens_but_never_their_secrets(api, control):
    registry_id = api.create()
    secrets = [long_term_token(api, registry_id).Token, call(api, "CreateInstanceToken", RegistryId=registry_id).Token]
    state = control.state()
    shown = state["registries"][registry_id]["tokens"]
    assert [t["TokenType"] for t in shown] == ["longterm", "temp"]
    assert not any(secret in json.dumps(state) for secret in secrets)


# --- GET /v2/ ---


def test_v2_admits_a_long_term_token_at_either_domain(api):
    registry_id = api.create()
    created = long_term_token(api, registry_id)
    for domain in (DOMAIN, VPC_DOMAIN, f"{DOMAIN}:443", DOMAIN.upper()):
        status, headers, body = version_check(api.emulator.endpoint_url, domain, (created.Username, created.Token))
        assert (status, json.loads(body)) == (200, {}), domain
        assert headers["docker-distribution-api-version"] == "registry/2.0"


def test_v2_admits_a_temporary_token(api):
    registry_id = api.create()
    created = call(api, "CreateInstanceToken", RegistryId=registry_id)
    assert version_check(api.emulator.endpoint_url, DOMAIN, (created.Username, created.Token))[0] == 200


def test_v2_takes_the_registry_from_host_unless_x_registry_host_names_it(api):
    registry_id = api.create()
    created = long_term_token(api, registry_id)
    credentials = (created.Username, created.Token)
    url = api.emulator.endpoint_url
    assert version_check(url, None, credentials, host=DOMAIN)[0] == 200
    assert version_check(url, "other-registry.tencentcloudcr.com", credentials, host=DOMAIN)[0] == 401
    assert version_check(url, DOMAIN, credentials, host="other-registry.tencentcloudcr.com")[0] == 200


def test_v2_refuses_without_valid_credentials(api):
    registry_id = api.create()
    created = long_term_token(api, registry_id)
    url = api.emulator.endpoint_url
    for credentials in [None, (created.Username, "wrong"), ("someone-else", created.Token), (created.Username, "")]:
        status, headers, _ = version_check(url, DOMAIN, credentials)
        assert status == 401, credentials
        assert headers["www-authenticate"] == f'Basic realm="{DOMAIN}"'
        assert headers["docker-distribution-api-version"] == "registry/2.0"


def test_v2_refuses_an_unknown_domain(api):
    registry_id = api.create()
    created = long_term_token(api, registry_id)
    status, headers, _ = version_check(
        api.emulator.endpoint_url, "nobody.tencentcloudcr.com", (created.Username, created.Token)
    )
    assert (status, headers["www-authenticate"]) == (401, 'Basic realm="nobody.tencentcloudcr.com"')


def test_v2_refuses_a_disabled_token_and_admits_it_again_once_enabled(api):
    registry_id = api.create()
    created = long_term_token(api, registry_id)
    credentials = (created.Username, created.Token)
    call(api, "ModifyInstanceToken", RegistryId=registry_id, TokenId=created.TokenId, Enable=False)
    assert version_check(api.emulator.endpoint_url, DOMAIN, credentials)[0] == 401
    call(api, "ModifyInstanceToken", RegistryId=registry_id, TokenId=created.TokenId, Enable=True)
    assert version_check(api.emulator.endpoint_url, DOMAIN, credentials)[0] == 200


def test_v2_refuses_a_token_of_another_registry(api):
    api.create()
    other = api.create("other-registry")
    created = long_term_token(api, other)
    assert version_check(api.emulator.endpoint_url, DOMAIN, (created.Username, created.Token))[0] == 401
    assert (
        version_check(
            api.emulator.endpoint_url, "other-registry.tencentcloudcr.com", (created.Username, created.Token)
        )[0]
        == 200
    )


def test_v2_refuses_a_deleted_token(api):
    registry_id = api.create()
    created = long_term_token(api, registry_id)
    call(api, "DeleteInstanceToken", RegistryId=registry_id, TokenId=created.TokenId)
    assert version_check(api.emulator.endpoint_url, DOMAIN, (created.Username, created.Token))[0] == 401


def test_v2_refuses_once_the_registry_is_gone(api):
    registry_id = api.create()
    created = long_term_token(api, registry_id)
    call(api, "DeleteInstance", RegistryId=registry_id)
    assert version_check(api.emulator.endpoint_url, DOMAIN, (created.Username, created.Token))[0] == 401


def test_v2_is_not_an_api_call(api, control):
    version_check(api.emulator.endpoint_url, DOMAIN, None)
    assert control.request_counts() == {}


# --- time, on the backend with hand-wound clocks ---


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clocks() -> tuple[Clock, Clock]:
    return Clock(1000.0), Clock(1_700_000_000.0)


@pytest.fixture
def backend(clocks: tuple[Clock, Clock]) -> TcrBackend:
    clock, wall_clock = clocks
    timings = Timings(create_seconds=30, delete_seconds=10, modify_seconds=20)
    return TcrBackend(Account("1", 1), timings, TagStore(), BucketStore(1), clock, wall_clock)


def running_instance(backend: TcrBackend, clock: Clock) -> str:
    instance = backend.create_instance(
        "ap-guangzhou",
        "demo-registry",
        "basic",
        {},
        Charge(pay_mod=0),
        enable_cos_maz=False,
        deletion_protection=False,
        enable_cos_versioning=False,
        final_status=None,
    )
    clock.now += 30
    return instance.registry_id


def test_a_temporary_token_expires_after_an_hour_of_wall_clock(backend, clocks):
    clock, wall_clock = clocks
    tokens = TokenBackend(backend)
    temporary = tokens.create_token("ap-guangzhou", running_instance(backend, clock), "temp", "")
    assert temporary.expires_at_ms == (1_700_000_000 + rules.TEMP_TOKEN_SECONDS) * 1000
    wall_clock.now += rules.TEMP_TOKEN_SECONDS - 1
    assert tokens.login(DOMAIN, "1", temporary.secret)
    wall_clock.now += 1
    assert not tokens.login(DOMAIN, "1", temporary.secret)
    assert backend.instances()[0].tokens.all == []


def test_a_token_opens_no_registry_that_is_not_running(backend, clocks):
    clock, _ = clocks
    tokens = TokenBackend(backend)
    registry_id = running_instance(backend, clock)
    token = tokens.create_token("ap-guangzhou", registry_id, "longterm", "")
    assert tokens.login(VPC_DOMAIN, "1", token.secret)
    backend.delete_instance("ap-guangzhou", registry_id, delete_bucket=False, dry_run=False)
    assert not tokens.login(VPC_DOMAIN, "1", token.secret)
