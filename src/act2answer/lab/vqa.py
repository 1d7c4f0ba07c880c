"""Synthetic two-option VQA on rendered frames, for pretraining and co-training.

Items come from the procedural generators (all 11 categories by default) with
a training seed: keep it apart from the evaluation suite's seed (``act2answer
synth`` defaults to 0), so no evaluated item is trained on. Every item is
rendered in both layouts exactly as an evaluation episode's first frame (same
simulator, same reset), and asked with the prompt ``act2answer vlm`` uses in
frame mode, with the letter that names the left tile drawn at random per
question (so neither a letter nor a side is a shortcut).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from act2answer.interfaces import ObservationNeeds, Side
from act2answer.vlm.prompt import InputMode, LetterBinding, PromptTemplate

#: Mixed into the seed of the letter bindings of training questions.
_LETTER_STREAM = 0x1E77E5


@dataclass
class VQASet:
    """Rendered questions.

    Attributes:
        images: ``(N, H, W, 3)`` uint8 first frames.
        prompts: ``(N,)`` prompt texts (frame mode, letter binding included).
        instructions: ``(N,)`` the episodes' robot instructions.
        answers: ``(N,)`` 0 when "A" is correct, 1 when "B" is.
        sides: ``(N,)`` 0 when the correct tile is left, 1 when right.
        categories: ``(N,)`` category names.
        item_ids: ``(N,)`` item ids.
    """

    images: np.ndarray
    prompts: np.ndarray
    instructions: np.ndarray
    answers: np.ndarray
    sides: np.ndarray
    categories: np.ndarray
    item_ids: np.ndarray

    def __len__(self) -> int:
        return int(self.answers.shape[0])

    def save(self, path: Path | str) -> None:
        """Write the set as one ``.npz`` file."""
        np.savez_compressed(
            path,
            images=self.images,
            prompts=self.prompts.astype(str),
            instructions=self.instructions.astype(str),
            answers=self.answers,
            sides=self.sides,
            categories=self.categories.astype(str),
            item_ids=self.item_ids.astype(str),
        )

    @classmethod
    def load(cls, path: Path | str) -> VQASet:
        """Read a set written by :meth:`save`."""
        with np.load(path) as data:
            return cls(**{key: data[key] for key in data.files})

    def subset(self, mask: np.ndarray) -> VQASet:
        """The questions where ``mask`` is true."""
        return VQASet(**{key: value[mask] for key, value in vars(self).items()})


def render_vqa(suite, sim_config, template: PromptTemplate | None = None, seed: int = 0) -> VQASet:  # type: ignore[no-untyped-def]
    """Render the first frame of every item of ``suite`` in both layouts, with its prompt.

    Args:
        suite: A loaded :class:`~act2answer.suite.Suite`.
        sim_config: Simulator settings (the frame size is the camera size).
        template: Prompt template (default: the one ``act2answer vlm`` uses).
        seed: Seed of the random letter bindings.
    """
    from act2answer.eval.episode import load_tile_image
    from act2answer.eval.tasks import make_tasks
    from act2answer.sim import make_env

    template = template or PromptTemplate()
    rng = np.random.default_rng([seed, _LETTER_STREAM])
    items = {item.id: item for item in suite.items}
    images, prompts, instructions, answers, sides, categories, ids = [], [], [], [], [], [], []
    env = make_env(sim_config)
    try:
        for task in make_tasks(suite):
            env.set_tiles(load_tile_image(task.left_image), load_tile_image(task.right_image))
            observation, _ = env.reset(
                seed=task.seed, instruction=task.instruction, needs=ObservationNeeds(image=True)
            )
            binding = LetterBinding(seed=0, a_is_left=bool(rng.integers(0, 2)))
            item = items[task.item_id]
            images.append(observation.image)
            prompts.append(
                template.render(InputMode.FRAME, binding, item.question, task.instruction)
            )
            instructions.append(task.instruction)
            answers.append(0 if binding.letter_for(task.answer_side) == "A" else 1)
            sides.append(int(task.answer_side is Side.RIGHT))
            categories.append(task.category)
            ids.append(task.item_id)
    finally:
        env.close()
    return VQASet(
        images=np.stack(images),
        prompts=np.asarray(prompts),
        instructions=np.asarray(instructions),
        answers=np.asarray(answers, dtype=np.int64),
        sides=np.asarray(sides, dtype=np.int64),
        categories=np.asarray(categories),
        item_ids=np.asarray(ids),
    )


def build_vqa_set(
    cache: Path | str,
    *,
    per_category: int,
    seed: int,
    categories: Sequence[str] | None = None,
    sim_config=None,  # type: ignore[no-untyped-def]
) -> VQASet:
    """Generate a training suite and render its questions, cached in ``cache`` (reused).

    Args:
        cache: Folder for the generated suite and ``vqa.npz``; an existing
            ``vqa.npz`` there is loaded instead of rendering again.
        per_category: Items per category.
        seed: Suite seed (keep it apart from the evaluation suite's).
        categories: Categories (default: all 11).
        sim_config: Simulator settings (default: the reference scene, 128x96 frames).
    """
    from act2answer.sim import SimConfig
    from act2answer.synth import generate_suite

    cache = Path(cache)
    path = cache / "vqa.npz"
    if path.exists():
        return VQASet.load(path)
    suite = generate_suite(
        cache / "suite", per_category=per_category, seed=seed, categories=categories, workers=1
    )
    vqa = render_vqa(suite, sim_config or SimConfig(camera_width=128, camera_height=96), seed=seed)
    cache.mkdir(parents=True, exist_ok=True)
    vqa.save(path)
    return vqa
