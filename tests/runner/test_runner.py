"""The runner end to end on the real simulator: outcomes, errors, determinism, resume."""

from __future__ import annotations

import math
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from act2answer.errors import PolicyError, RunError
from act2answer.eval import Outcome
from act2answer.interfaces import Side
from act2answer.policies import PolicySpec
from act2answer.report import load_report, write_report
from act2answer.runner import run_evaluation
from act2answer.sim import SimConfig
from act2answer.store import ResultStore

FAST_SIM = SimConfig(max_steps=40, early_stop=True)


def test_reference_policies_on_a_small_suite(make_suite, tmp_path):
    suite = make_suite(4)
    outcomes = {}
    for policy in ("oracle", "left", "idle"):
        run_evaluation(suite, policy, tmp_path / policy, sim=FAST_SIM, workers=1)
        with ResultStore.open_existing(tmp_path / policy) as store:
            outcomes[policy] = store.results()
    assert len(outcomes["oracle"]) == 8
    assert all(r.outcome is Outcome.CORRECT and r.released for r in outcomes["oracle"])
    assert all(r.chosen_side is Side.LEFT for r in outcomes["left"])
    assert all(
        (r.outcome is Outcome.CORRECT) == (r.answer_side is Side.LEFT) for r in outcomes["left"]
    )
    assert all(r.outcome is Outcome.NO_ANSWER and not r.released for r in outcomes["idle"])


@pytest.mark.parametrize("policy", ["nan", "wrong-shape", "raising"])
def test_bad_actions_are_recorded_as_errors_and_the_run_continues(make_suite, tmp_path, policy):
    suite = make_suite(3)
    class_name = {"nan": "NaNPolicy", "wrong-shape": "WrongShapePolicy", "raising": "RaisingPolicy"}
    spec = PolicySpec(name=f"tests.helpers.policies_for_tests:{class_name[policy]}")
    summary = run_evaluation(suite, spec, tmp_path / "run", sim=FAST_SIM, workers=1)
    assert summary.episodes_total == 6
    with ResultStore.open_existing(tmp_path / "run") as store:
        results = store.results()
    assert len(results) == 6
    errors = [r for r in results if r.outcome is Outcome.ERROR]
    if policy == "nan":
        red_items = {i.id for i in suite.items if "red" in i.instruction}
        assert {r.item_id for r in errors} == red_items
        assert all("non-finite" in (r.error or "") for r in errors)
        assert all(r.outcome is Outcome.NO_ANSWER for r in results if r.item_id not in red_items)
    elif policy == "wrong-shape":
        assert len(errors) == 6 and all("shape (7,)" in (r.error or "") for r in errors)
    else:
        assert len(errors) == 6 and all("model server said 500" in (r.error or "") for r in errors)
        assert all(not math.isnan(r.cube_x) for r in errors)


@pytest.mark.slow  # make test-fast leaves it out (see tests/helpers/tiers.py)
def test_same_seed_gives_identical_results_across_runs_and_processes(make_suite, tmp_path):
    suite = make_suite(4)
    run_evaluation(suite, "random", tmp_path / "a", workers=1)
    run_evaluation(suite, "random", tmp_path / "b", workers=2)
    with ResultStore.open_existing(tmp_path / "a") as store_a:
        first = store_a.results()
    with ResultStore.open_existing(tmp_path / "b") as store_b:
        second = store_b.results()
    assert [(r.key, r.seed, r.outcome, r.cube_x, r.cube_y, r.cube_z) for r in first] == [
        (r.key, r.seed, r.outcome, r.cube_x, r.cube_y, r.cube_z) for r in second
    ]
    run_evaluation(suite, "random", tmp_path / "c", workers=1, base_seed=1)
    with ResultStore.open_existing(tmp_path / "c") as c:
        assert [r.seed for r in c.results()] != [r.seed for r in first]


def test_rerun_skips_finished_episodes_and_refuses_a_different_config(make_suite, tmp_path):
    suite = make_suite(2)
    first = run_evaluation(suite, "oracle", tmp_path / "run", sim=FAST_SIM, workers=1)
    assert (first.episodes_run, first.episodes_skipped) == (4, 0)
    again = run_evaluation(suite, "oracle", tmp_path / "run", sim=FAST_SIM, workers=1)
    assert (again.episodes_run, again.episodes_skipped) == (0, 4)
    with pytest.raises(RunError, match="policy"):
        run_evaluation(suite, "left", tmp_path / "run", sim=FAST_SIM, workers=1)
    with pytest.raises(RunError, match=r"\(sim\.max_steps: stored 40, requested 41\);"):
        other = SimConfig(max_steps=41, early_stop=True)
        run_evaluation(suite, "oracle", tmp_path / "run", sim=other, workers=1)


def test_executors_are_chosen_by_name_and_store_the_same_episodes(make_suite, tmp_path):
    from act2answer.eval.worker import process_name
    from act2answer.runner import EXECUTORS

    suite = make_suite(2)
    by_executor = {}
    for name in ("inline", "processes", "local"):
        summary = run_evaluation(
            suite, "random", tmp_path / name, sim=FAST_SIM, workers=1, executor=name
        )
        by_executor[name] = summary.timing["steps_per_s_by_process"]
        with ResultStore.open_existing(tmp_path / name) as store:
            rows = [(r.key, r.seed, r.outcome, r.cube_x, r.cube_y) for r in store.results()]
        assert rows == by_executor.get("rows", rows)
        by_executor["rows"] = rows
    # inline and local (one worker, no timeout) step in this process; processes in a child.
    assert list(by_executor["inline"]) == list(by_executor["local"]) == [process_name()]
    assert list(by_executor["processes"]) != [process_name()]
    assert EXECUTORS.names() == ["inline", "local", "processes", "ray"]
    with pytest.raises(RunError, match="unknown executor 'proceses'; did you mean 'processes'"):
        run_evaluation(suite, "random", tmp_path / "x", workers=1, executor="proceses")


def test_unknown_policy_suggests_a_name(make_suite, tmp_path):
    with pytest.raises(PolicyError, match="did you mean 'oracle'"):
        run_evaluation(make_suite(1), "oracel", tmp_path / "run", workers=1)


@pytest.mark.slow  # make test-fast leaves it out (see tests/helpers/tiers.py)
def test_sigkill_mid_run_then_resume_stores_every_episode_once(make_suite, tmp_path):
    suite = make_suite(12)
    run_dir = tmp_path / "run"
    command = [
        sys.executable, "-m", "act2answer.cli.main", "run",
        "--suite", str(suite.root), "--policy", "tests.helpers.policies_for_tests:SlowPolicy",
        "--out", str(run_dir), "--workers", "2", "--max-steps", "20",
    ]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
    )
    deadline = time.monotonic() + 120
    stored = 0
    while time.monotonic() < deadline and stored < 4:
        time.sleep(0.2)
        assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
        if (run_dir / "results.sqlite").exists():
            with sqlite3.connect(run_dir / "results.sqlite") as db:
                try:
                    stored = db.execute("SELECT COUNT(*) FROM episodes").fetchone()[0]
                except sqlite3.OperationalError:
                    stored = 0
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    assert 4 <= stored < 24, "the run should have been killed halfway"
    with ResultStore.open_existing(run_dir) as store:
        after_kill = store.count()
    summary = run_evaluation(
        suite,
        "tests.helpers.policies_for_tests:SlowPolicy",
        run_dir,
        sim=SimConfig(max_steps=20),  # as the CLI run above (fixed protocol)
        workers=2,
    )
    assert summary.episodes_skipped == after_kill
    assert summary.episodes_run == 24 - after_kill
    with sqlite3.connect(run_dir / "results.sqlite") as db:
        rows = db.execute("SELECT item_id, answer_side, COUNT(*) FROM episodes GROUP BY 1, 2")
        counts = [row[2] for row in rows]
    assert len(counts) == 24 and set(counts) == {1}


def test_report_files_and_video(make_suite, tmp_path):
    suite = make_suite(2)
    run_evaluation(
        suite, "oracle", tmp_path / "run",
        sim=SimConfig(max_steps=30, early_stop=True, camera_width=160, camera_height=120),
        workers=1, video=1,
    )  # fmt: skip
    report = load_report(tmp_path / "run")
    assert report.complete is True
    paths = write_report(report)
    assert [p.name for p in paths] == ["report.md", "metrics.json", "episodes.csv"]
    assert "| Color |" in paths[0].read_text()
    import json

    metrics = json.loads(paths[1].read_text())
    assert metrics["overall"]["success_rate"] == 1.0
    assert len(paths[2].read_text().splitlines()) == 5
    videos = [r.video for r in report.results if r.video]
    assert len(videos) == 1
    video_path = tmp_path / "run" / videos[0]
    assert video_path.stat().st_size > 1000
    import imageio.v3 as iio

    frames = iio.imread(video_path)
    assert frames.shape[1:] == (120, 160, 3) and frames.shape[0] >= 5


def test_a_worker_starts_its_next_episode_while_its_result_is_being_stored(make_suite, tmp_path):
    from act2answer.eval.tasks import make_tasks
    from act2answer.runner._processes import WorkerSetup, run_in_processes

    log = tmp_path / "starts.txt"
    spec = PolicySpec(
        name="tests.helpers.policies_for_tests:StartLoggingPolicy", kwargs={"log_file": str(log)}
    )
    setup = WorkerSetup(SimConfig(max_steps=3), spec, str(tmp_path), None)
    reports = run_in_processes(make_tasks(make_suite(1)), setup, 1, None)
    next(reports)
    time.sleep(1.0)  # a caller busy with the first result (committing, printing)
    asked = time.time()  # the caller now asks for the next result
    assert len(list(reports)) == 1
    starts = sorted(float(line) for line in log.read_text().split())
    # One worker: the second episode started before the caller asked for it (an ordering,
    # not a wall-clock margin: without the prefetch it starts only after `asked`).
    assert len(starts) == 2 and starts[1] < asked
