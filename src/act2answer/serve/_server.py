"""Serve any act2answer policy over openpi's websocket protocol, batching connections.

Imports only numpy, msgpack, websockets and act2answer's light modules: a
model's own environment (its torch, transformers...) can run it without
MuJoCo. Compatible with openpi-client's ``WebsocketClientPolicy``.
"""

from __future__ import annotations

import asyncio
import itertools
import threading
import traceback
from contextlib import AsyncExitStack
from dataclasses import asdict
from http import HTTPStatus
from typing import Any

import numpy as np
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from act2answer import __version__
from act2answer.client.msgpack_numpy import packb, unpackb
from act2answer.client.openpi import (
    ANSWER_KEY,
    EE_POSITION_KEY,
    EE_RPY_KEY,
    EPISODE_KEY,
    GRIPPER_KEY,
    LEFT_TILE_KEY,
    RIGHT_TILE_KEY,
    SEED_KEY,
    SERVER_INFO_KEY,
    STEP_KEY,
)
from act2answer.errors import PolicyError
from act2answer.interfaces import EpisodeStart, Observation, PrivilegedInfo, Side
from act2answer.policies import PolicySpec, make_policy
from act2answer.serve._host import BatchingHost, PolicyBackend, ServedRequest, make_backend
from act2answer.serve._local import LocalConnection


def _image(wire: dict[str, Any], key: str) -> np.ndarray | None:
    value = wire.get(key)
    if value is None:
        return None
    image = np.asarray(value)
    if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
        raise PolicyError(f"{key!r} must be (H, W, 3) uint8, got {image.shape} {image.dtype}")
    return image


def _vector(wire: dict[str, Any], key: str, size: int) -> np.ndarray | None:
    value = wire.get(key)
    if value is None:
        return None
    vector = np.asarray(value, dtype=np.float64).reshape(-1)
    if vector.size < size:
        raise PolicyError(f"{key!r} must have at least {size} numbers, got {vector.size}")
    return vector


def decode_request(wire: object, connection: int, fallback_step: int) -> ServedRequest:
    """Build the host's request from an openpi-style observation dict.

    Keys: ``prompt``, ``observation/image``, ``observation/wrist_image``,
    ``observation/state`` (x, y, z, roll, pitch, yaw, opening) and the
    optional ``act2answer/...`` keys our client adds (step, seed, episode,
    exact pose, privileged tile centres and answer).

    Raises:
        PolicyError: not a dict, or a field of the wrong type or shape.
    """
    if not isinstance(wire, dict):
        raise PolicyError(f"observation must be a map, got {type(wire).__name__}")
    state = _vector(wire, "observation/state", 7)
    ee_position = _vector(wire, EE_POSITION_KEY, 3)
    ee_rpy = _vector(wire, EE_RPY_KEY, 3)
    if ee_position is None:
        ee_position = state[:3] if state is not None else np.zeros(3)
    if ee_rpy is None:
        ee_rpy = state[3:6] if state is not None else np.zeros(3)
    gripper = wire.get(GRIPPER_KEY, state[6] if state is not None else 0.0)
    instruction = str(wire.get("prompt", ""))
    observation = Observation(
        instruction=instruction,
        step=int(wire.get(STEP_KEY, fallback_step)),
        ee_position=ee_position[:3],
        ee_rpy=ee_rpy[:3],
        gripper_opening=float(gripper),
        image=_image(wire, "observation/image"),
        wrist_image=_image(wire, "observation/wrist_image"),
    )
    privileged = None
    left, right = _vector(wire, LEFT_TILE_KEY, 2), _vector(wire, RIGHT_TILE_KEY, 2)
    if left is not None and right is not None:
        answer = wire.get(ANSWER_KEY)
        privileged = PrivilegedInfo(
            left_tile_xy=(float(left[0]), float(left[1])),
            right_tile_xy=(float(right[0]), float(right[1])),
            answer=Side(answer) if answer is not None else None,
        )
    start = EpisodeStart(instruction, int(wire.get(SEED_KEY, 0)), privileged)
    return ServedRequest(connection, int(wire.get(EPISODE_KEY, 0)), start, observation)


class PolicyServer:
    """An openpi-protocol websocket server in front of one policy.

    Args:
        backend: What answers requests (see :func:`backend_for_spec`).
        host: Interface to bind (``127.0.0.1`` by default; ``0.0.0.0`` for all).
        port: Port; 0 picks a free one (see :attr:`port` after :meth:`start`);
            None serves no websocket (only ``unix_path``).
        api_key: When set, clients must send ``Authorization: Api-Key <key>``.
        max_batch: Largest batch per model call.
        window_s: Longest wait for a batch to fill.
        unix_path: Also serve the local front end (:mod:`act2answer.serve._local`,
            for :class:`~act2answer.client.local.LocalPolicy`) on this Unix socket;
            it feeds the same batches as the websocket.
    """

    def __init__(
        self,
        backend: PolicyBackend,
        *,
        host: str = "127.0.0.1",
        port: int | None = 8000,
        api_key: str | None = None,
        max_batch: int = 32,
        window_s: float = 0.05,
        unix_path: str | None = None,
    ) -> None:
        self.backend = backend
        self.host, self.port = host, port
        self.unix_path = unix_path
        self.api_key = api_key
        self.batching = BatchingHost(backend, max_batch=max_batch, window_s=window_s)
        self._ids = itertools.count(1)
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopped: asyncio.Event | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None

    @property
    def metadata(self) -> dict[str, Any]:
        """Sent to every client on connect (openpi-client keeps it as ``get_server_metadata``)."""
        return {
            SERVER_INFO_KEY: {
                "server": "act2answer",
                "version": __version__,
                "policy": self.backend.name,
                "needs": asdict(self.backend.needs),
                "replan_steps": self.backend.replan_steps,
                "max_batch": self.batching.max_batch,
            }
        }

    def _http(self, connection: ServerConnection, request: Request) -> Response | None:
        if request.path == "/healthz":
            return connection.respond(HTTPStatus.OK, "OK\n")
        if self.api_key and request.headers.get("Authorization") != f"Api-Key {self.api_key}":
            return connection.respond(HTTPStatus.UNAUTHORIZED, "missing or wrong API key\n")
        return None

    async def _handle(self, ws: ServerConnection) -> None:
        connection = next(self._ids)
        self.batching.open_connections += 1
        try:
            await ws.send(packb(self.metadata))
            for step in itertools.count():
                raw = await ws.recv()
                try:
                    if isinstance(raw, str):
                        raise PolicyError("expected a binary msgpack frame, got text")
                    request = decode_request(unpackb(raw), connection, step)
                    chunk = await self.batching.submit(request)
                except Exception:
                    await ws.send(traceback.format_exc())
                    await ws.close(code=1011, reason="Internal server error")
                    return
                await ws.send(packb({"actions": chunk, "server_timing": {}}))
        except ConnectionClosed:
            pass
        finally:
            self.batching.open_connections -= 1
            await self.batching.forget(connection)

    async def _main(self) -> None:
        self._stopped = asyncio.Event()
        self.batching.start()
        async with AsyncExitStack() as servers:
            if self.port is not None:
                server: Server = await servers.enter_async_context(
                    serve(
                        self._handle,
                        self.host,
                        self.port,
                        compression=None,
                        max_size=None,
                        process_request=self._http,
                    )
                )
                self.port = next(iter(server.sockets)).getsockname()[1]
            if self.unix_path is not None:
                metadata, connections = self.metadata, set[LocalConnection]()
                local = await asyncio.get_running_loop().create_unix_server(
                    lambda: LocalConnection(
                        self.batching, metadata, decode_request, self._ids, connections
                    ),
                    self.unix_path,
                )
                servers.callback(LocalConnection.close_all, connections)
                servers.callback(local.close)
            self._ready.set()
            await self._stopped.wait()
        await self.batching.stop()

    def _run(self) -> None:
        self._loop = asyncio.new_event_loop()
        try:
            self._loop.run_until_complete(self._main())
        except BaseException as exc:
            self._error = exc
            self._ready.set()
        finally:
            self._loop.close()

    def start(self) -> int | None:
        """Serve from a background thread; returns the bound port (None without a websocket).

        Raises:
            PolicyError: the server could not bind.
        """
        self._thread = threading.Thread(target=self._run, name="act2answer-serve", daemon=True)
        self._thread.start()
        self._ready.wait()
        if self._error is not None:
            raise PolicyError(f"cannot serve on {self.host}:{self.port}: {self._error}")
        return self.port

    def stop(self) -> None:
        """Stop a server started with :meth:`start`."""
        if self._loop is not None and self._stopped is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._stopped.set)
            self._thread.join(timeout=10)

    def serve_forever(self) -> None:
        """Serve in this thread until interrupted."""
        asyncio.run(self._main())

    def __enter__(self) -> PolicyServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def backend_for_spec(spec: PolicySpec | str) -> PolicyBackend:
    """Create the policy named by ``spec`` and wrap it for serving.

    A :class:`~act2answer.interfaces.BatchPolicy` is served batched; a
    single-episode policy gets one instance per client connection.
    """
    spec = PolicySpec(name=spec) if isinstance(spec, str) else spec
    return make_backend(make_policy(spec), lambda: make_policy(spec))  # type: ignore[arg-type,return-value]
