"""A harness for working offline: the emulator, the provider pointed at it, and the real Pulumi CLI.

The project's tests, benchmarks and demo use it; so can a program's own tests::

    from tcr_provider.emulator import Emulator
    from tcr_provider.testing import EmulatorControl, Stack, find_cli, pulumi_env

    with Emulator(create_seconds=0) as emu:
        env = pulumi_env(find_cli(), tmp_dir, emu.endpoint_url, passphrase="local",
                         credentials=(emu.secret_id, emu.secret_key))
        stack = Stack(project_dir, env, "dev")
        stack.init()
        steps = stack.up()
        assert EmulatorControl(emu.endpoint_url).instances()

- `EmulatorControl`: the emulator's state, reset and fault rules; `wait_until` polls for a condition.
- `EmulatorProcess`: the emulator in a process of its own; `stop_process` stops any server process.
- `provider_config`, `configured_provider`: an `InstanceProvider` pointed at an emulator; `sdk_call` changes
  something behind the provider's back, with the real SDK.
- `find_cli`, `pulumi_env`, `Stack`: the `pulumi` command on a local file backend.
"""

from .cli import (
    ANY_TCR_TYPE,
    INSTANCE_TYPE,
    PulumiCommandError,
    PulumiNotFound,
    Run,
    Stack,
    Step,
    find_cli,
    pulumi_env,
)
from .emulator import (
    REGION,
    EmulatorControl,
    EmulatorEndpoint,
    EmulatorProcess,
    configured_provider,
    provider_config,
    sdk_call,
    stop_process,
    wait_until,
)

__all__ = [
    "ANY_TCR_TYPE",
    "INSTANCE_TYPE",
    "REGION",
    "EmulatorControl",
    "EmulatorEndpoint",
    "EmulatorProcess",
    "PulumiCommandError",
    "PulumiNotFound",
    "Run",
    "Stack",
    "Step",
    "configured_provider",
    "find_cli",
    "provider_config",
    "pulumi_env",
    "sdk_call",
    "stop_process",
    "wait_until",
]
