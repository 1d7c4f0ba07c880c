"""``act2answer serve``: any policy behind openpi's websocket protocol, with batching.

Imports only numpy, msgpack and websockets (never MuJoCo), so it runs inside
a model's own Python environment.
"""

from act2answer.serve._host import BatchingHost, HostStats, PolicyBackend, make_backend
from act2answer.serve._server import PolicyServer, backend_for_spec, decode_request

__all__ = [
    "BatchingHost",
    "HostStats",
    "PolicyBackend",
    "PolicyServer",
    "backend_for_spec",
    "decode_request",
    "make_backend",
]
