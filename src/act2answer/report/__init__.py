"""Reports of a run: terminal table, report.md, metrics.json, episodes.csv."""

from act2answer.report._tables import markdown_table, rich_table
from act2answer.report._write import (
    EPISODES_CSV,
    METRICS_JSON,
    REPORT_MD,
    RunReport,
    load_report,
    write_report,
)

__all__ = [
    "EPISODES_CSV",
    "METRICS_JSON",
    "REPORT_MD",
    "RunReport",
    "load_report",
    "markdown_table",
    "rich_table",
    "write_report",
]
