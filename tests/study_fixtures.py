"""Synthetic run folders for report tests and the report benchmark.

Evaluation runs are written through the real store (``ResultStore``,
``RunConfig``, ``EpisodeResult``), so the report reads them exactly like runs
the runner made; probe runs are written as ``probe.json``.
"""

from __future__ import annotations

import json
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
    from act2answer.vlm import InputMode, ModelSpec, VLMAnswer, VLMRunConfig
    from act2answer.vlm.scoring import ScoreMethod
    from act2answer.vlm.store import VLMStore

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
    """A probe run in ``act2answer probe``'s ``probe.json`` format (act2answer-probe-v1).

    Backbone curves peak mid-depth; action curves start at ``retention`` of the
    backbone's gain over chance and fade.
    """
    rng = np.random.default_rng(seed)
    curves: list[dict] = []
    terms = []
    for category in categories:
        top = peak + rng.uniform(-0.05, 0.05)
        gain = top - 0.5
        centre, width = prefix_layers * 0.55, prefix_layers * 0.3
        prefix = [
            _point(rng, category, "prefix", layer,
                   0.5 + gain * math.exp(-(((layer - centre) / width) ** 2)))
            for layer in range(prefix_layers)
        ]  # fmt: skip
        fade = [1 - 0.5 * layer / max(1, action_layers - 1) for layer in range(action_layers)]
        action = [
            _point(rng, category, "action", layer, 0.5 + gain * retention * fade[layer])
            for layer in range(action_layers)
        ]
        curves += prefix + action
        best_prefix = max(prefix, key=lambda p: p["accuracy"])
        best_action = max(action, key=lambda p: p["accuracy"])
        terms.append({
            "category": category,
            "prefix_peak": best_prefix["accuracy"], "prefix_peak_layer": best_prefix["layer"],
            "action_peak": best_action["accuracy"], "action_peak_layer": best_action["layer"],
            "retention": (best_action["accuracy"] - 0.5) / (best_prefix["accuracy"] - 0.5 + 1e-6),
        })  # fmt: skip
    for part, layers in (("prefix", prefix_layers), ("action", action_layers)):
        for layer in range(layers):
            same = [c for c in curves if c["part"] == part and c["layer"] == layer]
            mean = float(np.mean([c["accuracy"] for c in same]))
            curves.append(_point(rng, "overall", part, layer, mean))
    value = float(np.mean([t["retention"] for t in terms]))
    data = {
        "format": "act2answer-probe-v1",
        "model": model,
        "suite_name": "synthetic-suite-v1",
        "retention": {"value": value, "low": value - 0.08, "high": value + 0.08,
                      "method": "items", "eps": 1e-6, "categories": terms},
        "curves": curves,
    }  # fmt: skip
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / "probe.json").write_text(json.dumps(data), encoding="utf-8")
    return run_dir


def _point(rng: np.random.Generator, category: str, part: str, layer: int, acc: float) -> dict:
    return {
        "category": category, "part": part, "layer": layer, "n": 40,
        "accuracy": round(acc + rng.normal(0, 0.01), 4), "std": 0.03,
        "control_accuracy": round(0.5 + rng.normal(0, 0.015), 4), "control_std": 0.03,
    }  # fmt: skip
