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
- `buy_out_of_band`, `buy_running_out_of_band`, `retag_out_of_band`, `modify_out_of_band`, `delete_out_of_band`:
  the usual changes behind the provider's back; those the emulator takes time over are waited for.
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
from .out_of_band import (
    buy_out_of_band,
    buy_running_out_of_band,
    delete_out_of_band,
    modify_out_of_band,
    retag_out_of_band,
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
    "buy_out_of_band",
    "buy_running_out_of_band",
    "configured_provider",
    "delete_out_of_band",
    "find_cli",
    "modify_out_of_band",
    "provider_config",
    "pulumi_env",
    "retag_out_of_band",
    "sdk_call",
    "stop_process",
    "wait_until",
]
