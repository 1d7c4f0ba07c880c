"""The ``act2answer`` command line: a thin layer over the public API."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from act2answer.cli._common import console, episode_progress, friendly_errors
from act2answer.errors import Act2AnswerError

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)
suite_app = typer.Typer(no_args_is_help=True, help="Inspect and validate suites.")
app.add_typer(suite_app, name="suite")


@app.command()
@friendly_errors
def run(
    suite: Annotated[Path, typer.Option(help="Suite folder (suite.jsonl + images).")],
    policy: Annotated[str, typer.Option(help="Policy name (see `act2answer policies`).")],
    out: Annotated[Path, typer.Option(help="Run folder; rerun with the same folder to resume.")],
    policy_args: Annotated[
        str, typer.Option(help="JSON object of keyword arguments for the policy.")
    ] = "{}",
    robot: Annotated[str, typer.Option(help="widowx or panda.")] = "widowx",
    workers: Annotated[int, typer.Option(help="Simulator processes (0: one per core).")] = 0,
    seed: Annotated[int, typer.Option(help="Base seed mixed into every episode seed.")] = 0,
    video: Annotated[int, typer.Option(help="Record MP4s of the first N episodes.")] = 0,
    video_item: Annotated[
        list[str] | None, typer.Option(help="Record MP4s of this item (repeatable).")
    ] = None,
    max_steps: Annotated[int | None, typer.Option(help="Control steps per episode.")] = None,
    tile_jitter: Annotated[float | None, typer.Option(help="Tile jitter (+-m).")] = None,
    retry_errors: Annotated[bool, typer.Option(help="Rerun stored error episodes.")] = False,
) -> None:
    """Evaluate a policy on a suite (both layouts per item) and print the report."""
    from act2answer.policies import PolicySpec
    from act2answer.report import load_report, rich_table, write_report
    from act2answer.runner import run_evaluation
    from act2answer.sim import SimConfig

    sim_overrides: dict[str, object] = {"robot": robot}
    if max_steps is not None:
        sim_overrides["max_steps"] = max_steps
    if tile_jitter is not None:
        sim_overrides["tile_jitter"] = tile_jitter
    spec = PolicySpec(name=policy, kwargs=_json_object(policy_args, "--policy-args"))
    with episode_progress(f"{policy} on {suite.name}") as on_result:
        summary = run_evaluation(
            suite,
            spec,
            out,
            sim=SimConfig(**sim_overrides),
            base_seed=seed,
            workers=workers or None,
            video=video_item if video_item else video,
            retry_errors=retry_errors,
            on_result=on_result,
        )
    console.print(
        f"{summary.episodes_run} episodes run, {summary.episodes_skipped} already stored, "
        f"{summary.errors} errors, {summary.wall_time_s:.1f} s"
    )
    report = load_report(out)
    console.print(rich_table(report.metrics, title=f"{policy} on {report.config.suite_name}"))
    for path in write_report(report):
        console.print(f"wrote {path}")


@app.command()
@friendly_errors
def report(
    run_dirs: Annotated[
        list[Path], typer.Argument(help="Run folders (evaluation, VLM or probe runs).")
    ],
    html: Annotated[
        Path | None,
        typer.Option(help="Also write one self-contained HTML page of all the runs here."),
    ] = None,
) -> None:
    """Print each run's metrics again and rewrite its report files (report.md, metrics.json...)."""
    from act2answer.cli.probe_commands import report_probe
    from act2answer.cli.vlm_commands import print_consistency, report_vlm_run
    from act2answer.report import load_report, rich_table, write_report
    from act2answer.store import DB_FILE

    for run_dir in run_dirs:
        if report_probe(run_dir) and not (run_dir / DB_FILE).exists():
            continue
        if report_vlm_run(run_dir):
            continue
        loaded = load_report(run_dir)
        title = f"{loaded.config.policy.name} on {loaded.config.suite_name}"
        console.print(rich_table(loaded.metrics, title=title))
        print_consistency(loaded.results)
        if loaded.complete is False:
            console.print(
                f"[yellow]run incomplete: {len(loaded.results)} of {loaded.expected_episodes} "
                "episodes stored; rerun `act2answer run` with the same --out to finish[/yellow]"
            )
        for path in write_report(loaded):
            console.print(f"wrote {path}")
    if html is not None:
        from act2answer.report.html import write_html_report

        console.print(f"wrote {write_html_report(run_dirs, html)}")


@app.command()
@friendly_errors
def policies() -> None:
    """List the registered policies."""
    from act2answer.policies import policy_names

    for name in policy_names():
        console.print(name)


@app.command()
@friendly_errors
def demo(
    out: Annotated[Path, typer.Option(help="Folder for the demo suite and runs.")] = Path(
        "demo_out"
    ),
    per_category: Annotated[int, typer.Option(help="Items per category.")] = 8,
    workers: Annotated[int, typer.Option(help="Simulator processes (0: one per core).")] = 0,
) -> None:
    """Build the built-in suite and evaluate the four reference policies on it."""
    from act2answer.demo import run_demo

    run_demo(out, per_category=per_category, workers=workers or None, console=console)


def _json_object(text: str, option: str) -> dict[str, object]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise Act2AnswerError(f"{option}: not valid JSON: {exc.msg}") from None
    if not isinstance(value, dict):
        raise Act2AnswerError(f"{option}: must be a JSON object")
    return value


def _register_optional_commands() -> None:
    from act2answer.cli import probe_commands, synth_commands, vlm_commands

    synth_commands.register(app, suite_app)
    vlm_commands.register(app)
    probe_commands.register(app)
    from act2answer.cli import sources_commands

    sources_commands.register(app, suite_app)


_register_optional_commands()


def main() -> None:
    app()


if __name__ == "__main__":
    main()
