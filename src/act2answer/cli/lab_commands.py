"""CLI commands of the lab: ``demos`` (a LeRobot dataset of scripted demonstrations),
``lab train`` (one recipe) and ``lab sweep`` (the co-training ratio sweep)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from act2answer.cli._common import CategoriesOption, CheckpointOutOption, friendly_errors
from act2answer.cli._common import console as _console

lab_app = typer.Typer(
    no_args_is_help=True, help="Train small VLMs and VLAs on a CPU and evaluate them."
)


_EvalSuiteOption = Annotated[Path, typer.Option(help="Evaluation suite folder.")]
_ProbeOption = Annotated[bool, typer.Option(help="Run layerwise probing of each model.")]
_EvalOutOption = Annotated[
    Path,
    typer.Option(
        "--out", "-o", help="Folder for the run folders, compare/ and report.html (resumable)."
    ),
]


def _split(values: list[str] | None) -> list[str] | None:
    names = [name.strip() for value in values or [] for name in value.split(",") if name.strip()]
    return names or None


def demos(
    out: Annotated[Path, typer.Option("--out", "-o", help="Dataset folder to create.")],
    suite: Annotated[
        Path | None, typer.Option(help="Demonstrate this suite (default: generate one).")
    ] = None,
    category: CategoriesOption = None,
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
    from act2answer.cli._common import image_size as _image_size
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


@lab_app.command("train")
@friendly_errors
def lab_train(
    recipe: Annotated[Path, typer.Option(help="Recipe file (.json, .toml or .yaml).")],
    out: CheckpointOutOption,
    suite: Annotated[
        Path | None, typer.Option(help="Evaluate on this suite afterwards (episodes, VLM, probes).")
    ] = None,
    probe: _ProbeOption = True,
) -> None:
    """Train a lab VLM or VLA from a recipe (safetensors checkpoint, curve.csv, metrics.json)."""
    from act2answer.lab.recipes import load_recipe
    from act2answer.lab.train import train_recipe

    metrics = train_recipe(
        load_recipe(recipe),
        out,
        progress=lambda step, total, row: _console.print(f"step {step}/{total}: {row}"),
    )
    _console.print(f"wrote {out}: held-out VQA accuracy {metrics['heldout_accuracy']}")
    if suite is not None:
        _evaluate(out, suite, out / "eval", probe)


def _evaluate(checkpoint: Path, suite: Path, out: Path, probe: bool) -> None:
    from act2answer.lab.evaluate import evaluate_checkpoint

    # reuse: the parts OUT/lab_eval.json records are kept (an older folder gets compare
    # and the report by rerunning); delete OUT to evaluate again from scratch.
    result = evaluate_checkpoint(checkpoint, suite, out, probe=probe, reuse=True)
    for part, rates in (("episodes", result.episodes), ("VLM probe", result.vlm)):
        if rates:
            text = ", ".join(f"{name} {rate:.0%}" for name, rate in rates.items())
            _console.print(f"{part}: {text}")
    if result.retention:
        _console.print(f"layerwise retention: {result.retention}")
    compared = result.folders.get("compare", "(nothing to compare)")
    _console.print(f"run folders under {out}; compare: {compared}; {result.folders['report']}")


@lab_app.command("evaluate")
@friendly_errors
def lab_evaluate(
    checkpoint: Annotated[Path, typer.Argument(help="Lab checkpoint folder.")],
    suite: _EvalSuiteOption,
    out: _EvalOutOption,
    probe: _ProbeOption = True,
) -> None:
    """Episodes, VLM probe and layerwise probes of a lab checkpoint; compare and HTML report."""
    _evaluate(checkpoint, suite, out, probe)


@lab_app.command("sweep")
@friendly_errors
def lab_sweep(
    recipe: Annotated[Path, typer.Option(help="Base VLA recipe (its vqa_ratio and seed vary).")],
    suite: _EvalSuiteOption,
    out: _EvalOutOption,
    ratios: Annotated[str, typer.Option(help="Comma-separated VQA ratios.")] = "0,0.1,0.3,0.5",
    seeds: Annotated[int, typer.Option(help="Training seeds per ratio.")] = 3,
    probe: _ProbeOption = True,
) -> None:
    """Train and evaluate one VLA per (VQA ratio, seed); summary, compare and HTML report.

    Rerunning the command reuses trained and evaluated models and rewrites the
    summary, compare and report (an older sweep folder is upgraded so).
    """
    from act2answer.errors import Act2AnswerError
    from act2answer.lab.recipes import VLARecipe, load_recipe
    from act2answer.lab.sweep import run_sweep

    base = load_recipe(recipe)
    if not isinstance(base, VLARecipe):
        raise Act2AnswerError(f"{recipe}: lab sweep needs a vla recipe")
    summary = run_sweep(
        base,
        suite,
        out,
        ratios=[float(value) for value in ratios.split(",")],
        seeds=range(seeds),
        probe=probe,
        log=_console.print,
    )
    for row in summary:
        _console.print(
            f"r={row['ratio']:g}: trained {row['trained_success']:.2f}, held-out "
            f"{row['heldout_success']:.2f}, held-out VLM {row['heldout_vlm']:.2f} "
            f"({row['seeds']} seeds)"
        )
    _console.print(f"wrote {out}/sweep_summary.csv, {out}/compare/ and {out}/report.html")


@lab_app.command("smolvla")
@friendly_errors
def lab_smolvla(
    demos: Annotated[Path, typer.Option(help="Demonstration dataset (act2answer demos).")],
    out: CheckpointOutOption,
    steps: Annotated[
        int | None, typer.Option(help="Behaviour-cloning steps (default: the recipe's).")
    ] = None,
    batch_size: Annotated[int, typer.Option(help="Frames per step.")] = 32,
    seed: Annotated[int, typer.Option(help="Initialisation and batch-order seed.")] = 0,
    recipe: Annotated[
        str, typer.Option(help="Other SmolVLARecipe fields as JSON, e.g. '{\"layers\": 2}'.")
    ] = "{}",
) -> None:
    """Train a small LeRobot SmolVLA on DEMOS: VQA-pretrained VLM, then LeRobot's trainer."""
    from pydantic import ValidationError

    from act2answer.cli._common import json_object
    from act2answer.errors import Act2AnswerError
    from act2answer.lab.smolvla import SmolVLARecipe, train_smolvla

    fields = json_object(recipe, "--recipe")
    fields.update(batch_size=batch_size, seed=seed)
    if steps is not None:
        fields["steps"] = steps
    try:
        parsed = SmolVLARecipe.model_validate(fields)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise Act2AnswerError(f"--recipe: {problems}") from None
    folder = train_smolvla(demos, out, parsed)
    _console.print(
        f"wrote {folder}; evaluate with --policy lerobot --policy-args "
        f'\'{{"model_path": "{folder}"}}\''
    )


def register(app: typer.Typer) -> None:
    """Add ``demos`` and the ``lab`` group to ``app``."""
    app.command("demos")(friendly_errors(demos))
    app.add_typer(lab_app, name="lab")
