"""The ``act2answer`` command line: a thin layer over the public API."""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from act2answer.cli._common import console, episode_progress, friendly_errors
from act2answer.errors import Act2AnswerError

if TYPE_CHECKING:
    from act2answer.sim import SimConfig

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
) -> None:
    """Evaluate a policy on a suite (both layouts per item) and print the report."""
    from act2answer.eval.scoring import ScoringRule
    from act2answer.policies import PolicySpec
    from act2answer.report import load_report, rich_table, write_report
    from act2answer.runner import run_evaluation
    from act2answer.suite import Condition

    sim_overrides: dict[str, object] = {
        "robot": robot,
        "scene": scene or ("legacy" if robot == "panda" else "reference"),
        "background": background,
        "early_stop": early_stop,
    }
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
            sim=_sim_config(sim_overrides),
            base_seed=seed,
            workers=workers or None,
            video=video_item if video_item else video,
            retry_errors=retry_errors,
            on_result=on_result,
            scoring=_choice(scoring, "--scoring", ScoringRule),
            condition=_choice(condition, "--condition", Condition),
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
    run_dir: Annotated[Path, typer.Argument(help="A run folder.")],
    scoring: Annotated[
        str | None,
        typer.Option(help="Report under this rule (default, reference, radius) instead."),
    ] = None,
) -> None:
    """Print a run's metrics again and rewrite report.md, metrics.json, episodes.csv."""
    from act2answer.eval.scoring import ScoringRule
    from act2answer.report import load_report, rich_table, write_report

    rule = _choice(scoring, "--scoring", ScoringRule) if scoring else None
    loaded = load_report(run_dir, scoring=rule)
    title = f"{loaded.config.policy.name} on {loaded.config.suite_name}"
    console.print(rich_table(loaded.metrics, title=title))
    if loaded.complete is False:
        console.print(
            f"[yellow]run incomplete: {len(loaded.results)} of {loaded.expected_episodes} "
            "episodes stored; rerun `act2answer run` with the same --out to finish[/yellow]"
        )
    for path in write_report(loaded):
        console.print(f"wrote {path}")


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


def _sim_config(values: dict[str, object]) -> SimConfig:
    from pydantic import ValidationError

    from act2answer.sim import SimConfig

    try:
        return SimConfig.model_validate(values)
    except ValidationError as exc:
        problems = "; ".join(error["msg"] for error in exc.errors())
        raise Act2AnswerError(f"invalid simulator settings: {problems}") from None


E = TypeVar("E", bound=Enum)


def _choice(value: str, option: str, kind: type[E]) -> E:
    try:
        return kind(value)
    except ValueError:
        known = ", ".join(member.value for member in kind)
        raise Act2AnswerError(f"{option}: unknown value {value!r} (choose from {known})") from None


def _json_object(text: str, option: str) -> dict[str, object]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise Act2AnswerError(f"{option}: not valid JSON: {exc.msg}") from None
    if not isinstance(value, dict):
        raise Act2AnswerError(f"{option}: must be a JSON object")
    return value


def _register_optional_commands() -> None:
    from act2answer.cli import synth_commands

    synth_commands.register(app, suite_app)
    from act2answer.cli import sources_commands

    sources_commands.register(app, suite_app)


_register_optional_commands()


def main() -> None:
    app()


if __name__ == "__main__":
    main()
