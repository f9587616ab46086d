"""A `pulumi` command run in the background, to interrupt it as a user would and see what it leaves behind.

The process tree is read from /proc, so this is for Linux. The CLI starts each plugin (the language host, the
dynamic provider) in a process group of its own: Ctrl-C in a terminal, which signals the foreground process
group, reaches the CLI alone, and so does `interrupt` here.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path
from types import TracebackType

from .cli import Run, Stack
from .emulator import wait_until

PROC = Path("/proc")
DYNAMIC_PROVIDER = "-m pulumi.dynamic"


def _stat(pid: int) -> list[str] | None:
    """The fields of /proc/PID/stat after the command name (state, ppid, ...), or None if there is none."""
    try:
        return (PROC / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def command_line(pid: int) -> str:
    try:
        return (PROC / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return ""


def alive(pid: int) -> bool:
    """Whether the process exists and has not exited (a zombie, not yet reaped by its parent, has)."""
    stat = _stat(pid)
    return stat is not None and stat[0] not in ("Z", "X")


def descendants(pid: int) -> dict[int, str]:
    """The processes below `pid`, each with its command line."""
    parents: dict[int, list[int]] = {}
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            stat = _stat(int(entry.name))
            if stat is not None:
                parents.setdefault(int(stat[1]), []).append(int(entry.name))
    found: dict[int, str] = {}
    pending = list(parents.get(pid, []))
    while pending:
        child = pending.pop()
        found[child] = command_line(child)
        pending += parents.get(child, [])
    return found


class Background:
    """A `pulumi` command on a stack, running in a session of its own (see `start`).

    Its output goes to files, read by `finish`. Leaving the `with` block kills whatever is left of it: the CLI
    and every process it was seen to start.
    """

    def __init__(self, stack: Stack, args: tuple[str, ...]) -> None:
        self.stack = stack
        self.args = args
        self._out = stack.project / f"background-{os.getpid()}-{time.monotonic_ns()}.out"
        self._err = self._out.with_suffix(".err")
        command = ["pulumi", *args, "--stack", stack.name, "--non-interactive", "--color", "never"]
        with self._out.open("w") as out, self._err.open("w") as err:
            self.process = subprocess.Popen(
                command, cwd=stack.project, env=stack.env, stdout=out, stderr=err, start_new_session=True
            )
        self.started = time.monotonic()
        self.seen: dict[int, str] = {}

    @property
    def pid(self) -> int:
        return self.process.pid

    def processes(self) -> dict[int, str]:
        """The processes the CLI runs now; each is remembered, to be killed at the end if still there."""
        found = descendants(self.pid)
        self.seen.update(found)
        return found

    def provider(self, timeout: float = 30) -> int:
        """The pid of the dynamic provider process (`python -m pulumi.dynamic`) the CLI started."""

        def find() -> int | None:
            return next((pid for pid, line in self.processes().items() if DYNAMIC_PROVIDER in line), None)

        pid = wait_until(find, timeout=timeout, what="the dynamic provider process")
        assert pid is not None
        return pid

    def interrupt(self) -> None:
        """Ctrl-C: SIGINT to the CLI's process group, as a terminal sends it to its foreground group."""
        self.processes()
        os.killpg(self.pid, signal.SIGINT)

    def kill(self) -> None:
        """SIGKILL to the CLI alone, as `kill -9` or the OOM killer; the CLI is reaped, so it is gone at once."""
        self.processes()
        self.process.kill()
        self.process.wait()

    def finish(self, timeout: float) -> Run:
        """Wait for the CLI to exit (TimeoutError after `timeout` seconds) and return what it did."""
        try:
            returncode = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise TimeoutError(f"pulumi {' '.join(self.args)} still runs {timeout:g}s on") from None
        seconds = time.monotonic() - self.started
        stdout, stderr = self._out.read_text(), self._err.read_text()
        self.stack.transcript += [stdout, stderr]
        return Run(self.args, returncode, stdout, stderr, seconds, [])

    def __enter__(self) -> Background:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        if self.process.poll() is None:
            self.kill()
        for pid, line in self.seen.items():
            # Only a process that still runs the same command: its pid was not reused since.
            if alive(pid) and command_line(pid) == line:
                os.kill(pid, signal.SIGKILL)


def start(stack: Stack, *args: str) -> Background:
    """Start `pulumi ARGS` on `stack` in the background, in a session (and process group) of its own."""
    return Background(stack, args)
