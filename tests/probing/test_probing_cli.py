"""End to end: suite -> simulator first frames -> toy-vla hooks -> features -> probes -> outputs."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from act2answer.cli.main import app
from act2answer.probing import FeatureStore, record_suite
from act2answer.probing._models import load_probe_model
from act2answer.sim import SimConfig
from tests.conftest import make_colour_suite
from tests.helpers import tiers

tiers.import_or_skip("torch", "torch")  # the probe model is a torch module
pytestmark = [pytest.mark.torch, pytest.mark.sim]

runner = CliRunner()


@pytest.fixture(autouse=True)
def one_torch_thread() -> Iterator[None]:
    """A 50k-parameter model: torch's thread pool only adds spin-waits on a busy 2-core machine."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def suite_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("probe") / "suite"
    make_colour_suite(root, n=12)  # 6 items in each of two categories, 24 episodes
    return root


def test_probe_records_resumes_fits_and_reports(suite_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "run"
    model = load_probe_model("toy-vla", {"prefix_layers": 3, "action_layers": 2})

    class Interrupt(Exception):
        pass

    def stop_after_9(done: int, total: int) -> None:
        if done == 9:
            raise Interrupt

    small = SimConfig(camera_width=160, camera_height=120)
    with pytest.raises(Interrupt):
        record_suite(suite_dir, model, out, "toy-vla", sim=small, on_episode=stop_after_9)
    assert len(FeatureStore.open(out / "features").rows()) == 9

    store, summary = record_suite(suite_dir, model, out, "toy-vla", sim=small)
    assert (summary.recorded, summary.skipped) == (15, 9)
    rows = store.rows()
    assert len(rows) == 24 and len({(row.item_id, row.layout) for row in rows}) == 24
    assert {row.label for row in rows if row.layout == "right"} == {1}
    assert [(layer.part, layer.layer) for layer in store.layers] == [
        ("prefix", 0),
        ("prefix", 1),
        ("prefix", 2),
        ("action", 0),
        ("action", 1),
    ]
    features = store.load("prefix", 2, "last")
    assert features.shape == (24, 32) and np.isfinite(features).all()
    # Same seed, same frame, same model: a fresh recording gives identical features.
    again, _ = record_suite(suite_dir, model, tmp_path / "again", "toy-vla", sim=small)
    np.testing.assert_allclose(again.load("action", 1, "mean"), store.load("action", 1, "mean"))


def test_probe_cli_end_to_end(suite_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "run"
    args = ["probe", "--suite", str(suite_dir), "--model", "toy-vla", "--out", str(out)]
    result = runner.invoke(app, [*args, "--model-args", '{"prefix_layers": 3}'])
    assert result.exit_code == 0, result.output
    assert "24 episodes recorded" in result.output and "retention" in result.output
    document = json.loads((out / "probe.json").read_text())
    curves = document["curves"]
    assert {point["category"] for point in curves} == {"Color", "Shade", "overall"}
    assert {(p["part"], p["layer"]) for p in curves} == {
        ("prefix", 0),
        ("prefix", 1),
        ("prefix", 2),
        ("action", 0),
        ("action", 1),
    }
    assert all(0 <= p["accuracy"] <= 1 and p["n"] in (12, 24) for p in curves)
    assert document["retention"]["method"] == "items"
    assert (out / "probe.png").stat().st_size > 10_000
    assert (out / "probe_curves.csv").read_text().startswith("category,part,layer,accuracy")

    rerun = runner.invoke(app, [*args, "--model-args", '{"prefix_layers": 3}', "--no-plot"])
    assert rerun.exit_code == 0 and "0 episodes recorded, 24 already stored" in rerun.output
    other = runner.invoke(app, args)
    assert other.exit_code == 1 and "different configuration" in other.output

    refit = runner.invoke(app, ["probe", "fit", str(out), "--pooling", "mean", "--folds", "4"])
    assert refit.exit_code == 0, refit.output
    assert json.loads((out / "probe.json").read_text())["config"]["pooling"] == "mean"

    retention = runner.invoke(app, ["probe", "retention", str(out / "probe.json")])
    assert retention.exit_code == 0, retention.output
    assert "retention" in retention.output and "binomial bootstrap" in retention.output

    report = runner.invoke(app, ["report", str(out)])
    assert report.exit_code == 0, report.output
    assert "probe curves: 15 points" in report.output


def test_probe_cli_errors_are_named(tmp_path: Path) -> None:
    result = runner.invoke(app, ["probe", "--suite", str(tmp_path), "--out", str(tmp_path)])
    assert result.exit_code == 1 and "needs --suite, --model and --out" in result.output
    result = runner.invoke(app, ["probe", "fit", str(tmp_path / "nothing")])
    assert result.exit_code == 1 and "no features here" in result.output
    curves = tmp_path / "c.csv"
    curves.write_text("category,part,layer,accuracy\nA,prefix,0,0.9\n")
    result = runner.invoke(app, ["probe", "retention", str(curves)])
    assert result.exit_code == 1 and "both a prefix and an action curve" in result.output
    result = runner.invoke(
        app, ["probe", "--suite", "s", "--model", "nope", "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 1 and "unknown probe model 'nope'" in result.output
