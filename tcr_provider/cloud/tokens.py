"""Long-term access tokens of a registry: what a cluster's imagePullSecret holds."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from .batcher import ReadBatcher
from .instances import TcrCloud
from .retry import CallKind

PAGE_SIZE = 100
# ModifyInstanceToken's ModifyFlag (SDK model): 1 changes the description only, 2 (the default) only enables
# or disables. Each write therefore changes one of them.
MODIFY_DESCRIPTION = 1
MODIFY_ENABLED = 2


@dataclass(frozen=True)
class Token:
    """A long-term token as DescribeInstanceToken lists it (the secret itself is only ever returned at creation)."""

    token_id: str
    description: str
    enabled: bool
    created_at: str
    expires_at: int

    @classmethod
    def from_api(cls, item: dict[str, Any]) -> Token:
        return cls(
            token_id=str(item.get("Id") or ""),
            description=str(item.get("Desc") or ""),
            enabled=bool(item.get("Enabled")),
            created_at=str(item.get("CreatedAt") or ""),
            expires_at=int(item.get("ExpiredAt") or 0),
        )


@dataclass(frozen=True)
class NewToken:
    token_id: str
    username: str
    token: str
    expires_at: int


class Tokens:
    def __init__(self, cloud: TcrCloud) -> None:
        self.cloud = cloud
        self.reads: ReadBatcher[Token] = ReadBatcher(self._of_scope)

    def list(self, region: str, registry_id: str) -> dict[str, Token]:
        found: dict[str, Token] = {}
        listing = self.cloud.pages(
            region,
            "DescribeInstanceToken",
            {"RegistryId": registry_id},
            items="Tokens",
            registry=registry_id,
            page_size=PAGE_SIZE,
            unless_gone=True,
        )
        for page, _ in listing:
            for item in page:
                token = Token.from_api(item)
                found[token.token_id] = token
        return found

    def get(self, region: str, registry_id: str, token_id: str) -> Token | None:
        return self.list(region, registry_id).get(token_id)

    def read(self, region: str, registry_id: str, token_id: str) -> Token | None:
        """Like `get`, but concurrent reads of one registry share their calls (a refresh)."""
        return self.reads.get(f"{region}/{registry_id}", token_id)

    def _of_scope(self, scope: str, token_ids: Sequence[str]) -> dict[str, Token]:
        region, registry_id = scope.split("/", 1)
        listed = self.list(region, registry_id)
        return {t: listed[t] for t in token_ids if t in listed}

    def create(self, region: str, registry_id: str, description: str, is_known: Callable[[str], bool]) -> NewToken:
        """CreateInstanceToken (long-term). Its secret is in this answer only, so a lost answer cannot be
        recovered: the tokens it may have made (new ones of this description that `is_known` does not
        recognise) are deleted before it is sent again, and nothing usable is left behind."""
        before = set(self.list(region, registry_id))

        def clean_up() -> dict[str, Any] | None:
            for token in self.list(region, registry_id).values():
                if token.token_id not in before and token.description == description and not is_known(token.token_id):
                    self.delete(region, registry_id, token.token_id)
            return None

        answer = self.cloud.call(
            "tcr",
            region,
            "CreateInstanceToken",
            {"RegistryId": registry_id, "TokenType": "longterm", "Desc": description},
            registry=registry_id,
            kind=CallKind.NEVER_REPEAT_BLINDLY,
            recover=clean_up,
        )
        return NewToken(
            token_id=str(answer.get("TokenId") or ""),
            username=str(answer.get("Username") or ""),
            token=str(answer.get("Token") or ""),
            expires_at=int(answer.get("ExpTime") or 0),
        )

    def modify(self, region: str, registry_id: str, token_id: str, **change: Any) -> None:
        """One change: `description=` (ModifyFlag 1) or `enabled=` (ModifyFlag 2)."""
        if "description" in change:
            params = {"Desc": change["description"], "ModifyFlag": MODIFY_DESCRIPTION}
        else:
            params = {"Enable": change["enabled"], "ModifyFlag": MODIFY_ENABLED}
        self.cloud.call(
            "tcr",
            region,
            "ModifyInstanceToken",
            {"RegistryId": registry_id, "TokenId": token_id, **params},
            registry=registry_id,
        )

    def delete(self, region: str, registry_id: str, token_id: str) -> bool:
        params = {"RegistryId": registry_id, "TokenId": token_id}
        return self.cloud.call_unless_gone(region, "DeleteInstanceToken", params, registry=registry_id) is not None
