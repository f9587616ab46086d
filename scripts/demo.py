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
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / ".demo"
EMULATOR_FILE = DEMO / "emulator.json"
ENV_FILE = DEMO / "env.sh"
STACK = "dev"
# The demo emulator answers only these made-up credentials; nothing here opens a real account.
SECRET_ID = "AKIDEMULATOR"
SECRET_KEY = "emulator-secret-key"
PASSPHRASE = "tcr-provider-demo"  # encrypts secrets in the demo's local state only
CREATE_SECONDS = "4"


def step(text: str) -> None:
    bold, plain = ("\033[1m", "\033[0m") if sys.stdout.isatty() else ("", "")
    print(f"\n{bold}==> {text}{plain}", flush=True)


def ensure_cli() -> Path:
    step("Pulumi CLI")
    found = subprocess.run([str(ROOT / "scripts" / "ensure-pulumi.sh")], check=True, stdout=subprocess.PIPE, text=True)
    return Path(found.stdout.strip().splitlines()[-1])


def emulator_alive(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_emulator/state", timeout=2) as answer:
            return bool(answer.status == 200)
    except OSError:
        return False


def ensure_emulator() -> str:
    step("TCR API emulator")
    if EMULATOR_FILE.exists():
        known = json.loads(EMULATOR_FILE.read_text())
        if emulator_alive(known["url"]):
            print(f"reusing the emulator at {known['url']} (pid {known['pid']})")
            return str(known["url"])
    log = DEMO / "emulator.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "tcr_provider.emulator", "--create-seconds", CREATE_SECONDS],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # keeps running after this script, so `pulumi` can be used by hand
            cwd=ROOT,
        )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        for line in log.read_text().splitlines():
            if line.startswith("tcr-emulator listening on "):
                url = line.rsplit(" ", 1)[-1]
                EMULATOR_FILE.write_text(json.dumps({"url": url, "pid": process.pid}))
                print(f"started the emulator at {url} (pid {process.pid}, log {log.relative_to(ROOT)})")
                return url
        if process.poll() is not None:
            break
        time.sleep(0.1)
    sys.exit(f"the emulator did not start; see {log}")


def demo_env(cli: Path, url: str) -> dict[str, str]:
    venv_bin = ROOT / ".venv" / "bin"
    return {
        "PATH": f"{cli}:{venv_bin}:{os.environ.get('PATH', '')}",
        "PULUMI_HOME": str(DEMO / "pulumi-home"),
        "PULUMI_BACKEND_URL": f"file://{DEMO / 'state'}",
        "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
        "PULUMI_PYTHON_CMD": str(venv_bin / "python"),
        "TENCENTCLOUD_ENDPOINT_URL": url,
        "TENCENTCLOUD_SECRET_ID": SECRET_ID,
        "TENCENTCLOUD_SECRET_KEY": SECRET_KEY,
    }


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
    (DEMO / "state").mkdir(exist_ok=True)
    cli = ensure_cli()
    url = ensure_emulator()
    env = demo_env(cli, url)
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

    rel = ENV_FILE.relative_to(ROOT)
    print(
        f"""
Done. The emulator keeps running at {url}.
Go on by hand:
  source {rel}
  pulumi stack output                                # what was exported
  edit stacks/Pulumi.dev.yaml, then pulumi preview   # see a change before it happens
  pulumi refresh --preview-only --expect-no-changes  # drift detection
Tear down (destroys the registries, then stops the emulator):
  make demo-down"""
    )


def down() -> None:
    if not EMULATOR_FILE.exists():
        print("no demo emulator is running")
        return
    known = json.loads(EMULATOR_FILE.read_text())
    if emulator_alive(known["url"]):
        cli = ensure_cli()
        env = demo_env(cli, known["url"])
        os.environ["PATH"] = env["PATH"]
        step("pulumi destroy")
        pulumi(env, "stack", "select", "--create", STACK)
        pulumi(env, "destroy", "--yes", "--skip-preview")
        step("stopping the emulator")
        with contextlib.suppress(ProcessLookupError):
            os.kill(int(known["pid"]), signal.SIGTERM)
    EMULATOR_FILE.unlink()
    print("demo torn down")


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "up"
    {"up": up, "down": down}[command]()
