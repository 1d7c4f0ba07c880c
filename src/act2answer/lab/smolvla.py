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
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from act2answer.errors import Act2AnswerError

if TYPE_CHECKING:
    from act2answer.lab.demos import DemoEpisode
    from act2answer.lab.vqa import VQASet
    from act2answer.sim import SimConfig

#: Repository id given to LeRobot for a local dataset (never fetched: ``root`` is set).
REPO_ID = "act2answer/demos"


class SmolVLARecipe(BaseModel):
    """The SmolVLA config and training settings.

    Defaults: the sizes of run 3 of notes/2026-12-06-issue-21-lab-smolvla.md,
    with the VLM pretrained on VQA and then frozen while LeRobot's trainer
    trains the action expert (run 6 of that note: 0.86 on Color episodes).

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
        pretrain_items: VQA items per category the VLM is pretrained on before
            behaviour cloning (:func:`pretrain_vlm`; each rendered in both
            layouts); 0 skips pretraining (a random backbone, as in runs 1-4).
        pretrain_steps: Optimiser steps of the VQA pretraining.
        pretrain_lr: Peak learning rate of the VQA pretraining.
        pretrain_seed: Suite seed of the VQA items (apart from the
            demonstrations' 1001 and the evaluation suites' 0).
        train_vlm: Behaviour cloning also trains the vision tower and the VLM
            (SmolVLA's ``freeze_vision_encoder`` / ``train_expert_only`` off).
            Off by default, as in SmolVLA, once the VLM is pretrained; with
            ``pretrain_items=0`` the backbone is always trained.
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
    lr: float = Field(5e-4, gt=0.0)
    warmup: int = Field(100, ge=0)
    steps: int = Field(2000, ge=1)
    batch_size: int = Field(32, ge=1)
    seed: int = 0
    pretrain_items: int = Field(1500, ge=0)
    pretrain_steps: int = Field(4000, ge=1)
    pretrain_lr: float = Field(1e-3, gt=0.0)
    pretrain_seed: int = 7001
    train_vlm: bool = False

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


def dataset_categories(dataset_root: Path | str) -> list[str]:
    """The categories of a demonstration dataset's episodes, sorted."""
    import pyarrow.parquet as pq

    from act2answer.lab.lerobot_format import EPISODES_FILE

    path = Path(dataset_root) / EPISODES_FILE
    if not path.exists():
        raise Act2AnswerError(f"{dataset_root} is not a demonstration dataset (no {path})")
    return sorted(set(pq.read_table(path, columns=["category"]).column("category").to_pylist()))


def _vqa_batch(preprocessor: Any, config: Any, vqa: VQASet, rows: np.ndarray) -> dict[str, Any]:
    """Questions ``rows`` as a pre-processed SmolVLA batch (frames resized as the adapter does)."""
    import torch

    from act2answer.policies import conventions

    (image_key,) = config.image_features
    _, height, width = config.image_features[image_key].shape
    frames = np.stack(
        [
            conventions.resize(image, int(height), int(width), "bilinear")
            for image in vqa.images[rows]
        ]
    )
    state_dim = config.robot_state_feature.shape[0]
    return preprocessor(
        {
            image_key: torch.from_numpy(frames).permute(0, 3, 1, 2).float() / 255.0,
            "observation.state": torch.zeros(len(rows), state_dim),
            "task": [str(text) for text in vqa.instructions[rows]],
        }
    )


def prefix_answer_logits(policy: Any, head: Any, batch: dict[str, Any]) -> Any:
    """Which-side logits of the VLM alone: SmolVLA's prefix, mean-pooled, through ``head``.

    The prefix is built and run exactly as SmolVLA runs it before the action
    expert reads it (``embed_prefix``, then the VLM layers over the prefix
    only); the pool covers the image and instruction tokens (they do not
    attend to the state token, which is left out).
    """
    import torch
    from lerobot.policies.smolvla.modeling_smolvla import make_att_2d_masks
    from lerobot.utils.constants import OBS_LANGUAGE_ATTENTION_MASK, OBS_LANGUAGE_TOKENS

    model = policy.model
    images, image_masks = policy.prepare_images(batch)
    embeddings, pad_masks, att_masks = model.embed_prefix(
        images,
        image_masks,
        batch[OBS_LANGUAGE_TOKENS],
        batch[OBS_LANGUAGE_ATTENTION_MASK],
        state=policy.prepare_state(batch),
    )
    (hidden, _), _ = model.vlm_with_expert.forward(
        attention_mask=make_att_2d_masks(pad_masks, att_masks),
        position_ids=torch.cumsum(pad_masks, dim=1) - 1,
        past_key_values=None,
        inputs_embeds=[embeddings, None],
        use_cache=False,
        fill_kv_cache=True,
    )
    pooled_rows = (pad_masks & ~att_masks.bool()).float()[..., None]
    pooled = (hidden.float() * pooled_rows).sum(1) / pooled_rows.sum(1)
    return head(pooled)


def vqa_accuracy(policy: Any, head: Any, preprocessor: Any, vqa: VQASet) -> float:
    """Share of ``vqa``'s questions whose correct side the VLM picks (``prefix_answer_logits``)."""
    import torch

    if not len(vqa):
        raise Act2AnswerError("no questions to score")
    was_training = policy.training
    policy.eval()
    right = 0
    with torch.no_grad():
        for start in range(0, len(vqa), 100):
            rows = np.arange(start, min(start + 100, len(vqa)))
            batch = _vqa_batch(preprocessor, policy.config, vqa, rows)
            chosen = prefix_answer_logits(policy, head, batch).argmax(1).numpy()
            right += int((chosen == vqa.sides[rows]).sum())
    policy.train(was_training)
    return right / len(vqa)


def split_vqa(vqa: VQASet, heldout_fraction: float, seed: int) -> tuple[VQASet, VQASet]:
    """``vqa`` split by item (both layouts together): training and held-out questions.

    At least one item is held out when ``heldout_fraction`` is above 0 and
    there are two items or more.
    """
    rng = np.random.default_rng([seed, 0x5E7])
    items = np.unique(vqa.item_ids)
    count = round(heldout_fraction * len(items))
    if heldout_fraction > 0 and len(items) > 1:
        count = max(1, count)
    heldout = np.isin(vqa.item_ids, rng.choice(items, size=count, replace=False))
    return vqa.subset(~heldout), vqa.subset(heldout)


def pretrain_vlm(
    policy: Any,
    preprocessor: Any,
    vqa: VQASet,
    recipe: SmolVLARecipe,
    *,
    log: Callable[[str], None] | None = None,
) -> tuple[Any, dict[str, Any]]:
    """Pretrain ``policy``'s vision tower and VLM (in place) on which-tile questions.

    A VLM that already grounds "the gray one" in the frame is what SmolVLA
    assumes (``lerobot/smolvla_base`` starts from SmolVLM2); from random weights,
    LeRobot's flow-matching loss alone never taught it to here (runs 1-4 of
    ``notes/2026-12-06-issue-21-lab-smolvla.md``). Each question is the frame
    and the robot instruction; the answer is the side of the correct tile,
    predicted by a linear head on the mean of the VLM's prefix outputs
    (:func:`prefix_answer_logits`) with a cross-entropy loss. The action expert
    never sees the head: it learns to read the VLM by itself. The head is
    kept to measure what the VLM still knows after behaviour cloning.

    Args:
        policy: A ``SmolVLAPolicy`` (features set, e.g. by ``make_policy``).
        preprocessor: Its pre-processor (tokenizer, normaliser).
        vqa: The training questions (:func:`act2answer.lab.vqa.build_vqa_set`,
            :func:`split_vqa`).
        recipe: ``pretrain_steps``, ``pretrain_lr``, ``warmup``, ``batch_size``, ``seed``.
        log: Called with a progress line every 100 steps.

    Returns:
        The head (``torch.nn.Linear``, width -> 2: left, right) and ``steps``,
        ``questions``, ``train_accuracy`` (on up to 400 of the questions),
        ``loss`` (mean of every 100 steps), ``wall_s``.
    """
    import time

    import torch

    if len(vqa) < recipe.batch_size:
        raise Act2AnswerError(
            f"{len(vqa)} pretraining questions, fewer than a batch ({recipe.batch_size})"
        )
    started = time.perf_counter()
    rng = np.random.default_rng([recipe.seed, recipe.pretrain_seed])
    width = policy.model.vlm_with_expert.config.text_config.hidden_size
    head = torch.nn.Linear(width, 2)
    parameters = [*policy.model.vlm_with_expert.vlm.parameters(), *head.parameters()]
    for parameter in parameters:
        parameter.requires_grad_(True)
    optimizer = torch.optim.AdamW(parameters, lr=recipe.pretrain_lr, weight_decay=1e-4)
    steps = recipe.pretrain_steps
    policy.train()
    losses: list[float] = []
    window: list[float] = []
    for step in range(1, steps + 1):
        warm = min(1.0, step / max(1, recipe.warmup))
        for group in optimizer.param_groups:
            group["lr"] = recipe.pretrain_lr * warm * 0.5 * (1 + np.cos(np.pi * step / steps))
        rows = rng.choice(len(vqa), recipe.batch_size, replace=False)
        batch = _vqa_batch(preprocessor, policy.config, vqa, rows)
        loss = torch.nn.functional.cross_entropy(
            prefix_answer_logits(policy, head, batch), torch.from_numpy(vqa.sides[rows])
        )
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(parameters, 10.0)
        optimizer.step()
        window.append(loss.item())
        if step % 100 == 0 or step == steps:
            losses.append(round(float(np.mean(window)), 4))
            window = []
            if log is not None:
                log(f"VQA pretraining step {step}/{steps}: loss {losses[-1]:.3f}")
    sample = vqa.subset(np.arange(len(vqa)) < 400)
    return head, {
        "steps": steps,
        "questions": len(vqa),
        "train_accuracy": vqa_accuracy(policy, head, preprocessor, sample),
        "loss": losses,
        "wall_s": round(time.perf_counter() - started, 1),
    }


#: Files of the VQA pretraining kept next to the base checkpoint.
VQA_HEAD_FILE = "vqa_head.safetensors"
VQA_HELDOUT_FILE = "vqa_heldout.npz"


def _pretrained_base(
    dataset_root: Path, folder: Path, config: Any, recipe: SmolVLARecipe, vqa: VQASet
) -> tuple[Path, dict[str, Any]]:
    """A SmolVLA checkpoint whose VLM is pretrained on ``vqa``: what LeRobot fine-tunes from.

    It plays the part of ``lerobot/smolvla_base`` (``lerobot-train
    --policy.path=...``): policy weights and both processors in ``folder``,
    with the answer head and the held-out questions beside them.
    """
    import torch
    from lerobot.datasets.lerobot_dataset import LeRobotDatasetMetadata
    from lerobot.policies.factory import make_policy, make_pre_post_processors
    from safetensors.torch import save_file

    metadata = LeRobotDatasetMetadata(REPO_ID, root=dataset_root)
    torch.manual_seed(recipe.seed)
    policy = make_policy(config, ds_meta=metadata)
    preprocessor, postprocessor = make_pre_post_processors(config, dataset_stats=metadata.stats)
    train, heldout = split_vqa(vqa, 0.1, recipe.pretrain_seed)
    head, metrics = pretrain_vlm(policy, preprocessor, train, recipe, log=logging.info)
    policy.save_pretrained(folder)
    preprocessor.save_pretrained(folder)
    postprocessor.save_pretrained(folder)
    save_file(head.state_dict(), folder / VQA_HEAD_FILE)
    heldout.save(folder / VQA_HELDOUT_FILE)
    metrics["heldout_questions"] = len(heldout)
    metrics["heldout_accuracy"] = vlm_heldout_accuracy(folder, folder) if len(heldout) else None
    return folder, metrics


def vlm_heldout_accuracy(checkpoint: Path | str, base: Path | str) -> float:
    """VQA accuracy of ``checkpoint``'s VLM on the held-out questions of its pretraining.

    ``base`` is the pretrained folder (``OUT/base``) with the answer head and
    the held-out questions; ``checkpoint`` is it or any SmolVLA trained from
    it: with the VLM frozen the accuracy cannot move, with the VLM trained by
    the flow-matching loss it shows how much of the pretraining survives.
    """
    import torch
    from lerobot.configs.policies import PreTrainedConfig
    from lerobot.policies.factory import get_policy_class, make_pre_post_processors
    from safetensors.torch import load_file

    from act2answer.lab.vqa import VQASet

    base = Path(base)
    config = PreTrainedConfig.from_pretrained(checkpoint)
    policy = get_policy_class(config.type).from_pretrained(checkpoint, config=config)
    preprocessor, _ = make_pre_post_processors(config, pretrained_path=str(checkpoint))
    weights = load_file(base / VQA_HEAD_FILE)
    head = torch.nn.Linear(weights["weight"].shape[1], 2)
    head.load_state_dict(weights)
    return vqa_accuracy(policy, head, preprocessor, VQASet.load(base / VQA_HELDOUT_FILE))


def smolvla_config(vlm: Path, recipe: SmolVLARecipe) -> Any:
    """The :class:`SmolVLAConfig` of ``recipe`` over the local VLM folder ``vlm``.

    Features are left empty: ``make_policy`` fills them from the dataset. The
    vision tower and the VLM are frozen during behaviour cloning (SmolVLA's
    defaults) only when they were pretrained and ``recipe.train_vlm`` is off.
    """
    from lerobot.policies.smolvla.configuration_smolvla import SmolVLAConfig

    frozen = recipe.pretrain_items > 0 and not recipe.train_vlm
    return SmolVLAConfig(
        vlm_model_name=str(vlm),
        load_vlm_weights=False,
        freeze_vision_encoder=frozen,
        train_expert_only=frozen,
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
    sim_config: SimConfig | None = None,
) -> Path:
    """Pretrain the VLM on VQA, then train SmolVLA on ``dataset_root`` with LeRobot's ``train``.

    Args:
        dataset_root: A demonstration dataset (``act2answer demos``).
        out: New folder: ``vlm/`` (tokenizer, VLM config), ``vqa/`` (the rendered
            pretraining questions, reused), ``base/`` (the VQA-pretrained
            checkpoint behaviour cloning starts from), ``pretraining.json``
            (the VLM's held-out VQA accuracy after pretraining and after
            cloning), ``train/`` (LeRobot's output:
            ``checkpoints/last/pretrained_model``, logs) and ``recipe.json``.
        recipe: Sizes and training settings (default :class:`SmolVLARecipe`);
            ``pretrain_items=0`` skips the VQA pretraining.
        log_freq: LeRobot's logging period, steps.
        save_every: Also save a checkpoint every this many steps
            (``train/checkpoints/NNNNNN``); default only the last.
        sim_config: Simulator settings the VQA frames are rendered with (default
            the reference scene at 128x96, as ``act2answer demos`` records).

    Returns:
        ``OUT/train/checkpoints/last/pretrained_model`` (resolved).

    Raises:
        Act2AnswerError: ``out/train`` exists, the dataset is missing, or sizes
            that SmolVLM cannot take.
    """
    recipe = recipe or SmolVLARecipe()
    recipe.check()
    out = Path(out).resolve()
    dataset_root = Path(dataset_root).resolve()
    if (out / "train").exists():
        raise Act2AnswerError(f"{out / 'train'} exists; choose a new --out")
    sentences = dataset_instructions(dataset_root)
    try:
        from lerobot.configs.default import DatasetConfig, WandBConfig
        from lerobot.configs.train import TrainPipelineConfig
        from lerobot.scripts.lerobot_train import train
        from lerobot.utils.utils import init_logging
    except ImportError as exc:
        raise Act2AnswerError(
            f"training SmolVLA needs LeRobot ({exc}); build its environment with "
            "`make .venv-lerobot/.installed` or `pip install 'act2answer[lerobot]'`"
        ) from None

    from act2answer.lab.vqa import build_vqa_set
    from act2answer.testing.tiny.smolvla import write_tiny_vlm

    vqa = None
    metrics: dict[str, Any] = {}
    if recipe.pretrain_items:
        init_logging()  # LeRobot's console format, which its trainer sets up too
        logging.info(
            "VQA pretraining: rendering %d items per category in both layouts (cached in %s)",
            recipe.pretrain_items,
            out / "vqa",
        )
        vqa = build_vqa_set(
            out / "vqa",
            per_category=recipe.pretrain_items,
            seed=recipe.pretrain_seed,
            categories=dataset_categories(dataset_root),
            sim_config=sim_config,
        )
        sentences += sorted(set(vqa.instructions.tolist()))
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
    policy_config = smolvla_config(out / "vlm", recipe)
    if vqa is not None:
        base, metrics = _pretrained_base(
            dataset_root, out / "base", smolvla_config(out / "vlm", recipe), recipe, vqa
        )
        (out / "pretraining.json").write_text(json.dumps(metrics, indent=2))
        policy_config.pretrained_path = base
    config = TrainPipelineConfig(
        dataset=DatasetConfig(repo_id=REPO_ID, root=str(dataset_root)),
        policy=policy_config,
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
    last = (out / "train" / "checkpoints" / "last" / "pretrained_model").resolve()
    if metrics.get("heldout_accuracy") is not None:
        metrics["heldout_accuracy_after_cloning"] = vlm_heldout_accuracy(last, out / "base")
        (out / "pretraining.json").write_text(json.dumps(metrics, indent=2))
    return last


__all__ = [
    "REPO_ID",
    "SmolVLARecipe",
    "build_smolvla_demos",
    "dataset_categories",
    "dataset_instructions",
    "prefix_answer_logits",
    "pretrain_vlm",
    "shape_episode",
    "smolvla_config",
    "split_vqa",
    "train_smolvla",
    "vlm_heldout_accuracy",
    "vqa_accuracy",
    "with_start_copies",
]
