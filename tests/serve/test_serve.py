"""`act2answer serve` and the openpi client: wire compatibility, batching, errors, limits."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
import urllib.request
from typing import Any

import numpy as np
import pytest
from openpi_client import msgpack_numpy as openpi_msgpack
from openpi_client.websocket_client_policy import WebsocketClientPolicy

from act2answer.client import OpenpiPolicy
from act2answer.client.msgpack_numpy import packb, unpackb
from act2answer.errors import PolicyError
from act2answer.interfaces import EpisodeStart, Observation, PrivilegedInfo, Side
from act2answer.policies.chunking import BatchPolicyAsPolicy
from act2answer.serve import PolicyServer, backend_for_spec, make_backend
from tests.helpers.openpi_fakes import openpi_style_server
from tests.helpers.standins import SleepBatchPolicy

# openpi-client 0.1.2 calls websockets' connect() the pre-17 way.
pytestmark = pytest.mark.filterwarnings("ignore:connect\\(\\) must be used:DeprecationWarning")


def _observation(step: int = 0, image: bool = False) -> Observation:
    return Observation(
        instruction="put the cube on the red patch",
        step=step,
        ee_position=np.array([0.25, 0.0, 0.15]),
        ee_rpy=np.array([0.0, 0.1, 0.0]),
        gripper_opening=0.0,
        image=np.full((480, 640, 3), 90, dtype=np.uint8) if image else None,
    )


def test_msgpack_codec_matches_openpi_client_both_ways():
    data = {"a": np.arange(6, dtype=np.float32).reshape(2, 3), "b": np.int64(7), "s": "x"}
    ours = unpackb(openpi_msgpack.packb(data))
    theirs = openpi_msgpack.unpackb(packb(data))
    for decoded in (ours, theirs):
        assert decoded["a"].dtype == np.float32 and (decoded["a"] == data["a"]).all()
        assert decoded["b"] == 7 and decoded["s"] == "x"
    with pytest.raises(ValueError, match="refused"):
        packb({"bad": np.array([object()])})


def test_official_openpi_client_gets_actions_from_our_server():
    with PolicyServer(backend_for_spec("idle"), port=0) as server:
        client = WebsocketClientPolicy("127.0.0.1", server.port)
        assert client.get_server_metadata()["act2answer"]["policy"] == "idle"
        reply = client.infer({"prompt": "hi", "observation/state": np.zeros(7, np.float32)})
        assert reply["actions"].shape == (1, 7) and reply["actions"][0, 6] == -1.0
        with urllib.request.urlopen(f"http://127.0.0.1:{server.port}/healthz") as health:
            assert health.status == 200


def test_served_oracle_matches_the_in_process_oracle_and_gets_privileged_info():
    from act2answer.policies import make_policy

    start = EpisodeStart("x", 5, PrivilegedInfo((0.3, 0.1), (0.3, -0.1), Side.LEFT))
    local = make_policy("oracle")
    local.reset(start)
    with PolicyServer(backend_for_spec("oracle"), port=0) as server:
        remote = OpenpiPolicy(f"127.0.0.1:{server.port}", connect_timeout=5)
        assert remote.needs.answer and remote.needs.scene_geometry and not remote.needs.image
        remote.reset(start)
        for step in range(4):
            observation = _observation(step)
            assert np.array_equal(remote.act(observation), local.act(observation))
        remote.close()


def test_our_client_with_an_openpi_server_and_the_libero_preset():
    seen: list[dict[str, Any]] = []

    def infer(obs: dict[str, Any]) -> dict[str, Any]:
        seen.append(obs)
        chunk = np.zeros((10, 7), dtype=np.float32)
        chunk[:, 0] = np.arange(10) / 10  # normalised dx; LIBERO scale 0.05 m
        chunk[:, 6] = -1.0  # LIBERO: -1 opens
        return {"actions": chunk, "server_timing": {"infer_ms": 1.0}}

    with openpi_style_server(infer) as port:
        policy = OpenpiPolicy(f"openpi://127.0.0.1:{port}", preset="libero-openpi")
        assert policy.needs.wrist_image and policy.replan_steps == 5
        policy.reset(EpisodeStart("put the cube on the red patch", 1))
        observation = _observation(image=True)
        observation.wrist_image = observation.image
        actions = [policy.act(observation) for _ in range(7)]
        policy.close()
    assert len(seen) == 2  # replanned after 5 of the 10 actions
    obs = seen[0]
    assert set(obs) == {
        "prompt",
        "observation/image",
        "observation/wrist_image",
        "observation/state",
    }
    assert obs["observation/image"].shape == (224, 224, 3) and obs["observation/state"].shape == (
        8,
    )
    assert np.isclose(actions[3][0], 0.3 * 0.05) and actions[3][6] == 1.0
    assert np.isclose(actions[5][0], 0.0)  # first action of the second chunk


def test_server_error_text_and_close_1011_become_a_policy_error():
    def infer(obs: dict[str, Any]) -> dict[str, Any]:
        raise RuntimeError("CUDA out of memory")

    with openpi_style_server(infer) as port:
        policy = OpenpiPolicy(f"127.0.0.1:{port}", preset="bridge-openvla", connect_timeout=5)
        policy.reset(EpisodeStart("x", 1))
        with pytest.raises(PolicyError, match="CUDA out of memory"):
            policy.act(_observation(image=True))


def test_our_server_reports_policy_errors_to_the_official_client():
    with PolicyServer(
        backend_for_spec("tests.helpers.policies_for_tests:RaisingPolicy"), port=0
    ) as server:
        client = WebsocketClientPolicy("127.0.0.1", server.port)
        with pytest.raises(RuntimeError, match="model server said 500"):
            client.infer({"prompt": "x"})


def test_api_key_is_required_when_set(monkeypatch):
    monkeypatch.delenv("OPENPI_API_KEY", raising=False)
    with PolicyServer(backend_for_spec("idle"), port=0, api_key="s3cret") as server:
        address = f"127.0.0.1:{server.port}"
        with pytest.raises(PolicyError, match="API key"):
            OpenpiPolicy(address, connect_timeout=2).check()
        good = OpenpiPolicy(address, api_key="s3cret", connect_timeout=2)
        good.reset(EpisodeStart("x", 1))
        assert good.act(_observation())[6] == -1.0
        good.close()
        official = WebsocketClientPolicy("127.0.0.1", server.port, api_key="s3cret")
        assert official.infer({"prompt": "x"})["actions"].shape == (1, 7)


def test_limits_unreachable_server_and_unanswered_call():
    started = time.monotonic()
    dead = OpenpiPolicy("127.0.0.1:9", connect_timeout=0.5)
    with pytest.raises(PolicyError, match="cannot reach"):
        dead.check()
    assert time.monotonic() - started < 5
    with pytest.raises(PolicyError, match="cannot reach"):
        dead.check()  # second try: a single attempt

    def slow(obs: dict[str, Any]) -> dict[str, Any]:
        time.sleep(1.5)
        return {"actions": np.zeros((1, 7))}

    with openpi_style_server(slow) as port:
        policy = OpenpiPolicy(f"127.0.0.1:{port}", call_timeout=0.3, connect_timeout=5)
        policy.reset(EpisodeStart("x", 1))
        started = time.monotonic()
        with pytest.raises(PolicyError, match=r"did not answer within 0\.3 s"):
            policy.act(_observation(image=True))
        assert time.monotonic() - started < 1.2


def test_concurrent_connections_are_batched_and_rows_do_not_depend_on_the_batch():
    policy = SleepBatchPolicy(sleep_s=0.1, chunk_size=3, replan_steps=2)
    alone = BatchPolicyAsPolicy(SleepBatchPolicy(sleep_s=0.0, chunk_size=3, replan_steps=2))
    connected = threading.Barrier(4)
    with PolicyServer(make_backend(policy, lambda: policy), port=0, window_s=5.0) as server:
        outputs: dict[int, list[np.ndarray]] = {}

        def episode(seed: int) -> None:
            client = OpenpiPolicy(f"127.0.0.1:{server.port}", connect_timeout=5)
            client.reset(EpisodeStart("x", seed))
            assert client.replan_steps == 2
            connected.wait(30)  # all connected: the host waits for every connection's request
            outputs[seed] = [client.act(_observation(step)) for step in range(4)]
            client.close()

        threads = [threading.Thread(target=episode, args=(seed,)) for seed in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        stats = server.batching.stats.summary()
    assert policy.batch_sizes == [4, 4], policy.batch_sizes
    assert stats["requests"] == 8 and stats["batch_size_max"] == 4
    for seed, actions in outputs.items():
        alone.reset(EpisodeStart("x", seed))
        expected = [alone.act(_observation(step)) for step in range(4)]
        assert all(np.array_equal(a, b) for a, b in zip(actions, expected, strict=True))


def test_serve_command_never_imports_mujoco(tmp_path):
    script = tmp_path / "no_mujoco.py"
    script.write_text(
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in ('mujoco', 'torch'):\n"
        "            raise ImportError('blocked ' + name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "from act2answer.cli.main import app\n"
        "from act2answer.serve import PolicyServer, backend_for_spec\n"
        "from act2answer.client import OpenpiPolicy, OpenVLARestPolicy\n"
        "from act2answer.policies.presets import get_preset\n"
        "with PolicyServer(backend_for_spec('oracle'), port=0) as server:\n"
        "    assert OpenpiPolicy(f'127.0.0.1:{server.port}').needs.answer\n"
        "print('ok')\n"
    )
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "ok" in done.stdout, done.stderr


def test_sleep_stand_in_is_a_batch_policy_and_seeded_per_row():
    from act2answer.interfaces import BatchPolicy, PolicyRequest

    policy = SleepBatchPolicy(sleep_s=0.0, chunk_size=2)
    assert isinstance(policy, BatchPolicy)
    together = policy.act_batch(
        [PolicyRequest(1, _observation(0)), PolicyRequest(2, _observation(0))]
    )
    alone = policy.act_batch([PolicyRequest(2, _observation(0))])
    assert together.shape == (2, 2, 7) and np.array_equal(together[1], alone[0])
    assert not np.array_equal(together[0], together[1])


class _NaNForOddSeeds:
    name = "nan-odd"
    needs = SleepBatchPolicy().needs
    replan_steps = 1

    def act_batch(self, requests):
        chunks = np.zeros((len(requests), 1, 7))
        for row, request in enumerate(requests):
            if request.episode_seed % 2:
                chunks[row, 0, 0] = np.nan
        return chunks


def test_a_non_finite_row_fails_only_its_own_request():
    policy = _NaNForOddSeeds()
    connected = threading.Barrier(2)
    with PolicyServer(make_backend(policy, lambda: policy), port=0, window_s=5.0) as server:
        outcomes: dict[int, str] = {}

        def episode(seed: int) -> None:
            client = OpenpiPolicy(f"127.0.0.1:{server.port}", connect_timeout=5)
            client.reset(EpisodeStart("x", seed))
            connected.wait(30)
            try:
                client.act(_observation())
                outcomes[seed] = "ok"
            except PolicyError as exc:
                outcomes[seed] = str(exc)
            client.close()

        threads = [threading.Thread(target=episode, args=(seed,)) for seed in (1, 2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert server.batching.stats.batch_sizes == [2]
    assert outcomes[2] == "ok" and "non-finite" in outcomes[1]
