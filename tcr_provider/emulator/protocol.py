"""The Tencent Cloud API 3.0 wire protocol: TC3-HMAC-SHA256 verification, parameter decoding, envelopes.

Independent of sockets: the server hands in what arrived as an :class:`HttpRequest` and writes out the
:class:`HttpAnswer` it gets back. Written from the published signing rules, not from the SDK, so a signing
mistake on either side shows.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import parse_qsl

from .errors import ApiError, AuthFailure, InvalidParameter, InvalidParameterValue, MissingParameter

ALGORITHM = "TC3-HMAC-SHA256"
MAX_CLOCK_SKEW_SECONDS = 300
JSON_CONTENT_TYPE = "application/json"
"""Exactly this: with ``; charset=utf-8`` the SDK skips its error check and returns empty fields."""

_AUTHORIZATION = re.compile(
    ALGORITHM + r" Credential=(?P<secret_id>[^/\s]+)/(?P<date>\d{4}-\d{2}-\d{2})/(?P<service>[a-z0-9]+)"
    r"/tc3_request,\s*SignedHeaders=(?P<signed_headers>[a-z0-9;-]+),\s*Signature=(?P<signature>[0-9a-f]{64})"
)
_REQUIRED_SIGNED_HEADERS = ("content-type", "host")
_UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"


@dataclass(frozen=True)
class HttpRequest:
    """What arrived on the wire; ``headers`` keys are lower-case."""

    method: str
    path: str
    query: str
    headers: Mapping[str, str]
    body: bytes


@dataclass(frozen=True)
class HttpAnswer:
    """What goes back on the wire."""

    status: int
    body: bytes
    content_type: str = JSON_CONTENT_TYPE
    drop: bool = False
    """Close the connection without answering at all."""
    headers: tuple[tuple[str, str], ...] = ()
    """Headers besides Content-Type and Content-Length."""


DROPPED = HttpAnswer(0, b"", drop=True)


@dataclass(frozen=True)
class Credentials:
    secret_id: str
    secret_key: str


@dataclass(frozen=True)
class ApiCall:
    """An authenticated API request, not yet routed to a service."""

    service: str
    action: str
    version: str
    region: str
    secret_id: str
    params: Mapping[str, object]
    textual: bool
    """True when the parameters came from a GET query, so every scalar is text."""


def action_of(request: HttpRequest) -> str:
    return request.headers.get("x-tc-action", "")


def authenticate(request: HttpRequest, credentials: Credentials, now: float) -> ApiCall:
    """Verify the TC3 signature and decode the parameters; raises :class:`ApiError` on any failure."""
    action = action_of(request)
    if not action:
        raise MissingParameter("The request is missing the `X-TC-Action` header.")
    match = _AUTHORIZATION.fullmatch(request.headers.get("authorization", "").strip())
    if match is None:
        raise AuthFailure(f"The Authorization header is not a {ALGORITHM} authorization.", sub="InvalidAuthorization")
    if not hmac.compare_digest(match["secret_id"], credentials.secret_id):
        raise AuthFailure(f"The SecretId {match['secret_id']} is not found.", sub="SecretIdNotFound")

    timestamp = _timestamp(request)
    if abs(now - timestamp) > MAX_CLOCK_SKEW_SECONDS:
        raise AuthFailure(
            f"The X-TC-Timestamp {timestamp} is more than {MAX_CLOCK_SKEW_SECONDS} seconds away from the "
            f"server time {int(now)}; check the client clock.",
            sub="SignatureExpire",
        )
    if match["date"] != datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d"):
        raise AuthFailure("The credential scope date is not the UTC date of X-TC-Timestamp.", sub="SignatureFailure")
    signed_headers = match["signed_headers"].split(";")
    if not set(_REQUIRED_SIGNED_HEADERS) <= set(signed_headers):
        raise AuthFailure("SignedHeaders must include content-type and host.", sub="SignatureFailure")
    expected = signature(request, signed_headers, credentials.secret_key, match["date"], match["service"])
    if not hmac.compare_digest(expected, match["signature"]):
        raise AuthFailure(
            "The provided credentials could not be validated: check the SecretKey and how the request is signed.",
            sub="SignatureFailure",
        )

    version = request.headers.get("x-tc-version", "")
    if not version:
        raise MissingParameter("The request is missing the `X-TC-Version` header.")
    params, textual = decode_params(request)
    return ApiCall(
        service=match["service"],
        action=action,
        version=version,
        region=request.headers.get("x-tc-region", ""),
        secret_id=match["secret_id"],
        params=params,
        textual=textual,
    )


def _timestamp(request: HttpRequest) -> int:
    text = request.headers.get("x-tc-timestamp", "")
    if not text:
        raise MissingParameter("The request is missing the `X-TC-Timestamp` header.")
    if not text.isdigit():
        raise InvalidParameterValue("The `X-TC-Timestamp` header must be a Unix time in seconds.")
    return int(text)


def signature(request: HttpRequest, signed_headers: list[str], secret_key: str, date: str, service: str) -> str:
    # The published rule: header names and values lower-cased and trimmed, in the order SignedHeaders gives.
    canonical_headers = "".join(f"{name}:{request.headers.get(name, '').strip().lower()}\n" for name in signed_headers)
    if request.headers.get("x-tc-content-sha256") == _UNSIGNED_PAYLOAD:
        payload_hash = hashlib.sha256(_UNSIGNED_PAYLOAD.encode()).hexdigest()
    else:
        payload_hash = hashlib.sha256(request.body).hexdigest()
    canonical_request = "\n".join(
        [request.method, request.path, request.query, canonical_headers, ";".join(signed_headers), payload_hash]
    )
    scope = f"{date}/{service}/tc3_request"
    string_to_sign = "\n".join(
        [ALGORITHM, request.headers["x-tc-timestamp"], scope, hashlib.sha256(canonical_request.encode()).hexdigest()]
    )
    key = ("TC3" + secret_key).encode()
    for part in (date, service, "tc3_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()


def decode_params(request: HttpRequest) -> tuple[dict[str, object], bool]:
    """The request's parameters, and whether they came as text from a GET query."""
    if request.method == "GET":
        return decode_query(request.query), True
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != JSON_CONTENT_TYPE:
        raise InvalidParameter(f"A POST request must have Content-Type {JSON_CONTENT_TYPE}, not {content_type!r}.")
    if not request.body.strip():
        return {}, False
    try:
        params = json.loads(request.body)
    except ValueError as error:
        raise InvalidParameter(f"The request body is not valid JSON: {error}.") from None
    if not isinstance(params, dict):
        raise InvalidParameter("The request body must be a JSON object.")
    return params, False


def decode_query(query: str) -> dict[str, object]:
    """``Filters.0.Values.1=x`` style parameters into nested objects and lists (indexes start at 0)."""
    tree: dict[str, object] = {}
    for dotted, value in parse_qsl(query, keep_blank_values=True):
        *parents, leaf = dotted.split(".")
        node = tree
        for part in parents:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                raise InvalidParameterValue(f"The parameter `{dotted}` conflicts with another parameter.")
            node = child
        if leaf in node:
            raise InvalidParameterValue(f"The parameter `{dotted}` is given twice.")
        node[leaf] = value
    return {name: _lists_from_indexes(name, node) for name, node in tree.items()}


def _lists_from_indexes(path: str, node: object) -> object:
    if not isinstance(node, dict):
        return node
    if node and all(key.isdigit() for key in node):
        indexes = [str(index) for index in range(len(node))]
        if set(node) != set(indexes):
            raise InvalidParameterValue(f"The indexes of the list parameter `{path}` must run 0, 1, 2, ...")
        return [_lists_from_indexes(f"{path}.{index}", node[index]) for index in indexes]
    return {key: _lists_from_indexes(f"{path}.{key}", child) for key, child in node.items()}


def new_request_id() -> str:
    return str(uuid.uuid4())


def success_body(payload: Mapping[str, object], request_id: str) -> bytes:
    return _json({"Response": {**payload, "RequestId": request_id}})


def error_body(error: ApiError, request_id: str) -> bytes:
    return _json({"Response": {"Error": {"Code": error.code, "Message": error.message}, "RequestId": request_id}})


def _json(document: object) -> bytes:
    return json.dumps(document, ensure_ascii=False).encode()
