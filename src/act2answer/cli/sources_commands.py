"""CLI commands: ``sources``, ``convert``, ``import``, ``export``, ``review``."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer

from act2answer.cli._common import HostOption, SuiteArgument, SuiteOutOption, add_commands
from act2answer.cli._common import console as _console


class ImportFormat(str, Enum):
    maniskill_assets = "maniskill-assets"


class ExportFormat(str, Enum):
    maniskill_assets = "maniskill-assets"
    vlmevalkit = "vlmevalkit"


class ExportImages(str, Enum):
    """``act2answer.interop.ImageLayout``'s values (kept here so the CLI loads light)."""

    two_images = "two-images"
    side_by_side = "side-by-side"
    frame = "frame"


def sources() -> None:
    """List the source converters, the study categories each builds and the files it expects."""
    from rich.table import Table

    from act2answer.sources import SOURCES

    table = Table(title="act2answer convert SOURCE DATA --out SUITE")
    for column in ("source", "categories", "expects (in DATA)"):
        table.add_column(column)
    for spec in SOURCES.values():
        table.add_row(spec.name, ", ".join(spec.categories), spec.expected)
    _console.print(table)


def convert(
    source: Annotated[str, typer.Argument(help="Converter name (see `act2answer sources`).")],
    data: Annotated[Path, typer.Argument(help="Local copy of the source dataset.")],
    out: SuiteOutOption,
    per_category: Annotated[
        int | None, typer.Option(help="Items per category (default: all usable).")
    ] = None,
    seed: Annotated[int, typer.Option(help="Sampling, distractor and answer-slot seed.")] = 0,
    categories: Annotated[
        str | None, typer.Option(help="Only these categories, comma-separated.")
    ] = None,
    max_question_words: Annotated[int, typer.Option(help="Drop longer questions.")] = 30,
    min_image_side: Annotated[int, typer.Option(help="Drop smaller images (px).")] = 48,
    llm_base_url: Annotated[
        str | None, typer.Option(help="OpenAI-compatible endpoint for rewriting, e.g. .../v1.")
    ] = None,
    llm_model: Annotated[str, typer.Option(help="Model name for --llm-base-url.")] = "",
    llm_cache: Annotated[Path, typer.Option(help="Rewrite cache (JSON lines).")] = Path(
        ".act2answer-llm-cache.jsonl"
    ),
    name: Annotated[str | None, typer.Option(help="Versioned suite name.")] = None,
) -> None:
    """Build a suite from a source benchmark on disk and write its curation report."""
    from act2answer.errors import Act2AnswerError
    from act2answer.sources import CurationConfig, LLMRewriter, TemplateRewriter
    from act2answer.sources import convert as run_convert

    config = CurationConfig(
        per_category=per_category,
        seed=seed,
        max_question_words=max_question_words,
        min_image_side=min_image_side,
        categories=tuple(c.strip() for c in categories.split(",")) if categories else None,
    )
    rewriters: list = [TemplateRewriter()]
    if llm_base_url:
        if not llm_model:
            raise Act2AnswerError("--llm-base-url needs --llm-model")
        rewriters.insert(0, LLMRewriter(llm_base_url, llm_model, llm_cache))
    suite, report = run_convert(source, data, out, config=config, rewriters=rewriters, name=name)
    _console.print(report.to_markdown(), markup=False, highlight=False)
    _console.print(f"wrote {len(suite.items)} items to {out} ({suite.name})")


def import_(
    path: Annotated[Path, typer.Argument(help="An asset set folder (pairs.json, model_db.json).")],
    out: SuiteOutOption,
    format: Annotated[ImportFormat, typer.Option(help="Input format.")] = (
        ImportFormat.maniskill_assets
    ),
    category: Annotated[
        str | None, typer.Option(help="Category when pairs carry none (default: set name).")
    ] = None,
    flip_texture: Annotated[bool, typer.Option(help="Textures are stored upside down.")] = False,
    quarter_turns: Annotated[
        int, typer.Option(help="Textures are stored turned N quarter turns clockwise.")
    ] = 0,
) -> None:
    """Turn an asset set of the study's release into a suite."""
    from act2answer.interop import import_asset_set

    suite = import_asset_set(
        path, out, category=category, flip_vertical=flip_texture, quarter_turns=quarter_turns
    )
    _console.print(f"imported {len(suite.items)} items into {out} ({suite.name})")


def export(
    suite_dir: SuiteArgument,
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            "-o",
            help="maniskill-assets: asset set folder. vlmevalkit: a folder ($LMUData; the "
            "file is named after the dataset) or NAME.tsv (NAME becomes the dataset name).",
        ),
    ],
    format: Annotated[ExportFormat, typer.Option(help="Output format.")] = (
        ExportFormat.maniskill_assets
    ),
    template_glb: Annotated[
        Path | None,
        typer.Option(help="Base tile .glb (the study's tile.glb; default: a tile built in code)."),
    ] = None,
    collision_obj: Annotated[
        Path | None, typer.Option(help="Collision mesh (default: collision.obj next to the glb).")
    ] = None,
    flip_texture: Annotated[bool, typer.Option(help="Store textures upside down.")] = False,
    quarter_turns: Annotated[
        int, typer.Option(help="Store textures turned N quarter turns clockwise.")
    ] = 0,
    seed: Annotated[
        int, typer.Option(help="vlmevalkit: letter-order seed (as `act2answer vlm --seed`).")
    ] = 0,
    images: Annotated[
        ExportImages,
        typer.Option(
            help="vlmevalkit: two-images (left, right); for models that take one image, "
            "side-by-side (one canvas with a gap, options left/right; adds 'sidebyside' "
            "to the dataset name) or frame (the VLA episode's first rendered frame; adds "
            "'frame')."
        ),
    ] = ExportImages.two_images,
    circular: Annotated[
        bool,
        typer.Option(
            help="vlmevalkit: every row twice with A and B swapped, scored as a pair "
            "(VLMEvalKit circular evaluation; adds 'circular' to the dataset name)."
        ),
    ] = False,
) -> None:
    """Write a suite as an asset set (maniskill-assets) or a VLMEvalKit dataset (vlmevalkit)."""
    from act2answer.interop import ImageLayout, export_asset_set, export_vlmevalkit

    if format is ExportFormat.vlmevalkit:
        from act2answer.interop.vlmevalkit import run_command

        layout = ImageLayout(images.value)
        frames = _frame_source() if layout is ImageLayout.FRAME else None
        try:
            path = export_vlmevalkit(
                suite_dir,
                out,
                seed=seed,
                images=layout,
                circular=circular,
                first_frame=frames.frame if frames is not None else None,
            )
        finally:
            if frames is not None:
                frames.close()
        _console.print(f"wrote {path} (VLMEvalKit dataset {path.stem})")
        _console.print(
            f"put it at $LMUData/{path.name}, then in VLMEvalKit: {run_command(path.stem)}"
        )
        return
    export_asset_set(
        suite_dir,
        out,
        template_glb=template_glb,
        collision_obj=collision_obj,
        flip_vertical=flip_texture,
        quarter_turns=quarter_turns,
    )
    _console.print(f"wrote asset set {out}")


def review(
    suite_dir: Annotated[Path, typer.Argument(help="Suite folder to review.")],
    host: HostOption = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port (0: any free port).")] = 8765,
) -> None:
    """Serve a keyboard-driven review page for a suite; decisions are saved as you go."""
    from act2answer.review import serve

    serve(
        suite_dir,
        host=host,
        port=port,
        announce=lambda url: _console.print(
            f"reviewing {suite_dir} at {url} (Ctrl-C to stop; every decision is already saved)"
        ),
    )


def merge(
    parts: Annotated[list[Path], typer.Argument(help="Suite folders to merge.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Merged suite folder.")],
    name: Annotated[str, typer.Option(help="Versioned name of the merged suite.")],
) -> None:
    """Merge suites (e.g. one per source) into one; images go under each part's folder name."""
    from act2answer.suite.merge import merge_suites

    suite = merge_suites(list(parts), out, name=name)
    _console.print(f"wrote {len(suite.items)} items in {len(suite.categories)} categories to {out}")


def register(app: typer.Typer, suite_app: typer.Typer) -> None:
    """Add the source, interop and review commands to ``app`` and ``merge`` to ``suite_app``."""
    add_commands(suite_app, {"merge": merge})
    add_commands(
        app,
        {
            "sources": sources,
            "convert": convert,
            "import": import_,
            "export": export,
            "review": review,
        },
    )


def _frame_source() -> Any:
    """The VLM runner's frame source with default simulator settings (as `act2answer vlm`)."""
    from act2answer.runner._vlm import FrameSource
    from act2answer.sim import SimConfig

    return FrameSource(SimConfig())
