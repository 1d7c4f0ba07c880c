"""Procedural suite generator: determinism, balance, registry, pixel checks."""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from act2answer.quality.pixel_checks import (
    CHECKED_CATEGORIES,
    agreement,
    check_item,
    check_sample,
    classify_color,
    label_components,
)
from act2answer.suite import load_suite
from act2answer.synth import (
    CATEGORY_ORDER,
    GeneratedItem,
    SynthError,
    generate_suite,
    get_generator,
)
from act2answer.synth._draw import NAMED_COLORS

MINE = list(CHECKED_CATEGORIES)


@pytest.fixture(scope="module")
def suite_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("suite")
    generate_suite(out, per_category=16, seed=3, categories=MINE, workers=2)
    return out


def _tree_digest(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def test_registry_order_and_names() -> None:
    assert CATEGORY_ORDER[:6] == ("Color", "Shape", "Symmetry", "Counting", "Time", "Attribute")
    assert len(CATEGORY_ORDER) == 11
    for name in MINE:
        assert get_generator(name).name == name
    assert get_generator("color").name == "Color"


def test_unknown_category_is_a_clear_error() -> None:
    with pytest.raises(SynthError, match="unknown category"):
        get_generator("Astrology")


def test_missing_module_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib

    real = importlib.import_module

    def fake(name: str, package: str | None = None):  # type: ignore[no-untyped-def]
        if name.endswith(".traffic"):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return real(name, package)

    from act2answer.synth.categories import CATEGORIES

    # An earlier test may have imported the generator already: lay the lazy path back.
    monkeypatch.setitem(
        CATEGORIES._entries, "Traffic", "act2answer.synth.categories.traffic:Generator"
    )
    monkeypatch.setattr(importlib, "import_module", fake)
    with pytest.raises(SynthError, match="Traffic"):
        get_generator("Traffic")


def test_generators_return_valid_items() -> None:
    for name in MINE:
        generator = get_generator(name)
        for i in range(5):
            item = generator.generate(np.random.default_rng([9, i]))
            assert isinstance(item, GeneratedItem)
            assert item.correct.size == item.distractor.size == (512, 512)
            assert item.instruction.startswith(("put", "place", "move"))
            assert "cube" in item.instruction
            assert item.question.endswith("?")
            assert np.asarray(item.correct).tobytes() != np.asarray(item.distractor).tobytes()


def test_suite_layout_and_balance(suite_dir: Path) -> None:
    suite = load_suite(suite_dir)
    assert suite.name == "act2answer-synth-v2-seed3"
    assert suite.categories == MINE
    for name in MINE:
        items = [item for item in suite.items if item.category == name]
        assert len(items) == 16
        assert sum(item.answer for item in items) == 8  # exactly balanced
        assert len({item.instruction for item in items}) > 3
    item = suite.items[0]
    assert item.id == "color-0000"
    assert item.source == "act2answer-synth"
    assert item.options == ("images/color/color-0000_a.png", "images/color/color-0000_b.png")
    assert {"difficulty", "seed", "generator_version", "target_color"} <= set(item.meta)


def test_same_seed_is_byte_identical(tmp_path: Path, suite_dir: Path) -> None:
    # Different worker count, same bytes (only a subset of categories, for speed).
    a = tmp_path / "a"
    b = tmp_path / "b"
    generate_suite(a, per_category=6, seed=3, categories=["Time", "Counting"], workers=1)
    generate_suite(b, per_category=6, seed=3, categories=["Time", "Counting"], workers=2)
    assert _tree_digest(a) == _tree_digest(b)
    c = tmp_path / "c"
    generate_suite(c, per_category=6, seed=4, categories=["Time", "Counting"], workers=1)
    assert _tree_digest(a) != _tree_digest(c)


def test_item_stream_does_not_depend_on_suite_size(tmp_path: Path, suite_dir: Path) -> None:
    small = load_suite(generate_suite(tmp_path, per_category=4, seed=3, categories=["Shape"]).root)
    big = load_suite(suite_dir)
    for item in small.items:
        other = big.item(item.id)
        assert other.instruction == item.instruction and other.answer == item.answer
        for x, y in zip(item.options, other.options, strict=True):
            assert (small.root / x).read_bytes() == (big.root / y).read_bytes()


def test_palette_shades_classify_to_their_name() -> None:
    for name, shades in NAMED_COLORS.items():
        for shade in shades:
            assert classify_color(shade) == name, (name, shade)


def test_label_components_counts_blobs() -> None:
    mask = np.zeros((20, 20), dtype=bool)
    mask[1:4, 1:4] = True
    mask[10:12, 2:18] = True
    mask[5:9, 15] = True
    mask[4, 3] = True  # touches the first blob
    labels, n = label_components(mask)
    assert n == 3
    assert labels[1, 1] == labels[4, 3]


def test_pixel_checks_agree_100_percent(suite_dir: Path) -> None:
    suite = load_suite(suite_dir)
    results = check_sample(suite, n_per_category=16, seed=0)
    counts = agreement(results)
    assert set(counts) == set(MINE)
    failures = [f"{r.item_id}: {r.detail}" for r in results if not r.passed]
    assert not failures, failures
    assert all(total == 16 for _, total in counts.values())


def test_pixel_checks_catch_wrong_answers(suite_dir: Path) -> None:
    suite = load_suite(suite_dir)
    for item in suite.items:
        flipped = item.model_copy(update={"answer": 1 - item.answer})
        result = check_item(suite, flipped)
        assert result is not None
        assert not result.passed, f"{item.id}: flipped answer not caught ({result.detail})"


def test_pixel_checks_catch_wrong_claims(suite_dir: Path) -> None:
    suite = load_suite(suite_dir)
    wrong = {
        "Color": lambda m: {
            **m,
            "target_color": "green" if m["target_color"] != "green" else "red",
        },
        "Time": lambda m: {**m, "hour": m["hour"] % 12 + 3},
        "Counting": lambda m: {**m, "count": m["count"] + 1, "task": "exact"},
        "Shape": lambda m: {**m, "target_shape": m["distractor_shape"]},
    }
    for item in suite.items:
        if item.category in wrong:
            bad = item.model_copy(update={"meta": wrong[item.category](dict(item.meta))})
            result = check_item(suite, bad)
            assert result is not None and not result.passed, item.id


def test_unchecked_category_returns_none(suite_dir: Path) -> None:
    suite = load_suite(suite_dir)
    other = suite.items[0].model_copy(update={"category": "Emotion"})
    assert check_item(suite, other) is None


def test_check_result_is_a_dataclass(suite_dir: Path) -> None:
    suite = load_suite(suite_dir)
    result = check_item(suite, suite.items[0])
    assert result is not None and dataclasses.is_dataclass(result)
    assert Image.open(suite.image_path(suite.items[0].options[0])).size == (512, 512)


@pytest.mark.parametrize("box", [(300, 200, 700, 900), (-40, 0, 1024, 1100), (0, 500, 30, 540)])
def test_windowed_downsample_matches_full_resize(box: tuple[int, int, int, int]) -> None:
    from act2answer.synth.categories._pictograms import CANVAS, IMAGE_SIZE, _downsample

    bg = (244, 238, 230)
    rng = np.random.default_rng(0)
    image = Image.new("RGB", (CANVAS, CANVAS), bg)
    x0, y0, x1, y1 = max(0, box[0]), max(0, box[1]), min(CANVAS, box[2]), min(CANVAS, box[3])
    noise = rng.integers(0, 256, (y1 - y0, x1 - x0, 3), dtype=np.uint8)
    image.paste(Image.fromarray(noise), (x0, y0))
    full = image.resize((IMAGE_SIZE, IMAGE_SIZE), Image.Resampling.LANCZOS)
    assert _downsample(image, bg, box).tobytes() == full.tobytes()
