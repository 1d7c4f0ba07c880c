"""Issue #14 findings 1, 4, 5, 6: each test would have failed on the generator it fixes."""

from __future__ import annotations

import re

import numpy as np
import pytest
from PIL import Image, ImageDraw

from act2answer.quality.audit import centroid_line_choice
from act2answer.quality.pixel_checks import read_digital_clock
from act2answer.synth import get_generator, item_rng
from act2answer.synth.categories import emotion, shape, time, traffic
from act2answer.synth.categories._pictograms import Pen

SEED = 31  # not used by other tests


def _items(category: str, n: int, seed: int = SEED):
    generator = get_generator(category)
    return [generator.generate(item_rng(seed, category, i)) for i in range(n)]


def _dark(image: Image.Image) -> int:
    return int((np.asarray(image.convert("L")) < 60).sum())


@pytest.mark.slow  # make test-fast leaves it out (see tests/helpers/tiers.py)
def test_symmetry_options_differ_only_in_the_concept() -> None:
    """Finding 1: line length, ink and figure kind must not tell the answer."""
    items = _items("Symmetry", 40)
    less_dark_wins = 0
    for item in items:
        assert item.meta["figure"] == item.meta["distractor_figure"]
        good, bad = _dark(item.correct), _dark(item.distractor)
        # The dashed line is the only dark ink: the same length in both options.
        assert abs(good - bad) <= 0.06 * max(good, bad), (item.meta, good, bad)
        less_dark_wins += good < bad
    assert 0.25 <= less_dark_wins / len(items) <= 0.75
    modes = {item.meta["distractor_mode"] for item in items}
    assert modes == {"rotated_line", "crossing_line", "asymmetric"}


@pytest.mark.slow  # make test-fast leaves it out (see tests/helpers/tiers.py)
def test_symmetry_line_position_is_at_chance() -> None:
    """Issue #23: "the line through the figure's middle" must not find the answer.

    Every distractor line passes through its figure's centroid, as the true axis
    does; the old ``shifted_line`` distractors (a third of the items) let the
    heuristic pick the answer in ~65% of items (96% of the shifted ones).
    ``benchmarks/symmetry_centroid_heuristic.py`` measures the same on 120 items.
    """
    scores = [
        centroid_line_choice(np.asarray(item.correct), np.asarray(item.distractor))
        for item in _items("Symmetry", 48, seed=2324)
    ]
    assert np.mean(scores) <= 0.60, scores


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", text.lower()))


@pytest.fixture()
def no_drawing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Skip drawing pictograms (drawn after the wording): these tests read wording only."""
    for module in (traffic, emotion):
        monkeypatch.setattr(module, "render", lambda *args, **kwargs: Image.new("RGB", (8, 8)))


@pytest.mark.usefixtures("no_drawing")
def test_traffic_instruction_never_names_text_printed_only_on_the_answer() -> None:
    """Finding 4: STOP / ONE WAY / a speed on the sign is not matched by the instruction."""
    items = _items("Traffic", 300)
    seen = {"stop": 0, "speed_limit": 0, "one_way": 0}
    for item in items:
        if item.meta["concept"] != item.meta["distractor_concept"]:  # two speed limits: exempt
            leaked = set(item.meta["printed_words"])
            assert not (_words(item.instruction) & leaked), (item.instruction, item.meta)
        if item.meta["concept"] in seen:
            seen[item.meta["concept"]] += 1
        if item.meta["concept"] == "speed_limit":
            assert item.meta["distractor_concept"] == "speed_limit"
    assert all(seen.values()), seen


@pytest.mark.usefixtures("no_drawing")
def test_emotion_labels_do_not_fit_both_faces() -> None:
    """Finding 5: "unhappy" is never asked against another unhappy face."""
    negative = {k for k, v in emotion.EXPRESSIONS.items() if v[3] == -1}
    for item in _items("Emotion", 300):
        if "unhappy" in item.instruction:
            assert item.meta["distractor_concept"] not in negative, item.instruction
        if "cheerful" in item.instruction:
            assert emotion.EXPRESSIONS[item.meta["distractor_concept"]][3] != 1


def test_scared_and_surprised_eyes_differ() -> None:
    """Finding 5: the two expressions no longer share the same eyes."""
    style = emotion._style(np.random.default_rng(0))
    style["accessory"] = "none"
    bands = []
    for expression in ("scared", "surprised"):
        image = Image.new("RGB", (200, 200), (255, 255, 255))
        emotion._face(Pen(ImageDraw.Draw(image), 100, 100, 80), expression, style)
        bands.append(np.asarray(image.convert("L"), dtype=np.int16)[70:110])  # eye band
    differ = np.abs(bands[0] - bands[1]) > 60
    assert differ.mean() > 0.04


@pytest.mark.parametrize(("hour", "minute"), [(9, 30), (12, 45), (1, 5), (10, 0), (7, 58)])
def test_digital_clock_reads_back(hour: int, minute: int) -> None:
    """Finding 6: digital clocks, read from pixels by an independent seven-segment reader."""
    style = time._digital_style(np.random.default_rng(hour * 60 + minute))
    image = time.draw_digital_clock(hour, minute, style).reduce(2)
    assert read_digital_clock(np.asarray(image, dtype=np.int16)) == (hour, minute)


def test_time_has_digital_and_analog_items_in_study_wording() -> None:
    items = _items("Time", 60)
    displays = [item.meta["display"] for item in items]
    assert 0.3 < displays.count("digital") / len(items) < 0.7
    assert time.digital_words(9, 30) == "nine thirty"
    assert time.digital_words(4, 45) == "four forty-five"
    assert time.digital_words(9, 0) == "nine o'clock"
    assert time.digital_words(3, 5) == "three oh five"
    for item in items:
        assert (item.meta["distractor_hour"], item.meta["distractor_minute"]) != (
            item.meta["hour"],
            item.meta["minute"],
        )


# ----------------------------------------------------------------------------- issue #23


@pytest.mark.slow  # make test-fast leaves it out (see tests/helpers/tiers.py)
def test_shape_never_asks_a_name_that_also_fits_the_distractor() -> None:
    """A square is a rectangle (and a rhombus), a circle an oval: never asked against them."""
    items = _items("Shape", 400, seed=2325)
    pairs = {(item.meta["target_shape"], item.meta["distractor_shape"]) for item in items}
    assert not pairs & shape.NOT_ASKED_AGAINST, pairs & shape.NOT_ASKED_AGAINST
    assert ("square", "rectangle") in pairs  # the reverse question stays


def _red_share(image: Image.Image) -> float:
    a = np.asarray(image, dtype=np.int16)
    red = (a[..., 0] > 190) & (a[..., 1] < 130) & (a[..., 2] < 120)
    return float(red.mean())


@pytest.mark.parametrize("index", range(40))
def test_no_expression_has_a_colour_of_its_own(index: int) -> None:
    """Angry faces were sometimes drawn red, and only they: "the red face" answered "angry".

    A face's colour comes from the shared palette whatever its expression, so no
    face is mostly red (a red face covers ~30% of the image; red hair, hats
    and bows at most ~10%).
    """
    item = get_generator("Emotion").generate(item_rng(2326, "Emotion", index))
    for image in (item.correct, item.distractor):
        assert _red_share(image) < 0.15, (item.meta["concept"], _red_share(image))


@pytest.mark.slow  # make test-fast leaves it out (see tests/helpers/tiers.py)
def test_living_world_suite_repeats_no_pair(tmp_path) -> None:
    """Two items of one suite never show the same two entities (bee vs fish twice in five)."""
    from act2answer.suite import load_suite
    from act2answer.synth import generate_suite

    generate_suite(tmp_path, per_category=40, seed=2327, categories=["Living World"], workers=1)
    pairs = [
        frozenset((item.meta["correct_entity"], item.meta["distractor_entity"]))
        for item in load_suite(tmp_path).items
    ]
    assert len(pairs) == 40 and len(set(pairs)) == 40, [p for p in pairs if pairs.count(p) > 1]
    questions = [item.meta["concept"] for item in load_suite(tmp_path).items]
    assert max(questions.count(q) for q in set(questions)) == 4  # 10 questions take turns


def _touches_edge(image: Image.Image) -> bool:
    a = np.asarray(image, dtype=np.int16)
    bg = a[0, 0]
    ring = np.concatenate([a[:2].reshape(-1, 3), a[-2:].reshape(-1, 3),
                           a[:, :2].reshape(-1, 3), a[:, -2:].reshape(-1, 3)])  # fmt: skip
    return bool((np.abs(ring - bg).sum(axis=1) > 30).any())


@pytest.mark.slow  # make test-fast leaves it out (see tests/helpers/tiers.py)
def test_state_pictures_are_never_cut_at_the_edge() -> None:
    """A hot drink's steam ran off the top of the image; no drawing may touch the edge."""
    generator = get_generator("State")
    hot = 0
    for index in range(120):
        item = generator.generate(item_rng(2328, "State", index))
        hot += item.meta["concept"] == "drink"
        for image in (item.correct, item.distractor):
            assert not _touches_edge(image), item.meta
    assert hot >= 3


def test_time_hour_off_by_one_goes_either_way() -> None:
    """Issue #23: an hour-off-by-one distractor is not always the later clock.

    Version 1 always drew the next hour, so "pick the earlier clock" answered
    every such item without the instruction (the per-mode audit found it).
    """
    later = earlier = 0
    for item in _items("Time", 150, seed=2325):
        meta = item.meta
        if meta["distractor_mode"] != "hour_off_by_one":
            continue
        if meta["distractor_hour"] == meta["hour"] % 12 + 1:
            later += 1
        else:
            assert meta["hour"] == meta["distractor_hour"] % 12 + 1, meta
            earlier += 1
    assert later + earlier >= 12, (later, earlier)
    assert min(later, earlier) >= 0.25 * (later + earlier), (later, earlier)
