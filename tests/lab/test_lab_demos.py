"""Scripted demonstrations and their LeRobot v3.0 dataset (the writer and our reader)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from act2answer.eval.tasks import make_tasks
from act2answer.interfaces import Side
from act2answer.lab.demos import DemoConfig, build_demo_dataset, record_demos
from act2answer.lab.lerobot_format import DatasetFormatError, read_dataset, write_dataset
from act2answer.sim import SimConfig
from act2answer.synth import generate_suite

SMALL_FRAMES = SimConfig(camera_width=64, camera_height=48)


@pytest.fixture(scope="module")
def colour_suite(tmp_path_factory: pytest.TempPathFactory):
    return generate_suite(
        tmp_path_factory.mktemp("suite"), per_category=1, seed=4242, categories=["Color"], workers=1
    )


@pytest.fixture(scope="module")
def pushed_demos(colour_suite):
    """Both layouts of one item, with a push every carry step away from the tile."""
    config = DemoConfig(action_noise=0.003, push_probability=1.0, push_size=0.02)
    return list(record_demos(make_tasks(colour_suite), SMALL_FRAMES, config))


def test_pushed_demonstrations_recover_and_reach_the_correct_tile(pushed_demos, colour_suite):
    assert [episode.answer_side for episode in pushed_demos] == [Side.LEFT, Side.RIGHT]
    for episode in pushed_demos:
        assert episode.success
        assert episode.images.shape == (episode.length, 48, 64, 3)
        assert episode.states.shape == episode.actions.shape == (episode.length, 7)
        # The executed actions carry the noise, the labels are the expert's clean actions.
        assert np.abs(episode.executed - episode.actions).max() > 0.015
        # The gripper label opens only once the cube is over the tile: the demonstration lets go.
        assert episode.actions[0, 6] == -1.0 and episode.actions[-1, 6] == 1.0
    left, right = pushed_demos
    # Over the carry, the end effector goes left (+y) in one layout and right in the other.
    assert left.states[-1, 1] - left.states[0, 1] > 0.05
    assert right.states[-1, 1] - right.states[0, 1] < -0.05


def test_dataset_round_trip_keeps_frames_states_actions_and_episode_bounds(
    pushed_demos, tmp_path: Path
):
    info = write_dataset(pushed_demos, tmp_path / "ds", fps=5.0)
    total = sum(episode.length for episode in pushed_demos)
    assert info["codebase_version"] == "v3.0"
    assert info["total_frames"] == total and info["total_episodes"] == 2
    assert info["features"]["observation.image"]["shape"] == [48, 64, 3]
    frames = read_dataset(tmp_path / "ds")
    assert np.array_equal(frames.images, np.concatenate([e.images for e in pushed_demos]))
    assert np.array_equal(frames.actions, np.concatenate([e.actions for e in pushed_demos]))
    assert np.array_equal(frames.states, np.concatenate([e.states for e in pushed_demos]))
    assert list(frames.answer_sides[[0, -1]]) == ["left", "right"]
    first = pushed_demos[0].length
    assert frames.frame_index[first] == 0 and frames.episode_index[first] == 1
    stats = json.loads((tmp_path / "ds" / "meta" / "stats.json").read_text())
    assert np.allclose(stats["action"]["mean"], frames.actions.mean(axis=0), atol=1e-6)
    assert np.array(stats["observation.image"]["mean"]).shape == (3, 1, 1)
    with pytest.raises(DatasetFormatError, match="already holds"):
        write_dataset(pushed_demos, tmp_path / "ds")


def test_no_demonstration_is_an_error(tmp_path: Path):
    with pytest.raises(DatasetFormatError, match="no demonstrations"):
        write_dataset([], tmp_path / "empty")


def test_demos_cli_generates_a_training_suite_apart_from_the_eval_seed(tmp_path: Path):
    from typer.testing import CliRunner

    from act2answer.cli.main import app

    out = tmp_path / "demos"
    result = CliRunner().invoke(
        app, ["demos", "--out", str(out), "-n", "1", "-c", "Shape", "--image-size", "64x48"]
    )
    assert result.exit_code == 0, result.output
    assert "wrote 2 episodes" in result.output
    frames = read_dataset(out)
    assert set(frames.categories) == {"Shape"}
    suite_name = json.loads((out / "suite" / "suite.jsonl").read_text().splitlines()[0])
    assert suite_name["meta"]["seed"] == 1001


def test_build_demo_dataset_of_an_existing_suite(colour_suite, tmp_path: Path):
    info = build_demo_dataset(tmp_path / "ds", suite=colour_suite.root, sim_config=SMALL_FRAMES)
    assert info["total_episodes"] == 2 and not (tmp_path / "ds" / "suite").exists()


def test_streamed_pixel_statistics_equal_those_of_all_frames_held_at_once(
    pushed_demos, tmp_path: Path
):
    """The writer keeps a histogram per channel, not the frames: same numbers as numpy's."""
    import pyarrow.parquet as pq

    write_dataset(pushed_demos, tmp_path / "ds", fps=5.0)
    stats = json.loads((tmp_path / "ds" / "meta" / "stats.json").read_text())["observation.image"]
    sampled = np.concatenate([episode.images[::4] for episode in pushed_demos])
    pixels = sampled.astype(np.float64).transpose(0, 3, 1, 2) / 255.0  # (N, 3, H, W)
    expected = {
        "min": pixels.min(axis=(0, 2, 3)),
        "max": pixels.max(axis=(0, 2, 3)),
        "mean": pixels.mean(axis=(0, 2, 3)),
        "std": pixels.std(axis=(0, 2, 3)),
        **{
            f"q{round(q * 100):02d}": np.quantile(pixels, q, axis=(0, 2, 3))
            for q in (0.01, 0.10, 0.50, 0.90, 0.99)
        },
    }
    for key, values in expected.items():
        assert np.allclose(np.array(stats[key]).reshape(3), values, atol=1e-9), key
    assert stats["count"] == [len(sampled)]
    # one row group per episode: the data file is written as the episodes come
    data = pq.ParquetFile(tmp_path / "ds" / "data" / "chunk-000" / "file-000.parquet")
    assert data.metadata.num_row_groups == len(pushed_demos)
    assert "huggingface" in {key.decode() for key in data.schema_arrow.metadata}


def test_pixel_histogram_quantiles_interpolate_as_numpy_does():
    from act2answer.lab.lerobot_format import _PixelStats

    images = np.random.default_rng(0).integers(0, 256, size=(3, 2, 3, 3), dtype=np.uint8)
    histogram = _PixelStats()
    histogram.add(images[:2])
    histogram.add(images[2:])
    stats = histogram.stats()
    pixels = images.astype(np.float64).transpose(0, 3, 1, 2) / 255.0
    for q in (0.01, 0.10, 0.50, 0.90, 0.99):  # 6 pixels per channel: every quantile interpolates
        expected = np.quantile(pixels, q, axis=(0, 2, 3))
        assert np.allclose(np.array(stats[f"q{round(q * 100):02d}"]).reshape(3), expected)
    assert np.allclose(np.array(stats["std"]).reshape(3), pixels.std(axis=(0, 2, 3)))
    assert stats["count"] == [3]
