"""A tiny SmolVLA (LeRobot's real class) through `act2answer probe`: prefix and action curves."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import torch
from typer.testing import CliRunner

from act2answer.cli.main import app
from act2answer.probing import FeatureStore
from act2answer.testing.tiny import build_tiny

runner = CliRunner()


@pytest.fixture(autouse=True)
def one_torch_thread() -> Iterator[None]:
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def test_tiny_smolvla_probe_end_to_end(tmp_path: Path) -> None:
    from act2answer.synth import generate_suite

    suite = tmp_path / "suite"
    generate_suite(suite, per_category=20, seed=5, categories=["Color", "Shape"], workers=1)
    kwargs = {**build_tiny("lerobot", tmp_path / "model"), "device": "cpu"}
    out = tmp_path / "run"
    args = ["probe", "--suite", str(suite), "--model", "lerobot", "--out", str(out)]
    result = runner.invoke(app, [*args, "--model-args", json.dumps(kwargs)])
    assert result.exit_code == 0, result.output
    assert "80 episodes recorded" in result.output
    store = FeatureStore.open(out / "features")
    modules = {(layer.part, layer.module) for layer in store.layers}
    assert any(p == "prefix" and "text_model.layers.0.input_layernorm" in m for p, m in modules)
    assert any(p == "action" and "lm_expert.layers.0.input_layernorm" in m for p, m in modules)
    prefix = store.load("prefix", 1, "mean")
    action = store.load("action", 1, "last")
    assert prefix.shape[0] == action.shape[0] == 80
    assert np.isfinite(prefix).all() and np.isfinite(action).all()
    assert prefix.shape[1] != action.shape[1]  # the expert is narrower than the VLM
    document = json.loads((out / "probe.json").read_text())
    assert {point["part"] for point in document["curves"]} == {"prefix", "action"}
    retention = document["retention"]
    assert retention["method"] == "items" and retention["low"] <= retention["high"]
    assert {term["category"] for term in retention["categories"]} == {"Color", "Shape"}
