"""The built-in demo: generate a small procedural suite, run the reference policies."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table

from act2answer.errors import RunError, SuiteError
from act2answer.report import RunReport, load_report, rich_table, write_report
from act2answer.report._tables import interval_text, percent
from act2answer.report.html import write_html_report
from act2answer.report.html._render import require_report_extra
from act2answer.runner import run_evaluation
from act2answer.sim import SimConfig
from act2answer.suite import Suite, load_suite

#: Reference policies in the order the demo runs them.
DEMO_POLICIES = ("oracle", "random", "left", "idle")
DEMO_SEED = 0
#: The reference scene, with early stop so the demo stays near a minute (the reference
#: protocol always runs 80 steps; `act2answer run` does by default). Idle never releases
#: the cube, so early stop never ends its episodes: 20 steps show the same as 80.
DEMO_SIM = SimConfig(early_stop=True)
DEMO_IDLE_SIM = SimConfig(early_stop=True, max_steps=20)
#: Episodes of the oracle run recorded as MP4 (thumbnails in the HTML report).
DEMO_VIDEOS = 2


@dataclass(frozen=True)
class DemoResult:
    """The demo's suite, one report per reference policy, and the HTML study page."""

    suite: Suite
    reports: dict[str, RunReport]
    html: Path


def demo_suite(out: Path, per_category: int) -> Suite:
    """Load the demo suite from ``out``, generating it first if missing or different."""
    from act2answer.synth import generate_suite

    try:
        suite = load_suite(out, check_images=False)
        counts = {c: sum(i.category == c for i in suite.items) for c in suite.categories}
        if set(counts.values()) == {per_category}:
            return suite
    except SuiteError:
        pass
    return generate_suite(out, per_category=per_category, seed=DEMO_SEED)


def run_demo(
    out: Path | str,
    *,
    per_category: int = 8,
    workers: int | None = None,
    console: Console | None = None,
) -> DemoResult:
    """Generate the demo suite under ``out/suite`` and run each reference policy.

    Each policy's run goes to ``out/runs/<policy>``; a second call resumes/reuses them.

    Raises:
        Act2AnswerError: the ``report`` extra (the HTML page) is missing; checked
            before anything runs.
        RenderBackendError: this machine cannot render offscreen.
        RunError: every episode of a policy's run ended in error.
    """
    console = console or Console()
    out = Path(out)
    require_report_extra()  # the page is part of the demo: say so before any episode runs
    suite = demo_suite(out / "suite", per_category)
    console.print(
        f"suite {suite.name}: {len(suite.items)} items in {len(suite.categories)} categories, "
        f"{2 * len(suite.items)} episodes per policy; reference scene with early stop "
        "(idle: 20 steps) for speed; `act2answer run` follows the fixed 80-step protocol"
    )
    reports: dict[str, RunReport] = {}
    for policy in DEMO_POLICIES:
        run_dir = out / "runs" / policy
        sim = DEMO_IDLE_SIM if policy == "idle" else DEMO_SIM
        video = DEMO_VIDEOS if policy == "oracle" else 0
        try:
            summary = run_evaluation(
                suite, policy, run_dir, workers=workers, sim=sim, video=video
            )
        except RunError as exc:  # a demo folder from another act2answer version: start over
            console.print(f"[yellow]{exc}; replacing the demo run[/yellow]")
            shutil.rmtree(run_dir)
            summary = run_evaluation(
                suite, policy, run_dir, workers=workers, sim=sim, video=video
            )
        if summary.episodes_run and summary.errors == summary.episodes_run:
            reasons = "; ".join(summary.error_reasons)
            raise RunError(f"every {policy} episode of the demo ended in error: {reasons}")
        report = load_report(run_dir)
        write_report(report)
        reports[policy] = report
        console.print(
            rich_table(
                report.metrics,
                title=f"{policy}: {summary.episodes_run} episodes run "
                f"in {summary.wall_time_s:.1f} s ({summary.episodes_skipped} reused)",
            )
        )
    console.print(_comparison(reports))
    console.print(f"reports: {out / 'runs'}/<policy>/report.md")
    html = write_html_report([out / "runs" / p for p in DEMO_POLICIES], out / "report.html")
    console.print(f"HTML report: {html.resolve()}")
    return DemoResult(suite, reports, html)


def _comparison(reports: dict[str, RunReport]) -> Table:
    table = Table(title="Reference policies (overall, macro mean over categories)")
    for header in ("policy", "success", "95% CI", "verdict", "no answer", "left choice"):
        table.add_column(header, justify="left" if header == "policy" else "right")
    for policy, report in reports.items():
        overall = report.metrics.overall
        table.add_row(
            policy,
            percent(overall.success_rate),
            interval_text(overall.success_interval),
            overall.verdict.value,
            percent(overall.no_answer_rate),
            percent(overall.left_choice_rate),
        )
    return table
