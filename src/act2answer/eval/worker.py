"""A worker owns one simulator and one policy and runs episodes handed to it.

Workers are the unit a scheduler distributes (a local process pool today; Ray
actors later): construct with picklable specs, call ``run(task)`` repeatedly.
"""

from __future__ import annotations

import os
import re
import socket
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from act2answer.eval.episode import EpisodeTiming, run_episode
from act2answer.eval.results import EpisodeResult
from act2answer.eval.scoring import ScoringRule
from act2answer.eval.tasks import EpisodeTask
from act2answer.interfaces import BatchPolicy, Policy
from act2answer.policies import PolicySpec, make_policy
from act2answer.policies.chunking import BatchPolicyAsPolicy, ChunkedPolicy, is_batch_policy
from act2answer.sim import SimBackend, SimConfig, make_env

VIDEO_DIR = "videos"


def process_name() -> str:
    """``host:pid`` of the calling process (recorded with every episode report)."""
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass(frozen=True)
class EpisodeReport:
    """An episode's result plus where its time went (not stored per episode).

    Attributes:
        result: The stored result.
        model_call_s: Duration of every model call (one per chunk for chunked policies).
        sim_s: Time spent stepping the simulator.
        reset_s: Time spent on tiles, reset and policy reset.
        process: ``host:pid`` of the process that ran the episode.
        cpu_s: CPU time of that process during the episode (all its threads).
    """

    result: EpisodeResult
    model_call_s: tuple[float, ...] = ()
    sim_s: float = 0.0
    reset_s: float = 0.0
    process: str = field(default_factory=process_name)
    cpu_s: float = 0.0


def as_single_episode(policy: Policy | BatchPolicy) -> Policy:
    """A :class:`BatchPolicy` wrapped to run one episode at a time; a Policy as is."""
    if is_batch_policy(policy):
        return BatchPolicyAsPolicy(policy)  # type: ignore[arg-type]
    return policy  # type: ignore[return-value]


class EpisodeWorker:
    """Runs episodes with one simulator (built once) and one policy instance.

    Args:
        sim: Simulator settings.
        policy: Spec of the policy to create.
        run_dir: Run folder (videos are written under ``videos/``).
        zone_radius: Scoring radius; None for the tile half-diagonal.
        scoring: Rule whose outcome fills ``EpisodeResult.outcome``.
        instance: An already created policy to use instead of creating one from ``policy``.
    """

    def __init__(
        self,
        sim: SimConfig,
        policy: PolicySpec,
        run_dir: Path | str,
        zone_radius: float | None = None,
        scoring: ScoringRule = ScoringRule.DEFAULT,
        instance: Policy | BatchPolicy | None = None,
    ) -> None:
        self.scoring = ScoringRule(scoring)
        self.sim_config = sim
        self.run_dir = Path(run_dir)
        self.zone_radius = zone_radius
        self.policy: Policy = as_single_episode(instance or make_policy(policy))
        self._env: SimBackend | None = None

    @property
    def env(self) -> SimBackend:
        if self._env is None:
            self._env = make_env(self.sim_config)
        return self._env

    def run(self, task: EpisodeTask) -> EpisodeResult:
        """Run one episode; failures are recorded in the result, not raised."""
        return self.run_timed(task).result

    def run_timed(self, task: EpisodeTask) -> EpisodeReport:
        """Run one episode and report its model-call and simulator times too."""
        timing = EpisodeTiming()
        cpu_started = time.process_time()
        frames: list[np.ndarray] = []
        result = run_episode(
            self.env,
            self.policy,
            task,
            zone_radius=self.zone_radius,
            on_frame=frames.append if task.record_video else None,
            timing=timing,
            scoring=self.scoring,
        )
        if task.record_video:
            name = f"{_safe_name(task.item_id)}_{task.answer_side.value}.mp4"
            relative = Path(VIDEO_DIR) / name
            _write_mp4(self.run_dir / relative, frames, fps=self.sim_config.control_hz)
            result = replace(result, video=str(relative))
        calls = (
            self.policy.call_times.durations
            if isinstance(self.policy, ChunkedPolicy)
            else timing.act_s
        )
        cpu_s = time.process_time() - cpu_started
        return EpisodeReport(result, tuple(calls), timing.sim_s, timing.reset_s, cpu_s=cpu_s)

    def close(self) -> None:
        if self._env is not None:
            self._env.close()
            self._env = None
        close_policy = getattr(self.policy, "close", None)
        if callable(close_policy):
            close_policy()


def _safe_name(item_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", item_id)


def _write_mp4(path: Path, frames: list[np.ndarray], fps: float) -> None:
    import imageio.v2 as imageio

    path.parent.mkdir(parents=True, exist_ok=True)
    with imageio.get_writer(path, fps=fps, codec="libx264", macro_block_size=1) as writer:
        for frame in frames:
            writer.append_data(frame)
