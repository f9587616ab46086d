"""COS request signatures (the XML API's HMAC-SHA1 scheme), checked as the published steps define them.

Authorization: ``q-sign-algorithm=sha1&q-ak=<SecretId>&q-sign-time=<start>;<end>&q-key-time=<start>;<end>
&q-header-list=<h1;h2>&q-url-param-list=<p1;p2>&q-signature=<hex>``, where

- SignKey = hex(HMAC-SHA1(SecretKey, q-key-time));
- HttpString = lower(method) \\n path \\n params \\n headers \\n, params and headers being ``key=value`` joined by
  ``&`` for exactly the names the two lists give, names lower-cased and values URL-encoded (only ``-_.~``
  left as they are); a listed parameter the request lacks counts as empty;
- StringToSign = ``sha1`` \\n q-sign-time \\n hex(SHA1(HttpString)) \\n;
- q-signature = hex(HMAC-SHA1(SignKey, StringToSign)).

Only what the lists name is signed, so a client may leave query parameters unsigned (the COS Python SDK signs
none for GET Service). Clients differ on the host they sign: the Python SDK signs the URL's host name without
its port, the Go SDK the Host header as sent, so both are accepted.
"""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import parse_qsl, quote, unquote

from ...protocol import Credentials, HttpRequest
from .errors import AccessDenied, InvalidAccessKeyId, SignatureDoesNotMatch

ALGORITHM = "sha1"
AUTHORIZATION_PREFIX = "q-sign-algorithm="
_REQUIRED = (
    "q-sign-algorithm",
    "q-ak",
    "q-sign-time",
    "q-key-time",
    "q-header-list",
    "q-url-param-list",
    "q-signature",
)


def is_cos_request(request: HttpRequest) -> bool:
    return request.headers.get("authorization", "").startswith(AUTHORIZATION_PREFIX)


def authenticate(request: HttpRequest, credentials: Credentials, now: float) -> str:
    """Check the request's signature; the SecretId that signed it, or a COS error (all HTTP 403)."""
    fields = _authorization(request.headers.get("authorization", ""))
    if fields["q-sign-algorithm"] != ALGORITHM:
        raise AccessDenied(f"q-sign-algorithm must be {ALGORITHM}.")
    if not hmac.compare_digest(fields["q-ak"], credentials.secret_id):
        raise InvalidAccessKeyId("The Access Key Id you provided does not exist in our records.")
    for name in ("q-sign-time", "q-key-time"):
        start, end = _period(name, fields[name])
        if now > end:
            raise AccessDenied("Request has expired")
        if now < start:
            raise AccessDenied(f"The {name} {fields[name]} starts in the future; check the client clock.")
    if not any(
        hmac.compare_digest(signature(request, fields, credentials.secret_key, host), fields["q-signature"])
        for host in _hosts(request)
    ):
        raise SignatureDoesNotMatch(
            "The Signature you specified does not match what we calculated: check the SecretKey and how the "
            "request is signed."
        )
    return fields["q-ak"]


def signature(request: HttpRequest, fields: dict[str, str], secret_key: str, host: str) -> str:
    headers = {name: value for name, value in request.headers.items()}
    headers["host"] = host
    query = {_encode(name).lower(): value for name, value in parse_qsl(request.query, keep_blank_values=True)}
    http_headers = "&".join(f"{name}={_encode(headers.get(name, ''))}" for name in _names(fields["q-header-list"]))
    http_params = "&".join(f"{name}={_encode(query.get(name, ''))}" for name in _names(fields["q-url-param-list"]))
    http_string = f"{request.method.lower()}\n{unquote(request.path)}\n{http_params}\n{http_headers}\n"
    string_to_sign = f"{ALGORITHM}\n{fields['q-sign-time']}\n{hashlib.sha1(http_string.encode()).hexdigest()}\n"
    sign_key = hmac.new(secret_key.encode(), fields["q-key-time"].encode(), hashlib.sha1).hexdigest()
    return hmac.new(sign_key.encode(), string_to_sign.encode(), hashlib.sha1).hexdigest()


def _authorization(text: str) -> dict[str, str]:
    fields = dict(part.partition("=")[::2] for part in text.split("&"))
    missing = [name for name in _REQUIRED if name not in fields]
    if missing:
        raise AccessDenied(f"The Authorization header lacks {', '.join(missing)}.")
    return fields


def _period(name: str, text: str) -> tuple[int, int]:
    start, _, end = text.partition(";")
    if not (start.isdigit() and end.isdigit()):
        raise AccessDenied(f"{name} must be <start>;<end> in Unix seconds, not {text!r}.")
    return int(start), int(end)


def _names(text: str) -> list[str]:
    return [name for name in text.split(";") if name]


def _hosts(request: HttpRequest) -> list[str]:
    host = request.headers.get("host", "")
    bare = host.rsplit(":", 1)[0] if ":" in host and not host.endswith("]") else host
    return [host] if bare == host else [host, bare]


def _encode(text: str) -> str:
    return quote(text, safe="-_.~")
