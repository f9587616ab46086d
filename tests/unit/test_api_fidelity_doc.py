"""docs/api-fidelity.md stays true: every test it names exists, every fidelity test has a row, and every API
name, code, status and limit the code relies on is on the page with its source."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from tcr_provider.cloud import CREATE_FAILED_STATUSES, CREATING_STATUSES, DELETING_STATUSES, READY_STATUS
from tcr_provider.cloud.retry import RETRYABLE_CODES
from tcr_provider.cloud.transport import RATE_LIMITS
from tcr_provider.resources.common import RESERVED_TAG_KEY_PREFIXES
from tcr_provider.resources.instance.args import INSTANCE

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "api-fidelity.md").read_text()
FIDELITY_SUITES = ("tests/provider/test_fidelity.py", "tests/provider/test_sdk_contract.py")


def functions_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    return {node.name for node in tree.body if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")}


def test_every_named_test_exists() -> None:
    named = re.findall(r"`(tests/[\w/]+\.py)::(\w+)`", DOC)
    assert len(named) > 20
    for file, function in named:
        assert function in functions_of(ROOT / file), f"{file}::{function} is named in api-fidelity.md but missing"


def test_every_fidelity_test_has_a_row() -> None:
    for file in FIDELITY_SUITES:
        for function in functions_of(ROOT / file):
            assert f"{file}::{function}" in DOC, f"{file}::{function} has no row in api-fidelity.md"


def test_every_api_name_code_status_and_limit_the_code_relies_on_is_sourced() -> None:
    names = {READY_STATUS, *CREATING_STATUSES, *CREATE_FAILED_STATUSES, *DELETING_STATUSES, *RETRYABLE_CODES}
    names |= set(RATE_LIMITS) | set(RESERVED_TAG_KEY_PREFIXES)
    for field in INSTANCE.fields:
        api = field.api
        names |= {name.split(".")[-1] for name in (api.read, api.create, api.modify) if name}
    missing = sorted(name for name in names if f"`{name}`" not in DOC)
    assert missing == [], f"not in docs/api-fidelity.md: {missing}"
