"""Train LeRobot's SmolVLA class (a small config) on a demonstration dataset with LeRobot's trainer.

Runs in the LeRobot environment (``.venv-lerobot``: lerobot 0.4.4). Training is
LeRobot's own: :func:`lerobot.scripts.lerobot_train.train` (what ``lerobot-train``
runs) is called with a :class:`~lerobot.configs.train.TrainPipelineConfig` built
here: the dataset through ``make_dataset`` (``LeRobotDataset`` with the action
chunk as ``delta_timestamps``), the policy through ``make_policy`` (features
from the dataset), the pre/post-processors through ``make_pre_post_processors``
from ``meta/stats.json``, the optimiser and cosine scheduler of SmolVLA's preset,
``update_policy`` (flow-matching loss, gradient clipping) every step, and
``save_checkpoint`` at the end. The checkpoint is
``OUT/train/checkpoints/last/pretrained_model`` (policy, config and both
processors), which ``--policy lerobot --policy-args '{"model_path": ...}'`` loads.

No weights can be downloaded, so the VLM inside is a small SmolVLM built from
config with random weights (:func:`act2answer.testing.tiny.smolvla.write_tiny_vlm`,
written to ``OUT/vlm``; the checkpoint's tokenizer step points there, so keep
the folder). Its word-level vocabulary is built from the dataset's
instructions. With a random backbone the vision tower and the VLM must be
trained too (SmolVLA's defaults freeze both: ``freeze_vision_encoder``,
``train_expert_only``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from act2answer.errors import Act2AnswerError

if TYPE_CHECKING:
    from act2answer.lab.demos import DemoEpisode
    from act2answer.sim import SimConfig

#: Repository id given to LeRobot for a local dataset (never fetched: ``root`` is set).
REPO_ID = "act2answer/demos"


class SmolVLARecipe(BaseModel):
    """The SmolVLA config and training settings.

    Defaults: run 3 of notes/2026-12-06-issue-21-lab-smolvla.md (it did not
    reach the 80 % bar: its first-frame decision stayed at chance).

    Attributes:
        image_size: Square side SmolVLA resizes every frame to, with padding
            (``resize_imgs_with_padding``); the vision tower's image size.
        patch_size: Vision patch side; ``(image_size / patch_size / 2) ** 2``
            image tokens reach the VLM (the connector merges 2x2 patches).
        vision_width: Vision tower width.
        vision_layers: Vision tower layers.
        width: Text model width (the action expert is 0.75x this).
        layers: Text model layers = ``num_vlm_layers`` = expert layers.
        heads: Text model attention heads.
        chunk: Actions per predicted chunk (``chunk_size``).
        n_action_steps: Actions executed per chunk before asking again.
        flow_steps: Flow-matching integration steps at inference (``num_steps``).
        max_text_tokens: Instruction tokens (padded to this length).
        lr: Peak learning rate (SmolVLA's AdamW and cosine schedule).
        warmup: Warm-up steps; the cosine decay lasts the whole run.
        steps: Optimiser steps.
        batch_size: Frames per step.
        seed: Initialisation and batch-order seed.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    image_size: int = Field(64, ge=16)
    patch_size: int = Field(8, ge=2)
    vision_width: int = Field(64, ge=8)
    vision_layers: int = Field(2, ge=1)
    width: int = Field(64, ge=16)
    layers: int = Field(4, ge=1)
    heads: int = Field(4, ge=1)
    chunk: int = Field(4, ge=1)
    n_action_steps: int = Field(4, ge=1)
    flow_steps: int = Field(10, ge=1)
    max_text_tokens: int = Field(24, ge=4)
    lr: float = Field(1e-3, gt=0.0)
    warmup: int = Field(200, ge=0)
    steps: int = Field(3500, ge=1)
    batch_size: int = Field(32, ge=1)
    seed: int = 0

    def check(self) -> None:
        """Raise :class:`Act2AnswerError` for sizes the SmolVLM layout cannot take."""
        grid, rest = divmod(self.image_size, self.patch_size)
        if rest or grid % 2:
            raise Act2AnswerError(
                f"image_size {self.image_size} / patch_size {self.patch_size} must be an even "
                "whole number (the connector merges 2x2 patches)"
            )
        if self.width % self.heads or (self.width * 3 // 4) % self.heads:
            raise Act2AnswerError(
                f"width {self.width} and 0.75 x width must be multiples of heads {self.heads}"
            )
        if self.n_action_steps > self.chunk:
            raise Act2AnswerError(f"n_action_steps {self.n_action_steps} > chunk {self.chunk}")


def shape_episode(
    episode: DemoEpisode, keep_still: int | None, frame_size: tuple[int, int] | None
) -> DemoEpisode:
    """``episode`` without its still tail, its frames resized.

    A demonstration's decision (which tile) is made in its first frames; after
    the release the arm waits, still, until the episode's step limit (about 60
    of 80 frames). LeRobot's trainer draws frames uniformly, so trimming that
    tail (``keep_still`` frames are kept after the last move or gripper
    change) is how the deciding frames get a larger share of the batches.

    ``frame_size`` ``(height, width)`` resizes the frames the way the
    ``lerobot`` adapter resizes a render to the size the policy declares
    (bilinear), so a model trained on them sees at evaluation what it saw in
    training; smaller frames also make LeRobot's PNG decoding (which dominates
    a training step here) cheaper.
    """
    import numpy as np

    from act2answer.policies import conventions

    end = episode.length
    if keep_still is not None:
        moving = np.abs(episode.actions[:, :6]).max(axis=1) > 1e-6
        switches = np.flatnonzero(np.diff(episode.actions[:, 6]) != 0) + 1
        last = max([0, *np.flatnonzero(moving).tolist(), *switches.tolist()])
        end = min(episode.length, last + 1 + keep_still)
    head = _head(episode, end)
    if frame_size is None:
        return head
    images = [conventions.resize(frame, *frame_size, "bilinear") for frame in head.images]
    return replace(head, images=np.stack(images))


def _head(episode: DemoEpisode, frames: int) -> DemoEpisode:
    """The first ``frames`` frames of ``episode``."""
    return replace(
        episode,
        images=episode.images[:frames],
        states=episode.states[:frames],
        actions=episode.actions[:frames],
        executed=episode.executed[:frames],
    )


def with_start_copies(
    episodes: Iterable[DemoEpisode], copies: int, frames: int
) -> Iterator[DemoEpisode]:
    """The episodes, then ``copies`` copies of the first ``frames`` frames of each.

    Only an episode's first frame is ambiguous without the image (the arm
    starts from the same pose; one step later the state says which way it is
    going), so the image-and-instruction decision rests on about one frame in
    27. Copies of the starts, stored as extra short episodes, are how a uniform
    sampler (LeRobot's) draws that frame more often.
    """
    starts = []
    for episode in episodes:
        yield episode
        starts.append(_head(episode, frames))
    for _ in range(copies):
        yield from starts


def build_smolvla_demos(
    out: Path | str,
    *,
    categories: list[str],
    per_category: int,
    seed: int = 1001,
    keep_still: int | None = 8,
    frame_size: tuple[int, int] | None = (48, 64),
    start_copies: int = 8,
    start_frames: int = 4,
    sim_config: SimConfig | None = None,
) -> dict[str, Any]:
    """Record demonstrations (as ``act2answer demos``) and write them with the still tail trimmed.

    Args:
        out: Dataset folder to create; the generated suite goes to ``out/suite``.
        categories: Categories of the generated training suite.
        per_category: Items per category (each demonstrated in both layouts).
        seed: Suite seed (keep it apart from the evaluation suite's).
        keep_still: Frames kept after the last move (:func:`shape_episode`);
            None keeps whole episodes.
        frame_size: ``(height, width)`` of the stored frames; None keeps the render size.
        start_copies: Extra episodes per demonstration, each a copy of its first
            ``start_frames`` frames (:func:`with_start_copies`).
        start_frames: Frames in each copy.
        sim_config: Simulator settings (default: the reference scene, 128x96 frames).

    Returns:
        The dataset's ``info.json`` content.
    """
    from act2answer.eval.tasks import make_tasks
    from act2answer.lab.demos import record_demos
    from act2answer.lab.lerobot_format import write_dataset
    from act2answer.sim import SimConfig
    from act2answer.synth import generate_suite

    out = Path(out)
    suite = generate_suite(
        out / "suite", per_category=per_category, seed=seed, categories=categories, workers=1
    )
    sim_config = sim_config or SimConfig(camera_width=128, camera_height=96)
    episodes = record_demos(make_tasks(suite), sim_config)
    shaped: Iterable[DemoEpisode] = (
        shape_episode(episode, keep_still, frame_size) for episode in episodes
    )
    if start_copies:
        shaped = with_start_copies(shaped, start_copies, start_frames)
    return write_dataset(shaped, out, fps=sim_config.control_hz)


def dataset_instructions(dataset_root: Path | str) -> list[str]:
    """The instructions (LeRobot "tasks") of a demonstration dataset."""
    import pandas as pd

    path = Path(dataset_root) / "meta" / "tasks.parquet"
    if not path.exists():
        raise Act2AnswerError(f"{dataset_root} is not a demonstration dataset (no {path})")
    return [str(task) for task in pd.read_parquet(path).index]


def smolvla_config(vlm: Path, recipe: SmolVLARecipe) -> Any:
    """The :class:`SmolVLAConfig` of ``recipe`` over the local VLM folder ``vlm``.

    Features are left empty: ``make_policy`` fills them from the dataset.
    """
    from lerobot.policies.smolvla.configuration_smolvla import SmolVLAConfig

    return SmolVLAConfig(
        vlm_model_name=str(vlm),
        load_vlm_weights=False,
        freeze_vision_encoder=False,
        train_expert_only=False,
        chunk_size=recipe.chunk,
        n_action_steps=recipe.n_action_steps,
        num_steps=recipe.flow_steps,
        num_vlm_layers=recipe.layers,
        resize_imgs_with_padding=(recipe.image_size, recipe.image_size),
        max_state_dim=8,
        max_action_dim=8,
        tokenizer_max_length=recipe.max_text_tokens,
        # Fixed-length padding: a row's actions do not depend on its batch mates' texts.
        pad_language_to="max_length",
        optimizer_lr=recipe.lr,
        scheduler_warmup_steps=recipe.warmup,
        scheduler_decay_steps=recipe.steps,
        scheduler_decay_lr=recipe.lr / 50.0,
        device="cpu",
        push_to_hub=False,
    )


def train_smolvla(
    dataset_root: Path | str,
    out: Path | str,
    recipe: SmolVLARecipe | None = None,
    *,
    log_freq: int = 100,
    save_every: int | None = None,
) -> Path:
    """Train SmolVLA on ``dataset_root`` with LeRobot's ``train``; return the checkpoint folder.

    Args:
        dataset_root: A demonstration dataset (``act2answer demos``).
        out: New folder: ``vlm/`` (tokenizer, VLM config), ``train/`` (LeRobot's
            output: ``checkpoints/last/pretrained_model``, logs) and ``recipe.json``.
        recipe: Sizes and training settings (default :class:`SmolVLARecipe`).
        log_freq: LeRobot's logging period, steps.
        save_every: Also save a checkpoint every this many steps
            (``train/checkpoints/NNNNNN``); default only the last.

    Returns:
        ``OUT/train/checkpoints/last/pretrained_model`` (resolved).

    Raises:
        Act2AnswerError: ``out/train`` exists, the dataset is missing, or sizes
            that SmolVLM cannot take.
    """
    from lerobot.configs.default import DatasetConfig, WandBConfig
    from lerobot.configs.train import TrainPipelineConfig
    from lerobot.scripts.lerobot_train import train

    from act2answer.testing.tiny.smolvla import write_tiny_vlm

    recipe = recipe or SmolVLARecipe()
    recipe.check()
    out = Path(out).resolve()
    if (out / "train").exists():
        raise Act2AnswerError(f"{out / 'train'} exists; choose a new --out")
    sentences = dataset_instructions(dataset_root)
    write_tiny_vlm(
        out / "vlm",
        sentences=sentences,
        image_size=recipe.image_size,
        patch_size=recipe.patch_size,
        width=recipe.width,
        layers=recipe.layers,
        heads=recipe.heads,
        vision_width=recipe.vision_width,
        vision_layers=recipe.vision_layers,
    )
    (out / "recipe.json").write_text(json.dumps(recipe.model_dump(), indent=2))
    config = TrainPipelineConfig(
        dataset=DatasetConfig(repo_id=REPO_ID, root=str(Path(dataset_root).resolve())),
        policy=smolvla_config(out / "vlm", recipe),
        output_dir=out / "train",
        seed=recipe.seed,
        num_workers=0,
        batch_size=recipe.batch_size,
        steps=recipe.steps,
        eval_freq=0,
        log_freq=log_freq,
        save_freq=save_every or recipe.steps,
        wandb=WandBConfig(enable=False),
    )
    train(config)
    return (out / "train" / "checkpoints" / "last" / "pretrained_model").resolve()


__all__ = [
    "REPO_ID",
    "SmolVLARecipe",
    "build_smolvla_demos",
    "dataset_instructions",
    "shape_episode",
    "smolvla_config",
    "train_smolvla",
    "with_start_copies",
]
