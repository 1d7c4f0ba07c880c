"""Simulator worker processes that can be killed: per-episode wall-clock limits.

Each worker is a ``spawn``-ed process owning one :class:`EpisodeWorker`, fed
one task at a time over a pipe. An episode that runs past its limit (a hung
policy or simulator) has its worker killed and replaced, and is reported as
an ``error`` result with the reason; so is an episode whose worker died.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess

from act2answer.errors import PolicyUnavailableError, RunError
from act2answer.eval.episode import error_result
from act2answer.eval.scoring import ScoringRule
from act2answer.eval.tasks import EpisodeTask
from act2answer.eval.worker import EpisodeReport, EpisodeWorker
from act2answer.policies import PolicySpec
from act2answer.sim import SimConfig

#: Worker deaths in a row (no episode finished in between) before the run gives up.
MAX_CONSECUTIVE_DEATHS = 4


@dataclass(frozen=True)
class NotRun:
    """An episode left unrun because its remote policy was unreachable when it started."""

    task: EpisodeTask
    reason: str


@dataclass(frozen=True)
class WorkerSetup:
    """What every worker process is built from (picklable).

    ``niceness`` is added to the worker process's nice value: positive values
    let the run's own process (a hosted model's feeder) take a core first.
    """

    sim: SimConfig
    policy: PolicySpec
    run_dir: str
    zone_radius: float | None
    scoring: ScoringRule = ScoringRule.DEFAULT
    niceness: int = 0

    def build(self) -> EpisodeWorker:
        """The worker, scene built and a remote policy connected: a broken set-up raises here."""
        worker = EpisodeWorker(self.sim, self.policy, self.run_dir, self.zone_radius, self.scoring)
        _ = worker.env  # build the scene now: a broken set-up fails here, with its message
        with contextlib.suppress(PolicyUnavailableError):  # then the first episode reports it
            _ = worker.policy.needs  # a remote policy connects here (its metadata says its needs)
        return worker


def _worker_main(connection: Connection, setup: WorkerSetup) -> None:
    if setup.niceness > 0:
        with contextlib.suppress(OSError):  # not allowed or not supported: run as is
            os.nice(setup.niceness)
    try:
        worker = setup.build()
    except Exception as exc:
        connection.send(("init_error", f"{type(exc).__name__}: {exc}"))
        return
    connection.send(("ready", None))
    try:
        while True:
            task = connection.recv()
            if task is None:
                break
            try:
                connection.send(("report", worker.run_timed(task)))
            except PolicyUnavailableError as exc:
                connection.send(("unavailable", str(exc)))
            except Exception as exc:  # outside the episode's own error handling: the set-up broke
                connection.send(("failed", f"{type(exc).__name__}: {exc}"))
                break
    except (EOFError, KeyboardInterrupt, BrokenPipeError):
        pass
    finally:
        worker.close()


class _Worker:
    def __init__(self, setup: WorkerSetup) -> None:
        context = multiprocessing.get_context("spawn")
        self.connection, child = context.Pipe()
        self.process: BaseProcess = context.Process(
            target=_worker_main, args=(child, setup), daemon=True
        )
        self.process.start()
        child.close()
        self.ready = False
        self.task: EpisodeTask | None = None
        self.started = 0.0

    def assign(self, task: EpisodeTask) -> None:
        self.task, self.started = task, time.monotonic()
        self.connection.send(task)

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)
        self.connection.close()

    def request_stop(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            self.connection.send(None)


def run_in_processes(
    tasks: list[EpisodeTask],
    setup: WorkerSetup,
    workers: int,
    episode_timeout: float | None,
    start_together: bool = False,
) -> Iterator[EpisodeReport | NotRun]:
    """Run ``tasks`` over ``workers`` killable processes; yield reports as they finish.

    When a worker finds the remote policy unreachable at an episode's start, no
    further episodes are started: that one and the queued ones are yielded as
    :class:`NotRun`, and the episodes in flight finish. With ``start_together``
    no episode starts before every worker is ready (a batching host then sees
    all of them from the first request on).

    Raises:
        RunError: a worker could not start (its message is included), or workers
            kept dying without finishing an episode.
    """
    queue = deque(tasks)
    pool = [_Worker(setup) for _ in range(min(workers, len(tasks)))]
    deaths_in_a_row = 0
    try:
        waiting_for_all = start_together
        while queue or any(worker.task is not None for worker in pool):
            waiting_for_all = waiting_for_all and not all(worker.ready for worker in pool)
            for worker in pool:
                if worker.ready and worker.task is None and queue and not waiting_for_all:
                    worker.assign(queue.popleft())
            ready = set(wait(_waitables(pool), timeout=_next_timeout(pool, episode_timeout)))
            for index, worker in enumerate(pool):
                report, replace_reason = None, None
                if worker.connection in ready:
                    try:
                        kind, payload = worker.connection.recv()
                    except (EOFError, OSError):
                        kind, payload = "died", None
                    if kind == "init_error":
                        raise RunError(f"a simulator worker could not start: {payload}")
                    if kind == "failed":
                        raise RunError(
                            f"a simulator worker failed: {payload}; finished episodes are saved"
                        )
                    if kind == "ready":
                        worker.ready = True
                    elif kind == "report":
                        worker.task = None
                        deaths_in_a_row = 0
                        report = payload
                    elif kind == "unavailable":
                        assert worker.task is not None
                        yield NotRun(worker.task, payload)
                        worker.task = None
                        while queue:
                            yield NotRun(queue.popleft(), payload)
                    else:
                        replace_reason = _death_reason(worker)
                elif worker.process.sentinel in ready:
                    replace_reason = _death_reason(worker)
                elif (
                    worker.task is not None
                    and episode_timeout is not None
                    and time.monotonic() - worker.started > episode_timeout
                ):
                    replace_reason = (
                        f"EpisodeTimeout: episode exceeded the wall-clock limit of "
                        f"{episode_timeout:g} s; its worker process was killed and replaced"
                    )
                if report is not None:
                    if queue and not waiting_for_all:  # busy again while the caller stores it
                        worker.assign(queue.popleft())
                    yield report
                if replace_reason is None:
                    continue
                task, started = worker.task, worker.started
                worker.kill()
                if "EpisodeTimeout" not in replace_reason:
                    deaths_in_a_row += 1
                    if deaths_in_a_row >= MAX_CONSECUTIVE_DEATHS:
                        raise RunError(
                            f"simulator worker processes died {deaths_in_a_row} times in a row "
                            f"({replace_reason}); finished episodes are saved"
                        )
                pool[index] = _Worker(setup)
                if task is not None:
                    wall = time.monotonic() - started
                    yield EpisodeReport(error_result(task, replace_reason, wall))
    except BaseException:  # interrupted or failed: no point waiting for the workers
        for worker in pool:
            worker.kill()
        raise
    else:
        for worker in pool:
            worker.request_stop()
        deadline = time.monotonic() + 3.0
        for worker in pool:
            worker.process.join(timeout=max(0.0, deadline - time.monotonic()))
            worker.kill()


def _waitables(pool: list[_Worker]) -> list[object]:
    items: list[object] = []
    for worker in pool:
        items += [worker.connection, worker.process.sentinel]
    return items


def _next_timeout(pool: list[_Worker], episode_timeout: float | None) -> float | None:
    if episode_timeout is None:
        return None
    deadlines = [w.started + episode_timeout for w in pool if w.task is not None]
    if not deadlines:
        return None
    return max(0.0, min(deadlines) - time.monotonic()) + 0.01


def _death_reason(worker: _Worker) -> str:
    worker.process.join(timeout=1)
    return (
        f"WorkerDied: the simulator worker process exited (code {worker.process.exitcode}) "
        "during this episode"
    )


__all__ = ["NotRun", "WorkerSetup", "run_in_processes"]
