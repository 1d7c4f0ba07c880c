"""CLI commands: ``synth`` (procedural suite), ``suite check`` / ``audit`` / ``preview``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from act2answer.cli._common import (
    CategoriesOption,
    PerCategoryOption,
    SuiteArgument,
    SuiteOutOption,
    add_commands,
)
from act2answer.cli._common import console as _console


def synth(
    out: SuiteOutOption,
    per_category: Annotated[
        int, typer.Option("--per-category", "-n", help="Items per category.")
    ] = 150,
    seed: Annotated[int, typer.Option(help="Suite seed.")] = 0,
    category: CategoriesOption = None,
    workers: Annotated[int | None, typer.Option(help="Worker processes (default: CPUs).")] = None,
    check: Annotated[bool, typer.Option(help="Pixel-check a sample afterwards.")] = True,
) -> None:
    """Generate the offline procedural knowledge suite."""
    from act2answer.quality.pixel_checks import agreement, check_sample
    from act2answer.synth import generate_suite

    suite = generate_suite(
        out,
        per_category=per_category,
        seed=seed,
        categories=[name.strip() for value in category or [] for name in value.split(",")] or None,
        workers=workers,
    )
    _console.print(f"wrote {len(suite.items)} items to {out} ({suite.name})")
    if check:
        results = check_sample(suite, n_per_category=min(per_category, 10), seed=seed)
        for name, (passed, total) in agreement(results).items():
            style = "green" if passed == total else "red"
            _console.print(f"  pixel check {name}: [{style}]{passed}/{total}[/{style}]")
        for result in results:
            if not result.passed:
                _console.print(f"  [red]{result.item_id}[/red]: {result.detail}")


def check(
    root: SuiteArgument,
    no_hash: Annotated[bool, typer.Option("--no-hash", help="Skip near-duplicate search.")] = False,
    shortcut_audit: Annotated[
        bool, typer.Option("--audit/--no-audit", help="Add the shortcut-audit summary line.")
    ] = True,
) -> None:
    """Validate a suite folder: counts, balance, duplicates, wording, broken images."""
    from act2answer.quality.check import check_suite

    report = check_suite(root, hash_duplicates=not no_hash, audit=shortcut_audit)
    _console.print(report.to_rich())
    if not report.ok:
        raise typer.Exit(1)


def audit(
    root: SuiteArgument,
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Also write the full audit as JSON.")
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed of the cross-validation split.")] = 0,
    by_meta: Annotated[
        str | None,
        typer.Option(help="Also audit each value of this meta key, e.g. distractor_mode."),
    ] = None,
) -> None:
    """Shortcut audit: can pixel statistics alone find the answers? Exit 1 when flagged."""
    from act2answer.quality.audit import audit_suite, write_audit_json

    report = audit_suite(root, seed=seed, group_by=by_meta)
    _console.print(report.to_rich())
    if json_out is not None:
        _console.print(f"wrote {write_audit_json(report, json_out)}")
    if report.flagged:
        raise typer.Exit(1)


def preview(
    root: SuiteArgument,
    out: Annotated[Path, typer.Option("--out", "-o", help="Contact sheet PNG.")] = Path(
        "sheet.png"
    ),
    per_category: PerCategoryOption = 6,
    tile_px: Annotated[int, typer.Option(help="Tile size in pixels (policy scale).")] = 96,
    frames: Annotated[
        Path | None, typer.Option(help="Also render first simulator frames to this PNG.")
    ] = None,
    n_frames: Annotated[int, typer.Option(help="Episodes for --frames.")] = 4,
    policy_px: Annotated[
        int, typer.Option(help="--frames also shows each frame at this policy resolution.")
    ] = 224,
) -> None:
    """Draw a contact sheet of a suite (and optionally first simulator frames)."""
    from act2answer.quality.preview import make_contact_sheet, render_first_frames

    _console.print(f"wrote {make_contact_sheet(root, out, per_category, tile_px)}")
    if frames is not None:
        _console.print(f"wrote {render_first_frames(root, frames, n_frames, policy_px)}")


def register(app: typer.Typer, suite_app: typer.Typer) -> None:
    """Add ``synth`` to ``app`` and ``check`` / ``audit`` / ``preview`` to ``suite_app``."""
    add_commands(app, {"synth": synth})
    add_commands(suite_app, {"check": check, "audit": audit, "preview": preview})
