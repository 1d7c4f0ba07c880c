"""Magma in process, through its Hugging Face remote code.

Upstream (read, not copied):

* CognitiveAISystems/Act2Answer ``SimplerEnv/simpler_env/policies/magma/magma_model.py``
  (how the reference study called ``microsoft/Magma-8B``): ``AutoProcessor`` and
  ``AutoModelForCausalLM`` with ``trust_remote_code=True``; the conversation
  ``[system: "You are agent that can see, talk and act.", user:
  "<image>\\nWhat action should the robot take to {task}?"]`` through
  ``tokenizer.apply_chat_template(..., add_generation_prompt=True)``, with
  ``<image>`` replaced by ``<image_start><image><image_end>`` when the config's
  ``mm_use_image_start_end`` is set; the image resized to 256x256 with PIL;
  ``processor(images=..., texts=prompt, return_tensors="pt")`` with
  ``pixel_values`` and ``image_sizes`` given a crops axis (``unsqueeze``);
  ``generate`` until EOS; the 7 tokens before EOS decoded like OpenVLA
  (``tokenizer.vocab_size - id - 1`` over 256 bins) and un-normalised with the
  ``bridge_orig`` q01/q99 statistics (gripper masked); gripper
  ``2 * (open > 0.5) - 1``; rotation deltas roll-pitch-yaw.
* microsoft/Magma README: the same chat template, processor call and crops axis.

The study's batched path (nazar-karpov/bias-vla-benchmark@d5f4ed5d
``Act2Answer/SimplerEnv/simpler_env/policies/magma/magma_model.py``, very likely the
authors' code; ``run.py`` calls ``get_action``) differs from upstream in four ways,
all reproduced by :data:`STUDY_ARGS` (preset ``study-magma``):

* the conversation lists the **user turn before the system turn** (``get_action``;
  ``step_one`` and upstream list the system first): ``message_order="user_first"``;
* it samples, ``temperature=0.7, do_sample=True`` (upstream SimplerEnv Magma does
  too), with a float32 ``nan_to_num`` logits guard (``_CastFloat32``), and
  ``max_new_tokens=1000``;
* it loads in float16 (``torch_dtype=torch.float16``);
* ``_fix_vision_layerscale``: the checkpoint stores the ConvNeXt LayerScale
  parameters of the vision tower as ``...blocks.N.weight`` while timm/open_clip
  name them ``...blocks.N.gamma``, so ``from_pretrained`` leaves them at their
  ~1e-5 initialisation and "the model emits gibberish"; the wrapper reloads every
  ``vision_tower`` tensor under the remapped names. :func:`layerscale_remap` does
  the same (``fix_layerscale=True``, the default).

Difference, on purpose: with ``temperature > 0`` this adapter seeds each request
from its episode seed and step so results are reproducible.
The ``bridge_orig`` statistics ship with act2answer
(``adapters/data/bridge_orig_action_stats.json``, the BridgeData V2 numbers of
the study's wrapper and of OpenVLA's config); other datasets need ``norm_stats``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from act2answer.adapters import _tokens
from act2answer.adapters._hf import RemoteCodeAdapter, float32_logits_processor
from act2answer.errors import PolicyError

MAGMA_SYSTEM = "You are agent that can see, talk and act."
MAGMA_USER = "<image>\nWhat action should the robot take to {instruction}?"
ACTION_TOKENS = 7
_LAYERSCALE_KEY = re.compile(r"blocks\.\d+\.weight$")

#: Keyword arguments of the study's Magma run (see the module docstring).
STUDY_ARGS: dict[str, Any] = {
    "model_path": "microsoft/Magma-8B",
    "preset": "study-magma",
    "message_order": "user_first",
    "temperature": 0.7,
    "max_new_tokens": 1000,
    "dtype": "float16",
    "fix_layerscale": True,
}


def layerscale_remap(checkpoint_keys: Iterable[str], model_keys: Iterable[str]) -> dict[str, str]:
    """Checkpoint key -> model key for the vision tower, LayerScale ``weight`` -> ``gamma``.

    The study's ``_fix_vision_layerscale`` (see the module docstring): every
    checkpoint key containing ``vision_tower`` whose remapped name (``...blocks.N.weight``
    -> ``...blocks.N.gamma``, other keys unchanged) is a key of the model.
    """
    wanted = set(model_keys)
    mapping = {}
    for key in checkpoint_keys:
        if "vision_tower" not in key:
            continue
        target = key[: -len("weight")] + "gamma" if _LAYERSCALE_KEY.search(key) else key
        if target in wanted:
            mapping[key] = target
    return mapping


def builtin_norm_stats() -> dict[str, Any]:
    """The action statistics shipped with act2answer (``bridge_orig``)."""
    text = resources.files("act2answer.adapters").joinpath("data/bridge_orig_action_stats.json")
    return json.loads(text.read_text())


def action_tokens_before_eos(generated: Any, eos_token_id: int) -> np.ndarray:
    """The :data:`ACTION_TOKENS` ids before the first EOS of one generated row.

    Raises:
        PolicyError: fewer than 7 tokens were generated before EOS.
    """
    row = np.asarray(generated, dtype=np.int64).reshape(-1)
    eos = np.flatnonzero(row == eos_token_id)
    end = int(eos[0]) if eos.size else row.shape[0]
    if end < ACTION_TOKENS:
        raise PolicyError(f"magma generated {end} tokens before EOS; {ACTION_TOKENS} needed")
    return row[end - ACTION_TOKENS : end]


class MagmaAdapter(RemoteCodeAdapter):
    """Magma as a :class:`BatchPolicy`.

    Args:
        model_path: Hub id (``microsoft/Magma-8B``) or local folder.
        norm_stats: ``{key: {"action": {"q01", "q99", "mask"}}}`` or a JSON file
            of it; defaults to the model config's ``norm_stats`` when it has them,
            else the shipped ``bridge_orig`` statistics.
        temperature: 0 decodes greedily; > 0 samples (seeded per request, logits
            cast to float32 with NaN/inf replaced, as the study did).
        max_new_tokens: Generation limit (the action ends at EOS).
        message_order: ``system_first`` (upstream, ``step_one``) or ``user_first``
            (the study's batched ``get_action``).
        fix_layerscale: Reload the vision tower with the LayerScale remap.
        attn_implementation: Passed to ``from_pretrained``.
        **kwargs: See :class:`~act2answer.adapters._hf.RemoteCodeAdapter`
            (``preset`` defaults to ``bridge-magma``).
    """

    name = "magma"
    default_preset = "bridge-magma"

    def __init__(
        self,
        model_path: str = "microsoft/Magma-8B",
        *,
        norm_stats: dict[str, Any] | str | None = None,
        temperature: float = 0.0,
        max_new_tokens: int = 64,
        message_order: str = "system_first",
        fix_layerscale: bool = True,
        attn_implementation: str | None = None,
        **kwargs: Any,
    ) -> None:
        if temperature < 0:
            raise PolicyError(f"temperature must be >= 0, got {temperature}")
        if message_order not in ("system_first", "user_first"):
            raise PolicyError(
                f"message_order must be system_first or user_first, not {message_order!r}"
            )
        self.message_order = message_order
        self.fix_layerscale = fix_layerscale
        self.layerscale_loaded = 0
        self.temperature = temperature
        self.max_new_tokens = max_new_tokens
        self.attn_implementation = attn_implementation
        self._norm_stats_arg = norm_stats
        super().__init__(model_path, **kwargs)
        self.action_stats = _tokens.dataset_stats(self._norm_stats(), self.unnorm_key)

    def _norm_stats(self) -> dict[str, Any]:
        if isinstance(self._norm_stats_arg, str):
            try:
                return json.loads(Path(self._norm_stats_arg).read_text())
            except (OSError, ValueError) as exc:
                raise PolicyError(f"cannot read norm_stats {self._norm_stats_arg}: {exc}") from None
        if self._norm_stats_arg is not None:
            return self._norm_stats_arg
        from_config = getattr(self.model.config, "norm_stats", None)
        return from_config if from_config else builtin_norm_stats()

    def load(self) -> tuple[Any, Any]:
        processor, model = self.load_remote(
            "AutoModelForCausalLM",
            self.attn_implementation,
            to_device=False,
            low_cpu_mem_usage=True,
        )
        if self.fix_layerscale:
            self.layerscale_loaded = self._reload_vision_tower(model)
        return processor, self.place(model)

    def _checkpoint_folder(self) -> Path:
        folder = Path(self.model_path)
        if folder.is_dir():
            return folder
        from huggingface_hub import snapshot_download

        return Path(snapshot_download(self.model_path, local_files_only=True))

    def _reload_vision_tower(self, model: Any) -> int:
        """Load the vision-tower tensors under their remapped names; how many were loaded."""
        from safetensors import safe_open

        state = model.state_dict()
        tensors: dict[str, Any] = {}
        for file in sorted(self._checkpoint_folder().glob("*.safetensors")):
            with safe_open(str(file), framework="pt") as handle:
                for key, target in layerscale_remap(handle.keys(), state).items():
                    tensors[target] = handle.get_tensor(key).to(state[target].dtype)
        if tensors:
            # assign=True: with low_cpu_mem_usage (older transformers) the unmatched
            # LayerScale parameters are still on the meta device; assigning replaces them.
            model.load_state_dict(tensors, strict=False, assign=True)
        return len(tensors)

    def conversation(self, instruction: str) -> list[Mapping[str, str]]:
        """The chat turns, in upstream order or in the study's (user first)."""
        system = {"role": "system", "content": MAGMA_SYSTEM}
        user = {"role": "user", "content": MAGMA_USER.format(instruction=instruction)}
        return [user, system] if self.message_order == "user_first" else [system, user]

    def prompt(self, instruction: str) -> str:
        """The chat-templated prompt string the study's wrapper built."""
        conversation = self.conversation(instruction)
        text = self.processor.tokenizer.apply_chat_template(
            conversation, tokenize=False, add_generation_prompt=True
        )
        if getattr(self.model.config, "mm_use_image_start_end", False):
            text = text.replace("<image>", "<image_start><image><image_end>")
        return text

    def predict(self, image: np.ndarray, instruction: str, seed: int) -> np.ndarray:
        torch = self.torch
        inputs = self.processor(
            images=[Image.fromarray(image).convert("RGB")],
            texts=self.prompt(instruction),
            return_tensors="pt",
        )
        inputs["pixel_values"] = inputs["pixel_values"].unsqueeze(0)
        inputs["image_sizes"] = inputs["image_sizes"].unsqueeze(0)
        inputs = inputs.to(self.device).to(self.dtype)
        tokenizer = self.processor.tokenizer
        sampling: dict[str, Any] = {"do_sample": False}
        if self.temperature > 0:
            torch.manual_seed(seed)
            sampling = {
                "do_sample": True,
                "temperature": self.temperature,
                "logits_processor": float32_logits_processor(self.transformers, torch),
            }
        output = self.model.generate(
            **inputs,
            max_new_tokens=self.max_new_tokens,
            num_beams=1,
            use_cache=True,
            pad_token_id=tokenizer.pad_token_id,
            **sampling,
        )
        generated = output[0, inputs["input_ids"].shape[1] :].cpu().numpy()
        tokens = action_tokens_before_eos(generated, tokenizer.eos_token_id)
        normalized = _tokens.tokens_to_normalized(tokens, tokenizer.vocab_size)
        return _tokens.unnormalize_q01_q99(normalized, self.action_stats)
