"""Render a study as one self-contained HTML page (Jinja2 template, inline SVG figures)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from act2answer.analysis import OVERALL, GroupMetrics, Interval
from act2answer.analysis.verdicts import METHOD_TEXT
from act2answer.errors import MissingExtraError
from act2answer.report.html._study import Study, StudyModel, load_study

#: A cell is flagged when at least this share of its episodes ended on neither tile.
NO_ANSWER_FLAG = 0.5
#: A cell is flagged when at least this share of tile choices was one side.
SIDE_BIAS_FLAG = 0.9


@dataclass(frozen=True)
class Cell:
    """One cell of a heatmap matrix, ready for the template."""

    text: str
    detail: str
    tooltip: str
    background: str
    foreground: str
    in_chance_band: bool
    flag: str = ""


def _percent(value: float, digits: int = 0) -> str:
    return "–" if math.isnan(value) else f"{100 * value:.{digits}f}%"


def _interval(interval: Interval) -> str:
    return f"{100 * interval.low:.0f}–{100 * interval.high:.0f}"


def _points(value: float, signed: bool = True) -> str:
    """A difference of rates in percentage points, ``"+12.5"``."""
    if math.isnan(value):
        return "–"
    return f"{100 * value:+.1f}" if signed else f"{100 * value:.1f}"


def _fixed(value: float) -> str:
    return "–" if math.isnan(value) else f"{value:.2f}"


def _p_value(value: float) -> str:
    if math.isnan(value):
        return "–"
    return "<0.001" if value < 0.001 else f"{value:.3f}"


def _flag(group: GroupMetrics) -> str:
    if not math.isnan(group.no_answer_rate) and group.no_answer_rate >= NO_ANSWER_FLAG:
        return f"no answer {_percent(group.no_answer_rate)}"
    left = group.left_choice_rate
    if not math.isnan(left) and max(left, 1 - left) >= SIDE_BIAS_FLAG:
        side = "left" if left >= 0.5 else "right"
        return f"{side} {_percent(max(left, 1 - left))}"
    return ""


def success_cell(group: GroupMetrics | None) -> Cell:
    """Heatmap cell of one category's success rate (an empty cell when not evaluated)."""
    from act2answer.report.html._figures import heat_colour

    if group is None or group.episodes == 0:
        return Cell("", "", "not evaluated", "#f4f4f4", "#999999", False)
    background, foreground = heat_colour(group.success_rate)
    flag = _flag(group)
    if flag.startswith("no answer"):
        background, foreground = "#d9d9d9", "#333333"
    in_band = group.chance_band.contains(group.success_rate)
    tooltip = (
        f"{group.name}: success {_percent(group.success_rate, 1)} "
        f"({group.correct}/{group.episodes}), 95% CI {_interval(group.success_interval)}%, "
        f"chance band {_interval(group.chance_band)}%, no answer "
        f"{_percent(group.no_answer_rate)}, left choice {_percent(group.left_choice_rate)}"
    )
    return Cell(
        text=_percent(group.success_rate),
        detail=_interval(group.success_interval),
        tooltip=tooltip,
        background=background,
        foreground=foreground,
        in_chance_band=in_band,
        flag=flag,
    )


def _success_rows(study: Study) -> list[tuple[StudyModel, list[Cell]]]:
    rows = []
    for model in study.models:
        groups = {g.name: g for g in model.metrics.categories}
        cells = [success_cell(groups.get(name)) for name in study.categories]
        cells.append(success_cell(model.metrics.overall))
        rows.append((model, cells))
    return rows


def _consistency_rows(study: Study) -> list[tuple[StudyModel, list[Cell]]]:
    from act2answer.report.html._figures import heat_colour

    rows = []
    for model in study.models:
        by_name = {c.name: c for c in model.consistency}
        groups = {g.name: g for g in (*model.metrics.categories, model.metrics.overall)}
        overall_name = model.consistency[-1].name
        cells = []
        for name, group_name in (*((n, n) for n in study.categories), (overall_name, OVERALL)):
            row = by_name.get(name)
            if row is None or row.items == 0:
                cells.append(Cell("", "", "not evaluated", "#f4f4f4", "#999999", False))
                continue
            # Colour on the success scale: a random policy is consistent on ~25% of items.
            background, foreground = heat_colour(min(1.0, 0.5 + (row.rate - 0.25) / 1.5))
            group = groups.get(group_name)
            flag = _flag(group) if group is not None else ""
            if flag.startswith("no answer"):
                background, foreground = "#d9d9d9", "#333333"
            tooltip = (
                f"{name}: correct in both layouts on {row.both_correct}/{row.items} items "
                f"({_percent(row.rate, 1)}), 95% CI {_interval(row.interval)}%"
            )
            text = _percent(row.rate)
            cells.append(
                Cell(text, _interval(row.interval), tooltip, background, foreground, False, flag)
            )
        rows.append((model, cells))
    return rows


def require_report_extra() -> None:
    """Fail with one clear line when the ``report`` extra is not installed."""
    import importlib.util

    missing = [
        name
        for name in ("jinja2", "matplotlib", "scipy", "statsmodels")
        if importlib.util.find_spec(name) is None
    ]
    if missing:
        raise MissingExtraError("the HTML report", "report", ", ".join(missing))


def render_html(study: Study) -> str:
    """The page as a string."""
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    from act2answer.report.html._figures import (
        gap_svg,
        heat_colour,
        probe_curves_svg,
        radar_svg,
        sweep_svg,
    )

    environment = Environment(
        loader=PackageLoader("act2answer.report.html", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters.update(
        percent=_percent, interval=_interval, p_value=_p_value, points=_points, fixed=_fixed
    )
    template = environment.get_template("study.html.j2")
    radars = [(model, radar_svg(model.metrics.categories)) for model in study.models]
    suites = sorted({(m.suite_name, m.suite_hash) for m in study.models})
    return template.render(
        study=study,
        suites=suites,
        success_rows=_success_rows(study),
        consistency_rows=_consistency_rows(study),
        radars=radars,
        probe_svg=probe_curves_svg(study.probes) if study.probes else "",
        gap_svg=gap_svg(study.comparisons) if study.comparisons else "",
        sweep_svgs=[(sweep, sweep_svg(sweep)) for sweep in study.sweeps],
        success_scale={stop: heat_colour(stop)[0] for stop in (0, 0.25, 0.5, 0.75, 1)},
        method_text=METHOD_TEXT,
        no_answer_flag=NO_ANSWER_FLAG,
        side_bias_flag=SIDE_BIAS_FLAG,
        vlm_count=sum(m.kind.value == "vlm" for m in study.models),
    )


def write_html_report(
    run_dirs: Sequence[Path | str],
    out: Path | str,
    *,
    thumbnails: bool = True,
    labels: Sequence[str] | None = None,
) -> Path:
    """Read run folders and write the study's HTML page to ``out``.

    Args:
        run_dirs: Evaluation run folders (VLA or VLM), probe run folders and sweep folders.
        out: The HTML file to write (its folder is created).
        thumbnails: Embed frame strips of recorded videos.
        labels: Display name per folder (see :func:`load_study`).

    Returns:
        The path written.
    """
    require_report_extra()
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    study = load_study(run_dirs, out.parent, thumbnails=thumbnails, labels=labels)
    out.write_text(render_html(study), encoding="utf-8")
    return out
