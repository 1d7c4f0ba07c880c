"""Run many episodes (VLA) or questions (VLM): parallel, resumable, stored in SQLite."""

from act2answer.runner._executors import EXECUTORS, ExecutionPlan, Executor
from act2answer.runner._local import RunSummary, default_workers, run_evaluation
from act2answer.runner._ray import RayOptions
from act2answer.runner._vlm import VLMRunSummary, run_vlm

__all__ = [
    "EXECUTORS",
    "ExecutionPlan",
    "Executor",
    "RayOptions",
    "RunSummary",
    "VLMRunSummary",
    "default_workers",
    "run_evaluation",
    "run_vlm",
]
