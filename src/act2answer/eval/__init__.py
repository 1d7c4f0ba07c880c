"""Evaluation of single episodes: tasks and seeds, the episode loop, scoring, workers."""

from act2answer.eval.config import RunConfig
from act2answer.eval.episode import run_episode
from act2answer.eval.results import EpisodeResult
from act2answer.eval.scoring import Judgement, Outcome, default_radius, judge
from act2answer.eval.tasks import LAYOUTS, EpisodeTask, episode_seed, make_tasks
from act2answer.eval.worker import EpisodeWorker

__all__ = [
    "LAYOUTS",
    "EpisodeResult",
    "EpisodeTask",
    "EpisodeWorker",
    "Judgement",
    "Outcome",
    "RunConfig",
    "default_radius",
    "episode_seed",
    "judge",
    "make_tasks",
    "run_episode",
]
