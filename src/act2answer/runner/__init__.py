"""Run a suite x policy x layouts evaluation: parallel, resumable, stored in SQLite."""

from act2answer.runner._local import RunSummary, default_workers, run_evaluation

__all__ = ["RunSummary", "default_workers", "run_evaluation"]
