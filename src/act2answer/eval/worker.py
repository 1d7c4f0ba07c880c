"""A worker owns one simulator and one policy and runs episodes handed to it.

Workers are the unit a scheduler distributes (a local process pool today; Ray
actors later): construct with picklable specs, call ``run(task)`` repeatedly.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import numpy as np

from act2answer.eval.episode import run_episode
from act2answer.eval.results import EpisodeResult
from act2answer.eval.scoring import ScoringRule
from act2answer.eval.tasks import EpisodeTask
from act2answer.interfaces import Policy
from act2answer.policies import PolicySpec, make_policy
from act2answer.sim import SimBackend, SimConfig, make_env

VIDEO_DIR = "videos"


class EpisodeWorker:
    """Runs episodes with one simulator (built once) and one policy instance.

    Args:
        sim: Simulator settings.
        policy: Spec of the policy to create.
        run_dir: Run folder (videos are written under ``videos/``).
        zone_radius: Scoring radius; None for the tile half-diagonal.
        scoring: Rule whose outcome fills ``EpisodeResult.outcome``.
    """

    def __init__(
        self,
        sim: SimConfig,
        policy: PolicySpec,
        run_dir: Path | str,
        zone_radius: float | None = None,
        scoring: ScoringRule = ScoringRule.DEFAULT,
    ) -> None:
        self.scoring = ScoringRule(scoring)
        self.sim_config = sim
        self.run_dir = Path(run_dir)
        self.zone_radius = zone_radius
        self.policy: Policy = make_policy(policy)
        self._env: SimBackend | None = None

    @property
    def env(self) -> SimBackend:
        if self._env is None:
            self._env = make_env(self.sim_config)
        return self._env

    def run(self, task: EpisodeTask) -> EpisodeResult:
        """Run one episode; failures are recorded in the result, not raised."""
        if not task.record_video:
            return run_episode(
                self.env, self.policy, task, zone_radius=self.zone_radius, scoring=self.scoring
            )
        frames: list[np.ndarray] = []
        result = run_episode(
            self.env,
            self.policy,
            task,
            zone_radius=self.zone_radius,
            on_frame=frames.append,
            scoring=self.scoring,
        )
        relative = Path(VIDEO_DIR) / f"{_safe_name(task.item_id)}_{task.answer_side.value}.mp4"
        _write_mp4(self.run_dir / relative, frames, fps=self.sim_config.control_hz)
        return replace(result, video=str(relative))

    def close(self) -> None:
        if self._env is not None:
            self._env.close()
            self._env = None


def _safe_name(item_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", item_id)


def _write_mp4(path: Path, frames: list[np.ndarray], fps: float) -> None:
    import imageio.v2 as imageio

    path.parent.mkdir(parents=True, exist_ok=True)
    with imageio.get_writer(path, fps=fps, codec="libx264", macro_block_size=1) as writer:
        for frame in frames:
            writer.append_data(frame)
