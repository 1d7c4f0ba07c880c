"""CLI commands: ``vlm`` (ask a VLM the suite without action), ``compare`` (paired statistics)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from act2answer.cli._common import (
    RetryErrorsOption,
    RobotOption,
    RunOutOption,
    SuiteOption,
    add_commands,
    console,
    json_object,
    show_report,
)
from act2answer.errors import Act2AnswerError


def vlm(
    suite: SuiteOption,
    model: Annotated[
        str, typer.Option(help="HF model id or local folder (transformers), or served model name.")
    ],
    out: RunOutOption,
    input_mode: Annotated[
        str, typer.Option("--input", help="frame (first episode frame) or options (both images).")
    ] = "frame",
    backend: Annotated[str, typer.Option(help="transformers, openai or lab.")] = "transformers",
    base_url: Annotated[
        str, typer.Option(help="OpenAI-compatible server URL.")
    ] = "http://127.0.0.1:8000/v1",
    api_key_env: Annotated[
        str, typer.Option(help="Environment variable holding the server's API key.")
    ] = "OPENAI_API_KEY",
    dtype: Annotated[
        str, typer.Option(help="transformers: auto, bfloat16, float16, float32.")
    ] = "auto",
    device: Annotated[str, typer.Option(help="transformers: cpu, cuda, cuda:1, auto...")] = "auto",
    batch_size: Annotated[
        int, typer.Option(help="Questions per forward pass / request batch.")
    ] = 8,
    concurrency: Annotated[int, typer.Option(help="openai: requests in flight.")] = 8,
    timeout: Annotated[float, typer.Option(help="openai: seconds per request.")] = 60.0,
    retries: Annotated[int, typer.Option(help="openai: retries per request.")] = 3,
    prompt_template: Annotated[
        Path | None, typer.Option(help="JSON file of PromptTemplate fields (text, names...).")
    ] = None,
    frame_size: Annotated[
        str | None, typer.Option(help="Frame WIDTHxHEIGHT (default: the simulator's, as VLA runs).")
    ] = None,
    robot: RobotOption = "widowx",
    seed: Annotated[int, typer.Option(help="Base seed (frames and letter binding).")] = 0,
    retry_errors: RetryErrorsOption = False,
    model_args: Annotated[
        str, typer.Option(help="JSON object of backend options stored with the run.")
    ] = "{}",
) -> None:
    """Ask a VLM every item as an A/B question, without action, in both layouts."""
    from act2answer.cli._common import episode_progress
    from act2answer.report import load_run_report
    from act2answer.runner import run_vlm
    from act2answer.sim import SimConfig
    from act2answer.vlm import InputMode, ModelSpec, PromptTemplate

    try:
        mode = InputMode(input_mode)
    except ValueError:
        raise Act2AnswerError(f"--input must be frame or options, not {input_mode!r}") from None
    options = json_object(model_args, "--model-args")
    runtime: dict[str, object]
    if backend == "openai":
        runtime = {
            "base_url": base_url,
            "timeout_s": timeout,
            "retries": retries,
            "concurrency": concurrency,
        }
    elif backend == "lab":
        runtime = {}
    elif backend == "transformers":
        options = {"dtype": dtype, **options}
        runtime = {"device": device}
    else:
        raise Act2AnswerError(f"--backend must be transformers, openai or lab, not {backend!r}")
    spec = ModelSpec(backend=backend, model=model, options=options)  # type: ignore[arg-type]
    sim_overrides: dict[str, object] = {"robot": robot}
    if frame_size:
        try:
            width, height = (int(v) for v in frame_size.lower().split("x"))
        except ValueError:
            raise Act2AnswerError(
                f"--frame-size must be WIDTHxHEIGHT, not {frame_size!r}"
            ) from None
        sim_overrides.update(camera_width=width, camera_height=height)
    prompt = PromptTemplate()
    if prompt_template is not None:
        try:
            prompt = PromptTemplate.model_validate_json(prompt_template.read_text())
        except (OSError, ValueError) as exc:
            raise Act2AnswerError(f"{prompt_template}: {exc}") from None
    with episode_progress(f"{model} ({mode.value}) on {suite.name}") as update:
        summary = run_vlm(
            suite,
            spec,
            out,
            input_mode=mode,
            prompt=prompt,
            sim=SimConfig(**sim_overrides),
            base_seed=seed,
            batch_size=batch_size,
            retry_errors=retry_errors,
            api_key=os.environ.get(api_key_env) or None,
            api_key_env=api_key_env,
            runtime=runtime,
            on_answer=lambda answer, done, total: update(None, done, total),  # type: ignore[arg-type]
        )
    console.print(
        f"{summary.asked} questions asked, {summary.skipped} already stored, "
        f"{summary.errors} errors, {summary.text_fallbacks} read from text, "
        f"{summary.wall_time_s:.1f} s"
    )
    show_report(load_run_report(out), details=False)


def compare(
    runs: Annotated[
        list[Path],
        typer.Argument(
            help="Run folders, or VLMEvalKit prediction files (<MODEL>_<NAME>.xlsx/.tsv/.json) "
            "of a suite exported with `act2answer export --format vlmevalkit`; the first "
            "is the baseline."
        ),
    ],
    out: Annotated[
        Path | None, typer.Option(help="Folder for compare.csv and compare.json.")
    ] = None,
    label: Annotated[
        list[str] | None, typer.Option(help="Label per run, in order (repeatable).")
    ] = None,
    resamples: Annotated[int, typer.Option(help="Bootstrap resamples.")] = 4000,
    seed: Annotated[int, typer.Option(help="Bootstrap seed.")] = 0,
) -> None:
    """Compare runs (VLA, VLM or VLMEvalKit predictions) on shared items: gap, CI, McNemar."""
    from act2answer.analysis.compare import compare_runs
    from act2answer.analysis.vlmevalkit import load_compare_input
    from act2answer.report.compare import comparison_table, side_by_side_table, write_comparison

    if len(runs) < 2:
        raise Act2AnswerError("compare needs at least two run folders")
    labels = list(label or [])
    if labels and len(labels) != len(runs):
        raise Act2AnswerError(f"{len(labels)} --label for {len(runs)} runs")
    inputs = [load_compare_input(run, labels[i] if labels else None) for i, run in enumerate(runs)]
    loaded = [outcomes for outcomes, _ in inputs]
    if len({run.label for run in loaded}) < len(loaded):
        loaded = [
            load_compare_input(run, f"{i + 1}:{item.label}")[0]
            for i, (run, item) in enumerate(zip(runs, loaded, strict=True))
        ]
    for _, summary in inputs:
        if summary:
            console.print(summary)
    console.print(side_by_side_table(loaded))
    comparisons = []
    for other in loaded[1:]:
        comparison = compare_runs(loaded[0], other, resamples=resamples, seed=seed)
        comparisons.append(comparison)
        console.print(comparison_table(comparison))
        if not comparison.same_suite:
            console.print("[yellow]the two runs used different suite contents[/yellow]")
        if comparison.same_scene is False:
            console.print(
                "[yellow]the two runs' frames came from different simulator settings or "
                "base seeds: not pixel-for-pixel the same images[/yellow]"
            )
        for name, keys in (
            (loaded[0].label, comparison.only_baseline),
            (other.label, comparison.only_other),
        ):
            if keys:
                shown = ", ".join(f"{item}/{side}" for item, side in keys[:10])
                more = f" and {len(keys) - 10} more" if len(keys) > 10 else ""
                console.print(
                    f"[yellow]{len(keys)} item/layouts only in {name} (not compared):[/yellow] "
                    f"{shown}{more}"
                )
    if out is not None:
        for path in write_comparison(out, loaded, comparisons):
            console.print(f"wrote {path}")


def register(app: typer.Typer) -> None:
    """Add ``vlm`` and ``compare`` to ``app``."""
    add_commands(app, {"vlm": vlm, "compare": compare})
