"""Keeping a fast batched model busy: the local transport and pipelined episode groups."""

from __future__ import annotations

import asyncio
import csv
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from act2answer.client import OpenpiPolicy
from act2answer.client.local import LocalPolicy
from act2answer.errors import PolicyError, PolicyUnavailableError
from act2answer.interfaces import EpisodeStart, Observation
from act2answer.policies import PolicySpec
from act2answer.policies.chunking import BatchPolicyAsPolicy
from act2answer.report import load_report, write_report
from act2answer.runner import run_evaluation
from act2answer.serve import PolicyServer, make_backend
from act2answer.serve._host import BatchingHost, PolicyBackend, ServedRequest
from act2answer.sim import SimConfig
from tests.helpers.standins import SleepBatchPolicy

SLEEP = "tests.helpers.standins:SleepBatchPolicy"


def _observation(step: int) -> Observation:
    return Observation("x", step, np.array([0.25, 0.0, 0.15]), np.zeros(3), 0.0)


def test_unix_and_websocket_clients_share_batches_and_get_the_in_process_actions(tmp_path):
    policy = SleepBatchPolicy(sleep_s=0.05, chunk_size=3, replan_steps=2)
    alone = BatchPolicyAsPolicy(SleepBatchPolicy(sleep_s=0.0, chunk_size=3, replan_steps=2))
    path = str(tmp_path / "host.sock")
    connected = threading.Barrier(4)
    outputs: dict[int, list[np.ndarray]] = {}
    backend = make_backend(policy, lambda: policy)
    with PolicyServer(backend, port=0, window_s=5.0, unix_path=path) as server:

        def episode(seed: int) -> None:
            client = (
                LocalPolicy(path, connect_timeout=5)
                if seed % 2
                else OpenpiPolicy(f"127.0.0.1:{server.port}", connect_timeout=5)
            )
            client.reset(EpisodeStart("x", seed))
            assert client.replan_steps == 2  # from the server's metadata, on both transports
            connected.wait(30)
            outputs[seed] = [client.act(_observation(step)) for step in range(4)]
            client.close()

        threads = [threading.Thread(target=episode, args=(seed,)) for seed in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    assert policy.batch_sizes == [4, 4], policy.batch_sizes  # both front ends in one batch
    assert sorted(outputs) == [0, 1, 2, 3]
    for seed, actions in outputs.items():
        alone.reset(EpisodeStart("x", seed))
        expected = [alone.act(_observation(step)) for step in range(4)]
        assert all(np.array_equal(a, b) for a, b in zip(actions, expected, strict=True))


class _FailsOnOddSeeds:
    """NaN rows for odd seeds; the whole call raises when a seed is 13."""

    name = "fails"
    needs = SleepBatchPolicy().needs
    replan_steps = 1

    def act_batch(self, requests):
        if any(request.episode_seed == 13 for request in requests):
            raise RuntimeError("model exploded")
        chunks = np.zeros((len(requests), 1, 7))
        for row, request in enumerate(requests):
            chunks[row, 0, 0] = np.nan if request.episode_seed % 2 else 0.0
        return chunks


def test_unix_transport_errors_are_policy_errors_and_an_absent_host_is_unavailable(tmp_path):
    policy = _FailsOnOddSeeds()
    path = str(tmp_path / "host.sock")
    with PolicyServer(make_backend(policy, lambda: policy), port=None, unix_path=path) as server:
        assert server.port is None
        good = LocalPolicy(path, connect_timeout=5)
        good.reset(EpisodeStart("x", 2))
        assert good.act(_observation(0))[0] == 0.0
        bad = LocalPolicy(path, connect_timeout=5)
        bad.reset(EpisodeStart("x", 3))
        with pytest.raises(PolicyError, match="non-finite"):
            bad.act(_observation(0))
        assert good.act(_observation(1))[0] == 0.0  # the other connection is unaffected
        broken = LocalPolicy(path, connect_timeout=5)
        broken.reset(EpisodeStart("x", 13))
        with pytest.raises(PolicyError, match="model exploded"):
            broken.act(_observation(0))
        for client in (good, bad, broken):
            client.close()
    started = time.monotonic()
    with pytest.raises(PolicyUnavailableError, match="cannot reach"):
        LocalPolicy(str(tmp_path / "absent.sock"), connect_timeout=0.3).check()
    assert time.monotonic() - started < 3


class _RecordingBackend(PolicyBackend):
    name, replan_steps = "recording", 1
    needs = SleepBatchPolicy().needs

    def __init__(self, events: list[tuple[str, int]]) -> None:
        self.events = events
        self.calls = 0

    def act(self, requests: list[ServedRequest]) -> np.ndarray:
        self.calls += 1
        self.events.append(("call", self.calls))
        time.sleep(0.02)
        return np.zeros((len(requests), 1, 7))


def test_the_next_call_starts_before_the_answers_of_the_previous_one_are_delivered():
    """Two groups of 2 episodes, batch 2: the model must not wait for the answers' delivery."""
    events: list[tuple[str, int]] = []
    backend = _RecordingBackend(events)

    async def scenario() -> None:
        host = BatchingHost(backend, max_batch=2, window_s=1.0)
        host.open_connections = 4
        host.start()
        start = EpisodeStart("x", 0)
        futures = [
            host.submit_nowait(ServedRequest(c, 0, start, _observation(0))) for c in range(4)
        ]
        assert host._queue is not None
        queue = host._queue
        for index, future in enumerate(futures):  # answers run in the loop: see what is queued
            future.add_done_callback(lambda _, i=index: waiting.append((i, queue.qsize())))
        await asyncio.gather(*futures)
        await host.stop()

    waiting: list[tuple[int, int]] = []
    asyncio.run(scenario())
    # When the first group's answers are delivered, the second group has left the queue
    # for the model (its call is submitted), instead of waiting behind the deliveries.
    assert waiting[:2] == [(0, 0), (1, 0)], waiting
    assert backend.calls == 2


def _rows(run_dir: Path) -> dict[tuple[str, str], dict[str, str]]:
    write_report(load_report(run_dir))
    with (run_dir / "episodes.csv").open() as handle:
        return {(row["item_id"], row["answer_side"]): row for row in csv.DictReader(handle)}


@pytest.mark.slow  # make test-fast leaves it out (see tests/helpers/tiers.py)
def test_pipelined_groups_and_both_transports_give_the_unpipelined_results(make_suite, tmp_path):
    suite = make_suite(4)  # 8 episodes
    spec = PolicySpec(name=SLEEP, kwargs={"sleep_s": 0.01, "chunk_size": 3, "replan_steps": 2})
    sim = SimConfig(max_steps=12)
    run_evaluation(suite, spec, tmp_path / "alone", sim=sim, workers=1)
    reference = _rows(tmp_path / "alone")
    runs = {
        "pipelined": {"workers": 4, "pipeline_groups": 2},
        "websocket": {"workers": 2, "hosted_transport": "websocket"},
    }
    for name, options in runs.items():
        summary = run_evaluation(suite, spec, tmp_path / name, sim=sim, **options)
        host = summary.timing["policy_host"]
        assert summary.errors == 0 and host["batch_size_max"] == 2, (name, host)
        rows = _rows(tmp_path / name)
        assert rows.keys() == reference.keys()
        for key, row in reference.items():
            for column in ("seed", "outcome", "chosen_side", "cube_x", "cube_y", "cube_z"):
                assert rows[key][column] == row[column], (name, key, column)


def test_bad_pipeline_options_are_refused(make_suite, tmp_path):
    from act2answer.errors import RunError

    suite = make_suite(1)
    with pytest.raises(RunError, match="pipeline_groups"):
        run_evaluation(suite, "oracle", tmp_path / "a", workers=1, pipeline_groups=0)
    with pytest.raises(RunError, match="hosted_transport"):
        run_evaluation(suite, "oracle", tmp_path / "b", workers=1, hosted_transport="carrier")
