"""What the benchmarks run against: the emulator in its own process, and stacks driven by the real Pulumi CLI.

Both come from the harness in tcr_provider.testing; this module adds what only the bench needs. Every stack
lives in a temporary directory (a copy of a project from bench/projects, a file backend, its own PULUMI_HOME);
the caller removes that directory at the end. Importing this module imports tcr_provider, so run.py imports it
only once `snapshot_code` has chosen the code to measure.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

import tcr_provider
from tcr_provider.testing import REGION, EmulatorProcess, PulumiNotFound, Stack, pulumi_env
from tcr_provider.testing import find_cli as find_pulumi

__all__ = ["REGION", "EmulatorProcess", "Stack", "Timeline", "Workspace", "find_cli"]

HERE = Path(__file__).resolve().parent
PROJECTS = HERE / "projects"
PASSPHRASE = "bench-passphrase"


def find_cli() -> Path:
    """The directory of the Pulumi CLI: TCR_PULUMI_BIN (set by `make bench`), else `pulumi` on PATH."""
    try:
        return find_pulumi()
    except PulumiNotFound as error:
        raise SystemExit(f"bench needs the Pulumi CLI (`make bench` builds it): {error}") from None


class Timeline:
    """Samples the emulator's state every `period` seconds while a command runs (`with Timeline(emu) as t:`).

    The control endpoint is not an API action: sampling adds no request to the counts.
    """

    def __init__(self, emulator: EmulatorProcess, period: float = 0.1) -> None:
        self.control = emulator.control
        self.period = period
        self.samples: list[tuple[float, Counter[str], Counter[str]]] = []  # (seconds, requests, statuses)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, name="bench-timeline", daemon=True)
        self._started = 0.0

    def __enter__(self) -> Timeline:
        self._started = time.monotonic()
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        while not self._stop.is_set():
            state = self.control.state()
            statuses = Counter(i["Status"] for i in state["instances"])
            self.samples.append((time.monotonic() - self._started, Counter(state["requests"]), statuses))
            self._stop.wait(self.period)

    def first(self, holds: Callable[[Counter[str], Counter[str]], bool]) -> float | None:
        """Seconds from the start to the first sample where `holds(requests, statuses)`."""
        return next((t for t, requests, statuses in self.samples if holds(requests, statuses)), None)


class Workspace:
    """A temporary directory holding the bench projects, their file backend and PULUMI_HOME."""

    def __init__(self, base: Path, cli_dir: Path, emulator: EmulatorProcess, pycache: Path) -> None:
        self.base = base
        # Credentials and endpoint from the environment: the stack files hold only the bench's values.
        env = pulumi_env(
            cli_dir,
            base,
            emulator.endpoint_url,
            passphrase=PASSPHRASE,
            credentials=(emulator.secret_id, emulator.secret_key),
        )
        # Bytecode is cached as on a developer's machine (this sandbox sets PYTHONDONTWRITEBYTECODE), but in
        # the temporary directory, not in the checkout. `warm_up` fills that cache before anything is timed.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        # Programs and providers import tcr_provider from where this process did: the code under measurement.
        code_dir = str(Path(tcr_provider.__file__).parent.parent)
        env.update(
            {
                "PYTHONPYCACHEPREFIX": str(pycache),
                "PYTHONPATH": os.pathsep.join(p for p in (code_dir, env.get("PYTHONPATH", "")) if p),
                "TENCENTCLOUD_REGION": REGION,
            }
        )
        self.env = env

    def project(self, kind: str) -> Path:
        """A copy of bench/projects/KIND (made once per workspace)."""
        target = self.base / kind
        if not target.exists():
            shutil.copytree(PROJECTS / kind, target, ignore=shutil.ignore_patterns("__pycache__"))
        return target

    def stack(self, kind: str, name: str) -> Stack:
        resource_type = {
            "tcr": "pulumi-python:dynamic/tcr:Instance",
            "floor": "pulumi-python:dynamic/bench:Noop",
        }[kind]
        return Stack(self.project(kind), self.env, name, resource_type, timeout=900)

    def warm_up(self) -> None:
        """One preview of a one-resource stack of each project: fills the bytecode cache and the file cache."""
        for kind in ("tcr", "floor"):
            stack = self.stack(kind, "warm-up")
            stack.init(count=1, prefix=f"warm-up-{kind}")
            stack.run("preview")
            stack.remove()
