"""Synthetic run folders for report tests and the report benchmark.

Evaluation runs are written through the real store (``ResultStore``,
``RunConfig``, ``EpisodeResult``), so the report reads them exactly like runs
the runner made; probe runs are written as ``probe.json``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from act2answer.eval import EpisodeResult
from act2answer.eval.config import RunConfig
from act2answer.eval.scoring import Outcome
from act2answer.interfaces import Side
from act2answer.policies import PolicySpec
from act2answer.sim import SimConfig
from act2answer.store import ResultStore

CATEGORIES_12 = (
    "Color", "Shape", "Symmetry", "Counting", "Time", "Attribute",
    "State", "Emotion", "Traffic", "Public Info", "Living World", "Celebrity",
)  # fmt: skip


def write_synthetic_run(
    run_dir: Path,
    *,
    policy: str,
    skill: Sequence[float],
    categories: Sequence[str] = CATEGORIES_12,
    items_per_category: int = 20,
    no_answer: float = 0.0,
    left_bias: float = 0.5,
    seed: int = 0,
    suite_name: str = "synthetic-suite-v1",
) -> Path:
    """A finished run: per category, P(correct) = ``skill[c]`` for episodes ending on a tile.

    Args:
        skill: Per-category probability that a tile choice is the correct tile
            (0.5: guessing), cycled when shorter than ``categories``.
        no_answer: Probability that an episode ends on neither tile.
        left_bias: Share of guesses (episodes where it does not know) that go
            to the left tile.
    """
    rng = np.random.default_rng(seed)
    config = RunConfig(
        suite_name=suite_name,
        suite_hash="0" * 64,
        suite_path=str(run_dir / "no-suite-here"),
        policy=PolicySpec(name=policy),
        sim=SimConfig(),
    )
    with ResultStore(run_dir) as store:
        store.bind_config(config)
        for c, category in enumerate(categories):
            p_correct = skill[c % len(skill)]
            for i in range(items_per_category):
                item_id = f"{category.lower().replace(' ', '-')}-{i:03d}"
                for side in (Side.LEFT, Side.RIGHT):
                    store.add(_episode(rng, item_id, category, side, p_correct, no_answer,
                                       left_bias))  # fmt: skip
    return run_dir


def _episode(
    rng: np.random.Generator,
    item_id: str,
    category: str,
    side: Side,
    p_correct: float,
    no_answer: float,
    left_bias: float,
) -> EpisodeResult:
    other = Side.RIGHT if side is Side.LEFT else Side.LEFT
    if rng.random() < no_answer:
        outcome, chosen = Outcome.NO_ANSWER, None
    elif rng.random() < 2 * abs(p_correct - 0.5):  # knows it
        outcome = Outcome.CORRECT if p_correct >= 0.5 else Outcome.WRONG
        chosen = side if outcome is Outcome.CORRECT else other
    else:  # guesses, with its side bias
        chosen = Side.LEFT if rng.random() < left_bias else Side.RIGHT
        outcome = Outcome.CORRECT if chosen is side else Outcome.WRONG
    return EpisodeResult(
        item_id=item_id, category=category, answer_side=side, seed=int(rng.integers(2**31)),
        outcome=outcome, chosen_side=chosen, cube_x=0.3, cube_y=0.0, cube_z=0.02,
        distance_to_correct=0.0 if outcome is Outcome.CORRECT else 0.15,
        released=outcome is not Outcome.NO_ANSWER, steps=16, wall_time_s=0.05,
    )  # fmt: skip


def write_synthetic_vlm_run(
    run_dir: Path,
    *,
    model: str,
    skill: Sequence[float],
    categories: Sequence[str] = CATEGORIES_12,
    items_per_category: int = 20,
    seed: int = 0,
    suite_name: str = "synthetic-suite-v1",
) -> Path:
    """A finished VLM run (``act2answer vlm`` store) on the same item ids as the VLA runs."""
    from act2answer.store import VLMStore
    from act2answer.vlm import InputMode, ModelSpec, VLMAnswer, VLMRunConfig
    from act2answer.vlm.scoring import ScoreMethod

    rng = np.random.default_rng(seed)
    config = VLMRunConfig(
        suite_name=suite_name,
        suite_hash="0" * 64,
        suite_path=str(run_dir / "no-suite-here"),
        model=ModelSpec(model=model),
        input_mode=InputMode.FRAME,
    )
    with VLMStore(run_dir) as store:
        store.bind_config(config)
        for c, category in enumerate(categories):
            for i in range(items_per_category):
                item_id = f"{category.lower().replace(' ', '-')}-{i:03d}"
                a_is_left = bool(rng.integers(2))
                for side in (Side.LEFT, Side.RIGHT):
                    episode = _episode(rng, item_id, category, side, skill[c % len(skill)], 0, 0.5)
                    letter = {True: "A", False: "B"}
                    correct_letter = letter[(side is Side.LEFT) == a_is_left]
                    chosen_letter = letter[(episode.chosen_side is Side.LEFT) == a_is_left]
                    right = episode.outcome is Outcome.CORRECT
                    store.add(VLMAnswer(
                        item_id=item_id, category=category, answer_side=side,
                        frame_seed=episode.seed, letter_seed=seed, a_is_left=a_is_left,
                        correct_letter=correct_letter, chosen_letter=chosen_letter,
                        chosen_side=episode.chosen_side, outcome=episode.outcome,
                        score_a=-0.5, score_b=-1.0, margin=0.5 if right else -0.5,
                        method=ScoreMethod.LOGPROBS, generated_text=None, prompt="p",
                        wall_time_s=0.01,
                    ))  # fmt: skip
    return run_dir


def write_synthetic_probe(
    run_dir: Path,
    *,
    categories: Sequence[str] = CATEGORIES_12,
    prefix_layers: int = 24,
    action_layers: int = 12,
    peak: float = 0.85,
    retention: float = 0.4,
    model: str = "synthetic-vla",
    seed: int = 0,
) -> Path:
    """A probe run folder written by ``act2answer.probing.write_probe_outputs``.

    Backbone curves peak mid-depth; action curves start at ``retention`` of the
    backbone's gain over chance and fade. Retention is computed from the curves
    by ``retention_from_curves`` (binomial bootstrap, 40 episodes per point).
    """
    from act2answer.probing import (
        OVERALL,
        CurvePoint,
        CurveRow,
        ProbeConfig,
        ProbeResult,
        retention_from_curves,
        write_probe_outputs,
    )

    rng = np.random.default_rng(seed)
    points: list[CurvePoint] = []

    def point(category: str, part: str, layer: int, accuracy: float) -> CurvePoint:
        return CurvePoint(category, part, layer, float(np.clip(accuracy, 0, 1)), 0.03,
                          0.5 + float(rng.normal(0, 0.015)), 0.03, 40, ())  # fmt: skip

    for category in categories:
        gain = peak + rng.uniform(-0.05, 0.05) - 0.5
        centre, width = prefix_layers * 0.55, prefix_layers * 0.3
        for layer in range(prefix_layers):
            accuracy = 0.5 + gain * math.exp(-(((layer - centre) / width) ** 2))
            points.append(point(category, "prefix", layer, accuracy + rng.normal(0, 0.01)))
        for layer in range(action_layers):
            fade = 1 - 0.5 * layer / max(1, action_layers - 1)
            accuracy = 0.5 + gain * retention * fade + rng.normal(0, 0.01)
            points.append(point(category, "action", layer, accuracy))
    for part, layers in (("prefix", prefix_layers), ("action", action_layers)):
        for layer in range(layers):
            same = [p.accuracy for p in points if p.part == part and p.layer == layer]
            points.append(point(OVERALL, part, layer, float(np.mean(same))))
    rows = [
        CurveRow(p.category, p.part, p.layer, p.accuracy, p.n)
        for p in points
        if p.category != OVERALL
    ]
    meta = {"model": model, "suite_name": "synthetic-suite-v1"}
    result = ProbeResult(points, ProbeConfig())
    write_probe_outputs(run_dir, result, retention_from_curves(rows), meta, plot=False)
    return run_dir
