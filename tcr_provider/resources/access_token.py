"""AccessToken: long-term pull credentials of a registry, for a cluster's imagePullSecret."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, overload

import pulumi
from pulumi.dynamic import CreateResult, UpdateResult

from ..cloud.tokens import Token, Tokens
from ..errors import PartGone
from ..fields import Api, Change, Schema, Write, declared
from ..lifecycle import PartProvider, part_id, split_part_id
from .common import DeclaredResource, PartArgs, Region, RegistryId

__all__ = ["AccessToken", "AccessTokenArgs"]

# ModifyInstanceToken changes one thing per call (its ModifyFlag), so each field is written by a call of its own.
MODIFY_TOKEN = "ModifyInstanceToken"


@dataclass(kw_only=True)
class AccessTokenArgs(PartArgs):
    """Inputs of a long-term access token of a TCR registry. The registry replaces it (a new token);
    the description and enabled change in place, and keep the token."""

    description: pulumi.Input[str] | None = declared(
        Change.UPDATE, default="", api=Api(read="Desc", write=Write.OWN_CALL, via=MODIFY_TOKEN)
    )
    """What the token is for, shown in the console (say, the cluster that pulls with it)."""

    enabled: pulumi.Input[bool] | None = declared(
        Change.UPDATE, default=True, api=Api(read="Enabled", write=Write.OWN_CALL, via=MODIFY_TOKEN)
    )
    """A disabled token is refused at login, and kept: enable it again without handing out a new one."""


class AccessTokenOutputs:
    """The outputs of an AccessToken, besides its echoed inputs. `username` and `token` are secrets."""

    token_id: pulumi.Output[str]
    """The API's id of the token."""
    username: pulumi.Output[str]
    """The user name `docker login` takes with this token (secret)."""
    token: pulumi.Output[str]
    """The token itself, the password `docker login` takes (secret). The API returns it only at creation."""
    created_at: pulumi.Output[str]
    """Creation time, as the API reports it."""
    expires_at: pulumi.Output[int]
    """Expiry timestamp the API reports (0: never)."""


ACCESS_TOKEN = Schema("AccessToken", AccessTokenArgs, AccessTokenOutputs, secrets=["username", "token"])


class AccessTokenProvider(PartProvider):
    """The dynamic provider behind `tcr_provider.AccessToken`."""

    schema = ACCESS_TOKEN

    def __init__(self) -> None:
        super().__init__()
        # Tokens this process created: a lost CreateInstanceToken answer never deletes one of them.
        self._created: set[str] = set()
        self._created_lock = threading.Lock()

    @property
    def tokens(self) -> Tokens:
        return self.facade(Tokens)

    def _is_known(self, token_id: str) -> bool:
        with self._created_lock:
            return token_id in self._created

    def create(self, props: dict[str, Any]) -> CreateResult:
        inputs = self.inputs_of(props)
        region, registry_id = inputs.region, inputs.registry_id
        new = self.tokens.create(region, registry_id, inputs.description, self._is_known)
        with self._created_lock:
            self._created.add(new.token_id)
        if not inputs.enabled:
            self.tokens.modify(region, registry_id, new.token_id, enabled=False)
        found = self.tokens.get(region, registry_id, new.token_id)
        if found is None:
            raise PartGone(registry_id, f"access token {new.token_id}")
        secrets = {"username": new.username, "token": new.token}
        return CreateResult(part_id(registry_id, new.token_id), self.outputs(inputs, _outputs_of(found, secrets)))

    def update_part(self, _id: str, _olds: dict[str, Any], _news: dict[str, Any]) -> UpdateResult:
        inputs = self.inputs_of(_news)
        region, registry_id = inputs.region, inputs.registry_id
        token_id = str(_olds.get("tokenId") or split_part_id(_id)[1])
        current = self.tokens.get(region, registry_id, token_id)
        if current is None:
            raise PartGone(registry_id, f"access token {token_id}")
        # ModifyInstanceToken changes one thing per call (its ModifyFlag).
        if current.description != inputs.description:
            self.tokens.modify(region, registry_id, token_id, description=inputs.description)
        if current.enabled != inputs.enabled:
            self.tokens.modify(region, registry_id, token_id, enabled=inputs.enabled)
        found = self.tokens.get(region, registry_id, token_id)
        if found is None:
            raise PartGone(registry_id, f"access token {token_id}")
        return UpdateResult(self.outputs(inputs, _outputs_of(found, _olds)))

    def read_part(
        self, region: str, registry_id: str, key: str, stored: dict[str, Any], props: Mapping[str, Any]
    ) -> tuple[dict[str, Any], dict[str, Any]] | None:
        found = self.tokens.read(region, registry_id, key)
        if found is None:
            return None
        description = {"Desc": found.description, "Enabled": found.enabled}
        inputs = {**ACCESS_TOKEN.live_inputs(description, stored), "description": found.description}
        # The secret is returned only at creation: a refresh keeps it from the state.
        return inputs, _outputs_of(found, props)

    def delete_part(self, _id: str, _props: dict[str, Any]) -> None:
        registry_id, token_id = split_part_id(_id)
        region = self.region_of(_props, f"deleting AccessToken {_id}")
        self.tokens.delete(region, registry_id, token_id)


def _outputs_of(found: Token, secrets: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "tokenId": found.token_id,
        "username": str(secrets.get("username") or ""),
        "token": str(secrets.get("token") or ""),
        "createdAt": found.created_at,
        "expiresAt": found.expires_at,
    }


class AccessToken(DeclaredResource, AccessTokenOutputs, module="tcr", name="AccessToken"):
    """A long-term access token of a TCR Enterprise registry (type token `pulumi-python:dynamic/tcr:AccessToken`).

    `username` and `token` are secret outputs: encrypted in the state, never shown in plain text.
    """

    provider_class = AccessTokenProvider

    if TYPE_CHECKING:
        # BEGIN generated: AccessToken signatures
        @overload
        def __init__(
            self,
            resource_name: str,
            args: AccessTokenArgs,
            opts: pulumi.ResourceOptions | None = None,
        ) -> None: ...

        @overload
        def __init__(
            self,
            resource_name: str,
            args: None = None,
            opts: pulumi.ResourceOptions | None = None,
            *,
            registry_id: pulumi.Input[RegistryId],
            region: pulumi.Input[Region] | None = None,
            description: pulumi.Input[str] | None = None,
            enabled: pulumi.Input[bool] | None = None,
        ) -> None: ...

        def __init__(self, *args: Any, **kwargs: Any) -> None: ...

        # END generated: AccessToken signatures
