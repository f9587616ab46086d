"""What is generated from the declarations, so that no field is written down twice: the README's tables of
each resource's inputs and outputs, the public names of `tcr_provider`, and each resource's constructor
signatures (`@overload`s, so editors and type checkers catch a misspelt keyword argument).

`python -m tcr_provider.reference` (`make docs`) rewrites them; `--check` only says which are stale (a test
runs it). Each generated block stands between a BEGIN and an END marker line.
"""

from __future__ import annotations

import argparse
import ast
import builtins
import dataclasses
import importlib
import inspect
import itertools
import re
import sys
import textwrap
import typing
from collections.abc import Iterable
from pathlib import Path

import pulumi.output

from .fields import Change, Check, Field, Schema, Write, to_snake
from .resources import Declared, catalog
from .resources.common import PartArgs

ROOT = Path(__file__).resolve().parent
README = ROOT.parent / "README.md"
# Modules whose public names (`__all__`) `tcr_provider` exports besides the resources'.
OTHER_PUBLIC_MODULES = ("components",)
# The part fields every part shares; the README says so once, above the parts' tables.
SHARED_PART_FIELDS = frozenset(f.name for f in PartArgs.__dataclass_fields__.values())


# --- docs of fields and outputs -------------------------------------------------------------------------
def attribute_docs(cls: type) -> dict[str, str]:
    """The attribute docstrings (the string under each field) of a class and its bases: what an editor shows
    on hover."""
    docs: dict[str, str] = {}
    for klass in reversed([k for k in cls.__mro__ if k is not object]):
        try:
            source = textwrap.dedent(inspect.getsource(klass))
        except (OSError, TypeError):
            continue
        tree = ast.parse(source)
        body = tree.body[0].body if tree.body and isinstance(tree.body[0], ast.ClassDef) else []
        for statement, following in itertools.pairwise(body):
            if (
                isinstance(statement, ast.AnnAssign)
                and isinstance(statement.target, ast.Name)
                and isinstance(following, ast.Expr)
                and isinstance(following.value, ast.Constant)
                and isinstance(following.value.value, str)
            ):
                docs[statement.target.id] = " ".join(following.value.value.split())
    return docs


def type_text(declared: typing.Any) -> str:
    """How a table writes a declared type."""
    if typing.get_origin(declared) is typing.Annotated:
        base, *metadata = typing.get_args(declared)
        shown = next((m.shown for m in metadata if isinstance(m, Check) and m.shown), "")
        return shown or type_text(base)
    if typing.get_origin(declared) is typing.Literal:
        return " / ".join(f"`{value}`" for value in typing.get_args(declared))
    if typing.get_origin(declared) in (dict, list):
        return str(declared).replace("typing.", "")
    return getattr(declared, "__name__", str(declared))


def default_text(field: Field) -> str:
    if field.resolved_from:
        return field.resolved_from
    if field.required:
        return "required"
    if field.service_default:
        return "the service's (not sent)"
    value = field.resolved_default()
    if value is None:
        return "none"
    if isinstance(value, str):
        return f"`{value}`" if value else '`""`'
    return f"`{value!r}`"


def change_text(schema: Schema, field: Field) -> str:
    if field.change is Change.REPLACE:
        return "replace"
    if field.change is Change.REPLACE_DELETE_FIRST:
        unless = " or ".join(f"`{to_snake(key)}`" for key in sorted(schema.distinct_by))
        return f"replace, deleted first{f' unless {unless} changes too' if unless else ''}"
    if field.change is Change.STATE_ONLY:
        return "state only"
    via = {Write.MODIFY: schema.modify_call, Write.TAG_API: "Tag API", Write.OWN_CALL: field.api.via}
    return f"in place ({via[field.api.write]})" if field.api.write else "in place"


def _cell(text: str) -> str:
    """Text for a table cell: `<name>` outside code spans would be read as an HTML tag."""
    parts = text.replace("|", "\\|").split("`")
    return "`".join(part if i % 2 else part.replace("<", "&lt;") for i, part in enumerate(parts))


def inputs_table(declared: Declared) -> list[str]:
    schema = declared.schema
    docs = attribute_docs(schema.args)
    is_part = issubclass(schema.args, PartArgs)
    rows = ["| field | type | default | on change | what it is |", "|---|---|---|---|---|"]
    for field in schema.fields:
        if is_part and field.name in SHARED_PART_FIELDS:
            continue
        cells = (f"`{field.name}`", type_text(field.type), default_text(field), change_text(schema, field))
        rows.append(f"| {' | '.join(_cell(c) for c in cells)} | {_cell(docs.get(field.name, ''))} |")
    return rows


def outputs_table(declared: Declared) -> list[str]:
    schema = declared.schema
    docs = attribute_docs(schema.outputs)
    rows = ["| output | what it is |", "|---|---|"]
    for key in schema.output_keys:
        name = to_snake(key)
        secret = " **Secret.**" if key in schema.secrets else ""
        rows.append(f"| `{name}` | {_cell(docs.get(name, ''))}{secret} |")
    return rows


# --- constructor signatures -----------------------------------------------------------------------------
def _annotation_text(args: type, name: str) -> str:
    for klass in args.__mro__:
        text = getattr(klass, "__annotations__", {}).get(name)
        if text is not None:
            return str(text)
    raise KeyError(name)


def signatures(declared: Declared, indent: str = "        ") -> list[str]:
    """The `@overload`s of a resource's `__init__` (with its Args, or with every field as a keyword), for type
    checkers only: the one implementation is `DeclaredResource.__init__`."""
    schema, args_name = declared.schema, declared.args.__name__
    head = [f"{indent}@overload", f"{indent}def __init__(", f"{indent}    self,", f"{indent}    resource_name: str,"]
    opts, tail = f"{indent}    opts: pulumi.ResourceOptions | None = None,", f"{indent}) -> None: ..."
    lines = [*head, f"{indent}    args: {args_name},", opts, tail, "", *head, f"{indent}    args: None = None,", opts]
    lines.append(f"{indent}    *,")
    given = {f.name for f in dataclasses.fields(declared.args) if f.default is dataclasses.MISSING}
    for field in sorted(schema.fields, key=lambda f: f.name not in given):
        default = "" if field.name in given else " = None"
        lines.append(f"{indent}    {field.name}: {_annotation_text(declared.args, field.name)}{default},")
    implementation = f"{indent}def __init__(self, *args: Any, **kwargs: Any) -> None: ..."
    # the formatter keeps a blank line after a method
    return [*lines, tail, "", implementation, ""]


def _unresolved_names(declared: Declared) -> list[str]:
    """Names the signatures use that the resource's module does not define or import."""
    module = sys.modules[declared.resource.__module__]
    scope = {**vars(builtins), **vars(pulumi.output), **vars(module)}
    texts = [_annotation_text(declared.args, f.name) for f in declared.schema.fields]
    names = {m.group(0) for text in texts for m in re.finditer(r"\b[A-Za-z_][A-Za-z0-9_]*\b", text)}
    return sorted(n for n in names if n not in scope and n not in ("None", "pulumi"))


# --- public names -----------------------------------------------------------------------------------------
def public_names() -> list[str]:
    """The generated block of `tcr_provider/__init__.py`: every public name and the module that defines it."""
    modules = [f"resources.{d.module}" for d in catalog()] + list(OTHER_PUBLIC_MODULES)
    exported = {m: list(importlib.import_module(f"tcr_provider.{m}").__all__) for m in sorted(modules)}
    lines = ["if TYPE_CHECKING:"]
    lines += [f"    from .{m} import {', '.join(sorted(names))}" for m, names in exported.items()]
    pairs = sorted((name, m) for m, names in exported.items() for name in names)
    lines += ["", "_MODULE_OF = {", *(f'    "{name}": "{m}",' for name, m in pairs), "}"]
    lines += ["__all__ = [", *(f'    "{name}",' for name, _ in pairs), "]"]
    return lines


# --- the files ------------------------------------------------------------------------------------------
def _replace_block(text: str, label: str, lines: Iterable[str], comment: str) -> str:
    begin, end = f"{comment} BEGIN generated: {label}", f"{comment} END generated: {label}"
    pattern = re.compile(rf"^([ \t]*){re.escape(begin)}.*?\n.*?^[ \t]*{re.escape(end)}[^\n]*$", re.M | re.S)
    match = pattern.search(text)
    if match is None:
        raise LookupError(f"no block {begin!r} ... {end!r}")
    pad = match.group(1)
    suffix = " (make docs)" if comment == "<!--" else ""
    close = " -->" if comment == "<!--" else ""
    block = "\n".join([f"{pad}{begin}{suffix}{close}", *lines, f"{pad}{end}{close}"])
    return text[: match.start()] + block + text[match.end() :]


def generated_files() -> dict[Path, str]:
    """Every file that holds a generated block, as it should read."""
    files: dict[Path, str] = {}
    readme = README.read_text()
    for declared in catalog():
        readme = _replace_block(readme, f"{declared.name} inputs", inputs_table(declared), "<!--")
        readme = _replace_block(readme, f"{declared.name} outputs", outputs_table(declared), "<!--")
        source = Path(inspect.getfile(declared.resource))
        text = files.get(source) or source.read_text()
        files[source] = _replace_block(text, f"{declared.name} signatures", signatures(declared), "#")
    files[README] = readme
    init = ROOT / "__init__.py"
    files[init] = _replace_block(init.read_text(), "public names", public_names(), "#")
    return files


def problems() -> list[str]:
    found = [
        f"{d.resource.__module__}: import {', '.join(names)} (its signatures name them)"
        for d in catalog()
        if (names := _unresolved_names(d))
    ]
    return found + [f"{path.relative_to(ROOT.parent)} is stale: run `make docs`" for path, text in _stale().items()]


def _stale() -> dict[Path, str]:
    return {path: text for path, text in generated_files().items() if path.read_text() != text}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tcr_provider.reference", description=__doc__)
    parser.add_argument("--check", action="store_true", help="only report stale blocks; exit 1 if any")
    if parser.parse_args(argv).check:
        found = problems()
        print("\n".join(found) or "generated blocks are current")
        return 1 if found else 0
    for path, text in _stale().items():
        path.write_text(text)
        print(f"rewrote {path.relative_to(ROOT.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
