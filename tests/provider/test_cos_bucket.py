"""cosBucket is what the COS API confirms (GET Service in the instance's region), never a guess: empty, with a
warning that says why, when it cannot be confirmed; and no create fails for it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import requests
from qcloud_cos import CosConfig, CosS3Client

from tcr_provider import InstanceProvider
from tcr_provider.cloud import CosBuckets, Unconfirmed
from tcr_provider.cloud import buckets as cloud_buckets
from tcr_provider.emulator import Emulator
from tcr_provider.testing import REGION, buy_out_of_band

from ..support import Control, configured_provider
from .conftest import Checked, create_instance


def put_bucket(emulator: Emulator, name: str, region: str = REGION) -> str:
    """Make a bucket out of band, as the console or another tool would, through the COS SDK."""
    host, port = emulator.endpoint_url.removeprefix("http://").split(":")
    config = CosConfig(
        Region=region,
        SecretId=emulator.secret_id,
        SecretKey=emulator.secret_key,
        Scheme="http",
        IP=host,
        Port=int(port),
    )
    bucket = f"{name}-{emulator.app_id}"
    CosS3Client(config, retry=0).create_bucket(Bucket=bucket)
    return bucket


def test_create_records_the_bucket_cos_lists(
    provider: InstanceProvider, checked: Checked, control: Control, capfd: pytest.CaptureFixture[str]
) -> None:
    _, outs = create_instance(provider, checked(name="team-apps", region="ap-singapore"))
    assert control.state()["buckets"] == [outs["cosBucket"]]
    assert outs["cosBucketRegion"] == "ap-singapore"
    assert control.requests("GetService") == 1
    assert "warning" not in capfd.readouterr().err


def test_a_recorded_bucket_is_kept_on_refresh_without_a_cos_call(
    provider: InstanceProvider, checked: Checked, control: Control
) -> None:
    registry_id, outs = create_instance(provider, checked(name="team-apps"))
    before = control.requests("GetService")
    result = provider.read(registry_id, outs)
    assert result.outs is not None
    assert (result.outs["cosBucket"], result.outs["cosBucketRegion"]) == (outs["cosBucket"], outs["cosBucketRegion"])
    assert control.requests("GetService") == before


def test_a_bucket_left_unconfirmed_is_asked_for_again_on_refresh(
    provider: InstanceProvider, checked: Checked, control: Control
) -> None:
    control.fault({"action": "GetService", "error": "AccessDenied"})
    registry_id, outs = create_instance(provider, checked(name="team-apps"))
    assert outs["cosBucket"] == ""
    result = provider.read(registry_id, outs)
    assert result.outs is not None
    assert result.outs["cosBucket"] == control.state()["buckets"][0]
    assert result.outs["cosBucketRegion"] == REGION


def test_two_matching_buckets_leave_it_empty_with_a_warning(
    provider: InstanceProvider,
    checked: Checked,
    control: Control,
    emulator: Emulator,
    capfd: pytest.CaptureFixture[str],
) -> None:
    registry_id = buy_out_of_band(emulator, "team-apps")
    copy = put_bucket(emulator, f"{registry_id}-copy")
    _, outs = create_instance(provider, checked(name="team-apps", adoptExisting=True))
    assert (outs["registryId"], outs["cosBucket"], outs["cosBucketRegion"]) == (registry_id, "", "")
    warning = capfd.readouterr().err
    assert f"warning: team-apps ({registry_id}): cosBucket is left empty" in warning
    assert "several COS buckets" in warning and copy in warning


def test_an_unreachable_cos_is_tried_a_few_times_then_left_empty(
    provider: InstanceProvider, checked: Checked, control: Control, capfd: pytest.CaptureFixture[str]
) -> None:
    control.fault({"action": "GetService", "http_status": 503, "count": 3})
    registry_id, outs = create_instance(provider, checked(name="team-apps"))
    assert [i["RegistryId"] for i in control.instances()] == [registry_id]
    assert outs["cosBucket"] == ""
    assert "HTTP 503" in capfd.readouterr().err
    assert control.requests("GetService") == 3


def test_a_server_error_once_is_tried_again(provider: InstanceProvider, checked: Checked, control: Control) -> None:
    control.fault({"action": "GetService", "http_status": 500})
    _, outs = create_instance(provider, checked(name="team-apps"))
    assert outs["cosBucket"] == control.state()["buckets"][0]
    assert control.requests("GetService") == 2


def test_the_lookup_follows_every_page(
    provider: InstanceProvider,
    checked: Checked,
    control: Control,
    emulator: Emulator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(cloud_buckets, "LIST_PAGE_SIZE", 2)
    for name in ("alpha", "bravo", "charlie", "delta", "echo"):
        put_bucket(emulator, name)  # all listed before any tcr-... bucket
    _, outs = create_instance(provider, checked(name="team-apps"))
    assert outs["cosBucket"].startswith(outs["registryId"] + "-")
    assert control.requests("GetService") == 3


def test_no_bucket_of_the_registry_is_no_match(provider: InstanceProvider, control: Control) -> None:
    found = CosBuckets(provider.cloud.transport).find(REGION, "tcr-absent01")
    assert (found.bucket, found.unconfirmed) == ("", Unconfirmed.NO_MATCH)
    assert "tcr-absent01-" in found.reason


def test_wrong_credentials_are_no_permission(
    make_provider: Callable[..., InstanceProvider], control: Control, emulator: Emulator
) -> None:
    provider = make_provider(**{"tencentcloud:secretKey": "wrong-key-0123456789"})
    found = CosBuckets(provider.cloud.transport).find(REGION, "tcr-absent01")
    assert found.unconfirmed is Unconfirmed.NO_PERMISSION
    assert "SignatureDoesNotMatch" in found.reason and "stack config" in found.reason
    assert "wrong-key-0123456789" not in found.reason and emulator.secret_id not in found.reason


def test_a_session_token_signs_the_cos_call_too(
    make_provider: Callable[..., InstanceProvider], checked: Checked, control: Control
) -> None:
    provider = make_provider(**{"tencentcloud:securityToken": "session-token"})
    _, outs = create_instance(provider, checked(name="team-apps"))
    assert outs["cosBucket"] == control.state()["buckets"][0]


def test_without_an_endpoint_override_cos_is_the_real_service_over_https(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TENCENTCLOUD_ENDPOINT_URL", raising=False)
    sent: list[str] = []

    def offline(session: Any, method: str, url: str, **kwargs: Any) -> Any:
        sent.append(url)
        raise requests.ConnectionError("offline")

    monkeypatch.setattr(requests.Session, "request", offline)
    provider = configured_provider(
        {"tencentcloud:secretId": "AKIDEXAMPLE0123", "tencentcloud:secretKey": "key", "tencentcloud:protocol": "HTTP"}
    )
    found = CosBuckets(provider.cloud.transport).find(REGION, "tcr-absent01")
    assert found.unconfirmed is Unconfirmed.UNREACHABLE
    assert sent == ["https://service.cos.myqcloud.com/"] * 3


def test_concurrent_lookups_in_a_region_share_their_listings(
    provider: InstanceProvider, emulator: Emulator, control: Control
) -> None:
    import threading

    ids = [buy_out_of_band(emulator, f"shared-{i:02d}") for i in range(12)]
    before = control.requests("GetService")
    found: dict[str, str] = {}
    start = threading.Barrier(len(ids))

    def look(registry_id: str) -> None:
        start.wait()
        found[registry_id] = provider.cloud.buckets.find(REGION, registry_id).bucket

    threads = [threading.Thread(target=look, args=(registry_id,)) for registry_id in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert found == {registry_id: f"{registry_id}-{emulator.app_id}" for registry_id in ids}
    # The first lookup lists alone; those arriving meanwhile share the next listing.
    assert control.requests("GetService") - before <= 3
