"""``act2answer run --policy ADAPTER --dry-run``: tiny model, one-item suite, 2 episodes."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from act2answer.cli.main import app
from act2answer.report import load_report


@pytest.mark.parametrize(
    ("adapter", "kind"), [("lerobot", "tiny real class"), ("magma", "stand-in")]
)
def test_dry_run_evaluates_two_episodes_with_a_tiny_model(
    adapter: str, kind: str, tmp_path: Path
) -> None:
    out = tmp_path / "run"
    result = CliRunner().invoke(
        app, ["run", "--policy", adapter, "--dry-run", "--out", str(out), "--max-steps", "20"]
    )
    assert result.exit_code == 0, result.output
    assert f"dry run: {kind}" in result.output
    report = load_report(out)
    assert len(report.results) == 2
    assert {r.answer_side.value for r in report.results} == {"left", "right"}
    assert all(r.outcome.value != "error" for r in report.results), report.results
    assert (out / "episodes.csv").exists()
