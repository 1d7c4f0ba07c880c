"""Lab checkpoints: ``model.safetensors`` + ``config.json`` in one folder.

``config.json`` holds the model sizes, the tokenizer's vocabulary, the action
and state normalisation (VLAs), the recipe that trained it and where its VQA
data lies, so a checkpoint folder is all a policy, a VLM backend or a probe
needs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from act2answer.errors import Act2AnswerError
from act2answer.lab.text import WordTokenizer

if TYPE_CHECKING:
    from torch import nn

WEIGHTS = "model.safetensors"
CONFIG = "config.json"


class CheckpointError(Act2AnswerError):
    """A folder is not a lab checkpoint."""


@dataclass
class Checkpoint:
    """A loaded lab model and what it needs to read inputs.

    Attributes:
        kind: ``"vlm"`` or ``"vla"``.
        model: The torch module (``TinyVLM`` or ``TinyVLA``), in eval mode.
        tokenizer: Its word tokenizer.
        config: The whole ``config.json``.
    """

    kind: str
    model: Any
    tokenizer: WordTokenizer
    config: dict[str, Any] = field(default_factory=dict)

    @property
    def vlm(self) -> Any:
        """The VLM part (the model itself for a VLM)."""
        return self.model if self.kind == "vlm" else self.model.vlm

    def normaliser(self, key: str) -> tuple[np.ndarray, np.ndarray]:
        """``(mean, std)`` of ``state`` or ``action`` (VLAs only)."""
        stats = self.config["normalisation"][key]
        return np.asarray(stats["mean"], np.float32), np.asarray(stats["std"], np.float32)


def save_checkpoint(
    folder: Path | str, model: nn.Module, kind: str, tokenizer: WordTokenizer, **extra: Any
) -> Path:
    """Write ``model.safetensors`` and ``config.json`` into ``folder``.

    Args:
        folder: Checkpoint folder (created).
        model: ``TinyVLM`` or ``TinyVLA``.
        kind: ``"vlm"`` or ``"vla"``.
        tokenizer: The model's tokenizer.
        **extra: More JSON values for ``config.json`` (recipe, normalisation...).
    """
    from safetensors.torch import save_model

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    save_model(model, str(folder / WEIGHTS))
    config = {
        "kind": kind,
        "model": model.config.to_dict(),  # type: ignore[operator]
        "vocabulary": tokenizer.vocabulary,
        **extra,
    }
    (folder / CONFIG).write_text(json.dumps(config, indent=1))
    return folder


def load_checkpoint(folder: Path | str) -> Checkpoint:
    """Load a checkpoint written by :func:`save_checkpoint` (CPU, eval mode).

    Raises:
        CheckpointError: missing files or an unknown kind.
    """
    from safetensors.torch import load_model

    from act2answer.lab.models import ModelConfig, TinyVLA, TinyVLM

    folder = Path(folder)
    if not (folder / CONFIG).exists() or not (folder / WEIGHTS).exists():
        raise CheckpointError(f"{folder} is not a lab checkpoint (needs {CONFIG} and {WEIGHTS})")
    config = json.loads((folder / CONFIG).read_text())
    kind = config.get("kind")
    model_config = ModelConfig(**config["model"])
    if kind == "vlm":
        model = TinyVLM(model_config)
    elif kind == "vla":
        model = TinyVLA(model_config)
    else:
        raise CheckpointError(f"{folder}: unknown model kind {kind!r}")
    load_model(model, str(folder / WEIGHTS))
    model.eval()
    return Checkpoint(kind, model, WordTokenizer(config["vocabulary"]), config)
