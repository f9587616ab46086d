"""What the benchmarks run against: the emulator in its own process, and stacks driven by the real Pulumi CLI.

Every stack lives in a temporary directory (a copy of a project from bench/projects, a file backend, its own
PULUMI_HOME); the caller removes that directory at the end.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PROJECTS = HERE / "projects"

SECRET_ID = "AKIDBENCHMARK"
SECRET_KEY = "bench-secret-key"
REGION = "ap-guangzhou"
PASSPHRASE = "bench-passphrase"

# Where the processes the bench starts import tcr_provider from: the checkout, or the copy `snapshot_code` made.
CODE_DIR = ROOT


def snapshot_code(base: Path, revision: str | None = None) -> Path:
    """Copy tcr_provider/ into `base` and import it from there, in this process and in every one the bench starts.

    Others may edit the provider while the bench runs; every measurement of one run then sees the same code.
    `revision` takes tcr_provider/ from that git revision instead of the work tree (to compare versions).
    Call it before anything imports tcr_provider.
    """
    global CODE_DIR
    if "tcr_provider" in sys.modules:
        raise RuntimeError("snapshot_code() must run before tcr_provider is imported")
    target = base / "code"
    if revision is None:
        shutil.copytree(ROOT / "tcr_provider", target / "tcr_provider", ignore=shutil.ignore_patterns("__pycache__"))
    else:
        target.mkdir(parents=True)
        archive = subprocess.run(
            ["git", "archive", "--format=tar", revision, "tcr_provider"], cwd=ROOT, capture_output=True, check=True
        )
        subprocess.run(["tar", "-x", "-C", str(target)], input=archive.stdout, check=True)
    CODE_DIR = target
    sys.path.insert(0, str(target))
    return target


# Calls that change something in the cloud: a no-change preview or up must make none of them.
WRITE_ACTIONS = ("CreateInstance", "ModifyInstance", "ModifyResourceTags", "DeleteInstance")


def find_cli() -> Path:
    """The directory of the Pulumi CLI: TCR_PULUMI_BIN (set by `make bench`), else `pulumi` on PATH."""
    configured = os.environ.get("TCR_PULUMI_BIN")
    if configured and (Path(configured) / "pulumi").exists():
        return Path(configured)
    found = shutil.which("pulumi")
    if found:
        return Path(found).parent
    raise SystemExit(
        "bench: the Pulumi CLI was not found: run `make bench` (it builds the CLI with scripts/ensure-pulumi.sh), "
        "or set TCR_PULUMI_BIN to the directory that holds `pulumi`"
    )


def cli_version(cli_dir: Path) -> str:
    result = subprocess.run([str(cli_dir / "pulumi"), "version"], capture_output=True, text=True, check=False)
    return result.stdout.strip() or "unknown"


class EmulatorProcess:
    """`python -m tcr_provider.emulator` in a process of its own, so that it never competes for our GIL."""

    def __init__(
        self,
        *,
        create_seconds: float,
        delete_seconds: float = 1.0,
        modify_seconds: float = 1.0,
        rate_limit: int = 20,
    ) -> None:
        self.create_seconds = create_seconds
        self.delete_seconds = delete_seconds
        self.rate_limit = rate_limit
        self.args = [
            "--create-seconds", str(create_seconds),
            "--delete-seconds", str(delete_seconds),
            "--modify-seconds", str(modify_seconds),
            "--rate-limit", str(rate_limit),
            "--secret-id", SECRET_ID,
            "--secret-key", SECRET_KEY,
        ]  # fmt: skip
        self.endpoint_url = ""
        self._process: subprocess.Popen[str] | None = None

    def start(self) -> EmulatorProcess:
        process = subprocess.Popen(
            [sys.executable, "-m", "tcr_provider.emulator", "--port", "0", *self.args],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            cwd=CODE_DIR,  # `python -m` imports from its working directory first
        )
        self._process = process
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        prefix = "tcr-emulator listening on "
        if not line.startswith(prefix):
            self.stop()
            raise RuntimeError(f"the emulator did not start (it printed {line!r})")
        self.endpoint_url = line.removeprefix(prefix)
        return self

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def __enter__(self) -> EmulatorProcess:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()

    def _control(self, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"{self.endpoint_url}/_emulator/{path}", data=data)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request, timeout=10) as answer:
            raw = answer.read()
        return json.loads(raw) if raw else None

    def requests(self) -> Counter[str]:
        """Every API request received so far, by action (throttled and failed ones included)."""
        return Counter(self._control("state")["requests"])

    def instance_count(self) -> int:
        return len(self._control("state")["instances"])

    def snapshot(self) -> tuple[Counter[str], Counter[str]]:
        """(requests by action, instances by status)."""
        state = self._control("state")
        return Counter(state["requests"]), Counter(i["Status"] for i in state["instances"])

    def reset(self) -> None:
        self._control("reset", {})

    def provider_config(self) -> dict[str, str]:
        """Stack-config keys that point a provider at this emulator."""
        return {
            "tencentcloud:secretId": SECRET_ID,
            "tencentcloud:secretKey": SECRET_KEY,
            "tencentcloud:region": REGION,
            "tcr:endpointUrl": self.endpoint_url,
        }


class Timeline:
    """Samples the emulator's state every `period` seconds while a command runs (`with Timeline(emu) as t:`).

    The control endpoint is not an API action: sampling adds no request to the counts.
    """

    def __init__(self, emulator: EmulatorProcess, period: float = 0.1) -> None:
        self.emulator = emulator
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
            requests, statuses = self.emulator.snapshot()
            self.samples.append((time.monotonic() - self._started, requests, statuses))
            self._stop.wait(self.period)

    def first(self, holds: Callable[[Counter[str], Counter[str]], bool]) -> float | None:
        """Seconds from the start to the first sample where `holds(requests, statuses)`."""
        return next((t for t, requests, statuses in self.samples if holds(requests, statuses)), None)


@dataclass
class Run:
    """One CLI command: how long it took and what the engine did (from --event-log)."""

    seconds: float
    steps: Counter[str] = field(default_factory=Counter)  # engine step op -> count, for our resource type


class Stack:
    """One stack of a copy of a bench project, driven through the `pulumi` command line."""

    def __init__(self, project: Path, env: dict[str, str], name: str, resource_type: str) -> None:
        self.project = project
        self.env = env
        self.name = name
        self.resource_type = resource_type
        self._logs = 0

    def run(self, *args: str, timeout: float = 900) -> Run:
        """Run `pulumi ARGS` on this stack; raise with the CLI's output if it fails."""
        self._logs += 1
        log = self.project / f"events-{self.name}-{self._logs}.jsonl"
        logged = args[0] in ("up", "preview", "refresh", "destroy")
        command = ["pulumi", *args, "--stack", self.name, "--non-interactive", "--color", "never"]
        if logged:
            command += ["--event-log", str(log)]
        started = time.monotonic()
        result = subprocess.run(
            command, cwd=self.project, env=self.env, capture_output=True, text=True, timeout=timeout
        )
        seconds = time.monotonic() - started
        if result.returncode != 0:
            raise RuntimeError(
                f"pulumi {' '.join(args)} failed ({result.returncode})\n{result.stdout}\n{result.stderr}"
            )
        steps: Counter[str] = Counter()
        if logged and log.exists():
            for line in log.read_text().splitlines():
                pre = json.loads(line).get("resourcePreEvent")
                if pre and pre["metadata"]["type"] == self.resource_type:
                    steps[pre["metadata"]["op"]] += 1
            log.unlink()
        return Run(seconds, steps)

    def init(self, **config: Any) -> None:
        subprocess.run(
            ["pulumi", "stack", "init", self.name, "--non-interactive"],
            cwd=self.project, env=self.env, capture_output=True, text=True, check=True,
        )  # fmt: skip
        self.configure(**config)

    def configure(self, **config: Any) -> None:
        """Set project config values in the stack file, as a user edits it."""
        path = self.project / f"Pulumi.{self.name}.yaml"
        document = (yaml.safe_load(path.read_text()) if path.exists() else None) or {}
        project_name = yaml.safe_load((self.project / "Pulumi.yaml").read_text())["name"]
        values = document.setdefault("config", {})
        values.update({f"{project_name}:{key}": value for key, value in config.items()})
        path.write_text(yaml.safe_dump(document, sort_keys=False))

    def export(self) -> dict[str, Any]:
        result = subprocess.run(
            ["pulumi", "stack", "export", "--stack", self.name],
            cwd=self.project, env=self.env, capture_output=True, text=True, check=True,
        )  # fmt: skip
        document: dict[str, Any] = json.loads(result.stdout)
        document["_bytes"] = len(result.stdout.encode())
        return document

    def remove(self) -> None:
        subprocess.run(
            ["pulumi", "stack", "rm", self.name, "--yes", "--force", "--non-interactive"],
            cwd=self.project, env=self.env, capture_output=True, text=True, check=False,
        )  # fmt: skip


class Workspace:
    """A temporary directory holding the bench projects, their file backend and PULUMI_HOME."""

    def __init__(self, base: Path, cli_dir: Path, emulator: EmulatorProcess, pycache: Path) -> None:
        self.base = base
        state = base / "state"
        state.mkdir(parents=True)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TENCENTCLOUD_", "PULUMI_"))}
        # Bytecode is cached as on a developer's machine (this sandbox sets PYTHONDONTWRITEBYTECODE), but in
        # the temporary directory, not in the checkout. `warm_up` fills that cache before anything is timed.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env.update(
            {
                "PYTHONPYCACHEPREFIX": str(pycache),
                "PYTHONPATH": os.pathsep.join(p for p in (str(CODE_DIR), env.get("PYTHONPATH", "")) if p),
                "PATH": f"{cli_dir}{os.pathsep}{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
                "PULUMI_HOME": str(base / "pulumi-home"),
                "PULUMI_BACKEND_URL": f"file://{state}",
                "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
                "PULUMI_SKIP_UPDATE_CHECK": "true",
                "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
                "PULUMI_PYTHON_CMD": sys.executable,
                "PULUMI_DEBUG_COMMANDS": "true",  # enables --event-log
                # Credentials and endpoint from the environment: the stack files hold only the bench's values.
                "TENCENTCLOUD_SECRET_ID": SECRET_ID,
                "TENCENTCLOUD_SECRET_KEY": SECRET_KEY,
                "TENCENTCLOUD_REGION": REGION,
                "TENCENTCLOUD_ENDPOINT_URL": emulator.endpoint_url,
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
        return Stack(self.project(kind), self.env, name, resource_type)

    def warm_up(self) -> None:
        """One preview of a one-resource stack of each project: fills the bytecode cache and the file cache."""
        for kind in ("tcr", "floor"):
            stack = self.stack(kind, "warm-up")
            stack.init(count=1, prefix=f"warm-up-{kind}")
            stack.run("preview")
            stack.remove()
