"""Effect of the reference scene's control options on the reference policies (full protocol).

Run: ``MUJOCO_GL=egl PYTHONPATH=.:src python benchmarks/reference_options_effect.py
[--items 10] [--workers 2]`` (from the repository root: it builds a small colour
suite with ``tests.conftest``).

Runs oracle, left, idle and random on the reference scene with the full 80-step
protocol three times: the default scene, ``rotation_delta="euler_xyz"`` (the
study's reading of the rotation numbers) and ``dynamic_tiles=True`` (tiles as
free bodies a policy can push, as the study's). Prints, per option and policy,
the success rate under each scoring rule, the share of right choices under the
reference rule, errors, the largest tile drift, and, paired with the default
scene episode by episode, how many outcomes (any rule) differ and the largest
distance between the final cube positions.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np

from act2answer.eval.scoring import ScoringRule
from act2answer.interfaces import Side
from act2answer.report import load_report
from act2answer.runner import run_evaluation
from act2answer.sim import SimConfig
from act2answer.sim._config import REFERENCE_SCENE

POLICIES = ("oracle", "left", "idle", "random")
OPTIONS = {
    "default": {},
    "euler_xyz": {"rotation_delta": "euler_xyz"},
    "dynamic_tiles": {"dynamic_tiles": True},
}


def option_sim(option: str) -> SimConfig:
    """The reference scene with one option changed (``default``: unchanged)."""
    return SimConfig(scene=REFERENCE_SCENE.model_copy(update=OPTIONS[option]))


def main(items: int, workers: int) -> None:
    """Run every option x policy and print one Markdown table."""
    from tests.conftest import make_colour_suite

    rules = list(ScoringRule)
    header = ["option", "policy", *(f"SR {rule.value}" for rule in rules)]
    header += ["right (reference)", "errors", "max tile drift, mm"]
    header += ["outcomes differing from default", "max final-cube distance to default, mm"]
    print("| " + " | ".join(header) + " |")
    print("|" + " --- |" * len(header))
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        suite = make_colour_suite(root / "suite", items)
        baseline: dict[str, dict[tuple[str, str], object]] = {}
        for option in OPTIONS:
            for policy in POLICIES:
                out = root / option / policy
                run_evaluation(suite, policy, out, workers=workers, sim=option_sim(option))
                report = load_report(out)
                results = {(r.item_id, r.answer_side.value): r for r in report.results}
                if option == "default":
                    baseline[policy] = results  # type: ignore[assignment]
                rates = [f"{report.by_rule[rule].overall.success_rate:.2f}" for rule in rules]
                under_reference = [r.under(ScoringRule.REFERENCE) for r in results.values()]
                right = np.mean([r.chosen_side is Side.RIGHT for r in under_reference])
                errors = sum(r.error is not None for r in results.values())
                drifts = [
                    r.intent.tile_drift_m
                    for r in results.values()
                    if r.intent is not None and r.intent.tile_drift_m is not None
                ]
                differing, distance = 0, 0.0
                for key, result in results.items():
                    base = baseline[policy][key]
                    if result.scores != base.scores:  # type: ignore[attr-defined]
                        differing += 1
                    gap = np.subtract(
                        (result.cube_x, result.cube_y, result.cube_z),
                        (base.cube_x, base.cube_y, base.cube_z),  # type: ignore[attr-defined]
                    )
                    distance = max(distance, float(np.linalg.norm(gap)))
                cells = [option, policy, *rates, f"{right:.2f}", str(errors)]
                cells.append(f"{1000 * max(drifts):.2f}" if drifts else "n/a")
                cells += [f"{differing} / {len(results)}", f"{1000 * distance:.2f}"]
                print("| " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=10, help="colour items (x2 layouts)")
    parser.add_argument("--workers", type=int, default=2)
    arguments = parser.parse_args()
    main(arguments.items, arguments.workers)
