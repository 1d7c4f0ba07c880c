"""Evaluate a suite with a policy on this machine: all items x layouts, in parallel, resumable."""

from __future__ import annotations

import multiprocessing
import os
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from act2answer.errors import RunError
from act2answer.eval.config import RunConfig
from act2answer.eval.results import EpisodeResult
from act2answer.eval.scoring import ScoringRule
from act2answer.eval.tasks import LAYOUTS, EpisodeTask, make_tasks
from act2answer.eval.worker import EpisodeWorker
from act2answer.interfaces import Side
from act2answer.policies import PolicySpec, make_policy
from act2answer.sim import SimConfig
from act2answer.store import ResultStore
from act2answer.suite import Condition, Suite, load_suite

ProgressCallback = Callable[[EpisodeResult, int, int], None]
_MAX_POOL_RESTARTS = 3


@dataclass(frozen=True)
class RunSummary:
    """What a call to :func:`run_evaluation` did.

    Attributes:
        run_dir: The run folder.
        config: The run's stored configuration.
        episodes_total: Episodes the run consists of.
        episodes_run: Episodes run by this call.
        episodes_skipped: Episodes found already finished in the database.
        errors: Episodes of this call that ended with ``Outcome.ERROR``.
        wall_time_s: Wall time of this call.
    """

    run_dir: Path
    config: RunConfig
    episodes_total: int
    episodes_run: int
    episodes_skipped: int
    errors: int
    wall_time_s: float


def default_workers() -> int:
    """One simulator process per available core."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def run_evaluation(
    suite: Suite | Path | str,
    policy: PolicySpec | str,
    out: Path | str,
    *,
    sim: SimConfig | None = None,
    layouts: tuple[Side, ...] = LAYOUTS,
    base_seed: int = 0,
    workers: int | None = None,
    video: int | Iterable[str] = 0,
    zone_radius: float | None = None,
    retry_errors: bool = False,
    on_result: ProgressCallback | None = None,
    scoring: ScoringRule | str = ScoringRule.DEFAULT,
    condition: Condition | str = Condition.KNOWLEDGE,
) -> RunSummary:
    """Run every item of ``suite`` in every layout with ``policy``; store results in ``out``.

    Re-running with the same ``out`` skips the episodes already stored, so a
    killed run resumes without losing or repeating an episode.

    Args:
        suite: A loaded suite or its folder.
        policy: Policy name or spec.
        out: Run folder; ``results.sqlite`` is created there.
        sim: Simulator settings (defaults: ``SimConfig()``).
        layouts: Answer sides to evaluate per item.
        base_seed: Mixed into every episode seed; change it for an independent replicate.
        workers: Simulator processes; default one per core; 1 runs in this process.
        video: Number of episodes to record as MP4 (the first ones in suite order),
            or item ids whose episodes (both layouts) are recorded.
        zone_radius: Scoring radius in metres; default: tile half-diagonal.
        retry_errors: Run again the stored episodes that ended in error.
        on_result: Called after each stored episode with (result, done, total).
        scoring: Rule that fills each episode's outcome (every rule is stored anyway).
        condition: Instruction condition (``knowledge``, ``explicit_object``,
            ``explicit_spatial``).

    Returns:
        Summary of this call.

    Raises:
        RunError: ``out`` holds a run with a different configuration.
        SuiteError: the suite is invalid.
        PolicyError: the policy cannot be created.
    """
    started = time.perf_counter()
    suite = suite if isinstance(suite, Suite) else load_suite(suite)
    spec = PolicySpec(name=policy) if isinstance(policy, str) else policy
    make_policy(spec)  # fail fast on unknown names or bad arguments, before any process starts
    config = RunConfig(
        suite_name=suite.name,
        suite_hash=suite.content_hash,
        suite_path=str(Path(suite.root).resolve()),
        policy=spec,
        sim=sim or SimConfig(),
        layouts=layouts,
        base_seed=base_seed,
        zone_radius=zone_radius,
        scoring=ScoringRule(scoring),
        condition=Condition(condition),
    )
    run_dir = Path(out)
    with ResultStore(run_dir) as store:
        store.bind_config(config)
        if retry_errors:
            store.delete_errors()
        video_keys = _video_keys(suite, layouts, video)
        tasks = make_tasks(suite, layouts, base_seed, video_keys, config.condition)
        finished = store.finished_keys()
        pending = [task for task in tasks if task.key not in finished]
        done = len(tasks) - len(pending)
        errors = 0
        worker_count = min(workers or default_workers(), max(1, len(pending)))
        for result in _execute(pending, config, run_dir, worker_count):
            store.add(result)
            done += 1
            errors += result.error is not None
            if on_result is not None:
                on_result(result, done, len(tasks))
        stored_config = store.config() or config
    return RunSummary(
        run_dir=run_dir,
        config=stored_config,
        episodes_total=len(tasks),
        episodes_run=len(pending),
        episodes_skipped=len(tasks) - len(pending),
        errors=errors,
        wall_time_s=time.perf_counter() - started,
    )


def _video_keys(
    suite: Suite, layouts: tuple[Side, ...], video: int | Iterable[str]
) -> frozenset[tuple[str, str]]:
    if isinstance(video, int):
        keys = [(item.id, side.value) for item in suite.items for side in layouts]
        return frozenset(keys[: max(0, video)])
    wanted = set(video)
    unknown = wanted - {item.id for item in suite.items}
    if unknown:
        raise RunError(f"--video names item ids not in the suite: {sorted(unknown)}")
    return frozenset((item_id, side.value) for item_id in wanted for side in layouts)


def _execute(
    tasks: list[EpisodeTask], config: RunConfig, run_dir: Path, workers: int
) -> Iterator[EpisodeResult]:
    if not tasks:
        return
    if workers == 1:
        worker = EpisodeWorker(
            config.sim, config.policy, run_dir, config.zone_radius, config.scoring
        )
        try:
            for task in tasks:
                yield worker.run(task)
        finally:
            worker.close()
        return
    yield from _execute_in_pool(tasks, config, run_dir, workers)


def _execute_in_pool(
    tasks: list[EpisodeTask], config: RunConfig, run_dir: Path, workers: int
) -> Iterator[EpisodeResult]:
    remaining = {task.key: task for task in tasks}
    restarts = 0
    while remaining:
        executor = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_process,
            initargs=(config.sim, config.policy, str(run_dir), config.zone_radius, config.scoring),
        )
        try:
            # Keep a bounded window in flight so an interrupt never leaves thousands queued.
            queue = deque(remaining.values())
            in_flight: dict[Future[EpisodeResult], EpisodeTask] = {}
            while queue or in_flight:
                while queue and len(in_flight) < workers * 4:
                    task = queue.popleft()
                    in_flight[executor.submit(_run_in_process, task)] = task
                completed, _ = wait(in_flight, return_when=FIRST_COMPLETED)
                for future in completed:
                    task = in_flight.pop(future)
                    result = future.result()
                    del remaining[task.key]
                    yield result
        except BrokenProcessPool as exc:
            restarts += 1
            if restarts > _MAX_POOL_RESTARTS:
                raise RunError(
                    f"simulator worker processes died {restarts} times ({exc}); "
                    f"{len(remaining)} episodes not run, finished ones are saved"
                ) from None
        finally:
            executor.shutdown(wait=True, cancel_futures=True)


_PROCESS_WORKER: EpisodeWorker | None = None


def _init_process(
    sim: SimConfig,
    policy: PolicySpec,
    run_dir: str,
    radius: float | None,
    scoring: ScoringRule = ScoringRule.DEFAULT,
) -> None:
    global _PROCESS_WORKER
    _PROCESS_WORKER = EpisodeWorker(sim, policy, run_dir, radius, scoring)


def _run_in_process(task: EpisodeTask) -> EpisodeResult:
    assert _PROCESS_WORKER is not None, "worker process not initialised"
    return _PROCESS_WORKER.run(task)
