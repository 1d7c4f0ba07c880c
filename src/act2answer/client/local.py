"""Client of the batching host's local front end (a Unix socket on the same machine).

The runner gives its simulator worker processes this client for a hosted
``BatchPolicy``: the same observation and action dicts as ``openpi://`` (see
:class:`~act2answer.client.openpi.OpenpiPolicy`, whose encoding it reuses), in
length-prefixed msgpack frames on a blocking socket (no websocket framing, no
background reader thread). Remote servers keep the openpi websocket.
"""

from __future__ import annotations

import contextlib
import itertools
import socket
import struct
import time
from typing import Any

from act2answer.client.msgpack_numpy import packb, unpackb
from act2answer.client.openpi import OpenpiPolicy, reconnect, sleep_before_retry
from act2answer.errors import PolicyError, PolicyUnavailableError

_HEADER = struct.Struct("<I")  # the server's act2answer.serve._local.HEADER (no import: light)


class LocalConnection:
    """One connection to a local front end, with the interface of ``OpenpiConnection``.

    Args:
        path: The server's Unix socket.
        connect_timeout: Total seconds to keep retrying the connection.
        call_timeout: Seconds to wait for one reply.
    """

    def __init__(self, path: str, *, connect_timeout: float = 30.0, call_timeout: float = 60.0):
        self.path = path
        self.connect_timeout = connect_timeout
        self.call_timeout = call_timeout
        self.metadata: dict[str, Any] = {}
        self._socket: socket.socket | None = None

    @property
    def uri(self) -> str:
        return f"unix://{self.path}"

    def connect(self) -> dict[str, Any]:
        """Connect (retrying with backoff) and return the server's metadata.

        Raises:
            PolicyUnavailableError: no connection within ``connect_timeout``.
        """
        if self._socket is not None:
            return self.metadata
        deadline = time.monotonic() + self.connect_timeout
        for attempt in itertools.count():
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                sock.settimeout(max(1.0, min(self.call_timeout, 30.0)))
                sock.connect(self.path)
                self._socket = sock
                self.metadata = dict(self._read() or {})
                return self.metadata
            except (OSError, PolicyError) as exc:
                sock.close()
                self._socket = None
                if time.monotonic() >= deadline:
                    raise PolicyUnavailableError(
                        f"cannot reach the local policy host {self.uri}: {exc}"
                    ) from None
            sleep_before_retry(attempt, deadline, 0.05, 1.0)
        raise AssertionError("unreachable")

    def infer(self, observation: dict[str, Any]) -> dict[str, Any]:
        """Send one observation dict and return the reply dict.

        Raises:
            PolicyError: the server reported an error, did not answer in time,
                or the connection is gone.
        """
        if self._socket is None:
            reconnect(self)
        sock = self._socket
        assert sock is not None
        body = packb(observation)
        try:
            sock.settimeout(self.call_timeout)
            sock.sendall(_HEADER.pack(len(body)) + body)
            reply = self._read()
        except TimeoutError:
            self.close()  # a late reply would be read as the next call's answer
            raise PolicyError(
                f"local policy host {self.uri} did not answer within {self.call_timeout:g} s"
            ) from None
        except OSError as exc:
            self.close()
            raise PolicyError(f"local policy host {self.uri} connection lost: {exc}") from None
        if not isinstance(reply, dict):
            self.close()
            raise PolicyError(f"local policy host {self.uri}: reply is not a map")
        if "error" in reply:
            self.close()
            raise PolicyError(f"local policy host {self.uri} error: {reply['error'][-2000:]}")
        return reply

    def _read(self) -> Any:
        header = self._receive(_HEADER.size)
        (size,) = _HEADER.unpack(header)
        return unpackb(self._receive(size))

    def _receive(self, size: int) -> bytearray:
        assert self._socket is not None
        buffer = bytearray(size)
        view, got = memoryview(buffer), 0
        while got < size:
            count = self._socket.recv_into(view[got:])
            if count == 0:
                raise PolicyError(f"local policy host {self.uri} closed the connection")
            got += count
        return buffer

    def close(self) -> None:
        if self._socket is not None:
            with contextlib.suppress(OSError):
                self._socket.close()
            self._socket = None


class LocalPolicy(OpenpiPolicy):
    """A policy hosted on this machine by the runner, reached over its Unix socket.

    Sends and reads exactly what :class:`OpenpiPolicy` sends to an act2answer
    server, so an episode's actions do not depend on the transport (tested).

    Args:
        path: The host's Unix socket.
        connect_timeout: Seconds to keep retrying the connection.
        call_timeout: Seconds to wait for one reply.
    """

    def __init__(self, path: str, connect_timeout: float = 30.0, call_timeout: float = 60.0):
        connection = LocalConnection(
            path, connect_timeout=connect_timeout, call_timeout=call_timeout
        )
        self._use(connection, f"local://{path}", "act2answer", None)


__all__ = ["LocalConnection", "LocalPolicy"]
