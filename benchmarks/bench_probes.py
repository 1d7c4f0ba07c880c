"""Benchmark: fit probes for 32 layers x 12 categories x 300 episodes of 1,024-dim features.

Target (issue #11): < 60 s on 2 cores. Features are synthetic (Gaussian noise
with a weak answer direction in the middle layers, so fits are not trivial);
each category has 150 items x 2 layouts. Per (category, layer): 5 grouped
folds, each with a probe and a shuffled-label control (3,840 logistic
regressions in all). The pooled all-category probe is timed separately
(``--pooled``), as it is 32 x 10 fits on 2,880 x 1,024 training sets.

    .venv/bin/python benchmarks/bench_probes.py [--pooled] [--layers 32] [--jobs 2]

Wall time depends on what else runs on the machine; CPU time (this process
plus worker processes) does not, and with 2 workers wall >= CPU / 2.
"""

from __future__ import annotations

import argparse
import resource
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--layers", type=int, default=32)
    parser.add_argument("--categories", type=int, default=12)
    parser.add_argument("--items", type=int, default=150, help="items per category (x2 episodes)")
    parser.add_argument("--dim", type=int, default=1024)
    parser.add_argument("--jobs", type=int, default=2, help="worker processes over layers")
    parser.add_argument("--pooled", action="store_true", help="also fit the all-category probe")
    args = parser.parse_args()
    import numpy as np

    from act2answer.probing import OVERALL, FeatureRow, ProbeConfig, fit_probes

    rng = np.random.default_rng(0)
    rows = [
        FeatureRow(c * args.items * 2 + i * 2 + label, f"c{c}-i{i}", "lr"[label], label, f"c{c}", 0)
        for c in range(args.categories)
        for i in range(args.items)
        for label in (0, 1)
    ]
    labels = np.array([row.label for row in rows])
    n = len(rows)
    started = time.perf_counter()
    layers = []
    for layer in range(args.layers):
        strength = 0.4 * np.exp(-(((layer - args.layers / 2) / (args.layers / 6)) ** 2))
        direction = rng.normal(size=args.dim).astype(np.float32)
        features = rng.normal(size=(n, args.dim)).astype(np.float32)
        features += strength * (2 * labels[:, None] - 1) * direction / np.sqrt(args.dim) * 8
        layers.append(features)
    print(
        f"generated {args.layers} x {n} x {args.dim} features in "
        f"{time.perf_counter() - started:.1f} s"
    )

    config = ProbeConfig(pooled=args.pooled, jobs=args.jobs)
    started = time.perf_counter()
    cpu_started = _cpu_seconds()
    result = fit_probes(
        rows, [("prefix", layer) for layer in range(args.layers)], lambda p, k: layers[k], config
    )
    elapsed = time.perf_counter() - started
    cpu = _cpu_seconds() - cpu_started
    fitted = [point for point in result.points if point.category != OVERALL]
    fits = len(fitted) * config.folds * 2
    peak = max(result.curve("c0", "prefix"), key=lambda point: point.accuracy)
    controls = np.array([point.control_accuracy for point in result.points])
    cpu_text = f"{cpu:.1f} s CPU" if args.jobs == 1 else "CPU time: run with --jobs 1"
    print(
        f"fitted {len(fitted)} curves ({fits} logistic regressions incl. controls) "
        f"in {elapsed:.1f} s wall with {args.jobs} worker process(es), {cpu_text} "
        "(target < 60 s on 2 cores; wall time measured while the machine was shared)"
    )
    print(
        f"c0 peak accuracy {peak.accuracy:.2f} at layer {peak.layer}; "
        f"control mean {controls.mean():.3f}"
    )


def _cpu_seconds() -> float:
    """CPU time of this process and of finished worker processes (joblib's are reaped at exit)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


if __name__ == "__main__":
    main()
