"""InternVLA-M1 behind act2answer's openpi-compatible server (runs in the model's environment).

Upstream (read, not copied):

* InternRobotics/InternVLA-M1 ``deployment/model_server/server_policy_M1.py``:
  ``InternVLA_M1.from_pretrained(ckpt_path)`` from ``InternVLA.model.framework.M1``,
  optionally ``.to(torch.bfloat16)``, ``.to("cuda").eval()``; the server calls the
  model's ``predict_action(**request)``.
* InternRobotics/InternVLA-M1 ``examples/SimplerEnv/model2simpler_interface.py``:
  the request ``{"batch_images": [[image]], "instructions": [task],
  "unnorm_key": "bridge_dataset", "do_sample": False, "cfg_scale": 1.5,
  "use_ddim": True, "num_ddim_steps": 10}`` with images resized to 224x224
  (``cv2.INTER_AREA``); the reply's ``normalized_actions`` ``(B, chunk, D)`` are
  clipped to [-1, 1], the gripper dimension binarised at 0.5, and un-normalised
  with the checkpoint's q01/q99 (``read_mode_config(ckpt)`` from
  ``InternVLA.model.framework.share_tools``); gripper ``2 * (open > 0.5) - 1``;
  rotation roll-pitch-yaw.

The model batches natively, so one ``predict_action`` call answers a whole
batch. Run ``python -m act2answer.adapters.internvla_m1 --ckpt PATH --port 8000``
in InternVLA-M1's environment (with act2answer installed there), then evaluate
with ``--policy openpi://HOST:8000``: the server applies the ``bridge-internvla-m1``
preset itself and replies in act2answer's convention, so the client keeps its
default ``act2answer`` preset.
The diffusion head draws noise: by default each call is seeded from the first
request's episode seed and step, so results repeat for the same batches (a
row's noise then depends on its batch mates: ``predict_action`` draws
``torch.randn(B, T, D)`` for the whole batch).

The study (nazar-karpov/bias-vla-benchmark@d5f4ed5d ``Act2Answer/``, very likely the
authors' code) ran upstream's ``server_policy_M1.py`` with ``--use_bf16``
(``scripts/eval_internvla.sh``), no action ensemble
(``SimplerEnv/simpler_env/policies/internvla/internvla.py``: ``action_ensemble=False``,
``raw_actions[0]``) and no seeding in the server (InternRobotics/InternVLA-M1@cc302f08
``deployment/model_server/server_policy_M1.py`` never seeds; ``run.py:201`` seeds only
the client process): :data:`STUDY_ARGS` sets ``bf16=True, seed_noise=False``.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from typing import Any

import numpy as np

from act2answer.adapters import _tokens
from act2answer.adapters._hf import import_torch_stack, request_seed, resolve_device
from act2answer.errors import PolicyError
from act2answer.interfaces import ObservationNeeds, PolicyRequest
from act2answer.policies.presets import Preset, get_preset

UPSTREAM_FRAMEWORK = "InternVLA.model.framework.M1:InternVLA_M1"
UPSTREAM_CONFIG_READER = "InternVLA.model.framework.share_tools:read_mode_config"
#: Keyword arguments of the study's run (checkpoint folder: the user's download of
#: InternVLA-M1-Pretrain-RT-1-Bridge, ``checkpoints/steps_50000_pytorch_model.pt``).
STUDY_ARGS: dict[str, Any] = {
    "preset": "study-internvla-m1",
    "bf16": True,
    "seed_noise": False,
}


def _import(path: str) -> Any:
    module_name, _, attribute = path.partition(":")
    try:
        return getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError) as exc:
        raise PolicyError(
            f"cannot import {path!r} ({exc}): run this inside InternVLA-M1's environment"
        ) from None


def unnormalize_m1(normalized: np.ndarray, stats: dict[str, Any]) -> np.ndarray:
    """InternVLA-M1's un-normalisation: clip, binarise the gripper, then q01/q99."""
    values = np.clip(np.asarray(normalized, dtype=np.float64), -1.0, 1.0)
    values[..., 6] = np.where(values[..., 6] < 0.5, 0.0, 1.0)
    return _tokens.unnormalize_q01_q99(values, stats)


class InternVLAM1Adapter:
    """InternVLA-M1 as a :class:`BatchPolicy` (server side).

    Args:
        model_path: Checkpoint path given to ``InternVLA_M1.from_pretrained``.
        preset: Conventions (default ``bridge-internvla-m1``).
        unnorm_key: Overrides the preset's statistics key.
        cfg_scale, use_ddim, num_ddim_steps: Sampling options of the upstream call.
        bf16: Cast the model to bfloat16 (upstream ``--use_bf16``; the study set it).
        seed_noise: Seed torch from the first request before each call (reproducible);
            False leaves the process generator alone, as the study's server did.
        device: ``auto``, ``cuda``, ``cpu``.
        framework: ``module:Class`` of the upstream model (tests pass a stand-in).
        config_reader: ``module:function`` returning ``(config, norm_stats)`` of a
            checkpoint.
    """

    name = "internvla-m1"

    def __init__(
        self,
        model_path: str,
        *,
        preset: Preset | str = "bridge-internvla-m1",
        unnorm_key: str | None = None,
        cfg_scale: float = 1.5,
        use_ddim: bool = True,
        num_ddim_steps: int = 10,
        bf16: bool = False,
        seed_noise: bool = True,
        device: str = "auto",
        framework: str = UPSTREAM_FRAMEWORK,
        config_reader: str = UPSTREAM_CONFIG_READER,
    ) -> None:
        self.torch, _ = import_torch_stack()
        self.preset = get_preset(preset)
        self.unnorm_key = unnorm_key if unnorm_key is not None else self.preset.unnorm_key
        self.sampling = {
            "do_sample": False,
            "cfg_scale": cfg_scale,
            "use_ddim": use_ddim,
            "num_ddim_steps": num_ddim_steps,
        }
        self.replan_steps = self.preset.replan_steps
        self.seed_noise = seed_noise
        self.needs = ObservationNeeds(image=True)
        model = _import(framework).from_pretrained(model_path)
        if bf16:
            model = model.to(self.torch.bfloat16)
        self.model = model.to(resolve_device(self.torch, device)).eval()
        _, norm_stats = _import(config_reader)(model_path)
        self.action_stats = _tokens.dataset_stats(norm_stats, self.unnorm_key)

    def act_batch(self, requests: Sequence[PolicyRequest]) -> np.ndarray:
        """One ``predict_action`` call for the whole batch; ``(B, H, 7)``."""
        if not requests:
            return np.zeros((0, 1, 7))
        images = []
        for request in requests:
            if request.observation.image is None:
                raise PolicyError("internvla-m1: the camera image was not rendered")
            images.append([self.preset.prepare_image(request.observation.image)])
        if self.seed_noise:
            first = requests[0]
            self.torch.manual_seed(request_seed(first.episode_seed, first.observation.step))
        with self.torch.inference_mode():
            reply = self.model.predict_action(
                batch_images=images,
                instructions=[request.observation.instruction for request in requests],
                unnorm_key=self.unnorm_key,
                **self.sampling,
            )
        normalized = reply["normalized_actions"] if isinstance(reply, dict) else reply
        normalized = np.asarray(normalized, dtype=np.float64)
        if normalized.ndim != 3 or normalized.shape[0] != len(requests):
            raise PolicyError(
                f"internvla-m1 returned normalized_actions of shape {normalized.shape}; "
                f"expected ({len(requests)}, chunk, D)"
            )
        return np.stack(
            [self.preset.decode(unnormalize_m1(row, self.action_stats)) for row in normalized]
        )


def main(argv: Sequence[str] | None = None) -> None:
    """Serve InternVLA-M1 over openpi's protocol (run in the model's environment)."""
    from act2answer.adapters._serve_script import serve_adapter

    serve_adapter("internvla-m1", argv, "Serve InternVLA-M1 for act2answer")


if __name__ == "__main__":
    main()
