"""Action chunks: execute ``replan_steps`` actions of a chunk, then ask the model again.

:class:`ChunkedPolicy` turns any source of ``(H, 7)`` chunks into a
single-episode :class:`~act2answer.interfaces.Policy`; remote clients and the
in-process wrapper of a :class:`~act2answer.interfaces.BatchPolicy` build on it.
It also times every model call, so runs can report where time goes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from act2answer.errors import PolicyError
from act2answer.interfaces import (
    ACTION_DIM,
    BatchPolicy,
    EpisodeStart,
    Observation,
    ObservationNeeds,
    PolicyRequest,
)


@dataclass
class CallTimes:
    """Wall-clock durations of the model calls of one episode (seconds)."""

    durations: list[float] = field(default_factory=list)

    def add(self, seconds: float) -> None:
        self.durations.append(seconds)


def check_chunks(chunks: object, batch: int, finite: bool = True) -> np.ndarray:
    """Validate a batched policy's output: shape ``(batch, H >= 1, 7)`` and, if
    ``finite``, no NaN/inf anywhere.

    Raises:
        PolicyError: wrong type, shape or non-finite values.
    """
    try:
        array = np.asarray(chunks, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise PolicyError(f"act_batch returned non-numeric actions: {exc}") from None
    if array.ndim != 3 or array.shape[0] != batch or array.shape[1] < 1:
        raise PolicyError(
            f"act_batch must return shape ({batch}, H, {ACTION_DIM}), got {array.shape}"
        )
    if array.shape[2] != ACTION_DIM:
        raise PolicyError(f"act_batch must return {ACTION_DIM}-D actions, got {array.shape}")
    if finite and not np.all(np.isfinite(array)):
        raise PolicyError("act_batch returned non-finite actions")
    return array


class ChunkedPolicy:
    """Base class: a policy that asks a model for chunks and replays them.

    Subclasses implement :meth:`query` (one model call for the current
    observation, returning ``(H, 7)`` actions in act2answer's convention).

    Args:
        replan_steps: Actions executed from each chunk before querying again
            (at most the chunk length).
    """

    name: str = "chunked"
    needs: ObservationNeeds = ObservationNeeds(image=True)

    def __init__(self, replan_steps: int = 1) -> None:
        if replan_steps < 1:
            raise PolicyError(f"replan_steps must be >= 1, got {replan_steps}")
        self.replan_steps = replan_steps
        self.start: EpisodeStart | None = None
        self.call_times = CallTimes()
        self._chunk: np.ndarray | None = None
        self._next = 0

    def query(self, observation: Observation) -> np.ndarray:
        """One model call: ``(H, 7)`` actions for this observation."""
        raise NotImplementedError

    def reset(self, start: EpisodeStart) -> None:
        """Forget the previous episode's chunk and timings."""
        self.start = start
        self.call_times = CallTimes()
        self._chunk = None
        self._next = 0

    def act(self, observation: Observation) -> np.ndarray:
        """The next action of the current chunk, querying the model when it is used up."""
        if self._chunk is None or self._next >= min(self.replan_steps, len(self._chunk)):
            started = time.perf_counter()
            chunk = np.asarray(self.query(observation), dtype=np.float64)
            self.call_times.add(time.perf_counter() - started)
            if chunk.ndim != 2 or chunk.shape[0] < 1 or chunk.shape[1] != ACTION_DIM:
                raise PolicyError(f"model returned a chunk of shape {chunk.shape}, not (H, 7)")
            self._chunk, self._next = chunk, 0
        action = self._chunk[self._next]
        self._next += 1
        return action


class BatchPolicyAsPolicy(ChunkedPolicy):
    """Run a :class:`BatchPolicy` one episode at a time (batch size 1), in process.

    Args:
        policy: The batched policy.
    """

    def __init__(self, policy: BatchPolicy) -> None:
        super().__init__(policy.replan_steps)
        self.policy = policy
        self.name = policy.name
        self.needs = policy.needs

    def query(self, observation: Observation) -> np.ndarray:
        if self.start is None:
            raise PolicyError(f"policy {self.name!r}: act() before reset()")
        chunks = self.policy.act_batch([PolicyRequest(self.start.seed, observation)])
        return check_chunks(chunks, 1)[0]


def is_batch_policy(policy: object) -> bool:
    """True for objects that implement ``act_batch`` (a :class:`BatchPolicy`)."""
    return callable(getattr(policy, "act_batch", None))


__all__ = [
    "BatchPolicyAsPolicy",
    "CallTimes",
    "ChunkedPolicy",
    "check_chunks",
    "is_batch_policy",
]
