"""CLI commands: ``serve`` (any policy over the openpi protocol) and ``presets``.

Nothing here imports MuJoCo: ``act2answer serve`` runs inside a model's own
Python environment.
"""

from __future__ import annotations

import os
from typing import Annotated

import typer

from act2answer.cli._common import (
    BatchWindowOption,
    HostOption,
    PolicyArgsOption,
    add_commands,
    json_object,
)
from act2answer.cli._common import console as _console


def serve(
    policy: Annotated[
        str, typer.Option(help="Registered name or package.module:Class (Policy or BatchPolicy).")
    ],
    policy_args: PolicyArgsOption = "{}",
    host: HostOption = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port (openpi's default is 8000).")] = 8000,
    api_key: Annotated[
        str | None,
        typer.Option(help="Require 'Authorization: Api-Key KEY' (default: $OPENPI_API_KEY)."),
    ] = None,
    max_batch: Annotated[int, typer.Option(help="Largest batch per model call.")] = 32,
    batch_window_ms: BatchWindowOption = 50.0,
) -> None:
    """Serve a policy over openpi's websocket protocol, batching concurrent connections."""
    from act2answer.client.openpi import API_KEY_ENV
    from act2answer.policies import PolicySpec
    from act2answer.serve import PolicyServer, backend_for_spec

    spec = PolicySpec(name=policy, kwargs=json_object(policy_args, "--policy-args"))
    backend = backend_for_spec(spec)
    server = PolicyServer(
        backend,
        host=host,
        port=port,
        api_key=api_key or os.environ.get(API_KEY_ENV),
        max_batch=max_batch,
        window_s=batch_window_ms / 1000.0,
    )
    kind = "batched" if type(backend).__name__ == "BatchBackend" else "one instance per connection"
    _console.print(
        f"serving {backend.name!r} ({kind}, replan_steps={backend.replan_steps}) on "
        f"ws://{host}:{port}; health check http://{host}:{port}/healthz; Ctrl-C stops"
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        _console.print("stopped")


def presets() -> None:
    """List the conventions presets (image size, state, action and gripper conventions)."""
    from act2answer.policies.presets import get_preset, preset_names

    for name in preset_names():
        preset = get_preset(name)
        _console.print(f"[bold]{name}[/bold]: {preset.description}", highlight=False)


def register(app: typer.Typer) -> None:
    """Add ``serve`` and ``presets`` to the CLI."""
    add_commands(app, {"serve": serve, "presets": presets})
