"""Episodes sharded over Ray actors (``--executor ray``): one machine or a cluster.

Each simulator actor (1 CPU) owns one :class:`~act2answer.eval.worker.EpisodeWorker`
built from the same :class:`~act2answer.runner._processes.WorkerSetup` as the
local worker processes, and runs one episode at a time. Finished episodes
stream back to the driver, which alone writes ``results.sqlite``.

A policy that needs a GPU (``policy_gpus > 0``) or serves batches
(:class:`~act2answer.interfaces.BatchPolicy`) runs in policy replica actors
that reserve ``num_gpus`` each and serve it over the openpi websocket protocol
on their node; simulator actors connect to them round-robin.

An actor that dies (its process, or its node) costs only its in-flight episode:
the episode goes back to the front of the queue and a fresh actor takes the
dead one's place. Ray itself never retries a task (``max_task_retries=0``), so an
episode is never run twice at once and the store never gets two rows for it.

``ray`` is imported only when this executor runs: it is the ``act2answer[ray]`` extra.
"""

from __future__ import annotations

import itertools
import os
import tempfile
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from types import ModuleType
from typing import Any

from act2answer.errors import PolicyError, PolicyUnavailableError, RunError
from act2answer.eval.episode import error_result
from act2answer.eval.tasks import EpisodeTask
from act2answer.eval.worker import EpisodeReport, EpisodeWorker
from act2answer.interfaces import ObservationNeeds
from act2answer.policies import PolicySpec
from act2answer.runner._processes import MAX_CONSECUTIVE_DEATHS, NotRun, WorkerSetup
from act2answer.runner._shipping import (
    FinishedEpisode,
    ShippedImage,
    localize_images,
    ship_image,
    store_video,
    task_images,
)
from act2answer.sim import SimConfig

#: Environment variables the simulator needs, forwarded from the driver to every Ray worker.
FORWARDED_ENV = ("MUJOCO_GL", "PYOPENGL_PLATFORM", "MENAGERIE_ROOT", "ACT2ANSWER_BACKGROUNDS")

RAY_EXTRA_HINT = "pip install 'act2answer[ray]'"


@dataclass(frozen=True)
class RayOptions:
    """How ``--executor ray`` uses Ray.

    Attributes:
        address: Address of an existing cluster (``ray start --head`` prints it;
            ``auto`` finds the local one); None: ``$RAY_ADDRESS`` when set, else a
            private local instance with ``workers`` CPUs (all cores by default).
        policy_gpus: GPUs each policy replica reserves (fractions share a GPU);
            above 0, the policy runs in replica actors, not in the simulator actors.
        policy_replicas: Policy replica actors, when the policy runs in replicas.
        max_attempts: Times one episode is started on actors that die under it
            before it is stored as an error (a policy that crashes its process).
        start_timeout_s: Longest wait for policy replicas to be placed and loaded,
            and for simulator actors when none is running (an autoscaling cluster
            may first have to add nodes).
    """

    address: str | None = None
    policy_gpus: float = 0.0
    policy_replicas: int = 1
    max_attempts: int = 3
    start_timeout_s: float = 900.0


def require_wrist_camera(policy: str, needs: ObservationNeeds, sim: SimConfig) -> None:
    """Raise :class:`PolicyError` when the policy wants wrist images the simulator lacks."""
    if needs.wrist_image and not sim.wrist_camera:
        raise PolicyError(
            f"policy {policy!r} needs wrist images: use SimConfig(wrist_camera=True) "
            "(CLI: --wrist-camera)"
        )


def import_ray() -> ModuleType:
    """The ``ray`` module, or a :class:`RunError` naming the extra to install."""
    try:
        import ray
    except ImportError as exc:
        raise RunError(
            f"--executor ray needs Ray, which is not installed ({exc}): {RAY_EXTRA_HINT} "
            "(on every node of the cluster)"
        ) from None
    return ray


@contextmanager
def ray_cluster(options: RayOptions, workers: int | None) -> Iterator[int]:
    """Connect to (or start) Ray for one run; yields the number of simulator actors to use.

    An already initialised Ray (a notebook, a test fixture) is used as is and left running.
    """
    ray = import_ray()
    started_here = not ray.is_initialized()
    if started_here:
        env = {name: os.environ[name] for name in FORWARDED_ENV if name in os.environ}
        address = options.address or os.environ.get("RAY_ADDRESS")
        try:
            ray.init(
                address=address or "local",  # never a cluster found by chance in /tmp/ray
                num_cpus=workers if address is None else None,
                include_dashboard=False,
                runtime_env={"env_vars": env} if env else None,
                logging_level="warning",
            )
        except (ConnectionError, RuntimeError, ValueError) as exc:
            where = address or "a new local instance"
            raise RunError(f"cannot start Ray on {where}: {exc}") from None
    try:
        cpus = int(ray.cluster_resources().get("CPU", 1))
        yield max(1, workers or cpus)
    finally:
        if started_here:
            ray.shutdown()


class _SimulatorActor:
    """Body of the simulator actor: one EpisodeWorker, set-up errors kept for the driver.

    Its videos go to a private folder and back to the driver as bytes; images
    missing on its node come from the object store (see ``_shipping``).
    """

    def __init__(self, setup: WorkerSetup) -> None:
        scratch = Path(tempfile.gettempdir()) / "act2answer-ray"
        self.image_cache = scratch / "images"
        self.video_dir = scratch / "videos" / str(os.getpid())
        self.worker: EpisodeWorker | None = None
        self.init_error: str | None = None
        try:
            self.worker = replace(setup, run_dir=str(self.video_dir)).build()
        except Exception as exc:
            self.init_error = f"{type(exc).__name__}: {exc}"

    def ready(self) -> str | None:
        """None when the worker is built, else why it could not be."""
        return self.init_error

    def run(
        self, task: EpisodeTask, images: tuple[ShippedImage, ShippedImage]
    ) -> FinishedEpisode | NotRun:
        import ray

        if self.worker is None:
            raise RunError(f"a simulator worker could not start: {self.init_error}")
        local_task = localize_images(task, images, self.image_cache, ray.get)
        try:
            report = self.worker.run_timed(local_task)
        except PolicyUnavailableError as exc:
            return NotRun(task, str(exc))
        video = None
        if report.result.video is not None:
            recorded = self.video_dir / report.result.video
            video = recorded.read_bytes()
            recorded.unlink()
        return FinishedEpisode(report, video)


class _PolicyReplica:
    """Body of a policy replica actor: the policy behind an openpi server on this node."""

    def __init__(self, spec: PolicySpec, max_batch: int, window_s: float) -> None:
        from act2answer.serve import PolicyServer, backend_for_spec

        self.host = _node_ip()
        self.server = PolicyServer(
            backend_for_spec(spec), host=self.host, port=0, max_batch=max_batch, window_s=window_s
        )
        self.port = self.server.start()

    def address(self) -> str:
        return f"openpi://{self.host}:{self.port}"

    def needs(self) -> ObservationNeeds:
        return self.server.backend.needs

    def stop(self) -> None:
        self.server.stop()


def _node_ip() -> str:
    import ray

    return str(ray.util.get_node_ip_address())


@contextmanager
def policy_replicas(
    setup: WorkerSetup,
    options: RayOptions,
    hosted: bool,
    max_batch: int,
    window_s: float,
    call_timeout: float,
) -> Iterator[list[WorkerSetup]]:
    """Worker set-ups pointing at policy replica actors, or ``[setup]`` when none are needed.

    Args:
        hosted: The policy is a BatchPolicy (served batched even without a GPU).
    """
    if not hosted and options.policy_gpus <= 0:
        yield [setup]
        return
    ray = import_ray()
    replica_class = ray.remote(num_cpus=0, num_gpus=options.policy_gpus)(_PolicyReplica)
    replicas = [
        replica_class.remote(setup.policy, max_batch, window_s)
        for _ in range(max(1, options.policy_replicas))
    ]
    try:
        try:
            addresses = ray.get(
                [replica.address.remote() for replica in replicas],
                timeout=options.start_timeout_s,
            )
        except ray.exceptions.GetTimeoutError:
            gpus = ray.cluster_resources().get("GPU", 0)
            raise RunError(
                f"{len(replicas)} policy replica(s) asking {options.policy_gpus:g} GPU each "
                f"were not placed within {options.start_timeout_s:g} s; the cluster "
                f"has {gpus:g} GPU(s) (lower --policy-gpus / --policy-replicas or add GPU nodes)"
            ) from None
        except ray.exceptions.RayError as exc:
            raise RunError(f"a policy replica could not start: {_cause(exc)}") from None
        require_wrist_camera(setup.policy.name, ray.get(replicas[0].needs.remote()), setup.sim)
        client = {"connect_timeout": 30.0, "call_timeout": call_timeout}
        yield [replace(setup, policy=PolicySpec(name=url, kwargs=client)) for url in addresses]
    finally:
        for replica in replicas:
            ray.kill(replica, no_restart=True)


@dataclass
class _InFlight:
    actor: Any
    task: EpisodeTask
    attempt: int
    started: float


class _Scheduler:
    """Hands queued episodes to ready simulator actors, replaces dead ones, re-queues their work.

    An actor takes episodes only once its set-up has finished, so an actor that
    cannot be placed (a node gone, no autoscaler) holds up no episode: the
    others take the queue.
    """

    def __init__(
        self,
        ray: ModuleType,
        setups: list[WorkerSetup],
        actors: int,
        episode_timeout: float | None,
        options: RayOptions,
    ) -> None:
        self.ray, self.setups, self.options = ray, setups, options
        self.episode_timeout = episode_timeout
        self.actor_class = ray.remote(num_cpus=1, max_restarts=0, max_task_retries=0)(
            _SimulatorActor
        )
        self.created = itertools.count()
        self.idle: list[Any] = []
        self.starting: dict[Any, Any] = {}  # ready() reference -> actor
        self.running: dict[Any, _InFlight] = {}  # run() reference -> episode in flight
        self.actor_died = (ray.exceptions.RayActorError, ray.exceptions.WorkerCrashedError)
        self.deaths_in_a_row = 0
        # A dead node takes all its actors at once; only a longer run of deaths is a broken set-up.
        self.death_limit = MAX_CONSECUTIVE_DEATHS + actors
        for _ in range(actors):
            self._start_actor()

    def _start_actor(self) -> None:
        actor = self.actor_class.remote(self.setups[next(self.created) % len(self.setups)])
        self.starting[actor.ready.remote()] = actor

    def close(self) -> None:
        actors = [*self.idle, *self.starting.values(), *(f.actor for f in self.running.values())]
        for actor in actors:
            self.ray.kill(actor, no_restart=True)

    def run(self, tasks: list[EpisodeTask]) -> Iterator[EpisodeReport | NotRun]:
        queue: deque[tuple[EpisodeTask, int]] = deque((task, 1) for task in tasks)
        paths = {path for task in tasks for path in task_images(task)}
        images = {path: ship_image(path, self.ray.put) for path in sorted(paths)}
        run_dir = Path(self.setups[0].run_dir)
        unavailable: str | None = None
        stalled_since: float | None = None
        while self.running or (queue and unavailable is None):
            if unavailable is None:
                self._submit(queue, images)
            if self.running:
                stalled_since = None
            elif stalled_since is None:
                stalled_since = time.monotonic()
            elif time.monotonic() - stalled_since > self.options.start_timeout_s:
                cpus = self.ray.cluster_resources().get("CPU", 0)
                raise RunError(
                    f"no simulator actor could be placed for {self.options.start_timeout_s:g} s "
                    f"(the cluster has {cpus:g} CPUs); finished episodes are saved, rerun the "
                    "same command to resume"
                )
            done, _ = self.ray.wait(
                [*self.running, *self.starting], num_returns=1, timeout=self._wait_s()
            )
            for ref in done:
                if ref in self.starting:
                    self._started(ref)
                    continue
                flight = self.running.pop(ref)
                try:
                    outcome = self.ray.get(ref)
                except self.actor_died as exc:
                    self._died(exc)
                    if flight.attempt < self.options.max_attempts:
                        queue.appendleft((flight.task, flight.attempt + 1))
                    else:
                        yield _gave_up(flight, exc)
                    continue
                except self.ray.exceptions.RayTaskError as exc:
                    raise RunError(
                        f"a simulator worker failed: {_cause(exc)}; finished episodes are saved"
                    ) from None
                self.idle.append(flight.actor)
                if isinstance(outcome, NotRun):
                    unavailable = outcome.reason
                    yield outcome
                    while queue:
                        yield NotRun(queue.popleft()[0], unavailable)
                    continue
                self.deaths_in_a_row = 0
                self._submit(queue, images)  # busy again while the caller stores this one
                store_video(run_dir, outcome)
                yield outcome.report
            if self.episode_timeout is not None:
                yield from self._time_out(self.episode_timeout)

    def _submit(
        self, queue: deque[tuple[EpisodeTask, int]], images: dict[str, ShippedImage]
    ) -> None:
        """Give every idle actor its next episode."""
        while self.idle and queue:
            task, attempt = queue.popleft()
            actor = self.idle.pop()
            shipped = (images[task.left_image], images[task.right_image])
            self.running[actor.run.remote(task, shipped)] = _InFlight(
                actor, task, attempt, time.monotonic()
            )

    def _started(self, ref: Any) -> None:
        actor = self.starting.pop(ref)
        try:
            reason = self.ray.get(ref)
        except self.actor_died as exc:
            self._died(exc)
            return
        if reason is not None:
            raise RunError(f"a simulator worker could not start: {reason}")
        self.idle.append(actor)

    def _died(self, exc: BaseException) -> None:
        self.deaths_in_a_row += 1
        if self.deaths_in_a_row >= self.death_limit:
            raise RunError(
                f"Ray simulator actors died {self.deaths_in_a_row} times in a row "
                f"({_cause(exc)}); finished episodes are saved"
            )
        self._start_actor()

    def _time_out(self, limit: float) -> Iterator[EpisodeReport]:
        """Kill and replace the actors whose episode is past its limit; store it as an error."""
        now = time.monotonic()
        for ref, flight in list(self.running.items()):
            if now - flight.started <= limit:
                continue
            del self.running[ref]
            self.ray.kill(flight.actor, no_restart=True)
            self._start_actor()
            reason = (
                f"EpisodeTimeout: episode exceeded the wall-clock limit of {limit:g} s; "
                "its Ray actor was killed and replaced"
            )
            yield EpisodeReport(error_result(flight.task, reason, now - flight.started))

    def _wait_s(self) -> float | None:
        waits = []
        if self.episode_timeout is not None and self.running:
            first = min(flight.started for flight in self.running.values())
            waits.append(first + self.episode_timeout - time.monotonic())
        if not self.running:  # only actors starting: look at the stall limit now and then
            waits.append(5.0)
        return max(0.0, min(waits)) + 0.01 if waits else None


def _gave_up(flight: _InFlight, exc: BaseException) -> EpisodeReport:
    """The error stored for an episode whose actor died under it ``max_attempts`` times."""
    reason = (
        f"WorkerDied: the Ray actor running this episode died {flight.attempt} times "
        f"({_cause(exc)})"
    )
    return EpisodeReport(error_result(flight.task, reason, time.monotonic() - flight.started))


def run_on_ray(
    tasks: list[EpisodeTask],
    setups: list[WorkerSetup],
    actors: int,
    episode_timeout: float | None,
    options: RayOptions,
) -> Iterator[EpisodeReport | NotRun]:
    """Run ``tasks`` over ``actors`` simulator actors; yield reports as they finish.

    Must run inside :func:`ray_cluster`. Simulator actor ``i`` is built from
    ``setups[i % len(setups)]`` (one set-up per policy replica).

    Raises:
        RunError: an actor could not start, an episode failed outside its own error
            handling, actors kept dying without finishing an episode, or none could
            be placed for ``options.start_timeout_s``.
    """
    if not tasks:
        return
    scheduler = _Scheduler(import_ray(), setups, min(actors, len(tasks)), episode_timeout, options)
    try:
        yield from scheduler.run(tasks)
    finally:
        scheduler.close()


def _cause(exc: BaseException) -> str:
    """The first line of what went wrong inside Ray, without its traceback."""
    cause = getattr(exc, "cause", None)
    if isinstance(cause, BaseException):
        return f"{type(cause).__name__}: {cause}".splitlines()[0][:300]
    return f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc) else ''}"[:300]


__all__ = ["RayOptions", "import_ray", "policy_replicas", "ray_cluster", "run_on_ray"]
