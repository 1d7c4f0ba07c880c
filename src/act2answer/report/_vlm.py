"""Reports of VLM runs: the VLA report's metrics plus letter bias and scoring path.

Success rate, Wilson interval, chance band, verdict, no-answer and left-choice
(side bias) rates are computed by the same code as for VLA runs
(:func:`act2answer.analysis.compute_metrics` reads any
:class:`act2answer.store.RunRecord`, so answers are never dressed up as
episodes); the files are written by the same writer; a VLM run adds the A-choice rate
(letter bias: of the answers that chose a letter, the share that chose "A";
0.5 = no letter bias), the share of answers read from generated text, and
consistency across layouts.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path

from rich.table import Table

from act2answer.analysis import OVERALL, GroupMetrics, RunMetrics, compute_metrics
from act2answer.analysis.consistency import Consistency, layout_consistency
from act2answer.analysis.outcomes import trials_from
from act2answer.errors import RunError
from act2answer.report._files import (
    StoredRecordsReport,
    json_safe,
    suite_order_and_size,
    write_run_files,
)
from act2answer.report._tables import group_cells, markdown_rows, percent, rows_table
from act2answer.store import VLMStore
from act2answer.vlm.config import VLMRunConfig
from act2answer.vlm.results import VLMAnswer
from act2answer.vlm.scoring import ScoreMethod

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
class VLMReport(StoredRecordsReport):
    """A VLM run's configuration, answers and metrics."""

    run_dir: Path
    config: VLMRunConfig
    answers: list[VLMAnswer]
    metrics: RunMetrics
    extras: tuple[VLMGroupExtras, ...]
    consistency: tuple[Consistency, ...]
    expected_answers: int | None

    RECORD_TYPE = VLMAnswer
    CSV_NAME = ANSWERS_CSV
    RECORD_NOUN = "answers"
    RECORDS_ATTRIBUTE = "answers"
    EXPECTED_ATTRIBUTE = "expected_answers"
    RESUME_COMMAND = "act2answer vlm"




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
    metrics = compute_metrics(answers, order)
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
    name, count, success, interval, band, verdict, no_answer, left, errors = group_cells(group)
    return (
        *(name, count, success, interval, band, verdict),
        percent(consistent.rate),
        *(no_answer, left),
        percent(extra.a_choice_rate),
        percent(extra.text_fallback_rate),
        errors,
    )


def vlm_rows(report: VLMReport) -> list[tuple[str, ...]]:
    groups = (*report.metrics.categories, report.metrics.overall)
    return [
        _row(group, extra, consistent)
        for group, extra, consistent in zip(groups, report.extras, report.consistency, strict=True)
    ]


def vlm_rich_table(report: VLMReport) -> Table:
    """The VLM run's metrics as a terminal table."""
    title = f"{report.config.label} on {report.config.suite_name}"
    return rows_table(HEADERS, vlm_rows(report), title)


def write_vlm_report(report: VLMReport) -> list[Path]:
    """Write ``report.md``, ``metrics.json`` and ``answers.csv`` into the run folder."""
    return write_run_files(report, _markdown(report), _metrics_json(report))


def _markdown(report: VLMReport) -> str:
    config = report.config
    table = markdown_rows(HEADERS, vlm_rows(report))
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
            table,
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
