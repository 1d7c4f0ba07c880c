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

The study (nazar-karpov/bias-vla-benchmark@d5f4ed5d ``Act2Answer/``, very likely the
authors' code; ``SimplerEnv/simpler_env/policies/openvla/openvla_train.py`` and
``SimplerEnv/simpler_env/run.py``) ran RL4VLA's ``gen-robot/openvla-7b-rlvla-sft_16k``
with ``vla_unnorm_key="sft"`` (``run.py:98``), sampling at ``vla_temperature_eval=0.6``
(``run.py:107``) restricted to the 256 action tokens, the prompt with a trailing
space after ``Out:``, and the raw 480x640 frame resized by the processor (bicubic,
antialiased). :data:`STUDY_ARGS` and the preset ``study-openvla`` reproduce that.
Its environment pinned ``transformers==4.40.1`` (``requirements/openvla.txt``).

transformers >= 4.50 makes OpenVLA's remote code drop ``pixel_values`` at the
first generation step, so the model silently ignores the image
(openvla/openvla#346). Loading a real OpenVLA checkpoint there is refused.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from PIL import Image

from act2answer.adapters._hf import (
    RemoteCodeAdapter,
    masked_logits_processor,
    transformers_version_tuple,
)
from act2answer.errors import PolicyError

OPENVLA_PROMPT = "In: What action should the robot take to {instruction}?\nOut:"
#: The study's prompt: ``openvla_train.py`` ``_preprocess_obs`` ends it with ``"Out: "``.
OPENVLA_STUDY_PROMPT = "In: What action should the robot take to {instruction}?\nOut: "
#: ``model_type`` of OpenVLA's hub config (``prismatic/extern/hf/configuration_prismatic.py``).
OPENVLA_MODEL_TYPE = "openvla"
#: First transformers release on which OpenVLA ignores its image (openvla/openvla#346).
FIRST_BAD_TRANSFORMERS = (4, 50)
#: Keyword arguments of the study's OpenVLA run (see the module docstring).
STUDY_ARGS: dict[str, Any] = {
    "model_path": "gen-robot/openvla-7b-rlvla-sft_16k",
    "preset": "study-openvla",
    "prompt_template": OPENVLA_STUDY_PROMPT,
    "temperature": 0.6,
}


def check_openvla_transformers(model_type: str, transformers_version: str) -> None:
    """Refuse a real OpenVLA checkpoint on transformers >= 4.50.

    Raises:
        PolicyError: ``model_type`` is OpenVLA's and the version is known to blind it.
    """
    if model_type != OPENVLA_MODEL_TYPE:
        return
    if transformers_version_tuple(transformers_version) >= FIRST_BAD_TRANSFORMERS:
        raise PolicyError(
            f"OpenVLA on transformers {transformers_version} ignores its image "
            "(openvla/openvla#346: pixel_values are dropped at the first generation step). "
            "Serve it from its own environment: `act2answer env create openvla` "
            "(transformers==4.40.1, tokenizers==0.19.1), then "
            "`--policy openpi://HOST:PORT`."
        )


class OpenVLAAdapter(RemoteCodeAdapter):
    """OpenVLA (or a fine-tune with the same remote code) as a :class:`BatchPolicy`.

    Args:
        model_path: Hub id (``openvla/openvla-7b``) or local folder.
        prompt_template: ``{instruction}`` is replaced by the instruction.
        lowercase: Lower-case the instruction first (``deploy.py`` does).
        temperature: 0 decodes greedily (``deploy.py``); > 0 samples among the 256
            action tokens only, seeded per request (the study: 0.6).
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
        temperature: float = 0.0,
        attn_implementation: str | None = None,
        **kwargs: Any,
    ) -> None:
        if "{instruction}" not in prompt_template:
            raise PolicyError("prompt_template must contain '{instruction}'")
        if temperature < 0:
            raise PolicyError(f"temperature must be >= 0, got {temperature}")
        self.temperature = temperature
        self.prompt_template = prompt_template
        self.lowercase = lowercase
        self.attn_implementation = attn_implementation
        super().__init__(model_path, **kwargs)

    def load(self) -> tuple[Any, Any]:
        config = self.transformers.AutoConfig.from_pretrained(
            self.model_path, trust_remote_code=True
        )
        check_openvla_transformers(
            str(getattr(config, "model_type", "")), self.transformers.__version__
        )
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
        sampling: dict[str, Any] = {"do_sample": False}
        if self.temperature > 0:
            self.torch.manual_seed(seed)
            # OpenVLAForActionPrediction.vocab_size is the unpadded 32000 of predict_action.
            vocab = int(getattr(self.model, "vocab_size", None) or self.model.config.vocab_size)
            bins = int(getattr(self.model.config, "n_action_bins", 256))
            sampling = {
                "do_sample": True,
                "temperature": self.temperature,
                "logits_processor": masked_logits_processor(
                    self.transformers, self.torch, range(vocab - bins, vocab)
                ),
            }
        action = self.model.predict_action(**inputs, unnorm_key=self.unnorm_key, **sampling)
        return np.asarray(action, dtype=np.float64)
