"""Any run folder's report: load, show and write it, whatever the run kind."""

from __future__ import annotations

from pathlib import Path

from rich.table import Table

from act2answer.eval.scoring import ScoringRule
from act2answer.report._tables import rich_table
from act2answer.report._vlm import VLMReport, load_vlm_report, vlm_rich_table, write_vlm_report
from act2answer.report._write import RunReport, load_report, write_episode_report
from act2answer.store import run_kind


def load_run_report(
    run_dir: Path | str, scoring: ScoringRule | str | None = None
) -> RunReport | VLMReport:
    """Read any run folder (VLA episodes or VLM answers) and compute its metrics.

    Args:
        run_dir: The run folder.
        scoring: VLA runs: report under this rule (None: the run's own). VLM
            answers have one rule only, so it is ignored for them.

    Raises:
        RunError: not a run folder, or a run without configuration.
    """
    if run_kind(run_dir) == "vlm":
        return load_vlm_report(run_dir)
    return load_report(run_dir, scoring=scoring)


def write_report(report: RunReport | VLMReport) -> list[Path]:
    """Write ``report.md``, ``metrics.json`` and the records' CSV into the run folder.

    Returns:
        The paths written.
    """
    if isinstance(report, VLMReport):
        return write_vlm_report(report)
    return write_episode_report(report)


def report_table(report: RunReport | VLMReport) -> Table:
    """The run's metrics as a terminal table, titled with what answered on which suite."""
    if isinstance(report, VLMReport):
        return vlm_rich_table(report)
    return rich_table(report.metrics, title=f"{report.config.label} on {report.config.suite_name}")
