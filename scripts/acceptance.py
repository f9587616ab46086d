#!/usr/bin/env python3
"""The check `make acceptance` runs first: a real-account run needs TCR_ACCEPTANCE=1 and credentials.

Exits 0 when they are set; otherwise prints what to set and exits 1. The standard library only, so it answers
before the virtualenv or the Pulumi CLI is built.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.acceptance.settings import MissingSettings, cloud_target


def main() -> int:
    try:
        target = cloud_target(os.environ)
    except MissingSettings as error:
        print(error, file=sys.stderr)
        return 1
    print(f"acceptance: running against {target.account}, region {target.region} ({target.region_source})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
