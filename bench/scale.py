"""Scale: S stacks x N registries in one project, and `tcr-drift` over all of them (docs/benchmarks.md).

Run by `make bench-scale`, or directly:

    .venv/bin/python bench/scale.py [--stacks 20] [--registries 50] [--parallel 4,1,8] [--rate-limit 20] ...

Against the TCR emulator in its own process, with the real Pulumi CLI on one file backend in a temporary
directory: one copy of bench/projects/tcr holds every stack. The stacks are created one after the other
(`pulumi up --parallel N`), then `tcr-drift --stacks-file ... --parallel P --format json` runs over all of them
once for each P, then every stack is destroyed. For each drift run it prints the wall time and the API calls the
emulator received (its request counts before and after; throttled attempts included), and how the
DescribeInstances calls split into listings of the region and calls by registry id. It measures; it asserts
nothing beyond "no drift was found and nothing failed". The temporary directory is removed and the emulator
stopped however the run ends; `--output FILE` also writes every number as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

import report
from run import log, machine, provider_code, snapshot_code

if TYPE_CHECKING:  # these import tcr_provider: only after snapshot_code() (see main)
    from harness import EmulatorProcess, Stack, Workspace

STARTED = time.monotonic()


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    def counts(text: str) -> list[int]:
        values = list(dict.fromkeys(int(part) for part in text.split(",") if part.strip()))
        if not values or min(values) < 1:
            raise argparse.ArgumentTypeError("give positive numbers, e.g. 4,1,8")
        return values

    parser = argparse.ArgumentParser(
        prog="bench/scale.py",
        description="S stacks x N registries against the TCR emulator, and a tcr-drift run over all of them.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--stacks", type=int, default=20, help="stacks S, all in one project directory")
    parser.add_argument("--registries", type=int, default=50, help="registries N per stack")
    parser.add_argument(
        "--parallel", type=counts, default=[4, 1, 8], help="tcr-drift --parallel values, one drift run each, in order"
    )
    parser.add_argument("--create-seconds", type=float, default=1.0, help="emulator: time for an instance to run")
    parser.add_argument("--delete-seconds", type=float, default=1.0, help="emulator: time for an instance to go")
    parser.add_argument(
        "--rate-limit", type=int, default=20, help="emulator: requests/s per action and SecretId (0: off)"
    )
    parser.add_argument(
        "--sample-seconds", type=float, default=0.5, help="how often the request counts are sampled during a drift run"
    )
    parser.add_argument("--output", type=Path, default=None, help="also write the results as JSON there")
    return parser.parse_args(argv)


class Sampler:
    """The emulator's request counts every `period` seconds while a command runs (control endpoint: no API call)."""

    def __init__(self, emulator: EmulatorProcess, period: float) -> None:
        self.control = emulator.control
        self.period = period
        self.samples: list[tuple[float, Counter[str]]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="scale-sampler", daemon=True)
        self._started = 0.0

    def __enter__(self) -> Sampler:
        self._started = time.monotonic()
        if self.period > 0:
            self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            counts = self.control.request_counts()
            self.samples.append((time.monotonic() - self._started, counts))
            self._stop.wait(self.period)

    def peak(self, action: str, window: float = 1.0) -> int:
        """The most `action` requests between two samples at most `window` seconds apart (a lower bound of the
        true peak in any one-second window; sampled, not exact)."""
        best = 0
        for i, (t0, c0) in enumerate(self.samples):
            for t1, c1 in self.samples[i + 1 :]:
                if t1 - t0 > window + 1e-6:
                    break
                best = max(best, c1[action] - c0[action])
        return best


def describe_kinds(calls: list[dict[str, Any]]) -> dict[str, int]:
    """DescribeInstances calls (their parameters) by kind: a page of a region listing, or a call naming ids."""
    kinds: Counter[str] = Counter()
    for params in calls:
        ids = params.get("Registryids") or []
        if ids:
            kinds["by id: 1 registry" if len(ids) == 1 else "by id: 2-100 registries"] += 1
            kinds["ids asked"] += len(ids)
        else:
            kinds["listing pages"] += 1
            kinds["first pages"] += int(params.get("Offset", 0) == 0)  # a listing's start, or one sent again
    return dict(kinds)


def timed(stack: Stack, emulator: EmulatorProcess, *command: str) -> dict[str, Any]:
    before = emulator.control.request_counts()
    run = stack.run(*command)
    return {"seconds": run.seconds, "calls": dict(emulator.control.request_counts() - before)}


def each_stack(
    what: str, stacks: list[Stack], emulator: EmulatorProcess, command: tuple[str, ...], expected: int
) -> dict[str, Any]:
    """`pulumi COMMAND` on every stack, one after the other; wall time and calls in all."""
    started = time.monotonic()
    runs = []
    for i, stack in enumerate(stacks):
        log(f"{what} {i + 1}/{len(stacks)}: {stack.name} (pulumi {' '.join(command)})")
        runs.append(timed(stack, emulator, *command))
    seconds = time.monotonic() - started
    total: Counter[str] = Counter()
    for run in runs:
        total.update(run["calls"])
    instances = len(emulator.control.instances())
    if instances != expected:
        raise RuntimeError(f"after {what}: {instances} instances in the emulator, expected {expected}")
    return {
        "seconds": seconds,
        "per_stack_seconds": [run["seconds"] for run in runs],
        "calls": dict(total),
    }


def drift_run(
    args: argparse.Namespace, workspace: Workspace, emulator: EmulatorProcess, stacks_file: Path, parallel: int
) -> dict[str, Any]:
    """One `tcr-drift` over every stack of the stacks file, at `--parallel parallel`."""
    script = Path(sys.executable).parent / "tcr-drift"
    program = [str(script)] if script.exists() else [sys.executable, "-m", "tcr_provider.drift"]
    command = [*program, "--stacks-file", str(stacks_file), "--parallel", str(parallel), "--format", "json"]
    log(f"tcr-drift over {args.stacks} stacks, --parallel {parallel}")
    before = emulator.control.request_counts()
    with Sampler(emulator, args.sample_seconds) as sampler:
        started = time.monotonic()
        result = subprocess.run(
            command, cwd=stacks_file.parent, env=workspace.env, capture_output=True, text=True, timeout=1800
        )
        seconds = time.monotonic() - started
    calls = emulator.control.request_counts() - before
    if result.returncode != 0:
        raise RuntimeError(f"tcr-drift exited {result.returncode}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    document = json.loads(result.stdout)
    describes = calls.get("DescribeInstances", 0)
    # The emulator keeps the parameters of its latest calls: when the drift run made only DescribeInstances
    # calls and no more than are kept, the last `describes` of them are exactly the run's.
    recent = emulator.control.sent("DescribeInstances")
    only_reads = sum(calls.values()) == describes and 0 < describes <= len(recent)
    kinds = describe_kinds(recent[-describes:]) if only_reads else {}
    per_stack = [stack["seconds"] for stack in document["stacks"]]
    return {
        "parallel": parallel,
        "seconds": seconds,
        "exit_code": result.returncode,
        "summary": document["summary"],
        "registries": sum(stack["registries"] or 0 for stack in document["stacks"]),
        "stack_seconds_median": report.median(per_stack),
        "stack_seconds_max": max(per_stack),
        "calls": dict(calls),
        "describe_kinds": kinds,
        "describe_per_second": describes / seconds,
        "describe_peak_sampled": sampler.peak("DescribeInstances"),
        "sample_seconds": args.sample_seconds,
    }


def measure(args: argparse.Namespace, cli_dir: Path, base: Path, results: dict[str, Any]) -> None:
    from harness import EmulatorProcess, Workspace

    total = args.stacks * args.registries
    with EmulatorProcess(
        create_seconds=args.create_seconds, delete_seconds=args.delete_seconds, rate_limit=args.rate_limit
    ) as emulator:
        workspace = Workspace(base / "scale", cli_dir, emulator, base / "pycache")
        stacks = [workspace.stack("tcr", f"s{i:02d}") for i in range(args.stacks)]
        created: list[Stack] = []
        try:
            for i, stack in enumerate(stacks):
                stack.init(count=args.registries, prefix=f"scale-s{i:02d}")
                created.append(stack)
            up = ("up", "--yes", "--skip-preview", "--parallel", str(args.registries))
            results["create"] = each_stack("create", stacks, emulator, up, total)
            stacks_file = base / "scale" / "stacks.txt"
            stacks_file.write_text(f"tcr {' '.join(stack.name for stack in stacks)}\n")
            results["drift"] = []
            for parallel in args.parallel:
                results["drift"].append(drift_run(args, workspace, emulator, stacks_file, parallel))
                summary = results["drift"][-1]["summary"]
                if summary["stacks"] != args.stacks or summary["resourcesDrifted"] or summary["stacksFailed"]:
                    raise RuntimeError(f"tcr-drift found drift or failed: {summary}")
            destroy = ("destroy", "--yes", "--skip-preview", "--parallel", str(args.registries))
            results["destroy"] = each_stack("destroy", stacks, emulator, destroy, 0)
        finally:
            left = len(emulator.control.instances())
            if left:
                log(f"{left} registries left: destroying every stack")
                for stack in created:
                    stack.run("destroy", "--yes", "--skip-preview", "--parallel", str(args.registries), check=False)
            for stack in created:
                stack.remove()


def calls_text(calls: dict[str, int]) -> str:
    return ", ".join(f"{action} {count}" for action, count in sorted(calls.items())) or "none"


def tables(results: dict[str, Any]) -> dict[str, str]:
    settings = results["settings"]
    out = {}
    out["create and destroy"] = report.table(
        ["phase", "stacks", "registries", "wall time (s)", "per stack (median s)", "API calls by action"],
        [
            [
                phase, settings["stacks"], settings["stacks"] * settings["registries"], results[phase]["seconds"],
                report.median(results[phase]["per_stack_seconds"]), calls_text(results[phase]["calls"]),
            ]
            for phase in ("create", "destroy")
            if phase in results
        ],
    )  # fmt: skip
    out["tcr-drift"] = report.table(
        [
            "--parallel", "wall time (s)", "per stack (median / max s)", "registries read", "API calls by action",
            "DescribeInstances per stack",
            "DescribeInstances: listing pages (at Offset 0)", "by id: 1 / 2-100 registries", "Describe/s (average)",
            "most in a sampled 1 s",
        ],
        [
            [
                r["parallel"], r["seconds"], f"{r['stack_seconds_median']:.1f} / {r['stack_seconds_max']:.1f}",
                r["registries"], calls_text(r["calls"]),
                r["calls"].get("DescribeInstances", 0) / max(1, r["summary"]["stacks"]),
                f"{r['describe_kinds'].get('listing pages', 0)} ({r['describe_kinds'].get('first pages', 0)})",
                f"{r['describe_kinds'].get('by id: 1 registry', 0)} / "
                f"{r['describe_kinds'].get('by id: 2-100 registries', 0)}",
                r["describe_per_second"], r["describe_peak_sampled"],
            ]
            for r in results.get("drift", [])
        ],
    )  # fmt: skip
    return out


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    base = Path(tempfile.mkdtemp(prefix="tcr-scale-"))
    try:
        code_dir = snapshot_code(base)
        from harness import find_cli  # the first import of tcr_provider: from the copy

        cli_dir = find_cli()
        results: dict[str, Any] = {
            "command": "bench/scale.py " + " ".join(argv if argv is not None else sys.argv[1:]),
            "machine": machine(cli_dir),
            "provider_code": provider_code(code_dir),
            "settings": {
                "stacks": args.stacks,
                "registries": args.registries,
                "parallel": args.parallel,
                "create_seconds": args.create_seconds,
                "delete_seconds": args.delete_seconds,
                "rate_limit": args.rate_limit,
            },
        }
        log(f"machine: {results['machine']['summary']}; provider code {results['provider_code']}")
        measure(args, cli_dir, base, results)
    finally:
        shutil.rmtree(base, ignore_errors=True)
    results["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    results["elapsed_seconds"] = time.monotonic() - STARTED
    limit = f"{args.rate_limit}/s per action and SecretId" if args.rate_limit else "off"
    print(
        f"\n{args.stacks} stacks x {args.registries} registries; emulator T = {args.create_seconds:g} s, "
        f"D = {args.delete_seconds:g} s, rate limit {limit}"
    )
    for title, text in tables(results).items():
        print(f"\n{title}\n{text}")
    print(f"\nelapsed: {results['elapsed_seconds']:.0f} s")
    if args.output is not None:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(json.dumps(results, indent=2) + "\n")
        print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
