"""The Python entry point (act2answer.evaluate / load_run / rerun) and the CLI agree."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

import act2answer as a2a
from act2answer.cli.main import app
from act2answer.errors import RunError
from act2answer.store import ResultStore

#: Stored fields that name when or how long, not what.
_VOLATILE = {"wall_time_s", "finished_at"}


def _stored(run_dir):
    with ResultStore.open_existing(run_dir) as store:
        config = json.loads(store.config().model_dump_json())  # type: ignore[union-attr]
        rows = [
            {k: v for k, v in result.to_row().items() if k not in _VOLATILE}
            for result in store.results()
        ]
    for key in ("created_at", "git_revision", "suite_path"):
        config.pop(key)
    return config, rows


@pytest.mark.slow  # make test-fast leaves it out (see tests/helpers/tiers.py)
def test_evaluate_and_the_cli_store_identical_results(make_suite, tmp_path):
    suite = make_suite(2)
    cli_out, api_out = tmp_path / "cli", tmp_path / "api"
    result = CliRunner().invoke(
        app,
        ["run", "--suite", str(suite.root), "--policy", "oracle", "--out", str(cli_out),
         "--robot", "panda", "--workers", "1", "--max-steps", "40", "--seed", "3"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    run = a2a.evaluate(
        suite.root,
        "oracle",
        out=api_out,
        sim=a2a.SimConfig(robot="panda", max_steps=40),
        base_seed=3,
        execution=a2a.Execution(workers=1),
    )
    assert _stored(api_out) == _stored(cli_out)
    assert run.config.sim.scene.name == "legacy"  # the robot's default, in Python and CLI
    assert run.kind == "vla" and len(run.records) == 4
    assert run.summary is not None and run.summary.episodes_run == 4
    assert run.metrics is not None and run.metrics.overall.success_rate == 1.0
    assert [path.name for path in run.write_report()] == [
        "report.md",
        "metrics.json",
        "episodes.csv",
    ]
    assert json.loads((api_out / "metrics.json").read_text())["overall"] == json.loads(
        (cli_out / "metrics.json").read_text()
    )["overall"]


@pytest.mark.slow  # make test-fast leaves it out (see tests/helpers/tiers.py)
def test_load_run_and_rerun_from_the_stored_configuration(make_suite, tmp_path):
    suite = make_suite(2)
    first = a2a.evaluate(
        suite.root,
        "oracle",
        out=tmp_path / "first",
        sim=a2a.SimConfig(max_steps=30),
        execution=a2a.Execution(workers=1),
    )
    loaded = a2a.load_run(tmp_path / "first")
    assert loaded.kind == "vla" and loaded.config == first.config and loaded.summary is None
    resumed = a2a.rerun(tmp_path / "first", execution=a2a.Execution(workers=1))
    assert resumed.summary is not None and resumed.summary.episodes_run == 0
    again = a2a.rerun(tmp_path / "first", out=tmp_path / "again")
    assert again.summary is not None and again.summary.episodes_run == 4
    assert _stored(tmp_path / "again") == _stored(tmp_path / "first")
    with pytest.raises(RunError, match="is this a run folder"):
        a2a.load_run(tmp_path / "nothing")


def test_execution_is_not_identity_and_checks_ray_options():
    assert a2a.Execution().episode_timeout == 600.0
    with pytest.raises(ValueError, match="need executor='ray'"):
        a2a.Execution(policy_gpus=1.0)
    kwargs = a2a.Execution(executor="ray", policy_replicas=2).run_evaluation_kwargs()
    assert kwargs["ray"].policy_replicas == 2
    assert "workers" not in a2a.RunConfig.model_fields


def test_import_act2answer_loads_nothing_heavy():
    import subprocess
    import sys

    code = (
        "import sys, act2answer\n"
        "print(sorted(m for m in sys.modules if m.startswith(('mujoco', 'act2answer.'))))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert loaded.stdout.strip() == "[]"
