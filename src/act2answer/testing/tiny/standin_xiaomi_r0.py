"""Stand-in for Xiaomi-Robotics-0's remote code: the documented signatures, a tiny body.

Loaded through ``AutoProcessor`` / ``AutoModel`` with ``trust_remote_code=True``
from a local folder, like the hub checkpoints (XiaomiRobotics/Xiaomi-Robotics-0
README: ``processor(text=[...], images=[...], videos=None, padding=True,
return_tensors="pt")``, ``processor.get_action_mask(robot_type)``,
``processor.list_robot_types()``, ``model(**inputs).actions``,
``processor.decode_action(actions, robot_type=...)``; ``config.state_dim``).
Records prompt, images, state and seed; the chunk depends on the image and
on the seed (as the flow-matching noise does).
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import torch
from transformers import BatchFeature, PretrainedConfig

from ._standin import RecordingModel, RecordingProcessor, text_ids

ROBOT = "bridge_delta"
CHUNK = 4


class StandInConfig(PretrainedConfig):
    model_type = "xiaomi_r0_standin"

    def __init__(self, state_dim: int = 32, **kwargs: Any):
        self.state_dim = state_dim
        super().__init__(**kwargs)


class StandInProcessor(RecordingProcessor):
    @classmethod
    def from_pretrained(cls, path: str, **kwargs: Any) -> StandInProcessor:
        StandInProcessor.calls.append({"from_pretrained_kwargs": dict(kwargs)})
        return cls()

    def list_robot_types(self) -> list[str]:
        return ["fractal_standin", ROBOT]

    def __call__(self, text: list, images: list, videos: Any = None, **kwargs: Any) -> BatchFeature:
        sizes = [image.size for image in images]
        pixels = self.record(images[0], {"prompt": text[0], "image_sizes": sizes, "videos": videos})
        return BatchFeature({"input_ids": text_ids(text[0]), "pixel_values": pixels})

    def get_action_mask(self, robot_type: str) -> torch.Tensor:
        if robot_type != ROBOT:
            raise KeyError(robot_type)
        mask = torch.zeros(1, 1, 32)
        mask[..., :7] = 1
        return mask

    def decode_action(self, actions: torch.Tensor, robot_type: str) -> torch.Tensor:
        if robot_type != ROBOT:
            raise KeyError(robot_type)
        decoded = actions[..., :7].clone() * 0.01
        decoded[..., 6] = (actions[..., 6] > 0).float()
        return decoded


class StandInModel(RecordingModel):
    config_class = StandInConfig

    def forward(self, **inputs: Any) -> SimpleNamespace:
        state = inputs["state"]
        StandInModel.calls.append(
            {
                "seed": inputs["seed"],
                "state_shape": tuple(state.shape),
                "state": state.float().flatten().tolist(),
                "mask_shape": tuple(inputs["action_mask"].shape),
            }
        )
        generator = torch.Generator().manual_seed(int(inputs["seed"]))
        noise = torch.randn(1, CHUNK, self.config.state_dim, generator=generator)
        return SimpleNamespace(actions=noise + inputs["pixel_values"].float().mean())
