"""Client for policies served over openpi's websocket protocol (``--policy openpi://HOST:PORT``).

Wire format (openpi-client's): on connect the server sends its metadata as
one msgpack frame; each request is a msgpack frame of the observation dict,
each reply a msgpack frame of the action dict; on an error the server sends
the traceback as a text frame and closes with code 1011. ``GET /healthz``
answers 200. Unlike openpi-client, every wait here has a limit: connecting
retries with exponential backoff up to ``connect_timeout`` and each call
waits at most ``call_timeout``.
"""

from __future__ import annotations

import contextlib
import inspect
import itertools
import os
import time
import urllib.error
import urllib.request
from typing import Any, Protocol

import numpy as np
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus
from websockets.sync.client import ClientConnection, connect

from act2answer.client.msgpack_numpy import packb, unpackb
from act2answer.errors import PolicyError, PolicyUnavailableError
from act2answer.interfaces import EpisodeStart, Observation, ObservationNeeds
from act2answer.policies.chunking import ChunkedPolicy
from act2answer.policies.presets import ACT2ANSWER, Preset, get_preset

#: Metadata key under which ``act2answer serve`` describes the served policy.
SERVER_INFO_KEY = "act2answer"
#: Extra observation keys an act2answer server reads (ignored by other servers).
STEP_KEY, SEED_KEY, EPISODE_KEY = "act2answer/step", "act2answer/seed", "act2answer/episode"
LEFT_TILE_KEY, RIGHT_TILE_KEY = "act2answer/left_tile_xy", "act2answer/right_tile_xy"
ANSWER_KEY = "act2answer/answer"
EE_POSITION_KEY, EE_RPY_KEY = "act2answer/ee_position", "act2answer/ee_rpy"
GRIPPER_KEY = "act2answer/gripper_opening"
API_KEY_ENV = "OPENPI_API_KEY"
#: websockets >= 17 wants ``legacy=True`` to return a connection directly (older ones lack it).
_DIRECT = {"legacy": True} if "legacy" in inspect.signature(connect).parameters else {}


def split_address(address: str, scheme: str) -> tuple[str, int]:
    """``"host:port"`` or ``"scheme://host:port"`` to ``(host, port)``.

    Raises:
        PolicyError: no port or a non-numeric one.
    """
    rest = address.split("://", 1)[1] if "://" in address else address
    host, _, port = rest.rstrip("/").rpartition(":")
    if not host or not port.isdigit():
        raise PolicyError(f"policy address {address!r}: expected {scheme}://HOST:PORT")
    return host, int(port)


def sleep_before_retry(attempt: int, deadline: float, first_s: float, longest_s: float) -> None:
    """Back off before connection attempt ``attempt + 1``: doubling from ``first_s``, at most
    ``longest_s``, never past ``deadline`` (a ``time.monotonic()`` value)."""
    time.sleep(min(first_s * 2**attempt, longest_s, max(0.0, deadline - time.monotonic())))


class Connection(Protocol):
    """What :class:`OpenpiPolicy` needs of its transport (websocket or local socket)."""

    @property
    def uri(self) -> str: ...

    def connect(self) -> dict[str, Any]: ...

    def infer(self, observation: dict[str, Any]) -> dict[str, Any]: ...

    def close(self) -> None: ...


def reconnect(connection: Connection) -> None:
    """Connect again mid-episode; an unreachable server fails this episode.

    Raises:
        PolicyError: the connection cannot be made again.
    """
    try:
        connection.connect()
    except PolicyUnavailableError as exc:
        raise PolicyError(f"connection lost, reconnecting failed: {exc}") from None


def wait_healthy(host: str, port: int, timeout: float = 30.0) -> None:
    """Poll ``GET /healthz`` until it answers 200.

    Raises:
        PolicyError: no healthy answer within ``timeout`` seconds.
    """
    deadline = time.monotonic() + timeout
    last = ""
    for attempt in itertools.count():
        try:
            with urllib.request.urlopen(f"http://{host}:{port}/healthz", timeout=2.0) as reply:
                if reply.status == 200:
                    return
                last = f"HTTP {reply.status}"
        except (OSError, urllib.error.URLError) as exc:
            last = str(exc)
        if time.monotonic() >= deadline:
            message = f"policy server {host}:{port} not healthy after {timeout:g} s: {last}"
            raise PolicyError(message)
        sleep_before_retry(attempt, deadline, 0.05, 1.0)


class OpenpiConnection:
    """One websocket connection to an openpi-protocol server, with limits on every wait.

    Args:
        host: Server host.
        port: Server port.
        api_key: Sent as ``Authorization: Api-Key <key>`` (default: ``$OPENPI_API_KEY``).
        connect_timeout: Total seconds to keep retrying a connection.
        call_timeout: Seconds to wait for one reply.
    """

    def __init__(
        self,
        host: str,
        port: int,
        *,
        api_key: str | None = None,
        connect_timeout: float = 30.0,
        call_timeout: float = 60.0,
    ) -> None:
        self.host, self.port = host, port
        self.api_key = api_key if api_key is not None else os.environ.get(API_KEY_ENV)
        self.connect_timeout = connect_timeout
        self.call_timeout = call_timeout
        self.metadata: dict[str, Any] = {}
        self._ws: ClientConnection | None = None
        self._failed_before = False

    @property
    def uri(self) -> str:
        return f"ws://{self.host}:{self.port}"

    def connect(self) -> dict[str, Any]:
        """Connect (retrying with backoff) and return the server's metadata.

        After a connection attempt has failed for ``connect_timeout``, later
        attempts make a single try, so a dead server costs each further episode
        milliseconds, not another full timeout.

        Raises:
            PolicyUnavailableError: no connection within the limit.
            PolicyError: the API key was refused, or the server sent an error.
        """
        if self._ws is not None:
            return self.metadata
        headers = {"Authorization": f"Api-Key {self.api_key}"} if self.api_key else None
        budget = 0.0 if self._failed_before else self.connect_timeout
        deadline = time.monotonic() + budget
        for attempt in itertools.count():
            try:
                ws = connect(
                    self.uri,
                    additional_headers=headers,
                    compression=None,
                    max_size=None,
                    open_timeout=max(1.0, min(10.0, budget)),
                    close_timeout=0.5,  # after a timeout, do not wait long for a busy server
                    **_DIRECT,
                )
                raw = ws.recv(timeout=max(1.0, min(self.call_timeout, 30.0)))
            except InvalidStatus as exc:
                status = exc.response.status_code
                if status in (401, 403):
                    message = f"{self.uri}: refused (HTTP {status}): check the API key"
                    raise PolicyError(message) from None
                error = f"HTTP {status}"
            except (OSError, InvalidHandshake, TimeoutError, ConnectionClosed) as exc:
                error = f"{type(exc).__name__}: {exc}"
            else:
                if isinstance(raw, str):
                    ws.close()
                    raise PolicyError(f"{self.uri}: server sent an error on connect: {raw}")
                self._ws, self._failed_before = ws, False
                self.metadata = dict(unpackb(raw) or {})
                return self.metadata
            if time.monotonic() >= deadline:
                self._failed_before = True
                raise PolicyUnavailableError(
                    f"cannot reach policy server {self.uri} (tried for {budget:g} s): {error}"
                )
            sleep_before_retry(attempt, deadline, 0.1, 2.0)
        raise AssertionError("unreachable")

    def infer(self, observation: dict[str, Any]) -> dict[str, Any]:
        """Send one observation dict and return the reply dict.

        A dropped connection is re-established once (with the connect limit)
        before the call fails.

        Raises:
            PolicyError: server error text, timeout, or the connection is gone.
        """
        payload = packb(observation)
        for attempt in (0, 1):
            if self._ws is None:
                reconnect(self)
            ws = self._ws
            assert ws is not None
            try:
                ws.send(payload)
                reply = ws.recv(timeout=self.call_timeout)
            except TimeoutError:
                self.close()  # a late reply would be read as the next call's answer
                raise PolicyError(
                    f"policy server {self.uri} did not answer within {self.call_timeout:g} s"
                ) from None
            except (ConnectionClosed, OSError) as exc:
                self.close()
                if attempt == 1:
                    raise PolicyError(f"policy server {self.uri} connection lost: {exc}") from None
                continue
            if isinstance(reply, str):
                self.close()
                raise PolicyError(f"policy server {self.uri} error: {reply.strip()[-2000:]}")
            return dict(unpackb(reply))
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self._ws is not None:
            with contextlib.suppress(Exception):  # a broken socket must not mask the real error
                self._ws.close()
            self._ws = None


class OpenpiPolicy(ChunkedPolicy):
    """A policy served over the openpi protocol (by openpi itself or ``act2answer serve``).

    The observation sent and the reply read follow the ``preset``. When the
    server is ``act2answer serve`` (its metadata says so), the served policy
    takes act2answer's own observations, so the ``act2answer`` preset is used
    whatever ``preset`` says; the metadata also says what the policy needs and
    how many actions of a chunk to execute, and seed, step, the exact pose and
    (for scripted baselines that ask for it) privileged information travel too.

    Args:
        address: ``HOST:PORT`` (or ``openpi://HOST:PORT``).
        preset: Conventions preset name (default ``act2answer``).
        replan_steps: Override the preset's / server's replan steps.
        api_key: Optional API key.
        connect_timeout: Seconds to keep retrying the connection.
        call_timeout: Seconds to wait for one reply.
    """

    name = "openpi"

    def __init__(
        self,
        address: str,
        preset: str | dict[str, Any] = "act2answer",
        replan_steps: int | None = None,
        api_key: str | None = None,
        connect_timeout: float = 30.0,
        call_timeout: float = 60.0,
    ) -> None:
        host, port = split_address(address, "openpi")
        connection = OpenpiConnection(
            host, port, api_key=api_key, connect_timeout=connect_timeout, call_timeout=call_timeout
        )
        self._use(connection, f"openpi://{host}:{port}", preset, replan_steps)

    def _use(
        self,
        connection: Connection,
        name: str,
        preset: str | dict[str, Any],
        replan_steps: int | None,
    ) -> None:
        """Set up the policy around ``connection`` (subclasses pass another transport)."""
        self.preset: Preset = get_preset(preset)
        ChunkedPolicy.__init__(self, replan_steps or self.preset.replan_steps)
        self._replan_override = replan_steps
        self.name = name
        self.connection = connection
        self._server_info: dict[str, Any] | None = None
        self._episode = 0

    def _info(self) -> dict[str, Any]:
        if self._server_info is None:
            metadata = self.connection.connect()
            info = metadata.get(SERVER_INFO_KEY)
            self._server_info = dict(info) if isinstance(info, dict) else {}
            if self._server_info and self._replan_override is None:
                self.replan_steps = int(self._server_info.get("replan_steps", self.replan_steps))
        return self._server_info

    @property
    def needs(self) -> ObservationNeeds:  # type: ignore[override]
        info = self._info()
        if "needs" in info:
            return ObservationNeeds(**{k: bool(v) for k, v in info["needs"].items()})
        return self.preset.needs

    def check(self) -> None:
        """Connect once (fail fast before a run starts)."""
        self._info()

    def reset(self, start: EpisodeStart) -> None:
        super().reset(start)
        self._info()  # the server's metadata sets replan_steps
        self.connection.connect()  # unreachable now: the episode is not run (not an error)
        self._episode += 1

    def query(self, observation: Observation) -> np.ndarray:
        act2answer_server = bool(self._info())
        # An act2answer server's policy takes our own observations and returns our actions.
        preset = ACT2ANSWER if act2answer_server else self.preset
        wire = preset.encode(observation, require_image=not act2answer_server)
        if act2answer_server:
            wire.update(self._episode_fields(observation))
        reply = self.connection.infer(wire)
        if preset.actions_key not in reply:
            raise PolicyError(
                f"{self.name}: reply has no {preset.actions_key!r} "
                f"(keys: {sorted(reply)}); wrong preset?"
            )
        return preset.decode(reply[preset.actions_key])

    def _episode_fields(self, observation: Observation) -> dict[str, Any]:
        start = self.start
        if start is None:
            raise PolicyError(f"{self.name}: act() before reset()")
        fields: dict[str, Any] = {
            STEP_KEY: observation.step,
            SEED_KEY: start.seed,
            EPISODE_KEY: self._episode,
            # Exact float64 pose: observation/state is float32 and would perturb scripted policies.
            EE_POSITION_KEY: np.asarray(observation.ee_position, dtype=np.float64),
            EE_RPY_KEY: np.asarray(observation.ee_rpy, dtype=np.float64),
            GRIPPER_KEY: float(observation.gripper_opening),
        }
        privileged = start.privileged
        if privileged is not None:
            fields[LEFT_TILE_KEY] = np.asarray(privileged.left_tile_xy, dtype=np.float64)
            fields[RIGHT_TILE_KEY] = np.asarray(privileged.right_tile_xy, dtype=np.float64)
            if privileged.answer is not None:
                fields[ANSWER_KEY] = privileged.answer.value
        return fields

    def close(self) -> None:
        self.connection.close()


__all__ = [
    "Connection",
    "OpenpiConnection",
    "OpenpiPolicy",
    "reconnect",
    "sleep_before_retry",
    "split_address",
    "wait_healthy",
]
