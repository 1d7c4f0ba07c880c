"""Running without the ray extra: clear errors (this module must not skip when ray is missing)."""

from __future__ import annotations

import sys

import pytest
from typer.testing import CliRunner

from act2answer.cli.main import app
from act2answer.errors import RunError
from act2answer.runner import RayOptions, run_evaluation
from act2answer.sim import SimConfig

SIM = SimConfig(max_steps=20)


def test_missing_ray_names_the_extra(make_suite, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` now raises ImportError
    suite = make_suite(1)
    with pytest.raises(RunError, match=r"pip install 'act2answer\[ray\]'"):
        run_evaluation(suite, "random", tmp_path / "run", sim=SIM, ray=RayOptions())
    result = CliRunner().invoke(app, [
        "run", "--suite", str(suite.root), "--policy", "random", "--out", str(tmp_path / "cli"),
        "--executor", "ray",
    ])  # fmt: skip
    assert result.exit_code == 1
    assert "act2answer[ray]" in result.output


def test_ray_only_options_need_the_ray_executor(make_suite, tmp_path):
    result = CliRunner().invoke(app, [
        "run", "--suite", str(make_suite(1).root), "--policy", "random",
        "--out", str(tmp_path / "run"), "--address", "auto",
    ])  # fmt: skip
    assert result.exit_code != 0 and "--executor ray" in result.output
