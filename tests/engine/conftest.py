"""What the engine suites share: an `Engine` that speaks to the dynamic provider server as the Pulumi engine
does, and the server itself (`python -m pulumi.dynamic`), configured for an emulator."""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import struct_pb2
from pulumi.dynamic.dynamic import serialize_provider
from pulumi.runtime import rpc
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc

from tcr_provider import InstanceProvider
from tcr_provider.emulator import Emulator
from tcr_provider.testing import provider_config

TYPE = "pulumi-python:dynamic/tcr:Instance"
PROVIDER = serialize_provider(InstanceProvider())


def urn(name: str) -> str:
    return f"urn:pulumi:dev::tcr-registries::{TYPE}::{name}"


def struct(props: dict[str, Any]) -> struct_pb2.Struct:
    return asyncio.run(rpc.serialize_properties(props, {}))


def plain(value: struct_pb2.Struct) -> dict[str, Any]:
    result: dict[str, Any] = rpc.deserialize_properties(value, keep_unknowns=True)
    return result


class Engine:
    """Speaks to the dynamic provider server the way the Pulumi engine does."""

    def __init__(self, stub: provider_pb2_grpc.ResourceProviderStub) -> None:
        self.stub = stub

    def check(self, name: str, olds: dict[str, Any], news: dict[str, Any]) -> provider_pb2.CheckResponse:
        return self.stub.Check(
            provider_pb2.CheckRequest(urn=urn(name), olds=struct(olds), news=struct({**news, "__provider": PROVIDER}))
        )

    def checked(self, name: str, olds: dict[str, Any], news: dict[str, Any]) -> dict[str, Any]:
        response = self.check(name, olds, news)
        assert list(response.failures) == []
        return plain(response.inputs)

    def diff(self, name: str, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> provider_pb2.DiffResponse:
        return self.stub.Diff(provider_pb2.DiffRequest(id=id_, urn=urn(name), olds=struct(olds), news=struct(news)))

    def create(self, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        response = self.stub.Create(provider_pb2.CreateRequest(urn=urn(name), properties=struct(inputs)))
        return response.id, plain(response.properties)

    def read(
        self, name: str, id_: str, properties: dict[str, Any], inputs: dict[str, Any] | None = None
    ) -> provider_pb2.ReadResponse:
        return self.stub.Read(
            provider_pb2.ReadRequest(id=id_, urn=urn(name), properties=struct(properties), inputs=struct(inputs or {}))
        )

    def update(self, name: str, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> dict[str, Any]:
        response = self.stub.Update(
            provider_pb2.UpdateRequest(id=id_, urn=urn(name), olds=struct(olds), news=struct(news))
        )
        return plain(response.properties)

    def delete(self, name: str, id_: str, properties: dict[str, Any]) -> None:
        self.stub.Delete(provider_pb2.DeleteRequest(id=id_, urn=urn(name), properties=struct(properties)))

    def up(self, name: str, news: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        """A new resource in `pulumi up`: Check, then Create."""
        return self.create(name, self.checked(name, {}, news))


SERVER = (sys.executable, "-u", "-m", "pulumi.dynamic")


@contextlib.contextmanager
def dynamic_server(
    emulator: Emulator, command: Sequence[str] = SERVER, log: Path | None = None
) -> Iterator[tuple[subprocess.Popen[bytes], Engine]]:
    """A new provider server, started by `command` (it prints its port), that has served no call but Configure
    for `emulator`; its stderr goes to `log` if given. It is stopped at the end (it must stop within 10s)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TENCENTCLOUD_")}
    with log.open("wb") if log is not None else contextlib.nullcontext() as stderr:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=stderr, env=env)
    try:
        assert process.stdout is not None
        port = int(process.stdout.readline().decode().strip())
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            stub = provider_pb2_grpc.ResourceProviderStub(channel)
            stub.Configure(provider_pb2.ConfigureRequest(args=struct(provider_config(emulator))))
            yield process, Engine(stub)
    finally:
        if process.poll() is None:
            process.terminate()
        process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()
