"""The demonstration dataset read back with LeRobot 0.4.4's own ``LeRobotDataset``."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("lerobot")

from act2answer.lab.demos import build_demo_dataset
from act2answer.lab.lerobot_format import read_dataset
from act2answer.sim import SimConfig


def test_lerobot_dataset_loads_our_demonstrations_frame_for_frame(tmp_path: Path):
    from lerobot.datasets.lerobot_dataset import LeRobotDataset

    root = tmp_path / "demos"
    info = build_demo_dataset(
        root,
        categories=["Color"],
        per_category=1,
        seed=5,
        sim_config=SimConfig(camera_width=64, camera_height=48, background="none"),
    )
    ours = read_dataset(root)
    dataset = LeRobotDataset("act2answer/demos", root=root)
    assert len(dataset) == info["total_frames"] == len(ours.actions)
    assert dataset.num_episodes == 2
    assert dataset.meta.stats["observation.image"]["mean"].shape == (3, 1, 1)
    for index in (0, info["total_frames"] - 1):
        item = dataset[index]
        image = item["observation.image"].numpy()  # (3, H, W) float in [0, 1]
        assert image.shape == (3, 48, 64)
        assert np.allclose(image.transpose(1, 2, 0) * 255.0, ours.images[index], atol=0.5)
        assert np.allclose(item["action"].numpy(), ours.actions[index])
        assert np.allclose(item["observation.state"].numpy(), ours.states[index])
        assert item["task"] == ours.instructions[index]
        assert int(item["episode_index"]) == int(ours.episode_index[index])
    # Delta timestamps (how LeRobot policies ask for action chunks) resolve inside an episode.
    chunked = LeRobotDataset(
        "act2answer/demos", root=root, delta_timestamps={"action": [0.0, 0.2, 0.4, 0.6]}
    )
    chunk = chunked[0]["action"].numpy()
    assert chunk.shape == (4, 7)
    assert np.allclose(chunk, ours.actions[:4])
    # At an episode's last frame the chunk is padded, never read from the next episode.
    last = int(np.flatnonzero(ours.episode_index == 0)[-1])
    end = chunked[last]
    assert end["action_is_pad"].tolist() == [False, True, True, True]
    assert not np.allclose(end["action"].numpy()[1], ours.actions[last + 1])
