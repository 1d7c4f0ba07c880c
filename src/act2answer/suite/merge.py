"""Merge several suite folders into one (e.g. one per source into the study's suite)."""

from __future__ import annotations

import shutil
from pathlib import Path

from act2answer.errors import SuiteError
from act2answer.suite._io import load_suite, save_suite
from act2answer.suite._model import Suite, SuiteItem
from act2answer.suite.review import REVIEW_FILE, load_reviews, save_reviews


def merge_suites(parts: list[Path | str], out: Path | str, *, name: str) -> Suite:
    """Copy every item of ``parts`` into ``out`` (images under ``<part folder name>/``).

    Review decisions (``review.json``) travel with their items. Item ids must
    be unique across parts.

    Raises:
        SuiteError: a part is invalid, or two parts share an item id or a folder name.
    """
    out = Path(out)
    items: list[SuiteItem] = []
    owner: dict[str, Path] = {}
    reviews = {}
    prefixes: set[str] = set()
    for part_path in parts:
        part = load_suite(part_path)
        prefix = part.root.resolve().name
        if prefix in prefixes:
            raise SuiteError(f"two parts are called {prefix!r}; rename one", path=part.root)
        prefixes.add(prefix)
        for item in part.items:
            if item.id in owner:
                raise SuiteError(f"item id also in {owner[item.id]}", path=part.root,
                                 item_id=item.id)  # fmt: skip
            owner[item.id] = part.root
            options = tuple(f"{prefix}/{option}" for option in item.options)
            for source, target in zip(item.options, options, strict=True):
                (out / target).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(part.image_path(source), out / target)
            items.append(item.model_copy(update={"options": options}))
        if (part.root / REVIEW_FILE).is_file():
            reviews.update(load_reviews(part.root))
    save_suite(out, items, name=name)
    if reviews:
        save_reviews(out, reviews)
    return load_suite(out, check_images=False)
