"""The real Pulumi CLI, offline: finding it, its environment, and a stack driven through it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import yaml  # type: ignore[import-untyped]

INSTANCE_TYPE = "pulumi-python:dynamic/tcr:Instance"
# Every type token of the provider starts so: a Stack given it sees the steps and state of all of them.
ANY_TCR_TYPE = "pulumi-python:dynamic/tcr:"
# The commands that run the engine, and so can record its steps with --event-log.
ENGINE_COMMANDS = ("up", "preview", "refresh", "destroy")


class PulumiNotFound(RuntimeError):
    pass


class PulumiCommandError(RuntimeError):
    pass


def find_cli() -> Path:
    """The directory of the Pulumi CLI: TCR_PULUMI_BIN, else the one of `pulumi` on PATH."""
    configured = os.environ.get("TCR_PULUMI_BIN")
    if configured and (Path(configured) / "pulumi").exists():
        return Path(configured)
    found = shutil.which("pulumi")
    if found:
        return Path(found).parent
    raise PulumiNotFound(
        "the Pulumi CLI was not found: set TCR_PULUMI_BIN to the directory that holds `pulumi`, or put `pulumi` on "
        "PATH (in a checkout of tcr-provider, scripts/ensure-pulumi.sh builds it and prints that directory)"
    )


def pulumi_env(
    cli_dir: Path,
    home: Path,
    endpoint_url: str,
    *,
    passphrase: str,
    credentials: tuple[str, str] | None = None,
    inherit: bool = True,
) -> dict[str, str]:
    """The environment in which `pulumi` runs offline against the emulator at `endpoint_url`.

    `home` holds the file backend (`home/state`, created here) and PULUMI_HOME (`home/pulumi-home`). The CLI
    neither checks for updates nor downloads plugins, and runs programs with this Python. `credentials`
    (SecretId, SecretKey) go into the environment; without them the stack config has to hold them.
    `inherit`: the current environment without its TENCENTCLOUD_* and PULUMI_* variables (a stack sees only
    the settings given here) plus these; otherwise only these variables, to set on top of another environment.
    """
    state = home / "state"
    state.mkdir(parents=True, exist_ok=True)
    python = Path(sys.executable)
    variables = {
        "PATH": os.pathsep.join([str(cli_dir), str(python.parent), os.environ.get("PATH", "")]),
        "PULUMI_HOME": str(home / "pulumi-home"),
        "PULUMI_BACKEND_URL": f"file://{state}",
        "PULUMI_CONFIG_PASSPHRASE": passphrase,
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
        "PULUMI_PYTHON_CMD": str(python),
        "TENCENTCLOUD_ENDPOINT_URL": endpoint_url,
    }
    if credentials is not None:
        variables["TENCENTCLOUD_SECRET_ID"], variables["TENCENTCLOUD_SECRET_KEY"] = credentials
    if not inherit:
        return variables
    kept = {k: v for k, v in os.environ.items() if not k.startswith(("TENCENTCLOUD_", "PULUMI_"))}
    return {**kept, **variables}


class Step(NamedTuple):
    """One step of the engine on a resource: `op` is create, update, same, delete-replaced, ..."""

    op: str
    urn: str


@dataclass
class Run:
    """One `pulumi` command: how it ended, what it printed, how long it took and what the engine did."""

    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    steps: list[Step]  # on the stack's resource type, in the order they started (engine commands only)

    @property
    def printed(self) -> str:
        """Everything the command printed: its stdout, then its stderr."""
        return self.stdout + self.stderr


class Stack:
    """One stack of a project, driven through the `pulumi` command line as a user drives it.

    `transcript` holds everything the CLI printed, bar `--show-secrets` output, to check that no secret leaked.
    """

    def __init__(
        self,
        project: Path,
        env: Mapping[str, str],
        name: str,
        resource_type: str = INSTANCE_TYPE,
        timeout: float = 300,
    ) -> None:
        self.project = project
        # --event-log is one of the CLI's debug commands.
        self.env = {**env, "PULUMI_DEBUG_COMMANDS": "true"}
        self.name = name
        self.resource_type = resource_type
        self.timeout = timeout
        self.transcript: list[str] = []
        self._logs = 0

    def run(self, *args: str, check: bool = True, timeout: float | None = None) -> Run:
        """`pulumi ARGS` on this stack; unless `check` is false, raise with the CLI's output if it fails."""
        command = ["pulumi", *args, "--stack", self.name, "--non-interactive", "--color", "never"]
        log = None
        if args[0] in ENGINE_COMMANDS:
            self._logs += 1
            log = self.project / f"events-{self.name}-{self._logs}.jsonl"
            command += ["--event-log", str(log)]
        started = time.monotonic()
        result = subprocess.run(
            command, cwd=self.project, env=self.env, capture_output=True, text=True, timeout=timeout or self.timeout
        )
        seconds = time.monotonic() - started
        if "--show-secrets" not in args:
            self.transcript += [result.stdout, result.stderr]
        if check and result.returncode != 0:
            raise PulumiCommandError(
                f"pulumi {' '.join(args)} failed ({result.returncode})\n{result.stdout}\n{result.stderr}"
            )
        return Run(args, result.returncode, result.stdout, result.stderr, seconds, self._steps(log))

    def _steps(self, log: Path | None) -> list[Step]:
        if log is None or not log.exists():
            return []
        steps = []
        for line in log.read_text().splitlines():
            pre = json.loads(line).get("resourcePreEvent")
            if pre and self._tracks(pre["metadata"]["type"]):
                steps.append(Step(pre["metadata"]["op"], pre["metadata"]["urn"]))
        log.unlink()
        return steps

    def init(self, **config: Any) -> None:
        """Create the stack, with `config` as in `configure`."""
        self.run("stack", "init")
        if config:
            self.configure(**config)

    def configure(self, **config: Any) -> None:
        """Set the project's config values in the stack file, as a user edits it (other values stay)."""
        project = yaml.safe_load((self.project / "Pulumi.yaml").read_text())
        path = self.project / project.get("stackConfigDir", ".") / f"Pulumi.{self.name}.yaml"
        document = (yaml.safe_load(path.read_text()) if path.exists() else None) or {}
        values = document.setdefault("config", {})
        values.update({f"{project['name']}:{key}": value for key, value in config.items()})
        path.write_text(yaml.safe_dump(document, sort_keys=False))

    def up(self, *extra: str) -> list[Step]:
        """`pulumi up` without a preview; returns the engine's steps, in the order they started."""
        return self.run("up", "--yes", "--skip-preview", *extra).steps

    def outputs(self) -> dict[str, Any]:
        outputs: dict[str, Any] = json.loads(self.run("stack", "output", "--json").stdout)
        return outputs

    def export(self, *extra: str) -> str:
        return self.run("stack", "export", *extra).stdout

    def resources(self) -> list[dict[str, Any]]:
        """The state's resources of the stack's resource type, secrets shown."""
        deployment = json.loads(self.export("--show-secrets"))["deployment"]
        return [r for r in deployment.get("resources", []) if self._tracks(r["type"])]

    def _tracks(self, resource_type: str) -> bool:
        # A type token ending in ':' stands for every type it starts.
        if self.resource_type.endswith(":"):
            return resource_type.startswith(self.resource_type)
        return resource_type == self.resource_type

    def tracked_ids(self) -> list[str]:
        return [r["id"] for r in self.resources()]

    def remove(self) -> None:
        """Remove the stack and its state, whatever it still holds."""
        self.run("stack", "rm", "--yes", "--force", check=False)
