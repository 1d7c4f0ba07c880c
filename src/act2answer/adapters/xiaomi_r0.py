"""Xiaomi-Robotics-0 behind act2answer's openpi-compatible server (runs in the model's environment).

Upstream (read, not copied): XiaomiRobotics/Xiaomi-Robotics-0 ``README.md``
(deployment guide): ``AutoModel.from_pretrained(path, trust_remote_code=True,
dtype=torch.bfloat16)`` and ``AutoProcessor.from_pretrained(path,
trust_remote_code=True, use_fast=False)``; the prompt

``<|im_start|>user\\nThe following observations are captured from multiple views.\\n``
``# Base View\\n<|vision_start|><|image_pad|><|vision_end|>\\n`` (one block per view)
``Generate robot actions for the task:\\n{instruction} /no_cot<|im_end|>\\n``
``<|im_start|>assistant\\n<cot></cot><|im_end|>\\n``;

``processor(text=[prompt], images=[...], videos=None, padding=True,
return_tensors="pt")``, then ``inputs["seed"]``, ``inputs["state"]`` (shape
``(1, 1, state_dim)``) and ``inputs["action_mask"] =
processor.get_action_mask(robot_type)``; ``outputs = model(**inputs)``;
``processor.decode_action(outputs.actions, robot_type=robot_type)`` gives the
un-normalised ``(1, chunk, D)`` chunk.

Assumptions, stated: the WidowX fine-tune gets the third-person image as its
only ("Base") view and act2answer's 7-D state zero-padded to the model's
``state_dim``; its output is read as Bridge's ``[xyz, rpy, open 0..1]``
(preset ``bridge-xiaomi-r0``). Check ``robot_type`` with
``processor.list_robot_types()`` on the real checkpoint.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from PIL import Image

from act2answer.adapters._hf import RemoteCodeAdapter, request_seed
from act2answer.errors import PolicyError
from act2answer.interfaces import PolicyRequest

VIEW_BLOCK = "# {view}\n<|vision_start|><|image_pad|><|vision_end|>\n"
PROMPT_HEAD = "<|im_start|>user\nThe following observations are captured from multiple views.\n"
PROMPT_TAIL = (
    "Generate robot actions for the task:\n{instruction} /no_cot<|im_end|>\n"
    "<|im_start|>assistant\n<cot></cot><|im_end|>\n"
)


def xiaomi_prompt(instruction: str, views: Sequence[str]) -> str:
    """The README's multi-view prompt for the given view names."""
    blocks = "".join(VIEW_BLOCK.format(view=view) for view in views)
    return PROMPT_HEAD + blocks + PROMPT_TAIL.format(instruction=instruction)


class XiaomiR0Adapter(RemoteCodeAdapter):
    """Xiaomi-Robotics-0 as a :class:`BatchPolicy` (server side).

    Args:
        model_path: Hub id (``XiaomiRobotics/Xiaomi-Robotics-0-SimplerEnv-WidowX``) or folder.
        robot_type: Statistics/mask key of the processor; None picks the only one.
        wrist_view: Also send the wrist image as ``Left-Wrist View``.
        attn_implementation: e.g. ``flash_attention_2``; default lets transformers choose.
        **kwargs: See :class:`~act2answer.adapters._hf.RemoteCodeAdapter`
            (``preset`` defaults to ``bridge-xiaomi-r0``).
    """

    name = "xiaomi-r0"
    default_preset = "bridge-xiaomi-r0"

    def __init__(
        self,
        model_path: str = "XiaomiRobotics/Xiaomi-Robotics-0-SimplerEnv-WidowX",
        *,
        robot_type: str | None = None,
        wrist_view: bool = False,
        attn_implementation: str | None = None,
        **kwargs: Any,
    ) -> None:
        self.attn_implementation = attn_implementation
        self.wrist_view = wrist_view
        super().__init__(model_path, **kwargs)
        self.robot_type = robot_type or self._only_robot_type()
        self.views = ["Base View", "Left-Wrist View"] if wrist_view else ["Base View"]
        if wrist_view:
            self.needs = type(self.needs)(image=True, wrist_image=True)

    def _only_robot_type(self) -> str:
        types = list(self.processor.list_robot_types())
        if len(types) != 1:
            raise PolicyError(f"xiaomi-r0: pass robot_type, one of {types}")
        return types[0]

    def load(self) -> tuple[Any, Any]:
        transformers = self.transformers
        extra = (
            {"attn_implementation": self.attn_implementation} if self.attn_implementation else {}
        )
        model = transformers.AutoModel.from_pretrained(
            self.model_path, trust_remote_code=True, dtype=self.dtype, **extra
        )
        processor = transformers.AutoProcessor.from_pretrained(
            self.model_path, trust_remote_code=True, use_fast=False
        )
        return processor, model.to(self.device).eval()

    def act_batch(self, requests: Sequence[PolicyRequest]) -> np.ndarray:
        """One forward pass per request (the README's call is single-sample); ``(B, H, 7)``."""
        torch = self.torch
        chunks = []
        for request in requests:
            observation = request.observation
            views = [observation.image] + ([observation.wrist_image] if self.wrist_view else [])
            if any(view is None for view in views):
                raise PolicyError("xiaomi-r0: a camera image was not rendered")
            images = [Image.fromarray(self.preset.prepare_image(view)) for view in views]
            inputs = self.processor(
                text=[xiaomi_prompt(observation.instruction, self.views)],
                images=images,
                videos=None,
                padding=True,
                return_tensors="pt",
            ).to(self.device)
            state = np.zeros(int(self.model.config.state_dim), dtype=np.float32)
            ours = self.preset.state(observation)
            if ours is not None:
                state[: min(state.size, ours.size)] = ours[: state.size]
            inputs["seed"] = request_seed(request.episode_seed, observation.step)
            inputs["state"] = torch.from_numpy(state).to(self.device, self.dtype).view(1, 1, -1)
            inputs["action_mask"] = self.processor.get_action_mask(self.robot_type).to(
                self.device, self.dtype
            )
            with torch.inference_mode():
                outputs = self.model(**inputs)
            chunk = self.processor.decode_action(outputs.actions, robot_type=self.robot_type)
            chunk = np.asarray(chunk.float().cpu().numpy() if hasattr(chunk, "cpu") else chunk)
            chunks.append(self.preset.decode(chunk.reshape(-1, chunk.shape[-1])))
        return np.stack(chunks) if chunks else np.zeros((0, 1, 7))


def main(argv: Sequence[str] | None = None) -> None:
    """Serve Xiaomi-Robotics-0 over openpi's protocol (run in the model's environment)."""
    from act2answer.adapters._serve_script import serve_adapter

    serve_adapter("xiaomi-r0", argv, "Serve Xiaomi-Robotics-0 for act2answer")


if __name__ == "__main__":
    main()
