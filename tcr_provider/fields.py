"""What a resource field is, and the steps every resource derives from its fields.

A resource's inputs are declared once, as the fields of its `...Args` dataclass: the annotation is the type a
program sees (`pulumi.Input[InstanceType]`), the attribute docstring is what an editor shows on hover (and the
README's tables say, see reference.py), and `declared(...)` carries the rest — the default, the change rule,
how the API reads and writes it, and what to say when it is missing. Its outputs are declared the same way, as
the annotations of an `...Outputs` class. `Schema` turns those declarations into everything the lifecycle
needs: validation (pydantic, loaded on first use), state keys, defaults, the diff, the create parameters and
the live inputs read back from the API.
"""

from __future__ import annotations

import dataclasses
import enum
import typing
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pulumi.output
from pulumi.output import Unknown

if TYPE_CHECKING:
    from pydantic import TypeAdapter, ValidationError

# Pulumi's marker for a value not known until apply, as it travels on the wire (pulumi.runtime.rpc.UNKNOWN);
# the dynamic provider server hands such values to check and diff as `pulumi.output.Unknown` objects.
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


class Change(enum.Enum):
    """What a change of an input does to the cloud object."""

    REPLACE = "replace"  # a new object is created first, then the old one deleted
    REPLACE_DELETE_FIRST = "replace, deleting first"  # the old object must go before its successor can exist
    UPDATE = "update"  # changed in place through the API
    STATE_ONLY = "state only"  # recorded in state; no API call (used by delete, or only at create)


class Write(enum.Enum):
    """How an in-place change of a field reaches the cloud."""

    MODIFY = "modify"  # a parameter of the object's modify call (`Api.modify`)
    TAG_API = "Tag API"  # the Tag API, by difference
    OWN_CALL = "own call"  # calls of its own (`Api.via` names them)


@dataclass(frozen=True)
class Api:
    """How the API reads and writes one field.

    `read`: its key in the API's description of the object (absent: the API never reports it, so a refresh
    keeps the stored value). `create`: the create call's parameter, dotted for a nested one
    (`RegistryChargePrepaid.Period`). `modify`: the parameter of the object's modify call that changes it in
    place (its `write` is then `Write.MODIFY`). `write`/`via`: how an in-place field is written otherwise,
    and the calls that do it. `encode`/`decode` translate values; `encode` returning None leaves the parameter
    out. `create_when`: the parameter is sent only when this holds for the validated inputs. `settles`: the
    API applies a modify asynchronously, so a write waits until a read reports the new value. `verify`:
    compared with a fresh read rather than the stored value before writing, since an earlier modify may
    reset it.
    """

    read: str | None = None
    create: str | None = None
    modify: str | None = None
    write: Write | None = None
    via: str = ""
    encode: Callable[[Any], Any] | None = None
    decode: Callable[[Any], Any] | None = None
    create_when: Callable[[Mapping[str, Any]], bool] | None = None
    settles: bool = False
    verify: bool = False

    def __post_init__(self) -> None:
        if self.modify is not None:
            if self.write not in (None, Write.MODIFY):
                raise TypeError(f"Api(modify={self.modify!r}) is written by its modify call, not {self.write}")
            object.__setattr__(self, "write", Write.MODIFY)
        elif self.write is Write.MODIFY:
            raise TypeError("Api(write=Write.MODIFY) needs modify=, the modify call's parameter")
        if self.write is Write.OWN_CALL and not self.via:
            raise TypeError("Api(write=Write.OWN_CALL) needs via=, the calls that write the field")


@dataclass(frozen=True)
class Declaration:
    change: Change
    default: Any
    api: Api
    type: Any  # the type inputs are validated against, when it differs from the Args annotation's
    missing: str  # what a missing required input's failure says after the key
    resolved_from: str  # where check resolves an input the program may leave out


def to_camel(name: str) -> str:
    """The state key of a Python name: `instance_type` → `instanceType`."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def to_snake(key: str) -> str:
    """The Python name of a state key: `cosBucketRegion` → `cos_bucket_region`."""
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in key)


@dataclass(frozen=True)
class Check:
    """A validation rule on a declared type (`Annotated[str, Check(rule, shown)]`): `rule` returns the value or
    raises ValueError with what to fix; `shown` is how the README's tables write the type. Kept apart from
    pydantic so that commands which validate nothing (refresh, destroy) never load it."""

    rule: Callable[[Any], Any]
    shown: str = ""


_DECLARATION = "tcr_declaration"
_REQUIRED: Any = object()


class _ServiceDefault:
    def __repr__(self) -> str:
        return "SERVICE_DEFAULT"


SERVICE_DEFAULT: Any = _ServiceDefault()
"""The default of an input the service decides: left unset, it is not sent, the live value is recorded, and
whatever the service chose is no change."""


def declared(
    change: Change,
    *,
    default: Any = None,
    required: bool = False,
    resolved: str = "",
    api: Api | None = None,
    type: Any = None,
    missing: str = "is required",
) -> Any:
    """A field of a resource's Args dataclass: its default, its change rule, and how the API reads and writes it.

    `required`: the program must give it. `resolved`: the program may leave it out, but check must resolve it
    from where this says (config, say) or fail. Otherwise the dataclass default is None (unset) and `default`
    (a value, or a factory such as `dict`) is what check resolves an unset input to. `missing`: what the
    failure of a required or resolved input that is missing says, with the fix.
    """
    default = _REQUIRED if required or resolved else default
    declaration = Declaration(change, default, api or Api(), type, missing, resolved)
    if required:
        return dataclasses.field(metadata={_DECLARATION: declaration})
    return dataclasses.field(default=None, metadata={_DECLARATION: declaration})


@dataclass(frozen=True)
class Field:
    """One input of a resource, as `Schema` derives it from its declaration."""

    name: str  # the Python name, `instance_type`
    key: str  # the state key, `instanceType`
    type: Any
    change: Change
    default: Any
    api: Api
    missing: str = "is required"
    resolved_from: str = ""

    @property
    def required(self) -> bool:
        return self.default is _REQUIRED

    @property
    def service_default(self) -> bool:
        return self.default is SERVICE_DEFAULT

    def resolved_default(self) -> Any:
        if self.required or self.service_default:
            return None
        return self.default() if callable(self.default) else self.default


@dataclass(frozen=True)
class Failure:
    """One invalid input: the state key and what to do about it."""

    property: str
    reason: str


def is_unknown(value: Any) -> bool:
    if isinstance(value, Unknown) or value == UNKNOWN:
        return True
    if isinstance(value, Mapping):
        return any(is_unknown(v) for v in value.values())
    if isinstance(value, list):
        return any(is_unknown(v) for v in value)
    return False


def normalize(value: Any) -> Any:
    """Pulumi sends every number as a float; compare 12.0 and 12 as equal."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, Mapping):
        return {k: normalize(v) for k, v in value.items()}
    if isinstance(value, list):
        return [normalize(v) for v in value]
    return value


def _validation_type(annotation: Any, declaration: Declaration) -> Any:
    if declaration.type is not None:
        return declaration.type
    # `pulumi.Input[T] | None` is a Union whose first member is T itself.
    members = typing.get_args(annotation)
    return members[0] if members else annotation


def declared_fields(args: type) -> Iterator[tuple[dataclasses.Field[Any], Any, Declaration]]:
    """Each declared field of an Args dataclass with its annotation, resolved (string annotations included:
    pulumi.Input's own forward references resolve in pulumi.output)."""
    hints = typing.get_type_hints(args, localns=vars(pulumi.output), include_extras=True)
    for f in dataclasses.fields(args):
        if (declaration := f.metadata.get(_DECLARATION)) is not None:
            yield f, hints[f.name], declaration


def output_keys(outputs: type) -> tuple[str, ...]:
    """The state keys of the outputs an `...Outputs` class declares (its annotations, in order)."""
    return tuple(to_camel(name) for name in outputs.__annotations__)


class Inputs(Mapping[str, Any]):
    """Validated inputs with every default resolved, by state key (`inputs["instanceType"]`) or by Python
    name (`inputs.instance_type`). Inputs that are None are left out, as Pulumi leaves them out of state."""

    def __init__(self, schema: Schema, values: Mapping[str, Any]) -> None:
        self._schema = schema
        self._values = {k: v for k, v in values.items() if v is not None}

    def __getitem__(self, key: str) -> Any:
        return self._values[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __getattr__(self, name: str) -> Any:
        key = to_camel(name)
        if key not in self._schema.by_key:
            raise AttributeError(name)
        return self._values.get(key)

    def state(self) -> dict[str, Any]:
        """The inputs as Pulumi state properties."""
        return dict(self._values)


class Schema:
    """The declared inputs of one resource, and what check, diff, create and read derive from them."""

    def __init__(
        self,
        resource: str,
        args: type,
        outputs: type,
        *,
        modify_call: str | None = None,
        key_input: str | None = None,
        secrets: Iterable[str] = (),
        validators: Iterable[Callable[[Mapping[str, Any]], list[Failure]]] = (),
        distinct_by: Iterable[str] = (),
    ) -> None:
        self.resource = resource
        self.args = args
        self.outputs = outputs
        self.output_keys = output_keys(outputs)
        self.modify_call = modify_call  # the object's modify call, which writes every `Api.modify` parameter
        self.secrets = tuple(secrets)  # output keys kept secret in state and in every output
        # A part's input that names it within its registry (its id is `<registry id>/<that input>`), if one does.
        self.key_input = key_input
        self.fields: tuple[Field, ...] = tuple(
            Field(
                f.name,
                to_camel(f.name),
                _validation_type(hint, d),
                d.change,
                d.default,
                d.api,
                d.missing,
                d.resolved_from,
            )
            for f, hint, d in declared_fields(args)
        )
        self.by_key = {f.key: f for f in self.fields}
        self.keys = tuple(self.by_key)
        self._validators = tuple(validators)
        # Inputs whose change alone makes a successor distinct from its predecessor (a new globally unique
        # name cannot collide), so a delete-first replacement can still create first.
        self.distinct_by = frozenset(distinct_by)
        self._adapters: dict[str, TypeAdapter[Any]] | None = None

    def _adapter(self, key: str) -> TypeAdapter[Any]:
        if self._adapters is None:
            from pydantic import TypeAdapter

            self._adapters = {f.key: TypeAdapter(_with_validators(f.type)) for f in self.fields}
        return self._adapters[key]

    # --- check ------------------------------------------------------------------------------------------
    def validate(self, props: Mapping[str, Any]) -> tuple[Inputs | None, list[Failure]]:
        """Validate checked inputs and resolve defaults. Unknown values (preview) are skipped; the resolved
        inputs are None when any is unknown or invalid."""
        failures: list[Failure] = []
        known: dict[str, Any] = {}
        for key, value in props.items():
            if key.startswith("__"):
                continue
            if key not in self.by_key:
                failures.append(Failure(key, f"{key}: is not an {self.resource} input; remove it"))
                continue
            if is_unknown(value) or value is None:
                continue
            from pydantic import ValidationError

            try:
                # Strict: a bool is a bool, a number is no bool, and no string is coerced into a purchase.
                known[key] = self._adapter(key).validate_python(normalize(value), strict=True)
            except ValidationError as exc:
                failures.extend(_failures_from(exc, key))
        for field in self.fields:
            if field.required and props.get(field.key) is None:
                failures.append(Failure(field.key, f"{field.key}: {field.missing}"))
        if failures or any(is_unknown(v) for k, v in props.items() if not k.startswith("__")):
            return None, failures
        values = {f.key: known.get(f.key, f.resolved_default()) for f in self.fields}
        for validator in self._validators:
            failures.extend(validator(values))
        if failures:
            return None, failures
        return Inputs(self, values), []

    def with_defaults(self, props: Mapping[str, Any]) -> dict[str, Any]:
        """`props` with the default of every input it leaves out (for inputs not all known yet)."""
        filled = dict(props)
        for field in self.fields:
            if filled.get(field.key) is None and field.resolved_default() is not None:
                filled[field.key] = field.resolved_default()
        return filled

    # --- diff -------------------------------------------------------------------------------------------
    def effective(self, props: Mapping[str, Any], key: str) -> Any:
        """A property's value with the default filled in (state drops keys whose value is None)."""
        value = props.get(key)
        return normalize(self.by_key[key].resolved_default() if value is None else value)

    def changed(self, olds: Mapping[str, Any], news: Mapping[str, Any]) -> list[Field]:
        """The inputs that differ; an input not known yet (preview) counts as changing."""
        return [f for f in self.fields if is_unknown(news.get(f.key)) or self._differs(olds, news, f.key)]

    def _differs(self, olds: Mapping[str, Any], news: Mapping[str, Any], key: str) -> bool:
        if self.by_key[key].service_default and news.get(key) is None:
            return False
        return bool(self.effective(olds, key) != self.effective(news, key))

    def diff(self, olds: Mapping[str, Any], news: Mapping[str, Any]) -> tuple[list[str], list[str], bool]:
        """(changed keys, keys that force a replacement, whether the old object must be deleted first)."""
        changed = self.changed(olds, news)
        replaces = [f.key for f in changed if f.change in (Change.REPLACE, Change.REPLACE_DELETE_FIRST)]
        delete_first = any(f.change is Change.REPLACE_DELETE_FIRST for f in changed) and not any(
            f.key in self.distinct_by for f in changed
        )
        return [f.key for f in changed], replaces, delete_first

    # --- the API ----------------------------------------------------------------------------------------
    def create_params(self, inputs: Mapping[str, Any]) -> dict[str, Any]:
        """The create call's parameters for validated inputs."""
        params: dict[str, Any] = {}
        for field in self.fields:
            api = field.api
            value = inputs.get(field.key)
            if api.create is None or value is None or (api.create_when and not api.create_when(inputs)):
                continue
            encoded = api.encode(value) if api.encode else value
            if encoded is None:
                continue
            *parents, leaf = api.create.split(".")
            target = params
            for parent in parents:
                target = target.setdefault(parent, {})
            target[leaf] = encoded
        return params

    def read(self, description: Mapping[str, Any]) -> dict[str, Any]:
        """The inputs the API reports, from its description of the object (keys it left out are absent)."""
        live: dict[str, Any] = {}
        for field in self.fields:
            api = field.api
            if api.read is None or description.get(api.read) is None:
                continue
            raw = description[api.read]
            live[field.key] = api.decode(raw) if api.decode else raw
        return live

    def recorded(self, inputs: Mapping[str, Any], description: Mapping[str, Any]) -> dict[str, Any]:
        """The inputs as the state records them after a write: what the program set, and for what it left to
        the service, the live value."""
        live = self.read(description)
        unset = {f.key: live[f.key] for f in self.fields if f.service_default and f.key not in inputs and f.key in live}
        return {**dict(inputs), **unset}

    def live_inputs(self, description: Mapping[str, Any], stored: Mapping[str, Any]) -> dict[str, Any]:
        """Inputs as the cloud has them; inputs the API never reports keep their stored values."""
        inputs = {k: v for k, v in stored.items() if k in self.by_key and self.by_key[k].api.read is None}
        inputs.update({k: v for k, v in self.read(description).items() if v not in (None, "")})
        return inputs


def _with_validators(declared: Any) -> Any:
    """The declared type with each `Check` as the pydantic validator it stands for."""
    if typing.get_origin(declared) is not typing.Annotated:
        return declared
    from pydantic import AfterValidator

    base, *metadata = typing.get_args(declared)
    converted = [AfterValidator(m.rule) if isinstance(m, Check) else m for m in metadata]
    return typing.Annotated[(base, *converted)]


def _failures_from(error: ValidationError, key: str) -> list[Failure]:
    failures = []
    for item in error.errors():
        where = tuple(item.get("loc") or ())
        message = str(item.get("msg", "is not valid")).removeprefix("Value error, ")
        if item.get("type") != "value_error":
            if where:
                message = f"{message} (tag {where[0]!r} has {item.get('input')!r})"
            else:
                message = f"{message} (got {item.get('input')!r})"
        failures.append(Failure(key, f"{key}: {message}"))
    return failures
