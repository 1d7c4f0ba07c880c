"""Batching benchmark: how close a fixed-cost batched model gets to its policy-only bound.

A stand-in for GPU inference (``SleepBatchPolicy``: sleeps a fixed time per
``act_batch`` call whatever the batch size) is hosted by the batching host.
For each row ``COST_MS:BATCH`` (default ``200:8,50:32,20:64``) the bound is
``BATCH / COST`` actions per second (a full batch every call) and two figures
are measured:

* **host alone**: ``BATCH x GROUPS`` client processes (no simulator) step
  through episodes against the host for ``--seconds``;
* **with simulator**: a real run (runner -> ``BATCH x GROUPS`` simulator worker
  processes -> client -> host) of one episode per worker, long enough to
  last about ``--seconds``.

``--groups 2`` (the default) pipelines: two groups of ``BATCH`` episodes take
turns at the model, so one group's simulators step while the other's batch
computes (``run_evaluation(..., pipeline_groups=2)``); ``--groups 1`` is the
unpipelined path. Throughput is counted over the model calls made while every
batch was full (from the first to the last full batch). Every figure is
printed with the machine's load average (``os.getloadavg``) before and after.

Usage::

    .venv/bin/python benchmarks/bench_batching.py              # 3 rows, ~10 s each part
    .venv/bin/python benchmarks/bench_batching.py --quick      # 3 s each part
    .venv/bin/python benchmarks/bench_batching.py --rows 50:32 --groups 1 2 --host-only
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import sys
import tempfile
import time
from dataclasses import dataclass
from multiprocessing.synchronize import Barrier, Event
from pathlib import Path

_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(_ROOT))  # SleepBatchPolicy is a test double in tests/helpers
_SHARED_MENAGERIE = _ROOT.parent / "shared" / "menagerie"
if _SHARED_MENAGERIE.is_dir():
    os.environ.setdefault("MENAGERIE_ROOT", str(_SHARED_MENAGERIE))
os.environ.setdefault("MUJOCO_GL", "egl")

import numpy as np  # noqa: E402
from tests.helpers.standins import SleepBatchPolicy  # noqa: E402

from act2answer.client import OpenpiPolicy  # noqa: E402
from act2answer.client.local import LocalPolicy  # noqa: E402
from act2answer.interfaces import EpisodeStart, Observation  # noqa: E402
from act2answer.policies import PolicySpec  # noqa: E402
from act2answer.runner._local import HOSTED_WORKER_NICENESS  # noqa: E402
from act2answer.serve import PolicyServer, make_backend  # noqa: E402

SLEEP_POLICY = "tests.helpers.standins:SleepBatchPolicy"


@dataclass(frozen=True)
class Figure:
    """One measured configuration."""

    rate: float
    bound: float
    clients: int
    idle_ms: float
    call_ms: float
    mean_batch: float
    load: tuple[float, float]
    detail: str = ""

    @property
    def share(self) -> float:
        return 100.0 * self.rate / self.bound

    @property
    def busy(self) -> float:
        """Share of the time the model was computing (its calls overrun the cost when loaded)."""
        return 100.0 * self.call_ms / (self.call_ms + self.idle_ms)

    def text(self) -> str:
        return (
            f"{self.rate:7.1f} actions/s = {self.share:5.1f}% of {self.bound:.0f} "
            f"({self.clients} episodes, mean batch {self.mean_batch:.1f}; model busy "
            f"{self.busy:.1f}%: calls {self.call_ms:.1f} ms, idle {self.idle_ms:.1f} ms between "
            f"calls{self.detail}; load {self.load[0]:.1f} -> {self.load[1]:.1f})"
        )


def _load() -> float:
    return os.getloadavg()[0]


def _client(
    transport: str,
    address: str,
    seed: int,
    connected: Barrier,
    go: Event,
    seconds: float,
    niceness: int,
) -> None:
    """One simulator-free episode stream: act, act, act... until ``seconds`` after ``go``."""
    os.nice(niceness)  # as the runner's simulator workers (HOSTED_WORKER_NICENESS)
    client = LocalPolicy(address) if transport == "unix" else OpenpiPolicy(address)
    client.reset(EpisodeStart("put the cube on the red patch", seed))
    connected.wait(120)
    go.wait(120)
    stop = time.monotonic() + seconds
    step = 0
    while time.monotonic() < stop:
        client.act(Observation("", step, np.zeros(3), np.zeros(3), 0.0))
        step += 1
    client.close()


def host_alone(
    cost: float, batch: int, groups: int, seconds: float, window: float, transport: str
) -> Figure:
    """The batching host with ``batch x groups`` client processes and no simulator."""
    policy = SleepBatchPolicy(sleep_s=cost)
    clients = batch * groups
    context = multiprocessing.get_context("spawn")
    connected, go = context.Barrier(clients + 1), context.Event()
    with tempfile.TemporaryDirectory(prefix="bench-host-") as folder:
        unix_path = str(Path(folder) / "host.sock")
        server = PolicyServer(
            make_backend(policy, lambda: policy),
            port=0 if transport == "websocket" else None,
            max_batch=batch,
            window_s=window,
            unix_path=unix_path if transport == "unix" else None,
        )
        with server:
            address = unix_path if transport == "unix" else f"127.0.0.1:{server.port}"
            processes = [
                context.Process(
                    target=_client,
                    args=(transport, address, seed, connected, go, seconds, HOSTED_WORKER_NICENESS),
                )
                for seed in range(clients)
            ]
            for process in processes:
                process.start()
            connected.wait(300)
            before = _load()
            go.set()
            for process in processes:
                process.join()
            after = _load()
            stats = server.batching.stats.summary()
    return Figure(
        rate=float(stats["requests_per_s_at_max_batch"]),
        bound=batch / cost,
        clients=clients,
        idle_ms=float(stats["idle_ms_between_calls_mean"]),
        call_ms=float(stats["latency_ms_mean"]),
        mean_batch=float(stats["batch_size_mean"]),
        load=(before, after),
    )


def with_simulator(
    scratch: Path,
    cost: float,
    batch: int,
    groups: int,
    seconds: float,
    window: float,
    transport: str,
) -> Figure:
    """A real run: ``batch x groups`` simulator workers, one episode each."""
    from act2answer.runner import run_evaluation
    from act2answer.sim import SimConfig
    from act2answer.synth import generate_suite

    workers = batch * groups
    name = f"suite-{workers}"
    if not (scratch / name).is_dir():  # workers // 2 items x 2 layouts = one episode per worker
        generate_suite(scratch / name, per_category=max(1, workers // 2), categories=["Color"])
    steps = max(10, round(seconds / (cost * groups)))
    spec = PolicySpec(name=SLEEP_POLICY, kwargs={"sleep_s": cost})
    out = scratch / f"run-{cost}-{batch}-{groups}-{transport}"
    before = _load()
    summary = run_evaluation(
        scratch / name,
        spec,
        out,
        sim=SimConfig(max_steps=steps),
        workers=workers,
        max_batch=batch,
        pipeline_groups=groups,
        episode_timeout=600.0,  # worker processes even for one worker
        batch_window_s=window,
        hosted_transport=transport,
    )
    after = _load()
    host = summary.timing["policy_host"]
    assert isinstance(host, dict)
    return Figure(
        rate=float(host["requests_per_s_at_max_batch"]),
        bound=batch / cost,
        clients=workers,
        idle_ms=float(host["idle_ms_between_calls_mean"]),
        call_ms=float(host["latency_ms_mean"]),
        mean_batch=float(host["batch_size_mean"]),
        load=(before, after),
        detail=(
            f", {steps} steps, sim {summary.timing['sim_ms_per_step']} ms/step, "
            f"{summary.wall_time_s:.0f} s wall"
        ),
    )


def _rows(text: str) -> list[tuple[float, int]]:
    rows = []
    for part in text.split(","):
        cost_ms, _, batch = part.partition(":")
        rows.append((float(cost_ms) / 1000.0, int(batch)))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", default="200:8,50:32,20:64", help="COST_MS:BATCH,...")
    parser.add_argument("--groups", type=int, nargs="+", default=[2], help="pipeline groups")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each part")
    parser.add_argument("--quick", action="store_true", help="--seconds 3")
    parser.add_argument("--window", type=float, default=0.1, help="batch window, seconds")
    parser.add_argument("--transport", choices=["unix", "websocket"], default="unix")
    parser.add_argument("--host-only", action="store_true", help="skip the simulator runs")
    parser.add_argument("--sim-only", action="store_true", help="skip the host-alone runs")
    args = parser.parse_args()
    seconds = 3.0 if args.quick else args.seconds
    print(
        f"machine: {platform.node()} {platform.machine()}, {os.cpu_count()} CPUs visible, "
        f"{len(os.sched_getaffinity(0))} usable; transport {args.transport}; "
        f"load average now {os.getloadavg()[0]:.2f}"
    )
    table: list[str] = []
    with tempfile.TemporaryDirectory(prefix="bench-batching-") as scratch_name:
        for cost, batch in _rows(args.rows):
            for groups in args.groups:
                label = f"{cost * 1000:.0f} ms, {batch} per call, {groups} group(s)"
                alone = sim = None
                if not args.sim_only:
                    alone = host_alone(cost, batch, groups, seconds, args.window, args.transport)
                    print(f"{label} | host alone     : {alone.text()}", flush=True)
                if not args.host_only:
                    sim = with_simulator(
                        Path(scratch_name),
                        cost,
                        batch,
                        groups,
                        seconds,
                        args.window,
                        args.transport,
                    )
                    print(f"{label} | with simulator : {sim.text()}", flush=True)
                table.append(
                    f"| {cost * 1000:.0f} ms, {batch} | {groups} | "
                    + (f"{sim.rate:.1f} ({sim.share:.1f}%) | " if sim else "- | ")
                    + (f"{alone.rate:.1f} ({alone.share:.1f}%) | " if alone else "- | ")
                    + f"{batch / cost:.0f} |"
                )
    print()
    print(
        "| policy cost, batch | groups | with simulator: actions/s (share) | "
        "host alone: actions/s (share) | bound |"
    )
    print("| --- | --- | --- | --- | --- |")
    print("\n".join(table))


if __name__ == "__main__":
    main()
