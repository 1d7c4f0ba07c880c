"""Source converters on fixture files in each published format; curation report counts."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from act2answer.sources import CurationConfig, convert
from act2answer.sources import _model as reasons
from act2answer.sources._model import CurationReport
from act2answer.suite import load_suite, read_rgb
from tests.helpers import source_fixtures as fx


def assert_report_adds_up(report: CurationReport, out: Path) -> None:
    for name, counts in report.categories.items():
        assert counts.consistent, (name, counts)
    assert report.pool == report.kept + sum(report.dropped().values())
    saved = json.loads((out / "curation_report.json").read_text())
    assert saved["pool"] == report.pool and saved["kept"] == report.kept
    assert "| all |" in (out / "curation_report.md").read_text()


def test_compbench(tmp_path: Path) -> None:
    data = fx.write_compbench(tmp_path / "compbench")
    suite, report = convert("compbench", data, tmp_path / "suite")
    assert_report_adds_up(report, tmp_path / "suite")
    assert report.pool == 16
    assert {c: n.kept for c, n in report.categories.items()} == {
        "Attribute": 4, "State": 4, "Emotion": 3, "(spatial)": 0}  # fmt: skip
    assert report.dropped() == {
        reasons.NOT_IN_STUDY: 1, reasons.AMBIGUOUS: 1, reasons.PATH_OUTSIDE: 1,
        reasons.UNREADABLE: 1, reasons.NO_REWRITE: 1}  # fmt: skip
    by_question = {item.question: item for item in suite.items}
    item = by_question["Which bird has a longer beak?"]
    assert item.instruction == "put the cube on the bird that has a longer beak"
    # "Left" in the source -> image_1 is the correct option, wherever it was placed.
    assert np.array_equal(read_rgb(suite.image_path(item.options[item.answer])),
                          read_rgb(data / "cub" / "0.png"))  # fmt: skip
    assert by_question["Which bird is bigger, left or right?"].instruction == (
        "put the cube on the bird that is bigger"
    )
    for category in ("Attribute", "State"):
        answers = [i.answer for i in suite.items if i.category == category]
        assert sorted(answers) == [0, 0, 1, 1]  # slots balanced within a category


def test_compbench_is_deterministic_and_seeded(tmp_path: Path) -> None:
    data = fx.write_compbench(tmp_path / "compbench")
    convert("compbench", data, tmp_path / "a", config=CurationConfig(seed=3))
    convert("compbench", data, tmp_path / "b", config=CurationConfig(seed=3))
    assert (tmp_path / "a/suite.jsonl").read_text() == (tmp_path / "b/suite.jsonl").read_text()
    convert("compbench", data, tmp_path / "c", config=CurationConfig(seed=4, per_category=2))
    suite = load_suite(tmp_path / "c")
    assert len([i for i in suite.items if i.category == "State"]) == 2
    report = json.loads((tmp_path / "c/curation_report.json").read_text())
    assert report["categories"]["State"]["dropped"][reasons.OVER_QUOTA] == 2


def test_iconqa_original_layout(tmp_path: Path) -> None:
    data = fx.write_iconqa(tmp_path / "iconqa_data")
    suite, report = convert("iconqa", data, tmp_path / "suite")
    assert_report_adds_up(report, tmp_path / "suite")
    assert report.pool == 13 and report.kept == 8
    assert {c: n.kept for c, n in report.categories.items() if n.kept} == {
        "Time": 2, "Counting": 2, "Shape": 2, "Symmetry": 2}  # fmt: skip
    assert report.dropped() == {reasons.TEXT_ANSWERS: 2, reasons.NEEDS_QUERY_IMAGE: 1,
                                reasons.NOT_IN_STUDY: 1, reasons.MALFORMED: 1}  # fmt: skip
    clock = suite.item("iconqa-100")
    assert clock.instruction == "put the cube on the clock that shows half past three"
    correct = read_rgb(suite.image_path(clock.options[clock.answer]))
    assert np.array_equal(correct, read_rgb(data / "iconqa/train/choose_img/100/choice_1.png"))
    assert clock.meta["choice_index"][0] == 1 and clock.meta["choice_index"][1] in (0, 2)


def test_iconqa_parquet_copy_matches_original(tmp_path: Path) -> None:
    original, _ = convert("iconqa", fx.write_iconqa(tmp_path / "orig"), tmp_path / "s1")
    table, report = convert("iconqa", fx.write_iconqa_parquet(tmp_path / "hf"), tmp_path / "s2")
    assert report.kept == 8 and report.pool == 13
    for a, b in zip(original.items, table.items, strict=True):
        assert (a.id, a.instruction, a.answer) == (b.id, b.instruction, b.answer)
        for x, y in zip(a.options, b.options, strict=True):
            assert np.array_equal(read_rgb(original.image_path(x)), read_rgb(table.image_path(y)))


def test_mmbench_celebrity(tmp_path: Path) -> None:
    data = fx.write_mmbench(tmp_path / "mmbench")
    suite, report = convert("mmbench", data / "MMBench_DEV_EN.tsv", tmp_path / "suite")
    assert_report_adds_up(report, tmp_path / "suite")
    assert report.pool == 12 and report.kept == 8 + 1
    assert report.dropped() == {reasons.NOT_IN_STUDY: 2, reasons.UNREADABLE: 1}
    item = suite.item("mmbench-3")
    assert item.instruction == "put the cube on Marie Curie"
    assert item.meta["labels"][item.answer] == "Marie Curie"
    assert item.meta["labels"][1 - item.answer] != "Marie Curie"
    correct = read_rgb(suite.image_path(item.options[item.answer]))
    assert np.array_equal(correct, np.asarray(fx.tiny_image(303)))
    # Row 8 stores its image as a reference to row 0 (VLMEvalKit's de-duplication).
    repeated = suite.item("mmbench-8")
    assert np.array_equal(read_rgb(suite.image_path(repeated.options[repeated.answer])),
                          np.asarray(fx.tiny_image(300)))  # fmt: skip


def test_okvqa_living_world(tmp_path: Path) -> None:
    data = fx.write_okvqa(tmp_path / "okvqa")
    suite, report = convert("okvqa", data, tmp_path / "suite")
    assert_report_adds_up(report, tmp_path / "suite")
    assert report.pool == 12 and report.kept == 8
    assert report.dropped() == {reasons.NOT_IN_STUDY: 2, reasons.AMBIGUOUS: 1,
                                reasons.NO_REWRITE: 1}  # fmt: skip
    parrot = suite.item("okvqa-1")
    assert parrot.instruction == "put the cube on the parrot"
    assert parrot.category == "Living World"
    distractor = parrot.meta["labels"][1 - parrot.answer]
    assert distractor not in ("parrot", "macaw")


def test_concept_boards(tmp_path: Path) -> None:
    data = fx.write_concepts(tmp_path / "boards", outside=tmp_path / "elsewhere")
    suite, report = convert("concepts", data, tmp_path / "suite")
    assert_report_adds_up(report, tmp_path / "suite")
    assert {c: n.kept for c, n in report.categories.items()} == {
        "Color": 5, "Traffic": 4, "Public Info": 3}  # fmt: skip
    assert report.dropped() == {reasons.PATH_OUTSIDE: 1, reasons.UNREADABLE: 1}
    instructions = {item.instruction for item in suite.items}
    assert "put the cube on the red tile" in instructions
    assert "put the cube on the stop sign" in instructions
    assert "put the cube on the yield sign" in instructions
    assert "put the cube on the first aid sign" in instructions
    for item in suite.items:
        labels = item.meta["labels"]
        assert labels[0] != labels[1]


@pytest.mark.parametrize("source", ["compbench", "iconqa", "okvqa", "concepts"])
def test_missing_dataset_folder_is_one_line(tmp_path: Path, source: str) -> None:
    from act2answer.sources import SourceFileError

    (tmp_path / "empty").mkdir()
    with pytest.raises(SourceFileError) as info:
        convert(source, tmp_path / "empty", tmp_path / "out")
    assert "empty" in str(info.value) and "\n" not in str(info.value)
