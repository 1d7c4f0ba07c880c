"""``run --dry-run`` refuses what it cannot do, with a clear message."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from act2answer.cli.main import app


def test_dry_run_needs_a_model_adapter(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["run", "--policy", "oracle", "--dry-run"])
    assert result.exit_code != 0
    assert "--dry-run needs a model adapter" in result.output


def test_dry_run_without_the_model_stack_names_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "torch", None)
    result = CliRunner().invoke(
        app, ["run", "--policy", "openvla", "--dry-run", "--out", str(tmp_path / "r")]
    )
    assert result.exit_code != 0
    assert "needs its model stack" in result.output


def test_run_without_suite_or_out_says_so() -> None:
    result = CliRunner().invoke(app, ["run", "--policy", "oracle"])
    assert result.exit_code != 0
    assert "--suite and --out are required" in result.output
