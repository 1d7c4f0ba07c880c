"""LeRobot's SmolVLA class trained by LeRobot's trainer on our demonstrations, run by the adapter.

A few optimiser steps of a very small config (seconds). From a random backbone
(``pretrain_items=0``): the part-1 demonstrations
(still tail trimmed, frames resized as the adapter resizes them) feed
``lerobot_train.train``; the vision tower, the VLM and the action expert all
train (SmolVLA's defaults freeze the first two, which a random backbone cannot
afford); the tokenizer knows every word of the instructions; the checkpoint
LeRobot saves loads through ``--policy lerobot`` and runs the same episodes in
process and served; the mirrored and channel-swapped presets reach the model
as mirrored and channel-swapped tensors. With VQA pretraining (the default):
the VLM's weights leave their initialisation, behaviour cloning starts from the
pretrained checkpoint and keeps the vision tower and VLM frozen while the
expert trains, and the pretraining fits the questions it is given. Whether the
model learns the task is measured by ``benchmarks/lab_smolvla.py`` (minutes,
not a test).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("lerobot")

from act2answer.lab.smolvla import (
    REPO_ID,
    SmolVLARecipe,
    build_smolvla_demos,
    dataset_instructions,
    pretrain_vlm,
    smolvla_config,
    split_vqa,
    train_smolvla,
    vqa_accuracy,
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
    pretrain_items=0,
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


def _one_item_demos(root: Path) -> None:
    build_smolvla_demos(
        root, categories=["Color"], per_category=1, seed=7, keep_still=4,
        frame_size=(24, 32), start_copies=0, sim_config=FRAMES,
    )  # fmt: skip


def _vlm_and_expert(weights: dict) -> tuple[dict, dict]:
    vlm = {k: v for k, v in weights.items() if ".vlm." in k}
    expert = {k: v for k, v in weights.items() if "lm_expert" in k}
    assert vlm and expert
    return vlm, expert


def _same(a: dict, b: dict) -> bool:
    import torch

    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


def test_vqa_pretrained_vlm_is_where_behaviour_cloning_starts_and_stays_frozen(
    tmp_path: Path,
) -> None:
    import json

    import torch
    from lerobot.datasets.lerobot_dataset import LeRobotDatasetMetadata
    from lerobot.policies.factory import make_policy as make_lerobot_policy
    from safetensors.torch import load_file
    from transformers import AutoTokenizer

    from act2answer.lab.vqa import VQASet

    torch.set_num_threads(1)
    root = tmp_path / "demos"
    _one_item_demos(root)
    recipe = RECIPE.model_copy(update={"pretrain_items": 3, "pretrain_steps": 4, "steps": 3})
    out = tmp_path / "smolvla"
    last = train_smolvla(root, out, recipe, sim_config=FRAMES)

    metrics = json.loads((out / "pretraining.json").read_text())
    assert (metrics["steps"], metrics["questions"], metrics["heldout_questions"]) == (4, 4, 2)
    assert 0.0 <= metrics["heldout_accuracy"] <= 1.0 and len(metrics["loss"]) == 1
    # The VLM is frozen while the expert trains: what it knew, it still knows.
    assert metrics["heldout_accuracy_after_cloning"] == metrics["heldout_accuracy"]
    vqa = VQASet.load(out / "vqa" / "vqa.npz")
    assert len(vqa) == 6 and set(vqa.categories) == {"Color"}
    tokenizer = AutoTokenizer.from_pretrained(out / "vlm")
    for text in [*dataset_instructions(root), *vqa.instructions]:
        assert tokenizer.unk_token_id not in tokenizer(str(text))["input_ids"], text

    # The initialisation pretraining started from: same seed, same config.
    torch.manual_seed(recipe.seed)
    fresh = make_lerobot_policy(
        smolvla_config(out / "vlm", recipe),
        ds_meta=LeRobotDatasetMetadata(REPO_ID, root=root),
    )
    init_vlm, _ = _vlm_and_expert({f"model.{k}": v for k, v in fresh.model.state_dict().items()})
    base_vlm, base_expert = _vlm_and_expert(load_file(out / "base" / "model.safetensors"))
    last_vlm, last_expert = _vlm_and_expert(load_file(last / "model.safetensors"))
    assert init_vlm.keys() == base_vlm.keys()
    pretrained, kept, expert_trained = (
        not _same(init_vlm, base_vlm),
        _same(base_vlm, last_vlm),
        not _same(base_expert, last_expert),
    )
    assert pretrained, "VQA pretraining left the VLM at its initialisation"
    assert kept, "behaviour cloning did not start from the frozen base VLM"
    assert expert_trained, "the action expert did not train"
    config = json.loads((last / "config.json").read_text())
    assert config["freeze_vision_encoder"] and config["train_expert_only"]


def test_vqa_pretraining_fits_its_questions(tmp_path: Path) -> None:
    import torch
    from lerobot.datasets.lerobot_dataset import LeRobotDatasetMetadata
    from lerobot.policies.factory import make_policy as make_lerobot_policy
    from lerobot.policies.factory import make_pre_post_processors

    from act2answer.lab.vqa import build_vqa_set
    from act2answer.testing.tiny.smolvla import write_tiny_vlm

    torch.set_num_threads(1)
    root = tmp_path / "demos"
    _one_item_demos(root)
    vqa = build_vqa_set(
        tmp_path / "vqa", per_category=4, seed=11, categories=["Color"], sim_config=FRAMES
    )
    recipe = RECIPE.model_copy(update={"pretrain_steps": 150, "pretrain_lr": 3e-3, "warmup": 10})
    write_tiny_vlm(
        tmp_path / "vlm", sentences=[str(t) for t in vqa.instructions], image_size=32,
        patch_size=8, width=32, layers=2, heads=2, vision_width=16, vision_layers=1,
    )  # fmt: skip
    config = smolvla_config(tmp_path / "vlm", recipe)
    metadata = LeRobotDatasetMetadata(REPO_ID, root=root)
    torch.manual_seed(0)
    policy = make_lerobot_policy(config, ds_meta=metadata)
    preprocessor, _ = make_pre_post_processors(config, dataset_stats=metadata.stats)
    head, metrics = pretrain_vlm(policy, preprocessor, vqa, recipe)
    assert metrics["questions"] == len(vqa) == 8 and metrics["train_accuracy"] == 1.0, metrics
    assert vqa_accuracy(policy, head, preprocessor, vqa) == 1.0
    assert metrics["loss"][-1] < 0.5 * metrics["loss"][0], metrics["loss"]


def test_split_vqa_holds_out_whole_items() -> None:
    from act2answer.lab.vqa import VQASet

    items = np.repeat([f"c-{i}" for i in range(20)], 2)
    vqa = VQASet(
        images=np.zeros((40, 2, 2, 3), np.uint8), prompts=items, instructions=items,
        answers=np.zeros(40, int), sides=np.tile([0, 1], 20), categories=items, item_ids=items,
    )  # fmt: skip
    train, heldout = split_vqa(vqa, 0.1, seed=3)
    assert len(heldout) == 4 and len(train) == 36
    assert not set(train.item_ids) & set(heldout.item_ids)
    assert split_vqa(vqa, 0.1, seed=3)[1].item_ids.tolist() == heldout.item_ids.tolist()
    assert len(split_vqa(vqa.subset(items < "c-2"), 0.1, seed=3)[1]) == 2  # at least one item
    assert len(split_vqa(vqa, 0.0, seed=3)[1]) == 0
