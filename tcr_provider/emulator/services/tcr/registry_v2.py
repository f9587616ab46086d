"""The Docker Registry HTTP API's version check, ``GET /v2/``: what ``docker login`` calls first.

The registry is named by its domain, public (``<name>.tencentcloudcr.com``) or VPC
(``<name>-vpc.tencentcloudcr.com``), taken from the Host header or, for a client that cannot set Host (it
points at the emulator's address), from an ``X-Registry-Host`` header, which wins when present. A port on
either is ignored.

200 with ``{}`` for HTTP Basic credentials ``<username>:<token>`` of a live token of that registry (see
:mod:`.tokens`) while the registry is Running; 401 with ``WWW-Authenticate: Basic realm="<domain>"``
otherwise. Both carry ``Docker-Distribution-API-Version: registry/2.0``, as a registry does.

Not emulated: the real registry's token service (``Bearer`` challenges); Basic is what ``docker login`` falls
back to and all a client needs to prove a token works.
"""

from __future__ import annotations

import base64
import binascii

from ...protocol import HttpAnswer, HttpRequest
from .tokens import TokenBackend

VERSION_CHECK_PATHS = ("/v2/", "/v2")
REGISTRY_HOST_HEADER = "x-registry-host"
_API_VERSION = ("Docker-Distribution-API-Version", "registry/2.0")


def is_version_check(request: HttpRequest) -> bool:
    return request.method == "GET" and request.path in VERSION_CHECK_PATHS


class RegistryV2Api:
    def __init__(self, tokens: TokenBackend) -> None:
        self.tokens = tokens

    def answer(self, request: HttpRequest) -> HttpAnswer:
        domain = _domain(request)
        credentials = _basic_credentials(request.headers.get("authorization", ""))
        if credentials is not None and self.tokens.login(domain, *credentials):
            return HttpAnswer(200, b"{}", headers=(_API_VERSION,))
        body = (
            b'{"errors":[{"code":"UNAUTHORIZED","message":"authentication required: HTTP Basic credentials of a '
            b'live token of this registry","detail":null}]}'
        )
        return HttpAnswer(401, body, headers=(_API_VERSION, ("WWW-Authenticate", f'Basic realm="{domain}"')))


def _domain(request: HttpRequest) -> str:
    host = request.headers.get(REGISTRY_HOST_HEADER) or request.headers.get("host", "")
    return host.strip().lower().rsplit(":", 1)[0] if ":" in host else host.strip().lower()


def _basic_credentials(authorization: str) -> tuple[str, str] | None:
    scheme, _, encoded = authorization.strip().partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    username, colon, secret = decoded.partition(":")
    return (username, secret) if colon else None
