"""Stand-in for OpenVLA's remote code: the documented signatures, a tiny body.

Loaded through ``AutoProcessor`` / ``AutoModelForVision2Seq`` with
``trust_remote_code=True`` from a local folder, exactly like the hub model
(openvla/openvla ``prismatic/extern/hf/modeling_prismatic.py``:
``predict_action(input_ids, unnorm_key, **kwargs)``; ``processing_prismatic.py``:
``processor(text, images)``). It records what it receives (prompt string,
image size, ``unnorm_key``) in ``StandInModel.calls`` and answers with action
tokens derived from the image, decoded and un-normalised with the upstream
arithmetic. Not a model: it proves the plumbing around the call.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from transformers import BatchFeature, PretrainedConfig

from ._standin import RecordingModel, RecordingProcessor, text_ids, unnormalize


class StandInConfig(PretrainedConfig):
    model_type = "openvla_standin"

    def __init__(self, norm_stats: dict | None = None, vocab_size: int = 32000, **kwargs: Any):
        self.norm_stats = norm_stats or {}
        self.vocab_size = vocab_size
        self.n_action_bins = 256
        super().__init__(**kwargs)


class StandInProcessor(RecordingProcessor):
    """``processor(prompt, image)``: the prompt as UTF-8 byte ids, the image as pixels."""

    def __call__(self, text: str, images: Any, **kwargs: Any) -> BatchFeature:
        pixels = self.record(images, {"prompt": text, "image_size": images.size})
        ids = text_ids(text)
        return BatchFeature(
            {"input_ids": ids, "attention_mask": torch.ones_like(ids), "pixel_values": pixels}
        )


class StandInModel(RecordingModel):
    config_class = StandInConfig

    def predict_action(
        self, input_ids: torch.Tensor | None = None, unnorm_key: str | None = None, **kwargs: Any
    ) -> np.ndarray:
        pixels = kwargs["pixel_values"]
        StandInModel.calls.append(
            {
                "prompt": bytes(input_ids[0].tolist()).decode(),
                "image_size": tuple(pixels.shape[-2:]),
                "pixel_dtype": str(pixels.dtype),
                "unnorm_key": unnorm_key,
                "kwargs": sorted(kwargs),
                "do_sample": kwargs.get("do_sample"),
                "temperature": kwargs.get("temperature"),
                "logits_processor": kwargs.get("logits_processor"),
            }
        )
        level = int(pixels.float().mean().item() * 254)
        bins = np.array([level, 254 - level, 127, 128, 0, 254, level])
        tokens = self.config.vocab_size - 1 - bins
        centers = np.linspace(-1, 1, self.config.n_action_bins)
        centers = (centers[:-1] + centers[1:]) / 2.0
        normalized = centers[np.clip(self.config.vocab_size - tokens - 1, 0, 254)]
        return unnormalize(normalized, self.config.norm_stats[unnorm_key]["action"])
