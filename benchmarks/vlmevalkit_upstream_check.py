"""Check the VLMEvalKit export and import against VLMEvalKit's own code (issue 26; not in CI).

The tests read exports through a reimplementation of VLMEvalKit's logic
(``tests/helpers/vlmevalkit_reference.py``); this script runs VLMEvalKit's real source
at commit ``e8e78f05`` instead, where it can be imported without models:

1. ``can_infer`` (``vlmeval/utils/matching_util.py``) against
   :func:`act2answer.interop.vlmevalkit_predictions.exact_match_letter` on
   random answers built from option letters and texts;
2. ``CustomMCQDataset`` (``image_mcq.py``) loading exports from ``$LMUData``:
   every row's dumped images and answer, after re-exporting another suite
   under the same name and after joining two exports into one file;
3. ``ImageMCQDataset.evaluate`` with ``model='exact_matching'`` on an
   always-"A" prediction file written by VLMEvalKit's ``dump``: per-row
   accuracy (two images) and circular accuracy, next to what
   ``act2answer compare`` imports from the same file.

Usage (VLMEvalKit's package ``__init__`` files import every model and
dataset; the script copies ``vlmeval/`` to a temporary folder and blanks the
two that do)::

    git clone https://github.com/open-compass/VLMEvalKit && git -C VLMEvalKit checkout e8e78f05
    pip install --target /tmp/vk-deps validators sty tabulate
    PYTHONPATH=/tmp/vk-deps python benchmarks/vlmevalkit_upstream_check.py --vlmevalkit VLMEvalKit
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np
from PIL import Image

from act2answer.interfaces import Side
from act2answer.interop import export_vlmevalkit, read_vlmevalkit_predictions
from act2answer.interop.vlmevalkit_predictions import exact_match_letter
from act2answer.suite import Suite, SuiteItem, load_suite, read_rgb, save_suite


def import_vlmevalkit(checkout: Path, scratch: Path) -> None:
    """Make ``vlmeval`` importable from a copy whose package ``__init__`` files are blank."""
    shutil.copytree(checkout / "vlmeval", scratch / "vlmeval")
    for init in ("vlmeval/__init__.py", "vlmeval/dataset/__init__.py"):
        (scratch / init).write_text("")
    sys.path.insert(0, str(scratch))


def check_matching(rounds: int = 3000) -> tuple[int, int]:
    from vlmeval.utils.matching_util import can_infer

    words = ["A", "B", "C", "Z", "left", "right", "image", "left image", "right image", "The",
             "answer", "is", "correct", "(A)", "B.", "**B**", "I", "think", "picture", "a",
             "Cannot determine the answer", ":", "nan", ""]  # fmt: skip
    rng = random.Random(0)
    cases = {
        " ".join(rng.choice(words) for _ in range(n)) for n in range(1, 9) for _ in range(rounds)
    }
    disagree = 0
    for options in ({"A": "left image", "B": "right image"}, {"A": "right", "B": "left"}):
        for case in cases:
            theirs = can_infer(case, dict(options))
            disagree += (theirs if theirs in options else None) != exact_match_letter(case, options)
    return 2 * len(cases), disagree


def make_suite(root: Path, name: str, seed: int, flip: bool) -> Suite:
    rng = np.random.default_rng(seed)
    (root / "img").mkdir(parents=True)
    items = []
    for index in range(5):
        for side in range(2):
            pixels = rng.integers(0, 256, (40 + 8 * side, 48 + 8 * index, 3), dtype=np.uint8)
            Image.fromarray(pixels).save(root / "img" / f"{index}_{side}.png")
        items.append(
            SuiteItem(
                id=f"{index:03d}",
                category=["Color", "Time"][index % 2],
                question=f"Which one is number {index}?",
                instruction=f"put it on {index}",
                options=(f"img/{index}_0.png", f"img/{index}_1.png"),
                answer=(index + flip) % 2,
            )
        )
    save_suite(root, items, name=name)
    return load_suite(root)


def rows_are_their_own(name: str, suites: dict[str, Suite]) -> int:
    """Rows whose dumped images are their own item's, left then right (VLMEvalKit's loader)."""
    from vlmeval.dataset.image_mcq import CustomMCQDataset

    dataset = CustomMCQDataset(dataset=name)
    good = 0
    for position in range(len(dataset)):
        line = dataset.data.iloc[position]
        suite = suites[line["a2a_suite_hash"].removeprefix("sha256:")]
        item = suite.item(json.loads(line["a2a_item"]))
        layout = Side(line["a2a_layout"])
        shown = [
            np.asarray(Image.open(m["value"]).convert("RGB"))
            for m in dataset.build_prompt(line)
            if m["type"] == "image"
        ]
        expected = [read_rgb(suite.image_path(item.option_for(side, layout))) for side in Side]
        good += len(shown) == 2 and all(
            np.array_equal(a, b) for a, b in zip(shown, expected, strict=True)
        )
    return good


def always_a(name: str, root: Path) -> tuple[object, object]:
    from vlmeval.dataset.image_mcq import CustomMCQDataset
    from vlmeval.smp import dump

    dataset = CustomMCQDataset(dataset=name)
    data = dataset.data.copy()
    data["prediction"] = ["The answer is A"] * len(data)
    data.pop("image")
    path = root / f"AlwaysA_{name}.xlsx"
    dump(data, str(path))
    accuracy = dataset.evaluate(str(path), model="exact_matching", nproc=1)
    imported = read_vlmevalkit_predictions(path)
    trials = imported.trials()
    return (
        float(accuracy["Overall"][0]),
        sum(t.correct for t in trials) / len(trials),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--vlmevalkit", type=Path, required=True, help="VLMEvalKit checkout")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    scratch = Path(tempfile.mkdtemp(prefix="vlmevalkit-check-"))
    os.environ["LMUData"] = str(scratch / "LMUData")  # noqa: SIM112 (VLMEvalKit's spelling)
    (scratch / "LMUData").mkdir()
    import_vlmevalkit(args.vlmevalkit, scratch)
    cases, disagree = check_matching()
    print(f"exact matching: {cases} answers, {disagree} read differently from can_infer")
    lmu = scratch / "LMUData"
    first = make_suite(scratch / "s1", "same-v1", 0, flip=False)
    second = make_suite(scratch / "s2", "same-v1", 1, flip=True)
    export_vlmevalkit(first.root, lmu / "act2answer_same.tsv")
    before = rows_are_their_own("act2answer_same", {first.content_hash: first})
    export_vlmevalkit(second.root, lmu / "act2answer_same.tsv")
    after = rows_are_their_own("act2answer_same", {second.content_hash: second})
    print(f"same name: {before}/10 rows own images, after re-export {after}/10")
    parts = [export_vlmevalkit(s.root, scratch / f"x{i}") for i, s in enumerate((first, second))]
    lines = parts[0].read_text().splitlines(True) + parts[1].read_text().splitlines(True)[1:]
    (lmu / "act2answer_joined.tsv").write_text("".join(lines))
    joined = rows_are_their_own(
        "act2answer_joined", {first.content_hash: first, second.content_hash: second}
    )
    print(f"joined: {joined}/20 rows own images")
    vanilla = always_a(export_vlmevalkit(first.root, lmu).stem, scratch)
    circular = always_a(export_vlmevalkit(first.root, lmu, circular=True).stem, scratch)
    print(f"always-A, VLMEvalKit accuracy vs imported share right: two images {vanilla}, "
          f"circular {circular}")  # fmt: skip


if __name__ == "__main__":
    main()
