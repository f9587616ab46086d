"""Adjustments to the dynamic provider server (`python -m pulumi.dynamic`) this provider runs in.

This package is imported in that process (when the first `__provider` is unpickled), after the server started.
Only that process is touched, only with a Pulumi SDK of the range this was verified with, and only when its
internals are found as described below; otherwise nothing is changed and a warning naming this module says
so (tests/engine fail on it).

- `widen`: the server serves gRPC from a `ThreadPoolExecutor(max_workers=4)`, so a fifth creation that waits
  minutes for Running would queue behind the first four whatever `--parallel` says. The executor grows its
  pool on demand up to `_max_workers`, which is raised here.
- `hook_interrupts`: the server's `Cancel` does nothing, and a SIGINT stops it at once, dropping a create in
  flight. Both are made to set `INTERRUPTED`, which ends every wait and retry of the provider within a
  second or so (see cloud/watcher.py and cloud/transport.py).
- `watch_engine`: the server never notices that its engine is gone, and an orphan would go on waiting for
  the create timeout; a watcher thread exits the process instead.
- `plain_errors`: the server answers every exception with its Python traceback as the error's text, so a
  refusal a user expects (deletion protection, a namespace holding images) arrived inside 20 to 40 lines of
  traceback. An error this provider raises on purpose (`errors.ProviderError`) is answered with its message
  alone; anything else, a bug, keeps its traceback.
"""

from __future__ import annotations

import contextlib
import gc
import importlib.metadata
import os
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# The pulumi SDK versions whose `pulumi/dynamic/__main__.py` builds its server as described above.
VERIFIED_PULUMI = ((3, 200), (4, 0))
SERVER_POOL_SIZE = 4
DYNAMIC_SERVER_MODULE = "pulumi.dynamic.__main__"
PROVIDER_SERVICE = "pulumirpc.ResourceProvider"
CANCEL_METHOD = f"/{PROVIDER_SERVICE}/Cancel"
# After a SIGINT, how long the calls in flight get to answer (their waits end at once) before the server stops.
INTERRUPT_GRACE_SECONDS = 5.0
# How often the watcher looks for the engine: an orphaned provider exits within about this.
ENGINE_CHECK_SECONDS = 0.5
# The CLI starts a Python dynamic provider through a shell script of this name, which stays its parent.
PLUGIN_LAUNCHER_PREFIX = "pulumi-resource-"
PROC = Path("/proc")

# Set when the engine cancels the operation (Ctrl-C on the CLI) or this process gets SIGINT. Never cleared:
# after it the engine starts nothing more in this process.
INTERRUPTED = threading.Event()


@dataclass(frozen=True)
class Adjustment:
    """Whether an adjustment was made to the server, and how (or why not)."""

    applied: bool
    detail: str


def _verified_pulumi() -> str | None:
    """Why the installed Pulumi SDK is not one this module was verified with, or None if it is."""
    version = _pulumi_version()
    low, high = VERIFIED_PULUMI
    return None if low <= version < high else f"pulumi {version[0]}.{version[1]} is outside the verified range"


def _pulumi_version() -> tuple[int, int]:
    major, minor, *_ = importlib.metadata.version("pulumi").split(".")
    return int(major), int(minor)


def in_dynamic_server() -> bool:
    main = sys.modules.get("__main__")
    return getattr(getattr(main, "__spec__", None), "name", None) == DYNAMIC_SERVER_MODULE


_scanned: dict[str, list[Any]] | None = None


def _server_objects() -> dict[str, list[Any]]:
    """The server's thread pools, gRPC servers and service handlers, found in one pass over the heap (a pass
    costs about 10 ms, and every command pays it)."""
    global _scanned
    if _scanned is None:
        import grpc

        kinds: dict[str, type] = {
            "pools": ThreadPoolExecutor,
            "servers": grpc.Server,
            "services": grpc.ServiceRpcHandler,
        }
        wanted = tuple(kinds.values())
        hits = [candidate for candidate in gc.get_objects() if isinstance(candidate, wanted)]
        _scanned = {name: [hit for hit in hits if isinstance(hit, kind)] for name, kind in kinds.items()}
    return _scanned


def prepare(threads: int) -> None:
    """Every adjustment, once per process, and only in the dynamic provider server."""
    global _prepared
    if _prepared or not in_dynamic_server():
        return
    _prepared = True
    widen(threads)
    hook_interrupts()
    plain_errors()
    watch_engine()


_prepared = False


def widen(threads: int) -> Adjustment:
    """Raise the dynamic provider server's pool to `threads`, if this is that server and it is as verified."""
    if not in_dynamic_server():
        return Adjustment(False, "not running in the dynamic provider server")
    unverified = _verified_pulumi()
    if unverified:
        return _not_widened(unverified)
    pools = [pool for pool in _server_objects()["pools"] if pool._max_workers == SERVER_POOL_SIZE]
    if len(pools) != 1:
        return _not_widened(f"found {len(pools)} executors of {SERVER_POOL_SIZE} threads, expected exactly one")
    pool = pools[0]
    pool._max_workers = max(threads, SERVER_POOL_SIZE)
    # The pool adds a thread only when work is submitted: calls that queued up behind the first four
    # (a `destroy` sends all its deletes at once) get threads of their own through empty tasks.
    for _ in range(pool._work_queue.qsize()):
        pool.submit(lambda: None)
    return Adjustment(True, f"{threads} threads")


def _not_widened(why: str) -> Adjustment:
    _warn(
        f"{__name__} did not widen the dynamic provider server's pool of {SERVER_POOL_SIZE} threads ({why}); "
        f"at most {SERVER_POOL_SIZE} operations run at once"
    )
    return Adjustment(False, why)


def _warn(message: str) -> None:
    # Once the engine, which reads stderr, is gone, writing to it fails.
    with contextlib.suppress(OSError, ValueError):
        print(f"tcr: warning: {message}", file=sys.stderr, flush=True)


# --- interrupts ---------------------------------------------------------------------------------------------
_hooked = threading.Lock()


def hook_interrupts() -> Adjustment:
    """Make the engine's Cancel RPC, and a SIGINT to this process, set INTERRUPTED.

    The engine calls Cancel when the CLI gets Ctrl-C (and again when it shuts the provider down, harmlessly).
    A SIGINT cannot be handled with `signal.signal` here: this runs in a worker thread, and only the main
    thread may set handlers. The server's main thread turns SIGINT into a KeyboardInterrupt and answers it
    with `server.stop(0)`, so that `stop` is what is wrapped: it sets the interrupt and gives the calls in
    flight INTERRUPT_GRACE_SECONDS to answer, so that a create reports the instance it bought.
    """
    if not in_dynamic_server():
        return Adjustment(False, "not running in the dynamic provider server")
    if not _hooked.acquire(blocking=False):
        return Adjustment(False, "already hooked")
    unverified = _verified_pulumi()
    if unverified:
        return _not_hooked(unverified)
    objects = _server_objects()
    servers = objects["servers"]
    services = [o for o in objects["services"] if o.service_name() == PROVIDER_SERVICE]
    if len(servers) != 1 or len(services) != 1:
        found = f"{len(servers)} gRPC servers and {len(services)} provider services"
        return _not_hooked(f"found {found}, expected one each")
    handlers = getattr(services[0], "_method_handlers", None)
    cancel = handlers.get(CANCEL_METHOD) if isinstance(handlers, dict) else None
    if cancel is None or not callable(getattr(cancel, "unary_unary", None)) or not hasattr(cancel, "_replace"):
        return _not_hooked(f"the provider service has no {CANCEL_METHOD} handler of the expected kind")
    if signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        return _not_hooked("SIGINT is not turned into KeyboardInterrupt in the server's main thread")
    assert isinstance(handlers, dict)
    handlers[CANCEL_METHOD] = cancel._replace(unary_unary=_cancelling(cancel.unary_unary))
    server = servers[0]
    setattr(server, "stop", _stopping_after_interrupt(server.stop))  # noqa: B010 (mypy refuses an assignment to a method)
    return Adjustment(True, "Cancel and SIGINT set the interrupt")


# --- errors ---------------------------------------------------------------------------------------------------
LIFECYCLE_METHODS = ("Check", "Diff", "Create", "Read", "Update", "Delete")
_plain = threading.Lock()


def plain_errors() -> Adjustment:
    """Answer a ProviderError with its message alone, and any other exception with its traceback, as before.

    Each lifecycle handler of the server is its servicer's method wrapped by `_abort_with_traceback`, whose
    closure holds the method itself: that method is served again, wrapped here instead.
    """
    if not in_dynamic_server():
        return Adjustment(False, "not running in the dynamic provider server")
    if not _plain.acquire(blocking=False):
        return Adjustment(False, "already done")
    unverified = _verified_pulumi()
    if unverified:
        return _not_plain(unverified)
    services = [o for o in _server_objects()["services"] if o.service_name() == PROVIDER_SERVICE]
    handlers = getattr(services[0], "_method_handlers", None) if len(services) == 1 else None
    if not isinstance(handlers, dict):
        return _not_plain("found no provider service with method handlers")
    replaced: dict[str, Any] = {}
    for method in LIFECYCLE_METHODS:
        key = f"/{PROVIDER_SERVICE}/{method}"
        handler = handlers.get(key)
        bound = getattr(handler, "unary_unary", None)
        servicer, wrapper = getattr(bound, "__self__", None), getattr(bound, "__func__", None)
        cells = getattr(wrapper, "__closure__", None) or ()
        served = [c.cell_contents for c in cells if getattr(c.cell_contents, "__name__", None) == method]
        if handler is None or servicer is None or len(served) != 1 or not hasattr(handler, "_replace"):
            return _not_plain(f"the {method} handler is not the traceback-wrapped servicer method expected")
        replaced[key] = handler._replace(unary_unary=_answering_plainly(served[0], servicer))
    handlers.update(replaced)
    return Adjustment(True, "provider errors are answered with their message")


def _answering_plainly(method: Callable[..., Any], servicer: Any) -> Callable[[Any, Any], Any]:
    import grpc

    from .errors import ProviderError

    def answer(request: Any, context: Any) -> Any:
        try:
            return method(servicer, request, context)
        except ProviderError as exc:
            context.abort(grpc.StatusCode.UNKNOWN, str(exc))
        except Exception:
            context.abort(grpc.StatusCode.UNKNOWN, traceback.format_exc())

    return answer


def _not_plain(why: str) -> Adjustment:
    _warn(f"{__name__} left the server's error answers as they are ({why}): errors arrive with tracebacks")
    return Adjustment(False, why)


def _cancelling(cancel: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    def cancel_waits(request: Any, context: Any) -> Any:
        INTERRUPTED.set()
        return cancel(request, context)

    return cancel_waits


def _stopping_after_interrupt(
    stop: Callable[[float | None], threading.Event],
) -> Callable[[float | None], threading.Event]:
    def stop_after_interrupt(grace: float | None) -> threading.Event:
        # Silently: the CLI also sends SIGINT when it shuts its plugins down at the end of every run.
        INTERRUPTED.set()
        stopped = stop(max(grace or 0.0, INTERRUPT_GRACE_SECONDS))
        # The answers in flight go out first.
        stopped.wait(INTERRUPT_GRACE_SECONDS + 1)
        # The server's main() would return now and the interpreter tear down every module (the SDK's too),
        # while the engine waits for this process to end: nothing is left to clean up, so end it now.
        with contextlib.suppress(OSError, ValueError):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(0)

    return stop_after_interrupt


def _not_hooked(why: str) -> Adjustment:
    _warn(
        f"{__name__} did not hook Ctrl-C into the dynamic provider server ({why}); an interrupted `pulumi up` "
        "waits for the operations in flight"
    )
    return Adjustment(False, why)


# --- the engine's lifetime ----------------------------------------------------------------------------------
def watch_engine(interval: float = ENGINE_CHECK_SECONDS) -> threading.Thread | None:
    """Start a daemon thread that exits this process once the engine that started it is gone.

    The engine is the parent, or, when the parent is the CLI's launcher script (which survives the CLI), the
    launcher's parent. A process is gone when it no longer exists, is a zombie, or its pid now names a
    process started at another time; the parent also when this process is given another one. Where there
    is no /proc, only the parent is watched.
    """
    if not in_dynamic_server():
        return None
    parent = os.getppid()
    watched = {parent: _started(parent)}
    if _is_plugin_launcher(parent):
        engine = _parent_of(parent)
        if engine is not None:
            watched[engine] = _started(engine)
    thread = threading.Thread(
        target=_exit_when_orphaned, args=(parent, watched, interval), name="tcr-engine-watch", daemon=True
    )
    thread.start()
    return thread


def _exit_when_orphaned(parent: int, watched: dict[int, str | None], interval: float) -> None:
    while True:
        time.sleep(interval)
        gone = [pid for pid, started in watched.items() if not _alive(pid, started)]
        if os.getppid() != parent or gone:
            _warn(
                f"the Pulumi engine that started this provider (pid {', '.join(map(str, gone or [parent]))}) is "
                "gone: exiting. An instance being created carries its resource's ownership marker: the next "
                "`pulumi up` takes it over"
            )
            # No cleanup, no thread joins: the operations in flight have no one to answer to.
            os._exit(1)


def _stat(pid: int) -> list[str] | None:
    """The fields of /proc/PID/stat after the command name (state, ppid, ...), or None if there is none."""
    try:
        return (PROC / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def _started(pid: int) -> str | None:
    stat = _stat(pid)
    return stat[19] if stat is not None and len(stat) > 19 else None


def _parent_of(pid: int) -> int | None:
    stat = _stat(pid)
    return int(stat[1]) if stat is not None else None


def _is_plugin_launcher(pid: int) -> bool:
    try:
        arguments = (PROC / str(pid) / "cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return any(Path(os.fsdecode(argument)).name.startswith(PLUGIN_LAUNCHER_PREFIX) for argument in arguments[:3])


def _alive(pid: int, started: str | None) -> bool:
    if not (PROC / "self" / "stat").exists():
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            pass
        return True
    stat = _stat(pid)
    if stat is None or stat[0] in ("Z", "X"):
        return False
    return started is None or _started(pid) == started
