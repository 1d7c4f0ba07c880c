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

Inputs as upstream's SimplerEnv client (XiaomiRobotics/Xiaomi-Robotics-0@3c297b25
``eval_simplerenv/main.py``; the study's ``policies/xiaomi/xiaomi.py`` in
nazar-karpov/bias-vla-benchmark@d5f4ed5d ``Act2Answer/``, very likely the authors'
code, is a copy of it):

* the instruction capitalised with a full stop, ``instruction[0].upper() +
  instruction[1:] + "."``;
* the image resized to 256x256 (PIL bicubic), centre-cropped to 0.95 and
  resized back (preset ``bridge-xiaomi-r0``);
* the state ``[x, y, z, roll, pitch, yaw, 0, opening]`` padded to 32 (preset
  state layout ``xiaomi_bridge``);
* ``robot_type`` / ``task_id`` ``bridge_delta`` (``XIAOMI_TASK_ID``);
* ``seed`` below 2**32 (``hash_data_to_seed(..., max_bytes=4)``). Departure: the
  seed here comes from the episode seed and step, not from a hash of the inputs.

The output is read as Bridge's ``[xyz, rpy, open 0..1]``, four actions per chunk.
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
#: Upstream's Bridge ``task_id`` / ``robot_type`` (eval_simplerenv/main.py, XIAOMI_TASK_ID).
BRIDGE_ROBOT_TYPE = "bridge_delta"
#: Keyword arguments of the study's run (the same as upstream).
STUDY_ARGS: dict[str, Any] = {
    "model_path": "XiaomiRobotics/Xiaomi-Robotics-0-SimplerEnv-WidowX",
    "preset": "study-xiaomi-r0",
    "robot_type": BRIDGE_ROBOT_TYPE,
    "bf16": True,
}
PROMPT_TAIL = (
    "Generate robot actions for the task:\n{instruction} /no_cot<|im_end|>\n"
    "<|im_start|>assistant\n<cot></cot><|im_end|>\n"
)


def upstream_instruction(instruction: str) -> str:
    """``instruction[0].upper() + instruction[1:] + "."`` as upstream's client does."""
    if not instruction:
        return "."
    return instruction[0].upper() + instruction[1:] + "."


def xiaomi_prompt(instruction: str, views: Sequence[str]) -> str:
    """The README's multi-view prompt for the given view names."""
    blocks = "".join(VIEW_BLOCK.format(view=view) for view in views)
    return PROMPT_HEAD + blocks + PROMPT_TAIL.format(instruction=instruction)


class XiaomiR0Adapter(RemoteCodeAdapter):
    """Xiaomi-Robotics-0 as a :class:`BatchPolicy` (server side).

    Args:
        model_path: Hub id (``XiaomiRobotics/Xiaomi-Robotics-0-SimplerEnv-WidowX``) or folder.
        robot_type: Statistics/mask key of the processor; None: ``bridge_delta``
            when the processor lists it, else the only one it lists.
        capitalise: Capitalise the instruction and add a full stop (upstream).
        bf16: Load in bfloat16 (the README's ``dtype=torch.bfloat16``); else ``dtype``.
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
        capitalise: bool = True,
        bf16: bool = False,
        attn_implementation: str | None = None,
        **kwargs: Any,
    ) -> None:
        self.attn_implementation = attn_implementation
        self.capitalise = capitalise
        if bf16:
            kwargs["dtype"] = "bfloat16"
        self.wrist_view = wrist_view
        super().__init__(model_path, **kwargs)
        self.robot_type = robot_type or self._only_robot_type()
        self.views = ["Base View", "Left-Wrist View"] if wrist_view else ["Base View"]
        if wrist_view:
            self.needs = type(self.needs)(image=True, wrist_image=True)

    def _only_robot_type(self) -> str:
        lister = getattr(self.processor, "list_robot_types", None)
        if lister is None:
            return BRIDGE_ROBOT_TYPE
        types = list(lister())
        if BRIDGE_ROBOT_TYPE in types:
            return BRIDGE_ROBOT_TYPE
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
            instruction = observation.instruction
            if self.capitalise:
                instruction = upstream_instruction(instruction)
            inputs = self.processor(
                text=[xiaomi_prompt(instruction, self.views)],
                images=images,
                videos=None,
                padding=True,
                return_tensors="pt",
            ).to(self.device)
            state = np.zeros(int(self.model.config.state_dim), dtype=np.float32)
            ours = self.preset.state(observation)
            if ours is not None:
                state[: min(state.size, ours.size)] = ours[: state.size]
            # Upstream seeds are below 2**32 (hash_data_to_seed, max_bytes=4).
            inputs["seed"] = request_seed(request.episode_seed, observation.step) % 2**32
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
