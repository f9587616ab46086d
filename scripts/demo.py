"""The main job: a real `pulumi up` of the dev stack against the local TCR emulator.

`make demo` runs `demo.py up`: it makes the Pulumi CLI available, starts the emulator in the background
(or reuses the one a previous run started), keeps Pulumi's state in a file backend under .demo/, runs
`pulumi up`, shows the outputs, checks for drift, and says how to go on. `make demo-down` runs
`demo.py down`: `pulumi destroy`, then stops the emulator.
"""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

from tcr_provider.testing import EmulatorControl, EmulatorProcess, pulumi_env

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / ".demo"
EMULATOR_FILE = DEMO / "emulator.json"
EMULATOR_LOG = DEMO / "emulator.log"
ENV_FILE = DEMO / "env.sh"
STACK = "dev"
CLUSTER_STACK = "cluster"
PASSPHRASE = "tcr-provider-demo"  # encrypts secrets in the demo's local state only


def step(text: str) -> None:
    bold, plain = ("\033[1m", "\033[0m") if sys.stdout.isatty() else ("", "")
    print(f"\n{bold}==> {text}{plain}", flush=True)


def ensure_cli() -> Path:
    step("Pulumi CLI")
    found = subprocess.run([str(ROOT / "scripts" / "ensure-pulumi.sh")], check=True, stdout=subprocess.PIPE, text=True)
    return Path(found.stdout.strip().splitlines()[-1])


def demo_emulator() -> EmulatorProcess:
    """The demo's emulator. It always starts with these settings, so they hold (credentials included) for the one
    a previous run left running. Detached, it keeps running after this script, so `pulumi` can be used by hand.
    """
    return EmulatorProcess(create_seconds=4, log=EMULATOR_LOG, detached=True)


def ensure_emulator(emulator: EmulatorProcess) -> str:
    """The URL of the demo's emulator: the one a previous run started, else `emulator`, started now."""
    step("TCR API emulator")
    if EMULATOR_FILE.exists():
        known = json.loads(EMULATOR_FILE.read_text())
        if EmulatorControl(known["url"]).alive():
            print(f"reusing the emulator at {known['url']} (pid {known['pid']})")
            return str(known["url"])
    try:
        emulator.start()
    except RuntimeError as error:
        sys.exit(str(error))
    EMULATOR_FILE.write_text(json.dumps({"url": emulator.endpoint_url, "pid": emulator.pid}))
    print(f"started the emulator at {emulator.endpoint_url} (pid {emulator.pid}, log {EMULATOR_LOG.relative_to(ROOT)})")
    return emulator.endpoint_url


def demo_env(cli: Path, url: str, emulator: EmulatorProcess) -> dict[str, str]:
    """What `pulumi` needs on top of the user's environment (and what .demo/env.sh exports)."""
    credentials = (emulator.secret_id, emulator.secret_key)
    return pulumi_env(cli, DEMO, url, passphrase=PASSPHRASE, credentials=credentials, inherit=False)


def pulumi(env: dict[str, str], *args: str, check: bool = True) -> int:
    print(f"$ pulumi {' '.join(args)}", flush=True)
    result = subprocess.run(["pulumi", *args], cwd=ROOT, env={**os.environ, **env})
    if check and result.returncode != 0:
        sys.exit(f"pulumi {args[0]} failed (exit {result.returncode})")
    return result.returncode


def write_env_file(env: dict[str, str]) -> None:
    lines = [f"export {key}={shlex.quote(value)}" for key, value in env.items()]
    header = "# Source this file to run pulumi by hand against the demo emulator.\n"
    ENV_FILE.write_text(header + "\n".join(lines) + "\n")


def up() -> None:
    DEMO.mkdir(exist_ok=True)
    cli = ensure_cli()
    emulator = demo_emulator()
    url = ensure_emulator(emulator)
    env = demo_env(cli, url, emulator)
    write_env_file(env)
    os.environ["PATH"] = env["PATH"]

    step(f"stack {STACK} (state in {(DEMO / 'state').relative_to(ROOT)}/)")
    pulumi(env, "stack", "select", "--create", STACK)
    step("pulumi up: create the registries declared in stacks/Pulumi.dev.yaml")
    # --refresh: when the emulator was restarted since the last run, its registries are gone and get
    # created again.
    pulumi(env, "up", "--yes", "--refresh", "--skip-preview")
    step("outputs")
    pulumi(env, "stack", "output", "--json")
    step("drift check: the program, the state and the (emulated) cloud agree")
    pulumi(env, "preview", "--expect-no-changes")
    pulumi(env, "refresh", "--preview-only", "--expect-no-changes")

    cluster_registry(env, url)

    rel = ENV_FILE.relative_to(ROOT)
    print(
        f"""
Done. The emulator keeps running at {url}.
Go on by hand:
  source {rel}
  pulumi stack output                                # what was exported
  edit stacks/Pulumi.dev.yaml, then pulumi preview   # see a change before it happens
  pulumi refresh --preview-only --expect-no-changes  # drift detection
  pulumi stack select {CLUSTER_STACK}                        # the registry next to a cluster
Tear down (destroys the registries, then stops the emulator):
  make demo-down"""
    )


def cluster_registry(env: dict[str, str], url: str) -> None:
    """The cluster stack: a ClusterRegistry, and its pull secret logging in to the registry."""
    step(f"stack {CLUSTER_STACK}: a registry wired to a cluster (stacks/Pulumi.{CLUSTER_STACK}.yaml)")
    pulumi(env, "stack", "select", "--create", CLUSTER_STACK)
    pulumi(env, "up", "--yes", "--refresh", "--skip-preview")
    pulumi(env, "stack", "output", "--json")
    step("the pull secret (.dockerconfigjson) logs in to the registry, as a kubelet would")
    shown = subprocess.run(
        ["pulumi", "stack", "output", "--json", "--show-secrets"],
        cwd=ROOT,
        env={**os.environ, **env},
        check=True,
        capture_output=True,
        text=True,
    )
    for name, exported in json.loads(shown.stdout).items():
        auths = json.loads(exported["dockerConfigJson"])["auths"]
        for server, entry in auths.items():
            status = registry_login(url, server, entry["auth"])
            # The emulator's shortcut: the real registry answers GET /v2/ with a Bearer challenge and grants a
            # token per repository scope; this shows only that the credentials are a live token of the registry.
            print(f"{name}: the secret's credentials against the emulator's Basic check of {server} -> HTTP {status}")
            if status != 200:
                sys.exit("the pull secret was refused")
    pulumi(env, "refresh", "--preview-only", "--expect-no-changes")
    pulumi(env, "stack", "select", STACK)


def registry_login(url: str, server: str, auth: str) -> int:
    """The Docker Registry API's version check that `docker login` makes, against the emulator."""
    request = urllib.request.Request(
        f"{url}/v2/", headers={"X-Registry-Host": server, "Authorization": f"Basic {auth}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def down() -> None:
    if not EMULATOR_FILE.exists():
        print("no demo emulator is running")
        return
    known = json.loads(EMULATOR_FILE.read_text())
    if EmulatorControl(known["url"]).alive():
        cli = ensure_cli()
        env = demo_env(cli, known["url"], demo_emulator())
        os.environ["PATH"] = env["PATH"]
        for stack in (CLUSTER_STACK, STACK):
            step(f"pulumi destroy ({stack})")
            pulumi(env, "stack", "select", "--create", stack)
            pulumi(env, "destroy", "--yes", "--skip-preview")
        step("stopping the emulator")
        with contextlib.suppress(ProcessLookupError):
            os.kill(int(known["pid"]), signal.SIGTERM)
    EMULATOR_FILE.unlink()
    print("demo torn down")


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "up"
    {"up": up, "down": down}[command]()
