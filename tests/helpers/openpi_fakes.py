"""A policy server written like openpi's WebsocketPolicyServer, on openpi-client's msgpack code."""

from __future__ import annotations

import asyncio
import threading
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from openpi_client import msgpack_numpy as openpi_msgpack
from websockets.asyncio.server import serve as ws_serve
from websockets.exceptions import ConnectionClosed


@contextmanager
def openpi_style_server(
    infer: Callable[[dict[str, Any]], dict[str, Any]], metadata: dict[str, Any] | None = None
) -> Iterator[int]:
    """A server written like openpi's WebsocketPolicyServer, on openpi-client's msgpack code."""
    packer = openpi_msgpack.Packer()
    ready, stop, port = threading.Event(), threading.Event(), [0]

    async def handler(ws) -> None:
        await ws.send(packer.pack(metadata or {}))
        while True:
            try:
                obs = openpi_msgpack.unpackb(await ws.recv())
                await ws.send(packer.pack(infer(obs)))
            except ConnectionClosed:
                break
            except Exception:
                await ws.send(traceback.format_exc())
                await ws.close(code=1011, reason="Internal server error")
                raise

    async def main() -> None:
        async with ws_serve(handler, "127.0.0.1", 0, compression=None, max_size=None) as server:
            port[0] = next(iter(server.sockets)).getsockname()[1]
            ready.set()
            while not stop.is_set():
                await asyncio.sleep(0.02)

    thread = threading.Thread(target=lambda: asyncio.run(main()), daemon=True)
    thread.start()
    ready.wait(10)
    try:
        yield port[0]
    finally:
        stop.set()
        thread.join(10)
