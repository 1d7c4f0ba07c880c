"""The HTML study report: content, self-containment, links and errors (no browser)."""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from act2answer.analysis.metrics import GroupMetrics, Interval, Verdict
from act2answer.cli.main import app
from act2answer.errors import RunError
from act2answer.report.html import ModelKind, load_study, write_html_report
from act2answer.report.html._figures import category_bars_svg, radar_svg
from tests.helpers.study_fixtures import (
    write_synthetic_probe,
    write_synthetic_run,
    write_synthetic_vlm_run,
)

CATEGORIES = ("Color", "Time", "Counting", "Shape")


class _Collector(HTMLParser):
    """Tags with their attributes, to check what the page loads and links."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def parse(html: str) -> list[tuple[str, dict[str, str | None]]]:
    collector = _Collector()
    collector.feed(html)
    return collector.tags


@pytest.fixture(scope="module")
def study_dirs(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("study")
    return {
        "knows": write_synthetic_run(root / "knows", policy="knows", skill=[0.95, 0.9, 0.6, 0.5],
                                     categories=CATEGORIES),
        "lefty": write_synthetic_run(root / "lefty", policy="lefty", skill=[0.5], left_bias=1.0,
                                     categories=CATEGORIES),
        "idle": write_synthetic_run(root / "idle", policy="idle", skill=[0.5], no_answer=1.0,
                                    categories=CATEGORIES),
        "vlm": write_synthetic_vlm_run(root / "vlm", model="tiny-vlm", skill=[0.95],
                                       categories=CATEGORIES),
        "probe": write_synthetic_probe(root / "probe", categories=CATEGORIES[:2], retention=0.4),
    }  # fmt: skip


@pytest.fixture(scope="module")
def page(study_dirs, tmp_path_factory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("page") / "sub" / "study.html"
    write_html_report(list(study_dirs.values()), out)
    return out, out.read_text(encoding="utf-8")


def test_page_is_self_contained(page):
    _, html = page
    tags = parse(html)
    loaded = [
        (tag, attrs.get("src") or attrs.get("href"))
        for tag, attrs in tags
        if tag in ("script", "link", "img", "iframe", "embed", "object", "source")
    ]
    # Nothing is loaded from anywhere: the only <img> are data: URIs, no scripts, no stylesheets.
    assert all(tag == "img" and str(src).startswith("data:") for tag, src in loaded), loaded
    assert "@import" not in html and "url(http" not in html
    assert not re.search(r'(src|href)="(https?:)?//', html)


def test_matrix_marks_chance_band_no_answer_and_side_bias(page):
    _, html = page
    matrix = html[html.index('id="matrix"') : html.index('id="behaviour"')]
    rows = re.findall(r"<tr><td class=\"name\"><b>([^<]+)</b>(.*?)</tr>", matrix, re.S)
    assert [name for name, _ in rows] == ["vlm", "knows", "lefty", "idle"]  # VLMs first
    assert matrix.index("VLMs (answer in words)") < matrix.index("VLAs (answer by acting)")
    cells = {name: re.findall(r'<td class="cell([^"]*)"', body) for name, body in rows}
    assert all(len(c) == len(CATEGORIES) + 1 for c in cells.values())  # + overall
    assert all("band" in c for c in cells["lefty"])  # guessing: inside the chance band
    assert "band" not in cells["knows"][0]  # Color at 95%: above the band
    assert matrix.count('class="flag">left 100%') == len(CATEGORIES) + 1
    assert matrix.count('class="flag">no answer 100%') == len(CATEGORIES) + 1
    assert re.search(r'title="Color: success [89]\d\.\d% \(\d+/40\), 95% CI', matrix)


def test_radars_verdicts_probing_and_metadata(page, study_dirs):
    out, html = page
    radar = html[html.index('id="radar"') : html.index('id="consistency"')]
    assert radar.count("<svg") == 4
    consistency = html[html.index('id="consistency"') : html.index('id="verdicts"')]
    assert consistency.count('class="flag">no answer 100%') == len(CATEGORIES) + 1  # idle
    verdicts = html[html.index('id="verdicts"') : html.index('id="gap"')]
    assert "Holm" in verdicts and "p (uncorrected)" in verdicts and "exact binomial" in verdicts
    probing = html[html.index('id="probing"') : html.index('id="runs"')]
    assert probing.count("<svg") == 1 and ">Color<" in probing and ">Time<" in probing
    assert "Mean" in probing and re.search(r"<b>0\.[34]\d</b>", probing)  # retention table
    runs = html[html.index('id="runs"') :]
    assert "synthetic-suite-v1" in runs and '{"name":"knows","kwargs":{}}' in unescape(runs)
    assert "base seed 0" in runs and "act2answer 0.1.0" in runs
    assert '"model":"tiny-vlm"' in unescape(runs) and "frame (frame:" in runs
    hrefs = [a["href"] for tag, a in parse(runs) if tag == "a" and a.get("href")]
    csv_links = [h for h in hrefs if h.endswith(("episodes.csv", "answers.csv"))]
    assert len(csv_links) == 4
    for href in csv_links:
        assert not Path(href).is_absolute()
        assert (out.parent / href).resolve().is_file(), href


def test_vlm_vs_vla_gap_uses_paired_comparison(page, study_dirs, tmp_path):
    _, html = page
    gap = html[html.index('id="gap"') : html.index('id="probing"')]
    assert gap.count("<svg") == 1
    study = load_study(list(study_dirs.values()), tmp_path, thumbnails=False)
    assert [m.kind for m in study.models] == [ModelKind.VLM] + [ModelKind.VLA] * 3
    # One comparison per VLA against the VLM, baseline = VLM, gap = VLA - VLM.
    assert [(c.baseline, c.other) for c in study.comparisons] == [
        ("vlm", "knows"),
        ("vlm", "lefty"),
        ("vlm", "idle"),
    ]
    idle = study.comparisons[2].overall
    assert idle.other_rate == 0.0 and idle.gap == pytest.approx(-idle.baseline_rate)
    assert idle.gap_interval.high < 0 and idle.mcnemar_p < 0.001
    assert f">{100 * idle.gap:+.1f}<" in gap
    assert "0 VLM, 0 VLA" in gap  # no unpaired trials


def test_study_rejects_bad_folders(study_dirs, tmp_path):
    with pytest.raises(RunError, match=r"not a run folder .*, a probe run or a sweep folder"):
        load_study([tmp_path], tmp_path)
    with pytest.raises(RunError, match="given twice"):
        load_study([study_dirs["knows"], study_dirs["knows"]], tmp_path)
    with pytest.raises(RunError, match="2 distinct labels"):
        load_study([study_dirs["knows"], study_dirs["probe"]], tmp_path, labels=["a", "a"])
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "probe.json").write_text('{"curves": [{"category": "A"}]}')
    with pytest.raises(RunError, match=r"broken/probe.json: not a probe result"):
        load_study([broken], tmp_path)


def test_probe_runs_alone(study_dirs, tmp_path):
    html = write_html_report([study_dirs["probe"]], tmp_path / "probe.html").read_text()
    assert "No evaluation runs were given" in html
    assert html[html.index('id="probing"') :].count("<svg") == 1


def test_cli_report_several_folders_with_html(study_dirs, tmp_path):
    runner = CliRunner()
    out = tmp_path / "page.html"
    dirs = [str(study_dirs[name]) for name in ("knows", "lefty", "vlm", "probe")]
    result = runner.invoke(app, ["report", *dirs, "--html", str(out)])
    assert result.exit_code == 0, result.output
    flat = result.output.replace("\n", "")
    assert flat.count("episodes.csv") == 2 and flat.count("answers.csv") == 1  # each run's files
    assert f"wrote {out}" in flat
    assert out.stat().st_size > 10_000
    result = runner.invoke(app, ["report", str(tmp_path / "nothing"), "--html", str(out)])
    assert result.exit_code == 1 and "is this a run folder" in result.output


def _group(name: str, correct: int, episodes: int = 20) -> GroupMetrics:
    half = 0.22
    return GroupMetrics(
        name=name,
        episodes=episodes,
        correct=correct,
        success_rate=correct / episodes,
        success_interval=Interval(0.0, 1.0),
        chance_band=Interval(0.5 - half, 0.5 + half),
        no_answer_rate=0.0,
        left_choice_rate=0.5,
        error_rate=0.0,
        release_rate=1.0,
        verdict=Verdict.WITHIN,
    )


def test_fewer_than_three_categories_draw_bars_not_a_radar():
    two = [_group("Color", 18), _group("Shape", 9)]
    three = [*two, _group("Time", 12)]
    assert radar_svg(two) == category_bars_svg(two)  # a two-spoke radar would be a line
    assert radar_svg(three) != category_bars_svg(three)


def test_a_sweep_folder_shows_its_metrics_against_the_knob_with_intervals(study_dirs, tmp_path):
    """``sweep_summary.csv`` (``act2answer lab sweep``): rates with clipped intervals and
    unclipped ratios are told apart by their column names; an older summary is refused."""
    sweep = tmp_path / "sweep"
    sweep.mkdir()
    (sweep / "sweep_summary.csv").write_text(
        "ratio,seeds,heldout_success,heldout_success_t95clip_low,heldout_success_t95clip_high,"
        "probe_retention,probe_retention_t95_low,probe_retention_t95_high\n"
        "0.0,3,0.55,0.41,0.69,0.30,-0.20,0.80\n"
        "0.5,3,0.62,0.50,0.74,0.71,0.33,1.09\n"
    )
    html = write_html_report(
        [study_dirs["probe"], sweep], tmp_path / "page.html", labels=["my probe", "sweep"]
    ).read_text()
    assert 'id="sweep"' in html and "VQA co-training ratio r" in html
    assert "success, held-out categories" in html and "layerwise-probe retention" in html
    assert '0.62 <span class="ci">[0.50, 0.74]</span>' in html
    assert "my probe" in html  # a label given for a probe run names its curve
    (sweep / "sweep_summary.csv").write_text("ratio,seeds,x,x_low,x_high\n0,3,0.5,0.4,0.6\n")
    with pytest.raises(RunError, match=r"no interval columns .*rerun the sweep"):
        load_study([sweep], tmp_path)
