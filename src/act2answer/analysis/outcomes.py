"""Paired outcomes of any run folder (VLA episodes or VLM answers), keyed alike."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from act2answer.eval.scoring import Outcome
from act2answer.interfaces import Side

if TYPE_CHECKING:
    from act2answer.store import RunRecord


@dataclass(frozen=True)
class Trial:
    """One item in one layout, from any kind of run.

    Attributes:
        item_id: Suite item id.
        category: Item category.
        layout: Where the correct image lay.
        correct: The run answered it correctly.
    """

    item_id: str
    category: str
    layout: Side

    correct: bool

    @property
    def key(self) -> tuple[str, str]:
        return (self.item_id, self.layout.value)

    # The record protocol (act2answer.store.RunRecord), so metrics read trials directly.
    @property
    def answer_side(self) -> Side:
        return self.layout

    @property
    def outcome(self) -> Outcome:
        return Outcome.CORRECT if self.correct else Outcome.WRONG

    @property
    def chosen_side(self) -> Side | None:
        return None

    @property
    def wall_time_s(self) -> float:
        return math.nan

    @property
    def error(self) -> str | None:
        return None


@dataclass(frozen=True)
class RunOutcomes:
    """A run's trials, with a label and what produced them.

    Attributes:
        label: Short name (policy or model and input mode).
        kind: ``"vla"`` or ``"vlm"``.
        run_dir: The run folder.
        suite_name: Suite the run used.
        suite_hash: Suite content hash.
        trials: One per stored episode / answer.
        scene: Simulator settings and base seed the run's images came from
            (JSON), or None for a VLM run shown the option images.
    """

    label: str
    kind: str
    run_dir: Path
    suite_name: str
    suite_hash: str
    trials: tuple[Trial, ...]
    scene: str | None = None

    def by_key(self) -> dict[tuple[str, str], Trial]:
        return {trial.key: trial for trial in self.trials}


def trials_from(records: Iterable[RunRecord]) -> tuple[Trial, ...]:
    """Trials from stored records of any run kind (:class:`act2answer.store.RunRecord`)."""
    return tuple(
        Trial(
            item_id=record.item_id,
            category=record.category,
            layout=record.answer_side,
            correct=record.outcome is Outcome.CORRECT,
        )
        for record in records
    )


def load_outcomes(run_dir: Path | str, label: str | None = None) -> RunOutcomes:
    """Read any run folder's paired outcomes.

    Raises:
        RunError: not a run folder, or a run without configuration.
    """
    from act2answer.errors import RunError
    from act2answer.store import open_run

    run_dir = Path(run_dir)
    with open_run(run_dir) as store:
        config = store.config()
        records = store.records()
        kind = store.kind
    if config is None:
        raise RunError(f"{run_dir}: database has no run configuration")
    return RunOutcomes(
        label or config.label,
        kind,
        run_dir,
        config.suite_name,
        config.suite_hash,
        trials_from(records),
        config.image_source,
    )
