"""The OpenVLA REST client against a local server speaking deploy.py's format."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import json_numpy
import numpy as np
import pytest

from act2answer.client import OpenVLARestPolicy
from act2answer.errors import PolicyError
from act2answer.interfaces import EpisodeStart, Observation
from act2answer.policies import make_policy


@contextmanager
def deploy_py_server(received: list[dict[str, Any]]) -> Iterator[int]:
    """POST /act as vla-scripts/deploy.py answers it: json-numpy in, action or "error" out."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            try:
                payload = json_numpy.loads(body)
                if "encoded" in payload:  # deploy.py's double-encoded variant
                    payload = json_numpy.loads(payload["encoded"])
                received.append(payload)
                image = payload["image"]
                if "red" not in payload["instruction"]:
                    raise ValueError("unknown instruction")
                action = np.array([0.01, -0.02, 0.0, 0.0, 0.0, 0.1, float(image.mean() > 50)])
                reply = json_numpy.dumps(action)
            except Exception:
                reply = json.dumps("error")
            data = reply.encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def _observation(instruction: str, brightness: int) -> Observation:
    return Observation(
        instruction=instruction,
        step=0,
        ee_position=np.zeros(3),
        ee_rpy=np.zeros(3),
        gripper_opening=0.0,
        image=np.full((480, 640, 3), brightness, dtype=np.uint8),
    )


def test_openvla_rest_client_speaks_deploy_py_format():
    received: list[dict[str, Any]] = []
    with deploy_py_server(received) as port:
        policy = make_policy(f"openvla-rest://127.0.0.1:{port}")
        assert isinstance(policy, OpenVLARestPolicy) and policy.needs.image
        policy.check()
        policy.reset(EpisodeStart("put the cube on the red patch", 1))
        bright = policy.act(_observation("put the cube on the red patch", 200))
        policy.reset(EpisodeStart("put the cube on the red patch", 1))
        dark = policy.act(_observation("put the cube on the red patch", 10))
        payload = received[-1]
        assert payload["image"].shape == (224, 224, 3) and payload["image"].dtype == np.uint8
        assert payload["unnorm_key"] == "bridge_orig"
        assert np.allclose(bright[:6], [0.01, -0.02, 0.0, 0.0, 0.0, 0.1])
        assert bright[6] == 1.0 and dark[6] == -1.0  # 0..1 open -> +1 / -1
        policy.reset(EpisodeStart("put the cube on the blue patch", 1))
        with pytest.raises(PolicyError, match="replied 'error'"):
            policy.act(_observation("put the cube on the blue patch", 200))


def test_openvla_rest_client_fails_clearly_when_nothing_listens():
    policy = OpenVLARestPolicy("127.0.0.1:9", connect_timeout=0.3)
    with pytest.raises(PolicyError, match=r"cannot reach openvla-rest://127\.0\.0\.1:9"):
        policy.check()
