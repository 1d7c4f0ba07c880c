"""The command line: run, report, policies, and one-line errors."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from act2answer.cli.main import app

runner = CliRunner()


def test_run_then_report(make_suite, tmp_path):
    suite = make_suite(2)
    out = tmp_path / "run"
    args = ["run", "--suite", str(suite.root), "--policy", "oracle", "--out", str(out)]
    result = runner.invoke(app, [*args, "--workers", "1", "--max-steps", "40"])
    assert result.exit_code == 0, result.output
    assert "4 episodes run, 0 already stored, 0 errors" in result.output
    assert "Overall (macro)" in result.output
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["overall"]["success_rate"] == 1.0
    assert metrics["run"]["sim"]["max_steps"] == 40
    (out / "report.md").unlink()
    result = runner.invoke(app, ["report", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "report.md").is_file()
    result = runner.invoke(app, [*args, "--workers", "1", "--max-steps", "40"])
    assert "0 episodes run, 4 already stored" in result.output


def test_errors_are_one_line_without_traceback(make_suite, tmp_path):
    suite = make_suite(2)
    cases = [
        (["run", "--suite", str(tmp_path / "nope"), "--policy", "oracle", "--out", str(tmp_path)],
         "no suite.jsonl"),
        (["run", "--suite", str(suite.root), "--policy", "oracel", "--out", str(tmp_path / "r")],
         "did you mean 'oracle'"),
        (["run", "--suite", str(suite.root), "--policy", "oracle", "--out", str(tmp_path / "r"),
          "--policy-args", "[1]"], "must be a JSON object"),
        (["report", str(tmp_path / "empty")], "is this a run folder"),
    ]  # fmt: skip
    for args, message in cases:
        result = runner.invoke(app, args)
        assert result.exit_code == 1, (args, result.output)
        assert message in result.output, result.output
        assert "Traceback" not in result.output


def test_policies_lists_the_reference_policies():
    result = runner.invoke(app, ["policies"])
    assert result.exit_code == 0
    from act2answer.adapters import ADAPTERS

    assert sorted(result.output.split()) == sorted(
        ["constant", "idle", "left", "oracle", "random", *ADAPTERS]
    )
