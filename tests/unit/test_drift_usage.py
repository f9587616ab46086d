"""`tcr-drift` refuses an --output it cannot write before it refreshes any stack (exit 1, at once)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tcr_provider import drift


@pytest.mark.parametrize("where", ["missing-folder/report.json", "."])
def test_an_output_that_cannot_be_written_is_refused_before_any_stack_is_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], where: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No Pulumi CLI either: the output is checked before the CLI is looked for.
    monkeypatch.setenv("PATH", "")
    monkeypatch.delenv("TCR_PULUMI_BIN", raising=False)
    assert drift.main(["--project-dir", str(tmp_path), "--output", str(tmp_path / where)]) == drift.EXIT_UNKNOWN
    error = capsys.readouterr().err
    assert "--output" in error and "Pulumi CLI" not in error
