"""OpenVLA in process, through its Hugging Face remote code.

Upstream (read, not copied):

* openvla/openvla ``prismatic/extern/hf/modeling_prismatic.py``:
  ``OpenVLAForActionPrediction.predict_action(input_ids, unnorm_key, **kwargs)``
  appends token 29871 when missing, generates one token per action dimension,
  de-tokenises (``vocab_size - id - 1`` over 256 bins in [-1, 1]) and
  un-normalises with the ``unnorm_key`` dataset's q01/q99 (gripper masked).
* openvla/openvla ``vla-scripts/deploy.py`` and the README: prompt
  ``In: What action should the robot take to {instruction.lower()}?\\nOut:``,
  ``processor(prompt, image).to(device, dtype=torch.bfloat16)``,
  ``predict_action(**inputs, unnorm_key=..., do_sample=False)``, loaded with
  ``AutoProcessor`` / ``AutoModelForVision2Seq`` and ``trust_remote_code=True``.
* simpler-env/SimplerEnv ``simpler_env/policies/openvla/openvla_model.py``:
  Bridge image 224x224 with ``cv2.INTER_AREA``, ``unnorm_key="bridge_orig"``,
  gripper ``2 * (open > 0.5) - 1``, rotation deltas as roll-pitch-yaw (SimplerEnv
  converts them to axis-angle for its controller; act2answer takes rpy). Note that
  SimplerEnv passes the bare task description as the prompt; pass
  ``prompt_template="{instruction}"`` to reproduce that.

The preset ``bridge-openvla`` holds these conventions.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from PIL import Image

from act2answer.adapters._hf import RemoteCodeAdapter
from act2answer.errors import PolicyError

OPENVLA_PROMPT = "In: What action should the robot take to {instruction}?\nOut:"


class OpenVLAAdapter(RemoteCodeAdapter):
    """OpenVLA (or a fine-tune with the same remote code) as a :class:`BatchPolicy`.

    Args:
        model_path: Hub id (``openvla/openvla-7b``) or local folder.
        prompt_template: ``{instruction}`` is replaced by the instruction.
        lowercase: Lower-case the instruction first (``deploy.py`` does).
        attn_implementation: Passed to ``from_pretrained`` (e.g. ``flash_attention_2``).
        **kwargs: See :class:`~act2answer.adapters._hf.RemoteCodeAdapter`
            (``preset`` defaults to ``bridge-openvla``).
    """

    name = "openvla"
    default_preset = "bridge-openvla"

    def __init__(
        self,
        model_path: str = "openvla/openvla-7b",
        *,
        prompt_template: str = OPENVLA_PROMPT,
        lowercase: bool = True,
        attn_implementation: str | None = None,
        **kwargs: Any,
    ) -> None:
        if "{instruction}" not in prompt_template:
            raise PolicyError("prompt_template must contain '{instruction}'")
        self.prompt_template = prompt_template
        self.lowercase = lowercase
        self.attn_implementation = attn_implementation
        super().__init__(model_path, **kwargs)

    def load(self) -> tuple[Any, Any]:
        return self.load_remote(
            "AutoModelForVision2Seq", self.attn_implementation, low_cpu_mem_usage=True
        )

    def prompt(self, instruction: str) -> str:
        """The exact prompt string OpenVLA was trained with."""
        text = instruction.lower() if self.lowercase else instruction
        return self.prompt_template.format(instruction=text)

    def predict(self, image: np.ndarray, instruction: str, seed: int) -> np.ndarray:
        inputs = self.processor(self.prompt(instruction), Image.fromarray(image).convert("RGB"))
        inputs = inputs.to(self.device, dtype=self.dtype)
        action = self.model.predict_action(**inputs, unnorm_key=self.unnorm_key, do_sample=False)
        return np.asarray(action, dtype=np.float64)
