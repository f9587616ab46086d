"""``python -m tcr_provider.emulator``: serve the emulator until SIGTERM or SIGINT."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from types import FrameType

from . import server
from .server import Emulator


def _seconds(text: str) -> float:
    value = float(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value


def _rate(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 (off) or more")
    return value


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m tcr_provider.emulator",
        description=(
            "Serve a local TCR Enterprise API (tcr 2019-09-24, tag 2018-08-13, cam 2019-01-16, COS GET Service "
            "and PUT Bucket, and the Docker Registry version check GET /v2/)."
        ),
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--host", default=server.DEFAULT_HOST, help="address to listen on")
    parser.add_argument("--port", type=int, default=0, help="port to listen on; 0 picks a free one")
    parser.add_argument("--secret-id", default=server.DEFAULT_SECRET_ID, help="the one SecretId accepted")
    parser.add_argument("--secret-key", default=server.DEFAULT_SECRET_KEY, help="its SecretKey")
    parser.add_argument("--app-id", type=int, default=server.DEFAULT_APP_ID, help="the account's AppId")
    parser.add_argument(
        "--create-seconds",
        type=_seconds,
        default=server.DEFAULT_CREATE_SECONDS,
        help="how long a new instance takes to reach Running (Pending for the first third, then Deploying)",
    )
    parser.add_argument(
        "--delete-seconds",
        type=_seconds,
        default=server.DEFAULT_DELETE_SECONDS,
        help="how long a deleted instance stays listed as Deleting",
    )
    parser.add_argument(
        "--modify-seconds",
        type=_seconds,
        default=server.DEFAULT_MODIFY_SECONDS,
        help=(
            "how long a RegistryType change, opening or closing public access, attaching or detaching a VPC and "
            "adding or removing a private DNS record take"
        ),
    )
    parser.add_argument(
        "--rate-limit",
        type=_rate,
        default=server.DEFAULT_RATE_LIMIT,
        help="requests per second for each action and SecretId; 0 turns the limit off",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    emulator = Emulator(
        host=args.host,
        port=args.port,
        secret_id=args.secret_id,
        secret_key=args.secret_key,
        app_id=args.app_id,
        create_seconds=args.create_seconds,
        delete_seconds=args.delete_seconds,
        modify_seconds=args.modify_seconds,
        rate_limit=args.rate_limit,
    )
    stopping = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    emulator.start()
    print(f"tcr-emulator listening on {emulator.endpoint_url}", flush=True)
    stopping.wait()
    emulator.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
