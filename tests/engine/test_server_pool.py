"""The adjustments of the dynamic provider server (its thread pool, its Cancel and SIGINT) still apply to the
installed Pulumi SDK."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

import grpc
from pulumi.dynamic.dynamic import serialize_provider
from pulumi.runtime import rpc
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc

from tcr_provider import InstanceProvider, server_pool


def test_the_dynamic_provider_server_is_still_the_one_the_widening_was_verified_with() -> None:
    env = {k: v for k, v in os.environ.items() if k != "TCR_PROVIDER_THREADS"}
    process = subprocess.Popen(
        [sys.executable, "-u", "-m", "pulumi.dynamic"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
    )
    try:
        assert process.stdout is not None
        port = int(process.stdout.readline().decode().strip())
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            stub = provider_pb2_grpc.ResourceProviderStub(channel)
            # Unpickling `__provider` is what imports tcr_provider in that process, as under `pulumi up`.
            news = asyncio.run(
                rpc.serialize_properties(
                    {"name": "team-apps", "__provider": serialize_provider(InstanceProvider())}, {}
                )
            )
            stub.Check(provider_pb2.CheckRequest(urn="urn:pulumi:dev::p::t::apps", news=news))
    finally:
        process.terminate()
        _, stderr = process.communicate(timeout=30)
    assert server_pool.__name__ not in stderr.decode(), (
        f"{server_pool.__file__} no longer adjusts the dynamic provider server (its thread pool, Cancel and SIGINT) "
        f"with this Pulumi SDK: read pulumi/dynamic/__main__.py and adapt the module.\n{stderr.decode()}"
    )
