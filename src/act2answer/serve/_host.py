"""The batching policy host: many episodes' requests, one model call.

Requests from concurrent episodes queue up; the host takes the first, then
waits up to ``window_s`` for more (or until every open connection has a
request waiting, or ``max_batch`` is reached) and answers them all with one
call. The model runs on one worker thread, so the event loop keeps accepting
requests meanwhile and the next batch forms while the current one computes.

When a call ends, the requests already waiting are taken without yielding to
the event loop and the next call starts before the answers of the finished one
are sent: with two groups of episodes in flight (twice ``max_batch``
connections) the model never waits for the transport or the simulator.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from act2answer.errors import PolicyError
from act2answer.interfaces import (
    BatchPolicy,
    EpisodeStart,
    Observation,
    ObservationNeeds,
    Policy,
    PolicyRequest,
    validate_action,
)
from act2answer.policies.chunking import check_chunks, is_batch_policy


@dataclass(frozen=True)
class ServedRequest:
    """One request as the host sees it.

    Attributes:
        connection: Id of the client connection (one episode at a time each).
        episode: Client's episode counter; a new value starts a new episode.
        start: Instruction, seed and privileged information of the episode.
        observation: The observation to act on.
    """

    connection: int
    episode: int
    start: EpisodeStart
    observation: Observation


class PolicyBackend:
    """Answers a batch of requests with ``(B, H, 7)`` chunks (runs on one thread)."""

    name: str
    needs: ObservationNeeds
    replan_steps: int

    def act(self, requests: list[ServedRequest]) -> np.ndarray:
        raise NotImplementedError

    def forget(self, connection: int) -> None:
        """A connection closed: drop its state."""


class BatchBackend(PolicyBackend):
    """A stateless :class:`BatchPolicy`: the whole batch in one ``act_batch`` call."""

    def __init__(self, policy: BatchPolicy) -> None:
        self.policy = policy
        self.name, self.needs, self.replan_steps = policy.name, policy.needs, policy.replan_steps

    def act(self, requests: list[ServedRequest]) -> np.ndarray:
        batch = [PolicyRequest(r.start.seed, r.observation) for r in requests]
        # Rows with NaN/inf fail only their own request (see BatchingHost._answer).
        return check_chunks(self.policy.act_batch(batch), len(batch), finite=False)


class PerEpisodeBackend(PolicyBackend):
    """Single-episode :class:`Policy` objects, one instance per connection.

    Each connection's policy is reset when the client's episode counter changes;
    requests are answered one after another (such policies cannot batch).
    """

    def __init__(self, factory: Callable[[], Policy], first: Policy | None = None) -> None:
        self.factory = factory
        first = first if first is not None else factory()
        self.name, self.needs, self.replan_steps = first.name, first.needs, 1
        self._spare: Policy | None = first
        self._active: dict[int, tuple[int, Policy]] = {}

    def act(self, requests: list[ServedRequest]) -> np.ndarray:
        rows = []
        for request in requests:
            episode, policy = self._active.get(request.connection, (None, None))
            if policy is None or episode != request.episode:
                if policy is None:
                    policy, self._spare = self._spare or self.factory(), None
                policy.reset(request.start)
                self._active[request.connection] = (request.episode, policy)
            rows.append(validate_action(policy.act(request.observation))[None, :])
        return np.stack(rows)

    def forget(self, connection: int) -> None:
        self._active.pop(connection, None)


def make_backend(policy: Policy | BatchPolicy, factory: Callable[[], Policy]) -> PolicyBackend:
    """The backend for a created policy (``factory`` makes more single-episode instances)."""
    if is_batch_policy(policy):
        return BatchBackend(policy)  # type: ignore[arg-type]
    return PerEpisodeBackend(factory, first=policy)  # type: ignore[arg-type]


@dataclass
class HostStats:
    """Batch sizes, model-call latencies and start times (``perf_counter``) of a host."""

    batch_sizes: list[int] = field(default_factory=list)
    latencies_s: list[float] = field(default_factory=list)
    started_s: list[float] = field(default_factory=list)

    def throughput(self, first: int = 0, last: int | None = None) -> float:
        """Requests answered per second from the start of batch ``first`` to the end of ``last``."""
        last = len(self.batch_sizes) - 1 if last is None else last
        span = self.started_s[last] + self.latencies_s[last] - self.started_s[first]
        return sum(self.batch_sizes[first : last + 1]) / span if span > 0 else float("nan")

    def summary(self) -> dict[str, object]:
        """Counts, batch-size histogram and latency percentiles (JSON-friendly)."""
        if not self.batch_sizes:
            return {"batches": 0, "requests": 0}
        sizes = np.asarray(self.batch_sizes)
        latencies = np.asarray(self.latencies_s) * 1000.0
        values, counts = np.unique(sizes, return_counts=True)
        histogram = {str(int(s)): int(n) for s, n in zip(values, counts, strict=True)}
        return {
            "batches": len(sizes),
            "requests": int(sizes.sum()),
            "batch_size_mean": round(float(sizes.mean()), 3),
            "batch_size_max": int(sizes.max()),
            "batch_size_histogram": histogram,
            "latency_ms_mean": round(float(latencies.mean()), 3),
            "latency_ms_p50": round(float(np.percentile(latencies, 50)), 3),
            "latency_ms_p95": round(float(np.percentile(latencies, 95)), 3),
            "latency_ms_max": round(float(latencies.max()), 3),
            "requests_per_s": round(self.throughput(), 3),
            "requests_per_s_at_max_batch": round(self.throughput(*self._full_span()), 3),
            "idle_ms_between_calls_mean": round(1000.0 * self._idle_mean(), 3),
        }

    def _idle_mean(self) -> float:
        """Mean time the model waited between the end of one call and the start of the next."""
        ends = np.asarray(self.started_s[:-1]) + np.asarray(self.latencies_s[:-1])
        gaps = np.asarray(self.started_s[1:]) - ends
        return float(gaps.mean()) if gaps.size else 0.0

    def _full_span(self) -> tuple[int, int]:
        """First and last batch of the largest size: the span all clients were in flight."""
        largest = max(self.batch_sizes)
        full = [i for i, size in enumerate(self.batch_sizes) if size == largest]
        return full[0], full[-1]


class BatchingHost:
    """Collects concurrent requests into batches for one backend.

    Args:
        backend: What answers the batches.
        max_batch: Largest batch passed to the model.
        window_s: Longest wait for a batch to fill once a request is waiting.
    """

    def __init__(self, backend: PolicyBackend, max_batch: int = 32, window_s: float = 0.05) -> None:
        if max_batch < 1:
            raise PolicyError(f"max_batch must be >= 1, got {max_batch}")
        self.backend = backend
        self.max_batch = max_batch
        self.window_s = window_s
        self.stats = HostStats()
        self.open_connections = 0
        self._queue: asyncio.Queue[tuple[ServedRequest, asyncio.Future[np.ndarray]]] | None = None
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="policy")
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start collecting (call from inside the event loop)."""
        self._queue = asyncio.Queue()
        self._task = asyncio.get_running_loop().create_task(self._collect())

    async def submit(self, request: ServedRequest) -> np.ndarray:
        """Queue one request and wait for its ``(H, 7)`` chunk."""
        return await self.submit_nowait(request)

    def submit_nowait(self, request: ServedRequest) -> asyncio.Future[np.ndarray]:
        """Queue one request; the returned future gets its ``(H, 7)`` chunk (event loop only)."""
        assert self._queue is not None, "host not started"
        future: asyncio.Future[np.ndarray] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait((request, future))
        return future

    async def forget(self, connection: int) -> None:
        """Drop a closed connection's state (on the model thread, between batches)."""
        loop = asyncio.get_running_loop()
        with contextlib.suppress(RuntimeError):  # the host stopped: nothing left to forget
            await loop.run_in_executor(self._executor, self.backend.forget, connection)

    def _take_waiting(self, batch: list[tuple[ServedRequest, asyncio.Future[np.ndarray]]]) -> None:
        """Move the requests already queued into ``batch`` (up to ``max_batch``), never yielding."""
        assert self._queue is not None
        while len(batch) < self.max_batch and not self._queue.empty():
            batch.append(self._queue.get_nowait())

    async def _collect(self) -> None:
        assert self._queue is not None
        loop = asyncio.get_running_loop()
        while True:
            batch = [await self._queue.get()]
            self._take_waiting(batch)
            deadline = loop.time() + self.window_s
            while len(batch) < min(self.max_batch, max(1, self.open_connections)):
                remaining = deadline - loop.time()
                if remaining <= 0:
                    break
                try:
                    batch.append(await asyncio.wait_for(self._queue.get(), remaining))
                except asyncio.TimeoutError:
                    break
                self._take_waiting(batch)
            await self._answer(batch)

    async def _answer(self, batch: list[tuple[ServedRequest, asyncio.Future[np.ndarray]]]) -> None:
        requests = [request for request, _ in batch]
        started = time.perf_counter()
        try:
            chunks = await asyncio.get_running_loop().run_in_executor(
                self._executor, self.backend.act, requests
            )
        except Exception as exc:  # the model failed: every request of the batch gets the error
            for _, future in batch:
                if not future.done():
                    future.set_exception(exc)
            return
        self.stats.batch_sizes.append(len(batch))
        self.stats.latencies_s.append(time.perf_counter() - started)
        self.stats.started_s.append(started)
        for row, (_, future) in enumerate(batch):
            if future.done():
                continue
            if np.all(np.isfinite(chunks[row])):
                future.set_result(chunks[row])
            else:
                future.set_exception(PolicyError("the policy returned non-finite actions"))

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
        self._executor.shutdown(wait=False, cancel_futures=True)
