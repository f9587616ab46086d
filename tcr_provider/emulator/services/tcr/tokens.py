"""Access tokens of an instance: what ``docker login`` takes, and what ``GET /v2/`` checks.

- CreateInstanceToken needs a ``Running`` instance. TokenType ``temp`` (the default) is valid for one hour:
  ExpTime is its end as a Unix time in milliseconds and TokenId is empty. ``longterm`` never expires: ExpTime
  is 0 and TokenId names it. Username is the account's uin; Token is a random secret of 48 characters.
- DescribeInstanceToken lists the long-term tokens only (temporary ones have no id to manage them by), oldest
  first; Offset counts tokens. ExpiredAt is 0 for them.
- ModifyInstanceToken: ModifyFlag 1 changes Desc only, 2 (the default) Enable only; the field the flag does not
  cover is ignored, and the one it covers is required. An unknown TokenId is ``ResourceNotFound``.
- DeleteInstanceToken: an unknown TokenId is ``ResourceNotFound``.

A token lets its holder in while it is live: enabled, and for a temporary one before its ExpTime. Expiry follows
the wall clock, since ExpTime is a wall-clock time; expired temporary tokens are dropped as time passes.

The emulator's reading, not confirmed by a source: ExpTime 0 for a long-term token, the TokenId shape, the
CreatedAt format (the instance's, RFC 3339 in UTC+8), and that creating a token needs a Running instance.
"""

from __future__ import annotations

import hmac
import random
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from ... import rules
from ...errors import InvalidParameterValue, MissingParameter, ResourceNotFound
from .instance_view import BackendView, InstanceView


@dataclass
class Token:
    token_id: str
    """Empty for a temporary token."""
    secret: str
    description: str
    long_term: bool
    enabled: bool
    created_at: datetime
    expires_at_ms: int
    """0 for a long-term token: it never expires."""

    def is_live(self, now_ms: int) -> bool:
        return self.enabled and (self.long_term or now_ms < self.expires_at_ms)


@dataclass
class Tokens:
    """An instance's tokens, oldest first."""

    all: list[Token] = field(default_factory=list)

    def settle(self, now_ms: int) -> None:
        self.all = [token for token in self.all if token.long_term or now_ms < token.expires_at_ms]

    def long_term(self) -> list[Token]:
        return [token for token in self.all if token.long_term]

    def get(self, token_id: str, registry_id: str) -> Token:
        for token in self.long_term():
            if token.token_id == token_id:
                return token
        raise ResourceNotFound(f"The instance {registry_id} has no long-term token {token_id!r}.")

    def accepts(self, secret: str, now_ms: int) -> bool:
        return any(token.is_live(now_ms) and hmac.compare_digest(token.secret, secret) for token in self.all)


class WithTokens(InstanceView, Protocol):
    """An instance as :class:`TokenBackend` sees it."""

    @property
    def tokens(self) -> Tokens: ...


class TokenBackend:
    """Token actions, over the instances a :class:`.model.TcrBackend` holds."""

    def __init__(self, tcr: BackendView[WithTokens]) -> None:
        self.tcr = tcr

    @property
    def username(self) -> str:
        """Every token's user name: the account's uin."""
        return self.tcr.account.uin

    def create_token(self, region: str, registry_id: str, token_type: str, description: str) -> Token:
        if token_type not in rules.TOKEN_TYPES:
            raise InvalidParameterValue(f"TokenType must be one of {', '.join(rules.TOKEN_TYPES)}, not {token_type!r}.")
        instance = self.tcr.get(region, registry_id)
        self.tcr.require_running(instance)
        long_term = token_type == "longterm"
        now_ms = self.tcr.wall_ms()
        token = Token(
            token_id=_new_token_id() if long_term else "",
            secret=secrets.token_urlsafe(rules.TOKEN_SECRET_BYTES),
            description=description,
            long_term=long_term,
            enabled=True,
            created_at=self.tcr.wall_now(),
            expires_at_ms=0 if long_term else now_ms + rules.TEMP_TOKEN_SECONDS * 1000,
        )
        instance.tokens.all.append(token)
        return token

    def tokens(self, region: str, registry_id: str) -> list[Token]:
        return self.tcr.get(region, registry_id).tokens.long_term()

    def modify_token(
        self,
        region: str,
        registry_id: str,
        token_id: str,
        *,
        flag: int,
        enable: bool | None,
        description: str | None,
    ) -> None:
        if flag not in (rules.MODIFY_TOKEN_DESCRIPTION, rules.MODIFY_TOKEN_ENABLED):
            raise InvalidParameterValue(
                f"ModifyFlag must be {rules.MODIFY_TOKEN_DESCRIPTION} (change Desc) or "
                f"{rules.MODIFY_TOKEN_ENABLED} (enable or disable), not {flag}."
            )
        token = self.tcr.get(region, registry_id).tokens.get(token_id, registry_id)
        if flag == rules.MODIFY_TOKEN_DESCRIPTION:
            if description is None:
                raise MissingParameter(f"ModifyFlag {flag} changes the description: Desc is required.")
            token.description = description
        else:
            if enable is None:
                raise MissingParameter(f"ModifyFlag {flag} (the default) enables or disables: Enable is required.")
            token.enabled = enable

    def delete_token(self, region: str, registry_id: str, token_id: str) -> None:
        tokens = self.tcr.get(region, registry_id).tokens
        token = tokens.get(token_id, registry_id)
        tokens.all.remove(token)

    def login(self, domain: str, username: str, secret: str) -> bool:
        """Whether ``username``:``secret`` lets its holder into the registry at ``domain``: a live token of that
        registry, which must be Running."""
        instance = self.tcr.by_domain(domain)
        if instance is None or instance.status(self.tcr.advance()) != "Running":
            return False
        return hmac.compare_digest(username, self.username) and instance.tokens.accepts(secret, self.tcr.wall_ms())


def _new_token_id() -> str:
    return "".join(random.choices(rules.REGISTRY_ID_ALPHABET, k=rules.TOKEN_ID_LENGTH))
