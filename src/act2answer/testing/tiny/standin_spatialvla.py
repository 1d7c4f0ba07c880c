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

from typing import Any

import numpy as np
import torch
from transformers import BatchFeature, PretrainedConfig

from ._standin import RecordingModel, RecordingProcessor, text_ids, unnormalize

CHUNK = 4


class StandInConfig(PretrainedConfig):
    model_type = "spatialvla_standin"

    def __init__(self, statistics: dict | None = None, **kwargs: Any):
        self.statistics = statistics or {}
        super().__init__(**kwargs)


class StandInProcessor(RecordingProcessor):
    action_chunk_size = CHUNK

    def __init__(self, statistics: dict) -> None:
        self.statistics = statistics

    @classmethod
    def from_pretrained(cls, path: str, **kwargs: Any) -> StandInProcessor:
        config = StandInConfig.from_pretrained(path)
        return cls(config.statistics)

    def __call__(
        self, images: list, text: str, unnorm_key: str | None = None, **kwargs: Any
    ) -> BatchFeature:
        call = {
            "prompt": text,
            "image_size": images[0].size,
            "n_images": len(images),
            "unnorm_key": unnorm_key,
            "kwargs": dict(kwargs),
        }
        pixels = self.record(images[0], call)
        return BatchFeature(
            {"input_ids": text_ids(text), "pixel_values": pixels, "intrinsic": torch.eye(3)}
        )

    def decode_actions(
        self, generation_outputs: torch.Tensor, unnorm_key: str | None = None
    ) -> dict:
        levels = generation_outputs[0, :CHUNK].float().numpy() / 254.0
        normalized = np.stack([np.full(7, 2 * level - 1) for level in levels])
        normalized[:, 6] = levels
        actions = unnormalize(normalized, self.statistics[unnorm_key]["action"])
        return {"actions": actions, "action_ids": generation_outputs[0].numpy()}


class StandInModel(RecordingModel):
    config_class = StandInConfig

    def predict_action(self, model_inputs: BatchFeature) -> torch.Tensor:
        pixels = model_inputs["pixel_values"]
        StandInModel.calls.append(
            {"image_size": tuple(pixels.shape[-2:]), "keys": sorted(model_inputs)}
        )
        level = int(pixels.float().mean().item() * 254)
        return torch.tensor([[level, 254 - level, level, 127]], dtype=torch.long)
