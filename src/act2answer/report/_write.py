"""Write a run's report files from its database: report.md, metrics.json, episodes.csv."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from act2answer.analysis import GroupMetrics, RunMetrics, compute_metrics
from act2answer.analysis.consistency import Consistency, layout_consistency
from act2answer.analysis.outcomes import trials_from
from act2answer.errors import RunError
from act2answer.eval.config import RunConfig
from act2answer.eval.results import EpisodeResult
from act2answer.eval.scoring import ScoringRule
from act2answer.report._files import (
    StoredRecordsReport,
    json_safe,
    suite_order_and_size,
    write_run_files,
)
from act2answer.report._tables import interval_text, markdown_table, percent
from act2answer.store import ResultStore

EPISODES_CSV = "episodes.csv"


@dataclass(frozen=True)
class RunReport(StoredRecordsReport):
    """A run's configuration, results and metrics, plus the files written.

    Attributes:
        run_dir: The run folder.
        config: The stored run configuration.
        results: Every stored episode.
        metrics: Per-category and overall metrics.
        expected_episodes: Episodes the run consists of (None if the suite is gone).
        timings: Per call that ran episodes: model-call latencies, batch sizes,
            simulator time per step.
        scoring: The rule ``metrics`` and ``results`` are reported under.
        by_rule: Metrics under every rule the episodes were scored with.
    """

    run_dir: Path
    config: RunConfig
    results: list[EpisodeResult]
    metrics: RunMetrics
    expected_episodes: int | None
    timings: list[dict[str, object]] = field(default_factory=list)
    scoring: ScoringRule = ScoringRule.DEFAULT
    by_rule: dict[ScoringRule, RunMetrics] = field(default_factory=dict)

    RECORD_TYPE = EpisodeResult
    CSV_NAME = EPISODES_CSV
    RECORD_NOUN = "episodes"
    RECORDS_ATTRIBUTE = "results"
    EXPECTED_ATTRIBUTE = "expected_episodes"
    RESUME_COMMAND = "act2answer run"




def load_report(run_dir: Path | str, scoring: ScoringRule | str | None = None) -> RunReport:
    """Read a run folder's database and compute its metrics.

    Args:
        run_dir: The run folder.
        scoring: Report under this rule; None: the rule the run was made with.
            Every episode stores its outcome under every rule, so nothing re-runs.
    """
    run_dir = Path(run_dir)
    with ResultStore.open_existing(run_dir) as store:
        config = store.config()
        results = store.results()
        timings = store.timings()
    if config is None:
        raise RunError(f"{run_dir}: database has no run configuration")
    order, expected = suite_order_and_size(
        config.suite_path, config.suite_hash, config.layouts, config.condition
    )
    rule = ScoringRule(scoring) if scoring is not None else config.scoring
    by_rule: dict[ScoringRule, RunMetrics] = {}
    for other in ScoringRule:
        try:
            rescored = [result.under(other) for result in results]
        except KeyError:
            continue
        by_rule[other] = compute_metrics(rescored, order)
    if rule is not config.scoring:
        try:
            results = [result.under(rule) for result in results]
        except KeyError as exc:
            raise RunError(f"{run_dir}: cannot report under rule {rule.value!r}: {exc}") from None
    metrics = compute_metrics(results, order)
    return RunReport(run_dir, config, results, metrics, expected, timings, rule, by_rule)


def write_episode_report(report: RunReport) -> list[Path]:
    """Write ``report.md``, ``metrics.json`` and ``episodes.csv`` into the run folder.

    Returns:
        The paths written.
    """
    return write_run_files(report, _markdown(report), _metrics_json(report))


def _markdown(report: RunReport) -> str:
    config = report.config
    status = {True: "complete", False: "INCOMPLETE", None: "unknown (suite not found)"}
    lines = [
        f"# act2answer report: {config.policy.name} on {config.suite_name}",
        "",
        f"- episodes stored: {len(report.results)}"
        + (f" of {report.expected_episodes}" if report.expected_episodes else "")
        + f" ({status[report.complete]})",
        f"- suite: `{config.suite_name}` (sha256 `{config.suite_hash[:12]}`)",
        f"- policy: `{config.policy.model_dump_json()}`",
        f"- robot: {config.sim.robot}, base seed {config.base_seed}, layouts "
        + ", ".join(side.value for side in config.layouts),
        f"- scene: {config.sim.scene.name}, background {config.sim.background}, "
        f"{config.sim.max_steps} steps"
        + (" (early stop)" if config.sim.early_stop else " (fixed, reference protocol)"),
        f"- instruction condition: {config.condition.value} ({config.wording.value} wording); "
        f"scoring rule: {report.scoring.value}"
        + ("" if report.scoring is config.scoring else f" (run made with {config.scoring.value})"),
        f"- act2answer {config.act2answer_version}, git {config.git_revision or 'unknown'}",
        "",
        markdown_table(report.metrics),
        "",
        *_rule_lines(report),
        *_intent_lines(report.metrics),
        "Consistency across layouts (items on the correct tile in both layouts): "
        + ", ".join(
            f"{row.name} {percent(row.rate)} [{interval_text(row.interval)}] of {row.items}"
            for row in _consistency(report)
        )
        + ".",
        "",
        "Success: the cube ends on the correct tile under the scoring rule (see the README). "
        "CI: Wilson 95% per category; normal approximation for the macro mean. "
        "Chance band: 0.5 +- 1.96 sqrt(0.25/n). Left choice: share of tile choices "
        "that were the left tile.",
        "",
    ]
    return "\n".join(lines)


def _rule_lines(report: RunReport) -> list[str]:
    if not report.by_rule:
        return []
    lines = [
        "Overall under every scoring rule:",
        "",
        "| rule | success | no answer | left choice |",
        "| --- | --- | --- | --- |",
    ]
    for rule, metrics in report.by_rule.items():
        overall = metrics.overall
        lines.append(
            f"| {rule.value} | {percent(overall.success_rate)} | "
            f"{percent(overall.no_answer_rate)} | {percent(overall.left_choice_rate)} |"
        )
    return [*lines, ""]


def _group_json(group: GroupMetrics) -> dict[str, object]:
    data = asdict(group)
    data["verdict"] = data["verdict"].value
    return {key: json_safe(v) for key, v in data.items()}


def _intent_lines(metrics: RunMetrics) -> list[str]:
    groups = [*metrics.categories, metrics.overall]
    if all(group.intent is None for group in groups):
        return []
    lines = [
        "End-effector intent (did the policy aim at the correct tile?):",
        "",
        "| category | first tile = target | closer to target | correct side | "
        "towards target | net progress | dwell >= 3 s | released over target |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for group in groups:
        intent = group.intent
        if intent is None:
            continue
        lines.append(
            f"| {group.name} | {percent(intent.first_entered_target_rate)} | "
            f"{percent(intent.closer_to_target_rate)} | "
            f"{percent(intent.mean_correct_side_fraction)} | "
            f"{percent(intent.mean_towards_target_fraction)} | "
            f"{intent.mean_net_progress:.2f} | {percent(intent.dwell_rate)} | "
            f"{percent(intent.release_over_target_rate)} |"
        )
    lines += [
        "",
        "The same questions under the study's definitions (Act2AnswerV4-v1 `evaluate`: "
        "over = tile bbox + 8 cm and 2 cm above it; dwell = total or longest run >= 3 s; "
        "net progress in metres), and tile drift (> 1 cm):",
        "",
        "| category | study: first choice correct | study: dwell >= 3 s | "
        "study: release near target | study: net progress (m) | tiles drifted |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for group in groups:
        intent = group.intent
        if intent is None:
            continue
        lines.append(
            f"| {group.name} | {percent(intent.study_first_choice_correct_rate)} | "
            f"{percent(intent.study_dwell_3s_rate)} | "
            f"{percent(intent.study_release_near_target_rate)} | "
            f"{intent.study_mean_net_progress_m:.3f} | {percent(intent.tile_drift_rate)} |"
        )
    return [*lines, ""]


def _metrics_json(report: RunReport) -> dict[str, object]:
    return {
        "run": json.loads(report.config.model_dump_json()),
        "episodes_stored": len(report.results),
        "episodes_expected": report.expected_episodes,
        "scoring": report.scoring.value,
        "condition": report.config.condition.value,
        "wording": report.config.wording.value,
        "categories": [_group_json(group) for group in report.metrics.categories],
        "overall": _group_json(report.metrics.overall),
        "overall_by_rule": {
            rule.value: _group_json(metrics.overall) for rule, metrics in report.by_rule.items()
        },
        "consistency": json_safe([asdict(row) for row in _consistency(report)]),
        "timing": report.timings,
    }


def _consistency(report: RunReport) -> tuple[Consistency, ...]:
    order = [group.name for group in report.metrics.categories]
    return layout_consistency(trials_from(report.results), order)
