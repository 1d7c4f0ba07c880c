"""Stand-in for InternVLA-M1's framework class: the documented signatures, a tiny body.

Mirrors InternRobotics/InternVLA-M1 ``InternVLA.model.framework.M1.InternVLA_M1``
as its server uses it (``from_pretrained(ckpt)``, ``.to(...)``, ``.eval()``,
``predict_action(batch_images, instructions, unnorm_key, do_sample, cfg_scale,
use_ddim, num_ddim_steps) -> {"normalized_actions": (B, chunk, 7)}``) and
``share_tools.read_mode_config(ckpt) -> (config, norm_stats)``. Records every
call; the chunk is derived from each image so rows can be told apart.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import torch

CHUNK = 5


class InternVLAM1StandIn(torch.nn.Module):
    calls: ClassVar[list[dict[str, Any]]] = []
    #: The RGB pixels of every image received, ``(H, W, 3)`` uint8 (tests check orientation).
    pixels: ClassVar[list[np.ndarray]] = []

    def __init__(self) -> None:
        super().__init__()
        self.scale = torch.nn.Linear(1, 1)

    @classmethod
    def from_pretrained(cls, path: str) -> InternVLAM1StandIn:
        if not (Path(path) / "dataset_statistics.json").exists():
            raise FileNotFoundError(path)
        return cls()

    def predict_action(self, batch_images: list, instructions: list[str], **kwargs: Any) -> dict:
        InternVLAM1StandIn.calls.append(
            {
                "n_images": [len(images) for images in batch_images],
                "image_shapes": [images[0].shape for images in batch_images],
                "instructions": list(instructions),
                **kwargs,
            }
        )
        rows = []
        InternVLAM1StandIn.pixels.extend(np.asarray(images[0]).copy() for images in batch_images)
        for images in batch_images:
            level = float(np.asarray(images[0], dtype=np.float64).mean() / 255.0)
            row = np.full((CHUNK, 7), 2 * level - 1)
            row[:, 6] = level
            rows.append(row)
        return {"normalized_actions": np.stack(rows)}


def read_config(path: str) -> tuple[dict, dict]:
    """``(config, norm_stats)`` of a stand-in checkpoint folder."""
    return {}, json.loads((Path(path) / "dataset_statistics.json").read_text())
