"""Runs against served and hosted policies: equivalence, batching, hung policies, dead servers."""

from __future__ import annotations

import csv
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest

from act2answer.client import wait_healthy
from act2answer.errors import PolicyError
from act2answer.eval import Outcome
from act2answer.policies import PolicySpec
from act2answer.report import load_report, write_report
from act2answer.runner import run_evaluation
from act2answer.sim import SimConfig
from act2answer.store import ResultStore
from tests.helpers.openpi_fakes import openpi_style_server

FAST_SIM = SimConfig(max_steps=30)
REPO = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def act2answer_serve(policy: str, port: int) -> Iterator[subprocess.Popen[bytes]]:
    """`act2answer serve` in its own process, as a user would start it."""
    command = [sys.executable, "-m", "act2answer.cli.main", "serve", "--policy", policy]
    command += ["--port", str(port)]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_healthy("127.0.0.1", port, timeout=60)
        yield process
    finally:
        process.kill()
        process.wait(10)


def _csv_rows(run_dir: Path) -> dict[tuple[str, str], dict[str, str]]:
    write_report(load_report(run_dir))
    with (run_dir / "episodes.csv").open() as handle:
        return {(row["item_id"], row["answer_side"]): row for row in csv.DictReader(handle)}


@pytest.mark.slow  # make test-fast leaves it out (see tests/helpers/tiers.py)
def test_oracle_served_by_act2answer_serve_matches_the_in_process_oracle(make_suite, tmp_path):
    suite = make_suite(3)
    run_evaluation(suite, "oracle", tmp_path / "local", sim=FAST_SIM, workers=1)
    port = _free_port()
    with act2answer_serve("oracle", port):
        summary = run_evaluation(
            suite, f"openpi://127.0.0.1:{port}", tmp_path / "remote", sim=FAST_SIM, workers=2
        )
    assert summary.errors == 0 and summary.episodes_run == 6
    local, remote = _csv_rows(tmp_path / "local"), _csv_rows(tmp_path / "remote")
    assert local.keys() == remote.keys()
    for key, row in local.items():
        for column in ("seed", "outcome", "chosen_side", "cube_x", "cube_y", "cube_z", "steps"):
            assert row[column] == remote[key][column], (key, column)
    assert all(row["outcome"] == "correct" for row in remote.values())


@pytest.mark.slow  # make test-fast leaves it out (see tests/helpers/tiers.py)
def test_hosted_batch_policy_batches_and_matches_batch_size_one(make_suite, tmp_path):
    suite = make_suite(2)
    spec = PolicySpec(
        name="tests.helpers.standins:SleepBatchPolicy",
        kwargs={"sleep_s": 0.01, "chunk_size": 3, "replan_steps": 2},
    )
    run_evaluation(suite, spec, tmp_path / "alone", sim=SimConfig(max_steps=12), workers=1)
    summary = run_evaluation(
        suite, spec, tmp_path / "hosted", sim=SimConfig(max_steps=12), workers=2
    )
    host = summary.timing["policy_host"]
    assert host["batch_size_max"] == 2 and host["requests"] == summary.timing["model_calls"]
    assert summary.timing["model_calls"] == 4 * 6  # 12 steps, 2 actions per call
    alone, hosted = _csv_rows(tmp_path / "alone"), _csv_rows(tmp_path / "hosted")
    for key, row in alone.items():
        assert (row["cube_x"], row["cube_y"], row["cube_z"]) == (
            hosted[key]["cube_x"],
            hosted[key]["cube_y"],
            hosted[key]["cube_z"],
        )
    metrics = json.loads((tmp_path / "hosted" / "metrics.json").read_text())
    assert metrics["timing"][0]["policy_host"]["batches"] >= 1
    assert metrics["timing"][0]["sim_ms_per_step"] > 0


@pytest.mark.slow  # make test-fast leaves it out (see tests/helpers/tiers.py)
def test_hung_policy_is_stopped_recorded_and_retried(make_suite, tmp_path):
    suite = make_suite(3)  # item-0 asks for red: its two episodes hang
    hang_file = tmp_path / "hang"
    hang_file.touch()
    spec = PolicySpec(
        name="tests.helpers.policies_for_tests:HangingPolicy", kwargs={"hang_file": str(hang_file)}
    )
    started = time.monotonic()
    summary = run_evaluation(
        suite, spec, tmp_path / "run", sim=FAST_SIM, workers=2, episode_timeout=8.0
    )
    assert time.monotonic() - started < 60
    assert summary.episodes_run == 6 and summary.errors == 2
    assert list(summary.error_reasons) == [
        "EpisodeTimeout: episode exceeded the wall-clock limit of 8 s; "
        "its worker process was killed and replaced"
    ]
    with ResultStore.open_existing(tmp_path / "run") as store:
        errors = {r.key for r in store.results() if r.outcome is Outcome.ERROR}
    assert errors == {("item-0", "left"), ("item-0", "right")}
    hang_file.unlink()
    again = run_evaluation(
        suite,
        spec,
        tmp_path / "run",
        sim=FAST_SIM,
        workers=2,
        episode_timeout=8.0,
        retry_errors=True,
    )
    assert (again.episodes_run, again.episodes_skipped, again.errors) == (2, 4, 0)
    with ResultStore.open_existing(tmp_path / "run") as store:
        results = store.results()
    assert len(results) == 6 and all(r.outcome is Outcome.NO_ANSWER for r in results)


@pytest.mark.slow  # make test-fast leaves it out (see tests/helpers/tiers.py)
def test_killed_server_costs_its_in_flight_episodes_and_the_run_finishes(make_suite, tmp_path):
    suite = make_suite(6)
    port = _free_port()
    policy = PolicySpec(
        name=f"openpi://127.0.0.1:{port}", kwargs={"connect_timeout": 1.0, "call_timeout": 10.0}
    )
    run_dir = tmp_path / "run"
    with act2answer_serve("tests.helpers.policies_for_tests:SlowPolicy", port) as server:

        def kill_after_two(result, done, total) -> None:
            if done == 2:
                server.kill()

        started = time.monotonic()
        summary = run_evaluation(
            suite, policy, run_dir, sim=SimConfig(max_steps=40), workers=2,
            on_result=kill_after_two,
        )  # fmt: skip
    assert time.monotonic() - started < 60
    assert 1 <= summary.errors <= 2  # the episodes in flight when the server died
    assert all("policy server" in reason for reason in summary.error_reasons)
    assert summary.not_run == 12 - 2 - summary.errors
    assert "cannot reach policy server" in (summary.not_run_reason or "")
    with ResultStore.open_existing(run_dir) as store:
        failed = {r.key for r in store.results() if r.outcome is Outcome.ERROR}
        assert store.count() == 2 + summary.errors
    with act2answer_serve("tests.helpers.policies_for_tests:SlowPolicy", port):
        again = run_evaluation(
            suite, policy, run_dir, sim=SimConfig(max_steps=40), workers=2, retry_errors=True
        )
    assert again.errors == 0 and again.episodes_run == 12 - 2
    with ResultStore.open_existing(run_dir) as store:
        results = store.results()
    assert len(results) == 12 and len({r.key for r in results}) == 12
    assert all(r.outcome is Outcome.NO_ANSWER for r in results)
    assert failed  # those very episodes now have real outcomes


def test_run_against_an_openpi_server_with_the_libero_preset(make_suite, tmp_path):
    suite = make_suite(1)
    seen: list[dict[str, object]] = []

    def infer(obs: dict[str, object]) -> dict[str, object]:
        seen.append(obs)
        chunk = np.zeros((10, 7), dtype=np.float32)
        chunk[:, 2] = 0.2  # normalised dz: 1 cm up per step after LIBERO scaling
        chunk[:, 6] = 1.0  # LIBERO: +1 keeps the gripper closed
        return {"actions": chunk}

    sim = SimConfig(
        max_steps=12, camera_width=160, camera_height=120, wrist_camera=True,
        wrist_width=64, wrist_height=64,
    )  # fmt: skip
    with openpi_style_server(infer) as port:
        spec = PolicySpec(name=f"openpi://127.0.0.1:{port}", kwargs={"preset": "libero-openpi"})
        with pytest.raises(PolicyError, match="needs wrist images"):
            run_evaluation(suite, spec, tmp_path / "no-wrist", sim=FAST_SIM, workers=1)
        summary = run_evaluation(suite, spec, tmp_path / "run", sim=sim, workers=1)
    assert summary.errors == 0, summary.error_reasons
    assert summary.timing["model_calls"] == len(seen) == 2 * 3  # 12 steps, replan every 5
    assert seen[0]["observation/image"].shape == (224, 224, 3)
    assert seen[0]["observation/wrist_image"].shape == (224, 224, 3)
    assert seen[0]["observation/state"].shape == (8,)
    with ResultStore.open_existing(tmp_path / "run") as store:
        results = store.results()
    assert all(r.cube_z > 0.05 and not r.released for r in results)  # lifted, still held
