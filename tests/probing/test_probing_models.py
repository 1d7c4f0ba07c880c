"""Probe models of real families, end to end through `act2answer probe` on a 40-item suite."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from act2answer.cli.main import app
from act2answer.probing import FeatureStore
from act2answer.probing.families import decoder_layer_pattern, token_decoder_patterns
from tests.conftest import make_colour_suite
from tests.helpers import tiers

torch = tiers.import_or_skip("torch", "torch")  # collection works without the vlm extra
pytestmark = [pytest.mark.torch, pytest.mark.sim]

runner = CliRunner()


@pytest.fixture(autouse=True)
def one_torch_thread() -> Iterator[None]:
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def test_tiny_transformers_vlm_end_to_end(
    tiny_vlm_dir: Callable[[str], Path], tmp_path: Path
) -> None:
    suite = tmp_path / "suite"
    make_colour_suite(suite, n=40, name="probe-40-v1")  # 20 items per category, 80 episodes
    folder = tiny_vlm_dir("llava")
    out = tmp_path / "run"
    model_args = json.dumps({"model": str(folder), "device": "cpu", "dtype": "float32"})
    args = ["probe", "--suite", str(suite), "--model", "transformers", "--out", str(out)]
    result = runner.invoke(app, [*args, "--model-args", model_args])
    assert result.exit_code == 0, result.output
    assert "80 episodes recorded" in result.output
    store = FeatureStore.open(out / "features")
    assert [layer.module for layer in store.layers] == [
        "model.language_model.layers.0",
        "model.language_model.layers.1",
    ]
    assert store.load("prefix", 1, "mean").shape == (80, 64)
    document = json.loads((out / "probe.json").read_text())
    assert {point["part"] for point in document["curves"]} == {"prefix"}
    assert document["retention"] is None  # a VLM has no action layers
    assert (out / "probe.png").exists()


def test_layer_patterns_skip_vision_towers_and_split_token_decoders() -> None:
    class Tower(torch.nn.Module):
        def __init__(self, layers: int) -> None:
            super().__init__()
            self.layers = torch.nn.ModuleList(torch.nn.Linear(2, 2) for _ in range(layers))

    root = torch.nn.Module()
    root.vision_tower = Tower(6)
    root.language_model = Tower(4)
    pattern = decoder_layer_pattern(root)
    assert pattern == r"language_model\.layers\.\d+"
    patterns = token_decoder_patterns(root)
    assert (patterns["prefix"].calls, patterns["action"].calls) == ("first", "after_first")
