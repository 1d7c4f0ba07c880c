"""Where the batching host's time between two model calls goes (issue #22).

Marks, after each model call ends: when the last waiting request got its
answer (future resolved), when the last reply was packed, when the first and
last next requests arrived, and when the next call started. Clients are
threads or processes without a simulator; ``--transport`` picks the
websocket (openpi) or the Unix-socket front end.

Usage: ``python benchmarks/profile_batching_host.py --clients 32 --batch 32 --mode procs``.
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/helpers

import numpy as np
from tests.helpers.standins import SleepBatchPolicy

import act2answer.serve._host as host_module
import act2answer.serve._local as local_module
import act2answer.serve._server as server_module
from act2answer.client import OpenpiPolicy
from act2answer.client.local import LocalPolicy
from act2answer.interfaces import EpisodeStart, Observation
from act2answer.serve import PolicyServer, make_backend

MARKS: list[tuple[str, float]] = []


def _mark(name: str) -> None:
    MARKS.append((name, time.perf_counter()))


def _instrument() -> None:
    submit, act = host_module.BatchingHost.submit, host_module.BatchBackend.act
    packb, request, reply = (
        server_module.packb,
        local_module.LocalConnection._request,
        local_module.LocalConnection._reply,
    )

    async def timed_submit(self, served):  # type: ignore[no-untyped-def]
        _mark("submit")
        result = await submit(self, served)
        _mark("answered")
        return result

    def timed_act(self, requests):  # type: ignore[no-untyped-def]
        _mark("model_start")
        chunks = act(self, requests)
        _mark("model_end")
        return chunks

    def timed_packb(obj):  # type: ignore[no-untyped-def]
        data = packb(obj)
        _mark("packed")
        return data

    def timed_request(self, body):  # type: ignore[no-untyped-def]
        _mark("submit")
        request(self, body)

    def timed_reply(self, future):  # type: ignore[no-untyped-def]
        _mark("answered")
        reply(self, future)

    host_module.BatchingHost.submit = timed_submit  # type: ignore[method-assign]
    host_module.BatchBackend.act = timed_act  # type: ignore[method-assign]
    server_module.packb = local_module.packb = timed_packb
    local_module.LocalConnection._request = timed_request  # type: ignore[method-assign]
    local_module.LocalConnection._reply = timed_reply  # type: ignore[method-assign]


def _client(transport: str, address: str, steps: int, seed: int) -> None:
    client = LocalPolicy(address) if transport == "unix" else OpenpiPolicy(address)
    client.reset(EpisodeStart("put the cube on the red patch", seed))
    for step in range(steps):
        client.act(Observation("", step, np.zeros(3), np.zeros(3), 0.0))
    client.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mode", choices=["threads", "procs"], default="procs")
    parser.add_argument("--transport", choices=["websocket", "unix"], default="websocket")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--sleep", type=float, default=0.05)
    parser.add_argument("--steps", type=int, default=40)
    args = parser.parse_args()
    _instrument()
    policy = SleepBatchPolicy(sleep_s=args.sleep)
    with tempfile.TemporaryDirectory() as folder:
        path = str(Path(folder) / "host.sock")
        unix = args.transport == "unix"
        with PolicyServer(
            make_backend(policy, lambda: policy),
            port=None if unix else 0,
            max_batch=args.batch,
            window_s=0.1,
            unix_path=path if unix else None,
        ) as server:
            address = path if unix else f"127.0.0.1:{server.port}"
            work = [(args.transport, address, args.steps, seed) for seed in range(args.clients)]
            if args.mode == "threads":
                runners: list = [threading.Thread(target=_client, args=a) for a in work]
            else:
                context = multiprocessing.get_context("fork")  # before any client thread
                runners = [context.Process(target=_client, args=a) for a in work]
            for runner in runners:
                runner.start()
            for runner in runners:
                runner.join()
            stats = server.batching.stats.summary()
    rounds: list[dict] = []
    for name, at in MARKS:
        if name == "model_end":
            rounds.append({"end": at, "answered": [], "packed": [], "submit": []})
        elif rounds and name == "model_start":
            rounds[-1]["start"] = at
        elif rounds and name in rounds[-1]:
            rounds[-1][name].append(at)
    gaps = [
        [1e3 * (max(r[k]) - r["end"]) for k in ("answered", "packed")]
        + [1e3 * (min(r["submit"]) - r["end"]), 1e3 * (max(r["submit"]) - r["end"])]
        + [1e3 * (r["start"] - r["end"])]
        for r in rounds[2:-2]
        if "start" in r and r["submit"] and r["answered"] and r["packed"]
    ]
    mean = np.mean(gaps, axis=0)
    share = float(stats["requests_per_s_at_max_batch"]) / (args.batch / args.sleep)
    print(
        f"{args.mode}/{args.transport}: {100 * share:.1f}% of the bound, model idle "
        f"{stats['idle_ms_between_calls_mean']} ms between calls"
    )
    print(
        "ms after a call ends: last answer {:.2f}, last reply packed {:.2f}, first request "
        "in {:.2f}, last request in {:.2f}, next call starts {:.2f}".format(*mean)
    )


if __name__ == "__main__":
    main()
