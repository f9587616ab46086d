"""TCR's access token actions; the rules are in :mod:`.tokens`."""

from __future__ import annotations

from ... import rules
from ...schema import Params, optional, required
from ..base import CallContext, Reply, action
from .model import Instance
from .shapes import paging
from .tokens import Token, TokenBackend


class TokenActions:
    tokens: TokenBackend

    @action("CreateInstanceToken", RegistryId=required(str), TokenType=optional(str), Desc=optional(str))
    def create_instance_token(self, context: CallContext, params: Params) -> Reply:
        token = self.tokens.create_token(
            context.region,
            params.text("RegistryId"),
            params.text("TokenType", rules.DEFAULT_TOKEN_TYPE),
            params.text("Desc"),
        )
        return {
            "Username": self.tokens.username,
            "Token": token.secret,
            "ExpTime": token.expires_at_ms,
            "TokenId": token.token_id,
        }

    @action("DescribeInstanceToken", RegistryId=required(str), Limit=optional(int), Offset=optional(int))
    def describe_instance_token(self, context: CallContext, params: Params) -> Reply:
        offset, limit = paging(params, rules.PAGE_DEFAULT_LIMIT)
        registry_id = params.text("RegistryId")
        found = self.tokens.tokens(context.region, registry_id)
        return {
            "TotalCount": len(found),
            "Tokens": [_instance_token(registry_id, token) for token in found[offset : offset + limit]],
        }

    @action(
        "ModifyInstanceToken",
        TokenId=required(str),
        RegistryId=required(str),
        Enable=optional(bool),
        Desc=optional(str),
        ModifyFlag=optional(int),
    )
    def modify_instance_token(self, context: CallContext, params: Params) -> Reply:
        self.tokens.modify_token(
            context.region,
            params.text("RegistryId"),
            params.text("TokenId"),
            flag=params.integer("ModifyFlag", rules.MODIFY_TOKEN_ENABLED),
            enable=params.optional_flag("Enable"),
            description=params.optional_text("Desc"),
        )
        return {}

    @action("DeleteInstanceToken", RegistryId=required(str), TokenId=required(str))
    def delete_instance_token(self, context: CallContext, params: Params) -> Reply:
        self.tokens.delete_token(context.region, params.text("RegistryId"), params.text("TokenId"))
        return {}


def _instance_token(registry_id: str, token: Token) -> dict[str, object]:
    return {
        "Id": token.token_id,
        "Desc": token.description,
        "RegistryId": registry_id,
        "Enabled": token.enabled,
        "CreatedAt": token.created_at.isoformat(),
        "ExpiredAt": token.expires_at_ms,
    }


def tokens_state(instance: Instance) -> list[dict[str, object]]:
    """Every token of the instance, temporary ones too, without its secret, for ``GET /_emulator/state``."""
    return [
        {**_instance_token(instance.registry_id, token), "TokenType": "longterm" if token.long_term else "temp"}
        for token in instance.tokens.all
    ]
