"""Reports of VLM runs: the VLA report's metrics plus letter bias and scoring path.

Success rate, Wilson interval, chance band, verdict, no-answer and left-choice
(side bias) rates are computed by the same code as for VLA runs
(:func:`act2answer.analysis.compute_metrics`); a VLM run adds the A-choice rate
(letter bias: of the answers that chose a letter, the share that chose "A";
0.5 = no letter bias), the share of answers read from generated text, and
consistency across layouts.
"""

from __future__ import annotations

import csv
import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path

from rich.table import Table

from act2answer.analysis import OVERALL, GroupMetrics, RunMetrics, compute_metrics
from act2answer.analysis.consistency import Consistency, layout_consistency
from act2answer.analysis.outcomes import trials_from
from act2answer.errors import RunError
from act2answer.eval.results import EpisodeResult
from act2answer.report._tables import interval_text, percent
from act2answer.report._write import suite_order_and_size
from act2answer.report.compare import json_safe
from act2answer.store._vlm import VLMStore
from act2answer.vlm.config import VLMRunConfig
from act2answer.vlm.results import VLMAnswer
from act2answer.vlm.scoring import ScoreMethod

REPORT_MD = "report.md"
METRICS_JSON = "metrics.json"
ANSWERS_CSV = "answers.csv"

HEADERS = (
    "category",
    "answers",
    "success",
    "95% CI",
    "chance band",
    "verdict",
    "both layouts",
    "no answer",
    "left choice",
    "A choice",
    "text fallback",
    "errors",
)


@dataclass(frozen=True)
class VLMGroupExtras:
    """What a VLM run adds to a category's metrics."""

    name: str
    a_choice_rate: float
    text_fallback_rate: float


@dataclass(frozen=True)
class VLMReport:
    """A VLM run's configuration, answers and metrics."""

    run_dir: Path
    config: VLMRunConfig
    answers: list[VLMAnswer]
    metrics: RunMetrics
    extras: tuple[VLMGroupExtras, ...]
    consistency: tuple[Consistency, ...]
    expected_answers: int | None

    @property
    def complete(self) -> bool | None:
        if self.expected_answers is None:
            return None
        return len(self.answers) >= self.expected_answers


def as_episode(answer: VLMAnswer) -> EpisodeResult:
    """A VLM answer in the shape of an episode result, for the shared metrics code."""
    return EpisodeResult(
        item_id=answer.item_id,
        category=answer.category,
        answer_side=answer.answer_side,
        seed=answer.frame_seed,
        outcome=answer.outcome,
        chosen_side=answer.chosen_side,
        cube_x=math.nan,
        cube_y=math.nan,
        cube_z=math.nan,
        distance_to_correct=math.nan,
        released=False,
        steps=0,
        wall_time_s=answer.wall_time_s,
        error=answer.error,
    )


def _extras(name: str, answers: list[VLMAnswer]) -> VLMGroupExtras:
    chose = [a for a in answers if a.chosen_letter is not None]
    return VLMGroupExtras(
        name=name,
        a_choice_rate=sum(a.chosen_letter == "A" for a in chose) / len(chose)
        if chose
        else math.nan,
        text_fallback_rate=(
            sum(a.method is ScoreMethod.TEXT for a in answers) / len(answers)
            if answers
            else math.nan
        ),
    )


def load_vlm_report(run_dir: Path | str) -> VLMReport:
    """Read a VLM run folder and compute its metrics."""
    run_dir = Path(run_dir)
    with VLMStore.open_existing(run_dir) as store:
        config = store.config()
        answers = store.answers()
    if config is None:
        raise RunError(f"{run_dir}: database has no run configuration")
    order, expected = suite_order_and_size(config.suite_path, config.suite_hash, config.layouts)
    metrics = compute_metrics((as_episode(a) for a in answers), order)
    extras = (
        *(
            _extras(group.name, [a for a in answers if a.category == group.name])
            for group in metrics.categories
        ),
        _extras(OVERALL, answers),
    )
    consistency = layout_consistency(trials_from(answers), [g.name for g in metrics.categories])
    return VLMReport(run_dir, config, answers, metrics, extras, consistency, expected)


def _row(group: GroupMetrics, extra: VLMGroupExtras, consistent: Consistency) -> tuple[str, ...]:
    return (
        group.name,
        str(group.episodes),
        percent(group.success_rate),
        interval_text(group.success_interval),
        interval_text(group.chance_band),
        group.verdict.value,
        percent(consistent.rate),
        percent(group.no_answer_rate),
        percent(group.left_choice_rate),
        percent(extra.a_choice_rate),
        percent(extra.text_fallback_rate),
        percent(group.error_rate),
    )


def vlm_rows(report: VLMReport) -> list[tuple[str, ...]]:
    groups = (*report.metrics.categories, report.metrics.overall)
    return [
        _row(group, extra, consistent)
        for group, extra, consistent in zip(groups, report.extras, report.consistency, strict=True)
    ]


def vlm_rich_table(report: VLMReport) -> Table:
    table = Table(title=f"{report.config.label} on {report.config.suite_name}")
    for header in HEADERS:
        table.add_column(header, justify="left" if header == "category" else "right")
    rows = vlm_rows(report)
    for index, row in enumerate(rows):
        table.add_row(
            *row,
            style="bold" if index == len(rows) - 1 else None,
            end_section=index == len(rows) - 2,
        )
    return table


def write_vlm_report(report: VLMReport) -> list[Path]:
    """Write ``report.md``, ``metrics.json`` and ``answers.csv`` into the run folder."""
    paths = [
        report.run_dir / REPORT_MD,
        report.run_dir / METRICS_JSON,
        report.run_dir / ANSWERS_CSV,
    ]
    paths[0].write_text(_markdown(report), encoding="utf-8")
    paths[1].write_text(json.dumps(_metrics_json(report), indent=2, allow_nan=False) + "\n")
    with paths[2].open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=VLMAnswer.field_names())
        writer.writeheader()
        for answer in report.answers:
            writer.writerow(answer.to_row())
    return paths


def _markdown(report: VLMReport) -> str:
    config = report.config
    table = ["| " + " | ".join(HEADERS) + " |", "|" + "---|" * len(HEADERS)]
    table += ["| " + " | ".join(row) + " |" for row in vlm_rows(report)]
    stored = f"{len(report.answers)}" + (
        f" of {report.expected_answers}" if report.expected_answers else ""
    )
    return "\n".join(
        [
            f"# act2answer VLM report: {config.label} on {config.suite_name}",
            "",
            f"- answers stored: {stored}",
            f"- model: `{config.model.model_dump_json()}`",
            f"- input: {config.input_mode.value}; base seed {config.base_seed}; layouts "
            + ", ".join(side.value for side in config.layouts),
            f"- act2answer {config.act2answer_version}, git {config.git_revision or 'unknown'}",
            "",
            *table,
            "",
            "Success: the chosen letter names the correct image. CI: Wilson 95%. "
            "Chance band: 0.5 +- 1.96 sqrt(0.25/n). Both layouts: share of items right "
            "in both layouts. Left choice: share of answers naming the left tile (first "
            "image). A choice: share of answers choosing the letter A. Text fallback: "
            "answers parsed from generated text instead of log-probabilities.",
            "",
        ]
    )


def _metrics_json(report: VLMReport) -> dict[str, object]:
    groups = (*report.metrics.categories, report.metrics.overall)
    rows = []
    for group, extra, consistent in zip(groups, report.extras, report.consistency, strict=True):
        row = {key: json_safe(v) for key, v in asdict(group).items() if key != "release_rate"}
        row.update({key: json_safe(v) for key, v in asdict(extra).items() if key != "name"})
        row["consistency"] = json_safe(asdict(consistent))
        rows.append(row)
    return {
        "run": json.loads(report.config.model_dump_json()),
        "answers_stored": len(report.answers),
        "answers_expected": report.expected_answers,
        "categories": rows[:-1],
        "overall": rows[-1],
    }
