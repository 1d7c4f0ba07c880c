"""Shortcut audit: a planted leak is flagged, a fair suite is not, and the CLI reports it."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw
from typer.testing import CliRunner

from act2answer.cli.main import app
from act2answer.quality.audit import (
    FLAG_ACCURACY,
    audit_suite,
    centroid_line_choice,
    concept_labels,
    instruction_polarity,
    line_offset,
    wilson_interval,
)
from act2answer.quality.check import check_suite
from act2answer.suite import SuiteItem, save_suite


def _picture(rng: np.random.Generator, extra_ink: float) -> Image.Image:
    """A disc of random colour, size and place; ``extra_ink`` widens it (the planted leak)."""
    image = Image.new("RGB", (64, 64), (245, 245, 240))
    draw = ImageDraw.Draw(image)
    r = float(rng.uniform(8, 16)) + extra_ink
    x, y = rng.uniform(20, 44, size=2)
    color = tuple(int(c) for c in rng.integers(20, 230, size=3))
    draw.ellipse((x - r, y - r, x + r, y + r), fill=color)
    return image


def _suite(root: Path, n: int, leak: float, seed: int = 0) -> Path:
    """Categories "Fair" (options drawn alike) and "Leaky" (correct drawn bigger by ``leak``)."""
    rng = np.random.default_rng(seed)
    (root / "img").mkdir(parents=True)
    items = []
    for category, extra in (("Fair", 0.0), ("Leaky", leak)):
        for i in range(n):
            answer = i % 2
            paths = []
            for slot in range(2):
                path = f"img/{category}-{i}-{slot}.png"
                _picture(rng, extra if slot == answer else 0.0).save(root / path)
                paths.append(path)
            items.append(
                SuiteItem(
                    id=f"{category}-{i}",
                    category=category,
                    source="test",
                    question="Which is it?",
                    instruction="put the cube on the right picture",
                    options=(paths[0], paths[1]),
                    answer=answer,
                    meta={"concept": f"c{i % 3}", "distractor_concept": f"c{(i + 1) % 3}"},
                )
            )
    save_suite(root, items, name="audit-test")
    return root


@pytest.fixture(scope="module")
def leaky_suite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _suite(tmp_path_factory.mktemp("leaky"), n=80, leak=6.0)


def test_planted_leak_is_flagged_and_fair_category_is_not(leaky_suite: Path) -> None:
    report = audit_suite(leaky_suite)
    by_name = {c.category: c for c in report.categories}
    assert report.flagged == ["Leaky"]
    leaky = by_name["Leaky"].best_free
    assert leaky is not None and leaky.accuracy > 0.8 and leaky.low > 0.6
    fair = by_name["Fair"].best_free
    assert fair is not None and fair.accuracy < FLAG_ACCURACY
    assert "FLAGGED Leaky" in report.summary_line()


def test_audit_cli_exit_code_and_json(leaky_suite: Path, tmp_path: Path) -> None:
    out = tmp_path / "audit.json"
    result = CliRunner().invoke(app, ["suite", "audit", str(leaky_suite), "--json", str(out)])
    assert result.exit_code == 1, result.output
    assert "Leaky" in result.output and "FLAG" in result.output
    data = json.loads(out.read_text())
    assert data["flagged"] == ["Leaky"]


def test_check_has_audit_summary_line(leaky_suite: Path) -> None:
    report = check_suite(leaky_suite, hash_duplicates=False, audit=True)
    assert report.audit_line is not None and "FLAGGED Leaky" in report.audit_line
    assert report.ok  # the audit warns, it does not fail the check
    assert check_suite(leaky_suite, hash_duplicates=False).audit_line is None


def test_image_prior_finds_a_favoured_concept(tmp_path: Path) -> None:
    """Options drawn alike, but concept "star" is the answer in 3 of 4 items it appears in."""
    rng = np.random.default_rng(1)
    (tmp_path / "img").mkdir()
    items = []
    for i in range(80):
        answer = i % 2
        paths = []
        for slot in range(2):
            path = f"img/{i}-{slot}.png"
            _picture(rng, 0.0).save(tmp_path / path)
            paths.append(path)
        other = ("moon", "sun", "tree")[i % 3]
        items.append(SuiteItem(
            id=f"p-{i}", category="Prior", source="test", question="q",
            instruction="put the cube on the picture", options=(paths[0], paths[1]),
            answer=answer, meta={"concept": "star" if i % 4 else other,
                                 "distractor_concept": other if i % 4 else "star"},
        ))  # fmt: skip
    save_suite(tmp_path, items)
    report = audit_suite(tmp_path)
    prior = next(s for s in report.categories[0].shortcuts if s.name == "image_prior")
    assert prior.accuracy >= 0.7
    assert report.flagged == ["Prior"]


def test_helpers() -> None:
    low, high = wilson_interval(70, 100)
    assert 0.60 < low < 0.61 and 0.78 < high < 0.79
    assert wilson_interval(0, 0) == (0.0, 1.0)
    assert instruction_polarity("put the cube on the taller tower") == 1
    assert instruction_polarity("place the cube on the picture with fewer stars") == -1
    assert instruction_polarity("put the cube on the red ball") == 0
    item = SuiteItem(
        id="x", category="Shape", source="s", question="q", instruction="put the cube",
        options=("a.png", "b.png"), answer=0,
        meta={"target_shape": "circle", "distractor_shape": "oval"},
    )  # fmt: skip
    assert concept_labels(item) == ("shape=circle", "shape=oval")


def _line_picture(rng: np.random.Generator, offset: float) -> Image.Image:
    """A coloured blob crossed by a dark line ``offset`` px from its centre (any angle)."""
    image = Image.new("RGB", (128, 128), (240, 240, 235))
    draw = ImageDraw.Draw(image)
    cx, cy = rng.uniform(52, 76, size=2)
    r = float(rng.uniform(22, 32))
    color = tuple(int(c) for c in rng.integers(60, 230, size=3))
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=color)
    angle = float(rng.uniform(0, np.pi))
    ux, uy = np.cos(angle), np.sin(angle)
    px, py = cx - uy * offset, cy + ux * offset
    draw.line((px - 50 * ux, py - 50 * uy, px + 50 * ux, py + 50 * uy), fill=(20, 20, 20), width=5)
    return image


def test_line_offset_measures_distance_to_the_figure_centre() -> None:
    rng = np.random.default_rng(3)
    centred = [line_offset(np.asarray(_line_picture(rng, 0.0))) for _ in range(10)]
    shifted = [line_offset(np.asarray(_line_picture(rng, 16.0))) for _ in range(10)]
    assert max(centred) < 2 / 128
    assert min(shifted) > 8 / 128
    blank = np.full((64, 64, 3), 240, dtype=np.uint8)
    assert line_offset(blank) == 0.0
    good, bad = np.asarray(_line_picture(rng, 0.0)), np.asarray(_line_picture(rng, 16.0))
    assert centroid_line_choice(good, bad) == 1.0
    assert centroid_line_choice(bad, good) == 0.0
    assert centroid_line_choice(good, good) == 0.5


def _lines_suite(root: Path, modes: list[str], off_centre: str, seed: int) -> None:
    """Items whose wrong line is 12-20 px off the figure's centre in mode ``off_centre``
    only; in every other mode both lines run through the middle."""
    rng = np.random.default_rng(seed)
    (root / "img").mkdir()
    items = []
    for i, mode in enumerate(modes):
        answer = i % 2
        paths = []
        for slot in range(2):
            path = f"img/{i}-{slot}.png"
            wrong = slot != answer and mode == off_centre
            _line_picture(rng, float(rng.uniform(12, 20)) if wrong else 0.0).save(root / path)
            paths.append(path)
        items.append(SuiteItem(
            id=f"l-{i}", category="Lines", source="test", question="q",
            instruction="put the cube on the shape whose dashed line is a line of symmetry",
            options=(paths[0], paths[1]), answer=answer, meta={"distractor_mode": mode},
        ))  # fmt: skip
    save_suite(root, items)


def test_group_by_finds_a_shortcut_confined_to_one_mode(tmp_path: Path) -> None:
    """Issue #23: a third of the items off-centre (~67% in all) flags only in its group."""
    modes = ["fair_a", "fair_b", "off"] * 16
    _lines_suite(tmp_path, modes, off_centre="off", seed=6)
    plain = audit_suite(tmp_path)
    assert plain.flagged == [], plain.summary_line()
    grouped = audit_suite(tmp_path, group_by="distractor_mode")
    names = [c.category for c in grouped.categories]
    assert names == [
        "Lines", "Lines [distractor_mode=fair_a]", "Lines [distractor_mode=fair_b]",
        "Lines [distractor_mode=off]",
    ]  # fmt: skip
    assert grouped.flagged == ["Lines [distractor_mode=off]"]
    assert all(c.n_items == 16 for c in grouped.categories[1:])
    # A key that no item has, or one value only, adds no group.
    assert len(audit_suite(tmp_path, group_by="figure").categories) == 1


def test_off_centre_wrong_lines_are_flagged(tmp_path: Path) -> None:
    """Issue #23: correct lines through the figure's middle, wrong ones 12-20 px off it.

    Ink, colour and size are drawn alike, so only the line's offset from the
    figure's centroid tells the answer; the audit must find and flag it.
    """
    rng = np.random.default_rng(5)
    (tmp_path / "img").mkdir()
    items = []
    for i in range(60):
        answer = i % 2
        paths = []
        for slot in range(2):
            path = f"img/{i}-{slot}.png"
            offset = 0.0 if slot == answer else float(rng.uniform(12, 20))
            _line_picture(rng, offset).save(tmp_path / path)
            paths.append(path)
        items.append(SuiteItem(
            id=f"l-{i}", category="Lines", source="test", question="q",
            instruction="put the cube on the shape whose dashed line is a line of symmetry",
            options=(paths[0], paths[1]), answer=answer,
        ))  # fmt: skip
    save_suite(tmp_path, items)
    report = audit_suite(tmp_path)
    assert report.flagged == ["Lines"]
    stump = next(s for s in report.categories[0].shortcuts if s.name == "stump")
    assert stump.detail == "pick lower line_offset" and stump.accuracy > 0.9
