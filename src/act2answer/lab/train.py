"""Training loops of the lab: VLM pretraining on VQA, VLA behaviour cloning with co-training.

Both loops run on the CPU with torch's default threads; every ``log_every``
steps they append a row to ``curve.csv`` (step, losses, wall time). At the end
they write the checkpoint (:mod:`act2answer.lab.checkpoint`) and
``metrics.json`` with the held-out VQA accuracy per category.
"""

from __future__ import annotations

import csv
import json
import math
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from act2answer.lab._torch import import_torch
from act2answer.lab.recipes import VLARecipe, VLMRecipe
from act2answer.lab.text import LETTERS, WordTokenizer
from act2answer.lab.vqa import VQASet, build_vqa_set

ProgressCallback = Callable[[int, int, dict[str, float]], None]
CURVE = "curve.csv"
METRICS = "metrics.json"


def frames_to_tensor(images: np.ndarray):  # type: ignore[no-untyped-def]
    """``(N, H, W, 3)`` uint8 -> ``(N, 3, *FRAME_HW)`` floats in [0, 1] (resized if needed)."""
    import torch
    import torch.nn.functional as functional

    from act2answer.lab.models import FRAME_HW

    tensor = torch.from_numpy(np.ascontiguousarray(images)).permute(0, 3, 1, 2).float() / 255.0
    if tuple(tensor.shape[2:]) != FRAME_HW:
        tensor = functional.interpolate(tensor, size=FRAME_HW, mode="area")
    return tensor


def _split_items(vqa: VQASet, fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Boolean train / held-out masks; whole items (both layouts) go to one side."""
    rng = np.random.default_rng(seed)
    heldout = np.zeros(len(vqa), dtype=bool)
    for category in np.unique(vqa.categories):
        ids = np.unique(vqa.item_ids[vqa.categories == category])
        chosen = rng.choice(ids, size=round(len(ids) * fraction), replace=False)
        heldout |= np.isin(vqa.item_ids, chosen)
    return ~heldout, heldout


def first_items(vqa: VQASet, per_category: int) -> VQASet:
    """The questions of the first ``per_category`` items of each category (a bigger cache)."""
    keep = np.zeros(len(vqa), dtype=bool)
    for category in np.unique(vqa.categories):
        in_category = vqa.categories == category
        ids = list(dict.fromkeys(vqa.item_ids[in_category].tolist()))[:per_category]
        keep |= in_category & np.isin(vqa.item_ids, ids)
    return vqa if keep.all() else vqa.subset(keep)


def _batch_sampler(
    categories: np.ndarray, balanced: bool, rng: np.random.Generator
) -> Callable[[int], np.ndarray]:
    """Draws row indices: uniformly, or (``balanced``) a category uniformly, then a row of it."""
    if not balanced:
        return lambda size: rng.integers(0, len(categories), size)
    groups = [np.flatnonzero(categories == c) for c in np.unique(categories)]

    def draw(size: int) -> np.ndarray:
        chosen = rng.integers(0, len(groups), size)
        return np.array([groups[g][rng.integers(0, len(groups[g]))] for g in chosen])

    return draw


def vqa_batches(categories: np.ndarray, recipe: VLMRecipe) -> Iterator[np.ndarray]:
    """Row indices of each step's batch: the curriculum's categories first, then all.

    Raises:
        ValueError: a curriculum category has no training question.
    """
    rng = np.random.default_rng(recipe.seed)
    draw = _batch_sampler(categories, recipe.balanced, rng)
    missing = set(recipe.curriculum) - set(categories.tolist())
    if missing:
        raise ValueError(f"curriculum categories without training questions: {sorted(missing)}")
    first = np.flatnonzero(np.isin(categories, list(recipe.curriculum)))
    draw_first = _batch_sampler(categories[first], recipe.balanced, rng)
    for _ in range(recipe.curriculum_steps if first.size else 0):
        yield first[draw_first(recipe.batch_size)]
    while True:
        yield draw(recipe.batch_size)


def _schedule(step: int, steps: int, warmup: int = 20) -> float:
    if step < warmup:
        return (step + 1) / warmup
    progress = (step - warmup) / max(1, steps - warmup)
    return 0.5 * (1.0 + math.cos(math.pi * progress))


class _Curve:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.rows: list[dict[str, float]] = []
        self.started = time.perf_counter()

    def add(self, step: int, values: dict[str, float]) -> dict[str, float]:
        row = {"step": step, **values, "wall_s": round(time.perf_counter() - self.started, 2)}
        self.rows.append(row)
        with self.path.open("w", newline="") as handle:
            fields = list(dict.fromkeys(key for line in self.rows for key in line))
            writer = csv.DictWriter(handle, fieldnames=fields)
            writer.writeheader()
            writer.writerows(self.rows)
        return row


def letter_ids(tokenizer: WordTokenizer) -> list[int]:
    """Token ids of the answer letters ``a`` and ``b``."""
    return [tokenizer.token_id(letter) for letter in LETTERS]


def vqa_accuracy(
    vlm: Any, tokenizer: WordTokenizer, vqa: VQASet, text_length: int, batch: int = 128
) -> dict[str, float]:
    """Accuracy per category (and ``"all"``) of the letter with the higher score.

    Args:
        vlm: A ``TinyVLM``.
        tokenizer: Its tokenizer.
        vqa: Questions to ask.
        text_length: The model's text length.
        batch: Questions per forward pass.
    """
    import torch

    letters = letter_ids(tokenizer)
    predictions = []
    vlm.eval()
    with torch.no_grad():
        for start in range(0, len(vqa), batch):
            images = frames_to_tensor(vqa.images[start : start + batch])
            text = torch.from_numpy(
                tokenizer.encode_many(list(vqa.prompts[start : start + batch]), text_length)
            )
            logits = vlm(images, text)[:, letters]
            predictions.append(logits.argmax(-1).numpy())
    correct = np.concatenate(predictions) == vqa.answers
    result = {
        str(category): float(correct[vqa.categories == category].mean())
        for category in np.unique(vqa.categories)
    }
    result["all"] = float(correct.mean())
    return result


def _vqa_loss(
    vlm: Any, images: Any, text: Any, letters: Any, sides: Any, side_weight: float
) -> Any:
    """Cross-entropy of the answer letter plus ``side_weight`` times that of the correct side."""
    import torch.nn.functional as functional

    hidden = vlm.encode(images, text)
    loss = functional.cross_entropy(vlm.word_logits(hidden), letters)
    if side_weight:
        loss = loss + side_weight * functional.cross_entropy(vlm.side_logits(hidden), sides)
    return loss


def train_vlm(
    recipe: VLMRecipe, out: Path | str, progress: ProgressCallback | None = None
) -> dict[str, Any]:
    """Pretrain a ``TinyVLM`` on rendered VQA; write checkpoint, curve and metrics to ``out``.

    Returns:
        The metrics (held-out accuracy per category, parameters, wall time).
    """
    import torch

    from act2answer.lab.checkpoint import save_checkpoint
    from act2answer.lab.models import ModelConfig, TinyVLM, count_parameters

    import_torch().set_num_threads(recipe.threads)  # before the first rendered frame
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    cache = Path(recipe.data_cache) if recipe.data_cache else out / "vqa"
    vqa = build_vqa_set(
        cache,
        per_category=recipe.per_category,
        seed=recipe.data_seed,
        categories=list(recipe.categories) if recipe.categories else None,
    )
    vqa = first_items(vqa, recipe.per_category)
    train_mask, heldout_mask = _split_items(vqa, recipe.heldout_fraction, recipe.data_seed)
    tokenizer = WordTokenizer.build(list(vqa.prompts) + list(vqa.instructions))
    torch.manual_seed(recipe.seed)
    config = ModelConfig(
        vocab_size=len(tokenizer),
        width=recipe.width,
        layers=recipe.layers,
        heads=recipe.heads,
        text_length=recipe.text_length,
        expert_layers=0,
    )
    model = TinyVLM(config)
    optimiser = torch.optim.AdamW(model.parameters(), lr=recipe.learning_rate, weight_decay=0.01)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda step: _schedule(step, recipe.steps)
    )
    train = vqa.subset(train_mask)
    heldout = vqa.subset(heldout_mask) if heldout_mask.any() else train
    tokens = torch.from_numpy(tokenizer.encode_many(list(train.prompts), recipe.text_length))
    targets = torch.tensor(letter_ids(tokenizer))[torch.from_numpy(train.answers)]
    sides = torch.from_numpy(train.sides)
    batches = vqa_batches(train.categories, recipe)
    curve = _Curve(out / CURVE)
    model.train()
    running = []
    for step in range(recipe.steps):
        batch = next(batches)
        loss = _vqa_loss(
            model,
            frames_to_tensor(train.images[batch]),
            tokens[batch],
            targets[batch],
            sides[batch],
            recipe.side_weight,
        )
        optimiser.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimiser.step()
        scheduler.step()
        running.append(loss.item())
        if (step + 1) % 25 == 0 or step + 1 == recipe.steps:
            values = {"vqa_loss": float(np.mean(running))}
            if recipe.eval_every and ((step + 1) % recipe.eval_every == 0):
                values["heldout_accuracy"] = vqa_accuracy(
                    model, tokenizer, heldout, recipe.text_length
                )["all"]
                model.train()
            row = curve.add(step + 1, values)
            running = []
            if progress is not None:
                progress(step + 1, recipe.steps, row)
    metrics = {
        "kind": "vlm",
        "parameters": count_parameters(model),
        "train_questions": int(train_mask.sum()),
        "heldout_questions": int(heldout_mask.sum()),
        "heldout_accuracy": vqa_accuracy(model, tokenizer, heldout, recipe.text_length),
        "train_accuracy": vqa_accuracy(model, tokenizer, train, recipe.text_length)["all"],
        "wall_s": curve.rows[-1]["wall_s"],
    }
    save_checkpoint(
        out,
        model,
        "vlm",
        tokenizer,
        recipe=recipe.model_dump(mode="json"),
        vqa_cache=str(cache.resolve()),
        heldout_items=sorted(set(heldout.item_ids.tolist())),
    )
    (out / METRICS).write_text(json.dumps(metrics, indent=1))
    return metrics


def _side_ids(sides: np.ndarray) -> np.ndarray:
    """0 for left, 1 for right (from side names or ids)."""
    if sides.dtype.kind in "iub":
        return sides.astype(np.int64)
    return (np.char.lower(sides.astype(str)) == "right").astype(np.int64)


def _until_release(gripper: np.ndarray, episodes: np.ndarray, after: int) -> np.ndarray:
    """True for each episode's frames up to ``after`` frames past its first opening action."""
    mask = np.zeros(len(gripper), dtype=bool)
    for episode in np.unique(episodes):
        rows = np.flatnonzero(episodes == episode)
        closed = np.flatnonzero(gripper[rows] < 0)
        opened = np.flatnonzero(gripper[rows] > 0)
        opened = opened[opened > closed[0]] if closed.size else opened
        end = int(opened[0]) + after if opened.size else len(rows)
        mask[rows[: end + 1]] = True
    return mask


def _action_chunks(actions: np.ndarray, episodes: np.ndarray, horizon: int) -> np.ndarray:
    """``(N, horizon, 7)``: each frame's next ``horizon`` actions, the episode's last repeated."""
    n = len(actions)
    index = np.arange(n)[:, None] + np.arange(horizon)[None, :]
    last = np.zeros(n, dtype=np.int64)
    for episode in np.unique(episodes):
        rows = np.flatnonzero(episodes == episode)
        last[rows] = rows[-1]
    index = np.minimum(index, last[:, None])
    return actions[index]


def train_vla(
    recipe: VLARecipe, out: Path | str, progress: ProgressCallback | None = None
) -> dict[str, Any]:
    """Fine-tune a VLM checkpoint into a ``TinyVLA`` (behaviour cloning + VQA co-training).

    Demonstration frames that move the arm are drawn ten times as often as
    frames that hold still. Each step draws ``round(vqa_ratio *
    batch_size)`` questions from the backbone's VQA training set (cross-entropy
    on the letter) and the rest from the demonstration frames (mean squared
    error on the normalised action
    chunk); the two losses are weighted by their share of the batch.

    Returns:
        The metrics (held-out VQA accuracy of the backbone after fine-tuning...).
    """
    import torch
    import torch.nn.functional as functional

    from act2answer.lab.checkpoint import load_checkpoint, save_checkpoint
    from act2answer.lab.lerobot_format import read_dataset
    from act2answer.lab.models import ModelConfig, TinyVLA, count_parameters

    torch.set_num_threads(recipe.threads)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    backbone = load_checkpoint(recipe.backbone)
    if backbone.kind != "vlm":
        raise ValueError(f"{recipe.backbone}: the backbone must be a VLM checkpoint")
    tokenizer = backbone.tokenizer
    base = ModelConfig(**backbone.config["model"])
    config = ModelConfig(
        **{**base.to_dict(), "expert_layers": recipe.expert_layers, "horizon": recipe.horizon}
    )
    torch.manual_seed(recipe.seed)
    model = TinyVLA(config)
    model.vlm.load_state_dict(backbone.model.state_dict())
    demos = read_dataset(recipe.demos)
    state_mean, state_std = demos.states.mean(0), demos.states.std(0) + 1e-3
    action_mean, action_std = demos.actions.mean(0), demos.actions.std(0) + 1e-3
    chunks = _action_chunks(demos.actions, demos.episode_index, recipe.horizon)
    # Most frames hold still after the release; draw frames that move the arm or come
    # before (and just after) the release ten times as often as the rest (with the
    # wait-and-release frames drawn rarely, the first binding models carried the cube to
    # the right tile and never let go).
    moving = np.linalg.norm(demos.actions[:, :3], axis=1) > 1e-3
    moving |= _until_release(demos.actions[:, 6], demos.episode_index, after=3)
    frame_weights = np.where(moving, 1.0, 0.1)
    frame_weights /= frame_weights.sum()
    chunks = torch.from_numpy((chunks - action_mean) / action_std).float()
    states = torch.from_numpy((demos.states - state_mean) / state_std).float()
    if not recipe.use_state:
        states = torch.zeros_like(states)
    instructions = torch.from_numpy(
        tokenizer.encode_many(list(demos.instructions), config.text_length)
    )
    demo_sides = torch.from_numpy(_side_ids(demos.answer_sides))
    vqa = VQASet.load(Path(backbone.config["vqa_cache"]) / "vqa.npz")
    heldout_items = set(backbone.config.get("heldout_items", []))
    in_heldout = np.isin(vqa.item_ids, list(heldout_items))
    vqa_train = vqa.subset(~in_heldout)
    vqa_tokens = torch.from_numpy(
        tokenizer.encode_many(list(vqa_train.prompts), config.text_length)
    )
    vqa_targets = torch.tensor(letter_ids(tokenizer))[torch.from_numpy(vqa_train.answers)]
    vqa_sides = torch.from_numpy(vqa_train.sides)
    backbone_side_weight = float(backbone.config.get("recipe", {}).get("side_weight", 0.0))
    n_vqa = round(recipe.vqa_ratio * recipe.batch_size)
    n_bc = recipe.batch_size - n_vqa
    optimiser = torch.optim.AdamW(
        [
            {"params": model.vlm.parameters(), "lr": recipe.backbone_learning_rate},
            {"params": model.expert.parameters(), "lr": recipe.learning_rate},
        ],
        weight_decay=0.01,
    )
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda step: _schedule(step, recipe.steps)
    )
    rng = np.random.default_rng(recipe.seed)
    curve = _Curve(out / CURVE)
    model.train()
    sums: dict[str, list[float]] = {"bc_loss": [], "vqa_loss": []}
    for step in range(recipe.steps):
        rows = rng.choice(len(demos.actions), n_bc, p=frame_weights)
        hidden = model.vlm.encode(frames_to_tensor(demos.images[rows]), instructions[rows])
        predicted = model.actions_from(hidden, states[rows])
        bc_loss = functional.mse_loss(predicted, chunks[rows])
        if recipe.side_weight:
            side_loss = functional.cross_entropy(model.vlm.side_logits(hidden), demo_sides[rows])
            bc_loss = bc_loss + recipe.side_weight * side_loss
        loss = bc_loss * (n_bc / recipe.batch_size)
        sums["bc_loss"].append(bc_loss.item())
        if n_vqa:
            questions = rng.integers(0, len(vqa_train), n_vqa)
            vqa_loss = _vqa_loss(
                model.vlm,
                frames_to_tensor(vqa_train.images[questions]),
                vqa_tokens[questions],
                vqa_targets[questions],
                vqa_sides[questions],
                backbone_side_weight,
            )
            loss = loss + vqa_loss * (n_vqa / recipe.batch_size)
            sums["vqa_loss"].append(vqa_loss.item())
        optimiser.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimiser.step()
        scheduler.step()
        if (step + 1) % 25 == 0 or step + 1 == recipe.steps:
            values = {key: float(np.mean(v)) if v else math.nan for key, v in sums.items()}
            row = curve.add(step + 1, values)
            sums = {key: [] for key in sums}
            if progress is not None:
                progress(step + 1, recipe.steps, row)
    heldout = vqa.subset(in_heldout) if in_heldout.any() else vqa_train
    metrics = {
        "kind": "vla",
        "vqa_ratio": recipe.vqa_ratio,
        "parameters": count_parameters(model),
        "demo_frames": len(demos.actions),
        "demo_categories": sorted(set(demos.categories.tolist())),
        "heldout_accuracy": vqa_accuracy(model.vlm, tokenizer, heldout, config.text_length),
        "backbone_heldout_accuracy": _backbone_accuracy(Path(recipe.backbone)),
        "wall_s": curve.rows[-1]["wall_s"],
    }
    normalisation = {
        "state": {"mean": state_mean.tolist(), "std": state_std.tolist()},
        "action": {"mean": action_mean.tolist(), "std": action_std.tolist()},
    }
    save_checkpoint(
        out,
        model,
        "vla",
        tokenizer,
        recipe=recipe.model_dump(mode="json"),
        normalisation=normalisation,
        use_state=recipe.use_state,
        replan_steps=recipe.replan_steps,
        vqa_cache=backbone.config["vqa_cache"],
        heldout_items=sorted(heldout_items),
    )
    (out / METRICS).write_text(json.dumps(metrics, indent=1))
    return metrics


def _backbone_accuracy(folder: Path) -> dict[str, float] | None:
    path = folder / METRICS
    return json.loads(path.read_text()).get("heldout_accuracy") if path.exists() else None


def train_recipe(
    recipe: VLMRecipe | VLARecipe, out: Path | str, progress: ProgressCallback | None = None
) -> dict[str, Any]:
    """Train what ``recipe`` describes into ``out`` (:func:`train_vlm` or :func:`train_vla`)."""
    if isinstance(recipe, VLMRecipe):
        return train_vlm(recipe, out, progress)
    return train_vla(recipe, out, progress)
