"""Which account the acceptance suite runs against, and what a run against a real one needs.

Only the standard library: scripts/acceptance.py checks these settings before the virtualenv exists.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

OPT_IN = "TCR_ACCEPTANCE"
SECRET_ID = "TENCENTCLOUD_SECRET_ID"
SECRET_KEY = "TENCENTCLOUD_SECRET_KEY"
SECURITY_TOKEN = "TENCENTCLOUD_SECURITY_TOKEN"
REGION = "TENCENTCLOUD_REGION"
DEFAULT_REGION = "ap-guangzhou"
# Read by the provider as well; a real run hands them on as they are (an international account's domain,
# an AppId when CAM GetUserAppId is not allowed).
HANDED_ON = ("TENCENTCLOUD_DOMAIN", "TENCENTCLOUD_APPID")


class MissingSettings(Exception):
    """A real-account run was asked for without what it needs; the message says what to set."""


@dataclass(frozen=True)
class Target:
    """An API to run the lifecycle against: the emulator (`endpoint_url`) or Tencent Cloud (None)."""

    region: str
    region_source: str
    secret_id: str
    secret_key: str = field(repr=False)
    security_token: str | None = field(default=None, repr=False)
    endpoint_url: str | None = None
    handed_on: Mapping[str, str] = field(default_factory=dict)

    @property
    def real(self) -> bool:
        return self.endpoint_url is None

    @property
    def account(self) -> str:
        if self.endpoint_url:
            return f"the emulator at {self.endpoint_url}"
        return f"the Tencent Cloud account of SecretId {self.secret_id[:4]}...{self.secret_id[-4:]}"

    def provider_environment(self) -> dict[str, str]:
        """The TENCENTCLOUD_* variables the provider runs with: credentials in the environment, never in state."""
        variables = {SECRET_ID: self.secret_id, SECRET_KEY: self.secret_key, **self.handed_on}
        if self.security_token:
            variables[SECURITY_TOKEN] = self.security_token
        if self.endpoint_url:
            variables["TENCENTCLOUD_ENDPOINT_URL"] = self.endpoint_url
        return variables


def instructions(missing: list[str]) -> str:
    def lines(settings: list[tuple[str, str]]) -> str:
        return "\n".join(f"  {f'export {setting}'.ljust(45)}# {why}" for setting, why in settings)

    required = [
        (f"{OPT_IN}=1", "the opt-in: yes, buy one instance for this run"),
        (f"{SECRET_ID}=AKID...", "an API key of the account to buy in"),
        (f"{SECRET_KEY}=...", "its secret"),
    ]
    optional = [
        (f"{SECURITY_TOKEN}=...", "with temporary (STS) credentials"),
        (f"{REGION}=ap-shanghai", f"where to buy; {DEFAULT_REGION} when unset"),
    ]
    return (
        "The acceptance suite buys a real TCR Enterprise instance, so it runs only when asked to.\n"
        f"Not set: {', '.join(missing)}. Set all of these:\n\n{lines(required)}\n\n"
        f"and, if you need them:\n\n{lines(optional)}\n\n"
        "then run `make acceptance`. It buys one basic, postpaid instance, billed for the minutes it exists,\n"
        "and deletes it and its COS bucket at the end."
    )


def acceptance_requested(environ: Mapping[str, str]) -> bool:
    """Whether to run against a real account: TCR_ACCEPTANCE=1; unset, empty or 0 means the emulator."""
    value = environ.get(OPT_IN, "")
    if value not in ("", "0", "1"):
        raise MissingSettings(f"{OPT_IN} is {value!r}: set it to 1 for a real account, or unset it for the emulator")
    return value == "1"


def cloud_target(environ: Mapping[str, str]) -> Target:
    """The real account the environment names; MissingSettings, with what to set, unless all of it is there."""
    missing = [name for name in (SECRET_ID, SECRET_KEY) if not environ.get(name)]
    if environ.get(OPT_IN) != "1":
        missing.insert(0, OPT_IN)
    if missing:
        raise MissingSettings(instructions(missing))
    region = environ.get(REGION)
    return Target(
        region=region or DEFAULT_REGION,
        region_source=REGION if region else f"the default: {REGION} is not set",
        secret_id=environ[SECRET_ID],
        secret_key=environ[SECRET_KEY],
        security_token=environ.get(SECURITY_TOKEN) or None,
        handed_on={name: environ[name] for name in HANDED_ON if environ.get(name)},
    )


def emulator_target(endpoint_url: str, secret_id: str, secret_key: str, region: str) -> Target:
    return Target(region, "the emulator", secret_id, secret_key, endpoint_url=endpoint_url)
