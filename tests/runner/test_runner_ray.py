"""``--executor ray`` on a local 2-CPU Ray instance: same episodes as local, no loss on crashes."""

from __future__ import annotations

import csv
import hashlib
import os
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from act2answer.cli.main import app
from act2answer.errors import RunError
from act2answer.eval import Outcome
from act2answer.eval.tasks import EpisodeTask
from act2answer.interfaces import Side
from act2answer.policies import PolicySpec
from act2answer.report import load_report, write_report
from act2answer.runner import RayOptions, run_evaluation
from act2answer.runner._shipping import localize_images, ship_image
from act2answer.sim import SimConfig
from act2answer.store import ResultStore
from tests.helpers import tiers

ray = tiers.import_or_skip("ray", "ray")  # without ray: tests/runner/test_runner_without_ray.py
pytestmark = [pytest.mark.ray, pytest.mark.sim]

ROOT = Path(__file__).resolve().parents[2]
SIM = SimConfig(max_steps=20)
#: What the local and the Ray executor must agree on, column for column.
COMPARED = ("item_id", "answer_side", "seed", "outcome", "chosen_side", "cube_x", "cube_y",
            "cube_z", "released", "steps", "error")  # fmt: skip


@pytest.fixture(scope="module", autouse=True)
def local_ray():
    """One local Ray instance (2 CPUs, 1 logical GPU) for the module; runs reuse it."""
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    ray.init(
        address="local",  # a new instance, whatever RAY_ADDRESS or /tmp/ray say
        num_cpus=2,
        num_gpus=1,  # a logical GPU: replicas asking num_gpus are placed (CUDA sees none)
        include_dashboard=False,
        logging_level="warning",
        runtime_env={"env_vars": {"PYTHONPATH": path}},  # test policies in actors
    )
    yield
    ray.shutdown()


def _episodes_csv(run_dir: Path) -> list[tuple[str, ...]]:
    write_report(load_report(run_dir))
    with (run_dir / "episodes.csv").open() as handle:
        return [tuple(row[name] for name in COMPARED) for row in csv.DictReader(handle)]


def _rows_per_episode(run_dir: Path) -> dict[tuple[str, str], int]:
    with sqlite3.connect(run_dir / "results.sqlite") as db:
        rows = db.execute("SELECT item_id, answer_side, COUNT(*) FROM episodes GROUP BY 1, 2")
        return {(item, side): count for item, side, count in rows}


def test_ray_cli_run_equals_the_local_executor(make_suite, tmp_path):
    suite = make_suite(3)
    run_evaluation(suite, "random", tmp_path / "local", sim=SIM, workers=1, video=1)
    result = CliRunner().invoke(app, [
        "run", "--suite", str(suite.root), "--policy", "random", "--out", str(tmp_path / "ray"),
        "--max-steps", "20", "--executor", "ray", "--workers", "2", "--video", "1",
    ])  # fmt: skip
    assert result.exit_code == 0, result.output
    local, on_ray = _episodes_csv(tmp_path / "local"), _episodes_csv(tmp_path / "ray")
    assert len(local) == 6
    assert on_ray == local
    # The actor sent its MP4 back; the driver wrote it where the result says.
    videos = [r.video for r in load_report(tmp_path / "ray").results if r.video]
    assert videos == ["videos/item-0_left.mp4"]
    assert (tmp_path / "ray" / videos[0]).stat().st_size > 1000
    assert len({row[3] for row in local}) > 1, "random should give more than one outcome"
    timing = ResultStore.open_existing(tmp_path / "ray").timings()[-1]
    assert timing["workers"] == 2 and timing["episodes"] == 6


def test_actor_killed_mid_episode_loses_and_duplicates_nothing(make_suite, tmp_path):
    suite = make_suite(4)  # item-0 and item-3 ask for red: 4 episodes where the policy may die
    markers = tmp_path / "deaths"
    policy = PolicySpec(
        name="tests.helpers.policies_for_tests:DyingPolicy",
        kwargs={"marker_dir": str(markers), "times": 2},
    )
    summary = run_evaluation(suite, policy, tmp_path / "ray", sim=SIM, workers=2, ray=RayOptions())
    assert len(list(markers.iterdir())) == 2, "two actors should have killed themselves"
    assert (summary.episodes_run, summary.errors) == (8, 0)
    assert set(_rows_per_episode(tmp_path / "ray").values()) == {1}
    assert len(_rows_per_episode(tmp_path / "ray")) == 8
    # The re-queued episodes ran from their seed again: same as a run that never crashed.
    run_evaluation(suite, "random", tmp_path / "local", sim=SIM, workers=1)
    assert _episodes_csv(tmp_path / "ray") == _episodes_csv(tmp_path / "local")


def test_an_episode_that_keeps_killing_its_actor_is_stored_as_an_error(make_suite, tmp_path):
    suite = make_suite(2)  # item-0 asks for red, item-1 for blue
    policy = PolicySpec(
        name="tests.helpers.policies_for_tests:DyingPolicy",
        kwargs={"marker_dir": str(tmp_path / "deaths"), "times": 100},
    )
    options = RayOptions(max_attempts=1)
    summary = run_evaluation(suite, policy, tmp_path / "ray", sim=SIM, workers=2, ray=options)
    assert summary.errors == 2 and summary.episodes_run == 4
    with ResultStore.open_existing(tmp_path / "ray") as store:
        results = {r.key: r for r in store.results()}
    for side in ("left", "right"):
        assert results[("item-0", side)].outcome is Outcome.ERROR
        assert "WorkerDied: the Ray actor running this episode died 1 times" in (
            results[("item-0", side)].error or ""
        )
        assert results[("item-1", side)].outcome is not Outcome.ERROR


def test_interrupted_ray_run_resumes_with_only_the_missing_episodes(make_suite, tmp_path):
    suite = make_suite(4)
    run_dir = tmp_path / "ray"

    def interrupt_after_three(result, done, total):
        if done == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_evaluation(
            suite, "random", run_dir, sim=SIM, workers=2, ray=RayOptions(),
            on_result=interrupt_after_three,
        )  # fmt: skip
    assert sum(_rows_per_episode(run_dir).values()) == 3
    # Resuming needs both CPUs again: the interrupted run must have released its actors.
    resumed = run_evaluation(suite, "random", run_dir, sim=SIM, workers=2, ray=RayOptions())
    assert (resumed.episodes_skipped, resumed.episodes_run) == (3, 5)
    assert _rows_per_episode(run_dir) == {
        (f"item-{i}", side): 1 for i in range(4) for side in ("left", "right")
    }


def test_nodes_without_the_suite_folder_get_the_images_from_the_object_store(
    make_suite, tmp_path, monkeypatch
):
    suite = make_suite(3, folder="moved")
    import act2answer.runner._ray as ray_runner

    run_evaluation(suite, "random", tmp_path / "local", sim=SIM, workers=1)
    ship = ray_runner.ship_image

    def ship_then_remove(path, put):  # as on nodes that never had the suite
        shipped = ship(path, put)  # the driver ships every image before any episode starts
        Path(path).unlink()
        return shipped

    monkeypatch.setattr(ray_runner, "ship_image", ship_then_remove)
    summary = run_evaluation(
        suite, "random", tmp_path / "ray", sim=SIM, workers=2, ray=RayOptions()
    )
    assert not any((suite.root / "img").iterdir())
    assert summary.errors == 0
    assert _episodes_csv(tmp_path / "ray") == _episodes_csv(tmp_path / "local")


def test_localize_images_fetches_only_missing_images_and_names_copies_by_content(tmp_path):
    left, right = tmp_path / "left.png", tmp_path / "right.png"
    left.write_bytes(b"left")
    right.write_bytes(b"right")
    shipped = (ship_image(str(left), lambda data: data), ship_image(str(right), lambda data: data))
    right.unlink()  # this node lacks the right image
    fetched = []

    def get(ref):
        fetched.append(ref)
        return ref

    task = EpisodeTask("i", "c", "put", Side.LEFT, str(left), str(right), seed=7)
    cache = tmp_path / "cache"
    local = localize_images(task, shipped, cache, get)
    assert local.left_image == str(left) and fetched == [b"right"]
    copy = Path(local.right_image)
    assert copy == cache / f"{hashlib.sha256(b'right').hexdigest()}.png"
    assert copy.read_bytes() == b"right" and local.seed == 7
    assert localize_images(task, shipped, cache, get) == local
    assert fetched == [b"right"], "a cached copy is not fetched again"


def test_batched_policy_is_served_from_a_replica_actor(make_suite, tmp_path):
    suite = make_suite(2)
    policy = PolicySpec(name="tests.helpers.standins:SleepBatchPolicy", kwargs={"sleep_s": 0})
    run_evaluation(suite, policy, tmp_path / "local", sim=SIM, workers=1)
    summary = run_evaluation(
        suite, policy, tmp_path / "ray", sim=SIM, workers=2, ray=RayOptions(policy_replicas=1)
    )
    assert summary.errors == 0
    assert _episodes_csv(tmp_path / "ray") == _episodes_csv(tmp_path / "local")


def test_gpu_replicas_serve_a_policy_the_driver_never_creates(make_suite, tmp_path):
    suite = make_suite(2)
    run_evaluation(suite, "random", tmp_path / "local", sim=SIM, workers=1)
    policy = PolicySpec(
        name="tests.helpers.policies_for_tests:RandomNotInProcess",
        kwargs={"forbidden_pid": os.getpid()},
    )
    options = RayOptions(policy_gpus=0.5, policy_replicas=2)  # both on the one (logical) GPU
    summary = run_evaluation(suite, policy, tmp_path / "ray", sim=SIM, workers=2, ray=options)
    assert summary.errors == 0
    assert _episodes_csv(tmp_path / "ray") == _episodes_csv(tmp_path / "local")


def test_gpu_replicas_that_do_not_fit_fail_clearly(make_suite, tmp_path):
    options = RayOptions(policy_gpus=1, policy_replicas=2, start_timeout_s=3)
    with pytest.raises(RunError, match=r"2 policy replica.*asking 1 GPU each.*has 1 GPU"):
        run_evaluation(make_suite(1), "random", tmp_path / "run", sim=SIM, ray=options)


def test_hung_episode_times_out_on_ray_and_retry_errors_reruns_it(make_suite, tmp_path):
    suite = make_suite(2)  # item-0 asks for red: the policy hangs there while the file exists
    hang_file = tmp_path / "hang"
    hang_file.touch()
    policy = PolicySpec(
        name="tests.helpers.policies_for_tests:HangingPolicy", kwargs={"hang_file": str(hang_file)}
    )
    run = {"sim": SIM, "workers": 2, "ray": RayOptions(), "episode_timeout": 4.0}
    first = run_evaluation(suite, policy, tmp_path / "ray", **run)
    assert (first.episodes_run, first.errors) == (4, 2)
    assert all(reason.startswith("EpisodeTimeout") for reason in first.error_reasons)
    hang_file.unlink()
    again = run_evaluation(suite, policy, tmp_path / "ray", retry_errors=True, **run)
    assert (again.episodes_skipped, again.episodes_run, again.errors) == (2, 2, 0)
    assert _rows_per_episode(tmp_path / "ray") == {
        (f"item-{i}", side): 1 for i in range(2) for side in ("left", "right")
    }


def test_an_actor_gets_its_next_episode_while_its_result_is_being_stored(make_suite, tmp_path):
    import time

    log = tmp_path / "starts.txt"
    spec = PolicySpec(
        name="tests.helpers.policies_for_tests:StartLoggingPolicy", kwargs={"log_file": str(log)}
    )
    stored: list[float] = []

    def slow_store(result, done, total):  # a caller busy with each result
        stored.append(time.time())
        time.sleep(1.0)

    sim = SimConfig(max_steps=3)
    run_evaluation(
        make_suite(1), spec, tmp_path / "run", sim=sim, workers=1, ray=RayOptions(),
        on_result=slow_store,
    )  # fmt: skip
    starts = sorted(float(line) for line in log.read_text().split())
    # One actor: the second episode started before the caller was done with the first.
    assert len(starts) == 2 and len(stored) == 2
    assert starts[1] < stored[0] + 0.5
