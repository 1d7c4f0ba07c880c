"""Time a source conversion at the study's scale, then asset-set export and import.

Usage::

    .venv/bin/python benchmarks/bench_sources.py [--problems 2400] [--per-category 150]

Writes a synthetic IconQA release (``problems.json`` + 224 px choice images,
four categories), converts it with ``--per-category`` items per category,
exports the suite as an asset set with a code-built tile and imports it
back. Prints each stage's wall time.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

from act2answer.interop import export_asset_set, import_asset_set
from act2answer.sources import CurationConfig, convert

QUESTIONS = [
    ("Which clock shows {n}:00?", "time"),
    ("Which picture shows {n} dots?", "counting"),
    ("Which shape has {n} sides?", "geometry"),
    ("Which picture shows a line of symmetry?", "symmetry"),
]


def write_release(root: Path, n_problems: int) -> None:
    problems, skills = {}, {}
    rng = np.random.default_rng(0)
    for pid in range(n_problems):
        question, skill = QUESTIONS[pid % 4]
        folder = root / "iconqa" / "train" / "choose_img" / str(pid)
        folder.mkdir(parents=True)
        for choice in range(3):
            blocks = rng.integers(0, 256, size=(8, 8, 3), dtype=np.uint8)
            Image.fromarray(blocks).resize((224, 224), Image.Resampling.NEAREST).save(
                folder / f"choice_{choice}.png"
            )
        problems[str(pid)] = {"question": question.format(n=pid % 9 + 2), "ques_type": "choose_img",
                              "choices": [f"choice_{c}.png" for c in range(3)], "answer": pid % 3,
                              "split": "train"}  # fmt: skip
        skills[str(pid)] = [skill]
    (root / "problems.json").write_text(json.dumps(problems))
    (root / "pid2skills.json").write_text(json.dumps(skills))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--problems", type=int, default=2400)
    parser.add_argument("--per-category", type=int, default=150)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench_sources_"))
    try:
        start = time.perf_counter()
        write_release(work / "iconqa_data", args.problems)
        print(f"fixture release, {args.problems} problems: {time.perf_counter() - start:.1f} s")
        start = time.perf_counter()
        suite, report = convert("iconqa", work / "iconqa_data", work / "suite",
                                config=CurationConfig(per_category=args.per_category))  # fmt: skip
        elapsed = time.perf_counter() - start
        print(f"convert: {len(suite.items)} items from a pool of {report.pool} in {elapsed:.1f} s")
        start = time.perf_counter()
        export_asset_set(work / "suite", work / "assets")
        print(f"export (asset set, 512 px textures): {time.perf_counter() - start:.1f} s")
        start = time.perf_counter()
        back = import_asset_set(work / "assets", work / "back")
        print(f"import: {len(back.items)} items in {time.perf_counter() - start:.1f} s")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
