"""CI smoke of the whole lab chain, small: demos, a VLM, a sweep of VLAs, evaluation,
compare and the HTML report, then the sweep command rerun on an older-format folder.

Sizes are the smallest that still exercise every step (1 demonstrated item, a
VLM of 4 steps, 2 ratios x 2 seeds of 5-step VLAs, a 2-category suite of 2
items each): the models learn nothing, the assertions are on the artefacts.
Wall time and peak memory: docs/guides/lab.md ("CI smoke").
"""

from __future__ import annotations

import csv
import json
import math
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from act2answer.cli.main import app
from act2answer.lab.sweep import summarise_model, summarise_sweep, t_interval
from act2answer.sim import SimConfig
from tests.helpers import tiers

tiers.import_or_skip("torch", "torch")  # skips naming the extra; fails in CI without it
pytestmark = pytest.mark.torch

FRAMES = SimConfig(camera_width=128, camera_height=96)
RATIOS, SEEDS = ("0", "0.5"), 2


def _cli(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def lab_chain(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Demos (CLI), a VLM (CLI), an eval suite, then ``act2answer lab sweep``."""
    root = tmp_path_factory.mktemp("chain")
    _cli("demos", "--out", str(root / "demos"), "-c", "Color", "-n", "1", "--seed", "9")
    (root / "vlm.toml").write_text(
        'kind = "vlm"\nper_category = 2\ncategories = ["Color", "Shape"]\nsteps = 4\n'
        "heldout_fraction = 0.5\n"
    )
    _cli("lab", "train", "--recipe", str(root / "vlm.toml"), "--out", str(root / "vlm"))
    _cli("synth", "-o", str(root / "suite"), "-n", "2", "--seed", "0", "-c", "Color,Shape")
    (root / "vla.toml").write_text(
        f'kind = "vla"\nbackbone = "{root / "vlm"}"\ndemos = "{root / "demos"}"\n'
        "steps = 5\nbatch_size = 8\n"
    )
    sweep = ["lab", "sweep", "--recipe", str(root / "vla.toml"), "--suite", str(root / "suite")]
    sweep += ["--out", str(root / "sweep"), "--ratios", ",".join(RATIOS), "--seeds", str(SEEDS)]
    (root / "sweep-args.json").write_text(json.dumps(sweep))
    output = _cli(*sweep)
    assert "r=0.5:" in output and "report.html" in output
    return root


def test_the_sweep_writes_summary_compare_and_a_report_with_every_comparison(lab_chain: Path):
    out = lab_chain / "sweep"
    models = [f"r{r}-seed{s}" for r in RATIOS for s in range(SEEDS)]
    assert all((out / m / "model" / "model.safetensors").is_file() for m in models)
    assert len(_rows(out / "sweep.csv")) == len(models)
    summary = _rows(out / "sweep_summary.csv")
    assert [row["ratio"] for row in summary] == ["0.0", "0.5"]
    assert {row["seeds"] for row in summary} == {str(SEEDS)}
    for row in summary:  # rates: a clipped t-interval around the mean, inside [0, 1]
        low, mean, high = (
            float(row[f"trained_success{key}"]) for key in ("_t95clip_low", "", "_t95clip_high")
        )
        assert 0.0 <= low <= mean <= high <= 1.0
        assert "probe_retention_t95_low" in row  # ratios: not clipped, named apart
    # compare: the pretrained VLM against every VLA and every fine-tuned backbone
    compared = _rows(out / "compare" / "compare.csv")
    assert {row["baseline"] for row in compared} == {"pretrained VLM"}
    others = {row["other"] for row in compared}
    assert others == {
        f"{kind} r={r} seed {s}" for kind in ("VLA", "VLA backbone") for r in RATIOS for s in (0, 1)
    }
    assert {row["category"] for row in compared} >= {"Color", "Shape"}
    page = (out / "report.html").read_text()
    for text in (
        'id="sweep"',  # the sweep section: success and retention against r, with intervals
        "VQA co-training ratio r",
        "success, held-out categories",
        "<b>VLA r=0.5 seed 1</b> − pretrained VLM",  # VLA vs VLM, paired
        "probe r=0 seed 0",  # layerwise probing: one curve per ratio, backbone and action
        "probe r=0.5 seed 0",
        "backbone (prefix)",
    ):
        assert text in page, text
    assert page.count("<svg") >= 4  # gap, probe curves, sweep (+ radar charts)
    assert (out / "sweep.png").stat().st_size > 1000
    probe = json.loads((out / "r0.5-seed0" / "eval" / "probe" / "probe.json").read_text())
    assert {point["part"] for point in probe["curves"]} == {"prefix", "action"}


def test_lab_evaluate_ends_with_compare_against_the_pretrained_vlm_and_a_report(
    lab_chain: Path,
):
    out = lab_chain / "eval-one"
    model = lab_chain / "sweep" / "r0-seed0" / "model"
    _cli("lab", "evaluate", str(model), "--suite", str(lab_chain / "suite"), "-o", str(out))
    evaluation = json.loads((out / "lab_eval.json").read_text())
    assert set(evaluation["folders"]) == {
        "backbone_vlm", "vlm", "episodes", "probe", "compare", "report"
    }  # fmt: skip
    assert set(evaluation["backbone_vlm"]) == {"Color", "Shape", "overall"}
    compared = _rows(out / "compare" / "compare.csv")
    assert {(row["baseline"], row["other"]) for row in compared} == {
        ("pretrained VLM", "VLA backbone (VLM probe)"),
        ("pretrained VLM", "VLA (episodes)"),
    }
    page = (out / "report.html").read_text()
    assert "<b>VLA (episodes)</b> − pretrained VLM" in page
    assert "<b>VLA (episodes)</b> − VLA backbone (VLM probe)" in page
    assert "layerwise probe" in page and 'id="sweep"' not in page
    # `act2answer report` takes a sweep folder next to run folders
    _cli("report", str(lab_chain / "sweep"), str(out / "vlm"), "--html", str(out / "again.html"))
    assert 'id="sweep"' in (out / "again.html").read_text()


def test_rerunning_the_sweep_upgrades_an_older_folder_without_retraining(
    lab_chain: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """A folder as the 2026-12-06 code wrote it: old summary columns, no compare/ or
    report, ``lab_eval.json`` folders recorded from elsewhere, one model not probed."""
    import act2answer.lab.evaluate as evaluate
    import act2answer.lab.train as train

    out = tmp_path / "sweep"
    shutil.copytree(lab_chain / "sweep", out)
    shutil.rmtree(out / "compare")
    (out / "report.html").unlink()
    (out / "sweep_summary.csv").write_text("ratio,seeds,trained_success,trained_success_low\n")
    for eval_dir in out.glob("*/eval"):
        data = json.loads((eval_dir / "lab_eval.json").read_text())
        data["folders"] = {k: f"/elsewhere/{Path(v).name}" for k, v in data["folders"].items()}
        (eval_dir / "lab_eval.json").write_text(json.dumps(data))
    unprobed = out / "r0.5-seed1" / "eval"
    shutil.rmtree(unprobed / "probe")
    data = json.loads((unprobed / "lab_eval.json").read_text())
    del data["folders"]["probe"], data["retention"]
    (unprobed / "lab_eval.json").write_text(json.dumps(data))

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a trained or evaluated part was redone")

    monkeypatch.setattr(train, "train_vla", refuse)
    monkeypatch.setattr(evaluate, "run_episodes", refuse)
    monkeypatch.setattr(evaluate, "run_vlm_probe", refuse)
    args = json.loads((lab_chain / "sweep-args.json").read_text())
    _cli(*[str(out) if arg == str(lab_chain / "sweep") else arg for arg in args])
    assert _rows(out / "sweep_summary.csv") == _rows(lab_chain / "sweep" / "sweep_summary.csv")
    assert (out / "compare" / "compare.csv").is_file() and (out / "report.html").is_file()
    assert (unprobed / "probe" / "probe.json").is_file()  # the missing part was added
    assert json.loads((unprobed / "lab_eval.json").read_text())["retention"]


def test_seed_intervals_of_rates_stay_in_0_1_and_ratios_are_not_clipped():
    # the 2026-12-06 r = 0 Color seeds: the plain t-interval is 0.55-1.19
    mean, low, high = t_interval([0.92, 0.96, 0.72])
    assert high == pytest.approx(1.19, abs=0.01)
    assert t_interval([0.92, 0.96, 0.72], (0.0, 1.0)) == (mean, low, 1.0)
    rows = [
        {"ratio": 0.0, "seed": s, "trained_success": v, "probe_retention": q}
        for s, (v, q) in enumerate(((0.92, 0.2), (0.96, 1.4), (0.72, 2.0)))
    ]
    (line,) = summarise_sweep(rows)
    assert line["seeds"] == 3 and line["trained_success"] == pytest.approx(mean)
    assert line["trained_success_t95clip_high"] == 1.0
    assert line["trained_success_t95clip_low"] == pytest.approx(low)
    assert line["probe_retention_t95_high"] > 2.0  # a ratio: the interval is not clipped
    assert "trained_success_t95_high" not in line and "probe_retention_t95clip_high" not in line
    assert math.isnan(summarise_sweep(rows[:1])[0]["trained_success_t95clip_low"])


def test_a_retention_of_zero_is_a_value_not_a_missing_one():
    evaluation = {"episodes": {"Color": 1.0}, "vlm": {"Color": 1.0}, "retention": {"value": 0.0}}
    assert summarise_model(evaluation, {"Color": 1.0}, ["Color"])["probe_retention"] == 0.0
    assert math.isnan(summarise_model({"retention": {}}, {}, ["Color"])["probe_retention"])


def test_probe_retention_in_the_sweep_pools_the_categories_the_backbone_probe_reads():
    from act2answer.lab.sweep import pooled_probe_retention
    from act2answer.report.html import CategoryRetention

    def peak(category: str, prefix: float, action: float) -> CategoryRetention:
        return CategoryRetention(category, math.nan, prefix, 0, action, 0)

    peaks = [  # from a real 8-item sweep model: the study's mean ratio was 27,273
        peak("Color", 0.85, 0.85),
        peak("Shape", 0.65, 0.6),
        peak("State", 0.5, 0.45),  # at chance: left out
        peak("Traffic", 0.5, 0.7),  # at chance: left out
    ]
    assert pooled_probe_retention(peaks) == pytest.approx((0.35 + 0.1) / (0.35 + 0.15))
    assert math.isnan(pooled_probe_retention(peaks[2:]))
    evaluation = {"episodes": {}, "vlm": {}, "retention": {"value": 27273.2}}
    row = summarise_model(evaluation, {}, ["Color"], peaks)
    assert row["probe_retention"] == pytest.approx(0.9)
