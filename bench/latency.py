"""Detection latency and polling load: N concurrent `InstanceProvider.create()` calls in this process.

The emulator runs in its own process. Each creation's moment of Running is taken as the moment just before
its (last, successful) CreateInstance request left this process, plus the emulator's create time T: the
emulator starts its clock when it handles the request, a little later, so the true Running moment is at or
after this estimate and the latency measured is an upper bound.
"""

from __future__ import annotations

import contextlib
import io
import threading
import time
from dataclasses import dataclass
from typing import Any

from tcr_provider.testing import REGION, EmulatorProcess, configured_provider, provider_config


@dataclass
class LatencyResult:
    n: int
    create_seconds: float
    latencies: list[float]  # seconds from (estimated) Running to create() returning, one per registry
    describe_calls: int  # DescribeInstances received by the emulator during the run
    describe_peak_per_second: int  # most DescribeInstances sent in any one-second window
    create_calls: int  # CreateInstance received (throttled attempts included)
    other_calls: dict[str, int]
    wall_seconds: float  # first create() call to the last return
    wait_seconds: float  # from the first CreateInstance sent to the last create() return
    create_offsets: list[float]  # when each (successful) CreateInstance was sent, from the first one
    describe_offsets: list[float]  # when each DescribeInstances was sent, from the first CreateInstance


class _RecordingClient:
    """Wraps an SDK client: notes when each CreateInstance / DescribeInstances request is sent."""

    def __init__(self, client: Any, sent: dict[str, float], describes: list[float], lock: threading.Lock) -> None:
        self._client = client
        self._sent = sent
        self._describes = describes
        self._lock = lock

    def __getattr__(self, action: str) -> Any:
        method = getattr(self._client, action)
        if action not in ("CreateInstance", "DescribeInstances"):
            return method

        def recorded(request: Any) -> Any:
            now = time.monotonic()
            with self._lock:
                if action == "CreateInstance":
                    self._sent[request.RegistryName] = now  # a retried attempt overwrites the throttled one
                else:
                    self._describes.append(now)
            return method(request)

        return recorded


def measure(emulator: EmulatorProcess, n: int) -> LatencyResult:
    """Create N registries at once with one provider (as one `pulumi up` does) and time their detection."""
    emulator.control.reset()
    provider = configured_provider(provider_config(emulator))
    sent: dict[str, float] = {}
    describes: list[float] = []
    lock = threading.Lock()
    # The per-thread SDK client factory every call goes through: the transport's `client`; before the transport
    # existed (older revisions, `bench/run.py --code`), the facade's `_client`.
    cloud = provider.cloud
    holder, factory = (cloud.transport, "client") if hasattr(cloud, "transport") else (cloud, "_client")
    make_client = getattr(holder, factory)

    def recording_client(service: str, region: str) -> Any:
        return _RecordingClient(make_client(service, region), sent, describes, lock)

    setattr(holder, factory, recording_client)

    names = [f"lat-{n:03d}-{i:03d}" for i in range(n)]
    returned: dict[str, float] = {}
    errors: list[BaseException] = []
    barrier = threading.Barrier(n + 1)

    def create(name: str) -> None:
        barrier.wait()
        try:
            provider.create({"name": name, "region": REGION})
            returned[name] = time.monotonic()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=create, args=(name,), daemon=True) for name in names]
    # The provider reports progress on stderr, as the engine shows it during `pulumi up`: not wanted here.
    with contextlib.redirect_stderr(io.StringIO()):
        for thread in threads:
            thread.start()
        barrier.wait()
        started = time.monotonic()
        for thread in threads:
            thread.join(timeout=emulator.create_seconds + 300)
    if errors or len(returned) != n:
        raise RuntimeError(f"latency run with N={n}: {len(returned)} of {n} creations returned; errors: {errors[:3]}")
    finished = max(returned.values())
    counts = emulator.control.request_counts()
    first_sent = min(sent.values())
    return LatencyResult(
        n=n,
        create_seconds=emulator.create_seconds,
        latencies=[returned[name] - (sent[name] + emulator.create_seconds) for name in names],
        describe_calls=counts.get("DescribeInstances", 0),
        describe_peak_per_second=_peak_per_second(describes),
        create_calls=counts.get("CreateInstance", 0),
        other_calls={k: v for k, v in counts.items() if k not in ("DescribeInstances", "CreateInstance")},
        wall_seconds=finished - started,
        wait_seconds=finished - first_sent,
        create_offsets=sorted(moment - first_sent for moment in sent.values()),
        describe_offsets=[moment - first_sent for moment in sorted(describes)],
    )


def _peak_per_second(moments: list[float]) -> int:
    """The most events in any one-second window."""
    ordered = sorted(moments)
    peak = 0
    start = 0
    for end, moment in enumerate(ordered):
        while ordered[start] <= moment - 1.0:
            start += 1
        peak = max(peak, end - start + 1)
    return peak
