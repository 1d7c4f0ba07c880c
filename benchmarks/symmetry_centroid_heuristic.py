"""How often "the line through the figure's middle" picks the Symmetry answer.

Generates ``--items`` fresh Symmetry items (no suite is written) and scores the
heuristic of :func:`act2answer.quality.audit.centroid_line_choice` on each: the
option whose dashed line passes nearer its figure's centroid wins, offsets
within 2/512 of the image width are a tie (half a point). Prints the share
overall and per distractor mode. Issue #23's acceptance: <= 60% of 120 items.

    .venv/bin/python benchmarks/symmetry_centroid_heuristic.py --items 120 --seed 2323
"""

from __future__ import annotations

import argparse
from collections import defaultdict

import numpy as np

from act2answer.quality.audit import centroid_line_choice, wilson_interval
from act2answer.synth import get_generator, item_rng


def centroid_heuristic_scores(items: int, seed: int) -> dict[str, list[float]]:
    """Per distractor mode, the heuristic's score (1, 0.5 or 0) on each generated item."""
    generator = get_generator("Symmetry")
    scores: dict[str, list[float]] = defaultdict(list)
    for index in range(items):
        item = generator.generate(item_rng(seed, "Symmetry", index))
        score = centroid_line_choice(np.asarray(item.correct), np.asarray(item.distractor))
        scores[str(item.meta["distractor_mode"])].append(score)
    return dict(scores)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=120)
    parser.add_argument("--seed", type=int, default=2323)
    args = parser.parse_args()
    scores = centroid_heuristic_scores(args.items, args.seed)
    every = [s for mode_scores in scores.values() for s in mode_scores]
    for mode, mode_scores in sorted(scores.items()):
        ties = sum(s == 0.5 for s in mode_scores)
        print(
            f"{mode:14s} n={len(mode_scores):3d}  picks the answer {np.mean(mode_scores):.1%}"
            f"  ties {ties}"
        )
    low, high = wilson_interval(sum(every), len(every))
    print(
        f"all            n={len(every):3d}  picks the answer {np.mean(every):.1%} "
        f"[{low:.0%}, {high:.0%}]"
    )


if __name__ == "__main__":
    main()
