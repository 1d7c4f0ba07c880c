"""Reports of a run of any kind: terminal table, report.md, metrics.json and a CSV.

VLA runs write ``episodes.csv``, VLM runs ``answers.csv``; both go through one
writer (:func:`write_report`) and one loader (:func:`load_run_report`).
"""

from act2answer.report._files import METRICS_JSON, REPORT_MD
from act2answer.report._runs import load_run_report, report_table, write_report
from act2answer.report._tables import interval_text, markdown_table, percent, rich_table
from act2answer.report._vlm import ANSWERS_CSV, VLMReport, load_vlm_report
from act2answer.report._write import EPISODES_CSV, RunReport, load_report

__all__ = [
    "ANSWERS_CSV",
    "EPISODES_CSV",
    "METRICS_JSON",
    "REPORT_MD",
    "RunReport",
    "VLMReport",
    "interval_text",
    "load_report",
    "load_run_report",
    "load_vlm_report",
    "markdown_table",
    "percent",
    "report_table",
    "rich_table",
    "write_report",
]
