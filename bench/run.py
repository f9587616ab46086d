"""The benchmarks of issues 6 and 13: what a registry costs in preview, up and refresh, and how it scales with N.

Run by `make bench` (which builds or finds the Pulumi CLI and sets TCR_PULUMI_BIN), or directly:

    .venv/bin/python bench/run.py [--sizes 1,10,50] [--create-seconds 10] [--quick] ...

Everything runs against the TCR emulator (its own process) with the real Pulumi CLI on a file backend in a
temporary directory. Prints the tables, writes <output>/benchmarks.json and draws <output>/benchmarks.png.
The emulators are stopped and the temporary directory removed however the run ends.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Any

import report

if TYPE_CHECKING:  # these import tcr_provider: only after snapshot_code() (see main)
    import latency
    from harness import EmulatorProcess, Stack, Timeline, Workspace

ROOT = Path(__file__).resolve().parent.parent
STARTED = time.monotonic()


def log(message: str) -> None:
    print(f"[{time.monotonic() - STARTED:6.1f}s] {message}", file=sys.stderr, flush=True)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    def sizes(text: str) -> list[int]:
        values = sorted({int(part) for part in text.split(",") if part.strip()})
        if not values or min(values) < 1:
            raise argparse.ArgumentTypeError("give positive registry counts, e.g. 1,10,50")
        return values

    parser = argparse.ArgumentParser(
        prog="bench/run.py",
        description="Benchmarks of tcr-provider against the TCR emulator with the real Pulumi CLI (issue 6).",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--sizes", type=sizes, default=None, help="stack sizes N (default 1,10,50; quick: 1,5)")
    parser.add_argument(
        "--create-seconds", type=float, default=None, help="T for `pulumi up` creating N (default 10; quick: 3)"
    )
    parser.add_argument(
        "--delete-seconds", type=float, default=None, help="D for `pulumi destroy` of N (default 5; quick: 2)"
    )
    parser.add_argument(
        "--latency-sizes",
        type=sizes,
        default=None,
        help="concurrent creations for detection latency (default: --sizes)",
    )
    parser.add_argument(
        "--latency-create-seconds", type=float, default=None, help="T for detection latency (default 5; quick: 2)"
    )
    parser.add_argument(
        "--latency-phases", type=int, default=None, help="create times T, T+1/P, ... per latency case (default 4)"
    )
    parser.add_argument("--preview-runs", type=int, default=None, help="previews per stack (median; default 5)")
    parser.add_argument("--cold-runs", type=int, default=None, help="cold starts per provider (median; default 5)")
    parser.add_argument("--rate-limit", type=int, default=20, help="emulator requests/s per action (realistic runs)")
    parser.add_argument(
        "--no-unthrottled", action="store_true", help="skip the lifecycle on an emulator without rate limit"
    )
    parser.add_argument(
        "--quick", action="store_true", help="small sizes, short waits, few runs: a smoke run of about two minutes"
    )
    parser.add_argument(
        "--code",
        default=None,
        metavar="REVISION",
        help="measure tcr_provider/ as of this git revision instead of the work tree (to compare versions)",
    )
    parser.add_argument(
        "--tables-from",
        type=Path,
        default=None,
        metavar="JSON",
        help="run nothing: print the tables of an earlier benchmarks.json as Markdown (for docs/benchmarks.md)",
    )
    parser.add_argument(
        "--output", type=Path, default=None, help="where benchmarks.json/.png go (default docs/; quick: bench-results/)"
    )
    args = parser.parse_args(argv)
    quick = args.quick
    args.sizes = args.sizes or ([1, 5] if quick else [1, 10, 50])
    args.create_seconds = args.create_seconds if args.create_seconds is not None else (3.0 if quick else 10.0)
    args.delete_seconds = args.delete_seconds if args.delete_seconds is not None else (2.0 if quick else 5.0)
    args.latency_sizes = args.latency_sizes or args.sizes
    if args.latency_create_seconds is None:
        args.latency_create_seconds = 2.0 if quick else 5.0
    args.latency_phases = args.latency_phases or (2 if quick else 4)
    args.preview_runs = args.preview_runs or (1 if quick else 5)
    args.cold_runs = args.cold_runs or (2 if quick else 5)
    args.output = args.output or (ROOT / ("bench-results" if quick else "docs"))
    return args


def snapshot_code(base: Path, revision: str | None = None) -> Path:
    """Copy tcr_provider/ into `base` and import it from there, in this process and in every one the bench starts.

    Others may edit the provider while the bench runs; every measurement of one run then sees the same code.
    `revision` takes tcr_provider/ from that git revision instead of the work tree (to compare versions).
    Call it before anything imports tcr_provider.
    """
    if "tcr_provider" in sys.modules:
        raise RuntimeError("snapshot_code() must run before tcr_provider is imported")
    target = base / "code"
    ignore = shutil.ignore_patterns("__pycache__")
    if revision is None:
        shutil.copytree(ROOT / "tcr_provider", target / "tcr_provider", ignore=ignore)
    else:
        target.mkdir(parents=True)
        archive = subprocess.run(
            ["git", "archive", "--format=tar", revision, "tcr_provider"], cwd=ROOT, capture_output=True, check=True
        )
        subprocess.run(["tar", "-x", "-C", str(target)], input=archive.stdout, check=True)
        # The harness drives the code under measurement and is not part of it: the bench is written against
        # the work tree's, which an older revision may not have.
        testing = Path("tcr_provider") / "testing"
        shutil.copytree(ROOT / testing, target / testing, ignore=ignore, dirs_exist_ok=True)
    sys.path.insert(0, str(target))
    return target


def cli_version(cli_dir: Path) -> str:
    result = subprocess.run([str(cli_dir / "pulumi"), "version"], capture_output=True, text=True, check=False)
    return result.stdout.strip() or "unknown"


def machine(cli_dir: Path) -> dict[str, Any]:
    cpu = "unknown"
    memory_gib = 0.0
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_gib = int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    cores = os.cpu_count() or 0
    info = {
        "nproc": cores,
        "cpu": cpu,
        "memory_gib": round(memory_gib, 1),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "pulumi_cli": cli_version(cli_dir),
        "pulumi_python_sdk": version("pulumi"),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }
    info["summary"] = (
        f"{cores} cores {cpu}, {info['memory_gib']} GiB, Python {info['python']}, Pulumi {info['pulumi_cli']}"
    )
    return info


def provider_code(code_dir: Path = ROOT, revision: str | None = None) -> dict[str, Any]:
    """Which provider code is measured: the commit, whether tcr_provider/ differs from it, and a digest of it."""

    def git(*args: str) -> str:
        result = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)
        return result.stdout.strip()

    # The harness (tcr_provider/testing) is not the code measured: see snapshot_code.
    if revision is not None:
        commit, dirty = git("rev-parse", "--short", f"{revision}^{{commit}}"), False
    else:
        status = git("status", "--porcelain", "--", "tcr_provider", ":(exclude)tcr_provider/testing")
        commit, dirty = git("rev-parse", "--short", "HEAD"), bool(status)

    digest = hashlib.sha1()
    for path in sorted((code_dir / "tcr_provider").rglob("*.py")):
        if path.relative_to(code_dir / "tcr_provider").parts[0] == "testing":
            continue
        digest.update(str(path.relative_to(code_dir)).encode() + b"\0" + path.read_bytes())
    return {"commit": commit, "uncommitted_changes": dirty, "sha1": digest.hexdigest()[:12]}


# --- 3. detection latency and polling load (in-process) --------------------------------------------------
def detection(args: argparse.Namespace) -> list[dict[str, Any]]:
    """Each latency size with the rate limit on, then the largest without it; each at every phase of T.

    The poller's rounds fall about a second apart, so an instance that turns Running just after a round waits
    almost a second and one that turns Running just before it almost nothing. All N creations of a run share
    one phase; a real creation time falls anywhere. Each case therefore runs at `--latency-phases` create
    times T, T + 1/P, ... (a fresh emulator each), and the latencies of all of them are pooled.
    """
    import latency
    from harness import EmulatorProcess

    phases = [args.latency_create_seconds + k / args.latency_phases for k in range(args.latency_phases)]
    cases = [(n, args.rate_limit) for n in args.latency_sizes]
    largest = max(args.latency_sizes)
    if args.rate_limit and largest > 1:
        cases.append((largest, 0))
    runs: dict[tuple[int, int], list[latency.LatencyResult]] = {case: [] for case in cases}
    for create_seconds in phases:
        for limit in sorted({limit for _, limit in cases}, reverse=True):
            with EmulatorProcess(create_seconds=create_seconds, rate_limit=limit) as emulator:
                for n, case_limit in cases:
                    if case_limit == limit:
                        text = f"{limit}/s" if limit else "off"
                        log(f"detection: {n} concurrent creations, T = {create_seconds:g} s, rate limit {text}")
                        runs[(n, limit)].append(latency.measure(emulator, n))
    return [detection_row(n, limit, runs[(n, limit)]) for n, limit in cases]


def detection_row(n: int, rate_limit: int, runs: list[latency.LatencyResult]) -> dict[str, Any]:
    latencies = [x for run in runs for x in run.latencies]
    describe_calls = sum(run.describe_calls for run in runs)
    wait_seconds = sum(run.wait_seconds for run in runs)
    return {
        "n": n,
        "rate_limit": rate_limit,
        "create_seconds": [run.create_seconds for run in runs],
        "median": report.median(latencies),
        "p95": report.percentile(latencies, 95),
        "max": max(latencies),
        "min": min(latencies),
        "describe_calls": describe_calls,
        "wait_seconds": wait_seconds,
        "describe_per_second": describe_calls / wait_seconds,
        "describe_allowance": sum(report.poll_allowance(run.wait_seconds) for run in runs),
        "describe_peak_per_second": max(run.describe_peak_per_second for run in runs),
        "create_spread_seconds": max(run.create_offsets[-1] for run in runs),
        "get_user_app_id_calls": max(run.other_calls.get("GetUserAppId", 0) for run in runs),
        "runs": [
            {
                "create_seconds": run.create_seconds,
                "median": report.median(run.latencies),
                "describe_calls": run.describe_calls,
                "wait_seconds": run.wait_seconds,
                "create_calls": run.create_calls,
                "other_calls": run.other_calls,
                "latencies": [round(x, 4) for x in run.latencies],
                "create_offsets": [round(x, 3) for x in run.create_offsets],
                "describe_offsets": [round(x, 3) for x in run.describe_offsets],
            }
            for run in runs
        ],
    }


# --- 6. cold start ---------------------------------------------------------------------------------------
def cold_start(args: argparse.Namespace, workspace: Workspace, emulator: EmulatorProcess) -> list[dict[str, Any]]:
    import coldstart

    rows = []
    emulator.control.reset()
    for subject in coldstart.subjects(workspace.project("tcr"), workspace.project("floor")):
        log(f"cold start: {subject.label}, {args.cold_runs} runs after one warm-up")
        coldstart.measure_once(subject, emulator, workspace.env)  # warm-up: file cache, and gRPC set-up in this process
        runs = [coldstart.measure_once(subject, emulator, workspace.env) for _ in range(args.cold_runs)]
        rows.append(
            {
                "subject": subject.label,
                "provider_chars": len(subject.provider),
                "port_seconds": [r.port_seconds for r in runs],
                "first_call_seconds": [r.first_call_seconds for r in runs],
                "port_median": report.median([r.port_seconds for r in runs]),
                "first_call_median": report.median([r.first_call_seconds for r in runs]),
            }
        )
    calls = emulator.control.request_counts()
    if calls:
        raise RuntimeError(f"the cold-start Checks were expected to make no API call, but made {dict(calls)}")
    return rows


# --- 2 and 4: a stack's lifecycle through the CLI ----------------------------------------------------------
@dataclass(frozen=True)
class Phases:
    """When, during a create or destroy of N, the first write went out, all N got there, and how many at once."""

    write_action: str  # CreateInstance / DeleteInstance
    in_progress: tuple[str, ...]  # statuses of an instance still being created / deleted
    created: bool  # True: done means N instances Running; False: done means no instance left

    def measure(self, timeline: Timeline, before: Counter[str], n: int) -> dict[str, Any]:
        def written(requests: Counter[str], _: Counter[str]) -> bool:
            return requests[self.write_action] > before[self.write_action]

        def done(_: Counter[str], statuses: Counter[str]) -> bool:
            return statuses["Running"] >= n if self.created else not statuses

        return {
            "first_write": timeline.first(written),
            "done": timeline.first(done),
            "most_in_progress": max(
                (sum(statuses[s] for s in self.in_progress) for _, _, statuses in timeline.samples), default=0
            ),
            "sample_seconds": timeline.period,
        }


CREATE_PHASES = Phases("CreateInstance", ("Pending", "Deploying"), created=True)
DELETE_PHASES = Phases("DeleteInstance", ("Deleting",), created=False)


def lifecycle(
    stack: Stack,
    emulator: EmulatorProcess,
    n: int,
    notes: list[str],
    after_create: Callable[[], None] = lambda: None,
) -> list[dict[str, Any]]:
    """Create N registries, then each no-change and changing operation; API calls counted for each."""
    from harness import Timeline

    parallel = str(n)
    ops: list[dict[str, Any]] = []

    def op(label: str, expected: str, *command: str, phases: Phases | None = None) -> dict[str, Any]:
        log(f"  {stack.project.name}/{stack.name}: {label} (pulumi {' '.join(command)})")
        before = emulator.control.request_counts()
        with Timeline(emulator) as timeline:
            run = stack.run(*command)
        calls = dict(emulator.control.request_counts() - before)
        steps = Counter(step.op for step in run.steps)
        if steps != Counter({expected: n}):
            notes.append(f"N={n} {label}: expected {n} '{expected}' steps, the engine logged {dict(steps)}")
        row = {
            "op": label,
            "n": n,
            "command": "pulumi " + " ".join(command),
            "seconds": run.seconds,
            "calls": calls,
            "per_registry": {action: count / n for action, count in calls.items()},
            "writes": report.writes(calls),
            "steps": dict(steps),
        }
        if phases is not None:
            row["timeline"] = phases.measure(timeline, before, n)
        ops.append(row)
        return row

    op("create", "create", "up", "--yes", "--skip-preview", "--parallel", parallel, phases=CREATE_PHASES)
    after_create()
    op("preview (no change)", "same", "preview", "--expect-no-changes")
    op("up (no change)", "same", "up", "--yes", "--expect-no-changes", "--parallel", parallel)
    op("refresh --preview-only", "refresh", "refresh", "--preview-only", "--expect-no-changes")
    op("refresh", "refresh", "refresh", "--yes", "--skip-preview")
    stack.configure(tag="b")
    op("tag update", "update", "up", "--yes", "--skip-preview", "--parallel", parallel)
    stack.configure(instanceType="standard")
    op("type update", "update", "up", "--yes", "--skip-preview", "--parallel", parallel)
    op("destroy", "delete", "destroy", "--yes", "--skip-preview", "--parallel", parallel, phases=DELETE_PHASES)
    left = len(emulator.control.instances())
    if left:
        notes.append(f"N={n}: {left} instances left in the emulator after destroy")
    stack.remove()
    return ops


REFRESH = ("refresh", "--preview-only", "--expect-no-changes")  # the drift check: reads every registry


def refresh_runs(
    stack: Stack, emulator: EmulatorProcess, n: int, runs: int, notes: list[str], floor: Stack | None = None
) -> dict[str, Any]:
    """`runs` refreshes of N existing registries (alternating with the floor's, when given); calls per refresh."""
    ours: list[float] = []
    theirs: list[float] = []
    calls: list[dict[str, int]] = []
    for i in range(runs):
        log(f"  refresh run {i + 1}/{runs}: {stack.project.name}/{stack.name}{', then floor' if floor else ''}")
        before = emulator.control.request_counts()
        run = stack.run(*REFRESH)
        calls.append(dict(emulator.control.request_counts() - before))
        ours.append(run.seconds)
        if floor is not None:
            theirs.append(floor.run(*REFRESH).seconds)
        if Counter(step.op for step in run.steps) != Counter({"refresh": n}):
            notes.append(f"N={n} refresh run {i + 1}: the engine logged {[s.op for s in run.steps]}")
    describes = [c.get("DescribeInstances", 0) for c in calls]
    return {
        "n": n,
        "rate_limit": emulator.rate_limit,
        "command": "pulumi " + " ".join(REFRESH),
        "tcr_seconds": ours,
        "floor_seconds": theirs or None,
        "tcr_median": report.median(ours),
        "floor_median": report.median(theirs) if theirs else None,
        "calls": calls,
        "describes_min": min(describes),
        "describes_max": max(describes),
    }


def provider_field(deployment: dict[str, Any], resource_type: str) -> dict[str, Any]:
    """How `__provider` is stored: the serialized string's length and its size in the state (one copy)."""
    resources = [r for r in deployment["deployment"].get("resources", []) if r["type"] == resource_type]
    value = resources[0]["outputs"]["__provider"]
    secret = isinstance(value, dict)
    return {
        "serialized": None if secret else len(value),
        "stored": len(json.dumps(value)),
        "secret": secret,
        "copies_per_resource": sum("__provider" in resources[0].get(k, {}) for k in ("inputs", "outputs")),
    }


def cli_runs(args: argparse.Namespace, workspace: Workspace, emulator: EmulatorProcess) -> dict[str, Any]:
    """Measurements 1, 2, 4 (rate-limited) and 5: one tcr stack and one floor stack per size."""
    out: dict[str, Any] = {
        "preview": [], "refresh": [], "up": [], "destroy": [], "state": [], "ops": [], "notes": [],
        "provider_field": {},
    }  # fmt: skip
    for n in args.sizes:
        tcr = workspace.stack("tcr", f"n{n}")
        floor = workspace.stack("floor", f"n{n}")
        tcr.init(count=n, prefix=f"bench-n{n}")
        floor.init(count=n, prefix=f"floor-n{n}")
        log(f"N = {n}: tcr and floor stacks")

        def after_create(n: int = n, tcr: Stack = tcr, floor: Stack = floor) -> None:
            log(f"  floor/{floor.name}: up (pulumi up --yes --skip-preview --parallel {n})")
            floor_up = floor.run("up", "--yes", "--skip-preview", "--parallel", str(n))
            ours: list[float] = []
            theirs: list[float] = []
            before = emulator.control.request_counts()
            for i in range(args.preview_runs):
                log(f"  preview run {i + 1}/{args.preview_runs}: tcr, then floor")
                ours.append(tcr.run("preview", "--expect-no-changes").seconds)
                theirs.append(floor.run("preview", "--expect-no-changes").seconds)
            calls = dict(emulator.control.request_counts() - before)
            out["preview"].append(
                {
                    "n": n,
                    "tcr_seconds": ours,
                    "floor_seconds": theirs,
                    "tcr_median": report.median(ours),
                    "floor_median": report.median(theirs),
                    "ratio": report.median(ours) / report.median(theirs),
                    "calls": calls,
                }
            )
            out["refresh"].append(refresh_runs(tcr, emulator, n, args.preview_runs, out["notes"], floor))
            tcr_state, floor_state = tcr.export(), floor.export()
            out["state"].append(
                {"n": n, "tcr_bytes": len(tcr_state.encode()), "floor_bytes": len(floor_state.encode())}
            )
            out["provider_field"] = {
                "tcr_provider.InstanceProvider": provider_field(json.loads(tcr_state), tcr.resource_type),
                "floor (bench_noop.NoopProvider)": provider_field(json.loads(floor_state), floor.resource_type),
            }
            out["floor_up"] = floor_up.seconds
            floor.run("destroy", "--yes", "--skip-preview", "--parallel", str(n))
            floor.remove()

        ops = lifecycle(tcr, emulator, n, out["notes"], after_create)
        out["ops"] += ops
        up, destroy = waiting_rows(ops, emulator, floor_up=out.pop("floor_up"))
        out["up"].append(up)
        out["destroy"].append(destroy)
    return out


def waiting_rows(
    ops: list[dict[str, Any]], emulator: EmulatorProcess, floor_up: float | None = None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Measurement 2 (create) and 2b (destroy) from a lifecycle's first and last operations."""
    create, destroy = ops[0], ops[-1]
    n = create["n"]
    up = {
        "n": n,
        "rate_limit": emulator.rate_limit,
        "create_seconds": emulator.create_seconds,
        "parallel": n,
        "seconds": create["seconds"],
        "ratio": create["seconds"] / emulator.create_seconds,
        "floor_seconds": floor_up,
        "calls": create["calls"],
        "timeline": create["timeline"],
    }
    down = {
        "n": n,
        "rate_limit": emulator.rate_limit,
        "delete_seconds": emulator.delete_seconds,
        "parallel": n,
        "seconds": destroy["seconds"],
        "ratio": destroy["seconds"] / emulator.delete_seconds,
        "calls": destroy["calls"],
        "timeline": destroy["timeline"],
    }
    return up, down


def unthrottled_runs(args: argparse.Namespace, workspace: Workspace, emulator: EmulatorProcess) -> dict[str, Any]:
    """Measurement 4 without throttled retries, and 2/2b without the rate limit's spreading of the calls."""
    out: dict[str, Any] = {"ops": [], "notes": [], "up": [], "destroy": [], "refresh": []}
    for n in args.sizes:
        stack = workspace.stack("tcr", f"exact-n{n}")
        stack.init(count=n, prefix=f"exact-n{n}")
        log(f"N = {n}: lifecycle without rate limit")

        def after_create(n: int = n, stack: Stack = stack) -> None:
            out["refresh"].append(refresh_runs(stack, emulator, n, args.preview_runs, out["notes"]))

        ops = lifecycle(stack, emulator, n, out["notes"], after_create)
        out["ops"] += ops
        up, destroy = waiting_rows(ops, emulator)
        out["up"].append(up)
        out["destroy"].append(destroy)
    return out


# --- main ------------------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.tables_from is not None:
        saved = json.loads(args.tables_from.read_text())
        for key, text in report.tables(saved, markdown=True).items():
            print(f"\n### {TITLES.get(key, key)}\n\n{text}")
        return 0
    base = Path(tempfile.mkdtemp(prefix="tcr-bench-"))
    try:
        code_dir = snapshot_code(base, args.code)
        from harness import find_cli  # the first import of tcr_provider: from the copy

        cli_dir = find_cli()
        results: dict[str, Any] = {
            "generated": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
            "command": "bench/run.py " + " ".join(argv if argv is not None else sys.argv[1:]),
            "machine": machine(cli_dir),
            "settings": {
                "sizes": args.sizes,
                "create_seconds": args.create_seconds,
                "latency_sizes": args.latency_sizes,
                "latency_create_seconds": args.latency_create_seconds,
                "latency_phases": args.latency_phases,
                "preview_runs": args.preview_runs,
                "cold_runs": args.cold_runs,
                "rate_limit": args.rate_limit,
                "delete_seconds": args.delete_seconds,
                "modify_seconds": 1.0,
                "unthrottled": {"same create, delete and modify seconds": True, "rate_limit": 0},
            },
            "api_calls": {},
            "notes": [],
        }
        log(f"machine: {results['machine']['summary']}")
        code = results["provider_code"] = provider_code(code_dir, args.code)
        dirty = " + uncommitted changes" if code["uncommitted_changes"] else ""
        log(f"provider code: {code['commit']}{dirty} (tcr_provider sha1 {code['sha1']}), copied to {code_dir}")
        measure_all(args, cli_dir, base, results)
        # The floor makes no API call, so its refreshes (measured with the rate limit on) serve both passes.
        floors = {r["n"]: r["floor_median"] for r in results["refresh"] if r["floor_median"] is not None}
        for row in results["refresh"]:
            row["floor_median"] = floors[row["n"]]
            row["ratio"] = row["tcr_median"] / row["floor_median"]
    finally:
        shutil.rmtree(base, ignore_errors=True)

    results["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    if args.code is None and provider_code()["sha1"] != code["sha1"]:
        results["notes"].append(
            f"tcr_provider/ changed while the bench ran; every measurement used the copy taken at the start "
            f"(sha1 {code['sha1']}), not the provider as it is now"
        )
    results["targets"] = report.targets(results)
    results["elapsed_seconds"] = time.monotonic() - STARTED
    print_tables(results)
    write(results, args.output)
    return 0


def measure_all(args: argparse.Namespace, cli_dir: Path, base: Path, results: dict[str, Any]) -> None:
    """Every measurement, in an order where none disturbs another; each emulator stops when its part ends."""
    from harness import EmulatorProcess, Workspace

    pycache = base / "pycache"
    results["detection"] = detection(args)
    with EmulatorProcess(create_seconds=1.0, rate_limit=args.rate_limit) as emulator:
        workspace = Workspace(base / "cold-start", cli_dir, emulator, pycache)
        log("warm-up: one preview of each bench project (bytecode and file caches)")
        workspace.warm_up()
        results["cold_start"] = cold_start(args, workspace, emulator)

    with EmulatorProcess(
        create_seconds=args.create_seconds, delete_seconds=args.delete_seconds, rate_limit=args.rate_limit
    ) as emulator:
        cli = cli_runs(args, Workspace(base / "cli", cli_dir, emulator, pycache), emulator)
    results.update({k: cli[k] for k in ("preview", "refresh", "up", "destroy", "state", "provider_field")})
    for row in results["cold_start"]:  # a secret __provider is encrypted in the state: its length comes from here
        results["provider_field"].setdefault(row["subject"], {})["serialized"] = row["provider_chars"]
    results["api_calls"]["rate_limited"] = {"rate_limit": args.rate_limit, "ops": cli["ops"]}
    results["notes"] += cli["notes"]
    if args.no_unthrottled:
        return

    with EmulatorProcess(
        create_seconds=args.create_seconds, delete_seconds=args.delete_seconds, rate_limit=0
    ) as emulator:
        unthrottled = unthrottled_runs(args, Workspace(base / "unthrottled", cli_dir, emulator, pycache), emulator)
    results["api_calls"]["unthrottled"] = {"rate_limit": 0, "ops": unthrottled["ops"]}
    results["refresh"] += unthrottled["refresh"]
    results["up"] += unthrottled["up"]
    results["destroy"] += unthrottled["destroy"]
    results["notes"] += unthrottled["notes"]


TITLES = {
    "preview": "1. pulumi preview of N existing registries, against the floor (median wall time)",
    "refresh": "1b. pulumi refresh --preview-only of N existing registries, against the floor (median wall time)",
    "up": "2. pulumi up creating N registries (emulator create time T)",
    "destroy": "2b. pulumi destroy of N registries (emulator delete time D)",
    "detection": "3. detection latency, Running -> create() returns, and polling load (in-process)",
    "api_calls:rate_limited": "4a. API calls per registry and operation, emulator rate limit on (Describe ="
    " DescribeInstances, CheckName = CheckInstanceName, AppId = GetUserAppId, Tags = ModifyResourceTags,"
    " GetService = COS GET Service)",
    "api_calls:unthrottled": "4b. API calls per registry and operation, no rate limit (no throttled retries)",
    "state": "5. state size (pulumi stack export)",
    "provider_field": "5. the __provider field",
    "cold_start": "6. provider cold start (median)",
    "targets": "targets",
}


def print_tables(results: dict[str, Any]) -> None:
    for key, text in report.tables(results).items():
        print(f"\n{TITLES.get(key, key)}\n{text}")
    for note in results["notes"]:
        print(f"note: {note}")
    print(f"\nelapsed: {results['elapsed_seconds']:.0f} s")


def write(results: dict[str, Any], output: Path) -> None:
    output.mkdir(parents=True, exist_ok=True)
    (output / "benchmarks.json").write_text(json.dumps(results, indent=2, sort_keys=False) + "\n")
    print(f"wrote {output / 'benchmarks.json'}")
    try:
        report.plot(results, output / "benchmarks.png")
        print(f"wrote {output / 'benchmarks.png'}")
    except ImportError:
        print("matplotlib is not installed: no plot (`make bench` installs it: pip install -e '.[bench]')")


if __name__ == "__main__":
    sys.exit(main())
