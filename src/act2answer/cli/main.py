"""The ``act2answer`` command line: a thin layer over the public API."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from act2answer.cli._common import (
    BatchWindowOption,
    EpisodeSeedOption,
    OptionalRunOutOption,
    OptionalSuiteOption,
    PerCategoryOption,
    PolicyArgsOption,
    RetryErrorsOption,
    RobotOption,
    WorkersOption,
    console,
    episode_progress,
    error_console,
    friendly_errors,
    show_report,
)
from act2answer.cli._common import choice as _choice
from act2answer.cli._common import image_size as _image_size
from act2answer.cli._common import json_object as _json_object
from act2answer.errors import Act2AnswerError

if TYPE_CHECKING:
    from act2answer.api import Execution
    from act2answer.sim import SimConfig

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)
suite_app = typer.Typer(no_args_is_help=True, help="Inspect and validate suites.")
app.add_typer(suite_app, name="suite")


@app.command()
@friendly_errors
def run(
    policy: Annotated[str, typer.Option(help="Policy name (see `act2answer policies`).")],
    suite: OptionalSuiteOption = None,
    out: OptionalRunOutOption = None,
    policy_args: PolicyArgsOption = "{}",
    robot: RobotOption = "widowx",
    workers: WorkersOption = 0,
    seed: EpisodeSeedOption = 0,
    video: Annotated[int, typer.Option(help="Record MP4s of the first N episodes.")] = 0,
    video_item: Annotated[
        list[str] | None, typer.Option(help="Record MP4s of this item (repeatable).")
    ] = None,
    max_steps: Annotated[int | None, typer.Option(help="Control steps per episode.")] = None,
    tile_jitter: Annotated[float | None, typer.Option(help="Tile jitter (+-m).")] = None,
    image_size: Annotated[
        str | None,
        typer.Option(
            help="Render the camera at WIDTHxHEIGHT (default 640x480, the reference camera); "
            "e.g. 224x224 for a model that resizes to that: faster, same view."
        ),
    ] = None,
    physics_timestep: Annotated[
        float | None,
        typer.Option(
            help="Physics step, s (default: the robot's; 1/150 WidowX, 0.002 Panda). "
            "Pass a stored run's value to resume it."
        ),
    ] = None,
    retry_errors: RetryErrorsOption = False,
    wrist_camera: Annotated[
        bool, typer.Option(help="Build a wrist camera (presets such as libero-openpi use it).")
    ] = False,
    episode_timeout: Annotated[
        float,
        typer.Option(help="Wall-clock limit per episode, s (0: none); a hung worker is replaced."),
    ] = 600.0,
    max_batch: Annotated[
        int | None, typer.Option(help="Largest batch for a hosted batched policy.")
    ] = None,
    batch_window_ms: BatchWindowOption = 100.0,
    dry_run: Annotated[
        bool,
        typer.Option(help="Model adapters: a tiny random model of the class, 2 episodes, CPU."),
    ] = False,
    # --- reference protocol (issue #12) ---
    scene: Annotated[
        str | None,
        typer.Option(
            help="Scene preset: reference (the study's; WidowX default) or legacy (Panda default)."
        ),
    ] = None,
    background: Annotated[
        str,
        typer.Option(help="Visual matching photo: auto (the scene's), none, a name or a path."),
    ] = "auto",
    early_stop: Annotated[
        bool,
        typer.Option(help="End episodes once the cube rests (faster; not the reference protocol)."),
    ] = False,
    scoring: Annotated[
        str, typer.Option(help="Outcome rule: default, reference or radius (all are stored).")
    ] = "default",
    condition: Annotated[
        str, typer.Option(help="Instruction: knowledge, explicit_object or explicit_spatial.")
    ] = "knowledge",
    wording: Annotated[
        str,
        typer.Option(
            help="Control conditions' wording: act2answer (the suite's texts) or study "
            "(the study's templates, e.g. 'Place the cube on the left tile.'). Stored with the run."
        ),
    ] = "act2answer",
    # --- executor (issue #9: Ray) ---
    executor: Annotated[
        str,
        typer.Option(
            help="local (this machine: processes, or this process for one worker), inline, "
            "processes, or ray (act2answer[ray])."
        ),
    ] = "local",
    address: Annotated[
        str | None,
        typer.Option(help="Ray cluster address (default: $RAY_ADDRESS, else a new local one)."),
    ] = None,
    policy_gpus: Annotated[
        float, typer.Option(help="Ray: GPUs per policy replica (>0 serves the policy on GPUs).")
    ] = 0.0,
    policy_replicas: Annotated[
        int, typer.Option(help="Ray: policy replicas when the policy is served.")
    ] = 1,
) -> None:
    """Evaluate a policy on a suite (both layouts per item) and print the report."""
    from act2answer.api import evaluate
    from act2answer.eval.scoring import ScoringRule
    from act2answer.eval.tasks import Wording
    from act2answer.policies import PolicySpec
    from act2answer.suite import Condition

    sim_overrides: dict[str, object] = {
        "robot": robot,
        "scene": scene,
        "background": background,
        "early_stop": early_stop,
        "max_steps": max_steps,
        "tile_jitter": tile_jitter,
        "physics_timestep": physics_timestep,
        "wrist_camera": wrist_camera or None,
    }
    if image_size is not None:
        sim_overrides["camera_width"], sim_overrides["camera_height"] = _image_size(image_size)
    kwargs = _json_object(policy_args, "--policy-args")
    if dry_run:
        from act2answer.testing.dryrun import describe, prepare_dry_run

        planned = prepare_dry_run(policy, suite=suite, out=out, policy_kwargs=kwargs, seed=seed)
        suite, out, kwargs, workers = planned.suite, planned.out, planned.policy_kwargs, 1
        console.print(describe(planned), highlight=False)
    if suite is None or out is None:
        raise typer.BadParameter("--suite and --out are required (unless --dry-run)")
    execution = _execution(
        workers=workers or None,
        episode_timeout=episode_timeout or None,
        max_batch=max_batch,
        batch_window_s=batch_window_ms / 1000.0,
        executor=executor,
        ray_address=address,
        policy_gpus=policy_gpus,
        policy_replicas=policy_replicas,
        video=tuple(video_item) if video_item else video,
        retry_errors=retry_errors,
    )
    with episode_progress(f"{policy} on {suite.name}") as on_result:
        finished = evaluate(
            suite,
            PolicySpec(name=policy, kwargs=kwargs),
            out=out,
            sim=_sim_config({k: v for k, v in sim_overrides.items() if v is not None}),
            base_seed=seed,
            scoring=_choice(scoring, "--scoring", ScoringRule),
            condition=_choice(condition, "--condition", Condition),
            wording=_choice(wording, "--wording", Wording),
            execution=execution,
            on_result=on_result,
        )
    summary = finished.summary
    assert summary is not None
    console.print(
        f"{summary.episodes_run} episodes run, {summary.episodes_skipped} already stored, "
        f"{summary.errors} errors, {summary.wall_time_s:.1f} s"
    )
    for reason, count in summary.error_reasons.items():
        console.print(f"  [red]{count} x[/red] {reason}", highlight=False)
    if summary.error_reasons:
        console.print("  rerun with --retry-errors to run exactly these episodes again")
    if summary.not_run:
        console.print(
            f"[yellow]{summary.not_run} episodes not run: {summary.not_run_reason}; "
            "rerun the same command to resume[/yellow]",
            highlight=False,
        )
    assert finished.report is not None
    show_report(finished.report, details=False)
    if summary.episodes_run and summary.errors == summary.episodes_run:
        first = next(iter(summary.error_reasons), "unknown")
        error_console.print(
            f"[red]error:[/red] all {summary.episodes_run} episodes of this run ended in error "
            f"(first: {escape(first)}); fix the cause, then rerun with --retry-errors",
            highlight=False,
            soft_wrap=True,
        )
        raise typer.Exit(1)


@app.command()
@friendly_errors
def report(
    run_dirs: Annotated[
        list[Path],
        typer.Argument(help="Run folders (evaluation, VLM or probe runs; lab sweep folders)."),
    ],
    html: Annotated[
        Path | None,
        typer.Option(help="Also write one self-contained HTML page of all the runs here."),
    ] = None,
    scoring: Annotated[
        str | None,
        typer.Option(help="Report evaluation runs under this rule (default, reference, radius)."),
    ] = None,
) -> None:
    """Print each run's metrics again and rewrite its report files (report.md, metrics.json...)."""
    from act2answer.cli.probe_commands import report_probe
    from act2answer.eval.scoring import ScoringRule
    from act2answer.report import load_run_report
    from act2answer.report.html import is_sweep_run
    from act2answer.store import DB_FILE

    rule = _choice(scoring, "--scoring", ScoringRule) if scoring else None
    for run_dir in run_dirs:
        if is_sweep_run(run_dir) and not (run_dir / DB_FILE).exists():
            continue  # shown on the HTML page only
        if report_probe(run_dir) and not (run_dir / DB_FILE).exists():
            continue
        show_report(load_run_report(run_dir, scoring=rule))
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
    per_category: PerCategoryOption = 8,
    workers: WorkersOption = 0,
) -> None:
    """Build the built-in suite and evaluate the four reference policies on it."""
    from act2answer.demo import run_demo

    run_demo(out, per_category=per_category, workers=workers or None, console=console)


def _sim_config(values: dict[str, object]) -> SimConfig:
    from pydantic import ValidationError

    from act2answer.sim import SimConfig

    try:
        return SimConfig.model_validate(values)
    except ValidationError as exc:
        problems = "; ".join(error["msg"] for error in exc.errors())
        raise Act2AnswerError(f"invalid simulator settings: {problems}") from None


def _execution(**values: object) -> Execution:
    from pydantic import ValidationError

    from act2answer.api import Execution

    try:
        return Execution.model_validate(values)
    except ValidationError as exc:
        raise typer.BadParameter("; ".join(error["msg"] for error in exc.errors())) from None


def _register_optional_commands() -> None:
    from act2answer.cli import (
        env_commands,
        lab_commands,
        probe_commands,
        serve_commands,
        sources_commands,
        synth_commands,
        vlm_commands,
    )

    synth_commands.register(app, suite_app)
    vlm_commands.register(app)
    serve_commands.register(app)
    probe_commands.register(app)
    sources_commands.register(app, suite_app)
    env_commands.register(app)
    lab_commands.register(app)


_register_optional_commands()


def main() -> None:
    app()


if __name__ == "__main__":
    main()
