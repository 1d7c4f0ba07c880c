"""Shared test setup: offline robot models, headless GL, small suites on disk."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

_SHARED = Path(__file__).resolve().parents[2] / "shared"
if (_SHARED / "menagerie").is_dir():
    os.environ.setdefault("MENAGERIE_ROOT", str(_SHARED / "menagerie"))
# Offline copies of the visual-matching photos (never vendored; fetched on first use otherwise).
if (_SHARED / "backgrounds").is_dir():
    os.environ.setdefault("ACT2ANSWER_BACKGROUNDS", str(_SHARED / "backgrounds"))
os.environ.setdefault("MUJOCO_GL", "egl")
os.environ.setdefault("PYOPENGL_PLATFORM", "egl")

# torch imports triton lazily, and triton's bundled LLVM segfaults when loaded after
# Mesa's (llvmpipe EGL, loaded by the first render); loaded first, both work.
with contextlib.suppress(ImportError):
    import triton  # noqa: F401

from act2answer.suite import Suite, SuiteItem, load_suite, save_suite  # noqa: E402
from tests.helpers import tiers  # noqa: E402


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Skip a test whose tier (marker) is missing here, naming the extra; fail under CI."""
    tiers.apply(item)


COLOURS = {"red": (220, 30, 30), "blue": (30, 60, 220), "green": (30, 170, 60)}


def draw_patch(path: Path, rgb: tuple[int, int, int], size: int = 64) -> None:
    image = Image.new("RGB", (size, size), "white")
    ImageDraw.Draw(image).rectangle((8, 8, size - 8, size - 8), fill=rgb)
    image.save(path)


def make_colour_suite(root: Path, n: int = 4, name: str = "test-suite-v1") -> Suite:
    """Write a valid colour-patch suite of ``n`` items in two categories under ``root``."""
    (root / "img").mkdir(parents=True, exist_ok=True)
    names = list(COLOURS)
    items = []
    for index in range(n):
        target, other = names[index % 3], names[(index + 1) % 3]
        draw_patch(root / "img" / f"{index}_a.png", COLOURS[target])
        draw_patch(root / "img" / f"{index}_b.png", COLOURS[other])
        answer = index % 2
        options = (f"img/{index}_a.png", f"img/{index}_b.png")
        if answer == 1:
            options = options[::-1]
        items.append(
            SuiteItem(
                id=f"item-{index}",
                category="Color" if index % 2 == 0 else "Shade",
                source="test",
                question=f"Which patch is {target}?",
                instruction=f"put the cube on the {target} patch",
                options=options,
                answer=answer,
            )
        )
    save_suite(root, items, name=name)
    return load_suite(root)


@pytest.fixture
def make_suite(tmp_path: Path) -> Callable[..., Suite]:
    """Write a small valid colour suite: ``n`` items in two categories."""

    def make(n: int = 4, name: str = "test-suite-v1", folder: str = "suite") -> Suite:
        return make_colour_suite(tmp_path / folder, n, name)

    return make


@pytest.fixture(scope="session")
def tiny_vlm_dir(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """Folder of a tiny random VLM of a real family, built once per session on first use."""
    root = tmp_path_factory.mktemp("tiny_vlms")
    built: dict[str, Path] = {}

    def get(family: str) -> Path:
        if family not in built:
            import torch

            from tests.helpers.tiny_vlms import BUILDERS

            torch.manual_seed(0)
            BUILDERS[family](root / family)
            built[family] = root / family
        return built[family]

    return get
