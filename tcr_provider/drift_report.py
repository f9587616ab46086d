"""The report `tcr-drift` writes: what it found in each stack, and that report as text, Markdown or JSON.

The JSON form is described by docs/drift-report.schema.json.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from .cloud import READY_STATUS

__all__ = [
    "EXIT_DRIFT",
    "EXIT_NO_DRIFT",
    "EXIT_UNKNOWN",
    "RENDERERS",
    "SECRET",
    "FieldChange",
    "HealthFinding",
    "Report",
    "ResourceDrift",
    "StackReport",
    "StackTarget",
    "counted",
    "render_json",
    "render_markdown",
    "render_text",
    "report_json",
    "summary",
]

EXIT_NO_DRIFT = 0
EXIT_UNKNOWN = 1
EXIT_DRIFT = 2

SCHEMA_VERSION = 1
SECRET = "[secret]"

StackResult = Literal["no-drift", "drift", "error"]


# --- the report ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StackTarget:
    """A stack to check: its project directory and its name (None: the stack selected there)."""

    project_dir: Path
    stack: str | None = None

    @property
    def label(self) -> str:
        return f"{self.stack or '(selected stack)'} in {self.project_dir}"


@dataclass(frozen=True)
class FieldChange:
    """One field of a resource whose live value differs from the state's.

    `secret`: the value is a secret on one side or both. The engine never hands secrets out, so they cannot be
    compared: a secret field is listed on every resource that drifted, shown as `[secret]`.
    """

    field: str
    state: Any
    live: Any
    secret: bool = False


@dataclass(frozen=True)
class ResourceDrift:
    """A resource whose refresh would change the state: `changed` fields, or `deleted` out of band."""

    resource: str
    urn: str
    type: str
    registry_id: str | None
    change: Literal["changed", "deleted"]
    fields: tuple[FieldChange, ...] = ()


@dataclass(frozen=True)
class HealthFinding:
    """A registry whose live status is not Running."""

    resource: str
    urn: str
    registry_id: str | None
    status: str


@dataclass
class StackReport:
    target: StackTarget
    stack: str | None = None
    project: str | None = None
    registries: int = 0
    drift: list[ResourceDrift] = field(default_factory=list)
    health: list[HealthFinding] = field(default_factory=list)
    error: str | None = None
    seconds: float = 0.0

    @property
    def result(self) -> StackResult:
        if self.error is not None:
            return "error"
        return "drift" if self.drift or self.health else "no-drift"

    @property
    def name(self) -> str:
        return self.stack or self.target.stack or "(selected)"


@dataclass
class Report:
    stacks: list[StackReport]
    generated_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def exit_code(self) -> int:
        return {"error": EXIT_UNKNOWN, "drift": EXIT_DRIFT, "no-drift": EXIT_NO_DRIFT}[self.result]

    @property
    def result(self) -> StackResult:
        results = {s.result for s in self.stacks}
        return "error" if "error" in results else "drift" if "drift" in results else "no-drift"


# --- rendering -------------------------------------------------------------------------------------


def counted(n: int, thing: str) -> str:
    plural = thing[:-1] + "ies" if thing.endswith("y") else thing + "s"
    return f"{n} {thing if n == 1 else plural}"


def _value(value: Any) -> str:
    if value == SECRET:
        return SECRET
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _field_text(change: FieldChange) -> str:
    note = " (secret: not compared)" if change.secret else ""
    return f"{change.field}: {_value(change.state)} (state) -> {_value(change.live)} (live){note}"


def summary(report: Report) -> str:
    stacks = report.stacks
    drifted = sum(1 for s in stacks if s.result == "drift")
    failed = sum(1 for s in stacks if s.result == "error")
    return (
        f"{counted(len(stacks), 'stack')} checked: {drifted} with drift, "
        f"{failed} could not be read (exit {report.exit_code})"
    )


def render_text(report: Report) -> str:
    lines = [f"tcr-drift: {summary(report)}"]
    for stack in report.stacks:
        where = f"{stack.name} ({stack.target.project_dir})"
        lines.append("")
        if stack.error is not None:
            lines.append(f"stack {where}: could not tell")
            lines += [f"  {line}" for line in stack.error.splitlines()]
            continue
        verdict = "drift" if stack.result == "drift" else "no drift"
        lines.append(f"stack {where}: {verdict}, {counted(stack.registries, 'registry')} read in {stack.seconds:.1f}s")
        for drift in stack.drift:
            ident = f" ({drift.registry_id})" if drift.registry_id else ""
            if drift.change == "deleted":
                lines.append(f"  {drift.resource}{ident}: deleted out of band")
                continue
            lines.append(f"  {drift.resource}{ident}: changed")
            lines += [f"    {_field_text(change)}" for change in drift.fields]
        for finding in stack.health:
            ident = f" ({finding.registry_id})" if finding.registry_id else ""
            lines.append(f"  {finding.resource}{ident}: status {finding.status}, not {READY_STATUS}")
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    """Text for a Markdown table cell: no line breaks, no column separators."""
    return " ".join(text.split()).replace("|", "\\|")


def _md_code(text: str) -> str:
    if "`" in text:
        return _md(text)
    return f"`{_md(text)}`"


_MD_RESULT = {"no-drift": "✅ no drift", "drift": "⚠️ drift", "error": "❌ could not tell"}


def render_markdown(report: Report) -> str:
    headline = {
        "no-drift": "No drift",
        "drift": "Drift found",
        "error": "Could not tell",
    }[report.result]
    lines = [
        "## TCR drift report",
        "",
        f"**{headline}**: {summary(report)}.",
        "",
        "| stack | project directory | result | registries | drifted | not Running |",
        "|---|---|---|---:|---:|---:|",
    ]
    for stack in report.stacks:
        lines.append(
            f"| {_md(stack.name)} | {_md_code(str(stack.target.project_dir))} | {_MD_RESULT[stack.result]} | "
            f"{stack.registries} | {len(stack.drift)} | {len(stack.health)} |"
        )
    for stack in report.stacks:
        if stack.result == "no-drift":
            continue
        lines += ["", f"### {_md(stack.name)}", ""]
        if stack.error is not None:
            lines += ["Could not tell:", "", "```text", stack.error.replace("```", "'''"), "```"]
            continue
        if stack.drift:
            lines += ["| resource | registry | field | state | live |", "|---|---|---|---|---|"]
            for drift in stack.drift:
                registry = _md_code(drift.registry_id) if drift.registry_id else ""
                if drift.change == "deleted":
                    lines.append(f"| {_md(drift.resource)} | {registry} | | deleted out of band | |")
                    continue
                for change in drift.fields or (FieldChange("", None, None),):
                    note = " (secret: not compared)" if change.secret else ""
                    lines.append(
                        f"| {_md(drift.resource)} | {registry} | {_md(change.field)}{note} | "
                        f"{_md_code(_value(change.state))} | {_md_code(_value(change.live))} |"
                    )
        if stack.health:
            if stack.drift:
                lines.append("")
            lines += [f"| resource | registry | status (not {READY_STATUS}) |", "|---|---|---|"]
            for finding in stack.health:
                registry = _md_code(finding.registry_id) if finding.registry_id else ""
                lines.append(f"| {_md(finding.resource)} | {registry} | {_md(finding.status)} |")
    return "\n".join(lines) + "\n"


def report_json(report: Report) -> dict[str, Any]:
    """The report as docs/drift-report.schema.json describes it."""
    return {
        "schemaVersion": SCHEMA_VERSION,
        "generatedAt": report.generated_at.isoformat(timespec="seconds").replace("+00:00", "Z"),
        "result": report.result,
        "exitCode": report.exit_code,
        "summary": {
            "stacks": len(report.stacks),
            "stacksWithDrift": sum(1 for s in report.stacks if s.result == "drift"),
            "stacksFailed": sum(1 for s in report.stacks if s.result == "error"),
            "resourcesDrifted": sum(len(s.drift) for s in report.stacks),
            "registriesNotRunning": sum(len(s.health) for s in report.stacks),
        },
        "stacks": [
            {
                "projectDir": str(stack.target.project_dir),
                "project": stack.project,
                "stack": stack.name,
                "result": stack.result,
                "error": stack.error,
                "seconds": round(stack.seconds, 3),
                "registries": stack.registries,
                "drift": [
                    {
                        "resource": drift.resource,
                        "urn": drift.urn,
                        "type": drift.type,
                        "registryId": drift.registry_id,
                        "change": drift.change,
                        "fields": [
                            {"field": c.field, "state": c.state, "live": c.live, "secret": c.secret}
                            for c in drift.fields
                        ],
                    }
                    for drift in stack.drift
                ],
                "health": [
                    {"resource": h.resource, "urn": h.urn, "registryId": h.registry_id, "status": h.status}
                    for h in stack.health
                ],
            }
            for stack in report.stacks
        ],
    }


def render_json(report: Report) -> str:
    return json.dumps(report_json(report), indent=2, ensure_ascii=False) + "\n"


RENDERERS: dict[str, Callable[[Report], str]] = {
    "text": render_text,
    "json": render_json,
    "markdown": render_markdown,
}
