"""Light clients for remote policies (numpy, msgpack, websockets; never MuJoCo or torch).

- :class:`OpenpiPolicy`: openpi's websocket protocol (``--policy openpi://HOST:PORT``).
- :class:`OpenVLARestPolicy`: OpenVLA's ``deploy.py`` REST API (``--policy openvla-rest://HOST:PORT``).
"""

from act2answer.client.openpi import OpenpiConnection, OpenpiPolicy, split_address, wait_healthy
from act2answer.client.openvla_rest import OpenVLARestPolicy

__all__ = ["OpenVLARestPolicy", "OpenpiConnection", "OpenpiPolicy", "split_address", "wait_healthy"]
