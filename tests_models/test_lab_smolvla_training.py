"""LeRobot's SmolVLA class trained by LeRobot's trainer on our demonstrations, run by the adapter.

A few optimiser steps of a very small config (seconds): the part-1 demonstrations
(still tail trimmed, frames resized as the adapter resizes them) feed
``lerobot_train.train``; the vision tower, the VLM and the action expert all
train (SmolVLA's defaults freeze the first two, which a random backbone cannot
afford); the tokenizer knows every word of the instructions; the checkpoint
LeRobot saves loads through ``--policy lerobot`` and runs the same episodes in
process and served; the mirrored and channel-swapped presets reach the model
as mirrored and channel-swapped tensors. Whether the model learns the task is
measured by ``benchmarks/lab_smolvla.py`` (minutes, not a test).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("lerobot")

from act2answer.lab.smolvla import (
    SmolVLARecipe,
    build_smolvla_demos,
    dataset_instructions,
    train_smolvla,
)
from act2answer.policies import PolicySpec, make_policy
from act2answer.sim import SimConfig

FRAMES = SimConfig(camera_width=64, camera_height=48, background="none")
RECIPE = SmolVLARecipe(
    image_size=32,
    patch_size=8,
    vision_width=16,
    vision_layers=1,
    width=32,
    layers=2,
    heads=2,
    chunk=4,
    n_action_steps=4,
    flow_steps=2,
    warmup=1,
    steps=6,
    batch_size=4,
)


def _outcomes(run: Path) -> list[tuple]:
    from act2answer.report import load_report

    return sorted(
        (r.item_id, r.answer_side.value, r.outcome.value, r.steps, r.cube_x, r.cube_y)
        for r in load_report(run).results
    )


def test_smolvla_trained_by_lerobot_runs_through_the_adapter_in_process_and_served(
    tmp_path: Path,
) -> None:
    import torch
    from safetensors.torch import load_file
    from transformers import AutoTokenizer

    from act2answer.runner import run_evaluation
    from act2answer.serve import PolicyServer, backend_for_spec

    torch.set_num_threads(1)
    root = tmp_path / "demos"
    info = build_smolvla_demos(
        root,
        categories=["Color"],
        per_category=1,
        seed=7,
        keep_still=4,
        frame_size=(24, 32),
        start_copies=1,
        start_frames=4,
        sim_config=FRAMES,
    )
    assert info["total_episodes"] == 2 + 2  # both layouts, then one copy of each start
    assert info["total_frames"] < 2 * 40 + 2 * 4  # 80-step episodes, still tail trimmed
    assert info["features"]["observation.image"]["shape"] == [24, 32, 3]

    early = train_smolvla(root, tmp_path / "early", RECIPE.model_copy(update={"steps": 2}))
    late = train_smolvla(root, tmp_path / "late", RECIPE)
    assert late == (tmp_path / "late/train/checkpoints/000006/pretrained_model").resolve()
    assert (late / "policy_preprocessor.json").exists()
    before, after = load_file(early / "model.safetensors"), load_file(late / "model.safetensors")
    moved = {
        part: any(not torch.equal(before[k], after[k]) for k in after if part in k)
        for part in ("vision_model", "text_model", "lm_expert", "action_out_proj")
    }
    assert all(moved.values()), f"parts that did not train: {moved}"
    tokenizer = AutoTokenizer.from_pretrained(tmp_path / "late" / "vlm")
    for text in dataset_instructions(root):
        assert tokenizer.unk_token_id not in tokenizer(text)["input_ids"], text

    spec = PolicySpec(name="lerobot", kwargs={"model_path": str(late)})
    local = run_evaluation(root / "suite", spec, tmp_path / "local", sim=FRAMES, workers=1)
    with PolicyServer(backend_for_spec(spec), port=0, max_batch=1, window_s=0.0) as server:
        served = run_evaluation(
            root / "suite", f"openpi://127.0.0.1:{server.port}", tmp_path / "served", sim=FRAMES
        )
    assert local.errors == served.errors == 0 and local.episodes_run == served.episodes_run == 2
    here, there = _outcomes(tmp_path / "local"), _outcomes(tmp_path / "served")
    assert [row[:4] for row in here] == [row[:4] for row in there]
    gap = np.abs(np.array([row[4:] for row in here]) - [row[4:] for row in there]).max()
    assert gap < 1e-6

    # The preprocessing bugs of benchmarks/lab_smolvla.py reach the model as tensors.
    from act2answer.interfaces import Observation, PolicyRequest

    frame = np.random.default_rng(0).integers(0, 256, (48, 64, 3), dtype=np.uint8)
    request = PolicyRequest(
        0,
        Observation(
            instruction=dataset_instructions(root)[0],
            step=0,
            ee_position=np.array([0.29, 0.0, 0.13]),
            ee_rpy=np.zeros(3),
            gripper_opening=0.5,
            image=frame,
        ),
    )
    key = "observation.image"
    plain = make_policy(spec).batch([request])[key]
    for preset, expected in (
        ({"name": "mirrored", "mirror": True}, plain.flip(-1)),
        ({"name": "bgr", "swap_channels": True}, plain.flip(1)),
    ):
        policy = make_policy(PolicySpec(name="lerobot", kwargs={**spec.kwargs, "preset": preset}))
        torch.testing.assert_close(policy.batch([request])[key], expected, atol=2e-3, rtol=0)
