"""Where the provider's credentials, region and endpoint come from.

Each value is looked up on its own: stack config, then the environment, then (credentials only) the
Tencent Cloud SDK's default chain (profile file, CVM role, TKE OIDC). The keys are the ones the Tencent
Cloud Pulumi and Terraform providers use, so one stack config serves all of them.

Nothing here is ever pickled into Pulumi state: the provider object keeps a `Settings` only in the
process that runs it (see `CloudProvider.__getstate__` in lifecycle.py).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple
from urllib.parse import urlsplit

from .errors import SettingsError

__all__ = ["CONFIG_KEYS", "KEYS", "CredentialSource", "Endpoint", "Key", "Settings", "SettingsError"]


class Key(NamedTuple):
    """One setting: its stack config key (None: environment only) and its environment variable."""

    config: str | None
    env: str


SECRET_ID = Key("tencentcloud:secretId", "TENCENTCLOUD_SECRET_ID")
SECRET_KEY = Key("tencentcloud:secretKey", "TENCENTCLOUD_SECRET_KEY")
SECURITY_TOKEN = Key("tencentcloud:securityToken", "TENCENTCLOUD_SECURITY_TOKEN")
REGION = Key("tencentcloud:region", "TENCENTCLOUD_REGION")
ENDPOINT_URL = Key("tcr:endpointUrl", "TENCENTCLOUD_ENDPOINT_URL")
# The root domain and protocol settings of the official Tencent Cloud Terraform and Pulumi providers.
DOMAIN = Key("tencentcloud:domain", "TENCENTCLOUD_DOMAIN")
PROTOCOL = Key("tencentcloud:protocol", "TENCENTCLOUD_PROTOCOL")
CREATE_TIMEOUT = Key("tcr:createTimeoutSeconds", "TCR_CREATE_TIMEOUT_SECONDS")
UPDATE_TIMEOUT = Key("tcr:updateTimeoutSeconds", "TCR_UPDATE_TIMEOUT_SECONDS")
DELETE_TIMEOUT = Key("tcr:deleteTimeoutSeconds", "TCR_DELETE_TIMEOUT_SECONDS")
CALL_TIMEOUT = Key("tcr:callTimeoutSeconds", "TCR_CALL_TIMEOUT_SECONDS")
# Read once when the provider process loads the package, before any stack config reaches it.
PROVIDER_THREADS = Key(None, "TCR_PROVIDER_THREADS")

KEYS: tuple[Key, ...] = (
    SECRET_ID,
    SECRET_KEY,
    SECURITY_TOKEN,
    REGION,
    ENDPOINT_URL,
    DOMAIN,
    PROTOCOL,
    CREATE_TIMEOUT,
    UPDATE_TIMEOUT,
    DELETE_TIMEOUT,
    CALL_TIMEOUT,
    PROVIDER_THREADS,
)
# The stack config keys `configure` takes from the engine's config.
CONFIG_KEYS: tuple[str, ...] = tuple(key.config for key in KEYS if key.config)

DEFAULT_CREATE_TIMEOUT_SECONDS = 20 * 60.0
DEFAULT_UPDATE_TIMEOUT_SECONDS = 10 * 60.0
DEFAULT_DELETE_TIMEOUT_SECONDS = 10 * 60.0
# The whole budget of one API call, retries included: a silent API is reported within about a minute.
DEFAULT_CALL_TIMEOUT_SECONDS = 60.0
DEFAULT_PROVIDER_THREADS = 128
# The dynamic provider server's own pool size; fewer would gain nothing.
MIN_PROVIDER_THREADS, MAX_PROVIDER_THREADS = 4, 1024


@dataclass(frozen=True)
class Endpoint:
    """Where API calls go: the real cloud (`<service>.<root domain>`) or one override host."""

    scheme: str = "https"
    host: str | None = None  # "host:port"; None means the SDK's `<service>.<root_domain>`
    root_domain: str | None = None  # None means the SDK's own, tencentcloudapi.com

    @classmethod
    def parse(cls, url: str | None) -> Endpoint:
        if not url:
            return cls()
        parts = urlsplit(url if "://" in url else f"https://{url}")
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise SettingsError(
                f"endpoint URL {url!r} ({ENDPOINT_URL.config} / {ENDPOINT_URL.env}) is not a URL such as "
                "http://127.0.0.1:9000"
            )
        return cls(scheme=parts.scheme, host=parts.netloc)

    def describe(self) -> str:
        if self.host:
            return f"{self.scheme}://{self.host}"
        return f"the Tencent Cloud API ({self.scheme}://<service>.{self.root_domain or 'tencentcloudapi.com'})"


@dataclass(frozen=True)
class CredentialSource:
    """Credentials and a human description of where they came from (never the key itself)."""

    credential: object = field(repr=False)
    origin: str

    @property
    def secret_id_hint(self) -> str:
        secret_id = str(getattr(self.credential, "secret_id", "") or "")
        if len(secret_id) <= 8:
            return "****"
        return f"{secret_id[:4]}****{secret_id[-4:]}"


@dataclass(frozen=True)
class Settings:
    """Resolved provider settings. Built in the provider process from the stack config and environment."""

    config: Mapping[str, str] = field(default_factory=dict, repr=False)
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ), repr=False)

    @classmethod
    def from_config(cls, get: Callable[[str], object]) -> Settings:
        """Settings from the engine's stack config (`ConfigureRequest.config.get`): every key declared here."""
        return cls(config={key: str(value) for key in CONFIG_KEYS if (value := get(key)) is not None})

    def lookup(self, key: Key) -> str | None:
        config_value = self.config.get(key.config) if key.config else None
        for value in (config_value, self.environ.get(key.env)):
            if value is not None and str(value) != "":
                return str(value)
        return None

    @property
    def default_region(self) -> str | None:
        return self.lookup(REGION)

    @property
    def endpoint(self) -> Endpoint:
        url = self.lookup(ENDPOINT_URL)
        if url:
            return Endpoint.parse(url)
        protocol = (self.lookup(PROTOCOL) or "https").lower()
        if protocol not in ("http", "https"):
            raise SettingsError(
                f"{PROTOCOL.config} / {PROTOCOL.env} must be HTTP or HTTPS, got {protocol!r}", key=PROTOCOL.config
            )
        domain = (self.lookup(DOMAIN) or "").strip().strip(".")
        if domain and ("/" in domain or ":" in domain):
            raise SettingsError(
                f"{DOMAIN.config} / {DOMAIN.env} is a root domain such as intl.tencentcloudapi.com, got {domain!r}",
                key=DOMAIN.config,
            )
        return Endpoint(scheme=protocol, root_domain=domain or None)

    def seconds(self, key: Key, default: float) -> float:
        raw = self.lookup(key)
        if raw is None:
            return default
        try:
            value = float(raw)
        except ValueError:
            value = -1.0
        if value <= 0:
            raise SettingsError(f"{key.config} / {key.env} must be a positive number of seconds, got {raw!r}")
        return value

    @property
    def provider_threads(self) -> int:
        raw = self.lookup(PROVIDER_THREADS)
        if raw is None:
            return DEFAULT_PROVIDER_THREADS
        try:
            value = int(raw)
        except ValueError:
            value = 0
        if not MIN_PROVIDER_THREADS <= value <= MAX_PROVIDER_THREADS:
            raise SettingsError(
                f"{PROVIDER_THREADS.env} must be a whole number from {MIN_PROVIDER_THREADS} to "
                f"{MAX_PROVIDER_THREADS}, got {raw!r}",
                key=PROVIDER_THREADS.env,
            )
        return value

    @property
    def create_timeout(self) -> float:
        return self.seconds(CREATE_TIMEOUT, DEFAULT_CREATE_TIMEOUT_SECONDS)

    @property
    def update_timeout(self) -> float:
        return self.seconds(UPDATE_TIMEOUT, DEFAULT_UPDATE_TIMEOUT_SECONDS)

    @property
    def call_timeout(self) -> float:
        return self.seconds(CALL_TIMEOUT, DEFAULT_CALL_TIMEOUT_SECONDS)

    @property
    def delete_timeout(self) -> float:
        return self.seconds(DELETE_TIMEOUT, DEFAULT_DELETE_TIMEOUT_SECONDS)

    def credentials(self) -> CredentialSource:
        """The credentials to sign with; each of id, key and token is looked up on its own."""
        from tencentcloud.common import credential as tc_credential

        secret_id = self.lookup(SECRET_ID)
        secret_key = self.lookup(SECRET_KEY)
        token = self.lookup(SECURITY_TOKEN)
        if secret_id and secret_key:
            origin = " and ".join(sorted({_origin(self, SECRET_ID), _origin(self, SECRET_KEY)}))
            return CredentialSource(tc_credential.Credential(secret_id, secret_key, token), origin)
        if secret_id or secret_key:
            missing = SECRET_KEY if secret_id else SECRET_ID
            raise SettingsError(
                f"only half of the credentials are set: also set {missing.config} "
                f"(pulumi config set --secret {missing.config} ...) or the environment variable {missing.env}"
            )
        try:
            chained = tc_credential.DefaultCredentialProvider().get_credentials()
        except Exception as exc:
            raise SettingsError(
                "no Tencent Cloud credentials found: set tencentcloud:secretId and tencentcloud:secretKey "
                "(pulumi config set --secret tencentcloud:secretKey ...), or TENCENTCLOUD_SECRET_ID and "
                "TENCENTCLOUD_SECRET_KEY, or a ~/.tencentcloud/credentials profile, a CVM role or TKE OIDC "
                f"({type(exc).__name__})"
            ) from None
        return CredentialSource(chained, "the Tencent Cloud SDK default chain (profile, CVM role or TKE OIDC)")


def _origin(settings: Settings, key: Key) -> str:
    if key.config and settings.config.get(key.config):
        return f"stack config {key.config}"
    return f"environment {key.env}"
