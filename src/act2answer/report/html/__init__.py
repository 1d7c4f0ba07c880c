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

__all__ = [
    "CategoryRetention",
    "CurvePoint",
    "ModelKind",
    "ProbeRun",
    "Retention",
    "Study",
    "StudyModel",
    "load_probe_run",
    "load_study",
    "render_html",
    "write_html_report",
]
