"""Where a run's episodes execute: one :class:`Executor` per name in :data:`EXECUTORS`.

* ``inline``: one simulator in this process (one worker, no episode timeout).
* ``processes``: simulator worker processes on this machine; a batched policy
  is created once here and served to them (see :meth:`ExecutionPlan.policy_for_workers`).
* ``ray``: simulator actors (and optionally policy replicas) on a Ray cluster.
* ``local``: what ``--executor local`` means: ``processes`` when there is more
  than one worker or an episode timeout (a hung worker is then killed and
  replaced), else ``inline``.

The runner (:func:`act2answer.runner.run_evaluation`) stores and counts what an
executor yields; an executor only decides where each episode runs.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from act2answer._registry import Registry
from act2answer.errors import PolicyUnavailableError, RunError
from act2answer.eval.config import RunConfig
from act2answer.eval.tasks import EpisodeTask
from act2answer.eval.worker import EpisodeReport, EpisodeWorker
from act2answer.interfaces import BatchPolicy, Policy
from act2answer.policies import PolicySpec
from act2answer.policies.chunking import is_batch_policy
from act2answer.runner._processes import NotRun, WorkerSetup, run_in_processes
from act2answer.runner._ray import RayOptions, policy_replicas, run_on_ray
from act2answer.serve import PolicyServer
from act2answer.serve._host import BatchBackend

LOCAL_CLIENT = "act2answer.client.local:LocalPolicy"
#: Nice value added to simulator workers when the run hosts a batched policy.
HOSTED_WORKER_NICENESS = 5

Reports = Iterator[EpisodeReport | NotRun]


@dataclass(frozen=True)
class Work:
    """What an executor runs.

    Attributes:
        tasks: The pending episodes.
        worker_spec: The spec workers create their policy from (a hosted
            policy's client when the driver serves a batched policy).
        instance: The policy created in this process; None when Ray GPU replicas
            create their own.
    """

    tasks: list[EpisodeTask]
    worker_spec: PolicySpec
    instance: Policy | BatchPolicy | None


@dataclass(frozen=True)
class ExecutionPlan:
    """How one call of the runner executes its pending episodes.

    Attributes:
        config: The run's configuration (simulator, scoring...).
        run_dir: The run folder (videos are written there).
        workers: Simulators (processes or Ray actors) to use.
        episode_timeout: Wall-clock limit per episode, seconds (None: none).
        max_batch: Largest batch of a hosted batched policy.
        batch_window_s: Longest wait for such a batch to fill, seconds.
        ray: Ray options (the ``ray`` executor).
        hosted_transport: ``unix`` or ``websocket``: how workers reach a hosted policy.
        worker_niceness: Added to the workers' nice value (None: the default).
        executor: The executor's name in :data:`EXECUTORS`.
    """

    config: RunConfig
    run_dir: Path
    workers: int
    episode_timeout: float | None
    max_batch: int
    batch_window_s: float
    ray: RayOptions | None = None
    hosted_transport: str = "unix"
    worker_niceness: int | None = None
    executor: str = "local"

    def __post_init__(self) -> None:
        if self.executor == "ray" and self.ray is None:
            raise RunError("the ray executor needs Ray options")

    @property
    def chosen(self) -> Executor:
        """The executor that runs this plan (``local`` resolved to ``inline`` or ``processes``)."""
        return EXECUTORS.get(self.executor).resolve(self)

    @contextmanager
    def policy_for_workers(
        self, instance: Policy | BatchPolicy | None, spec: PolicySpec
    ) -> Iterator[tuple[PolicySpec, PolicyServer | None]]:
        """The spec workers create their policy from, hosting a batched policy if needed."""
        hosts = self.chosen.hosts_batch_policy
        if instance is None or not (hosts and is_batch_policy(instance)):
            yield spec, None
            return
        limit = self.episode_timeout or 3600.0
        client = {"connect_timeout": 30.0, "call_timeout": limit}
        with tempfile.TemporaryDirectory(prefix="act2answer-host-") as folder:
            unix = self.hosted_transport == "unix"
            path = str(Path(folder) / "policy.sock")
            server = PolicyServer(
                BatchBackend(instance),  # type: ignore[arg-type]
                port=None if unix else 0,
                max_batch=self.max_batch,
                window_s=self.batch_window_s,
                unix_path=path if unix else None,
            )
            port = server.start()
            if unix:
                worker_spec = PolicySpec(name=LOCAL_CLIENT, kwargs={"path": path, **client})
            else:
                worker_spec = PolicySpec(name=f"openpi://127.0.0.1:{port}", kwargs=client)
            try:
                yield worker_spec, server
            finally:
                server.stop()

    def execute(
        self,
        tasks: list[EpisodeTask],
        worker_spec: PolicySpec,
        instance: Policy | BatchPolicy | None,
    ) -> Reports:
        """Run ``tasks`` with the chosen executor; yield each report as it finishes."""
        if tasks:
            yield from self.chosen.run(self, Work(tasks, worker_spec, instance))


class Executor(Protocol):
    """Runs episodes somewhere and yields their reports (or :class:`NotRun`) as they finish.

    Attributes:
        hosts_batch_policy: A batched policy is created once in this process and
            served to the executor's workers (their requests are batched).
    """

    hosts_batch_policy: bool

    def resolve(self, plan: ExecutionPlan) -> Executor:
        """The executor that actually runs ``plan`` (itself, except for ``local``)."""
        ...

    def run(self, plan: ExecutionPlan, work: Work) -> Reports:
        """Run ``work.tasks``; yield each report as it finishes."""
        ...


class _RunsItself:
    """An executor that runs every plan itself."""

    def resolve(self, plan: ExecutionPlan) -> Executor:
        return self  # type: ignore[return-value]


class InlineExecutor(_RunsItself):
    """One simulator in this process, reusing the policy instance created for the run."""

    hosts_batch_policy = False

    def run(self, plan: ExecutionPlan, work: Work) -> Reports:
        assert work.instance is not None  # only GPU replicas on Ray skip creating it here
        config = plan.config
        worker = EpisodeWorker(
            config.sim,
            work.worker_spec,
            plan.run_dir,
            config.zone_radius,
            config.scoring,
            instance=work.instance,
        )
        try:
            for index, task in enumerate(work.tasks):
                try:
                    yield worker.run_timed(task)
                except PolicyUnavailableError as exc:
                    yield from (NotRun(rest, str(exc)) for rest in work.tasks[index:])
                    return
        finally:
            worker.close()


class ProcessExecutor(_RunsItself):
    """Simulator worker processes on this machine (a hung one is killed and replaced)."""

    hosts_batch_policy = True

    def run(self, plan: ExecutionPlan, work: Work) -> Reports:
        assert work.instance is not None
        hosted = is_batch_policy(work.instance)
        if not hosted:
            close_policy(work.instance)  # workers create their own instances
        niceness = plan.worker_niceness
        if niceness is None:
            niceness = HOSTED_WORKER_NICENESS if hosted else 0
        config = plan.config
        setup = WorkerSetup(
            config.sim,
            work.worker_spec,
            str(plan.run_dir),
            config.zone_radius,
            config.scoring,
            niceness=niceness,
        )
        yield from run_in_processes(
            work.tasks, setup, plan.workers, plan.episode_timeout, start_together=hosted
        )


class LocalExecutor:
    """``processes`` for several workers or an episode timeout, else ``inline``."""

    hosts_batch_policy = False

    def resolve(self, plan: ExecutionPlan) -> Executor:
        in_processes = plan.workers > 1 or plan.episode_timeout is not None
        return EXECUTORS.get("processes" if in_processes else "inline")

    def run(self, plan: ExecutionPlan, work: Work) -> Reports:
        return self.resolve(plan).run(plan, work)


class RayExecutor(_RunsItself):
    """Simulator actors on a Ray cluster; a batched or GPU policy runs as replicas there."""

    hosts_batch_policy = False

    def run(self, plan: ExecutionPlan, work: Work) -> Reports:
        assert plan.ray is not None
        hosted = work.instance is not None and is_batch_policy(work.instance)
        close_policy(work.instance)  # simulator actors or policy replicas create their own
        config = plan.config
        setup = WorkerSetup(
            config.sim, work.worker_spec, str(plan.run_dir), config.zone_radius, config.scoring
        )
        limit = plan.episode_timeout or 3600.0
        with policy_replicas(
            setup, plan.ray, hosted, plan.max_batch, plan.batch_window_s, limit
        ) as setups:
            yield from run_on_ray(work.tasks, setups, plan.workers, plan.episode_timeout, plan.ray)


def close_policy(policy: object) -> None:
    """Close a policy that holds connections (remote clients); idempotent."""
    close = getattr(policy, "close", None)
    if callable(close):
        close()


#: Where episodes execute (``Execution.executor``, ``--executor``).
EXECUTORS: Registry[Executor] = Registry(
    "executor",
    {
        "local": LocalExecutor(),
        "inline": InlineExecutor(),
        "processes": ProcessExecutor(),
        "ray": RayExecutor(),
    },
    error=RunError,
)

__all__ = [
    "EXECUTORS",
    "HOSTED_WORKER_NICENESS",
    "ExecutionPlan",
    "Executor",
    "InlineExecutor",
    "LocalExecutor",
    "ProcessExecutor",
    "RayExecutor",
    "Work",
    "close_policy",
]
