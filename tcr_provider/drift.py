"""`tcr-drift`: which registries moved away from their Pulumi state, across many stacks.

Each stack is refreshed as a preview (`pulumi refresh --preview-only`, driven through Pulumi's Automation API):
every resource is read from the cloud, and neither the state nor the cloud changes. The engine's events say,
per resource, whether the refresh would change it (`update`) or drop it (`delete`), with its state and its live
properties; the report names each field that moved, from what to what. It also lists every registry whose
live status is not Running: a refresh records a new status silently, so `pulumi refresh --preview-only
--expect-no-changes` passes while a registry sits in `Isolate`, about to be reclaimed.

Exit codes follow `terraform plan -detailed-exitcode`: 0 no drift, 2 drift (a registry not Running included),
1 could not tell (a stack or the API failed, or a usage error). The JSON form is described by
docs/drift-report.schema.json.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any, Literal, NoReturn, TextIO

from pulumi.automation import (
    CommandError,
    EngineEvent,
    InvalidVersionError,
    LocalWorkspace,
    PulumiCommand,
    Stack,
    StackNotFoundError,
    StepEventMetadata,
)

from .cloud import READY_STATUS
from .drift_report import (
    EXIT_DRIFT,
    EXIT_UNKNOWN,
    RENDERERS,
    SECRET,
    FieldChange,
    HealthFinding,
    Report,
    ResourceDrift,
    StackReport,
    StackTarget,
    counted,
    summary,
)

__all__ = [
    "EXIT_DRIFT",
    "build_parser",
    "main",
    "read_stacks_file",
    "report_from_events",
    "run",
]

INSTANCE_TYPE = "pulumi-python:dynamic/tcr:Instance"
# How the engine marks a secret in the properties of its events; the value itself is never there.
_SECRET_SIGNATURE = ("4dabf18193072939515e22adb298388d", "1b47061264138c4ac30d75fd1eb44270")
# Engine-internal properties: `__provider` is the pickled dynamic provider, the same on both sides by design.
_IGNORED_PROPERTIES = frozenset({"__provider"})
_GENERIC_FAILURES = frozenset({"preview failed", "update failed", "refresh failed"})
_NOT_DRIFT_OPS = frozenset({"same", "refresh", "read"})
# The engine's resources are no cloud objects: the stack itself and the provider instances.
_ENGINE_TYPES = ("pulumi:pulumi:", "pulumi:providers:")


# --- reading the engine's events -----------------------------------------------------------------


def is_secret(value: object) -> bool:
    return value == SECRET or (isinstance(value, dict) and value.get(_SECRET_SIGNATURE[0]) == _SECRET_SIGNATURE[1])


def masked(value: Any) -> Any:
    """`value` with every secret in it, however deep, replaced by `[secret]`."""
    if is_secret(value):
        return SECRET
    if isinstance(value, dict):
        return {k: masked(v) for k, v in value.items()}
    if isinstance(value, list):
        return [masked(v) for v in value]
    return value


def _contains_secret(value: Any) -> bool:
    if is_secret(value):
        return True
    if isinstance(value, dict):
        return any(_contains_secret(v) for v in value.values())
    if isinstance(value, list):
        return any(_contains_secret(v) for v in value)
    return False


def _properties(state: Any, kind: Literal["inputs", "outputs"]) -> dict[str, Any]:
    values = getattr(state, kind, None) if state is not None else None
    return dict(values) if isinstance(values, dict) else {}


def _field_changes(step: StepEventMetadata) -> tuple[FieldChange, ...]:
    """The inputs that moved, compared on the outputs (which echo every input, with the values the service chose
    for those the program left out)."""
    old_in, new_in = _properties(step.old, "inputs"), _properties(step.new, "inputs")
    old_out, new_out = _properties(step.old, "outputs"), _properties(step.new, "outputs")
    changes = []
    for key in sorted(k for k in (old_in.keys() | new_in.keys()) - _IGNORED_PROPERTIES if not k.startswith("__")):
        state = old_out.get(key, old_in.get(key))
        live = new_out.get(key, new_in.get(key))
        if _contains_secret(state) or _contains_secret(live):
            changes.append(FieldChange(key, masked(state), masked(live), secret=True))
        elif state != live:
            changes.append(FieldChange(key, state, live))
    return tuple(changes)


def _registry_id(step: StepEventMetadata) -> str | None:
    for state in (step.old, step.new):
        registry_id = _properties(state, "outputs").get("registryId")
        if isinstance(registry_id, str) and registry_id:
            return registry_id
    if step.type == INSTANCE_TYPE:
        for state in (step.old, step.new):
            if state is not None and state.id:
                return str(state.id)
    return None


def _resource_name(urn: str) -> str:
    return urn.rsplit("::", 1)[-1]


def report_from_events(report: StackReport, events: Iterable[EngineEvent]) -> None:
    """Fill `report` from the events of a refresh preview: what each resource's refresh would do."""
    for event in events:
        outputs = event.res_outputs_event
        if outputs is None:
            continue
        step = outputs.metadata
        if step.type.startswith(_ENGINE_TYPES):
            continue
        op = str(getattr(step.op, "value", step.op))
        name, registry_id = _resource_name(step.urn), _registry_id(step)
        if step.type == INSTANCE_TYPE:
            report.registries += 1
        if op == "delete" or (op not in _NOT_DRIFT_OPS and step.new is None):
            report.drift.append(ResourceDrift(name, step.urn, step.type, registry_id, "deleted"))
            continue
        if op not in _NOT_DRIFT_OPS:
            report.drift.append(ResourceDrift(name, step.urn, step.type, registry_id, "changed", _field_changes(step)))
        if step.type == INSTANCE_TYPE:
            status = _properties(step.new, "outputs").get("status")
            if isinstance(status, str) and status != READY_STATUS:
                report.health.append(HealthFinding(name, step.urn, registry_id, status))
    # Events arrive in the order the engine finished its reads; a report reads better, and diffs better, sorted.
    report.drift.sort(key=lambda d: (d.resource, d.urn))
    report.health.sort(key=lambda h: (h.resource, h.urn))


def _without_traceback(message: str) -> str:
    """A provider's error without the Python traceback the dynamic provider server wraps it in."""
    lines = message.strip().splitlines()
    marker = "Traceback (most recent call last):"
    starts = [i for i, line in enumerate(lines) if line.strip().endswith(marker)]
    if not starts:
        return "\n".join(lines)
    start = starts[-1]
    prefix = lines[start].strip().removesuffix(marker).strip()
    rest = lines[start + 1 :]
    while rest and (not rest[0].strip() or rest[0][:1].isspace()):
        rest = rest[1:]
    if rest:
        # `package.module.SomeError: text` reads better as `SomeError: text`.
        head, sep, tail = rest[0].partition(": ")
        if sep and "." in head and " " not in head:
            rest[0] = f"{head.rsplit('.', 1)[-1]}: {tail}"
    if prefix and rest:
        rest[0] = f"{prefix} {rest[0]}"
    return "\n".join(rest or [prefix])


def _error_text(events: Sequence[EngineEvent], error: BaseException) -> str:
    """What went wrong, in the engine's words when it said so, else in the CLI's last lines."""
    said = []
    for event in events:
        diagnostic = event.diagnostic_event
        if diagnostic is None or diagnostic.severity != "error" or not diagnostic.message.strip():
            continue
        message = _without_traceback(diagnostic.message)
        said.append(f"{_resource_name(diagnostic.urn)}: {message}" if diagnostic.urn else message)
    if said:
        # The engine closes a failed run with a line of its own that says no more than that it failed.
        specific = [message for message in said if message.lower() not in _GENERIC_FAILURES]
        return "\n".join(dict.fromkeys(specific or said))
    if isinstance(error, CommandError):
        text = str(error)
        stderr = text.split(" stderr:", 1)[-1] if " stderr:" in text else text
        lines = [line.strip() for line in stderr.strip().splitlines() if line.strip()]
        return "\n".join(lines[-5:]) or text.strip()
    return f"{type(error).__name__}: {error}"


# --- running stacks --------------------------------------------------------------------------------


class _ReadOnlyWorkspace(LocalWorkspace):
    """A LocalWorkspace that selects a stack only for itself.

    `pulumi stack select` would change which stack the user's own workspace has selected (and several stacks of
    one project checked at once would race over it). Every command the Stack runs names its stack anyway, so
    selecting here only checks that the stack exists.
    """

    def select_stack(self, stack_name: str) -> None:
        self._run_pulumi_cmd_sync(["stack", "--show-name", "--stack", stack_name])


def _has_project_file(directory: Path) -> bool:
    return any((directory / f"Pulumi.{ext}").is_file() for ext in ("yaml", "yml", "json"))


def check_stack(target: StackTarget, command: PulumiCommand) -> StackReport:
    """Refresh one stack as a preview and report what it found; any failure becomes the report's `error`."""
    report = StackReport(target)
    started = time.monotonic()
    events: list[EngineEvent] = []
    try:
        if not _has_project_file(target.project_dir):
            raise _StackProblem(f"{target.project_dir} holds no Pulumi project (no Pulumi.yaml)")
        workspace = _ReadOnlyWorkspace(work_dir=str(target.project_dir), pulumi_command=command)
        report.project = workspace.project_settings().name
        name = target.stack
        if name is None:
            selected = workspace.stack()
            if selected is None:
                raise _StackProblem(
                    f"no stack is selected in {target.project_dir}: pass --stack NAME or run `pulumi stack select`"
                )
            name = selected.name
        report.stack = name
        stack = Stack.select(name, workspace)
        stack.preview_refresh(on_event=events.append, color="never")
        report_from_events(report, events)
    except _StackProblem as problem:
        report.error = str(problem)
    except StackNotFoundError:
        report.error = f"no stack named {report.name!r} in {target.project_dir}"
    except Exception as error:  # one stack failing must not hide the others' results
        report.drift.clear()
        report.health.clear()
        report.error = _error_text(events, error)
    report.seconds = time.monotonic() - started
    return report


class _StackProblem(Exception):
    pass


class Progress:
    """One line on stderr per stack started and finished, for long runs."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self._lock = threading.Lock()

    def say(self, message: str) -> None:
        with self._lock:
            print(f"tcr-drift {datetime.now().strftime('%H:%M:%S')} {message}", file=self.stream, flush=True)

    def started(self, target: StackTarget) -> None:
        self.say(f"{target.label}: refreshing (preview only)")

    def finished(self, report: StackReport) -> None:
        target = f"{report.name} in {report.target.project_dir}"
        match report.result:
            case "error":
                outcome = "could not tell"
            case "drift":
                outcome = (
                    f"drift ({counted(len(report.drift), 'resource')} drifted, "
                    f"{counted(len(report.health), 'registry')} not {READY_STATUS})"
                )
            case _:
                outcome = "no drift"
        self.say(f"{target}: {outcome} in {report.seconds:.1f}s")


def run(targets: Sequence[StackTarget], command: PulumiCommand, parallel: int, progress: Progress) -> Report:
    """Check every stack, at most `parallel` at once; the report keeps the order of `targets`."""

    def one(target: StackTarget) -> StackReport:
        progress.started(target)
        report = check_stack(target, command)
        progress.finished(report)
        return report

    with ThreadPoolExecutor(max_workers=parallel, thread_name_prefix="tcr-drift") as pool:
        return Report(list(pool.map(one, targets)))


# --- the command line ------------------------------------------------------------------------------


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # argparse exits 2 on a usage error, which here means "drift".
        self.print_usage(sys.stderr)
        self.exit(EXIT_UNKNOWN, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="tcr-drift",
        description=(
            "Report drift between Pulumi stacks and the cloud: every resource whose refresh would change the "
            "state, field by field, and every TCR registry that is not Running. Nothing is changed: each stack "
            "is refreshed as a preview."
        ),
        epilog=(
            "Exit codes: 0 no drift, 2 drift (a registry not Running included), 1 could not tell (a stack or "
            "the API failed, or a usage error). Stacks file: one line per project directory, "
            "`PROJECT_DIR STACK [STACK ...]`, relative directories taken from the file's own directory; blank "
            "lines and `#` comments are ignored."
        ),
    )
    parser.add_argument("--project-dir", type=Path, default=None, metavar="DIR", help="the Pulumi project (default: .)")
    parser.add_argument(
        "--stack",
        action="append",
        default=[],
        metavar="NAME",
        help="a stack of --project-dir; repeat for several (default: the selected stack)",
    )
    parser.add_argument("--stacks-file", type=Path, metavar="FILE", help="stacks to check, across projects")
    parser.add_argument("--parallel", type=int, default=4, metavar="N", help="stacks checked at once (default 4)")
    parser.add_argument("--format", choices=list(RENDERERS), default="text", help="report format (default text)")
    parser.add_argument("--output", type=Path, metavar="FILE", help="write the report there instead of stdout")
    return parser


def read_stacks_file(path: Path) -> list[StackTarget]:
    """`PROJECT_DIR STACK [STACK ...]` per line; relative directories are taken from the file's directory."""
    try:
        text = path.read_text()
    except OSError as error:
        raise UsageError(f"cannot read the stacks file {path}: {error.strerror or error}") from None
    targets = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        directory, *stacks = line.split()
        if not stacks:
            raise UsageError(f"{path}:{number}: {line!r} names no stack; write `PROJECT_DIR STACK [STACK ...]`")
        project_dir = Path(directory).expanduser()
        if not project_dir.is_absolute():
            project_dir = path.parent / project_dir
        targets += [StackTarget(project_dir, stack) for stack in stacks]
    if not targets:
        raise UsageError(f"the stacks file {path} lists no stack")
    return targets


def targets_from(args: argparse.Namespace) -> list[StackTarget]:
    targets = read_stacks_file(args.stacks_file) if args.stacks_file else []
    if args.stack or not args.stacks_file or args.project_dir is not None:
        project_dir = args.project_dir or Path(".")
        targets += [StackTarget(project_dir, name) for name in args.stack] or [StackTarget(project_dir)]
    return list(dict.fromkeys(targets))


def check_writable(output: Path) -> None:
    """Refuse an --output that cannot be written before any stack is refreshed, not after."""
    if output.is_dir():
        raise UsageError(f"--output {output} is a directory: name a file")
    folder = output.parent if str(output.parent) else Path(".")
    if not folder.is_dir():
        raise UsageError(f"--output {output}: the folder {folder} does not exist")
    if not os.access(output if output.exists() else folder, os.W_OK):
        raise UsageError(f"--output {output} cannot be written: choose a file in a folder you may write to")


def pulumi_command() -> PulumiCommand:
    """The `pulumi` on PATH (or in TCR_PULUMI_BIN). Nothing is ever downloaded."""
    configured = os.environ.get("TCR_PULUMI_BIN")
    if configured and (Path(configured) / "pulumi").exists():
        os.environ["PATH"] = os.pathsep.join([configured, os.environ.get("PATH", "")])
    try:
        return PulumiCommand()
    except (OSError, subprocess.CalledProcessError):
        raise UsageError(
            "the Pulumi CLI was not found: put `pulumi` on PATH, or set TCR_PULUMI_BIN to the directory that holds it"
        ) from None
    except InvalidVersionError as error:
        raise UsageError(f"the Pulumi CLI on PATH cannot be used: {error}") from None


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.parallel < 1:
            raise UsageError("--parallel must be at least 1")
        targets = targets_from(args)
        if args.output is not None:
            check_writable(args.output)
        command = pulumi_command()
    except UsageError as error:
        print(f"tcr-drift: error: {error}", file=sys.stderr)
        return EXIT_UNKNOWN
    progress = Progress(sys.stderr)
    report = run(targets, command, args.parallel, progress)
    rendered = RENDERERS[args.format](report)
    if args.output is None:
        sys.stdout.write(rendered)
    else:
        try:
            args.output.write_text(rendered)
        except OSError as error:
            # Found writable at the start: the report goes to stdout instead, and the result stands.
            print(f"tcr-drift: error: cannot write {args.output}: {error.strerror or error}", file=sys.stderr)
            sys.stdout.write(rendered)
    progress.say(summary(report))
    return report.exit_code


if __name__ == "__main__":
    sys.exit(main())
