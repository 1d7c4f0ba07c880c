"""Time the generation of the full default procedural suite.

Usage::

    .venv/bin/python benchmarks/bench_synth.py [--per-category 150] [--workers N] [--out DIR]

Prints the wall time and items per second. Target (issue #3): the default
11 categories x 150 items in under 2 minutes on a 2-core machine.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from act2answer.synth import CATEGORY_ORDER, generate_suite


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-category", type=int, default=150)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=None, help="keep the suite here")
    args = parser.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="bench_synth_"))
    start = time.perf_counter()
    suite = generate_suite(
        out, per_category=args.per_category, seed=args.seed, categories=CATEGORY_ORDER,
        workers=args.workers,
    )  # fmt: skip
    elapsed = time.perf_counter() - start
    n = len(suite.items)
    print(
        f"{n} items ({len(CATEGORY_ORDER)} categories x {args.per_category}) in {elapsed:.1f} s "
        f"({n / elapsed:.1f} items/s), suite {suite.name}, hash {suite.content_hash[:12]}"
    )
    if args.out is None:
        shutil.rmtree(out)


if __name__ == "__main__":
    main()
