"""LeRobot's SmolVLA class trained with LeRobot's loop on our demonstrations, run by the adapter.

A few optimiser steps only (seconds): this checks that the part-1 dataset feeds
LeRobot's training path (dataset, delta timestamps, stats-built pre-processor,
``policy.forward`` loss) and that the saved checkpoint runs episodes through
``--policy lerobot``; it does not claim the model has learned the task.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("lerobot")

from act2answer.lab.demos import build_demo_dataset
from act2answer.lab.smolvla import train_smolvla
from act2answer.policies import PolicySpec
from act2answer.sim import SimConfig

FRAMES = SimConfig(camera_width=64, camera_height=48, background="none")


def test_trained_smolvla_checkpoint_runs_episodes_through_the_lerobot_adapter(tmp_path: Path):
    import torch
    from safetensors.torch import load_file

    from act2answer.report import load_report
    from act2answer.runner import run_evaluation

    torch.set_num_threads(1)
    root = tmp_path / "demos"
    build_demo_dataset(root, categories=["Color"], per_category=1, seed=7, sim_config=FRAMES)
    untrained = train_smolvla(root, tmp_path / "untrained", steps=0)
    trained = train_smolvla(root, tmp_path / "trained", steps=4)
    before = load_file(untrained / "model.safetensors")
    after = load_file(trained / "model.safetensors")
    changed = [k for k in after if not torch.equal(before[k], after[k])]
    assert changed, "no weight moved: the training loop did not step"
    assert (trained / "policy_preprocessor.json").exists()

    spec = PolicySpec(name="lerobot", kwargs={"model_path": str(trained)})
    run = run_evaluation(root / "suite", spec, tmp_path / "run", sim=FRAMES, workers=1)
    assert run.errors == 0 and run.episodes_run == 2
    report = load_report(tmp_path / "run")
    assert all(np.isfinite(r.cube_x) for r in report.results)
