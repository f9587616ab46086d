"""Turning the bench's results (one JSON-ready dict) into tables, target verdicts and a plot."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from pathlib import Path
from typing import Any

# Calls that change something in the cloud: a no-change preview or up must make none of them.
WRITE_ACTIONS = ("CreateInstance", "ModifyInstance", "ModifyResourceTags", "DeleteInstance")

PREVIEW_RATIO_TARGET = 1.25
UP_RATIO_TARGET = 1.5
DETECTION_MEDIAN_TARGET = 1.0
# "About one DescribeInstances per second in total, whatever N": one round a second over the wait, plus the two
# quick first rounds (0.25 s and 0.75 s after a wait starts) that the poller makes by design. One creation alone
# uses exactly that; over a wait of minutes the average tends to 1/s.
QUICK_FIRST_ROUNDS = 2


def poll_allowance(wait_seconds: float) -> int:
    return math.ceil(wait_seconds) + QUICK_FIRST_ROUNDS


REFRESH_DESCRIBES_TARGET = 1.0
# Issue 13: a refresh of 50 registries in one region costs at most 2 DescribeInstances in all, and takes at most
# 1.25 x the refresh of 50 do-nothing dynamic resources; `up` of N takes at most floor up + N / 20 s + T + 1 s.
REFRESH_TOTAL_DESCRIBES_TARGET = 2
REFRESH_RATIO_TARGET = 1.25
API_CREATE_RATE = 20.0
UP_SLACK_SECONDS = 1.0


def up_allowance(n: int, create_seconds: float, floor_up: float) -> float:
    """Issue 13's bound on `up` of N: the floor's up, N creations at the API's 20/s, T, and one second."""
    return floor_up + n / API_CREATE_RATE + create_seconds + UP_SLACK_SECONDS


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100) with linear interpolation between closest ranks."""
    ordered = sorted(values)
    if not ordered:
        return math.nan
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else math.nan


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]], markdown: bool = False) -> str:
    """A plain-text (or Markdown) table; numbers right-aligned."""
    cells = [[_cell(value) for value in row] for row in rows]
    if markdown:
        lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
        lines += ["| " + " | ".join(row) + " |" for row in cells]
        return "\n".join(lines)
    widths = [max(len(str(h)), *(len(row[i]) for row in cells)) for i, h in enumerate(headers)]

    def line(row: Sequence[str], numeric: Sequence[bool]) -> str:
        return "  ".join(c.rjust(w) if num else c.ljust(w) for c, w, num in zip(row, widths, numeric, strict=True))

    numeric = [all(_is_number(row[i]) for row in rows) for i in range(len(headers))]
    out = [line(list(headers), numeric), "  ".join("-" * w for w in widths)]
    out += [line(row, numeric) for row in cells]
    return "\n".join(out)


def _opt(value: float | None) -> float:
    return math.nan if value is None else value


def _span(values: Sequence[float]) -> str:
    return f"{min(values):g}" if min(values) == max(values) else f"{min(values):g}-{max(values):g}"


def _limit(per_second: int) -> str:
    return f"{per_second}/s" if per_second else "off"


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if math.isnan(value):
            return "-"
        return f"{value:.2f}" if abs(value) < 100 else f"{value:.0f}"
    return str(value)


SHORT_ACTIONS = {
    "DescribeInstances": "Describe",
    "CreateInstance": "Create",
    "CheckInstanceName": "CheckName",
    "GetUserAppId": "AppId",
    "ModifyInstance": "Modify",
    "ModifyResourceTags": "Tags",
    "DeleteInstance": "Delete",
}


def calls_text(per_registry: dict[str, float], short: bool = False) -> str:
    if not per_registry:
        return "none"
    names = SHORT_ACTIONS if short else {}
    return ", ".join(f"{names.get(action, action)} {count:.2f}" for action, count in sorted(per_registry.items()))


# --- tables -----------------------------------------------------------------------------------------------
def tables(results: dict[str, Any], markdown: bool = False) -> dict[str, str]:
    """Every results table, by section name."""
    out: dict[str, str] = {}
    out["preview"] = table(
        ["N", "ours (s)", "floor (s)", "ratio", "runs"],
        [[r["n"], r["tcr_median"], r["floor_median"], r["ratio"], len(r["tcr_seconds"])] for r in results["preview"]],
        markdown,
    )
    out["refresh"] = table(
        [
            "N", "rate limit", "ours (s)", "floor (s)", "ratio", "DescribeInstances per refresh", "runs",
        ],
        [
            [
                r["n"], _limit(r["rate_limit"]), r["tcr_median"], _opt(r.get("floor_median")), _opt(r.get("ratio")),
                _span([r["describes_min"], r["describes_max"]]), len(r["tcr_seconds"]),
            ]
            for r in results.get("refresh", [])
        ],
        markdown,
    )  # fmt: skip
    out["up"] = table(
        [
            "N", "rate limit", "T (s)", "--parallel", "up (s)", "up / T", "floor up (s)", "1st CreateInstance (s)",
            "all Running (s)", "most creating at once", "CreateInstance", "CheckInstanceName", "GetUserAppId",
        ],
        [
            [
                r["n"], _limit(r["rate_limit"]), r["create_seconds"], r["parallel"], r["seconds"], r["ratio"],
                _opt(r["floor_seconds"]),
                _opt(r["timeline"]["first_write"]), _opt(r["timeline"]["done"]), r["timeline"]["most_in_progress"],
                r["calls"].get("CreateInstance", 0), r["calls"].get("CheckInstanceName", 0),
                r["calls"].get("GetUserAppId", 0),
            ]
            for r in results["up"]
        ],
        markdown,
    )  # fmt: skip
    out["destroy"] = table(
        [
            "N", "rate limit", "D (s)", "--parallel", "destroy (s)", "destroy / D", "1st DeleteInstance (s)",
            "all gone (s)",
            "most deleting at once", "DeleteInstance", "DescribeInstances",
        ],
        [
            [
                r["n"], _limit(r["rate_limit"]), r["delete_seconds"], r["parallel"], r["seconds"], r["ratio"],
                _opt(r["timeline"]["first_write"]), _opt(r["timeline"]["done"]), r["timeline"]["most_in_progress"],
                r["calls"].get("DeleteInstance", 0), r["calls"].get("DescribeInstances", 0),
            ]
            for r in results["destroy"]
        ],
        markdown,
    )  # fmt: skip
    out["detection"] = table(
        [
            "N", "rate limit", "T (s)", "median (s)", "p95 (s)", "max (s)", "CreateInstance spread (s)",
            "Describe calls", "allowance", "wait (s)", "Describe/s", "most in 1 s", "GetUserAppId (max/run)",
        ],
        [
            [
                r["n"], _limit(r["rate_limit"]), _span(r["create_seconds"]), r["median"], r["p95"], r["max"],
                r["create_spread_seconds"], r["describe_calls"], r["describe_allowance"], r["wait_seconds"],
                r["describe_per_second"],
                r["describe_peak_per_second"], r["get_user_app_id_calls"],
            ]
            for r in results["detection"]
        ],
        markdown,
    )  # fmt: skip
    for key, run in results["api_calls"].items():
        sizes = sorted({r["n"] for r in run["ops"]})
        cells: dict[str, dict[int, str]] = {}
        for r in run["ops"]:
            cells.setdefault(r["op"], {})[r["n"]] = (
                f"{calls_text(r['per_registry'], short=True)} ({r['seconds']:.1f} s)"
            )
        out[f"api_calls:{key}"] = table(
            ["operation", *(f"N = {n}: calls per registry (time)" for n in sizes)],
            [[op, *(by_size.get(n, "-") for n in sizes)] for op, by_size in cells.items()],
            markdown,
        )
    out["state"] = table(
        ["N", "ours: export (B)", "ours: per registry (B)", "floor: export (B)", "floor: per registry (B)"],
        [
            [r["n"], r["tcr_bytes"], r["tcr_bytes"] / r["n"], r["floor_bytes"], r["floor_bytes"] / r["n"]]
            for r in results["state"]
        ],
        markdown,
    )
    out["provider_field"] = table(
        ["provider", "__provider (chars)", "stored in state, per copy (B)", "secret"],
        [[k, v["serialized"], v["stored"], v["secret"]] for k, v in results["provider_field"].items()],
        markdown,
    )
    out["cold_start"] = table(
        ["provider", "port printed (s)", "first Check answered (s)", "runs"],
        [
            [r["subject"], r["port_median"], r["first_call_median"], len(r["first_call_seconds"])]
            for r in results["cold_start"]
        ],
        markdown,
    )
    out["targets"] = table(
        ["target", "measured", "met"],
        [[t["target"], t["measured"], "met" if t["met"] else "MISSED"] for t in results["targets"]],
        markdown,
    )
    return out


# --- targets ----------------------------------------------------------------------------------------------
def targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    verdicts: list[dict[str, Any]] = []

    def add(target: str, measured: str, met: bool) -> None:
        verdicts.append({"target": target, "measured": measured, "met": bool(met)})

    if results["preview"]:
        largest = max(results["preview"], key=lambda r: r["n"])
        add(
            f"preview ≤ {PREVIEW_RATIO_TARGET} x floor at N = {largest['n']}",
            f"{largest['ratio']:.2f} ({largest['tcr_median']:.2f} s vs {largest['floor_median']:.2f} s)",
            largest["ratio"] <= PREVIEW_RATIO_TARGET,
        )
    refreshes = results.get("refresh", [])
    for limit in sorted({r["rate_limit"] for r in refreshes}, reverse=True):
        largest = max((r for r in refreshes if r["rate_limit"] == limit), key=lambda r: r["n"])
        add(
            f"refresh of N = {largest['n']} ≤ {REFRESH_TOTAL_DESCRIBES_TARGET} DescribeInstances in all, "
            f"rate limit {_limit(limit)}",
            f"{_span([largest['describes_min'], largest['describes_max']])} in each of {len(largest['calls'])} runs",
            largest["describes_max"] <= REFRESH_TOTAL_DESCRIBES_TARGET,
        )
        add(
            f"refresh of N = {largest['n']} ≤ {REFRESH_RATIO_TARGET} x floor refresh, rate limit {_limit(limit)}",
            f"{largest['ratio']:.2f} ({largest['tcr_median']:.2f} s vs {largest['floor_median']:.2f} s)",
            largest["ratio"] <= REFRESH_RATIO_TARGET,
        )
    floor_up = {r["n"]: r["floor_seconds"] for r in results["up"] if r["floor_seconds"] is not None}
    for limit in sorted({r["rate_limit"] for r in results["up"]}, reverse=True):
        largest = max((r for r in results["up"] if r["rate_limit"] == limit), key=lambda r: r["n"])
        add(
            f"up of N = {largest['n']} ≤ {UP_RATIO_TARGET} x T (T = {largest['create_seconds']:g} s), "
            f"rate limit {_limit(limit)}",
            f"{largest['ratio']:.2f} ({largest['seconds']:.1f} s)",
            largest["ratio"] <= UP_RATIO_TARGET,
        )
        if largest["n"] in floor_up:
            allowed = up_allowance(largest["n"], largest["create_seconds"], floor_up[largest["n"]])
            add(
                f"up of N = {largest['n']} ≤ floor up + N/{API_CREATE_RATE:g} s + T + {UP_SLACK_SECONDS:g} s, "
                f"rate limit {_limit(limit)}",
                f"{largest['seconds']:.2f} s vs {allowed:.2f} s ({floor_up[largest['n']]:.2f} + "
                f"{largest['n'] / API_CREATE_RATE:g} + {largest['create_seconds']:g} + {UP_SLACK_SECONDS:g})",
                largest["seconds"] <= allowed,
            )
    for r in results["detection"]:
        limit = f"rate limit {_limit(r['rate_limit'])}"
        add(
            f"detection median ≤ {DETECTION_MEDIAN_TARGET:g} s, N = {r['n']}, {limit}",
            f"{r['median']:.2f} s (p95 {r['p95']:.2f} s)",
            r["median"] <= DETECTION_MEDIAN_TARGET,
        )
        allowance = r["describe_allowance"]
        add(
            f"polling ≈ 1 DescribeInstances/s in total (≤ {allowance} calls), N = {r['n']}, {limit}",
            f"{r['describe_calls']} calls in {r['wait_seconds']:.1f} s ({r['describe_per_second']:.2f}/s)",
            r["describe_calls"] <= allowance,
        )
    for key, run in results["api_calls"].items():
        for r in run["ops"]:
            if r["op"] == "refresh":
                describes = r["per_registry"].get("DescribeInstances", 0.0)
                add(
                    f"refresh ≤ {REFRESH_DESCRIBES_TARGET:g} DescribeInstances per registry, N = {r['n']} ({key})",
                    f"{describes:.2f}",
                    describes <= REFRESH_DESCRIBES_TARGET,
                )
            if r["op"] in ("preview (no change)", "up (no change)"):
                add(f"{r['op']} makes no write call, N = {r['n']} ({key})", f"{r['writes']} writes", r["writes"] == 0)
    return verdicts


def writes(calls: dict[str, int]) -> int:
    return sum(calls.get(action, 0) for action in WRITE_ACTIONS)


# --- plot -------------------------------------------------------------------------------------------------
def plot(results: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker

    fig, axes = plt.subplots(2, 3, figsize=(16, 9.5))
    fig.suptitle(
        f"tcr-provider: cost against the number of registries N ({results['machine']['summary']})", fontsize=12
    )

    def axis(ax: Any, title: str, ylabel: str, sizes: Sequence[int]) -> None:
        ax.set_title(title, fontsize=10.5)
        ax.set_xlabel("registries in the stack (N)")
        ax.set_ylabel(ylabel)
        ax.set_xscale("log")
        ax.xaxis.set_minor_locator(matplotlib.ticker.NullLocator())
        if sizes:
            ax.set_xticks(list(sizes))
            ax.set_xticklabels([str(n) for n in sizes])
        ax.grid(True, alpha=0.3)

    ax = axes[0][0]
    rows = results["preview"]
    sizes = [r["n"] for r in rows]
    refreshes = [r for r in results.get("refresh", []) if r["rate_limit"]]
    what = ": preview" if refreshes else ""
    ax.plot(sizes, [r["tcr_median"] for r in rows], "o-", label=f"tcr_provider.Instance{what}")
    ax.plot(sizes, [r["floor_median"] for r in rows], "s--", label=f"floor: do-nothing dynamic resource{what}")
    for r in [*rows, *refreshes]:
        ax.annotate(f"x{r['ratio']:.2f}", (r["n"], r["tcr_median"]), textcoords="offset points", xytext=(4, 6))
    if refreshes:
        sizes_r = [r["n"] for r in refreshes]
        ax.plot(sizes_r, [r["tcr_median"] for r in refreshes], "o-", label="tcr_provider.Instance: refresh")
        ax.plot(sizes_r, [r["floor_median"] for r in refreshes], "s--", label="floor: refresh")
    title = f"1. preview{' and refresh' if refreshes else ''}, N existing (target ≤ x{PREVIEW_RATIO_TARGET})"
    axis(ax, title, "seconds (median)", sizes)
    ax.set_ylim(0, max([1.0, *(r["tcr_median"] * 1.25 for r in [*rows, *refreshes])]))
    ax.legend(fontsize=8)

    ax = axes[0][1]
    t = results["up"][0]["create_seconds"] if results["up"] else 0
    d = results["destroy"][0]["delete_seconds"] if results["destroy"] else 0
    for limited, style in ((True, "-"), (False, ":")):
        suffix = "rate limit on" if limited else "no rate limit"
        for key, marker, color, what in (
            ("up", "o", "tab:blue", "up creating N, / T"),
            ("destroy", "s", "tab:orange", "destroy of N, / D"),
        ):
            rows = [r for r in results[key] if bool(r["rate_limit"]) == limited]
            if rows:
                ax.plot(
                    [r["n"] for r in rows], [r["ratio"] for r in rows], marker + style, color=color,
                    label=f"pulumi {what} ({suffix})",
                )  # fmt: skip
    ax.axhline(UP_RATIO_TARGET, color="tab:red", linestyle=":", label=f"target for up: {UP_RATIO_TARGET}")
    ax.axhline(1.0, color="gray", linestyle="--", label="ideal 1")
    sizes = sorted({r["n"] for r in results["up"]})
    axis(ax, f"2. waiting in parallel, --parallel N (T = {t:g} s, D = {d:g} s)", "wall time / T or D", sizes)
    ratios = [r["ratio"] for r in [*results["up"], *results["destroy"]]]
    ax.set_ylim(0, max([2.0, *(x * 1.15 for x in ratios)]))
    ax.legend(fontsize=7)

    ax = axes[0][2]
    limited = [r for r in results["detection"] if r["rate_limit"]] or results["detection"]
    unlimited = [r for r in results["detection"] if not r["rate_limit"] and r not in limited]
    rows = limited
    sizes = [r["n"] for r in rows]
    ax.plot(sizes, [r["median"] for r in rows], "o-", label="median")
    ax.plot(sizes, [r["p95"] for r in rows], "^-", label="p95")
    for r in unlimited:
        ax.plot([r["n"]], [r["median"]], "x", color="black", label=f"median, N = {r['n']} without rate limit")
    ax.axhline(DETECTION_MEDIAN_TARGET, color="tab:red", linestyle=":", label="target: median ≤ 1 s")
    t = _span([x for r in rows for x in r["create_seconds"]]) if rows else "?"
    axis(ax, f"3a. Running → create() returns (T = {t} s, rate limit on)", "seconds", sizes)
    ax.set_ylim(0, max([1.25, *(r["p95"] * 1.2 for r in results["detection"])]))
    ax.legend(fontsize=8)

    ax = axes[1][0]
    ax.plot(sizes, [r["describe_per_second"] for r in rows], "o-", label="DescribeInstances/s, average over the wait")
    ax.plot(sizes, [r["describe_peak_per_second"] for r in rows], "^--", label="most in any 1 s window")
    for r in unlimited:
        ax.plot([r["n"]], [r["describe_per_second"]], "x", color="black", label=f"average, N = {r['n']} no rate limit")
    ax.axhline(1.0, color="tab:red", linestyle=":", label="target ≈ 1/s whatever N")
    axis(ax, "3b. polling load of N concurrent creations (rate limit on)", "DescribeInstances per second", sizes)
    ax.set_ylim(0, max([3.0, *(r["describe_peak_per_second"] + 0.5 for r in rows)]))
    ax.legend(fontsize=8)

    ax = axes[1][1]
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for key, style, width in (("rate_limited", "o-", 1.8), ("unthrottled", "x--", 0.9)):
        if key not in results["api_calls"]:
            continue
        ops: dict[str, list[tuple[int, float]]] = {}
        for r in results["api_calls"][key]["ops"]:
            ops.setdefault(r["op"], []).append((r["n"], sum(r["per_registry"].values())))
        for index, (op, points) in enumerate(ops.items()):
            ax.plot(
                [p[0] for p in points], [p[1] for p in points], style, color=colors[index % len(colors)],
                linewidth=width, label=op if key == "rate_limited" else None,
            )  # fmt: skip
    sizes = sorted({r["n"] for run in results["api_calls"].values() for r in run["ops"]})
    axis(ax, "4. API calls per registry (solid: rate limit on; dashed: off)", "requests / N, all actions", sizes)
    ax.set_ylim(bottom=0)
    ax.legend(fontsize=7, ncol=2)

    ax = axes[1][2]
    rows = results["state"]
    sizes = [r["n"] for r in rows]
    ax.plot(sizes, [r["tcr_bytes"] / r["n"] / 1000 for r in rows], "o-", label="tcr_provider.Instance")
    ax.plot(sizes, [r["floor_bytes"] / r["n"] / 1000 for r in rows], "s--", label="floor")
    axis(ax, "5. state size: pulumi stack export / N", "kB per registry", sizes)
    ax.set_ylim(bottom=0)
    ax.legend(fontsize=8)

    fig.tight_layout(rect=(0, 0, 1, 0.96))
    fig.savefig(path, dpi=110)
    plt.close(fig)
