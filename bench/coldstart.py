"""Provider cold start: `python -m pulumi.dynamic` from process start to its first answered Check.

The bench speaks gRPC to the server as the engine does: it waits for the port line, sends Configure with the
stack config, then a Check of an existing resource whose `__provider` is the serialized provider. That Check
unpickles the provider (importing its module), configures it and checks the inputs; for an unchanged name our
provider makes no API call (the bench verifies that against the emulator's request counts).
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import struct_pb2
from pulumi.dynamic.dynamic import serialize_provider
from pulumi.runtime import rpc
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc

from tcr_provider import InstanceProvider
from tcr_provider.testing import REGION, EmulatorProcess, provider_config


@dataclass
class ColdStart:
    port_seconds: float  # process start to the port line (the gRPC server is up)
    first_call_seconds: float  # process start to the first Check answered (Configure and Check included)


@dataclass(frozen=True)
class Subject:
    """What the server is asked to load: a serialized provider and the inputs of one resource."""

    label: str
    type_token: str
    provider: str  # the `__provider` value, as stored in state
    inputs: dict[str, Any]
    import_dir: Path  # the program directory: the server's cwd, so the provider's module is importable


def subjects(tcr_dir: Path, floor_dir: Path) -> list[Subject]:
    """Our provider and the floor, each with the program directory of its bench project."""
    sys.path.insert(0, str(floor_dir))
    try:
        import bench_noop
    finally:
        sys.path.remove(str(floor_dir))
    return [
        Subject(
            "tcr_provider.InstanceProvider",
            "pulumi-python:dynamic/tcr:Instance",
            serialize_provider(InstanceProvider()),
            {"name": "cold-start-001", "region": REGION, "instanceType": "basic", "tags": {"bench": "a"}},
            tcr_dir,
        ),
        Subject(
            "floor (bench_noop.NoopProvider)",
            "pulumi-python:dynamic/bench:Noop",
            serialize_provider(bench_noop.NoopProvider()),
            {"name": "cold-start-001", "instanceType": "basic", "tags": {"bench": "a"}},
            floor_dir,
        ),
    ]


def _struct(props: dict[str, Any]) -> struct_pb2.Struct:
    return asyncio.run(rpc.serialize_properties(props, {}))


def measure_once(subject: Subject, emulator: EmulatorProcess, base_env: dict[str, str]) -> ColdStart:
    """One cold start; the server gets `base_env` without credentials (they come with Configure)."""
    env = {k: v for k, v in base_env.items() if not k.startswith(("TENCENTCLOUD_", "PULUMI_"))}
    configure = provider_pb2.ConfigureRequest(args=_struct(provider_config(emulator)))
    check = provider_pb2.CheckRequest(
        urn=f"urn:pulumi:bench::bench::{subject.type_token}::r000",
        olds=_struct(subject.inputs),
        news=_struct({**subject.inputs, "__provider": subject.provider}),
    )
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-u", "-m", "pulumi.dynamic"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        cwd=subject.import_dir,
        env=env,
    )
    try:
        assert process.stdout is not None
        port = int(process.stdout.readline().decode().strip())
        port_seconds = time.monotonic() - started
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            stub = provider_pb2_grpc.ResourceProviderStub(channel)
            stub.Configure(configure)
            response = stub.Check(check)
            first_call_seconds = time.monotonic() - started
        if list(response.failures):
            raise RuntimeError(f"{subject.label}: the cold-start Check failed: {list(response.failures)}")
    finally:
        process.terminate()
        process.wait(timeout=10)
    return ColdStart(port_seconds, first_call_seconds)
