"""compare: planted differences, identical runs, unpaired items, VLA vs VLM, CLI files."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from act2answer.analysis.compare import compare_runs, mcnemar_exact
from act2answer.analysis.consistency import layout_consistency
from act2answer.analysis.outcomes import load_outcomes
from act2answer.cli.main import app
from act2answer.eval.scoring import Outcome
from act2answer.interfaces import Side
from act2answer.store import VLMStore
from act2answer.vlm import InputMode, ModelSpec, VLMAnswer, VLMRunConfig
from act2answer.vlm.scoring import ScoreMethod

N_ITEMS = 200


def write_run(run_dir: Path, correct: dict[tuple[str, str], bool], model: str) -> Path:
    """A VLM run folder whose answers are right exactly on the given trials."""
    config = VLMRunConfig(
        suite_name="planted-v1",
        suite_hash="0" * 64,
        suite_path=str(run_dir / "missing-suite"),
        model=ModelSpec(model=model),
        input_mode=InputMode.OPTIONS,
    )
    with VLMStore(run_dir) as store:
        store.bind_config(config)
        for (item_id, side), right in correct.items():
            store.add(
                VLMAnswer(
                    item_id=item_id,
                    category="Even" if int(item_id.split("-")[1]) % 2 == 0 else "Odd",
                    answer_side=Side(side),
                    frame_seed=0,
                    letter_seed=0,
                    a_is_left=True,
                    correct_letter="A" if side == "left" else "B",
                    chosen_letter=("A" if side == "left" else "B")
                    if right
                    else ("B" if side == "left" else "A"),
                    chosen_side=Side(side) if right else Side(side).other,
                    outcome=Outcome.CORRECT if right else Outcome.WRONG,
                    score_a=-0.5,
                    score_b=-1.0,
                    margin=0.5 if right else -0.5,
                    method=ScoreMethod.LOGPROBS,
                    generated_text=None,
                    prompt="p",
                    wall_time_s=0.0,
                )
            )
    return run_dir


def planted(seed: int = 0) -> tuple[dict, dict]:
    """Baseline right on random trials; the other run is also right on a known 30% of
    items that the baseline got wrong in both layouts (a planted 30-point gap)."""
    rng = np.random.default_rng(seed)
    keys = [(f"item-{i}", side) for i in range(N_ITEMS) for side in ("left", "right")]
    baseline = {key: False for key in keys}
    items = rng.permutation(N_ITEMS)
    improved = set(items[: int(0.3 * N_ITEMS)].tolist())
    for i in items[int(0.3 * N_ITEMS) :]:
        for side in ("left", "right"):
            baseline[(f"item-{i}", side)] = bool(rng.random() < 0.6)
    other = dict(baseline)
    for i in improved:
        for side in ("left", "right"):
            other[(f"item-{i}", side)] = True
    return baseline, other


def test_planted_thirty_point_gap_is_found(tmp_path: Path) -> None:
    baseline, other = planted()
    a = load_outcomes(write_run(tmp_path / "a", baseline, "base"))
    b = load_outcomes(write_run(tmp_path / "b", other, "better"))
    comparison = compare_runs(a, b)
    overall = comparison.overall
    assert overall.gap_interval.contains(0.30)
    assert overall.gap_interval.low > 0.2
    assert overall.mcnemar_p < 0.01
    assert overall.agreement.only_baseline == 0
    assert overall.agreement.only_other == 2 * 60
    assert overall.trials == 2 * N_ITEMS
    for row in comparison.categories:
        assert row.gap_interval.low < row.gap < row.gap_interval.high
        assert row.mcnemar_p < 0.01
    assert comparison.only_baseline == () and comparison.only_other == ()


def test_identical_runs_have_no_gap(tmp_path: Path) -> None:
    baseline, _ = planted(seed=3)
    a = load_outcomes(write_run(tmp_path / "a", baseline, "one"))
    b = load_outcomes(write_run(tmp_path / "b", baseline, "two"))
    comparison = compare_runs(a, b)
    for row in (*comparison.categories, comparison.overall):
        assert row.gap == 0.0
        assert row.mcnemar_p == 1.0
        assert (row.gap_interval.low, row.gap_interval.high) == (0.0, 0.0)
    assert mcnemar_exact(0, 0) == 1.0
    assert mcnemar_exact(0, 10) == pytest.approx(2 * 0.5**10)


def test_unpaired_items_are_reported(tmp_path: Path) -> None:
    baseline, other = planted()
    del other[("item-7", "left")]
    other[("item-999", "right")] = True
    a = load_outcomes(write_run(tmp_path / "a", baseline, "base"))
    b = load_outcomes(write_run(tmp_path / "b", other, "better"))
    comparison = compare_runs(a, b)
    assert comparison.only_baseline == (("item-7", "left"),)
    assert comparison.only_other == (("item-999", "right"),)
    assert comparison.overall.trials == 2 * N_ITEMS - 1


def test_consistency_across_layouts() -> None:
    from act2answer.analysis.outcomes import Trial

    trials = [
        Trial("a", "C", Side.LEFT, True),
        Trial("a", "C", Side.RIGHT, True),
        Trial("b", "C", Side.LEFT, True),
        Trial("b", "C", Side.RIGHT, False),
        Trial("c", "C", Side.LEFT, True),  # one layout only: not counted
    ]
    row, overall = layout_consistency(trials)
    assert (row.items, row.both_correct, row.rate) == (2, 1, 0.5)
    assert overall.items == 2 and overall.interval.low < 0.5 < overall.interval.high


def test_compare_cli_vla_against_vlm(tmp_path: Path, make_suite) -> None:
    from act2answer.runner import run_evaluation, run_vlm
    from tests.helpers.vlm_fakes import ColourBackend

    suite = make_suite(n=6)
    run_evaluation(suite.root, "left", tmp_path / "vla", workers=1)
    run_vlm(
        suite,
        ModelSpec(model="fake"),
        tmp_path / "vlm",
        input_mode=InputMode.OPTIONS,
        backend=ColourBackend(),
    )
    result = CliRunner().invoke(
        app,
        ["compare", str(tmp_path / "vlm"), str(tmp_path / "vla"), "--out", str(tmp_path / "cmp")],
    )
    assert result.exit_code == 0, result.output
    with (tmp_path / "cmp" / "compare.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    overall = rows[-1]
    assert float(overall["baseline_success"]) == 1.0
    assert float(overall["other_success"]) == pytest.approx(0.5)
    assert float(overall["gap_points"]) == pytest.approx(-50.0)
    assert int(overall["only_baseline"]) == 6 and int(overall["both_right"]) == 6
    data = json.loads((tmp_path / "cmp" / "compare.json").read_text())
    assert [run["kind"] for run in data["runs"]] == ["vlm", "vla"]
    assert data["comparisons"][0]["same_scene"] is None  # options mode: no frames
    vla_consistency = data["runs"][1]["consistency"][-1]
    assert vla_consistency["rate"] == 0.0  # always-left: one of two layouts per item
    report = CliRunner().invoke(app, ["report", str(tmp_path / "vla")])
    assert report.exit_code == 0 and "Consistency across layouts" in report.output
    metrics = json.loads((tmp_path / "vla" / "metrics.json").read_text())
    assert metrics["consistency"][-1]["items"] == 6 and metrics["consistency"][-1]["rate"] == 0.0
    assert "Consistency across layouts" in (tmp_path / "vla" / "report.md").read_text()
    refused = CliRunner().invoke(app, ["compare", str(tmp_path / "vla")])
    assert refused.exit_code == 1


def test_frames_from_other_simulator_settings_are_flagged(tmp_path: Path) -> None:
    from dataclasses import replace

    baseline, other = planted()
    a = load_outcomes(write_run(tmp_path / "a", baseline, "base"))
    b = load_outcomes(write_run(tmp_path / "b", other, "better"))
    same = compare_runs(replace(a, scene="sim1"), replace(b, scene="sim1"), resamples=100)
    differ = compare_runs(replace(a, scene="sim1"), replace(b, scene="sim2"), resamples=100)
    assert (same.same_scene, differ.same_scene) == (True, False)
