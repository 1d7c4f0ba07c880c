"""Shared machinery of the Hugging Face remote-code adapters (OpenVLA, SpatialVLA, Magma).

Each adapter loads a processor and a model with ``trust_remote_code=True``
through ``from_pretrained`` (a hub id or a local folder), prepares every
request's image with its preset, calls the model's documented prediction API
once per request, and converts the result to act2answer's convention with the
preset. torch and transformers are imported only when an adapter is created.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

import numpy as np

from act2answer.errors import PolicyError
from act2answer.interfaces import ObservationNeeds, PolicyRequest
from act2answer.policies.presets import Preset, get_preset


def import_torch_stack() -> tuple[Any, Any]:
    """``(torch, transformers)``, or a PolicyError saying which extra to install."""
    try:
        import torch
        import transformers
    except ImportError as exc:
        raise PolicyError(
            f"this adapter needs torch and transformers ({exc}); install them in the model's "
            "environment, e.g. `pip install 'act2answer[hf]'`"
        ) from None
    return torch, transformers


def resolve_device(torch: Any, device: str) -> str:
    """``auto`` -> ``cuda`` when available, else ``cpu``."""
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    return device


def resolve_dtype(torch: Any, dtype: str, device: str) -> Any:
    """A torch dtype from its name; ``auto`` is bfloat16 on GPU and float32 on CPU."""
    if dtype == "auto":
        return torch.bfloat16 if device.startswith("cuda") else torch.float32
    found = getattr(torch, dtype, None)
    if not isinstance(found, torch.dtype):
        raise PolicyError(f"unknown torch dtype {dtype!r}")
    return found


def transformers_version_tuple(version: str) -> tuple[int, int]:
    """``(major, minor)`` of a transformers version string such as ``4.40.1`` or ``5.0.0.dev0``."""
    parts = version.split(".")
    try:
        return int(parts[0]), int("".join(ch for ch in parts[1] if ch.isdigit()) or 0)
    except (IndexError, ValueError):
        raise PolicyError(f"cannot read the transformers version {version!r}") from None


def masked_logits_processor(transformers: Any, torch: Any, allowed_ids: Sequence[int]) -> Any:
    """A ``LogitsProcessor`` that keeps only ``allowed_ids`` (others set to -inf).

    The study's OpenVLA wrapper restricts sampling to the 256 action tokens
    (``AllowedTokensLogitsProcessor`` in nazar-karpov/bias-vla-benchmark@d5f4ed5d
    ``Act2Answer/openvla/prismatic/extern/hf/modeling_prismatic.py:591``, very likely the
    authors' code: ids ``32000 - 256 .. 31999``).
    """
    allowed = torch.as_tensor(list(allowed_ids), dtype=torch.long)

    class AllowedTokens(transformers.LogitsProcessor):
        def __call__(self, input_ids: Any, scores: Any) -> Any:
            keep = torch.full_like(scores, float("-inf"))
            index = allowed.to(scores.device)
            keep[:, index] = scores[:, index]
            return keep

    return transformers.LogitsProcessorList([AllowedTokens()])


def float32_logits_processor(transformers: Any, torch: Any) -> Any:
    """Cast logits to float32 and replace NaN/inf before sampling.

    The study's Magma wrapper needed this (``_CastFloat32`` in
    nazar-karpov/bias-vla-benchmark@d5f4ed5d
    ``Act2Answer/SimplerEnv/simpler_env/policies/magma/magma_model.py``): half-precision
    softmax produced NaN probabilities under ``do_sample=True``.
    """

    class CastFloat32(transformers.LogitsProcessor):
        def __call__(self, input_ids: Any, scores: Any) -> Any:
            return torch.nan_to_num(scores.float(), nan=-1e4, posinf=50.0, neginf=-1e4)

    return transformers.LogitsProcessorList([CastFloat32()])


def request_seed(episode_seed: int, step: int) -> int:
    """A 63-bit seed for one request, independent of the other rows in the batch."""
    digest = hashlib.sha256(f"{episode_seed}:{step}".encode()).digest()
    return int.from_bytes(digest[:8], "little") >> 1


class RemoteCodeAdapter:
    """Base of the remote-code adapters: preset handling and per-request batching.

    Subclasses set ``default_preset`` and implement :meth:`predict` (one raw
    model call for one prepared image and instruction, returning the model's
    ``(H, >=7)`` or ``(7,)`` actions in its own convention).

    Args:
        model_path: Hub id or local folder passed to ``from_pretrained``.
        preset: Preset name or object (image size, action and gripper convention,
            un-normalisation key, replan steps); the adapter's default when None.
        unnorm_key: Overrides the preset's dataset statistics key.
        device: ``auto``, ``cpu``, ``cuda``, ``cuda:1`` ...
        dtype: torch dtype name; ``auto`` is bfloat16 on GPU, float32 on CPU.
        replan_steps: Overrides the preset's replan steps.
    """

    name = "remote-code"
    default_preset = "act2answer"

    def __init__(
        self,
        model_path: str,
        *,
        preset: Preset | str | None = None,
        unnorm_key: str | None = None,
        device: str = "auto",
        dtype: str = "auto",
        replan_steps: int | None = None,
    ) -> None:
        self.torch, self.transformers = import_torch_stack()
        self.model_path = str(model_path)
        self.preset = get_preset(preset if preset is not None else self.default_preset)
        self.unnorm_key = unnorm_key if unnorm_key is not None else self.preset.unnorm_key
        self.device = resolve_device(self.torch, device)
        self.dtype = resolve_dtype(self.torch, dtype, self.device)
        self.replan_steps = replan_steps if replan_steps is not None else self.preset.replan_steps
        self.needs = ObservationNeeds(image=True)
        self.processor, self.model = self.load()

    def load(self) -> tuple[Any, Any]:
        """Processor and model (``trust_remote_code``), model in eval mode on the device."""
        raise NotImplementedError

    def load_remote(
        self,
        auto_model: str,
        attn_implementation: str | None = None,
        *,
        to_device: bool = True,
        **model_kwargs: Any,
    ) -> tuple[Any, Any]:
        """``AutoProcessor`` and ``transformers.<auto_model>`` with ``trust_remote_code=True``.

        ``to_device=False`` returns the model where ``from_pretrained`` left it (weights
        still to be fixed up before :meth:`place`)."""
        processor = self.transformers.AutoProcessor.from_pretrained(
            self.model_path, trust_remote_code=True
        )
        if attn_implementation:
            model_kwargs["attn_implementation"] = attn_implementation
        model = getattr(self.transformers, auto_model).from_pretrained(
            self.model_path, torch_dtype=self.dtype, trust_remote_code=True, **model_kwargs
        )
        return processor, (self.place(model) if to_device else model)

    def place(self, model: Any) -> Any:
        """The model on the adapter's device, in eval mode."""
        return model.to(self.device).eval()

    def predict(self, image: np.ndarray, instruction: str, seed: int) -> np.ndarray:
        """One model call: raw actions for one prepared image and instruction."""
        raise NotImplementedError

    def act_batch(self, requests: Sequence[PolicyRequest]) -> np.ndarray:
        """One chunk per request, ``(B, H, 7)`` in act2answer's convention.

        The remote-code models generate one sequence at a time (OpenVLA's
        ``prepare_inputs_for_generation`` refuses batch > 1; SpatialVLA's
        ``decode_actions`` reads row 0), so rows are predicted one by one.
        """
        chunks = []
        for request in requests:
            observation = request.observation
            if observation.image is None:
                raise PolicyError(f"{self.name}: the camera image was not rendered")
            image = self.preset.prepare_image(observation.image)
            seed = request_seed(request.episode_seed, observation.step)
            with self.torch.inference_mode():
                raw = self.predict(image, observation.instruction, seed)
            chunks.append(self.preset.decode(raw))
        lengths = {chunk.shape[0] for chunk in chunks}
        if len(lengths) > 1:
            raise PolicyError(f"{self.name}: chunks of different lengths {sorted(lengths)}")
        return np.stack(chunks) if chunks else np.zeros((0, 1, 7))
