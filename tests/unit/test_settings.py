"""Where credentials, region and endpoint come from, and that nothing secret is kept or shown."""

from __future__ import annotations

import base64
import pickle

import dill
import pytest
from pulumi.dynamic.dynamic import serialize_provider

from tcr_provider import InstanceProvider
from tcr_provider.cloud import TcrCloud
from tcr_provider.emulator import Emulator
from tcr_provider.emulator.__main__ import parse_args
from tcr_provider.settings import Endpoint, Settings, SettingsError

ID, KEY = "AKIDEXAMPLEEXAMPLE1234", "example-secret-key-value"


def test_each_value_is_looked_up_on_its_own_config_first() -> None:
    settings = Settings(
        config={"tencentcloud:secretId": ID, "tencentcloud:region": "ap-shanghai"},
        environ={"TENCENTCLOUD_SECRET_KEY": KEY, "TENCENTCLOUD_REGION": "ap-beijing", "TENCENTCLOUD_SECRET_ID": "x"},
    )
    source = settings.credentials()
    assert settings.default_region == "ap-shanghai"
    assert source.origin == "environment TENCENTCLOUD_SECRET_KEY and stack config tencentcloud:secretId"
    assert getattr(source.credential, "secret_id", None) == ID


def test_security_token_is_passed_on() -> None:
    environ = {"TENCENTCLOUD_SECRET_ID": ID, "TENCENTCLOUD_SECRET_KEY": KEY, "TENCENTCLOUD_SECURITY_TOKEN": "tok"}
    settings = Settings(config={}, environ=environ)
    assert getattr(settings.credentials().credential, "token", None) == "tok"


def test_half_set_credentials_say_what_is_missing() -> None:
    with pytest.raises(SettingsError, match="tencentcloud:secretKey"):
        Settings(config={"tencentcloud:secretId": ID}, environ={}).credentials()


def test_masked_secret_id_never_shows_the_key() -> None:
    source = Settings(config={"tencentcloud:secretId": ID, "tencentcloud:secretKey": KEY}, environ={}).credentials()
    assert source.secret_id_hint == "AKID****1234"
    assert KEY not in repr(source) and KEY not in source.origin


def test_real_endpoints_use_https_unless_a_url_says_otherwise() -> None:
    assert Endpoint.parse(None) == Endpoint("https", None)
    assert Endpoint.parse("http://127.0.0.1:9000") == Endpoint("http", "127.0.0.1:9000")
    assert Endpoint.parse("tcr.internal.example:8443") == Endpoint("https", "tcr.internal.example:8443")
    with pytest.raises(SettingsError, match="tcr:endpointUrl"):
        Endpoint.parse("ftp://somewhere")
    settings = Settings(config={"tencentcloud:secretId": ID, "tencentcloud:secretKey": KEY}, environ={})
    profile = TcrCloud(settings).transport.client("tcr", "ap-guangzhou").profile.httpProfile
    assert (profile.protocol, profile.endpoint) == ("https", None)


def test_timeouts_are_configurable_and_validated() -> None:
    assert Settings(config={"tcr:createTimeoutSeconds": "90"}, environ={}).create_timeout == 90
    with pytest.raises(SettingsError, match="tcr:createTimeoutSeconds"):
        _ = Settings(config={"tcr:createTimeoutSeconds": "soon"}, environ={}).create_timeout


def test_the_emulator_binds_loopback_by_default() -> None:
    assert parse_args([]).host == "127.0.0.1"
    with Emulator(create_seconds=0) as emu:
        assert emu.endpoint_url.startswith("http://127.0.0.1:")


def test_a_configured_provider_pickles_to_nothing_but_its_class() -> None:
    provider = InstanceProvider()
    provider.settings  # noqa: B018
    raw = base64.b64decode(serialize_provider(provider))
    assert b"InstanceProvider" in raw and b"tcr_provider.resources.instance.provider" in raw
    assert KEY.encode() not in raw and b"Settings" not in raw


def test_a_state_written_before_the_instance_moved_still_finds_its_provider() -> None:
    # What such a state holds in `__provider`: the class by its old path, built with no state of its own.
    old = pickle.dumps(InstanceProvider(), protocol=2).replace(
        b"tcr_provider.resources.instance.provider", b"tcr_provider.provider"
    )
    provider = dill.loads(old)
    assert isinstance(provider, InstanceProvider) and provider.settings is not None


def test_configure_takes_every_key_settings_declares() -> None:
    from tcr_provider.settings import KEYS

    given = {key.config: f"value-of-{key.config}" for key in KEYS if key.config}
    given["unrelated:key"] = "ignored"
    settings = Settings.from_config(given.get)
    assert dict(settings.config) == {k: v for k, v in given.items() if k != "unrelated:key"}


@pytest.mark.parametrize("raw", ["0", "3", "many", "2000"])
def test_provider_threads_must_be_a_sensible_whole_number(raw: str) -> None:
    with pytest.raises(SettingsError, match="TCR_PROVIDER_THREADS") as failure:
        _ = Settings(environ={"TCR_PROVIDER_THREADS": raw}).provider_threads
    assert failure.value.key == "TCR_PROVIDER_THREADS"


def test_provider_threads_default_and_override() -> None:
    assert Settings(environ={}).provider_threads == 128
    assert Settings(environ={"TCR_PROVIDER_THREADS": "16"}).provider_threads == 16


def test_root_domain_and_protocol_are_those_of_the_official_providers() -> None:
    settings = Settings(
        config={"tencentcloud:domain": "intl.tencentcloudapi.com", "tencentcloud:protocol": "HTTP"}, environ={}
    )
    assert settings.endpoint == Endpoint("http", None, "intl.tencentcloudapi.com")
    from_env = Settings(environ={"TENCENTCLOUD_DOMAIN": "intl.tencentcloudapi.com"}).endpoint
    assert (from_env.scheme, from_env.root_domain) == ("https", "intl.tencentcloudapi.com")
    credentials = {"tencentcloud:secretId": ID, "tencentcloud:secretKey": KEY}
    international = Settings(config={**credentials, "tencentcloud:domain": "intl.tencentcloudapi.com"}, environ={})
    profile = TcrCloud(international).transport.client("tcr", "ap-guangzhou").profile.httpProfile
    assert (profile.endpoint, profile.rootDomain) == (None, "intl.tencentcloudapi.com")
    with pytest.raises(SettingsError, match="tencentcloud:protocol"):
        _ = Settings(config={"tencentcloud:protocol": "ftp"}, environ={}).endpoint
    with pytest.raises(SettingsError, match="tencentcloud:domain"):
        _ = Settings(config={"tencentcloud:domain": "https://x.example"}, environ={}).endpoint


def test_the_endpoint_url_overrides_domain_and_protocol() -> None:
    settings = Settings(
        config={"tcr:endpointUrl": "http://127.0.0.1:9000", "tencentcloud:domain": "intl.tencentcloudapi.com"},
        environ={},
    )
    assert settings.endpoint == Endpoint("http", "127.0.0.1:9000")


def test_each_action_is_paced_below_its_own_published_limit() -> None:
    from tcr_provider.cloud.transport import paced_rate

    assert paced_rate("DescribeInstances") == pytest.approx(90)
    assert paced_rate("CreateInstance") == pytest.approx(18)
