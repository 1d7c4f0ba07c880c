"""The command line shared by the model-side server scripts (InternVLA-M1, Xiaomi-Robotics-0).

``python -m act2answer.adapters.internvla_m1 --ckpt PATH --port 8000`` runs
inside the model's own environment (its torch, transformers, upstream
package) and serves the adapter over openpi's websocket protocol with
act2answer's batching server; the simulator side connects with
``--policy openpi://HOST:PORT`` (the served adapter applies its model preset
and replies in act2answer's convention).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence


def serve_adapter(adapter: str, argv: Sequence[str] | None, description: str) -> None:
    """Parse ``--ckpt/--host/--port/--max-batch/--args`` and serve ``adapter`` until Ctrl-C."""
    from act2answer.policies import PolicySpec
    from act2answer.serve import PolicyServer, backend_for_spec

    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--ckpt", required=True, help="checkpoint folder or hub id")
    parser.add_argument("--host", default="127.0.0.1", help="interface (0.0.0.0: all)")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--max-batch", type=int, default=32)
    parser.add_argument("--api-key", default=None)
    parser.add_argument("--args", default="{}", help="JSON object of extra adapter arguments")
    options = parser.parse_args(argv)
    kwargs = {"model_path": options.ckpt, **json.loads(options.args)}
    backend = backend_for_spec(PolicySpec(name=adapter, kwargs=kwargs))
    server = PolicyServer(
        backend,
        host=options.host,
        port=options.port,
        api_key=options.api_key,
        max_batch=options.max_batch,
    )
    print(f"serving {adapter} ({options.ckpt}) on ws://{options.host}:{options.port}", flush=True)
    server.serve_forever()
