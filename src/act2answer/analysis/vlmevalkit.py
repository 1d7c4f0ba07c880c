"""VLMEvalKit prediction files as runs for ``compare``, next to run folders."""

from __future__ import annotations

from pathlib import Path

from act2answer.analysis.outcomes import RunOutcomes, Trial, load_outcomes
from act2answer.interop.vlmevalkit_predictions import (
    PREDICTION_SUFFIXES,
    VLMEvalKitPredictions,
    read_vlmevalkit_predictions,
)

#: ``RunOutcomes.kind`` of an imported VLMEvalKit run.
KIND = "vlmevalkit"


def outcomes_of(predictions: VLMEvalKitPredictions) -> RunOutcomes:
    """A VLMEvalKit run's trials, keyed like VLA episodes (no scene: no simulator frames)."""
    return RunOutcomes(
        predictions.label,
        KIND,
        predictions.path,
        predictions.suite_name,
        predictions.suite_hash,
        tuple(Trial(t.item_id, t.category, t.layout, t.correct) for t in predictions.trials()),
    )


def is_prediction_file(path: Path) -> bool:
    """Whether ``compare`` reads ``path`` as a VLMEvalKit prediction file (not a run folder)."""
    return not path.is_dir() and path.suffix.lower() in (*PREDICTION_SUFFIXES, ".pkl")


def load_compare_input(path: Path | str, label: str | None = None) -> tuple[RunOutcomes, str]:
    """A run folder's outcomes, or a prediction file's with a one-line summary ("" for folders).

    Raises:
        RunError: a folder that is not a run folder.
        PredictionFileError: a prediction file that cannot be imported.
    """
    path = Path(path)
    if not is_prediction_file(path):
        return load_outcomes(path, label), ""
    predictions = read_vlmevalkit_predictions(path, label)
    return outcomes_of(predictions), predictions.summary()
