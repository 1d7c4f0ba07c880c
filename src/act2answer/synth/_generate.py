"""Generate a procedural suite folder: items of each category, images, ``suite.jsonl``."""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from act2answer.errors import SynthError
from act2answer.suite import Suite, SuiteItem, load_suite, save_suite
from act2answer.synth._base import IMAGE_SIZE, GeneratedItem
from act2answer.synth.categories import (
    CATEGORY_NUMBERS,
    CATEGORY_ORDER,
    category_slug,
    get_generator,
    resolve_category,
)
from act2answer.synth.describe import SPATIAL_TEMPLATE, explicit_object

#: Written to every item's ``meta["generator_version"]``; bump when images change.
GENERATOR_VERSION = "2"
#: ``SuiteItem.source`` of generated items.
SOURCE = "act2answer-synth"
#: Items per worker task (small enough to balance two cores).
_CHUNK = 25


def suite_name(seed: int) -> str:
    """Versioned name of a generated suite."""
    return f"act2answer-synth-v{GENERATOR_VERSION}-seed{seed}"


def item_rng(seed: int, category: str, index: int) -> np.random.Generator:
    """The random stream of item ``index`` of ``category`` (independent of worker layout)."""
    return np.random.default_rng([seed, CATEGORY_NUMBERS[category], index])


def answer_for(seed: int, category: str, index: int) -> int:
    """Answer slot (0/1) of an item: items 2k and 2k+1 get opposite slots (exact balance)."""
    pair_rng = np.random.default_rng([seed, CATEGORY_NUMBERS[category], index // 2, 1])
    return int(pair_rng.integers(2)) ^ (index % 2)


def item_id(category: str, index: int) -> str:
    """Item id such as ``"color-0007"`` or ``"public-info-0012"``."""
    return f"{category_slug(category).replace('_', '-')}-{index:04d}"


def generate_suite(
    out: Path | str,
    *,
    per_category: int = 150,
    seed: int = 0,
    categories: Sequence[str] | None = None,
    workers: int | None = None,
) -> Suite:
    """Generate a procedural suite folder and return it loaded.

    Item ``i`` of a category draws everything from
    ``np.random.default_rng([seed, category_number, i])``, so the same
    arguments give byte-identical images and ``suite.jsonl`` whatever the
    number of workers.

    Args:
        out: Suite folder to write (created; existing files are overwritten).
        per_category: Items per category.
        seed: Suite seed.
        categories: Category names (default: all of ``CATEGORY_ORDER``), in suite order.
        workers: Worker processes (default: CPU count; 1 = in-process).

    Returns:
        The written suite, validated by ``load_suite``.

    Raises:
        SynthError: Unknown category, missing generator module, or invalid generated item.
    """
    if per_category < 1:
        raise SynthError(f"per_category must be >= 1, got {per_category}")
    names = [resolve_category(name) for name in (categories or CATEGORY_ORDER)]
    names = list(dict.fromkeys(names))
    for name in names:  # fail early and clearly when a module is missing
        get_generator(name)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    tasks = [
        (str(out), name, start, min(start + _CHUNK, per_category), seed)
        for name in names
        for start in range(0, per_category, _CHUNK)
    ]
    n_workers = max(1, min(workers or os.cpu_count() or 1, len(tasks)))
    if n_workers == 1:
        chunks = [_run_chunk(*task) for task in tasks]
    else:
        with ProcessPoolExecutor(max_workers=n_workers) as pool:
            chunks = list(pool.map(_run_chunk, *zip(*tasks, strict=True)))
    items = [SuiteItem.model_validate(data) for chunk in chunks for data in chunk]
    save_suite(out, items, name=suite_name(seed))
    return load_suite(out)


def _run_chunk(out: str, category: str, start: int, stop: int, seed: int) -> list[dict[str, Any]]:
    generator = get_generator(category)
    version = f"{GENERATOR_VERSION}.{getattr(generator, 'version', '1')}"
    slug = category_slug(category)
    folder = Path(out) / "images" / slug
    folder.mkdir(parents=True, exist_ok=True)
    results = []
    for index in range(start, stop):
        rng = item_rng(seed, category, index)
        # A generator may need its place in the suite (Living World spreads its pairs).
        in_suite = getattr(generator, "generate_in_suite", None)
        item = in_suite(rng, seed, index) if in_suite is not None else generator.generate(rng)
        identifier = item_id(category, index)
        _validate(item, identifier)
        answer = answer_for(seed, category, index)
        images = (item.correct, item.distractor) if answer == 0 else (item.distractor, item.correct)
        options = []
        for suffix, image in zip(("a", "b"), images, strict=True):
            relative = f"images/{slug}/{identifier}_{suffix}.png"
            image.convert("RGB").save(Path(out) / relative, format="PNG", compress_level=3)
            options.append(relative)
        meta = {
            **item.meta,
            "difficulty": item.difficulty,
            "seed": seed,
            "index": index,
            "generator_version": version,
        }
        control = {"explicit_spatial": SPATIAL_TEMPLATE}
        described = explicit_object(category, meta)
        if described is not None:
            control["explicit_object"] = described
        results.append(
            {
                **control,
                "id": identifier,
                "category": category,
                "source": SOURCE,
                "question": item.question,
                "instruction": item.instruction,
                "options": options,
                "answer": answer,
                "meta": meta,
            }
        )
    return results


def _validate(item: GeneratedItem, identifier: str) -> None:
    if not isinstance(item, GeneratedItem):
        raise SynthError(f"{identifier}: generator returned {type(item).__name__}")
    for label, image in (("correct", item.correct), ("distractor", item.distractor)):
        if not isinstance(image, Image.Image) or image.size != (IMAGE_SIZE, IMAGE_SIZE):
            raise SynthError(f"{identifier}: {label} image must be {IMAGE_SIZE}x{IMAGE_SIZE}")
    if not item.instruction.strip():
        raise SynthError(f"{identifier}: empty instruction")
