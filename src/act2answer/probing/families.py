"""Probe models for the model families we run: which modules are "prefix" and "action".

* **transformers VLMs** (:class:`TransformersVLMProbe`): prefix = every decoder
  layer of the language model (the longest ``...layers.N`` stack outside the
  vision tower), output of the layer, on one forward pass over the first frame
  and the instruction. No action part: a VLM has no action layers.
* **LeRobot SmolVLA / pi0** (:class:`LeRobotProbe`): prefix = the VLM's text
  decoder layers, action = the action expert's layers. LeRobot computes these
  layers piece by piece (norm, q/k/v projections, attention, MLP) without
  calling the layer modules, so the hooks read the *input* of each layer's
  ``input_layernorm``: the residual stream entering layer n (layer 0 = the
  embeddings). The expert runs once per denoising step; the last step is kept
  (``calls="last"``), the one that produces the executed actions. The
  denoising noise is seeded from the episode seed, so features are reproducible.
* **OpenVLA-style token decoders** (OpenVLA, SpatialVLA, Magma ...) have no
  separate action module: the same language-model layers first read the
  prompt and then emit the 7 action tokens. Their prefix is the layers'
  states on the prompt (first call), their "action layers" are the *same*
  layers at the generated action-token positions (``calls="after_first"``,
  mean over the action tokens). :func:`token_decoder_patterns` gives these
  patterns for an adapter that runs ``generate``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from act2answer._registry import import_object
from act2answer.errors import Act2AnswerError
from act2answer.interfaces import Observation, PolicyRequest
from act2answer.probing._hooks import PartPattern
from act2answer.probing._record import ProbeInput

if TYPE_CHECKING:
    import torch

_LAYER = re.compile(r"^(?P<stack>.+)\.layers\.(?P<index>\d+)$")
_VISION = re.compile(r"vision|visual|image_encoder|siglip|vit", re.IGNORECASE)


def _build(spec: str, needs: str, *args: Any, **kwargs: Any) -> Any:
    """Import ``spec`` (``module:Class``; ``needs`` names the extra on failure) and build it."""
    return import_object(spec, needs=needs)(*args, **kwargs)


def decoder_layer_pattern(root: torch.nn.Module) -> str:
    """Regex of the longest ``<stack>.layers.N`` module list outside any vision tower.

    Raises:
        Act2AnswerError: the model has no such stack.
    """
    stacks: dict[str, int] = {}
    for name, _ in root.named_modules():
        match = _LAYER.match(name)
        if match and not _VISION.search(match["stack"]):
            stacks[match["stack"]] = stacks.get(match["stack"], 0) + 1
    if not stacks:
        raise Act2AnswerError(
            f"{type(root).__name__}: no '<...>.layers.N' decoder stack found; "
            "give the layer pattern explicitly"
        )
    stack = max(stacks, key=lambda name: (stacks[name], -len(name)))
    return rf"{re.escape(stack)}\.layers\.\d+"


def token_decoder_patterns(root: torch.nn.Module) -> dict[str, PartPattern]:
    """OpenVLA-style: prefix = prompt pass, action = the generated action-token passes."""
    pattern = decoder_layer_pattern(root)
    return {
        "prefix": PartPattern(pattern, calls="first"),
        "action": PartPattern(pattern, calls="after_first"),
    }


class TransformersVLMProbe:
    """A transformers image-text-to-text model, run like the VLM backend of ``act2answer vlm``.

    Args:
        model: Hugging Face id or local folder.
        layer_pattern: Override the detected decoder-layer regex.
        backend: A ready ``TransformersBackend`` (tests) instead of loading ``model``.
        backend_kwargs: More keyword arguments for the backend (dtype, device ...).
    """

    name = "transformers"

    def __init__(
        self,
        model: str = "",
        *,
        layer_pattern: str | None = None,
        backend: Any = None,
        **backend_kwargs: Any,
    ) -> None:
        self.backend = (
            backend
            if backend is not None
            else _build(
                "act2answer.vlm.backends.transformers_backend:TransformersBackend",
                "the transformers probe needs the VLM backends (act2answer.vlm)",
                model,
                **backend_kwargs,
            )
        )
        self.layer_pattern = layer_pattern or decoder_layer_pattern(self.backend.model)

    def probe_root(self) -> torch.nn.Module:
        return self.backend.model

    def probe_patterns(self) -> Mapping[str, PartPattern]:
        return {"prefix": PartPattern(self.layer_pattern)}

    def probe_forward(self, request: ProbeInput, token_masks: dict[str, torch.Tensor]) -> None:
        from act2answer.vlm.backends.base import VLMQuestion

        question = VLMQuestion(prompt=request.instruction, images=(request.image,))
        inputs = self.backend._inputs([question])
        if "attention_mask" in inputs:
            token_masks["prefix"] = inputs["attention_mask"][0]
        self.backend.model(**inputs)


def lerobot_patterns(policy: torch.nn.Module) -> dict[str, PartPattern]:
    """Prefix and action-expert layer patterns of a LeRobot SmolVLA or pi0 policy."""
    names = [name for name, _ in policy.named_modules()]
    candidates = {
        # SmolVLA: VLAFlowMatching.vlm_with_expert.{vlm.model.text_model, lm_expert}
        "smolvla": (r".*vlm_with_expert\.vlm\..*text_model", r".*vlm_with_expert\.lm_expert"),
        # pi0 / pi05: PaliGemmaWithExpertModel.{paligemma.*language_model, gemma_expert.model}
        "pi0": (r".*paligemma.*language_model(\.model)?", r".*gemma_expert(\.model)?"),
    }
    for prefix_stack, action_stack in candidates.values():
        prefix = rf"{prefix_stack}\.layers\.\d+\.input_layernorm"
        action = rf"{action_stack}\.layers\.\d+\.input_layernorm"
        if any(re.fullmatch(prefix, n) for n in names) and any(
            re.fullmatch(action, n) for n in names
        ):
            return {
                "prefix": PartPattern(prefix, calls="first", source="input"),
                "action": PartPattern(action, calls="last", source="input"),
            }
    raise Act2AnswerError(
        f"{type(policy).__name__}: no SmolVLA/pi0 backbone + action expert layers found"
    )


class LeRobotProbe:
    """A LeRobot policy (SmolVLA, pi0) through the LeRobot adapter of ``act2answer run``.

    Args:
        model_path: Hub id or local folder of the policy.
        adapter: A ready ``LeRobotAdapter`` (tests) instead of loading ``model_path``.
        adapter_kwargs: More keyword arguments for the adapter (preset, device ...).
    """

    name = "lerobot"

    def __init__(self, model_path: str = "", *, adapter: Any = None, **adapter_kwargs: Any):
        self.adapter = (
            adapter
            if adapter is not None
            else _build(
                "act2answer.adapters.lerobot:LeRobotAdapter",
                "the LeRobot probe needs the LeRobot adapter and its venv",
                model_path,
                **adapter_kwargs,
            )
        )
        self.patterns = lerobot_patterns(self.adapter.policy)

    def probe_root(self) -> torch.nn.Module:
        return self.adapter.policy

    def probe_patterns(self) -> Mapping[str, PartPattern]:
        return self.patterns

    def probe_forward(self, request: ProbeInput, token_masks: dict[str, torch.Tensor]) -> None:
        observation = Observation(
            instruction=request.instruction,
            step=0,
            ee_position=np.asarray(request.state[:3]),
            ee_rpy=np.asarray(request.state[3:6]),
            gripper_opening=float(request.state[6]),
            image=request.image,
        )
        policy_request = PolicyRequest(episode_seed=request.seed, observation=observation)
        if getattr(self.adapter.config, "type", "") == "smolvla":
            # SmolVLA's prefix is [image tokens, language tokens padded to a fixed length,
            # state token]: mask the padding (aligned with the end of the prefix).
            processed = self.adapter.preprocessor(self.adapter.batch([policy_request]))
            language = processed.get("observation.language.attention_mask")
            if language is not None:
                state = language.new_ones(1)
                token_masks["prefix"] = self.adapter.torch.cat([language[0], state]).bool()
        self.adapter.act_batch([policy_request])
