"""Scripted demonstrations: the oracle's carry controller, with noise and recoveries.

An episode of a demonstration runs exactly like an evaluation episode (same
simulator, same reset, same instruction, both layouts of every item), but the
policy is the oracle's :class:`~act2answer.policies.reference.CarryController`
aimed at the correct tile, and the recorder keeps the camera frame, the
proprioceptive state and the action of every control step.

Noise and recoveries (DART-style): the action *executed* is the expert's
action plus Gaussian noise and, with a small probability per step, a sideways
push of a few centimetres; the action *recorded* is the expert's clean action.
The controller's own copy of the accumulated target takes the executed action,
so its next actions steer back: the data then shows how to recover from states
the clean expert never visits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from act2answer.interfaces import (
    ACTION_DIM,
    ObservationNeeds,
    PrivilegedInfo,
    Side,
)

#: Mixed into the episode seed for the demonstration noise (independent of the scene's draws).
_NOISE_STREAM = 0xDE305


class DemoConfig(BaseModel):
    """How demonstrations are perturbed and which ones are kept.

    Attributes:
        action_noise: Standard deviation of the Gaussian noise added to the
            executed ``dx, dy, dz`` each step, metres.
        push_probability: Chance per carry step of a sideways push.
        push_size: Size of a push (uniform direction in the table plane), metres.
        clean_radius: No noise once the carry target is this close to the tile
            centre (the controller needs clean steps to settle and let go), metres.
        keep_failures: Keep demonstrations whose cube did not end on the correct tile.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    action_noise: float = Field(0.002, ge=0.0)
    push_probability: float = Field(0.05, ge=0.0, le=1.0)
    push_size: float = Field(0.025, ge=0.0)
    clean_radius: float = Field(0.04, ge=0.0)
    keep_failures: bool = False


@dataclass
class DemoEpisode:
    """One recorded demonstration.

    Attributes:
        item_id: Suite item id.
        category: Item category.
        instruction: The episode's instruction (the LeRobot "task").
        answer_side: Where the correct tile lay.
        seed: Episode seed.
        success: The cube ended on the correct tile.
        images: ``(T, H, W, 3)`` uint8 camera frames, one per control step.
        states: ``(T, 7)`` float32 ``[x, y, z, roll, pitch, yaw, gripper_opening]``.
        actions: ``(T, 7)`` float32 expert actions (the labels).
        executed: ``(T, 7)`` float32 actions the simulator received (with noise).
    """

    item_id: str
    category: str
    instruction: str
    answer_side: Side
    seed: int
    success: bool
    images: np.ndarray
    states: np.ndarray
    actions: np.ndarray
    executed: np.ndarray = field(repr=False)

    @property
    def length(self) -> int:
        """Number of control steps (frames)."""
        return int(self.actions.shape[0])


def record_episode(env, task, config: DemoConfig) -> DemoEpisode:  # type: ignore[no-untyped-def]
    """Run one noisy oracle demonstration and record every step.

    Args:
        env: A simulator backend (:func:`act2answer.sim.make_env`).
        task: The :class:`~act2answer.eval.tasks.EpisodeTask` to demonstrate.
        config: Noise settings.

    Returns:
        The recorded demonstration.
    """
    from act2answer.eval.episode import load_tile_image
    from act2answer.eval.scoring import Outcome, ScoringRule, judge_all
    from act2answer.policies.reference import CarryController

    env.set_tiles(load_tile_image(task.left_image), load_tile_image(task.right_image))
    needs = ObservationNeeds(image=True, scene_geometry=True, answer=True)
    observation, _ = env.reset(seed=task.seed, instruction=task.instruction, needs=needs)
    geometry = env.geometry
    privileged = PrivilegedInfo(geometry.left_tile_xy, geometry.right_tile_xy, task.answer_side)
    controller = CarryController(privileged.tile_xy(task.answer_side))
    rng = np.random.default_rng([task.seed, _NOISE_STREAM])
    images, states, actions, executed = [], [], [], []
    done = False
    while not done:
        images.append(np.asarray(observation.image, dtype=np.uint8).copy())
        states.append(observation.state)
        action = controller.act(observation)
        noisy = action.copy()
        # Perturb only while carrying and still away from the tile: the controller then has
        # clean steps left to converge on its waypoint, descend and let go.
        assert controller._target is not None
        remaining = np.linalg.norm(controller._target[:2] - np.asarray(controller.target_xy))
        if controller.phase == "carry" and remaining > config.clean_radius:
            noisy[:3] += rng.normal(0.0, config.action_noise, 3)
            if rng.random() < config.push_probability:
                angle = rng.uniform(0.0, 2.0 * np.pi)
                noisy[:2] += config.push_size * np.array([np.cos(angle), np.sin(angle)])
        # The controller's accumulated target follows what was executed: it steers back.
        controller._target = controller._target + (noisy[:3] - action[:3])
        actions.append(action.astype(np.float32))
        executed.append(noisy.astype(np.float32))
        observation, _, terminated, truncated, _ = env.step(noisy)
        done = terminated or truncated
    judgements = judge_all(env.cube_state().position, env.geometry, task.answer_side, None)
    success = judgements[ScoringRule.DEFAULT].outcome is Outcome.CORRECT
    return DemoEpisode(
        item_id=task.item_id,
        category=task.category,
        instruction=task.instruction,
        answer_side=task.answer_side,
        seed=task.seed,
        success=success,
        images=np.stack(images),
        states=np.stack(states).astype(np.float32),
        actions=np.stack(actions).reshape(-1, ACTION_DIM),
        executed=np.stack(executed).reshape(-1, ACTION_DIM),
    )


def record_demos(
    tasks: Sequence,  # type: ignore[type-arg]
    sim_config,  # type: ignore[no-untyped-def]
    config: DemoConfig | None = None,
    on_episode: Callable[[DemoEpisode], None] | None = None,
) -> Iterator[DemoEpisode]:
    """Record a demonstration of every task (episodes that fail are dropped unless kept).

    Args:
        tasks: :class:`~act2answer.eval.tasks.EpisodeTask` s (both layouts of each item).
        sim_config: :class:`~act2answer.sim.SimConfig`; its camera size is the frame size.
        config: Noise settings (defaults: :class:`DemoConfig`).
        on_episode: Called with every recorded episode, kept or not (progress).

    Yields:
        The kept demonstrations, in task order.
    """
    from act2answer.sim import make_env

    config = config or DemoConfig()
    env = make_env(sim_config)
    try:
        for task in tasks:
            episode = record_episode(env, task, config)
            if on_episode is not None:
                on_episode(episode)
            if episode.success or config.keep_failures:
                yield episode
    finally:
        env.close()


__all__ = ["DemoConfig", "DemoEpisode", "build_demo_dataset", "record_demos", "record_episode"]


def build_demo_dataset(
    out,  # type: ignore[no-untyped-def]
    *,
    suite=None,  # type: ignore[no-untyped-def]
    categories: Sequence[str] | None = ("Color", "Shape"),
    per_category: int = 20,
    seed: int = 1001,
    sim_config=None,  # type: ignore[no-untyped-def]
    config: DemoConfig | None = None,
    on_episode: Callable[[DemoEpisode], None] | None = None,
) -> dict:  # type: ignore[type-arg]
    """Record demonstrations of a suite (both layouts of every item) as a LeRobot dataset.

    Without ``suite``, a procedural training suite of ``categories`` is
    generated into ``out/suite`` with ``seed``: keep that seed different from
    the evaluation suite's (``act2answer synth`` defaults to 0) so that no
    evaluated item is ever demonstrated.

    Args:
        out: Dataset folder to create.
        suite: A suite folder or loaded :class:`~act2answer.suite.Suite` to demonstrate.
        categories: Categories of the generated suite (ignored with ``suite``).
        per_category: Items per category of the generated suite.
        seed: Seed of the generated suite.
        sim_config: Simulator settings (default: the reference scene, 128x96 frames).
        config: Noise settings.
        on_episode: Progress callback, called with every recorded episode.

    Returns:
        The dataset's ``info.json`` content.
    """
    from pathlib import Path

    from act2answer.eval.tasks import make_tasks
    from act2answer.lab.lerobot_format import write_dataset
    from act2answer.sim import SimConfig
    from act2answer.suite import Suite, load_suite

    out = Path(out)
    if suite is None:
        from act2answer.synth import generate_suite

        suite = generate_suite(
            out / "suite", per_category=per_category, seed=seed, categories=categories, workers=1
        )
    elif not isinstance(suite, Suite):
        suite = load_suite(suite)
    sim_config = sim_config or SimConfig(camera_width=128, camera_height=96)
    episodes = record_demos(make_tasks(suite), sim_config, config, on_episode)
    return write_dataset(episodes, out, fps=sim_config.control_hz)
