"""Ask a VLM every item of a suite, in both layouts, and store the answers (resumable)."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from act2answer.eval.episode import load_tile_image, show_task_tiles
from act2answer.eval.scoring import Outcome
from act2answer.eval.tasks import EpisodeTask, make_tasks
from act2answer.interfaces import ObservationNeeds, Side
from act2answer.sim import SimBackend, SimConfig, make_env
from act2answer.store import VLMStore
from act2answer.suite import Suite, load_suite
from act2answer.vlm.backends import VLMBackend, VLMQuestion, make_backend
from act2answer.vlm.config import ModelSpec, VLMRunConfig
from act2answer.vlm.prompt import InputMode, LetterBinding, PromptTemplate, letter_binding
from act2answer.vlm.results import VLMAnswer
from act2answer.vlm.scoring import LetterScores, ScoreMethod

AnswerCallback = Callable[[VLMAnswer, int, int], None]


@dataclass(frozen=True)
class VLMRunSummary:
    """What one call of :func:`run_vlm` did."""

    asked: int
    skipped: int
    errors: int
    text_fallbacks: int
    wall_time_s: float


class FrameSource:
    """First frames of episodes from the same simulator, settings and seeds as VLA runs.

    Args:
        sim: Simulator settings (the VLA run's, for a like-for-like comparison).
        keep: Keep frames in memory for reuse (several models asked the same
            suite in one process render each frame once). Off by default: a
            full suite at 640x480 is about 3 GB of frames.
    """

    def __init__(self, sim: SimConfig, keep: bool = False) -> None:
        self.sim = sim
        self.keep = keep
        self._env: SimBackend | None = None
        self._kept: dict[tuple[int, str, str, str], np.ndarray] = {}

    def frame(self, task: EpisodeTask) -> np.ndarray:
        """The observation image right after ``reset``: what a VLA sees at step 0."""
        key = (task.seed, task.left_image, task.right_image, task.instruction)
        if key in self._kept:
            return self._kept[key]
        if self._env is None:
            self._env = make_env(self.sim)
        show_task_tiles(self._env, task)
        observation, _ = self._env.reset(
            seed=task.seed, instruction=task.instruction, needs=ObservationNeeds(image=True)
        )
        if observation.image is None:
            raise RuntimeError("the simulator returned no image")
        if self.keep:
            self._kept[key] = observation.image
        return observation.image

    def close(self) -> None:
        if self._env is not None:
            self._env.close()
            self._env = None


def question_images(
    task: EpisodeTask, mode: InputMode, frames: FrameSource | None
) -> tuple[np.ndarray, ...]:
    """Frame mode: the episode's first frame; options mode: left then right image."""
    if mode is InputMode.FRAME:
        if frames is None:
            raise ValueError("frame mode needs a FrameSource")
        return (frames.frame(task),)
    return (load_tile_image(task.left_image), load_tile_image(task.right_image))


def build_answer(
    task: EpisodeTask,
    binding: LetterBinding,
    prompt: str,
    scores: LetterScores,
    wall_time_s: float,
) -> VLMAnswer:
    """Turn a backend's scores into the stored record of one question."""
    correct_letter = binding.letter_for(task.answer_side)
    letter = None if scores.error else scores.letter
    if scores.error:
        outcome = Outcome.ERROR
    elif letter is None:
        outcome = Outcome.NO_ANSWER
    else:
        outcome = Outcome.CORRECT if letter == correct_letter else Outcome.WRONG
    margin = None
    if scores.score_a is not None and scores.score_b is not None:
        difference = scores.score_a - scores.score_b
        margin = difference if correct_letter == "A" else -difference
    return VLMAnswer(
        **task.record_fields,
        frame_seed=task.seed,
        letter_seed=binding.seed,
        a_is_left=binding.a_is_left,
        correct_letter=correct_letter,
        chosen_letter=letter,
        chosen_side=binding.side_for(letter) if letter else None,
        outcome=outcome,
        score_a=scores.score_a,
        score_b=scores.score_b,
        margin=margin,
        method=ScoreMethod.NONE if scores.error else scores.method,
        generated_text=scores.text,
        prompt=prompt,
        wall_time_s=wall_time_s,
        error=scores.error,
    )


def run_vlm(
    suite: Suite | Path | str,
    model: ModelSpec,
    run_dir: Path | str,
    *,
    input_mode: InputMode = InputMode.FRAME,
    prompt: PromptTemplate | None = None,
    sim: SimConfig | None = None,
    base_seed: int = 0,
    layouts: tuple[Side, ...] = (Side.LEFT, Side.RIGHT),
    batch_size: int = 8,
    retry_errors: bool = False,
    api_key: str | None = None,
    api_key_env: str | None = None,
    runtime: dict[str, Any] | None = None,
    backend: VLMBackend | None = None,
    frames: FrameSource | None = None,
    on_answer: AnswerCallback | None = None,
) -> VLMRunSummary:
    """Ask ``model`` every item of ``suite`` in every layout; store answers in ``run_dir``.

    Rerunning with the same folder skips stored answers; another configuration is refused.

    Args:
        suite: A loaded suite or its folder.
        model: The model and backend.
        run_dir: Run folder (``results.sqlite`` is created there).
        input_mode: ``frame`` (first episode frame) or ``options`` (the two images).
        prompt: Prompt template (default :class:`PromptTemplate`).
        sim: Simulator settings of the frames (default ``SimConfig()``, as VLA runs).
        base_seed: Mixed into frame seeds and letter-binding seeds.
        layouts: Layouts asked per item.
        batch_size: Questions per backend call.
        retry_errors: Ask again the questions stored as errors.
        api_key: Secret for the OpenAI-compatible backend (never stored).
        api_key_env: The environment variable ``api_key`` was read from: its name
            is stored (when a key is given) so :func:`act2answer.rerun` can read it again.
        runtime: Backend options that do not change answers (device, base URL,
            timeouts, retries, concurrency); stored for ``rerun`` but not part of
            the run's identity, free to change on resume. Never a secret.
        backend: A ready backend (otherwise created from ``model``).
        frames: A frame source to reuse (its simulator settings must equal ``sim``).
        on_answer: Called with each stored answer, the count done and the total.
    """
    started = time.perf_counter()
    loaded = suite if isinstance(suite, Suite) else load_suite(suite)
    config = VLMRunConfig(
        **VLMRunConfig.suite_fields(loaded),
        model=model,
        input_mode=input_mode,
        prompt=prompt or PromptTemplate(),
        sim=sim or SimConfig(),
        layouts=layouts,
        base_seed=base_seed,
        runtime=runtime or {},
        api_key_env=api_key_env if api_key is not None else None,
        batch_size=max(1, batch_size),
    )
    tasks = make_tasks(loaded, layouts=layouts, base_seed=base_seed)
    asked = errors = fallbacks = 0
    with VLMStore(run_dir) as store:
        store.bind_config(config)
        if retry_errors:
            store.delete_errors()
        done = store.finished_keys()
        pending = [task for task in tasks if task.key not in done]
        if not pending:
            return VLMRunSummary(0, len(tasks), 0, 0, time.perf_counter() - started)
        own_backend = backend is None
        active = (
            backend
            if backend is not None
            else make_backend(model, api_key=api_key, runtime=runtime)
        )
        own_frames = frames is None
        if frames is not None and frames.sim != config.sim:
            raise ValueError("the frame source's simulator settings differ from the run's")
        if frames is None and input_mode is InputMode.FRAME:
            frames = FrameSource(config.sim)
        try:
            for start in range(0, len(pending), max(1, batch_size)):
                batch = pending[start : start + max(1, batch_size)]
                for answer in _ask_batch(batch, loaded, config, active, frames):
                    store.add(answer)
                    asked += 1
                    errors += answer.outcome is Outcome.ERROR
                    fallbacks += answer.method is ScoreMethod.TEXT
                    if on_answer is not None:
                        on_answer(answer, len(done) + asked, len(tasks))
        finally:
            if frames is not None and own_frames:
                frames.close()
            if own_backend:
                active.close()
    return VLMRunSummary(
        asked, len(tasks) - len(pending), errors, fallbacks, time.perf_counter() - started
    )


def _ask_batch(
    batch: Sequence[EpisodeTask],
    suite: Suite,
    config: VLMRunConfig,
    backend: VLMBackend,
    frames: FrameSource | None,
) -> list[VLMAnswer]:
    started = time.perf_counter()
    bindings = [letter_binding(suite.name, task.item_id, config.base_seed) for task in batch]
    prompts = [
        config.prompt.render(
            config.input_mode, binding, suite.item(task.item_id).question, task.instruction
        )
        for task, binding in zip(batch, bindings, strict=True)
    ]
    scores: list[LetterScores | None] = [None] * len(batch)
    questions: list[VLMQuestion] = []
    asked_index: list[int] = []
    for index, task in enumerate(batch):
        try:
            images = question_images(task, config.input_mode, frames)
        except Exception as exc:  # a broken image or frame fails its question, not the run
            scores[index] = _error(f"images: {type(exc).__name__}: {exc}")
            continue
        questions.append(VLMQuestion(prompt=prompts[index], images=images))
        asked_index.append(index)
    if questions:
        try:
            answered = backend.answer(questions)
            if len(answered) != len(questions):
                raise RuntimeError(f"{len(answered)} answers for {len(questions)} questions")
        except Exception as exc:  # recorded per question; the run goes on
            answered = [_error(f"{type(exc).__name__}: {exc}")] * len(questions)
        for index, result in zip(asked_index, answered, strict=True):
            scores[index] = result
    share = (time.perf_counter() - started) / len(batch)
    return [
        build_answer(task, binding, prompt, result or _error("not asked"), share)
        for task, binding, prompt, result in zip(batch, bindings, prompts, scores, strict=True)
    ]


def _error(message: str) -> LetterScores:
    return LetterScores(None, None, ScoreMethod.NONE, error=message)
