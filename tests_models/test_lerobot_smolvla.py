"""A tiny SmolVLA (LeRobot's real SmolVLAPolicy, random weights) end to end.

The model is built offline (``act2answer.testing.tiny.smolvla``), saved like a
hub checkpoint and loaded by the ``lerobot`` adapter through LeRobot's own
``from_pretrained`` and ``make_pre_post_processors``. A 20-item procedural
suite (40 episodes) runs in process and again through ``act2answer serve``
(two simulator workers). Served one request per model call, outcomes, step
counts and final cube positions must equal the in-process run (gap < 1e-6 m).
Served with batching, every observation that both served runs sent (at least
each episode's first) must get the same action chunk (within 1e-5) whether it
was answered alone or in a batch; the trajectories themselves are not compared,
since 80 steps of contact physics amplify last-bit differences. A random
model is not expected to succeed: the tests assert plumbing, shapes,
determinism and conventions.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from act2answer.interfaces import Observation, PolicyRequest
from act2answer.policies import PolicySpec, make_policy
from act2answer.serve import PolicyBackend
from act2answer.sim import SimConfig
from act2answer.testing.tiny import build_tiny

SIM = SimConfig(camera_width=160, camera_height=120)


@pytest.fixture(scope="module")
def tiny_kwargs(tmp_path_factory: pytest.TempPathFactory) -> dict:
    return build_tiny("lerobot", tmp_path_factory.mktemp("smolvla") / "model")


@pytest.fixture(scope="module")
def suite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from act2answer.synth import generate_suite

    root = tmp_path_factory.mktemp("suite") / "suite"
    generate_suite(root, per_category=10, seed=3, categories=["Color", "Shape"], workers=1)
    return root


def _request(level: int, seed: int, step: int = 0, gripper: float = 0.0) -> PolicyRequest:
    observation = Observation(
        instruction="put the cube on the red patch",
        step=step,
        ee_position=np.array([0.2, 0.0, 0.1]),
        ee_rpy=np.zeros(3),
        gripper_opening=gripper,
        image=np.full((120, 160, 3), level, dtype=np.uint8),
    )
    return PolicyRequest(seed, observation)


def test_adapter_loads_the_saved_checkpoint_and_batches_rows_independently(tiny_kwargs):
    policy = make_policy(PolicySpec(name="lerobot", kwargs=tiny_kwargs))
    assert type(policy.policy).__name__ == "SmolVLAPolicy"
    assert policy.replan_steps == 8 and policy.needs.image and not policy.needs.wrist_image
    assert policy.cameras == {"observation.images.image": "image"}
    batch = policy.batch([_request(50, 1), _request(200, 2, gripper=1.0)])
    assert batch["observation.images.image"].shape == (2, 3, 64, 64)  # resized to the feature
    assert batch["observation.state"].shape == (2, 7)
    assert float(batch["observation.state"][1, 6]) == 1.0
    chunks = policy.act_batch([_request(50, 1), _request(200, 2), _request(50, 1)])
    assert chunks.shape == (3, 8, 7) and np.isfinite(chunks).all()
    assert set(np.unique(chunks[..., 6])) <= {-1.0, 1.0}  # gripper thresholded to +-1
    np.testing.assert_array_equal(chunks[0], chunks[2])  # same seed and step, same chunk
    assert not np.array_equal(chunks[0], chunks[1])
    alone = policy.act_batch([_request(200, 2)])
    np.testing.assert_allclose(alone[0], chunks[1], atol=1e-5)  # independent of batch mates
    later = policy.act_batch([_request(50, 1, step=8)])
    assert not np.array_equal(later[0], chunks[0])  # noise follows the step too


class _RecordingBackend(PolicyBackend):
    """Wraps a served backend; keeps each observation's chunk and the size of its batch."""

    def __init__(self, inner: PolicyBackend) -> None:
        self.inner = inner
        self.name, self.needs, self.replan_steps = inner.name, inner.needs, inner.replan_steps
        self.chunks: dict[tuple, tuple[np.ndarray, int]] = {}

    def act(self, requests: list) -> np.ndarray:
        chunks = self.inner.act(requests)
        for request, chunk in zip(requests, chunks, strict=True):
            observation = request.observation
            pixels = hashlib.sha1(observation.image.tobytes()).hexdigest()
            key = (request.start.seed, request.start.instruction, observation.step, pixels)
            self.chunks[key] = (np.array(chunk), len(requests))
        return chunks

    def forget(self, connection: int) -> None:
        self.inner.forget(connection)


def _outcomes(run: Path) -> list[tuple]:
    from act2answer.report import load_report

    results = load_report(run).results
    return sorted(
        (r.item_id, r.answer_side.value, r.seed, r.outcome.value, r.cube_x, r.cube_y, r.steps)
        for r in results
    )


def test_twenty_items_in_process_and_served_give_identical_results(tiny_kwargs, suite, tmp_path):
    from act2answer.report import load_report, write_report
    from act2answer.runner import run_evaluation
    from act2answer.serve import PolicyServer, backend_for_spec

    spec = PolicySpec(name="lerobot", kwargs=tiny_kwargs)
    local = run_evaluation(suite, spec, tmp_path / "local", sim=SIM, workers=1)
    assert local.episodes_run == 40 and local.errors == 0
    # Served one request per model call: the same arithmetic as in process, so the same results.
    alone = _RecordingBackend(backend_for_spec(spec))
    with PolicyServer(alone, port=0, max_batch=1, window_s=0.0) as server:
        served = run_evaluation(
            suite, f"openpi://127.0.0.1:{server.port}", tmp_path / "served", sim=SIM, workers=2
        )
    assert served.episodes_run == 40 and served.errors == 0
    # Served with batching: requests of the two workers share model calls.
    together = _RecordingBackend(backend_for_spec(spec))
    with PolicyServer(together, port=0, max_batch=8, window_s=0.05) as server:
        batched = run_evaluation(
            suite, f"openpi://127.0.0.1:{server.port}", tmp_path / "batched", sim=SIM, workers=2
        )
        batch_sizes = server.batching.stats.summary()
    assert batched.episodes_run == 40 and batched.errors == 0
    for run in (tmp_path / "local", tmp_path / "served", tmp_path / "batched"):
        write_report(load_report(run))
    local_rows, served_rows = _outcomes(tmp_path / "local"), _outcomes(tmp_path / "served")
    batched_rows = _outcomes(tmp_path / "batched")
    assert len(local_rows) == 40 and len(batched_rows) == 40
    counts = Counter(row[3] for row in local_rows)
    gap = np.abs(np.array([r[4:6] for r in local_rows]) - [r[4:6] for r in served_rows]).max()
    print(f"tiny SmolVLA, 40 episodes: {dict(counts)}; served vs in-process gap {gap:.1e} m")
    print(f"server batches: {batch_sizes}")
    assert [r[:4] + r[6:] for r in local_rows] == [r[:4] + r[6:] for r in served_rows]
    assert gap < 1e-6
    # A batch of 2 may round differently from a batch of 1 and 80 steps of contact
    # physics amplify the last bits, so the batched run's trajectories drift apart.
    # What batching must not change is the answer to one observation: every observation
    # both served runs sent (same episode seed, instruction, step and pixels) gets the
    # same chunk, alone or with batch mates.
    assert [r[:3] for r in local_rows] == [r[:3] for r in batched_rows]
    assert batch_sizes["batch_size_max"] >= 2  # the two workers' requests were batched
    shared = sorted(set(alone.chunks) & set(together.chunks))
    first_steps = [key for key in shared if key[2] == 0]
    in_batches = [key for key in shared if together.chunks[key][1] >= 2]
    print(
        f"observations sent by both served runs: {len(shared)}, first steps "
        f"{len(first_steps)}, answered in a batch of >= 2: {len(in_batches)}"
    )
    assert len(first_steps) == 40  # every episode starts from the same frame
    assert in_batches, "no shared observation was answered inside a batch"
    for key in shared:
        np.testing.assert_allclose(together.chunks[key][0], alone.chunks[key][0], atol=1e-5)
    assert set(counts) <= {"correct", "wrong", "no_answer"}
