"""A study: several run folders (models, probe runs) read together for one report."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from enum import Enum
from pathlib import Path

from act2answer import __version__
from act2answer.analysis.layout_consistency import Consistency, layout_consistency
from act2answer.analysis.verdicts import CorrectedVerdicts, corrected_verdicts
from act2answer.errors import RunError
from act2answer.report._write import EPISODES_CSV, RunReport, load_report, write_report
from act2answer.report.html._probes import ProbeRun, is_probe_run, load_probe_run
from act2answer.store import DB_FILE


class ModelKind(str, Enum):
    """Whether a model answered in words (VLM) or by acting (VLA)."""

    VLM = "vlm"
    VLA = "vla"


@dataclass(frozen=True)
class VideoLink:
    """A recorded episode video.

    Attributes:
        item_id: Suite item.
        answer_side: Layout.
        outcome: Episode outcome.
        href: Link to the MP4, relative to the HTML file.
        thumbnail: ``data:`` URI of a frame strip, or None when not embedded.
    """

    item_id: str
    answer_side: str
    outcome: str
    href: str
    thumbnail: str | None


@dataclass(frozen=True)
class StudyModel:
    """One evaluated model (one run folder) with everything the page shows of it."""

    label: str
    kind: ModelKind
    report: RunReport
    consistency: tuple[Consistency, ...]
    verdicts: CorrectedVerdicts
    episodes_href: str
    videos: tuple[VideoLink, ...]


@dataclass(frozen=True)
class Study:
    """Everything one HTML report shows.

    Attributes:
        models: Evaluated models, VLMs first, then VLAs, each in the order given.
        categories: Union of the models' categories, in first-seen (suite) order.
        probes: Probe runs.
        generated_at: UTC time the study was read.
        version: act2answer version that wrote the page.
    """

    models: tuple[StudyModel, ...]
    categories: tuple[str, ...]
    probes: tuple[ProbeRun, ...]
    generated_at: str
    version: str = __version__


#: Videos per run embedded as frame strips; the others are listed as links.
MAX_THUMBNAILS_PER_RUN = 6


def model_kind(report: RunReport) -> ModelKind:
    """VLM or VLA, from what the run recorded."""
    return ModelKind.VLA


def _href(target: Path, page_dir: Path) -> str:
    try:
        relative = os.path.relpath(target.resolve(), page_dir.resolve())
    except ValueError:  # another drive on Windows
        return target.resolve().as_uri()
    return Path(relative).as_posix()


def _labels(run_dirs: Sequence[Path]) -> list[str]:
    """Folder names, prefixed with the parent folder where two would be the same."""
    names = [d.resolve().name for d in run_dirs]
    return [
        f"{d.resolve().parent.name}/{name}" if names.count(name) > 1 else name
        for d, name in zip(run_dirs, names, strict=True)
    ]


def _videos(report: RunReport, page_dir: Path, thumbnails: bool) -> tuple[VideoLink, ...]:
    from act2answer.report.html._figures import video_strip

    links = []
    for result in report.results:
        if not result.video:
            continue
        path = report.run_dir / result.video
        thumbnail = None
        if thumbnails and len(links) < MAX_THUMBNAILS_PER_RUN and path.is_file():
            thumbnail = video_strip(path)
        links.append(
            VideoLink(
                item_id=result.item_id,
                answer_side=result.answer_side.value,
                outcome=result.outcome.value,
                href=_href(path, page_dir),
                thumbnail=thumbnail,
            )
        )
    return tuple(links)


def load_study(
    run_dirs: Sequence[Path | str], page_dir: Path | str = ".", *, thumbnails: bool = True
) -> Study:
    """Read evaluation and probe run folders for one report.

    A folder with ``results.sqlite`` is an evaluation run (VLA or VLM); a
    folder with ``probe.json`` is a probe run. Each evaluation run's
    ``episodes.csv`` (and other report files) is rewritten so the page can link it.

    Args:
        run_dirs: Run folders, in the order the page lists them.
        page_dir: Folder the HTML file will be written to (links are relative to it).
        thumbnails: Embed frame strips of recorded videos.

    Raises:
        RunError: a folder is neither kind of run, or is given twice.
    """
    page_dir = Path(page_dir)
    dirs = [Path(d) for d in run_dirs]
    if not dirs:
        raise RunError("no run folders given")
    seen: set[Path] = set()
    for run_dir in dirs:
        if run_dir.resolve() in seen:
            raise RunError(f"{run_dir}: given twice")
        seen.add(run_dir.resolve())
    models: list[StudyModel] = []
    probes: list[ProbeRun] = []
    for run_dir, label in zip(dirs, _labels(dirs), strict=True):
        if (run_dir / DB_FILE).is_file():
            models.append(_study_model(run_dir, label, page_dir, thumbnails))
        elif is_probe_run(run_dir):
            probes.append(load_probe_run(run_dir))
        else:
            raise RunError(f"{run_dir}: neither a run folder ({DB_FILE}) nor a probe run")
    models.sort(key=lambda m: m.kind is not ModelKind.VLM)  # stable: VLMs first
    categories: dict[str, None] = {}
    for model in models:
        categories.update(dict.fromkeys(g.name for g in model.report.metrics.categories))
    return Study(
        models=tuple(models),
        categories=tuple(categories),
        probes=tuple(probes),
        generated_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
    )


def _study_model(run_dir: Path, label: str, page_dir: Path, thumbnails: bool) -> StudyModel:
    report = load_report(run_dir)
    if not (run_dir / EPISODES_CSV).is_file():
        # So that the page's link works; in a read-only folder the link stays dead.
        with contextlib.suppress(OSError):
            write_report(report)
    order = [g.name for g in report.metrics.categories]
    return StudyModel(
        label=label,
        kind=model_kind(report),
        report=report,
        consistency=layout_consistency(report.results, order),
        verdicts=corrected_verdicts(report.metrics),
        episodes_href=_href(run_dir / EPISODES_CSV, page_dir),
        videos=_videos(report, page_dir, thumbnails),
    )
