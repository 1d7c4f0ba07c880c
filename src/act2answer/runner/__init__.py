"""Run a suite x policy x layouts evaluation: parallel, resumable, stored in SQLite."""

from act2answer.runner._local import RunSummary, default_workers, run_evaluation
from act2answer.runner._ray import RayOptions

__all__ = ["RayOptions", "RunSummary", "default_workers", "run_evaluation"]
