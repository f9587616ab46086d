"""What every provider of this package shares, and the lifecycle steps every part of a registry shares.

`CloudProvider` is the set-up of every provider: it pickles to nothing (Pulumi stores the pickled provider in
every resource's state), and its settings and API clients exist only in the provider process, built from the
stack config passed to `configure`. A part's provider (VPC access, namespaces, tokens, public access) declares
its schema (fields.Schema, from its Args dataclass) and its output keys; check and diff come from the
declarations alone, and the provider writes only what differs: how its create, read, update and delete call
the API.
"""

from __future__ import annotations

import contextlib
import sys
import threading
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, TypeVar

from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    ConfigureRequest,
    CreateResult,
    DiffResult,
    ReadResult,
    ResourceProvider,
    UpdateResult,
)

from . import server_pool
from .cloud import TcrCloud
from .errors import Interrupted, InvalidInputs, SettingsError
from .fields import Inputs, Schema
from .settings import Settings

if server_pool.in_dynamic_server():
    server_pool.prepare(Settings().provider_threads)


Facade = TypeVar("Facade")


def say(message: str) -> None:
    # The engine shows what the provider process writes to stderr as diagnostics. Once the engine is gone, the
    # write fails: a progress line must not fail the operation it reports on.
    with contextlib.suppress(OSError, ValueError):
        print(f"tcr: {message}", file=sys.stderr, flush=True)


def interrupted_after_opening(registry_id: str, what: str, import_id: str) -> Interrupted:
    """A create interrupted after it opened something: no call may be sent any more, so it stays, named."""
    return Interrupted(
        registry_id,
        f"{what} of registry {registry_id} was opened, but the operation was interrupted before it was ready, "
        f"and it was left as it is. The next `pulumi up` finds it there: to keep it, add "
        f"`opts=pulumi.ResourceOptions(import_={import_id!r})` to the resource for one `up`; to drop it, remove it "
        "in the console",
    )


class CloudProvider(ResourceProvider):
    """The set-up every provider of this package shares. It takes no arguments and holds no credentials."""

    # Nothing secret is ever pickled (see __getstate__), so the serialized provider can stay readable.
    serialize_as_secret_always = False

    def __init__(self) -> None:
        super().__init__()
        self._settings: Settings | None = None
        self._cloud: TcrCloud | None = None
        self._facades: dict[Callable[[TcrCloud], Any], Any] = {}
        self._lock = threading.Lock()

    def __getstate__(self) -> dict[str, Any]:
        # Credentials, clients and locks must never reach Pulumi state.
        return {}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__()  # type: ignore[misc]

    def configure(self, req: ConfigureRequest) -> None:
        settings = Settings.from_config(req.config.get)
        with self._lock:
            self._settings = settings
            self._cloud = None
            self._facades.clear()

    @property
    def settings(self) -> Settings:
        with self._lock:
            if self._settings is None:
                self._settings = Settings()
            return self._settings

    @property
    def cloud(self) -> TcrCloud:
        settings = self.settings
        with self._lock:
            if self._cloud is None:
                self._cloud = TcrCloud(settings, progress=say, interrupted=server_pool.INTERRUPTED)
            return self._cloud

    def facade(self, kind: Callable[[TcrCloud], Facade]) -> Facade:
        """The one `kind(cloud)` of this provider (Network, Namespaces, Tokens), which keeps its batched reads."""
        cloud = self.cloud
        with self._lock:
            if kind not in self._facades:
                self._facades[kind] = kind(cloud)
            found: Facade = self._facades[kind]
            return found


class PartProvider(CloudProvider):
    """Base of the providers of a registry's parts. Subclasses set `schema` and `output_keys` and implement
    `create`, `read_part`, `update` and `delete`; ids are `<registry id>/<key>` so an import finds its registry."""

    schema: ClassVar[Schema]
    output_keys: ClassVar[tuple[str, ...]]

    # --- check and diff: from the declarations ----------------------------------------------------------
    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        props = {k: v for k, v in news.items() if not k.startswith("__")}
        if props.get("region") is None and self.settings.default_region:
            props["region"] = self.settings.default_region
        inputs, failures = self.schema.validate(props)
        if inputs is None:
            # Not all known yet (preview): the known ones get their defaults, so only real changes show.
            return CheckResult(self.schema.with_defaults(props), [CheckFailure(f.property, f.reason) for f in failures])
        return CheckResult(inputs.state(), [])

    def diff(self, _id: str, _olds: dict[str, Any], _news: dict[str, Any]) -> DiffResult:
        changed, replaces, delete_first = self.schema.diff(_olds, _news)
        return DiffResult(changes=bool(changed), replaces=replaces, stables=[], delete_before_replace=delete_first)

    # --- read: the part as the API has it ---------------------------------------------------------------
    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        stored = {k: v for k, v in props.items() if k in self.schema.by_key and v is not None}
        registry_id, _, key = id_.partition("/")
        stored.setdefault("registryId", registry_id)
        region = stored.get("region") or self.settings.default_region
        if not region:
            raise SettingsError(
                f"reading {self.schema.resource} {id_}: no region: pass region=, or set tencentcloud:region"
            )
        stored["region"] = region
        found = self.read_part(str(region), registry_id, key, stored, props)
        if found is None:
            return ReadResult(None, {})
        inputs, outputs = found
        return ReadResult(id_, {**inputs, **outputs}, inputs)

    def read_part(
        self, region: str, registry_id: str, key: str, stored: dict[str, Any], props: Mapping[str, Any]
    ) -> tuple[dict[str, Any], dict[str, Any]] | None:
        """(live inputs, outputs) of the part `key` of `registry_id`, or None when it is gone."""
        raise NotImplementedError

    # --- create, update, delete: per part ---------------------------------------------------------------
    def create(self, props: dict[str, Any]) -> CreateResult:
        raise NotImplementedError

    def update(self, _id: str, _olds: dict[str, Any], _news: dict[str, Any]) -> UpdateResult:
        raise NotImplementedError

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        raise NotImplementedError

    # --- shared pieces ----------------------------------------------------------------------------------
    def inputs_of(self, props: Mapping[str, Any]) -> Inputs:
        inputs, failures = self.schema.validate({k: v for k, v in props.items() if k in self.schema.by_key})
        if inputs is None:
            raise InvalidInputs(str(props.get("registryId") or "(unknown)"), [f.reason for f in failures])
        return inputs

    def outputs(self, inputs: Mapping[str, Any], outputs: Mapping[str, Any]) -> dict[str, Any]:
        assert set(outputs) == set(self.output_keys), sorted(set(outputs) ^ set(self.output_keys))
        return {**dict(inputs), **dict(outputs)}
