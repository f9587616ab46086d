"""COS's actions: which one a request is (by its method and Host), and the XML each answers.

- GET Service (``GET /`` on ``service.cos.myqcloud.com``, on ``cos.<region>.myqcloud.com`` for one region, or
  on any host that names no bucket, such as the emulator's own address): the account's buckets, filtered by
  the ``region`` parameter, in pages of ``max-keys`` (at most 2000) after ``marker``. The tag and
  creation-time filters are not emulated (buckets carry no tags here) and answer ``NotImplemented``.
- PUT Bucket (``PUT /`` on ``<bucket>.cos.<region>.myqcloud.com``): a new, empty bucket in that region.

Anything else answers ``NotImplemented``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qsl
from xml.sax.saxutils import escape

from ...protocol import HttpAnswer, HttpRequest
from ..base import Account
from .errors import CosError, InvalidArgument, NotImplementedByEmulator
from .model import MAX_KEYS, Bucket, BucketStore

GET_SERVICE = "GetService"
PUT_BUCKET = "PutBucket"
ACTIONS = (GET_SERVICE, PUT_BUCKET)
"""The names fault rules and request counts know COS's actions by (as CAM names them: cos:GetService, ...)."""

XML_CONTENT_TYPE = "application/xml"
_XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'
_BUCKET_HOST = re.compile(r"(?P<bucket>[a-z0-9-]+)\.cos\.(?P<region>[a-z0-9-]+)\.myqcloud\.com")
_REGION_HOST = re.compile(r"cos\.(?P<region>[a-z0-9-]+)\.myqcloud\.com")
_UNEMULATED_FILTERS = ("tagkey", "tagvalue", "create-time", "range")


@dataclass(frozen=True)
class CosRequest:
    """A COS request, routed: ``action`` is "" for one the emulator does not serve."""

    action: str
    method: str
    bucket: str | None
    region: str | None
    params: Mapping[str, str]
    resource: str
    """What error bodies name: the host and path."""


def parse(request: HttpRequest) -> CosRequest:
    host = request.headers.get("host", "").lower()
    name = host.rsplit(":", 1)[0]
    params = dict(parse_qsl(request.query, keep_blank_values=True))
    bucket = _BUCKET_HOST.fullmatch(name)
    at_root = request.path == "/"
    if bucket is not None:
        action = PUT_BUCKET if request.method == "PUT" and at_root and not params else ""
        region: str | None = bucket["region"]
        bucket_name: str | None = bucket["bucket"]
    else:
        action = GET_SERVICE if request.method == "GET" and at_root else ""
        scoped = _REGION_HOST.fullmatch(name)
        region, bucket_name = (scoped["region"] if scoped else None), None
    return CosRequest(action, request.method, bucket_name, region, params, f"{host}{request.path}")


class CosApi:
    def __init__(self, store: BucketStore, account: Account) -> None:
        self.store = store
        self.account = account

    def perform(self, request: CosRequest) -> HttpAnswer:
        match request.action:
            case "GetService":
                return self.get_service(request)
            case "PutBucket":
                return self.put_bucket(request)
            case _:
                raise NotImplementedByEmulator(
                    f"The emulator serves only GET Service and PUT Bucket, not {request.method} {request.resource}."
                )

    def get_service(self, request: CosRequest) -> HttpAnswer:
        unemulated = [name for name in _UNEMULATED_FILTERS if name in request.params]
        if unemulated:
            raise NotImplementedByEmulator(f"The emulator does not filter buckets by {', '.join(unemulated)}.")
        raw_max_keys = request.params.get("max-keys") or str(MAX_KEYS)
        if not raw_max_keys.isdigit():
            raise InvalidArgument(f"max-keys must be a whole number, not {raw_max_keys!r}.")
        marker = request.params.get("marker", "")
        region = request.params.get("region") or request.region
        page = self.store.page(region, marker, int(raw_max_keys))
        uin = self.account.uin
        parts = [
            "<ListAllMyBucketsResult>",
            f"<Owner><ID>qcs::cam::uin/{uin}:uin/{uin}</ID><DisplayName>{uin}</DisplayName></Owner>",
            # An empty list is an empty element: the COS Python SDK fails on one that holds only whitespace.
            f"<Buckets>{''.join(_bucket(b) for b in page.buckets)}</Buckets>" if page.buckets else "<Buckets/>",
            f"<Marker>{escape(marker)}</Marker>",
            f"<IsTruncated>{'true' if page.truncated else 'false'}</IsTruncated>",
        ]
        if page.truncated:
            parts.append(f"<NextMarker>{escape(page.buckets[-1].name)}</NextMarker>")
        parts.append("</ListAllMyBucketsResult>")
        return HttpAnswer(200, (_XML_DECLARATION + "".join(parts)).encode(), XML_CONTENT_TYPE)

    def put_bucket(self, request: CosRequest) -> HttpAnswer:
        assert request.bucket is not None and request.region is not None
        self.store.create(request.bucket, request.region)
        return HttpAnswer(200, b"", XML_CONTENT_TYPE)


def _bucket(bucket: Bucket) -> str:
    created = bucket.created_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    return (
        f"<Bucket><Name>{escape(bucket.name)}</Name><Location>{escape(bucket.region)}</Location>"
        f"<CreationDate>{created}</CreationDate><BucketType>cos</BucketType></Bucket>"
    )


def error_answer(error: CosError, request_id: str, resource: str) -> HttpAnswer:
    """COS's error body: Code, Message, Resource and RequestId (the SDK reads an error only when all are there)."""
    body = (
        f"{_XML_DECLARATION}<Error><Code>{escape(error.code)}</Code><Message>{escape(error.message)}</Message>"
        f"<Resource>{escape(resource)}</Resource><RequestId>{escape(request_id)}</RequestId>"
        f"<TraceId>{escape(request_id)}</TraceId></Error>"
    )
    return HttpAnswer(error.status, body.encode(), XML_CONTENT_TYPE)
