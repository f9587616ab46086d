"""docs/reliability.md stays true: every test it names exists, and every scenario test has a row."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "reliability.md"
SCENARIO_FILES = (
    "tests/e2e/test_faults.py",
    "tests/e2e/test_bad_input.py",
    "tests/e2e/test_parts.py",
    "tests/e2e/test_cluster_registry.py",
    "tests/e2e/test_interrupts.py",
    "tests/e2e/test_refusals.py",
)


def scenario_tests(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    return {node.name for node in tree.body if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")}


def test_every_named_test_exists() -> None:
    named = re.findall(r"`(tests/[\w/]+\.py)::(\w+)`", DOC.read_text())
    assert named
    for file, function in named:
        assert function in scenario_tests(ROOT / file), f"{file}::{function} is named in {DOC.name} but missing"


def test_every_scenario_test_has_a_row() -> None:
    text = DOC.read_text()
    for file in SCENARIO_FILES:
        for function in scenario_tests(ROOT / file):
            assert f"{file}::{function}" in text, f"{file}::{function} has no row in {DOC.name}"
