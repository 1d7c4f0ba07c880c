"""Figures for the HTML report: matplotlib drawn to inline SVG, video frame strips as JPEG.

Matplotlib is used through ``Figure`` objects (no pyplot state, no GUI
backend). SVG text stays text (``svg.fonttype = "none"``): smaller files,
sharp when printed, searchable in the browser.
"""

from __future__ import annotations

import base64
import io
import math
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from act2answer.analysis import OVERALL, GroupMetrics
from act2answer.analysis.compare import RunComparison
from act2answer.report.html._probes import OVERALL_CURVE, ProbeRun
from act2answer.report.html._sweep import SweepRun

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

#: Success rates are coloured on a diverging map: red below chance, white at 0.5, blue above.
COLORMAP = "RdBu"
CHANCE = 0.5
_RC = {
    "svg.fonttype": "none",
    "font.family": "sans-serif",
    "font.size": 8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "svg.hashsalt": "act2answer",  # deterministic element ids
}
_SERIES_COLOURS = (
    "#1f5fa8", "#c2571a", "#2d8a4e", "#7b3fa0", "#8c6d1f",
    "#444444", "#d1477a", "#17a2b8", "#9aa01a", "#8b4513",
)  # fmt: skip


def heat_colour(rate: float) -> tuple[str, str]:
    """Background and text colour (hex) of a success-rate cell; grey for NaN."""
    from matplotlib import colormaps
    from matplotlib.colors import to_hex

    if math.isnan(rate):
        return "#e6e6e6", "#333333"
    red, green, blue, _ = colormaps[COLORMAP](0.1 + 0.8 * rate)  # avoid the darkest ends
    luminance = 0.2126 * red + 0.7152 * green + 0.0722 * blue
    return to_hex((red, green, blue)), "#ffffff" if luminance < 0.45 else "#111111"


def _svg(figure: Figure, tight: bool = True) -> str:
    buffer = io.StringIO()
    bbox = "tight" if tight else None
    figure.savefig(buffer, format="svg", bbox_inches=bbox, metadata={"Date": None})
    text = buffer.getvalue()
    text = text[text.index("<svg") :]  # drop the XML declaration and DOCTYPE
    # Let CSS size the figure: keep the viewBox, drop the fixed width/height in pt.
    return re.sub(r'<svg([^>]*?) width="[^"]*" height="[^"]*"', r"<svg\1", text, count=1)


#: Fewer categories than this draw bars: a radar of one or two spokes is a point or a line.
MIN_RADAR_CATEGORIES = 3


def radar_svg(groups: Sequence[GroupMetrics], title: str = "") -> str:
    """Success rate per category on a radar, with the chance band as a grey ring.

    With fewer than :data:`MIN_RADAR_CATEGORIES` categories the same figures are
    drawn as horizontal bars (:func:`category_bars_svg`).
    """
    if len(groups) < MIN_RADAR_CATEGORIES:
        return category_bars_svg(groups, title)
    from matplotlib import rc_context
    from matplotlib.figure import Figure

    names = [g.name for g in groups]
    count = len(names)
    angles = np.linspace(0, 2 * np.pi, count, endpoint=False)
    closed = np.append(angles, angles[:1])

    def ring(values: Sequence[float]) -> np.ndarray:
        array = np.array([0.0 if math.isnan(v) else v for v in values])
        return np.append(array, array[:1])

    with rc_context(_RC):
        figure = Figure(figsize=(3.5, 3.0))
        # Fixed margins for the category labels (a tight bounding box costs a second draw).
        figure.subplots_adjust(left=0.2, right=0.8, bottom=0.1, top=0.9)
        axes = figure.add_subplot(projection="polar")
        axes.set_theta_offset(np.pi / 2)
        axes.set_theta_direction(-1)
        low = ring([g.chance_band.low for g in groups])
        high = ring([g.chance_band.high for g in groups])
        axes.fill_between(closed, low, high, color="#e3e3e3", lw=0, label="chance band")
        axes.plot(closed, np.full_like(closed, CHANCE), color="#777777", lw=0.8, ls=":")
        rates = ring([g.success_rate for g in groups])
        axes.plot(closed, rates, color=_SERIES_COLOURS[0], lw=1.6, label="success")
        axes.fill(closed, rates, color=_SERIES_COLOURS[0], alpha=0.15)
        axes.scatter(angles, rates[:-1], s=9, color=_SERIES_COLOURS[0], zorder=3)
        axes.set_ylim(0, 1)
        axes.set_yticks([0.25, 0.5, 0.75, 1.0], ["25%", "50%", "75%", ""], fontsize=6)
        axes.set_rlabel_position(180 / max(count, 1))  # between the first two spokes
        axes.set_xticks(angles, [_wrap(n) for n in names], fontsize=7)
        axes.tick_params(axis="x", pad=1)
        axes.grid(color="#dddddd", lw=0.6)
        if title:
            axes.set_title(title, fontsize=9, pad=14)
        return _svg(figure, tight=False)


def category_bars_svg(groups: Sequence[GroupMetrics], title: str = "") -> str:
    """Success rate per category as horizontal bars, with each chance band in grey."""
    from matplotlib import rc_context
    from matplotlib.figure import Figure

    rows = np.arange(len(groups))
    rates = [0.0 if math.isnan(g.success_rate) else g.success_rate for g in groups]
    with rc_context(_RC):
        figure = Figure(figsize=(3.5, 0.6 + 0.45 * max(len(groups), 1)))
        figure.subplots_adjust(left=0.3, right=0.95, bottom=0.3, top=0.8)
        axes = figure.add_subplot()
        for row, group in zip(rows, groups, strict=True):
            band = group.chance_band
            axes.barh(row, band.high - band.low, left=band.low, height=0.8, color="#e3e3e3")
        axes.barh(rows, rates, height=0.45, color=_SERIES_COLOURS[0], label="success")
        axes.axvline(CHANCE, color="#777777", lw=0.8, ls=":")
        axes.set_xlim(0, 1)
        axes.set_xticks([0, 0.25, 0.5, 0.75, 1.0], ["0", "25%", "50%", "75%", "100%"], fontsize=6)
        axes.set_yticks(rows, [_wrap(g.name) for g in groups], fontsize=7)
        axes.invert_yaxis()
        if title:
            axes.set_title(title, fontsize=9)
        return _svg(figure, tight=False)


def gap_svg(comparisons: Sequence[RunComparison]) -> str:
    """Gap per category (VLA minus VLM, points) with its paired bootstrap interval.

    One row per category and the macro overall; one marker colour per pair of runs.
    """
    from matplotlib import rc_context
    from matplotlib.figure import Figure

    names: dict[str, None] = {}
    for comparison in comparisons:
        names.update(dict.fromkeys(row.name for row in comparison.categories))
    rows = [*names, OVERALL]
    count = len(comparisons)
    with rc_context(_RC):
        figure = Figure(figsize=(6.4, 0.5 + (0.22 + 0.07 * count) * len(rows)))
        axes = figure.add_subplot()
        for index, comparison in enumerate(comparisons):
            by_name = {row.name: row for row in (*comparison.categories, comparison.overall)}
            offset = (index - (count - 1) / 2) * min(0.7 / count, 0.25)
            shown = [(i, by_name[n]) for i, n in enumerate(rows) if n in by_name]
            y = np.array([i + offset for i, _ in shown])
            gap = np.array([100 * row.gap for _, row in shown])
            low = np.array([100 * row.gap_interval.low for _, row in shown])
            high = np.array([100 * row.gap_interval.high for _, row in shown])
            axes.errorbar(gap, y, xerr=[gap - low, high - gap], fmt="o", ms=3.5, lw=1.1,
                          capsize=2, color=_SERIES_COLOURS[index % len(_SERIES_COLOURS)],
                          label=f"{comparison.other} − {comparison.baseline}")  # fmt: skip
        axes.axvline(0, color="#777777", lw=0.8, ls=":")
        axes.axhline(len(rows) - 1.5, color="#dddddd", lw=0.6)  # above the overall row
        axes.set_yticks(range(len(rows)), [*names, "Overall"])
        axes.set_ylim(len(rows) - 0.5, -0.5)
        axes.set_xlabel("gap in points: VLA success − VLM success (negative: knowledge lost)")
        axes.grid(axis="x", color="#eeeeee", lw=0.6)
        axes.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=min(count, 3),
                    frameon=False, fontsize=7)  # fmt: skip
        return _svg(figure)


def _wrap(name: str, width: int = 10) -> str:
    if len(name) <= width or " " not in name:
        return name
    middle = len(name) // 2
    spaces = [i for i, c in enumerate(name) if c == " "]
    cut = min(spaces, key=lambda i: abs(i - middle))
    return name[:cut] + "\n" + name[cut + 1 :]


def probe_curves_svg(probes: Sequence[ProbeRun], columns: int = 4) -> str:
    """Accuracy by layer, one panel per category; backbone solid, action dashed.

    Action layers are drawn after the backbone's on the same axis (a thin
    vertical line marks where the action part starts); the dotted line is
    chance (0.5), the thin grey line the shuffled-label control, the shaded
    band one standard deviation over folds.
    """
    from matplotlib import rc_context
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    categories: dict[str, None] = {}
    for probe in probes:
        categories.update(dict.fromkeys(probe.categories))
    names = list(categories)
    rows = max(1, math.ceil(len(names) / columns))
    with rc_context(_RC):
        # Fixed margins rather than a layout engine: constrained/tight layout
        # costs seconds for a dozen panels.
        height = 1.95 * rows + 0.55
        figure = Figure(figsize=(2.3 * columns, height))
        figure.subplots_adjust(left=0.06, right=0.99, bottom=0.45 / height, top=1 - 0.6 / height,
                               wspace=0.08, hspace=0.8)  # fmt: skip
        grid = figure.subplots(rows, columns, sharey=True, squeeze=False)
        for index, axes in enumerate(grid.flat):
            if index >= len(names):
                axes.set_visible(False)
                continue
            _probe_panel(axes, probes, names[index])
            if index % columns == 0:
                axes.set_ylabel("probe accuracy")
        handles = [
            Line2D([], [], color=_SERIES_COLOURS[i % len(_SERIES_COLOURS)], lw=1.5, label=p.label)
            for i, p in enumerate(probes)
        ]
        handles += [
            Line2D([], [], color="#333333", lw=1.2, label="backbone (prefix)"),
            Line2D([], [], color="#333333", lw=1.2, ls="--", label="action"),
            Line2D([], [], color="#999999", lw=0.8, label="shuffled-label control"),
            Line2D([], [], color="#777777", lw=0.8, ls=":", label="chance"),
        ]
        figure.legend(handles=handles, loc="upper center", ncols=min(len(handles), 6),
                      frameon=False, fontsize=7)  # fmt: skip
        return _svg(figure, tight=False)


def _probe_panel(axes: Axes, probes: Sequence[ProbeRun], category: str) -> None:
    # Action layers of every run start after the longest backbone, behind one separator.
    prefix_lengths = [
        p.layer + 1 for probe in probes for p in probe.curves
        if p.category == category and p.part == "prefix"
    ]  # fmt: skip
    offset = max(prefix_lengths, default=0)
    has_action = False
    action_lengths = [0]
    for index, probe in enumerate(probes):
        colour = _SERIES_COLOURS[index % len(_SERIES_COLOURS)]
        points = [p for p in probe.curves if p.category == category]
        prefix = sorted((p for p in points if p.part == "prefix"), key=lambda p: p.layer)
        action = sorted((p for p in points if p.part == "action"), key=lambda p: p.layer)
        has_action = has_action or bool(action)
        action_lengths.append(len(action))
        for part, style, shift in ((prefix, "-", 0), (action, "--", offset)):
            if not part:
                continue
            x = np.array([p.layer + shift for p in part])
            y = np.array([p.accuracy for p in part])
            spread = np.array([p.spread for p in part])
            axes.plot(x, y, color=colour, lw=1.3, ls=style)
            if not np.isnan(spread).all():
                axes.fill_between(x, y - spread, y + spread, color=colour, alpha=0.12, lw=0)
            control = np.array([p.control for p in part])
            if not np.isnan(control).all():
                axes.plot(x, control, color="#999999", lw=0.7, ls=style)
    axes.axhline(CHANCE, color="#777777", lw=0.8, ls=":")
    if has_action and offset:
        axes.axvline(offset - 0.5, color="#bbbbbb", lw=0.7)
        axes.set_xlabel("layer: backbone | action", fontsize=7, labelpad=1)
        # Number action layers from 0 again, after the separator.
        step = 10 if max(offset, *action_lengths) > 16 else 5
        prefix_ticks = list(range(0, offset, step))
        action_ticks = list(range(0, max(action_lengths), step))
        axes.set_xticks([*prefix_ticks, *(offset + t for t in action_ticks)],
                        [str(t) for t in (*prefix_ticks, *action_ticks)])  # fmt: skip
    else:
        axes.set_xlabel("layer", fontsize=7, labelpad=1)
    axes.set_ylim(0.3, 1.02)
    axes.set_title("Overall (mean)" if category == OVERALL_CURVE else category, fontsize=8)


def sweep_figure(sweep: SweepRun) -> Figure:
    """Each metric's mean against the knob, with its interval over seeds as a band.

    Rates (success, VLM-probe accuracy; intervals clipped to [0, 1]) on the
    left with chance dotted; retention ratios on the right when there are any.
    """
    from matplotlib import rc_context
    from matplotlib.figure import Figure

    panels = [
        (title, [m for m in sweep.metrics if m.rate is rate])
        for title, rate in (("rate", True), ("retention", False))
    ]
    panels = [(title, metrics) for title, metrics in panels if metrics]
    x = np.array(sweep.values, dtype=float)
    with rc_context(_RC):
        figure = Figure(figsize=(3.4 * len(panels), 2.9))
        grid = figure.subplots(1, len(panels), squeeze=False)
        for axes, (title, metrics) in zip(grid.flat, panels, strict=True):
            for index, metric in enumerate(metrics):
                colour = _SERIES_COLOURS[index % len(_SERIES_COLOURS)]
                axes.plot(x, metric.means, marker="o", ms=3.5, lw=1.3, color=colour,
                          label=metric.title)  # fmt: skip
                low, high = np.array(metric.lows), np.array(metric.highs)
                if np.isfinite(low).any():
                    axes.fill_between(x, low, high, color=colour, alpha=0.15, lw=0)
            if title == "rate":
                axes.axhline(CHANCE, color="#777777", lw=0.8, ls=":", label="chance")
                axes.set_ylim(0, 1.02)
            else:
                axes.axhline(1.0, color="#777777", lw=0.8, ls=":", label="full retention")
            axes.set_xlabel("VQA co-training ratio r" if sweep.knob == "ratio" else sweep.knob)
            axes.set_ylabel(title)
            axes.set_xticks(x)
            axes.legend(fontsize=6, frameon=False, loc="best")
        figure.tight_layout()
        return figure


def sweep_svg(sweep: SweepRun) -> str:
    """:func:`sweep_figure` as inline SVG."""
    return _svg(sweep_figure(sweep))


def video_strip(path: Path, frames: int = 4, height: int = 72) -> str | None:
    """A ``data:image/jpeg`` URI of ``frames`` evenly spaced frames side by side.

    Returns None when the file cannot be decoded (the page then shows the link only).
    """
    import imageio.v3 as iio
    from PIL import Image

    try:
        thumbnails = [
            Image.fromarray(frame).resize(
                (max(1, round(frame.shape[1] * height / frame.shape[0])), height)
            )
            for frame in iio.imiter(path)
        ]
    except (OSError, ValueError, RuntimeError):
        return None
    if not thumbnails:
        return None
    picks = sorted({round(i) for i in np.linspace(0, len(thumbnails) - 1, frames)})
    width = sum(thumbnails[i].width for i in picks) + 2 * (len(picks) - 1)
    strip = Image.new("RGB", (width, height), "white")
    x = 0
    for i in picks:
        strip.paste(thumbnails[i], (x, 0))
        x += thumbnails[i].width + 2
    buffer = io.BytesIO()
    strip.save(buffer, format="JPEG", quality=70)
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
