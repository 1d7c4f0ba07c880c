"""Render unseen items as the policy's 224x224 first frame, for a blind judgment.

Generates ``--per-category`` items per category with a fresh ``--seed`` (a suite
written to ``OUT/suite``), renders each item's first frame as the policy sees it
(``SimConfig()``: today's reference scene and background photo; the two options
on the tiles in the suite's order, so both layouts occur), and writes:

- ``OUT/frames/<category>.png``: one sheet per category, the frames numbered 1-N
  (each 224 px frame drawn 2x, nearest neighbour: no detail is added);
- ``OUT/instructions.txt``: the instruction of each numbered frame (no answer);
- ``OUT/keys.json``: the answers ("left"/"right") and the items' meta. Do not open
  it before writing your judgments to ``OUT/judgments.json``
  (``{"Color": ["left", "right", ...], ...}``);

then ``--score OUT`` compares the judgments with the keys, per category.

    .venv/bin/python benchmarks/blind_frames.py /tmp/blind --seed 2331 --per-category 8
    .venv/bin/python benchmarks/blind_frames.py /tmp/blind --score

``--categories Symmetry Counting`` renders only those.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from act2answer.sim import SimConfig, make_env
from act2answer.synth import generate_suite
from act2answer.synth.categories import CATEGORY_ORDER, category_slug

FRAME_PX = 224
ZOOM = 2
COLUMNS = 4


def render_frames(
    out: Path, seed: int, per_category: int, categories: list[str] | None = None
) -> None:
    """Write the frame sheets, the instructions and (separately) the keys."""
    categories = categories or list(CATEGORY_ORDER)
    suite = generate_suite(
        out / "suite", per_category=per_category, seed=seed, categories=categories, workers=1
    )
    env = make_env(SimConfig())
    (out / "frames").mkdir(parents=True, exist_ok=True)
    lines: list[str] = []
    keys: dict[str, list[dict[str, object]]] = {}
    for category in categories:
        items = [item for item in suite.items if item.category == category]
        panels = []
        lines.append(f"## {category}")
        for number, item in enumerate(items, start=1):
            left, right = (np.asarray(Image.open(suite.image_path(o)).convert("RGB"))
                           for o in item.options)  # fmt: skip
            env.set_tiles(left, right)
            env.reset(seed=number)
            frame = Image.fromarray(np.asarray(env.render(width=FRAME_PX, height=FRAME_PX)))
            panel = frame.resize((FRAME_PX * ZOOM, FRAME_PX * ZOOM), Image.Resampling.NEAREST)
            ImageDraw.Draw(panel).text((6, 4), str(number), fill=(255, 255, 0))
            panels.append(panel)
            lines.append(f"{number}. {item.instruction}")
            keys.setdefault(category, []).append(
                {
                    "answer": "left" if item.answer == 0 else "right",
                    "id": item.id,
                    "meta": item.meta,
                }
            )
        rows = -(-len(panels) // COLUMNS)
        side = FRAME_PX * ZOOM
        sheet = Image.new("RGB", (COLUMNS * side, rows * side), (0, 0, 0))
        for k, panel in enumerate(panels):
            sheet.paste(panel, ((k % COLUMNS) * side, (k // COLUMNS) * side))
        sheet.save(out / "frames" / f"{category_slug(category)}.png")
    env.close()
    (out / "instructions.txt").write_text("\n".join(lines) + "\n")
    (out / "keys.json").write_text(json.dumps(keys, indent=1, default=str))


def score(out: Path) -> dict[str, tuple[int, int]]:
    """Per category, (judgments that match the key, items judged)."""
    keys = json.loads((out / "keys.json").read_text())
    judged = json.loads((out / "judgments.json").read_text())
    result = {}
    for category, entries in keys.items():
        answers = judged.get(category, [])
        hits = sum(a == e["answer"] for a, e in zip(answers, entries, strict=False))
        result[category] = (hits, len(entries))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=2331)
    parser.add_argument("--per-category", type=int, default=8)
    parser.add_argument("--categories", nargs="+", help="default: every category")
    parser.add_argument("--score", action="store_true", help="score OUT/judgments.json")
    args = parser.parse_args()
    if args.score:
        keys = json.loads((args.out / "keys.json").read_text())
        for category, (hits, n) in score(args.out).items():
            print(f"{category:13s} {hits}/{n}")
            for k, entry in enumerate(keys[category], start=1):
                print(f"    {k}. key {entry['answer']:5s} {entry['id']}")
    else:
        render_frames(args.out, args.seed, args.per_category, args.categories)


if __name__ == "__main__":
    main()
