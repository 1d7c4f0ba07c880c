"""Stand-ins for learned models: batched policies with a fixed cost per call.

:class:`SleepBatchPolicy` sleeps a fixed time per ``act_batch`` call whatever
the batch size, as a GPU model roughly does; the batching benchmark and
tests use it. Run it with ``--policy tests.helpers.standins:SleepBatchPolicy``.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np

from act2answer.interfaces import ACTION_DIM, GRIPPER_CLOSE, ObservationNeeds, PolicyRequest


class SleepBatchPolicy:
    """Sleeps ``sleep_s`` per call, then returns seeded small-motion chunks.

    Each row's actions come from ``default_rng([episode_seed, step])`` only, so
    an episode's actions do not depend on which other episodes share the batch.

    Args:
        sleep_s: Seconds per call (any batch size).
        chunk_size: Actions per returned chunk (H).
        replan_steps: Actions executed per chunk.
        image: Ask the simulator for the camera image (costs render time).
        motion: Largest per-step target move, metres.
    """

    name = "sleep"

    def __init__(
        self,
        sleep_s: float = 0.2,
        chunk_size: int = 1,
        replan_steps: int = 1,
        image: bool = False,
        motion: float = 0.004,
    ) -> None:
        self.sleep_s = sleep_s
        self.chunk_size = chunk_size
        self.replan_steps = replan_steps
        self.motion = motion
        self.needs = ObservationNeeds(image=image)
        self.batch_sizes: list[int] = []

    def act_batch(self, requests: Sequence[PolicyRequest]) -> np.ndarray:
        """One chunk per request, shape ``(B, chunk_size, 7)``."""
        self.batch_sizes.append(len(requests))
        time.sleep(self.sleep_s)
        chunks = np.zeros((len(requests), self.chunk_size, ACTION_DIM))
        for row, request in enumerate(requests):
            rng = np.random.default_rng([request.episode_seed, request.observation.step])
            chunks[row, :, :3] = rng.uniform(-self.motion, self.motion, (self.chunk_size, 3))
        chunks[:, :, 6] = GRIPPER_CLOSE
        return chunks


__all__ = ["SleepBatchPolicy"]
