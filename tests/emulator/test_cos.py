"""COS on the emulator's port, through the real cos-python-sdk-v5 client: its signature, GET Service (region
filter, pages) and PUT Bucket, its XML errors and fault rules; and a few requests made by hand."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree

import pytest
import requests
from qcloud_cos import CosConfig, CosS3Client
from qcloud_cos.cos_auth import CosS3Auth
from qcloud_cos.cos_exception import CosServiceError

REGION = "ap-guangzhou"


def cos(api, secret_id: str | None = None, secret_key: str | None = None, token: str | None = None) -> CosS3Client:
    """A COS client whose GET Service goes to the emulator (list_buckets builds its URL from ServiceDomain)."""
    config = CosConfig(
        Region=REGION,
        SecretId=secret_id or api.emulator.secret_id,
        SecretKey=secret_key or api.emulator.secret_key,
        Token=token,
        Scheme="http",
        ServiceDomain=api.endpoint,
    )
    return CosS3Client(config, retry=0)


def bucket_maker(api, region: str) -> CosS3Client:
    """A COS client for bucket requests: sent to the emulator's address with the bucket's own Host."""
    host, port = api.endpoint.split(":")
    config = CosConfig(
        Region=region,
        SecretId=api.emulator.secret_id,
        SecretKey=api.emulator.secret_key,
        Scheme="http",
        IP=host,
        Port=int(port),
    )
    return CosS3Client(config, retry=0)


def put_bucket(api, name: str, region: str = REGION) -> None:
    bucket_maker(api, region).create_bucket(Bucket=f"{name}-{api.emulator.app_id}")


def names(listing) -> list[str]:
    return [bucket["Name"] for bucket in (listing["Buckets"] or {}).get("Bucket", [])]


def refusal(call) -> CosServiceError:
    with pytest.raises(CosServiceError) as caught:
        call()
    return caught.value


# --- GET Service ---


def test_an_account_without_buckets_lists_none(api):
    listing = cos(api).list_buckets()
    assert listing["Buckets"] is None
    assert listing["IsTruncated"] == "false"
    assert listing["Owner"]["ID"].startswith("qcs::cam::uin/")


def test_tcr_makes_its_bucket_in_the_instance_region(api):
    registry_id = api.create(region="ap-shanghai")
    [bucket] = cos(api).list_buckets()["Buckets"]["Bucket"]
    assert (bucket["Name"], bucket["Location"]) == (f"{registry_id}-{api.emulator.app_id}", "ap-shanghai")
    assert bucket["CreationDate"].endswith("Z")


def test_the_region_filter_lists_one_region(api):
    in_guangzhou, in_shanghai = api.create("registry-one"), api.create("registry-two", region="ap-shanghai")
    client = cos(api)
    assert names(client.list_buckets(Region="ap-guangzhou")) == [f"{in_guangzhou}-{api.emulator.app_id}"]
    assert names(client.list_buckets(Region="ap-shanghai")) == [f"{in_shanghai}-{api.emulator.app_id}"]
    assert names(client.list_buckets(Region="ap-tokyo")) == []
    assert len(names(client.list_buckets())) == 2


def test_pages_follow_the_marker_in_name_order(api):
    for name in ("delta", "alpha", "echo", "charlie", "bravo"):
        put_bucket(api, name)
    client, marker, pages = cos(api), "", []
    while True:
        listing = client.list_buckets(Marker=marker, MaxKeys=2)
        pages.append([name.split("-")[0] for name in names(listing)])
        if listing["IsTruncated"] != "true":
            break
        marker = listing["NextMarker"]
    assert pages == [["alpha", "bravo"], ["charlie", "delta"], ["echo"]]


def test_max_keys_beyond_2000_is_an_invalid_argument(api):
    error = refusal(lambda: cos(api).list_buckets(MaxKeys=2001))
    assert (error.get_status_code(), error.get_error_code()) == (400, "InvalidArgument")


def test_a_bucket_outlives_its_instance_unless_delete_bucket(api):
    kept, dropped = api.create("registry-kept"), api.create("registry-dropped")
    api.invoke(api.tcr(), "DeleteInstance", {"RegistryId": kept})
    api.invoke(api.tcr(), "DeleteInstance", {"RegistryId": dropped, "DeleteBucket": True})
    assert names(cos(api).list_buckets()) == [f"{kept}-{api.emulator.app_id}"]


# --- signatures ---


def test_a_temporary_credential_signs_its_token_too(api):
    client = cos(api, token="session token/+=")
    assert client.list_buckets()["Buckets"] is None


def test_a_wrong_secret_key_is_signature_does_not_match(api):
    error = refusal(lambda: cos(api, secret_key="not-the-key").list_buckets())
    assert (error.get_status_code(), error.get_error_code()) == (403, "SignatureDoesNotMatch")
    assert error.get_request_id() and error.get_resource_location()


def test_an_unknown_secret_id_is_invalid_access_key_id(api):
    error = refusal(lambda: cos(api, secret_id="AKIDSOMEONEELSE").list_buckets())
    assert (error.get_status_code(), error.get_error_code()) == (403, "InvalidAccessKeyId")


def test_requests_count_by_action_whatever_their_outcome(api):
    cos(api).list_buckets()
    refusal(lambda: cos(api, secret_key="not-the-key").list_buckets())
    put_bucket(api, "counted")
    assert api.state()["requests"] == {"GetService": 2, "PutBucket": 1}


# --- PUT Bucket ---


def test_put_bucket_makes_a_bucket_in_the_region_of_its_host(api):
    put_bucket(api, "images", region="ap-tokyo")
    assert names(cos(api).list_buckets(Region="ap-tokyo")) == [f"images-{api.emulator.app_id}"]
    assert api.state()["buckets"] == [f"images-{api.emulator.app_id}"]


def test_put_bucket_refuses_a_taken_name(api):
    put_bucket(api, "images")
    error = refusal(lambda: put_bucket(api, "images"))
    assert (error.get_status_code(), error.get_error_code()) == (409, "BucketAlreadyExists")


@pytest.mark.parametrize("name", ["images-1", "images--{app_id}", "a" * 50 + "-{app_id}"])
def test_put_bucket_refuses_a_name_outside_the_rules(api, name):
    bucket = name.format(app_id=api.emulator.app_id)
    error = refusal(lambda: bucket_maker(api, REGION).create_bucket(Bucket=bucket))
    assert (error.get_status_code(), error.get_error_code()) == (400, "InvalidBucketName")


# --- fault rules ---


def test_a_fault_rule_makes_get_service_access_denied(api):
    api.add_faults({"action": "GetService", "error": "AccessDenied"})
    error = refusal(lambda: cos(api).list_buckets())
    assert (error.get_status_code(), error.get_error_code()) == (403, "AccessDenied")
    assert cos(api).list_buckets()["Buckets"] is None  # the rule took one call


def test_an_http_status_fault_answers_cos_too(api):
    api.add_faults({"action": "GetService", "http_status": 503})
    assert refusal(lambda: cos(api).list_buckets()).get_status_code() == 503


# --- requests made by hand ---


def signed(api, **auth_options) -> dict[str, str]:
    """Headers of a GET Service signed by the SDK's own signer, with the Host header as sent (port included)."""
    config = CosConfig(Region=REGION, SecretId=api.emulator.secret_id, SecretKey=api.emulator.secret_key)
    request = requests.Request("GET", f"{api.emulator.endpoint_url}/", headers={"Host": api.endpoint}).prepare()
    CosS3Auth(config, **auth_options)(request)
    return dict(request.headers)


def test_a_host_signed_with_its_port_is_accepted(api):
    # cos-go-sdk-v5 signs the Host header as sent; the Python SDK signs the host name alone.
    answer = requests.get(f"{api.emulator.endpoint_url}/", headers=signed(api), timeout=10)
    assert answer.status_code == 200
    assert b"<Buckets/>" in answer.content


def test_a_tampered_signature_is_refused_with_the_xml_error_body(api):
    headers = signed(api)
    authorization = headers["Authorization"]
    headers["Authorization"] = authorization[:-1] + ("0" if authorization[-1] != "0" else "1")
    answer = requests.get(f"{api.emulator.endpoint_url}/", headers=headers, timeout=10)
    assert answer.status_code == 403
    assert answer.headers["Content-Type"] == "application/xml"
    error = ElementTree.fromstring(answer.content)
    assert error.tag == "Error"
    assert error.findtext("Code") == "SignatureDoesNotMatch"
    assert all(error.findtext(field) for field in ("Message", "Resource", "RequestId"))


def test_an_unsigned_query_parameter_may_change_but_a_signed_one_may_not(api):
    put_bucket(api, "images")
    headers = signed(api)
    unsigned = requests.get(f"{api.emulator.endpoint_url}/?max-keys=1", headers=headers, timeout=10)
    assert unsigned.status_code == 200

    config = CosConfig(Region=REGION, SecretId=api.emulator.secret_id, SecretKey=api.emulator.secret_key)
    request = requests.Request("GET", f"{api.emulator.endpoint_url}/", headers={"Host": api.endpoint}).prepare()
    CosS3Auth(config, params={"max-keys": "1"})(request)
    assert requests.get(f"{api.emulator.endpoint_url}/?max-keys=1", headers=request.headers, timeout=10).ok
    tampered = requests.get(f"{api.emulator.endpoint_url}/?max-keys=2", headers=request.headers, timeout=10)
    assert tampered.status_code == 403


def test_an_expired_signature_is_refused(api):
    answer = requests.get(f"{api.emulator.endpoint_url}/", headers=signed(api, expire=-120), timeout=10)
    assert answer.status_code == 403
    assert ElementTree.fromstring(answer.content).findtext("Message") == "Request has expired"


def test_cos_requests_do_not_disturb_the_tc3_api(api):
    cos(api).list_buckets()
    assert api.registries() == []
    assert api.state()["requests"] == {"GetService": 1, "DescribeInstances": 1}
