"""The lifecycle every resource of this package shares, driven by its declarations.

`CloudProvider` is the set-up of every provider: it pickles to nothing (Pulumi stores the pickled provider in
every resource's state), and its settings and API clients exist only in the provider process, built from the
stack config passed to `configure`. `DeclaredProvider` gives every resource check, diff and read from its
schema (fields.Schema, from its Args and Outputs classes), with hooks for what a resource does beyond its
declarations (the Instance's name and ownership checks, its refusal to replace a protected instance).
`PartProvider` adds what the parts of a registry share: ids `<registry id>/<key>`, so an import finds the
registry. A resource's provider writes only what differs: how its create, read, update and delete call the API.
`Opened` is the one way a create that opened something (bought an instance, attached a VPC, opened public
access) finishes it, or removes it again, or names it, so nothing it opened is left untracked.
"""

from __future__ import annotations

import contextlib
import sys
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, NoReturn, TypeVar

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
from .cloud.polling import poll_until
from .errors import ApiError, CreationFailed, Interrupted, InvalidInputs, PartGone, SettingsError, WaitTimedOut
from .fields import Failure, Inputs, Schema
from .settings import Key, Settings

Facade = TypeVar("Facade")
T = TypeVar("T")


def say(message: str) -> None:
    # The engine shows what the provider process writes to stderr as diagnostics. Once the engine is gone, the
    # write fails: a progress line must not fail the operation it reports on.
    with contextlib.suppress(OSError, ValueError):
        print(f"tcr: {message}", file=sys.stderr, flush=True)


@dataclass(frozen=True)
class Opened:
    """Something a create opened and must not leave untracked: it ends up in the state, or removed again
    (`close`), or named to the user.

    `what` names it in errors; `close` removes it and says what became of it, raising ApiError or
    WaitTimedOut when it cannot; `by_hand` says what the user must do when closing failed too; `interrupted`
    is the error of a create interrupted after opening it (no call may be sent any more, so it stays).
    """

    what: str
    close: Callable[[], str]
    by_hand: Callable[[Exception], str]
    interrupted: Callable[[], Interrupted]

    def finish(self, steps: Callable[[], T]) -> T:
        """Run the rest of the create; if it fails, remove what was opened and report; if it is interrupted,
        leave it, named."""
        try:
            return steps()
        except CreationFailed:
            raise
        except Interrupted:
            raise self.interrupted() from None
        except Exception as exc:
            self.abandon(f"could not be finished ({type(exc).__name__}: {exc})")

    def abandon(self, what_happened: str) -> NoReturn:
        try:
            cleanup, cleaned_up = self.close(), True
        except (ApiError, WaitTimedOut) as exc:
            cleanup, cleaned_up = self.by_hand(exc), False
        raise CreationFailed(self.what, what_happened, cleanup, cleaned_up)


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
        # The dynamic provider server configures each provider it unpickles before its first call.
        server_pool.prepare(settings.provider_threads)
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


class DeclaredProvider(CloudProvider):
    """Base of every resource's provider: check, diff and read from `schema`, and the pieces create, update and
    delete share. Subclasses implement `create`, `read_object`, `update` and `delete`, and the hooks they need."""

    schema: ClassVar[Schema]

    # --- check: validate the declared inputs, resolve defaults ----------------------------------------------
    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        props = {k: v for k, v in news.items() if not k.startswith("__")}
        if props.get("region") is None and self.settings.default_region:
            props["region"] = self.settings.default_region
        inputs, failures = self.schema.validate(props)
        if inputs is not None:
            failures = self.check_more(inputs, _olds or {}, news)
            props = inputs.state()
        else:
            # Not all known yet (preview): the known ones get their defaults, so only real changes show.
            props = self.schema.with_defaults(props)
        props.update(self.internal(news))
        return CheckResult(props, [CheckFailure(f.property, f.reason) for f in failures])

    def check_more(self, inputs: Inputs, olds: Mapping[str, Any], news: Mapping[str, Any]) -> list[Failure]:
        """Failures of valid inputs that the declarations cannot see (a name taken in the cloud, say)."""
        return []

    def internal(self, props: Mapping[str, Any]) -> dict[str, Any]:
        """Properties the provider keeps beside the inputs through every step (the Instance's `__owner`)."""
        return {}

    # --- diff ---------------------------------------------------------------------------------------------
    def diff(self, _id: str, _olds: dict[str, Any], _news: dict[str, Any]) -> DiffResult:
        changed, replaces, delete_first = self.schema.diff(_olds, _news)
        if replaces:
            self.check_replacement(_id, _olds, replaces)
        return DiffResult(changes=bool(changed), replaces=replaces, stables=[], delete_before_replace=delete_first)

    def check_replacement(self, id_: str, olds: Mapping[str, Any], replaces: list[str]) -> None:
        """Raise to refuse, at preview, a replacement that could not finish."""

    # --- read: the object as the API has it -------------------------------------------------------------------
    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        stored = {k: v for k, v in props.items() if k in self.schema.by_key and v is not None}
        stored["region"] = self.region_of(props, f"reading {self.schema.resource} {id_}")
        found = self.read_object(id_, stored, props)
        if found is None:
            return ReadResult(None, {})
        inputs, outputs = found
        inputs = {**inputs, **self.internal(props)}
        return ReadResult(id_, self.outputs(inputs, outputs), inputs)

    def read_object(
        self, id_: str, stored: dict[str, Any], props: Mapping[str, Any]
    ) -> tuple[dict[str, Any], dict[str, Any]] | None:
        """(live inputs, outputs) of the object `id_`, or None when it is gone. `stored`: the stored inputs, the
        region resolved; `props`: the whole stored state (outputs the API returns only once live there)."""
        raise NotImplementedError

    # --- create, update, delete: per resource -----------------------------------------------------------
    def create(self, props: dict[str, Any]) -> CreateResult:
        raise NotImplementedError

    def update(self, _id: str, _olds: dict[str, Any], _news: dict[str, Any]) -> UpdateResult:
        raise NotImplementedError

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        raise NotImplementedError

    # --- shared pieces --------------------------------------------------------------------------------------
    def inputs_of(self, props: Mapping[str, Any]) -> Inputs:
        """The validated inputs of checked props (create and update get what check returned)."""
        inputs, failures = self.schema.validate({k: v for k, v in props.items() if k in self.schema.by_key})
        if inputs is None:
            subject = props.get("name") or props.get("registryId") or "(unknown)"
            raise InvalidInputs(str(subject), [f.reason for f in failures])
        return inputs

    def outputs(self, inputs: Mapping[str, Any], outputs: Mapping[str, Any]) -> dict[str, Any]:
        assert set(outputs) == set(self.schema.output_keys), sorted(set(outputs) ^ set(self.schema.output_keys))
        return {**dict(inputs), **dict(outputs)}

    def region_of(self, props: Mapping[str, Any], doing: str) -> str:
        """The stored region, else the configured default (a state written by `get` may have none)."""
        region = props.get("region") or self.settings.default_region
        if not region:
            raise SettingsError(f"{doing}: no region: pass region=, or set tencentcloud:region")
        return str(region)

    def wait_until(
        self,
        poll: Callable[[], T],
        done: Callable[[T], bool],
        *,
        timeout: float,
        what: str,
        describe: Callable[[T], str] = str,
        setting: Key | None = None,
    ) -> T:
        """Poll until `done` (cloud/polling.py), with progress lines and this provider's interrupt; a wait
        bounded by a `setting` names it when it runs out."""
        try:
            return poll_until(
                poll,
                done,
                timeout=timeout,
                what=what,
                describe=describe,
                progress=say,
                interrupted=self.cloud.transport.interrupted,
            )
        except WaitTimedOut as exc:
            if setting is None:
                raise
            raise WaitTimedOut(
                exc.registry, exc.seconds, f"{exc}; it may still finish: raise {setting.config} if the region is slow"
            ) from None


def part_id(registry_id: str, key: str) -> str:
    return f"{registry_id}/{key}"


def split_part_id(id_: str) -> tuple[str, str]:
    """(registry id, key) of a part's id `<registry id>/<key>`."""
    registry_id, _, key = id_.partition("/")
    return registry_id, key


class PartProvider(DeclaredProvider):
    """Base of the providers of a registry's parts; ids are `<registry id>/<key>` so an import finds its registry.
    Subclasses implement `read_part` and `delete_part` instead of `read_object` and `delete`.

    A part whose registry vanished is gone with it: several of the parts' actions document no ResourceNotFound
    and answer an unknown registry with an InternalError (DescribeInternalEndpoints, the token actions), so an
    API error of a read or a delete is followed by a look for the registry before it is reported.
    """

    def read_object(
        self, id_: str, stored: dict[str, Any], props: Mapping[str, Any]
    ) -> tuple[dict[str, Any], dict[str, Any]] | None:
        registry_id, key = split_part_id(id_)
        stored.setdefault("registryId", registry_id)
        try:
            return self.read_part(stored["region"], registry_id, key, stored, props)
        except ApiError:
            if self._registry_gone(stored["region"], registry_id, id_):
                return None
            raise

    def read_part(
        self, region: str, registry_id: str, key: str, stored: dict[str, Any], props: Mapping[str, Any]
    ) -> tuple[dict[str, Any], dict[str, Any]] | None:
        """(live inputs, outputs) of the part `key` of `registry_id`, or None when it is gone."""
        raise NotImplementedError

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        try:
            self.delete_part(_id, _props)
        except ApiError:
            registry_id = split_part_id(_id)[0]
            if not self._registry_gone(self.region_of(_props, f"deleting {_id}"), registry_id, _id):
                raise

    def delete_part(self, _id: str, _props: dict[str, Any]) -> None:
        raise NotImplementedError

    def update(self, _id: str, _olds: dict[str, Any], _news: dict[str, Any]) -> UpdateResult:
        try:
            return self.update_part(_id, _olds, _news)
        except ApiError as exc:
            registry_id = split_part_id(_id)[0]
            if self._registry_gone(self.region_of(_news, f"updating {_id}"), registry_id, _id):
                raise PartGone(registry_id, f"{self.schema.resource} {split_part_id(_id)[1]}") from exc
            raise

    def update_part(self, _id: str, _olds: dict[str, Any], _news: dict[str, Any]) -> UpdateResult:
        raise NotImplementedError

    def _registry_gone(self, region: str, registry_id: str, id_: str) -> bool:
        if self.cloud.read(region, registry_id) is not None:
            return False
        say(f"{self.schema.resource} {id_}: its registry {registry_id} no longer exists, so neither does the part")
        return True

    def opened(self, registry_id: str, thing: str, key: str, close: Callable[[], None], *, closed: str) -> Opened:
        """`thing` ("public access") of a registry, opened by a create; `closed` says what closing it means."""

        def close_it() -> str:
            close()
            return closed

        return Opened(
            what=f"{registry_id} ({thing})",
            close=close_it,
            by_hand=lambda exc: f"Removing it failed too ({exc}): remove {thing} of {registry_id} in the console",
            interrupted=lambda: Interrupted(
                registry_id,
                f"{thing} of registry {registry_id} was opened, but the operation was interrupted before it was "
                f"ready, and it was left as it is ({part_id(registry_id, key)}). To keep it, set adopt_existing=True "
                "on the resource and run `pulumi up`, which takes it over; to drop it, remove it in the console",
            ),
        )
