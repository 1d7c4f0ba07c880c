"""A study: several run folders (models, probe runs) read together for one report."""

from __future__ import annotations

import contextlib
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from enum import Enum
from pathlib import Path
from typing import Any

from act2answer import __version__
from act2answer.analysis import RunMetrics
from act2answer.analysis.compare import RunComparison, compare_runs
from act2answer.analysis.consistency import Consistency, layout_consistency
from act2answer.analysis.outcomes import RunOutcomes, Trial, trials_from
from act2answer.analysis.verdicts import CorrectedVerdicts, corrected_verdicts
from act2answer.errors import RunError
from act2answer.eval.config import RunConfig
from act2answer.report._write import EPISODES_CSV, RunReport, load_report
from act2answer.report._write import write_episode_report as write_report
from act2answer.report.html._probes import ProbeRun, is_probe_run, load_probe_run
from act2answer.report.html._sweep import SweepRun, is_sweep_run, load_sweep_run
from act2answer.store import DB_FILE, run_kind
from act2answer.vlm.config import VLMRunConfig


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
    """One evaluated model (one run folder, VLA or VLM) with everything the page shows of it.

    Attributes:
        label: Unique display name (the run folder's name).
        kind: VLM or VLA.
        run_dir: The run folder.
        suite_name: Suite the run used.
        suite_hash: Suite content hash.
        metrics: Per-category and overall metrics (same code for both kinds).
        consistency: Per-category consistency across layouts, then all items pooled.
        verdicts: Tests against chance, corrected across categories.
        stored: Episodes (VLA) or answers (VLM) stored.
        expected: How many the run consists of (None if the suite is gone).
        records_href: Link to ``episodes.csv`` / ``answers.csv``, relative to the page.
        details: Run metadata lines for the page, ``(term, text)``.
        config_json: The full stored run configuration.
        outcomes: Paired outcomes, for comparisons.
        videos: Recorded episode videos (VLA runs).
        letter_a_rate: VLM runs: share of letter answers that were "A" (letter bias); NaN for VLAs.
    """

    label: str
    kind: ModelKind
    run_dir: Path
    suite_name: str
    suite_hash: str
    metrics: RunMetrics
    consistency: tuple[Consistency, ...]
    verdicts: CorrectedVerdicts
    stored: int
    expected: int | None
    records_href: str
    details: tuple[tuple[str, str], ...]
    config_json: str
    outcomes: RunOutcomes
    videos: tuple[VideoLink, ...] = ()
    letter_a_rate: float = math.nan

    @property
    def complete(self) -> bool | None:
        return None if self.expected is None else self.stored >= self.expected

    @property
    def records_name(self) -> str:
        return Path(self.records_href).name


@dataclass(frozen=True)
class Study:
    """Everything one HTML report shows.

    Attributes:
        models: Evaluated models, VLMs first, then VLAs, each in the order given.
        categories: Union of the models' categories, in first-seen (suite) order.
        comparisons: Each VLA against each VLM run on the same suite (baseline = VLM).
        probes: Probe runs.
        generated_at: UTC time the study was read.
        version: act2answer version that wrote the page.
        sweeps: Sweep folders (``sweep_summary.csv``: metrics against a training knob).
    """

    models: tuple[StudyModel, ...]
    categories: tuple[str, ...]
    comparisons: tuple[RunComparison, ...]
    probes: tuple[ProbeRun, ...]
    generated_at: str
    version: str = __version__
    sweeps: tuple[SweepRun, ...] = ()


#: Videos per run embedded as frame strips; the others are listed as links.
MAX_THUMBNAILS_PER_RUN = 6


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
    run_dirs: Sequence[Path | str],
    page_dir: Path | str = ".",
    *,
    thumbnails: bool = True,
    labels: Sequence[str] | None = None,
) -> Study:
    """Read evaluation, probe and sweep folders for one report.

    A folder with ``results.sqlite`` is an evaluation run (VLA or VLM); a
    folder with ``probe.json`` is a probe run (a folder may be both); a folder
    with ``sweep_summary.csv`` is a sweep (``act2answer lab sweep``). An
    evaluation run without ``episodes.csv`` / ``answers.csv`` gets its report
    files written, so that the page's link to them works.

    Args:
        run_dirs: Run folders, in the order the page lists them.
        page_dir: Folder the HTML file will be written to (links are relative to it).
        thumbnails: Embed frame strips of recorded videos.
        labels: Display name per folder (default: the folder's name, with its
            parent's where two would be the same).

    Raises:
        RunError: a folder is none of these, is given twice, or the labels do not match.
    """
    page_dir = Path(page_dir)
    dirs = [Path(d) for d in run_dirs]
    if not dirs:
        raise RunError("no run folders given")
    if labels is not None and (len(labels) != len(dirs) or len(set(labels)) < len(labels)):
        raise RunError(f"{len(dirs)} run folders need {len(dirs)} distinct labels, got {labels}")
    seen: set[Path] = set()
    for run_dir in dirs:
        if run_dir.resolve() in seen:
            raise RunError(f"{run_dir}: given twice")
        seen.add(run_dir.resolve())
    models: list[StudyModel] = []
    probes: list[ProbeRun] = []
    sweeps: list[SweepRun] = []
    for run_dir, label in zip(dirs, list(labels or _labels(dirs)), strict=True):
        evaluated, probed = (run_dir / DB_FILE).is_file(), is_probe_run(run_dir)
        swept = is_sweep_run(run_dir)
        if not (evaluated or probed or swept):
            raise RunError(
                f"{run_dir}: not a run folder ({DB_FILE}), a probe run or a sweep folder"
            )
        if evaluated:
            models.append(_study_model(run_dir, label, page_dir, thumbnails))
        if probed:  # a folder may hold both an evaluation and a probe run
            probes.append(load_probe_run(run_dir, label if labels else ""))
        if swept:
            sweeps.append(load_sweep_run(run_dir))
    models.sort(key=lambda m: m.kind is not ModelKind.VLM)  # stable: VLMs first
    categories: dict[str, None] = {}
    for model in models:
        categories.update(dict.fromkeys(g.name for g in model.metrics.categories))
    return Study(
        models=tuple(models),
        categories=tuple(categories),
        comparisons=_comparisons(models, list(categories)),
        probes=tuple(probes),
        generated_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        sweeps=tuple(sweeps),
    )


def _comparisons(models: Sequence[StudyModel], order: list[str]) -> tuple[RunComparison, ...]:
    vlms = [m for m in models if m.kind is ModelKind.VLM]
    vlas = [m for m in models if m.kind is ModelKind.VLA]
    return tuple(
        compare_runs(vlm.outcomes, vla.outcomes, category_order=order)
        for vlm in vlms
        for vla in vlas
        if vlm.suite_hash == vla.suite_hash
        and {t.key for t in vlm.outcomes.trials} & {t.key for t in vla.outcomes.trials}
    )


def _study_model(run_dir: Path, label: str, page_dir: Path, thumbnails: bool) -> StudyModel:
    if run_kind(run_dir) == "vlm":
        return _vlm_model(run_dir, label, page_dir)
    report = load_report(run_dir)
    if not (run_dir / EPISODES_CSV).is_file():
        # So that the page's link works; in a read-only folder the link stays dead.
        with contextlib.suppress(OSError):
            write_report(report)
    config = report.config
    order = [g.name for g in report.metrics.categories]
    trials = trials_from(report.results)
    sim = config.sim
    details = (
        ("policy", config.policy.model_dump_json()),
        ("simulator", f"{sim.robot}, {sim.camera_width}×{sim.camera_height} camera, "
                      f"{sim.max_steps} steps max, tile jitter ±{sim.tile_jitter} m"),
        ("seeds", f"base seed {config.base_seed}; layouts "
                  f"{', '.join(side.value for side in config.layouts)}; "
                  "each episode's seed is in episodes.csv"),
    )  # fmt: skip
    return _model(
        ModelKind.VLA, label, run_dir, config, report.metrics, trials,
        consistency=layout_consistency(trials, order),
        expected=report.expected_episodes,
        records_href=_href(run_dir / EPISODES_CSV, page_dir),
        details=details,
        videos=_videos(report, page_dir, thumbnails),
    )  # fmt: skip


def _vlm_model(run_dir: Path, label: str, page_dir: Path) -> StudyModel:
    from act2answer.report._vlm import ANSWERS_CSV, load_vlm_report, write_vlm_report

    report = load_vlm_report(run_dir)
    if not (run_dir / ANSWERS_CSV).is_file():
        with contextlib.suppress(OSError):
            write_vlm_report(report)
    config = report.config
    details = (
        ("model", config.model.model_dump_json()),
        ("input", f"{config.input_mode.value} (frame: the episode's first rendered frame; "
                  "options: the two option images)"),
        ("prompt", config.prompt.model_dump_json()),
        ("simulator", f"frames from {config.sim.robot}, "
                      f"{config.sim.camera_width}×{config.sim.camera_height} camera"),
        ("seeds", f"base seed {config.base_seed} (frames and letter binding); layouts "
                  f"{', '.join(side.value for side in config.layouts)}"),
    )  # fmt: skip
    trials = trials_from(report.answers)
    return _model(
        ModelKind.VLM, label, run_dir, config, report.metrics, trials,
        consistency=report.consistency,
        expected=report.expected_answers,
        records_href=_href(run_dir / ANSWERS_CSV, page_dir),
        details=details,
        letter_a_rate=report.extras[-1].a_choice_rate,
    )  # fmt: skip


def _model(
    kind: ModelKind,
    label: str,
    run_dir: Path,
    config: RunConfig | VLMRunConfig,
    metrics: RunMetrics,
    trials: tuple[Trial, ...],
    *,
    details: tuple[tuple[str, str], ...],
    **fields: Any,
) -> StudyModel:
    """The fields both kinds of run fill the same way; ``fields`` holds the rest."""
    provenance = (
        ("version", f"act2answer {config.act2answer_version}, "
                    f"git {config.git_revision or 'unknown'}"),
        ("started", config.created_at),
    )  # fmt: skip
    return StudyModel(
        label=label,
        kind=kind,
        run_dir=run_dir,
        suite_name=config.suite_name,
        suite_hash=config.suite_hash,
        metrics=metrics,
        verdicts=corrected_verdicts(metrics),
        stored=len(trials),
        details=(*details, *provenance),
        config_json=config.model_dump_json(),
        outcomes=RunOutcomes(
            label, kind.value, run_dir, config.suite_name, config.suite_hash, trials
        ),
        **fields,
    )
