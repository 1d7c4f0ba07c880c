"""Concept boards (VL-Think style): a folder of labelled concept images.

Layout: ``<root>/<Category>/<concept name>/*.png`` or
``<root>/<Category>/<concept name>.png`` (also .jpg/.jpeg/.webp). Category
folders ``color``/``colour``, ``traffic``, ``public_info`` map to the study's
Color, Traffic and Public Info; any other folder name is used as its own
category. Each image becomes the correct option of one item whose
distractor is an image of another concept of the same category; the
instruction names the concept ("put the cube on the stop sign").
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from act2answer.sources import _model as reasons
from act2answer.sources._files import ImageRef, SourceFileError, inside
from act2answer.sources._model import Candidate, Skipped
from act2answer.sources.binarise import LabelledImage, pair_with_distractors

NAME = "concepts"
CATEGORIES = ("Color", "Public Info", "Traffic")
EXPECTED = "<Category>/<concept name>/*.png or <Category>/<concept name>.png"
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".webp"}
_KNOWN = {"color": "Color", "colour": "Color", "traffic": "Traffic", "publicinfo": "Public Info"}


def category_name(folder: str) -> str:
    key = re.sub(r"[^a-z]", "", folder.lower())
    return _KNOWN.get(key, folder.replace("_", " ").strip())


def concept_name(stem: str) -> str:
    return re.sub(r"[_-]+", " ", stem).strip()


def records(root: Path, seed: int = 0) -> Iterator[Candidate | Skipped]:
    """One candidate per concept image (symlinks leaving ``root`` are refused)."""
    folders = [p for p in sorted(root.iterdir()) if p.is_dir()] if root.is_dir() else []
    if not folders:
        raise SourceFileError(root, "expected one folder per category")
    labelled: list[LabelledImage] = []
    skipped: list[Skipped] = []
    for folder in folders:
        category = category_name(folder.name)
        for entry in sorted(folder.iterdir()):
            files = sorted(entry.iterdir()) if entry.is_dir() else [entry]
            concept = concept_name(entry.stem if entry.is_file() else entry.name)
            for image_file in files:
                if image_file.suffix.lower() not in IMAGE_SUFFIXES:
                    continue
                relative = image_file.relative_to(root).as_posix()
                try:
                    path = inside(root, relative)
                except SourceFileError:
                    skipped.append(Skipped(relative, category, reasons.PATH_OUTSIDE))
                    continue
                labelled.append(
                    LabelledImage(
                        id=re.sub(r"\.[^.]+$", "", relative),
                        category=category,
                        question=f"Which image shows {concept}?",
                        image=ImageRef(relative, path=path),
                        label=concept,
                        accepted=frozenset({concept.lower()}),
                        meta={"concept": concept},
                    )
                )
    yield from skipped
    yield from pair_with_distractors(labelled, NAME, seed)
