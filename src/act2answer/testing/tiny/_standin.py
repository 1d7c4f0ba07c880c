"""What the remote-code stand-ins (``standin_*.py``) share.

A stand-in imports this module relatively (``from ._standin import ...``), so
``save_pretrained`` copies it into the model folder next to the stand-in and
``from_pretrained(..., trust_remote_code=True)`` loads it from there, as the
hub's remote code loads its own helper files. Each subclass gets its own
``calls`` (and, for processors, ``pixels``) list, which the tests read through
``type(policy.model).calls`` / ``type(policy.processor).calls``.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import torch
from transformers import PreTrainedModel


class RecordingProcessor:
    """A stand-in processor: records what it receives, loads from any folder.

    Attributes:
        calls: What each call received (per subclass).
        pixels: The RGB pixels of every image received, ``(H, W, 3)`` uint8
            (tests check orientation; per subclass).
    """

    calls: ClassVar[list[dict[str, Any]]] = []
    pixels: ClassVar[list[np.ndarray]] = []

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if RecordingProcessor in cls.__bases__:  # a stand-in, not a subclass made of one
            cls.calls, cls.pixels = [], []

    @classmethod
    def register_for_auto_class(cls, auto_class: str = "AutoProcessor") -> None:
        """AutoProcessor calls this on remote processors (ProcessorMixin has it)."""

    @classmethod
    def from_pretrained(cls, path: str, **kwargs: Any) -> RecordingProcessor:
        """A processor for the model folder ``path`` (stand-ins keep no files of their own)."""
        return cls()

    def record(self, image: Any, call: dict[str, Any]) -> torch.Tensor:
        """Store ``call`` and the image's RGB pixels; return the image, ``(1, 3, H, W)`` in 0..1."""
        type(self).calls.append(call)
        type(self).pixels.append(np.asarray(image.convert("RGB")).copy())
        pixels = torch.from_numpy(np.asarray(image, dtype=np.float32) / 255.0)
        return pixels.permute(2, 0, 1)[None]


class RecordingModel(PreTrainedModel):
    """A stand-in model: one tiny weight (so it saves and loads), a ``calls`` list per subclass."""

    calls: ClassVar[list[dict[str, Any]]] = []

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if RecordingModel in cls.__bases__:  # transformers may subclass a loaded model class
            cls.calls = []

    def __init__(self, config: Any) -> None:
        super().__init__(config)
        self.scale = torch.nn.Linear(1, 1)
        self.add_modules()
        self.post_init()

    def add_modules(self) -> None:
        """Add a subclass's own modules before ``post_init`` (none here)."""

    def _init_weights(self, module: torch.nn.Module) -> None:
        return None


def text_ids(text: str) -> torch.Tensor:
    """The prompt as UTF-8 byte ids, shape ``(1, len)`` (decoded back by the stand-in models)."""
    return torch.tensor([list(text.encode())], dtype=torch.long)


def unnormalize(normalized: np.ndarray, statistics: dict[str, Any]) -> np.ndarray:
    """Map ``[-1, 1]`` actions to the dataset's q01..q99 range, masked dimensions unchanged.

    The upstream arithmetic (OpenVLA's ``predict_action``, SpatialVLA's
    ``decode_actions``), on ``statistics = {"q01": ..., "q99": ..., "mask": ...}``.
    """
    low, high = np.array(statistics["q01"]), np.array(statistics["q99"])
    mask = np.array(statistics.get("mask", np.ones_like(low, dtype=bool)))
    return np.where(mask, 0.5 * (normalized + 1) * (high - low) + low, normalized)
