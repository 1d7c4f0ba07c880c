"""Stand-in for SpatialVLA's remote code: the documented signatures, a tiny body.

Loaded through ``AutoProcessor`` / ``AutoModel`` with ``trust_remote_code=True``
from a local folder, like the hub model (SpatialVLA ``processing_spatialvla.py``:
``processor(images, text, unnorm_key, return_tensors, ...)`` and
``decode_actions(generation_outputs, unnorm_key) -> {"actions": (chunk, 7)}``;
``modeling_spatialvla.py``: ``predict_action(model_inputs)`` returning generated
ids). Records prompt, image size and ``unnorm_key``; answers a 4-step chunk
derived from the image, un-normalised with q01/q99 (gripper masked).
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import torch
from transformers import BatchFeature, PretrainedConfig, PreTrainedModel

CHUNK = 4


class StandInConfig(PretrainedConfig):
    model_type = "spatialvla_standin"

    def __init__(self, statistics: dict | None = None, **kwargs: Any):
        self.statistics = statistics or {}
        super().__init__(**kwargs)


class StandInProcessor:
    #: The RGB pixels of every image received, ``(H, W, 3)`` uint8 (tests check orientation).
    pixels: ClassVar[list[np.ndarray]] = []

    calls: ClassVar[list[dict[str, Any]]] = []
    action_chunk_size = CHUNK

    def __init__(self, statistics: dict) -> None:
        self.statistics = statistics

    @classmethod
    def register_for_auto_class(cls, auto_class: str = "AutoProcessor") -> None:
        """AutoProcessor calls this on remote processors (ProcessorMixin has it)."""

    @classmethod
    def from_pretrained(cls, path: str, **kwargs: Any) -> StandInProcessor:
        config = StandInConfig.from_pretrained(path)
        return cls(config.statistics)

    def __call__(
        self, images: list, text: str, unnorm_key: str | None = None, **kwargs: Any
    ) -> BatchFeature:
        StandInProcessor.pixels.append(np.asarray(images[0].convert("RGB")).copy())
        StandInProcessor.calls.append(
            {
                "prompt": text,
                "image_size": images[0].size,
                "n_images": len(images),
                "unnorm_key": unnorm_key,
                "kwargs": dict(kwargs),
            }
        )
        pixels = torch.from_numpy(np.asarray(images[0], dtype=np.float32) / 255.0)
        ids = torch.tensor([list(text.encode())], dtype=torch.long)
        return BatchFeature(
            {
                "input_ids": ids,
                "pixel_values": pixels.permute(2, 0, 1)[None],
                "intrinsic": torch.eye(3),
            }
        )

    def decode_actions(
        self, generation_outputs: torch.Tensor, unnorm_key: str | None = None
    ) -> dict:
        levels = generation_outputs[0, :CHUNK].float().numpy() / 254.0
        normalized = np.stack([np.full(7, 2 * level - 1) for level in levels])
        normalized[:, 6] = levels
        stats = self.statistics[unnorm_key]["action"]
        low, high = np.array(stats["q01"]), np.array(stats["q99"])
        mask = np.array(stats.get("mask", np.ones_like(low, dtype=bool)))
        actions = np.where(mask, 0.5 * (normalized + 1) * (high - low) + low, normalized)
        return {"actions": actions, "action_ids": generation_outputs[0].numpy()}


class StandInModel(PreTrainedModel):
    config_class = StandInConfig
    calls: ClassVar[list[dict[str, Any]]] = []

    def __init__(self, config: StandInConfig) -> None:
        super().__init__(config)
        self.scale = torch.nn.Linear(1, 1)
        self.post_init()

    def _init_weights(self, module: torch.nn.Module) -> None:
        return None

    def predict_action(self, model_inputs: BatchFeature) -> torch.Tensor:
        pixels = model_inputs["pixel_values"]
        StandInModel.calls.append(
            {"image_size": tuple(pixels.shape[-2:]), "keys": sorted(model_inputs)}
        )
        level = int(pixels.float().mean().item() * 254)
        return torch.tensor([[level, 254 - level, level, 127]], dtype=torch.long)
