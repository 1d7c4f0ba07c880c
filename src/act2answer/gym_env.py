"""Gymnasium environment: one act2answer suite as ``act2answer/Tabletop-v0``.

Install with ``pip install 'act2answer[gym]'``. Importing this module registers
the id; ``gymnasium.make("act2answer.gym_env:act2answer/Tabletop-v0", suite=...)``
imports it for you.

Each ``reset`` picks one episode of the suite (an item in one layout): the one
named in ``options`` (``{"item_id": ..., "answer_side": "left"}``) or else one
drawn from the reset seed. The simulator seed is the episode seed
``act2answer run`` uses, so the same policy gives the same final cube position
here and there. The instruction is in ``info["instruction"]`` (and
``env.unwrapped.instruction``), like ManiSkill's language instruction; the
observation holds the third-person image and the 7-D proprioceptive state.
``info["privileged"]`` carries the tile centres for scripted baselines only.
The episode is truncated after ``max_steps`` policy steps (the reference
protocol); the final step's ``info`` holds the outcome under every scoring
rule, and the reward is 1 at that step when the cube is on the correct tile.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import gymnasium
import numpy as np
from gymnasium import spaces

from act2answer.eval.episode import show_task_tiles
from act2answer.eval.scoring import Outcome, ScoringRule, judge_all, release_position
from act2answer.eval.tasks import LAYOUTS, EpisodeTask, Wording, make_tasks
from act2answer.interfaces import ObservationNeeds, Side
from act2answer.sim import SimConfig, TabletopEnv
from act2answer.suite import Condition, Suite, load_suite

ENV_ID = "act2answer/Tabletop-v0"
#: Largest translation or rotation delta in the action space (metres / radians per step).
ACTION_BOUND = 1.0
#: Lower bounds of the state ``[x, y, z, roll, pitch, yaw, gripper_opening]``.
_STATE_LOW = np.array([-2.0, -2.0, -2.0, -np.pi, -np.pi, -np.pi, 0.0], dtype=np.float32)
_STATE_HIGH = np.array([2.0, 2.0, 2.0, np.pi, np.pi, np.pi, 1.0], dtype=np.float32)


class TabletopGymEnv(gymnasium.Env[dict[str, np.ndarray], np.ndarray]):
    """An act2answer suite as a Gymnasium environment.

    Args:
        suite: A loaded suite or its folder.
        sim: Simulator settings (default ``SimConfig()``: the reference scene and protocol).
        condition: Instruction condition.
        wording: ``act2answer`` (the suite's texts) or ``study`` (the study's
            control-condition templates).
        scoring: Rule for the reward and ``info["outcome"]``.
        base_seed: The run-level seed mixed into episode seeds (as ``act2answer run --seed``).
        render_mode: None or ``"rgb_array"``.
    """

    metadata = {"render_modes": ["rgb_array"], "render_fps": 5}  # noqa: RUF012

    def __init__(
        self,
        suite: Suite | Path | str,
        sim: SimConfig | None = None,
        condition: Condition | str = Condition.KNOWLEDGE,
        scoring: ScoringRule | str = ScoringRule.DEFAULT,
        base_seed: int = 0,
        render_mode: str | None = None,
        wording: Wording | str = Wording.ACT2ANSWER,
    ) -> None:
        self.suite = suite if isinstance(suite, Suite) else load_suite(suite)
        self.sim_config = sim if sim is not None else SimConfig()
        self.scoring = ScoringRule(scoring)
        self.tasks = make_tasks(
            self.suite, LAYOUTS, base_seed, condition=Condition(condition), wording=wording
        )
        self._by_key = {task.key: task for task in self.tasks}
        self.render_mode = render_mode
        height, width = self.sim_config.camera_height, self.sim_config.camera_width
        self.observation_space = spaces.Dict(
            {
                "image": spaces.Box(0, 255, (height, width, 3), np.uint8),
                "state": spaces.Box(_STATE_LOW, _STATE_HIGH, (7,), np.float32),
            }
        )
        self.action_space = spaces.Box(-ACTION_BOUND, ACTION_BOUND, (7,), np.float32)
        self._sim = TabletopEnv(self.sim_config)
        self.task: EpisodeTask | None = None
        self.instruction = ""

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        """Start an episode (see the module docstring for how it is chosen)."""
        super().reset(seed=seed)
        options = options or {}
        if "item_id" in options:
            side = Side(options.get("answer_side", "left")).value
            try:
                self.task = self._by_key[(str(options["item_id"]), side)]
            except KeyError:
                item = options["item_id"]
                raise ValueError(f"no episode {item!r} / {side} in the suite") from None
        else:
            self.task = self.tasks[int(self.np_random.integers(len(self.tasks)))]
        task = self.task
        show_task_tiles(self._sim, task)
        observation, info = self._sim.reset(
            seed=task.seed, instruction=task.instruction, needs=ObservationNeeds(image=True)
        )
        self.instruction = task.instruction
        geometry = info.geometry
        return self._obs(observation), {
            "instruction": task.instruction,
            "item_id": task.item_id,
            "answer_side": task.answer_side.value,
            "seed": task.seed,
            "privileged": {
                "left_tile_xy": geometry.left_tile_xy,
                "right_tile_xy": geometry.right_tile_xy,
            },
        }

    def step(
        self, action: np.ndarray
    ) -> tuple[dict[str, np.ndarray], float, bool, bool, dict[str, Any]]:
        """One policy step; the last one carries the outcome."""
        if self.task is None:
            raise RuntimeError("call reset() before step()")
        observation, _, terminated, truncated, info = self._sim.step(
            np.asarray(action, dtype=np.float64)
        )
        extra: dict[str, Any] = {"instruction": self.instruction}
        reward = 0.0
        if terminated or truncated:
            trace = self._sim.trace() if hasattr(self._sim, "trace") else None
            release_cube = (
                release_position(trace.cube_xyz, trace.cube_released)
                if trace is not None and trace.cube_xyz is not None
                else None
            )
            judgements = judge_all(
                info.cube.position, info.geometry, self.task.answer_side, None, release_cube
            )
            judgement = judgements[self.scoring]
            reward = float(judgement.outcome is Outcome.CORRECT)
            extra["outcome"] = judgement.outcome.value
            extra["cube_position"] = info.cube.position
            extra["scores"] = {rule.value: j.outcome.value for rule, j in judgements.items()}
        return self._obs(observation), reward, terminated, truncated, extra

    def render(self) -> np.ndarray | None:  # type: ignore[override]
        """The third-person frame when ``render_mode="rgb_array"``."""
        return self._sim.render() if self.render_mode == "rgb_array" else None

    def close(self) -> None:
        self._sim.close()

    def _obs(self, observation: Any) -> dict[str, np.ndarray]:
        return {"image": observation.image, "state": observation.state}


def register_envs() -> None:
    """Register ``act2answer/Tabletop-v0`` with Gymnasium (idempotent)."""
    if ENV_ID not in gymnasium.registry:
        gymnasium.register(id=ENV_ID, entry_point="act2answer.gym_env:TabletopGymEnv")


register_envs()
