"""CLI commands of the lab: ``demos`` (a LeRobot dataset of scripted demonstrations),
``lab train`` (one recipe) and ``lab sweep`` (the co-training ratio sweep)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from act2answer.cli._common import console as _console
from act2answer.cli._common import friendly_errors

lab_app = typer.Typer(
    no_args_is_help=True, help="Train small VLMs and VLAs on a CPU and evaluate them."
)


def _split(values: list[str] | None) -> list[str] | None:
    names = [name.strip() for value in values or [] for name in value.split(",") if name.strip()]
    return names or None


def demos(
    out: Annotated[Path, typer.Option("--out", "-o", help="Dataset folder to create.")],
    suite: Annotated[
        Path | None, typer.Option(help="Demonstrate this suite (default: generate one).")
    ] = None,
    category: Annotated[
        list[str] | None,
        typer.Option(
            "--categories",
            "--category",
            "-c",
            help="Categories of the generated suite (repeat or comma-separate).",
        ),
    ] = None,
    per_category: Annotated[
        int, typer.Option("--per-category", "-n", help="Items per category (generated suite).")
    ] = 20,
    seed: Annotated[
        int, typer.Option(help="Seed of the generated suite; keep it apart from the eval suite's.")
    ] = 1001,
    image_size: Annotated[str, typer.Option(help="Frame size WIDTHxHEIGHT.")] = "128x96",
    action_noise: Annotated[float, typer.Option(help="Executed-action noise std, m.")] = 0.002,
    push_probability: Annotated[float, typer.Option(help="Chance of a push per step.")] = 0.05,
    keep_failures: Annotated[
        bool, typer.Option(help="Keep demonstrations that missed the tile.")
    ] = False,
) -> None:
    """Record scripted demonstrations (both layouts) as a LeRobot v3.0 dataset."""
    from act2answer.cli.main import _image_size
    from act2answer.lab.demos import DemoConfig, build_demo_dataset
    from act2answer.sim import SimConfig

    width, height = _image_size(image_size)
    counts = {"kept": 0, "failed": 0}

    def progress(episode) -> None:  # type: ignore[no-untyped-def]
        counts["kept" if episode.success else "failed"] += 1

    info = build_demo_dataset(
        out,
        suite=suite,
        categories=_split(category) or ["Color", "Shape"],
        per_category=per_category,
        seed=seed,
        sim_config=SimConfig(camera_width=width, camera_height=height),
        config=DemoConfig(
            action_noise=action_noise,
            push_probability=push_probability,
            keep_failures=keep_failures,
        ),
        on_episode=progress,
    )
    _console.print(
        f"wrote {info['total_episodes']} episodes, {info['total_frames']} frames to {out} "
        f"({counts['failed']} demonstrations missed the tile"
        f"{'' if keep_failures else ' and were dropped'})"
    )


def register(app: typer.Typer) -> None:
    """Add ``demos`` and the ``lab`` group to ``app``."""
    app.command("demos")(friendly_errors(demos))
    app.add_typer(lab_app, name="lab")
