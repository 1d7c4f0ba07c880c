"""CLI commands ``act2answer env list|create|check``: one pinned environment per model.

``create`` builds a venv with the study's versions (see :mod:`act2answer.model_envs`);
``check`` serves a tiny stand-in of the model from that venv and runs a two-episode
dry run against it from the current environment through ``--policy openpi://``.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Annotated

import typer

from act2answer.cli._common import console as _console
from act2answer.cli._common import friendly_errors

env_app = typer.Typer(help="Per-model Python environments with the study's pinned versions.")


def list_models() -> None:
    """List the models with a pinned environment and the study's versions."""
    from act2answer.model_envs import MODEL_ENVS

    for env in MODEL_ENVS.values():
        _console.print(
            f"[bold]{env.model}[/bold] (adapter {env.adapter}): python {env.python}, "
            f"{' '.join(env.torch)}, transformers=={env.transformers}",
            highlight=False,
        )


def create(
    model: Annotated[str, typer.Argument(help="Model (see `act2answer env list`).")],
    prefix: Annotated[
        Path | None, typer.Option(help="venv folder (default: ./envs/MODEL).")
    ] = None,
    python: Annotated[
        str,
        typer.Option(
            help="Interpreter that creates the venv.",
            show_default="the Python running act2answer",
        ),
    ] = sys.executable,
    torch: Annotated[
        str | None,
        typer.Option(
            help="torch requirement(s) instead of the study's CUDA pins, e.g. torch==2.13.0."
        ),
    ] = None,
    transformers: Annotated[
        str | None, typer.Option(help="Another transformers version (known-bad pairs refused).")
    ] = None,
    source: Annotated[
        Path | None, typer.Option(help="Install act2answer from this checkout.")
    ] = None,
    gpu: Annotated[bool, typer.Option(help="Also install GPU-only packages (flash-attn).")] = False,
    model_packages: Annotated[
        bool, typer.Option(help="Install the model's packages (off: stand-in checks only).")
    ] = True,
    print_only: Annotated[
        bool, typer.Option("--print", help="Print the commands; build nothing.")
    ] = False,
) -> None:
    """Build MODEL's environment with the study's versions (or print the plan)."""
    from act2answer.model_envs import create_env, plan_env

    plan = plan_env(
        model,
        prefix or Path("envs") / model,
        python=python,
        torch=torch,
        transformers=transformers,
        source=source,
        gpu=gpu,
        model_packages=model_packages,
    )
    if print_only:
        print(plan.describe())
        return
    create_env(plan, transformers)
    _console.print(f"built {plan.prefix}; serve with:\n{' '.join(plan.serve_command())}")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_healthy(port: int, server: subprocess.Popen, timeout_s: float) -> None:
    from act2answer.errors import Act2AnswerError

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise Act2AnswerError(f"the server exited with code {server.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise Act2AnswerError(f"the server did not answer on port {port} within {timeout_s:.0f} s")


def check(
    model: Annotated[str, typer.Argument(help="Model (see `act2answer env list`).")],
    prefix: Annotated[Path, typer.Option(help="The model's venv (from `env create`).")],
    out: Annotated[Path | None, typer.Option(help="Folder for the tiny model and run.")] = None,
    timeout_s: Annotated[float, typer.Option(help="Server start limit, s.")] = 300.0,
) -> None:
    """Dry run through the served path: a tiny MODEL served from PREFIX, evaluated from here."""
    from act2answer.errors import Act2AnswerError
    from act2answer.model_envs import model_env

    env = model_env(model)
    root = out or Path(tempfile.mkdtemp(prefix=f"act2answer-env-check-{model}-"))
    root.mkdir(parents=True, exist_ok=True)
    python = str(Path(prefix) / "bin" / "python")
    build = (
        "import json, sys; from act2answer.testing.tiny import build_tiny; "
        f"print(json.dumps(build_tiny({env.adapter!r}, sys.argv[1])))"
    )
    built = subprocess.run(
        [python, "-c", build, str(root / "tiny-model")], capture_output=True, text=True, check=False
    )
    if built.returncode != 0:
        raise Act2AnswerError(f"building the tiny model in {prefix} failed:\n{built.stderr}")
    kwargs = json.loads(built.stdout.strip().splitlines()[-1])
    if "preset" in env.serve_args:
        kwargs["preset"] = env.serve_args["preset"]
    port = _free_port()
    serve = [
        str(Path(prefix) / "bin" / "act2answer"),
        "serve",
        "--policy",
        env.adapter,
        "--policy-args",
        json.dumps(kwargs),
        "--port",
        str(port),
    ]
    _console.print(f"serving a tiny {env.adapter} from {prefix}: port {port}", highlight=False)
    server = subprocess.Popen(serve)
    try:
        _wait_healthy(port, server, timeout_s)
        from act2answer.synth import generate_suite

        suite = root / "suite"
        if not (suite / "suite.jsonl").exists():
            generate_suite(suite, per_category=1, seed=0, categories=["Color"], workers=1)
        run = [
            sys.executable,
            "-m",
            "act2answer.cli.main",
            "run",
            "--policy",
            f"openpi://127.0.0.1:{port}",
            "--suite",
            str(suite),
            "--out",
            str(root / "run"),
            "--workers",
            "1",
        ]
        if subprocess.run(run, check=False).returncode != 0:
            raise Act2AnswerError("the served dry run failed")
    finally:
        server.terminate()
        server.wait(timeout=30)
    _console.print(f"served dry run of {model} from {prefix}: ok ({root / 'run'})")


def register(app: typer.Typer) -> None:
    """Add ``env list|create|check`` to the CLI."""
    env_app.command("list")(friendly_errors(list_models))
    env_app.command()(friendly_errors(create))
    env_app.command()(friendly_errors(check))
    app.add_typer(env_app, name="env")
