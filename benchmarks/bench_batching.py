"""Batching benchmark (issue #6): a policy costing 200 ms per call, 8 episodes in flight.

A stand-in for GPU inference (``SleepBatchPolicy``: sleeps ``--sleep`` seconds
per ``act_batch`` call whatever the batch size) is evaluated twice through the
same path (runner -> worker processes -> openpi client -> batching host):

* batch size 1: one worker, one episode in flight;
* batched: ``--in-flight`` workers, so up to that many requests per call.

Printed: actions/s of both, the ratio (target >= 6x), the share of the
policy-only bound ``in_flight / sleep`` actions/s (target >= 85%), and the
simulator-side time per step. Throughput is counted over the model calls made
while every episode was in flight (from the first to the last full batch);
the whole-run figure, which includes worker start-up and the tail, is printed too.

A third figure runs the batching host with client threads and no simulator:
it separates the host's own overhead from the simulator's CPU time, which on
a 2-core machine shared by 8 simulator processes decides the result.

Usage: ``.venv/bin/python benchmarks/bench_batching.py [--steps 40] [--in-flight 8]``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
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
from act2answer.interfaces import EpisodeStart, Observation  # noqa: E402
from act2answer.policies import PolicySpec  # noqa: E402
from act2answer.runner import RunSummary, run_evaluation  # noqa: E402
from act2answer.serve import PolicyServer, make_backend  # noqa: E402
from act2answer.sim import SimConfig  # noqa: E402
from act2answer.synth import generate_suite  # noqa: E402


def host_only(in_flight: int, sleep: float, steps: int, window: float) -> dict[str, object]:
    """The batching machinery alone: client threads instead of simulator processes."""
    policy = SleepBatchPolicy(sleep_s=sleep)
    backend = make_backend(policy, lambda: policy)
    with PolicyServer(backend, port=0, max_batch=in_flight, window_s=window) as server:

        def episode(seed: int) -> None:
            client = OpenpiPolicy(f"127.0.0.1:{server.port}")
            client.reset(EpisodeStart("put the cube on the red patch", seed))
            for step in range(steps):
                client.act(Observation("", step, np.zeros(3), np.zeros(3), 0.0))
            client.close()

        threads = [threading.Thread(target=episode, args=(seed,)) for seed in range(in_flight)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return server.batching.stats.summary()


def evaluate(
    suite: Path, out: Path, workers: int, sleep: float, steps: int, window: float
) -> RunSummary:
    spec = PolicySpec(
        name="tests.helpers.standins:SleepBatchPolicy", kwargs={"sleep_s": sleep}
    )
    return run_evaluation(
        suite,
        spec,
        out,
        sim=SimConfig(max_steps=steps),
        workers=workers,
        episode_timeout=600.0,  # worker processes (and the batching host) even for one worker
        batch_window_s=window,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sleep", type=float, default=0.2, help="seconds per policy call")
    parser.add_argument("--in-flight", type=int, default=8, help="episodes in flight")
    parser.add_argument("--steps", type=int, default=40, help="control steps per episode")
    parser.add_argument("--window", type=float, default=0.1, help="batch window, seconds")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch_name:
        scratch = Path(scratch_name)
        # in_flight items x 2 layouts: one wave for the batched run; 1 item for batch size 1.
        generate_suite(scratch / "suite", per_category=args.in_flight // 2, categories=["Color"])
        generate_suite(scratch / "one", per_category=1, categories=["Color"])
        single = evaluate(
            scratch / "one", scratch / "run-1", 1, args.sleep, args.steps, args.window
        )
        batched = evaluate(
            scratch / "suite",
            scratch / "run-n",
            args.in_flight,
            args.sleep,
            args.steps,
            args.window,
        )
    alone = host_only(args.in_flight, args.sleep, args.steps, args.window)
    one_host, many_host = single.timing["policy_host"], batched.timing["policy_host"]
    one_rate = float(one_host["requests_per_s"])
    many_rate = float(many_host["requests_per_s_at_max_batch"])
    bound = args.in_flight / args.sleep
    print(f"policy: {args.sleep * 1000:.0f} ms per call; {args.steps} steps per episode")
    print(
        f"batch size 1      : {one_rate:6.2f} actions/s "
        f"({single.episodes_run} episodes, sim {single.timing['sim_ms_per_step']} ms/step)"
    )
    print(
        f"{args.in_flight} in flight       : {many_rate:6.2f} actions/s while all were in flight "
        f"(mean batch {many_host['batch_size_mean']}, histogram "
        f"{many_host['batch_size_histogram']})"
    )
    print(
        f"  whole run       : {float(many_host['requests_per_s']):6.2f} actions/s "
        f"(includes worker start-up and tail; {batched.wall_time_s:.1f} s wall)"
    )
    print(f"  sim-side time   : {batched.timing['sim_ms_per_step']} ms per step per episode")
    print(f"  model idle      : {many_host['idle_ms_between_calls_mean']} ms between calls (mean)")
    alone_rate = float(alone["requests_per_s_at_max_batch"])
    print(
        f"batching host alone: {alone_rate:6.2f} actions/s = {100 * alone_rate / bound:.1f}% of "
        f"the bound ({args.in_flight} client threads, no simulator; mean batch "
        f"{alone['batch_size_mean']}, model idle {alone['idle_ms_between_calls_mean']} ms)"
    )
    print(f"speed-up vs batch size 1   : {many_rate / one_rate:5.2f}x (target >= 6x)")
    print(
        f"share of policy-only bound : {100 * many_rate / bound:5.1f}% of {bound:.0f} actions/s "
        "(target >= 85%)"
    )


if __name__ == "__main__":
    main()
