"""Evaluate a suite with a policy on this machine: all items x layouts, in parallel, resumable."""

from __future__ import annotations

import math
import os
import statistics
import time
from collections import Counter
from collections.abc import Callable, Iterable
from contextlib import ExitStack, closing
from dataclasses import dataclass, field
from pathlib import Path

from act2answer.errors import RunError
from act2answer.eval.config import RunConfig
from act2answer.eval.results import EpisodeResult
from act2answer.eval.scoring import ScoringRule
from act2answer.eval.tasks import LAYOUTS, Wording, make_tasks
from act2answer.eval.worker import EpisodeReport
from act2answer.interfaces import Side
from act2answer.policies import PolicySpec, make_policy
from act2answer.runner._executors import (
    EXECUTORS,
    HOSTED_WORKER_NICENESS,
    LOCAL_CLIENT,
    ExecutionPlan,
    close_policy,
)
from act2answer.runner._processes import NotRun
from act2answer.runner._ray import RayOptions, ray_cluster, require_wrist_camera
from act2answer.sim import SimConfig
from act2answer.sim._glerror import check_rendering
from act2answer.store import ResultStore
from act2answer.suite import Condition, Suite, load_suite

ProgressCallback = Callable[[EpisodeResult, int, int], None]
#: How worker processes can reach a policy hosted by the run (see ``run_evaluation``).
HOSTED_TRANSPORTS = ("unix", "websocket")
__all__ = [
    "HOSTED_TRANSPORTS",
    "HOSTED_WORKER_NICENESS",
    "LOCAL_CLIENT",
    "RunSummary",
    "default_workers",
    "run_evaluation",
]


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
        error_reasons: Errors of this call grouped by their first line.
        not_run: Episodes left unrun because the remote policy was unreachable
            when they were due to start (rerun the same command to resume).
        not_run_reason: Why they were not run.
        timing: Model-call latencies, batch sizes and simulator time of this call
            (also stored in the run and written to ``metrics.json``).
    """

    run_dir: Path
    config: RunConfig
    episodes_total: int
    episodes_run: int
    episodes_skipped: int
    errors: int
    wall_time_s: float
    error_reasons: dict[str, int] = field(default_factory=dict)
    not_run: int = 0
    not_run_reason: str | None = None
    timing: dict[str, object] = field(default_factory=dict)


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
    episode_timeout: float | None = None,
    max_batch: int | None = None,
    batch_window_s: float = 0.1,
    scoring: ScoringRule | str = ScoringRule.DEFAULT,
    condition: Condition | str = Condition.KNOWLEDGE,
    wording: Wording | str = Wording.ACT2ANSWER,
    ray: RayOptions | None = None,
    pipeline_groups: int = 1,
    hosted_transport: str = "unix",
    worker_niceness: int | None = None,
    executor: str | None = None,
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
        episode_timeout: Wall-clock limit per episode in seconds. An episode past
            it has its worker process killed and replaced and is stored as an
            error; setting it runs episodes in worker processes even for one worker.
        max_batch: Largest batch for a batched policy hosted by this run
            (default: the number of workers).
        batch_window_s: Longest wait for a batch to fill, seconds.

    A :class:`~act2answer.interfaces.BatchPolicy` evaluated with worker
    processes is created once, in this process, and served to the workers (over a
    Unix socket by default, see ``hosted_transport``), so their requests are batched.
        scoring: Rule that fills each episode's outcome (every rule is stored anyway).
        condition: Instruction condition (``knowledge``, ``explicit_object``,
            ``explicit_spatial``).
        wording: ``act2answer`` (the suite's texts) or ``study`` (the study's
            control-condition templates); stored with the run.
        ray: Run the episodes on Ray actors (``--executor ray``) with these options;
            ``workers`` then counts simulator actors (default: the cluster's CPUs).
        pipeline_groups: For a hosted batched policy: groups of episodes that take
            turns at the model, so that one group's simulators step while the
            model computes another's batch. The default ``max_batch`` becomes
            ``ceil(workers / pipeline_groups)``: ``workers=64, pipeline_groups=2``
            keeps a batch of 32 computing while the other 32 episodes step. An
            episode's result does not depend on it (tested).
        hosted_transport: How worker processes reach a hosted batched policy:
            ``"unix"`` (length-prefixed msgpack on a Unix socket, the fast default)
            or ``"websocket"`` (the openpi protocol on 127.0.0.1, as a remote
            ``act2answer serve``). Results do not depend on it (tested).
        worker_niceness: Added to the nice value of the simulator worker
            processes. Default: 5 when this run hosts a batched policy (its
            event loop and model thread then get a core as soon as they need
            one, instead of queueing behind dozens of simulators), else 0.
        executor: Where episodes execute, a name in
            :data:`~act2answer.runner._executors.EXECUTORS`: ``local`` (the default
            without ``ray``: ``processes`` for several workers or an episode timeout,
            else ``inline``), ``inline``, ``processes`` or ``ray`` (the default with
            ``ray``; default Ray options when ``ray`` is None).

    Returns:
        Summary of this call.

    Raises:
        RunError: ``out`` holds a run with a different configuration.
        SuiteError: the suite is invalid.
        PolicyError: the policy cannot be created.
        RenderBackendError: the policy needs images (or videos were asked for)
            and this machine cannot render offscreen; nothing was stored.
    """
    started = time.perf_counter()
    executor = executor or ("ray" if ray is not None else "local")
    EXECUTORS.get(executor)  # unknown names fail before anything runs
    if executor == "ray":
        ray = ray or RayOptions()
    elif ray is not None:
        raise RunError(f"Ray options given with the {executor!r} executor")
    suite = suite if isinstance(suite, Suite) else load_suite(suite)
    spec = PolicySpec(name=policy) if isinstance(policy, str) else policy
    sim = sim or SimConfig()
    # GPU policy replicas create the model where the GPUs are (the driver may not have the
    # weights); their start checks it instead.
    instance = None if ray is not None and ray.policy_gpus > 0 else make_policy(spec)
    if instance is not None:  # fail fast on unknown names or bad arguments
        check = getattr(instance, "check", None)
        if callable(check):
            check()  # a remote policy: fail now if its server is unreachable
        require_wrist_camera(spec.name, instance.needs, sim)
        if instance.needs.image or instance.needs.wrist_image or video:
            check_rendering()  # stop before the run folder exists, not after N errored episodes
    config = RunConfig(
        **RunConfig.suite_fields(suite),
        policy=spec,
        sim=sim,
        layouts=layouts,
        base_seed=base_seed,
        zone_radius=zone_radius,
        scoring=ScoringRule(scoring),
        condition=Condition(condition),
        wording=Wording(wording),
    )
    run_dir = Path(out)
    with ResultStore(run_dir) as store, ExitStack() as resources:
        store.bind_config(config)
        if retry_errors:
            store.delete_errors()
        video_keys = _video_keys(suite, layouts, video)
        tasks = make_tasks(suite, layouts, base_seed, video_keys, config.condition, config.wording)
        finished = store.finished_keys()
        pending = [task for task in tasks if task.key not in finished]
        done = len(tasks) - len(pending)
        reasons: Counter[str] = Counter()
        worker_count = min(workers or default_workers(), max(1, len(pending)))
        if ray is not None and pending:
            cluster_workers = resources.enter_context(ray_cluster(ray, workers))
            worker_count = min(cluster_workers, len(pending))
        if pipeline_groups < 1:
            raise RunError(f"pipeline_groups must be >= 1, got {pipeline_groups}")
        if hosted_transport not in HOSTED_TRANSPORTS:
            raise RunError(
                f"hosted_transport must be one of {HOSTED_TRANSPORTS}, got {hosted_transport!r}"
            )
        batch = max_batch or math.ceil(worker_count / pipeline_groups)
        plan = ExecutionPlan(
            config,
            run_dir,
            worker_count,
            episode_timeout,
            batch,
            batch_window_s,
            ray,
            hosted_transport,
            worker_niceness,
            executor,
        )
        collector = _TimingCollector()
        not_run: list[NotRun] = []
        with plan.policy_for_workers(instance, spec) as (worker_spec, host):
            reports = resources.enter_context(closing(plan.execute(pending, worker_spec, instance)))
            for report in reports:
                if isinstance(report, NotRun):
                    not_run.append(report)
                    continue
                store.add(report.result)
                collector.add(report)
                done += 1
                if report.result.error is not None:
                    reasons[report.result.error.splitlines()[0][:160]] += 1
                if on_result is not None:
                    on_result(report.result, done, len(tasks))
            host_stats = host.batching.stats.summary() if host else None
            timing = collector.summary(worker_count, host_stats)
        close_policy(instance)
        if pending:
            store.add_timing(timing)
        stored_config = store.config() or config
    return RunSummary(
        run_dir=run_dir,
        config=stored_config,
        episodes_total=len(tasks),
        episodes_run=len(pending) - len(not_run),
        episodes_skipped=len(tasks) - len(pending),
        errors=sum(reasons.values()),
        wall_time_s=time.perf_counter() - started,
        error_reasons=dict(reasons.most_common()),
        not_run=len(not_run),
        not_run_reason=not_run[0].reason if not_run else None,
        timing=timing,
    )


class _TimingCollector:
    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.calls: list[float] = []
        self.sim_s = 0.0
        self.reset_s = 0.0
        self.steps = 0
        self.episodes = 0
        self.steps_by_process: Counter[str] = Counter()
        self.cpu_s = 0.0

    def add(self, report: EpisodeReport) -> None:
        self.calls.extend(report.model_call_s)
        self.sim_s += report.sim_s
        self.reset_s += report.reset_s
        self.steps += report.result.steps
        self.episodes += 1
        self.steps_by_process[report.process] += report.result.steps
        self.cpu_s += report.cpu_s

    def summary(self, workers: int, host: dict[str, object] | None) -> dict[str, object]:
        wall = time.perf_counter() - self.started
        calls_ms = [c * 1000.0 for c in self.calls]
        summary: dict[str, object] = {
            "episodes": self.episodes,
            "steps": self.steps,
            "workers": workers,
            "wall_s": round(wall, 3),
            "steps_per_s": round(self.steps / wall, 3) if wall > 0 else None,
            "sim_ms_per_step": round(1000.0 * self.sim_s / self.steps, 3) if self.steps else None,
            "cpu_ms_per_step": round(1000.0 * self.cpu_s / self.steps, 3) if self.steps else None,
            "reset_ms_per_episode": (
                round(1000.0 * self.reset_s / self.episodes, 3) if self.episodes else None
            ),
            "model_calls": len(calls_ms),
            "steps_per_s_by_process": {
                process: round(steps / wall, 3) if wall > 0 else None
                for process, steps in sorted(self.steps_by_process.items())
            },
        }
        if calls_ms:
            quantiles = statistics.quantiles(calls_ms, n=20) if len(calls_ms) > 1 else calls_ms
            summary["model_call_ms_mean"] = round(statistics.fmean(calls_ms), 3)
            summary["model_call_ms_p95"] = round(quantiles[-1], 3)
        if host is not None:
            summary["policy_host"] = host
        return summary


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
