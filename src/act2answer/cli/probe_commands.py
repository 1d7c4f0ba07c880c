"""CLI: ``probe`` (record + fit), ``probe fit``, ``probe retention``, ``probe models``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from act2answer.cli._common import (
    EpisodeSeedOption,
    OptionalSuiteOption,
    console,
    friendly_errors,
    json_object,
)
from act2answer.errors import Act2AnswerError

if TYPE_CHECKING:
    from act2answer.probing import ProbeConfig, ProbeResult, Retention

probe_app = typer.Typer(
    invoke_without_command=True,
    no_args_is_help=False,
    help="Layerwise intent probing: record hidden states, fit probes, compute retention.",
)


def _config(folds: int, c: float, pooling: str, seed: int, control: bool, jobs: int) -> ProbeConfig:
    from act2answer.probing import POOLINGS, ProbeConfig

    if pooling not in POOLINGS:
        raise Act2AnswerError(f"--pooling must be one of {', '.join(POOLINGS)}, not {pooling!r}")
    return ProbeConfig(folds=folds, c=c, pooling=pooling, seed=seed, control=control, jobs=jobs)


FoldsOption = Annotated[int, typer.Option(help="Cross-validation folds (grouped by item).")]
COption = Annotated[float, typer.Option("--c", help="Inverse L2 strength (scikit-learn C).")]
PoolingOption = Annotated[str, typer.Option(help="Token pooling: last or mean.")]
SeedOption = Annotated[int, typer.Option(help="Seed of folds, control and bootstrap.")]
ControlOption = Annotated[bool, typer.Option(help="Fit the shuffled-label control.")]
JobsOption = Annotated[int, typer.Option(help="Processes fitting layers in parallel.")]


@probe_app.callback()
def probe(
    ctx: typer.Context,
    suite: OptionalSuiteOption = None,
    model: Annotated[
        str | None, typer.Option(help="Probe model: a name (`probe models`) or module:Factory.")
    ] = None,
    out: Annotated[Path | None, typer.Option(help="Run folder (resumable).")] = None,
    model_args: Annotated[str, typer.Option(help="JSON keyword arguments for the model.")] = "{}",
    seed: EpisodeSeedOption = 0,
    folds: FoldsOption = 5,
    c: COption = 1.0,
    pooling: PoolingOption = "last",
    control: ControlOption = True,
    jobs: JobsOption = 1,
    plot: Annotated[bool, typer.Option(help="Write probe.png.")] = True,
) -> None:
    """Record hidden states of SUITE's first frames with MODEL, fit probes, write OUT/probe.*."""
    if ctx.invoked_subcommand is not None:
        return
    config = (folds, c, pooling, seed, control, jobs)
    friendly_errors(_probe)(suite, model, out, model_args, config, plot)


def _probe(
    suite: Path | None,
    model: str | None,
    out: Path | None,
    model_args: str,
    config_args: tuple[int, float, str, int, bool, int],
    plot: bool,
) -> None:
    from act2answer.probing import record_suite
    from act2answer.probing._models import load_probe_model

    if suite is None or model is None or out is None:
        raise Act2AnswerError("probe needs --suite, --model and --out (or a subcommand)")
    config = _config(*config_args)
    seed = config.seed
    kwargs = json_object(model_args, "--model-args")
    probe_model = load_probe_model(model, kwargs)
    # Where the model runs is not part of what was recorded: a run may resume on another device.
    identity_args = {key: value for key, value in kwargs.items() if key != "device"}
    spec = model if not identity_args else f"{model} {json.dumps(identity_args, sort_keys=True)}"
    with console.status("recording hidden states") as status:

        def progress(done: int, total: int) -> None:
            status.update(f"recording hidden states: {done}/{total} episodes")

        store, summary = record_suite(
            suite, probe_model, out, spec, base_seed=seed, on_episode=progress
        )
    console.print(
        f"{summary.recorded} episodes recorded, {summary.skipped} already stored, "
        f"{summary.wall_time_s:.1f} s; {len(store.layers)} layers in {store.root}"
    )
    _fit_and_write(out, config, plot)


@probe_app.command("fit")
@friendly_errors
def fit(
    run_dir: Annotated[Path, typer.Argument(help="Run folder with features/.")],
    folds: FoldsOption = 5,
    c: COption = 1.0,
    pooling: PoolingOption = "last",
    seed: SeedOption = 0,
    control: ControlOption = True,
    jobs: JobsOption = 1,
    plot: Annotated[bool, typer.Option(help="Write probe.png.")] = True,
) -> None:
    """Refit probes from stored features (no model needed) and rewrite probe.* outputs."""
    _fit_and_write(run_dir, _config(folds, c, pooling, seed, control, jobs), plot)


def _fit_and_write(run_dir: Path, config: ProbeConfig, plot: bool) -> None:
    import time

    from act2answer.probing import (
        FeatureStore,
        fit_store,
        retention_from_probes,
        write_probe_outputs,
    )

    store = FeatureStore.open(run_dir / "features")
    started = time.perf_counter()
    result = fit_store(store, config)
    fitted = time.perf_counter() - started
    retention = (
        retention_from_probes(result, seed=config.seed) if "action" in result.parts else None
    )
    meta = {"model": store.identity.get("model"), "suite_name": store.identity.get("suite_name")}
    paths = write_probe_outputs(run_dir, result, retention, meta, plot=plot)
    console.print(probe_table(result, retention))
    console.print(f"probes fitted in {fitted:.1f} s")
    for path in paths:
        console.print(f"wrote {path}")


def probe_table(result: ProbeResult, retention: Retention | None) -> object:
    """Rich table: per category and part, peak accuracy (layer), last layer, control."""
    from rich.table import Table

    table = Table(title="probe accuracy (held-out, mean over folds)")
    for column in ("category", "part", "peak (layer)", "last layer", "control (mean)"):
        table.add_column(column)
    for category in result.categories:
        for part in result.parts:
            curve = result.curve(category, part)
            if not curve:
                continue
            peak = max(curve, key=lambda point: point.accuracy)
            control_values = [point.control_accuracy for point in curve]
            table.add_row(
                category,
                part,
                f"{peak.accuracy:.2f} ± {peak.std:.2f} ({peak.layer})",
                f"{curve[-1].accuracy:.2f}",
                f"{sum(control_values) / len(control_values):.2f}",
            )
    if retention is not None:
        interval = (
            f" [{retention.interval.low:.2f}, {retention.interval.high:.2f}]"
            if retention.interval
            else ""
        )
        table.caption = f"retention {retention.value:.2f}{interval} ({retention.method} bootstrap)"
    return table


@probe_app.command("retention")
@friendly_errors
def retention(
    curves: Annotated[Path, typer.Argument(help="Curves file (.csv or .json, e.g. probe.json).")],
    eps: Annotated[float, typer.Option(help="eps in the denominator.")] = 1e-6,
    episodes: Annotated[
        int | None,
        typer.Option(help="Episodes behind each accuracy when the file has no n column."),
    ] = None,
    seed: SeedOption = 0,
) -> None:
    """Retention from accuracy-by-layer curves: mean over categories of action/backbone peaks."""
    from dataclasses import replace

    from rich.table import Table

    from act2answer.probing import read_curves, retention_from_curves

    rows = read_curves(curves)
    if episodes is not None:
        rows = [row if row.n is not None else replace(row, n=episodes) for row in rows]
    result = retention_from_curves(rows, eps=eps, seed=seed)
    table = Table(title=f"retention from {curves}")
    for column in ("category", "backbone peak (layer)", "action peak (layer)", "R_c"):
        table.add_column(column)
    for term in result.categories:
        table.add_row(
            term.category,
            f"{term.prefix_peak:.3f} ({term.prefix_peak_layer})",
            f"{term.action_peak:.3f} ({term.action_peak_layer})",
            f"{term.retention:.3f}",
        )
    console.print(table)
    interval = (
        f"  95% interval [{result.interval.low:.2f}, {result.interval.high:.2f}] "
        f"({result.method} bootstrap)"
        if result.interval
        else "  (no interval: give n per row or --episodes)"
    )
    console.print(f"retention {result.value:.2f}{interval}")


@probe_app.command("models")
@friendly_errors
def models() -> None:
    """List the registered probe models."""
    from act2answer.probing._models import probe_model_names

    for name in probe_model_names():
        console.print(name)


def register(app: typer.Typer) -> None:
    """Add the ``probe`` command group to ``app``."""
    app.add_typer(probe_app, name="probe")


def report_probe(run_dir: Path) -> bool:
    """For ``act2answer report``: print a run folder's probe summary (curves, retention, plot).

    Returns False when the folder has no ``probe.json``.
    """
    from act2answer.probing import PROBE_JSON, PROBE_PNG, read_curves, retention_from_curves

    probe_json = run_dir / PROBE_JSON
    if not probe_json.exists():
        return False
    rows = read_curves(probe_json)
    stored = json.loads(probe_json.read_text(encoding="utf-8"))
    console.print(f"probe curves: {len(rows)} points in {probe_json}")
    stored_retention = stored.get("retention")
    if stored_retention:
        low, high = stored_retention.get("low"), stored_retention.get("high")
        interval = f" [{low:.2f}, {high:.2f}]" if low is not None and high is not None else ""
        console.print(f"retention {stored_retention['value']:.2f}{interval}")
    elif any(row.part == "action" for row in rows):
        console.print(f"retention {retention_from_curves(rows).value:.2f}")
    console.print(f"plot: {run_dir / PROBE_PNG}")
    return True
