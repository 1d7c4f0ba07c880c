"""Client for OpenVLA's ``vla-scripts/deploy.py`` REST server (``--policy openvla-rest://HOST:PORT``).

``POST /act`` with a JSON body ``{"image": uint8 HxWx3, "instruction": str,
"unnorm_key": str}`` whose numpy arrays are encoded by ``json-numpy``; the
reply is the 7-D action (json-numpy) or the JSON string ``"error"`` when the
server failed (deploy.py logs the traceback on its side).
"""

from __future__ import annotations

import http.client
import itertools
import time
from typing import Any

import json_numpy
import numpy as np

from act2answer.client.openpi import sleep_before_retry, split_address
from act2answer.errors import PolicyError
from act2answer.interfaces import Observation, ObservationNeeds
from act2answer.policies.chunking import ChunkedPolicy
from act2answer.policies.presets import Preset, get_preset


class OpenVLARestPolicy(ChunkedPolicy):
    """A policy served by OpenVLA's ``deploy.py`` (one action per request).

    Args:
        address: ``HOST:PORT`` (or ``openvla-rest://HOST:PORT``).
        preset: Conventions preset (default ``bridge-openvla``: 224 px, area
            resize, gripper 0..1 open, ``unnorm_key="bridge_orig"``).
        unnorm_key: Override the preset's dataset statistics key.
        connect_timeout: Seconds to keep retrying a refused connection.
        call_timeout: Seconds to wait for one reply.
    """

    name = "openvla-rest"

    def __init__(
        self,
        address: str,
        preset: str | dict[str, Any] = "bridge-openvla",
        unnorm_key: str | None = None,
        connect_timeout: float = 30.0,
        call_timeout: float = 60.0,
    ) -> None:
        self.preset: Preset = get_preset(preset)
        super().__init__(self.preset.replan_steps)
        self.host, self.port = split_address(address, "openvla-rest")
        self.name = f"openvla-rest://{self.host}:{self.port}"
        self.needs: ObservationNeeds = self.preset.needs
        self.unnorm_key = unnorm_key if unnorm_key is not None else self.preset.unnorm_key
        self.connect_timeout = connect_timeout
        self.call_timeout = call_timeout
        self._failed_before = False

    def query(self, observation: Observation) -> np.ndarray:
        if observation.image is None:
            raise PolicyError(f"{self.name}: no camera image was rendered")
        payload: dict[str, Any] = {
            "image": self.preset.prepare_image(observation.image),
            "instruction": observation.instruction,
        }
        if self.unnorm_key is not None:
            payload["unnorm_key"] = self.unnorm_key
        reply = self._post("/act", json_numpy.dumps(payload).encode())
        try:
            action = json_numpy.loads(reply)
        except ValueError as exc:
            raise PolicyError(f"{self.name}: reply is not JSON: {exc}: {reply[:200]!r}") from None
        if isinstance(action, str):
            raise PolicyError(f"{self.name}: server replied {action!r} (see the server's log)")
        return self.preset.decode(action)

    def check(self) -> None:
        """Fail fast when nothing listens at the address (any HTTP answer counts)."""
        self._post("/act", b"{}", expect_ok=False)

    def _post(self, path: str, body: bytes, expect_ok: bool = True) -> bytes:
        budget = 0.0 if self._failed_before else self.connect_timeout
        deadline = time.monotonic() + budget
        for attempt in itertools.count():
            connection = http.client.HTTPConnection(self.host, self.port, timeout=self.call_timeout)
            try:
                connection.request(
                    "POST", path, body=body, headers={"Content-Type": "application/json"}
                )
                response = connection.getresponse()
                data = response.read()
            except TimeoutError:
                raise PolicyError(
                    f"{self.name} did not answer within {self.call_timeout:g} s"
                ) from None
            except (ConnectionError, http.client.HTTPException, OSError) as exc:
                if time.monotonic() >= deadline:
                    self._failed_before = True
                    raise PolicyError(
                        f"cannot reach {self.name} (tried for {budget:g} s): {exc}"
                    ) from None
                sleep_before_retry(attempt, deadline, 0.1, 2.0)
                continue
            finally:
                connection.close()
            self._failed_before = False
            if expect_ok and response.status != 200:
                raise PolicyError(f"{self.name}: HTTP {response.status}: {data[:300]!r}")
            return data
        raise AssertionError("unreachable")


__all__ = ["OpenVLARestPolicy"]
