"""Paired outcomes of any run folder (VLA episodes or VLM answers), keyed alike."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from act2answer.eval.scoring import Outcome
from act2answer.interfaces import Side


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


def trials_from(records: Iterable[object]) -> tuple[Trial, ...]:
    """Trials from ``EpisodeResult`` or ``VLMAnswer`` records (both carry these fields)."""
    return tuple(
        Trial(
            item_id=record.item_id,  # type: ignore[attr-defined]
            category=record.category,  # type: ignore[attr-defined]
            layout=record.answer_side,  # type: ignore[attr-defined]
            correct=record.outcome is Outcome.CORRECT,  # type: ignore[attr-defined]
        )
        for record in records
    )


def load_outcomes(run_dir: Path | str, label: str | None = None) -> RunOutcomes:
    """Read any run folder's paired outcomes.

    Raises:
        RunError: not a run folder, or a run without configuration.
    """
    from act2answer.errors import RunError
    from act2answer.store import ResultStore
    from act2answer.store._vlm import VLMStore, run_kind

    run_dir = Path(run_dir)
    if run_kind(run_dir) == "vlm":
        with VLMStore.open_existing(run_dir) as vlm_store:
            vlm_config = vlm_store.config()
            answers = vlm_store.answers()
        if vlm_config is None:
            raise RunError(f"{run_dir}: database has no run configuration")
        return RunOutcomes(
            label or vlm_config.label,
            "vlm",
            run_dir,
            vlm_config.suite_name,
            vlm_config.suite_hash,
            trials_from(answers),
            _scene(vlm_config.sim, vlm_config.base_seed)
            if vlm_config.input_mode.value == "frame"
            else None,
        )
    with ResultStore.open_existing(run_dir) as store:
        config = store.config()
        results = store.results()
    if config is None:
        raise RunError(f"{run_dir}: database has no run configuration")
    return RunOutcomes(
        label or config.policy.name,
        "vla",
        run_dir,
        config.suite_name,
        config.suite_hash,
        trials_from(results),
        _scene(config.sim, config.base_seed),
    )


def _scene(sim: object, base_seed: int) -> str:
    return f"{sim.model_dump_json()} base_seed={base_seed}"  # type: ignore[attr-defined]
