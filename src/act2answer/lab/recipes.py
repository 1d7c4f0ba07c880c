"""Recipes: small files (JSON, TOML or YAML) that say what to train.

A recipe is one of:

* ``kind = "vlm"`` (:class:`VLMRecipe`): pretrain a :class:`~act2answer.lab.models.TinyVLM`
  on synthetic frame VQA of all categories;
* ``kind = "vla"`` (:class:`VLARecipe`): fine-tune a VLM checkpoint into a
  :class:`~act2answer.lab.models.TinyVLA` by behaviour cloning on a
  demonstration dataset, with a ratio ``vqa_ratio`` of every batch kept for
  VQA co-training.

Relative paths in a recipe are read relative to the recipe file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from act2answer.errors import Act2AnswerError


class RecipeError(Act2AnswerError):
    """A recipe file cannot be read or does not describe a valid recipe."""


class VLMRecipe(BaseModel):
    """Pretrain a tiny VLM on synthetic two-option VQA rendered in the simulator.

    Attributes:
        kind: ``"vlm"``.
        per_category: Training items per category (each asked in both layouts).
        heldout_fraction: Items per category kept out of training to measure accuracy.
        data_seed: Seed of the training suite; must differ from the evaluation suite's.
        categories: Categories (default: all 11).
        steps: Optimiser steps.
        batch_size: Questions per step.
        learning_rate: AdamW learning rate (cosine decay, short warm-up).
        seed: Seed of initialisation and batch order.
        width: Token width.
        layers: Transformer layers.
        heads: Attention heads.
        text_length: Text tokens.
        side_weight: Weight of the auxiliary loss on the side of the correct
            tile (the letter is that side read through the prompt's letter binding).
        balanced: Draw each question's category uniformly (then a question of it),
            whatever the number of questions per category.
        curriculum: Categories trained alone for the first ``curriculum_steps``
            steps (the letter binding is learned there once, then every category
            only needs its own picture features); empty: none.
        curriculum_steps: Steps of the curriculum's first stage.
        eval_every: Every that many steps (a multiple of 25), log the held-out
            accuracy in the training curve (0: only at the end).
        data_cache: Folder of the rendered VQA set (reused by co-training and
            other seeds); default: ``<out>/vqa``.
        threads: torch CPU threads (1 is fastest on a shared, loaded machine).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["vlm"] = "vlm"
    per_category: int = Field(120, ge=2)
    heldout_fraction: float = Field(0.15, ge=0.0, lt=1.0)
    data_seed: int = 2001
    categories: tuple[str, ...] | None = None
    steps: int = Field(1000, ge=1)
    batch_size: int = Field(32, ge=1)
    learning_rate: float = Field(1e-3, gt=0.0)
    seed: int = 0
    width: int = Field(64, ge=8)
    layers: int = Field(2, ge=1)
    heads: int = Field(4, ge=1)
    text_length: int = Field(24, ge=4)
    side_weight: float = Field(1.0, ge=0.0)
    balanced: bool = True
    curriculum: tuple[str, ...] = ()
    curriculum_steps: int = Field(0, ge=0)
    eval_every: int = Field(0, ge=0)
    data_cache: str | None = None
    threads: int = Field(1, ge=1)


class VLARecipe(BaseModel):
    """Fine-tune a VLM checkpoint into a VLA: behaviour cloning plus VQA co-training.

    Attributes:
        kind: ``"vla"``.
        backbone: VLM checkpoint folder (``lab train`` of a ``vlm`` recipe).
        demos: Demonstration dataset folder (``act2answer demos``).
        vqa_ratio: Share of every batch given to VQA questions (0 = none).
        steps: Optimiser steps.
        batch_size: Samples per step (demonstration frames + questions).
        learning_rate: AdamW learning rate of the action expert.
        backbone_learning_rate: AdamW learning rate of the backbone.
        seed: Seed of the expert's initialisation and of batch order.
        horizon: Actions per predicted chunk.
        expert_layers: Action expert layers.
        replan_steps: Actions executed per chunk when the model acts.
        side_weight: Weight of the auxiliary loss on the side of the correct tile,
            read from the ``<answer>`` token of the instruction (the demonstrations
            record it).
        use_state: Give the action expert the proprioceptive state. Without it
            the model must read the arm's progress from the frame; with it, a
            model can copy the direction it is already moving in (causal
            confusion) instead of choosing a tile from the image.
        threads: torch CPU threads (1 is fastest on a shared, loaded machine).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["vla"] = "vla"
    backbone: str
    demos: str
    vqa_ratio: float = Field(0.0, ge=0.0, lt=1.0)
    steps: int = Field(600, ge=1)
    batch_size: int = Field(32, ge=2)
    learning_rate: float = Field(1e-3, gt=0.0)
    backbone_learning_rate: float = Field(5e-4, gt=0.0)
    seed: int = 0
    horizon: int = Field(4, ge=1)
    expert_layers: int = Field(2, ge=1)
    replan_steps: int = Field(1, ge=1)
    side_weight: float = Field(1.0, ge=0.0)
    use_state: bool = True
    threads: int = Field(1, ge=1)


Recipe = Annotated[VLMRecipe | VLARecipe, Field(discriminator="kind")]
_ADAPTER: TypeAdapter[VLMRecipe | VLARecipe] = TypeAdapter(Recipe)


def parse_recipe(data: dict[str, object], base: Path | None = None) -> VLMRecipe | VLARecipe:
    """Validate a recipe mapping; relative paths are resolved against ``base``.

    Raises:
        RecipeError: not a valid recipe.
    """
    try:
        recipe = _ADAPTER.validate_python(data)
    except ValueError as exc:
        raise RecipeError(f"invalid recipe: {exc}") from None
    if base is None:
        return recipe
    updates: dict[str, str] = {}
    fields = ("backbone", "demos") if isinstance(recipe, VLARecipe) else ("data_cache",)
    for name in fields:
        value = getattr(recipe, name)
        if value is not None and not Path(value).is_absolute():
            updates[name] = str((base / value).resolve())
    return recipe.model_copy(update=updates)


def load_recipe(path: Path | str) -> VLMRecipe | VLARecipe:
    """Read a recipe file (``.json``, ``.toml`` or ``.yaml`` / ``.yml``).

    Raises:
        RecipeError: unreadable file, unknown suffix or invalid content.
    """
    path = Path(path)
    try:
        text = path.read_text()
    except OSError as exc:
        raise RecipeError(f"cannot read recipe {path}: {exc}") from None
    suffix = path.suffix.lower()
    try:
        if suffix == ".json":
            data = json.loads(text)
        elif suffix == ".toml":
            try:
                import tomllib
            except ModuleNotFoundError:  # Python 3.10
                import tomli as tomllib  # type: ignore[no-redef]
            data = tomllib.loads(text)
        elif suffix in (".yaml", ".yml"):
            import yaml

            data = yaml.safe_load(text)
        else:
            raise RecipeError(f"{path}: recipe must be .json, .toml or .yaml")
    except RecipeError:
        raise
    except Exception as exc:  # each parser raises its own error type
        raise RecipeError(f"{path}: {exc}") from None
    if not isinstance(data, dict):
        raise RecipeError(f"{path}: a recipe is a mapping of settings")
    return parse_recipe(data, base=path.parent)
