"""SpatialVLA in process, through its Hugging Face remote code.

Upstream (read, not copied):

* SpatialVLA's hub code (mirrored in public forks, e.g. Junyu-Fan/SpatialVLA
  ``model/processing_spatialvla.py`` and ``model/modeling_spatialvla.py``):
  ``processor(images=[PIL], text=prompt, unnorm_key=..., return_tensors="pt")``
  builds PaliGemma-style inputs plus the camera ``intrinsic`` of the
  ``unnorm_key`` dataset; ``model.predict_action(inputs)`` generates greedily
  and returns the new token ids; ``processor.decode_actions(generation_outputs,
  unnorm_key)["actions"]`` decodes row 0 into an ``(action_chunk_size, 7)``
  chunk un-normalised with q01/q99 (gripper masked).
* simpler-env/SimplerEnv ``simpler_env/policies/spatialvla/spatialvla_model.py``:
  ``AutoProcessor`` / ``AutoModel`` with ``trust_remote_code=True``, Bridge
  ``unnorm_key="bridge_orig/1.0.0"``, 224x224 ``cv2.INTER_AREA`` resize, the bare
  task description as prompt, ``do_normalize=False`` passed to the processor,
  gripper ``2 * (open > 0.5) - 1``, rotation deltas as roll-pitch-yaw.

Difference, on purpose: SimplerEnv ensembles overlapping chunks over time
(``ActionEnsembler``, temperature -0.8); act2answer's batched policies are
stateless, so this adapter executes ``replan_steps`` actions of each chunk.

The study (nazar-karpov/bias-vla-benchmark@d5f4ed5d ``Act2Answer/SimplerEnv/simpler_env/
policies/spatialvla/spatialvla.py``, very likely the authors' code) used the same
checkpoint, key and bare-task prompt, executed the first action of each chunk (no
ensemble either) and handed the raw 480x640 frame to the processor, which resized
it: preset ``study-spatialvla`` (no resize on our side). Its environment pinned
``transformers==4.47.1`` (``requirements/spatialvla.txt``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from PIL import Image

from act2answer.adapters._hf import RemoteCodeAdapter
from act2answer.errors import PolicyError

#: Keyword arguments of the study's run.
STUDY_ARGS: dict[str, Any] = {
    "model_path": "IPEC-COMMUNITY/spatialvla-4b-224-pt",
    "preset": "study-spatialvla",
}


class SpatialVLAAdapter(RemoteCodeAdapter):
    """SpatialVLA as a :class:`BatchPolicy`.

    Args:
        model_path: Hub id (``IPEC-COMMUNITY/spatialvla-4b-224-pt``) or local folder.
        prompt_template: ``{instruction}`` is replaced by the instruction
            (SimplerEnv passes the task description unchanged).
        **kwargs: See :class:`~act2answer.adapters._hf.RemoteCodeAdapter`
            (``preset`` defaults to ``bridge-spatialvla``).
    """

    name = "spatialvla"
    default_preset = "bridge-spatialvla"

    def __init__(
        self,
        model_path: str = "IPEC-COMMUNITY/spatialvla-4b-224-pt",
        *,
        prompt_template: str = "{instruction}",
        **kwargs: Any,
    ) -> None:
        if "{instruction}" not in prompt_template:
            raise PolicyError("prompt_template must contain '{instruction}'")
        self.prompt_template = prompt_template
        super().__init__(model_path, **kwargs)

    def load(self) -> tuple[Any, Any]:
        return self.load_remote("AutoModel")

    def predict(self, image: np.ndarray, instruction: str, seed: int) -> np.ndarray:
        inputs = self.processor(
            images=[Image.fromarray(image).convert("RGB")],
            text=self.prompt_template.format(instruction=instruction),
            unnorm_key=self.unnorm_key,
            return_tensors="pt",
            do_normalize=False,
        )
        generated = self.model.predict_action(inputs)
        decoded = self.processor.decode_actions(
            generation_outputs=generated, unnorm_key=self.unnorm_key
        )
        return np.asarray(decoded["actions"], dtype=np.float64)
