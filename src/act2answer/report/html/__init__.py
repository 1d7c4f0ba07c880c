"""The study report: several run folders on one self-contained HTML page.

Needs the ``report`` extra (``pip install 'act2answer[report]'``: Jinja2,
matplotlib, scipy, statsmodels).
"""

from act2answer.report.html._probes import (
    CategoryRetention,
    CurvePoint,
    ProbeRun,
    Retention,
    load_probe_run,
)
from act2answer.report.html._render import render_html, write_html_report
from act2answer.report.html._study import ModelKind, Study, StudyModel, load_study
from act2answer.report.html._sweep import (
    SWEEP_SUMMARY_CSV,
    SweepMetric,
    SweepRun,
    is_sweep_run,
    load_sweep_run,
)

__all__ = [
    "SWEEP_SUMMARY_CSV",
    "CategoryRetention",
    "CurvePoint",
    "ModelKind",
    "ProbeRun",
    "Retention",
    "Study",
    "StudyModel",
    "SweepMetric",
    "SweepRun",
    "is_sweep_run",
    "load_probe_run",
    "load_study",
    "load_sweep_run",
    "render_html",
    "write_html_report",
]
