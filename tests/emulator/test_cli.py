"""``python -m tcr_provider.emulator`` as a user runs it: one line when ready, serves, stops on SIGTERM."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

from tencentcloud.cam.v20190116 import cam_client, models
from tencentcloud.common import credential
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_module_prints_its_address_serves_and_stops_on_sigterm():
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO_ROOT), os.environ.get("PYTHONPATH", "")])}
    command = [sys.executable, "-m", "tcr_provider.emulator", "--secret-id", "AKIDCLI", "--app-id", "1300000001"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env, cwd=REPO_ROOT)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        match = re.fullmatch(r"tcr-emulator listening on http://127\.0\.0\.1:(\d+)\n", line)
        assert match, line
        profile = ClientProfile(httpProfile=HttpProfile(protocol="http", endpoint=f"127.0.0.1:{match[1]}"))
        client = cam_client.CamClient(credential.Credential("AKIDCLI", "emulator-secret-key"), "", profile)
        assert client.GetUserAppId(models.GetUserAppIdRequest()).AppId == 1300000001

        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
        assert process.stdout.read() == ""
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_help_documents_the_timing_defaults():
    result = subprocess.run(
        [sys.executable, "-m", "tcr_provider.emulator", "--help"],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        check=True,
    )
    for flag in ("--create-seconds", "--delete-seconds", "--modify-seconds", "--rate-limit"):
        assert flag in result.stdout
    assert "(default: 3.0)" in result.stdout
