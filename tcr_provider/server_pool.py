"""Let the dynamic provider server run many calls at once instead of its fixed 4.

`python -m pulumi.dynamic` serves gRPC from a `ThreadPoolExecutor(max_workers=4)`, so a fifth creation that
waits minutes for Running would queue behind the first four whatever `--parallel` says. This package is
imported in that process (when the first `__provider` is unpickled), after the server started; the
executor grows its pool on demand up to `_max_workers`, which is raised here. Only that process is touched,
only with a Pulumi SDK of the range this was verified with, and only when exactly one executor of the
server's size is found. Otherwise nothing is changed and a warning says so (tests/engine fail on it).
"""

from __future__ import annotations

import gc
import importlib.metadata
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

# The pulumi SDK versions whose `pulumi/dynamic/__main__.py` builds its server as described above.
VERIFIED_PULUMI = ((3, 200), (4, 0))
SERVER_POOL_SIZE = 4
DYNAMIC_SERVER_MODULE = "pulumi.dynamic.__main__"


@dataclass(frozen=True)
class Widening:
    applied: bool
    detail: str


def _pulumi_version() -> tuple[int, int]:
    major, minor, *_ = importlib.metadata.version("pulumi").split(".")
    return int(major), int(minor)


def in_dynamic_server() -> bool:
    main = sys.modules.get("__main__")
    return getattr(getattr(main, "__spec__", None), "name", None) == DYNAMIC_SERVER_MODULE


def widen(threads: int) -> Widening:
    """Raise the dynamic provider server's pool to `threads`, if this is that server and it is as verified."""
    if not in_dynamic_server():
        return Widening(False, "not running in the dynamic provider server")
    version = _pulumi_version()
    low, high = VERIFIED_PULUMI
    if not low <= version < high:
        return _not_widened(f"pulumi {version[0]}.{version[1]} is outside the verified range")
    pools = [
        candidate
        for candidate in gc.get_objects()
        if isinstance(candidate, ThreadPoolExecutor) and candidate._max_workers == SERVER_POOL_SIZE
    ]
    if len(pools) != 1:
        return _not_widened(f"found {len(pools)} executors of {SERVER_POOL_SIZE} threads, expected exactly one")
    pool = pools[0]
    pool._max_workers = max(threads, SERVER_POOL_SIZE)
    # The pool adds a thread only when work is submitted: calls that queued up behind the first four
    # (a `destroy` sends all its deletes at once) get threads of their own through empty tasks.
    for _ in range(pool._work_queue.qsize()):
        pool.submit(lambda: None)
    return Widening(True, f"{threads} threads")


def _not_widened(why: str) -> Widening:
    print(
        f"tcr: warning: {__name__} did not widen the dynamic provider server's pool of {SERVER_POOL_SIZE} "
        f"threads ({why}); at most {SERVER_POOL_SIZE} operations run at once",
        file=sys.stderr,
        flush=True,
    )
    return Widening(False, why)
