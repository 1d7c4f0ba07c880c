"""The batching host's local front end: length-prefixed msgpack frames on a Unix socket.

For simulator workers on the host's own machine (the runner's hosted
``BatchPolicy``). The messages are the openpi ones (the same observation and
action dicts, see :mod:`act2answer.client.openpi`); only the transport is
lighter: no websocket framing and no per-connection task or thread. Each
frame is a 4-byte little-endian length and a msgpack body. On connect the
server sends its metadata; each request frame is answered by
``{"actions": chunk}``, or ``{"error": text}`` before the server closes the
connection.

Why (``benchmarks/bench_batching.py``, ``notes/2026-12-05-issue-22-gpu-throughput.md``):
a reply here is written from the future's callback, in the event loop's pass
that finishes the batch, instead of waking one websocket handler per connection.
"""

from __future__ import annotations

import asyncio
import itertools
import struct
import traceback
from collections.abc import Callable
from typing import Any

import numpy as np

from act2answer.client.msgpack_numpy import packb, unpackb
from act2answer.serve._host import BatchingHost, ServedRequest

#: Frame header: body length, 4 bytes little-endian.
HEADER = struct.Struct("<I")
#: Largest frame accepted (a 4-byte length allows 4 GiB; an observation is well below this).
MAX_FRAME = 256 * 1024 * 1024

Decoder = Callable[[object, int, int], ServedRequest]


def frame(body: bytes) -> bytes:
    """``body`` with its length header."""
    return HEADER.pack(len(body)) + body


class LocalConnection(asyncio.Protocol):
    """One client connection of the local front end (all its work runs in the event loop).

    Args:
        host: The batching host the requests go to.
        metadata: Sent to the client on connect.
        decode: Builds the host's request from a decoded observation dict.
        ids: Connection ids shared with the host's other front ends.
        registry: Open connections (each adds itself on connect and leaves on close).
    """

    def __init__(
        self,
        host: BatchingHost,
        metadata: dict[str, Any],
        decode: Decoder,
        ids: itertools.count[int],
        registry: set[LocalConnection],
    ) -> None:
        self.registry = registry
        self.host = host
        self.metadata = metadata
        self.decode = decode
        self.connection = next(ids)
        self.steps = itertools.count()
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.closed = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.registry.add(self)
        self.host.open_connections += 1
        transport.write(frame(packb(self.metadata)))

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while len(self.buffer) >= HEADER.size and not self.closed:
            (size,) = HEADER.unpack_from(self.buffer)
            if size > MAX_FRAME:
                self._fail(f"frame of {size} bytes is larger than {MAX_FRAME}")
                return
            end = HEADER.size + size
            if len(self.buffer) < end:
                return
            body = bytes(memoryview(self.buffer)[HEADER.size : end])
            del self.buffer[:end]
            self._request(body)

    def _request(self, body: bytes) -> None:
        try:
            request = self.decode(unpackb(body), self.connection, next(self.steps))
        except Exception:
            self._fail(traceback.format_exc())
            return
        self.host.submit_nowait(request).add_done_callback(self._reply)

    def _reply(self, future: asyncio.Future[np.ndarray]) -> None:
        if self.closed or self.transport is None:
            return
        if future.cancelled():
            self._fail("the request was cancelled (the server is stopping)")
            return
        error = future.exception()
        if error is not None:
            text = "".join(traceback.format_exception(error))
            self._fail(text)
            return
        self.transport.write(frame(packb({"actions": future.result()})))

    def _fail(self, text: str) -> None:
        if self.transport is not None and not self.closed:
            self.transport.write(frame(packb({"error": text})))
            self.transport.close()
        self.closed = True

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self.registry.discard(self)
        self.host.open_connections -= 1
        asyncio.get_running_loop().create_task(self.host.forget(self.connection))

    @staticmethod
    def close_all(registry: set[LocalConnection]) -> None:
        """Close every open connection (the server is stopping)."""
        for connection in list(registry):
            if connection.transport is not None:
                connection.transport.close()


__all__ = ["HEADER", "MAX_FRAME", "LocalConnection", "frame"]
