"""Run one episode: reset the simulator, loop policy and physics, score the cube."""

from __future__ import annotations

import math
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from act2answer.errors import PolicyUnavailableError
from act2answer.eval.intent import intent_metrics
from act2answer.eval.results import EpisodeResult
from act2answer.eval.scoring import Outcome, ScoringRule, judge_all, release_position
from act2answer.eval.tasks import EpisodeTask
from act2answer.interfaces import EpisodeStart, Policy, PrivilegedInfo, validate_action
from act2answer.sim import SimBackend
from act2answer.suite.images import read_rgb

FrameSink = Callable[[np.ndarray], None]


@dataclass
class EpisodeTiming:
    """Where an episode's time went (filled in by :func:`run_episode` when passed).

    Attributes:
        act_s: Duration of every ``policy.act`` call, seconds.
        sim_s: Total time in ``env.step``, seconds.
        reset_s: Time of tile upload, ``env.reset`` and ``policy.reset``, seconds.
    """

    act_s: list[float] = field(default_factory=list)
    sim_s: float = 0.0
    reset_s: float = 0.0


@lru_cache(maxsize=64)
def load_tile_image(path: str) -> np.ndarray:
    """Decode an option image to an RGB uint8 array (cached per process)."""
    return read_rgb(path)


def show_task_tiles(env: SimBackend, task: EpisodeTask) -> None:
    """Put a task's two images on the tiles, sized and styled for its category."""
    env.set_tiles(
        load_tile_image(task.left_image),
        load_tile_image(task.right_image),
        category=task.category,
        tile_size=task.tile_size,
    )


def run_episode(
    env: SimBackend,
    policy: Policy,
    task: EpisodeTask,
    *,
    zone_radius: float | None = None,
    on_frame: FrameSink | None = None,
    timing: EpisodeTiming | None = None,
    scoring: ScoringRule = ScoringRule.DEFAULT,
) -> EpisodeResult:
    """Run ``policy`` on ``task`` in ``env`` and score the result.

    Policy failures (exceptions, invalid or non-finite actions) end the episode
    with ``Outcome.ERROR`` and the message recorded; they are not raised, except
    :class:`PolicyUnavailableError` (a remote policy unreachable at the start).

    Args:
        env: A simulator backend (compiled once, reused across episodes).
        policy: The policy under evaluation.
        task: Item, layout and seed of the episode.
        zone_radius: Scoring radius; defaults to the tile half-diagonal.
        on_frame: Called with a third-person frame after reset and every step
            (used to record videos).
        timing: Filled with policy and simulator times when given.
        scoring: The rule whose outcome fills ``outcome`` (all rules are stored).

    Returns:
        The episode's result.
    """
    started = time.perf_counter()
    timing = timing if timing is not None else EpisodeTiming()
    clock = time.perf_counter
    steps = 0
    error: str | None = None
    try:
        show_task_tiles(env, task)
        observation, _ = env.reset(seed=task.seed, instruction=task.instruction, needs=policy.needs)
        policy.reset(EpisodeStart(task.instruction, task.seed, _privileged(policy, env, task)))
        timing.reset_s = clock() - started
        if on_frame is not None:
            on_frame(env.render())
        done = False
        while not done:
            asked = clock()
            action = validate_action(policy.act(observation))
            stepped = clock()
            timing.act_s.append(stepped - asked)
            observation, _, terminated, truncated, _ = env.step(action)
            timing.sim_s += clock() - stepped
            steps += 1
            done = terminated or truncated
            if on_frame is not None:
                on_frame(env.render())
    except PolicyUnavailableError:
        raise  # the episode never reached the policy: the runner leaves it unrun
    except Exception as exc:  # a failing episode is recorded, never fatal to the run
        error = f"{type(exc).__name__}: {exc}"
        if not str(exc):
            error += "\n" + traceback.format_exc(limit=3)
    return _result(env, task, steps, time.perf_counter() - started, error, zone_radius, scoring)


def error_result(task: EpisodeTask, error: str, wall_time_s: float) -> EpisodeResult:
    """The record of an episode that could not finish at all (its worker hung or died)."""
    return EpisodeResult(
        **task.record_fields,
        seed=task.seed,
        outcome=Outcome.ERROR,
        chosen_side=None,
        cube_x=math.nan,
        cube_y=math.nan,
        cube_z=math.nan,
        distance_to_correct=math.nan,
        released=False,
        steps=0,
        wall_time_s=wall_time_s,
        error=error,
    )


def _privileged(policy: Policy, env: SimBackend, task: EpisodeTask) -> PrivilegedInfo | None:
    needs = policy.needs
    if not (needs.scene_geometry or needs.answer):
        return None
    geometry = env.geometry
    return PrivilegedInfo(
        left_tile_xy=geometry.left_tile_xy,
        right_tile_xy=geometry.right_tile_xy,
        answer=task.answer_side if needs.answer else None,
    )


def _result(
    env: SimBackend,
    task: EpisodeTask,
    steps: int,
    wall_time_s: float,
    error: str | None,
    zone_radius: float | None,
    scoring: ScoringRule,
) -> EpisodeResult:
    try:
        cube_state = env.cube_state()
        cube, released = cube_state.position, cube_state.released
        trace_of = getattr(env, "trace", None)  # optional in the SimBackend protocol
        trace = trace_of() if trace_of else None
        release_cube = (
            release_position(trace.cube_xyz, trace.cube_released)
            if trace is not None and trace.cube_xyz is not None
            else None
        )
        judgements = judge_all(cube, env.geometry, task.answer_side, zone_radius, release_cube)
        judgement = judgements[ScoringRule(scoring)]
        intent = intent_metrics(trace, env.geometry, task.answer_side) if trace else None
    except Exception as exc:  # the simulator itself failed before a cube existed
        error = error or f"{type(exc).__name__}: {exc}"
        cube, released = (math.nan, math.nan, math.nan), False
        judgement, judgements, intent = None, {}, None
    return EpisodeResult(
        item_id=task.item_id,
        category=task.category,
        answer_side=task.answer_side,
        seed=task.seed,
        outcome=Outcome.ERROR if error or judgement is None else judgement.outcome,
        chosen_side=judgement.chosen_side if judgement else None,
        cube_x=float(cube[0]),
        cube_y=float(cube[1]),
        cube_z=float(cube[2]),
        distance_to_correct=judgement.distance_to_correct if judgement else math.nan,
        released=released,
        steps=steps,
        wall_time_s=wall_time_s,
        error=error,
        scores=tuple(
            (rule.value, j.outcome.value, j.chosen_side.value if j.chosen_side else None)
            for rule, j in judgements.items()
        ),
        intent=intent,
    )
