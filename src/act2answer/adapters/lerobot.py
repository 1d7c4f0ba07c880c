"""Any LeRobot policy (SmolVLA, pi0 / pi0.5 ports, ACT ...) in process, batched.

Upstream (read, not copied): huggingface/lerobot 0.4.x
``src/lerobot/policies/factory.py`` (``get_policy_class``,
``make_pre_post_processors(policy_cfg, pretrained_path=...)`` loading the saved
``policy_preprocessor.json`` / ``policy_postprocessor.json`` pipelines with their
normalisation statistics), ``src/lerobot/configs/policies.py``
(``PreTrainedConfig.from_pretrained``: ``config.json`` with the policy ``type``,
``input_features`` / ``output_features``), ``src/lerobot/policies/pretrained.py``
(``PreTrainedPolicy.from_pretrained``), and
``src/lerobot/policies/smolvla/modeling_smolvla.py``
(``predict_action_chunk(batch, noise=None)``; images ``(B, 3, H, W)`` float in
[0, 1]; ``observation.state`` ``(B, D)``; ``task`` a list of strings; the
pre-processor tokenises the task and normalises, the post-processor
un-normalises actions).

What the adapter does per batch: each request's third-person image goes to
every camera key of the policy except those whose name contains ``wrist``
(those get the wrist image) and, with a LIBERO-layout preset (``libero-lerobot``),
``observation.images.image2``, LeRobot's LIBERO wrist camera
(huggingface/lerobot@7427f318 ``src/lerobot/envs/libero.py:151-159``); images
are prepared with the preset (or resized to the shape the policy declares
when the preset keeps the render size);
the preset's state vector is zero-padded or cut to the declared state size;
flow-matching policies get their noise from a generator seeded by each
request's episode seed and step; the post-processed ``(B, chunk, action_dim)`` actions
are converted with the preset's action and gripper conventions.

Batch independence: the noise of a row does not depend on its batch mates, but
with LeRobot's default ``pad_language_to="longest"`` (SmolVLA,
``configuration_smolvla.py``) the tokenised task is padded to the longest task of
the batch, so a row's chunk moves slightly with its batch mates' instructions
(``tests_models/test_study_standins.py`` measures the bound on the tiny SmolVLA);
rows are identical only with fixed-length padding (``"max_length"``).

The study's harness has no SmolVLA wrapper (CognitiveAISystems/Act2Answer@d22e22fc and
nazar-karpov/bias-vla-benchmark@d5f4ed5d): its SmolVLA checkpoint, cameras, state and
action conventions are unknown. Its pi0 was a LeRobot pi0 fine-tuned on Bridge
(``juexzz/INTACT-pi0-finetune-bridge``, through an INT-ACT wrapper); :data:`STUDY_PI0_ARGS`
gives that checkpoint the ``study-pi0`` conventions, but whether LeRobot 0.4.4 loads it
is unverified (no weights can be downloaded here).
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from typing import Any

import numpy as np

from act2answer.adapters._hf import request_seed, resolve_device
from act2answer.errors import PolicyError
from act2answer.interfaces import ObservationNeeds, PolicyRequest
from act2answer.policies import conventions
from act2answer.policies.presets import Preset, get_preset

#: LeRobot's LIBERO wrist camera key (envs/libero.py maps the wrist camera to it).
LIBERO_WRIST_KEY = "observation.images.image2"
#: The study's pi0 (see the module docstring; loading unverified).
STUDY_PI0_ARGS: dict[str, Any] = {
    "model_path": "juexzz/INTACT-pi0-finetune-bridge",
    "preset": "study-pi0",
}


def _import_lerobot() -> tuple[Any, Any, Any]:
    try:
        import torch
        from lerobot.configs.policies import PreTrainedConfig
        from lerobot.policies import factory
    except ImportError as exc:
        raise PolicyError(
            f"the lerobot adapter needs LeRobot ({exc}); build its environment with "
            "`make .venv-lerobot/.installed` or `pip install 'act2answer[lerobot]'`"
        ) from None
    return torch, PreTrainedConfig, factory


class LeRobotAdapter:
    """A LeRobot ``PreTrainedPolicy`` with its processors, as a :class:`BatchPolicy`.

    Args:
        model_path: Hub id (``lerobot/smolvla_base``) or a local folder saved with
            ``save_pretrained`` (policy + ``policy_preprocessor.json`` /
            ``policy_postprocessor.json``).
        preset: Conventions of the training data (image preparation, state layout,
            action rotation, gripper, scaling); ``act2answer`` by default.
        device: ``auto``, ``cpu``, ``cuda`` ...
        replan_steps: Actions executed per chunk; default the policy's
            ``n_action_steps`` (capped by the chunk length).
        camera_map: Policy camera key -> ``image`` or ``wrist_image``, overriding
            the ``wrist``-in-the-name rule.
    """

    name = "lerobot"

    def __init__(
        self,
        model_path: str,
        *,
        preset: Preset | str = "act2answer",
        device: str = "auto",
        replan_steps: int | None = None,
        camera_map: dict[str, str] | None = None,
    ) -> None:
        self.torch, pretrained_config, factory = _import_lerobot()
        self.model_path = str(model_path)
        self.preset = get_preset(preset)
        self.device = resolve_device(self.torch, device)
        config = pretrained_config.from_pretrained(self.model_path)
        config.device = self.device
        self.config = config
        policy_class = factory.get_policy_class(config.type)
        self.policy = policy_class.from_pretrained(self.model_path, config=config)
        self.policy.to(self.device).eval()
        self.preprocessor, self.postprocessor = factory.make_pre_post_processors(
            config,
            pretrained_path=self.model_path,
            preprocessor_overrides={"device_processor": {"device": self.device}},
        )
        self.cameras = self._camera_map(camera_map or {})
        state_feature = config.robot_state_feature
        self.state_key = "observation.state" if state_feature is not None else None
        self.state_dim = int(state_feature.shape[0]) if state_feature is not None else 0
        default_steps = int(getattr(config, "n_action_steps", 1) or 1)
        self.replan_steps = replan_steps if replan_steps is not None else default_steps
        wants_wrist = "wrist_image" in self.cameras.values()
        self.needs = ObservationNeeds(image=True, wrist_image=wants_wrist)
        self._takes_noise = (
            "noise" in inspect.signature(self.policy.predict_action_chunk).parameters
        )

    def _camera_map(self, overrides: dict[str, str]) -> dict[str, str]:
        keys = list(self.config.image_features)
        if not keys:
            raise PolicyError(f"{self.model_path}: the policy declares no camera input")
        libero = self.preset.state_layout == "libero"
        mapping = {
            key: "wrist_image"
            if "wrist" in key or (libero and key == LIBERO_WRIST_KEY)
            else "image"
            for key in keys
        }
        for key, source in overrides.items():
            if key not in mapping or source not in ("image", "wrist_image"):
                raise PolicyError(
                    f"camera_map {key!r}: {source!r} invalid "
                    f"(keys {keys}; sources image, wrist_image)"
                )
            mapping[key] = source
        return mapping

    def _image(self, key: str, image: np.ndarray | None) -> np.ndarray:
        if image is None:
            raise PolicyError(f"lerobot: camera {key!r} needs an image that was not rendered")
        prepared = self.preset.prepare_image(image)
        if self.preset.image_size is None:
            _, height, width = self.config.image_features[key].shape
            prepared = conventions.resize(prepared, int(height), int(width), "bilinear")
        return prepared

    def _state(self, request: PolicyRequest) -> np.ndarray:
        state = np.zeros(self.state_dim, dtype=np.float32)
        ours = self.preset.state(request.observation)
        if ours is not None:
            count = min(self.state_dim, ours.size)
            state[:count] = ours[:count]
        return state

    def batch(self, requests: Sequence[PolicyRequest]) -> dict[str, Any]:
        """The raw LeRobot batch (before the pre-processor) for these requests."""
        torch = self.torch
        batch: dict[str, Any] = {"task": [request.observation.instruction for request in requests]}
        for key, source in self.cameras.items():
            images = [
                self._image(key, getattr(request.observation, source)) for request in requests
            ]
            stacked = torch.from_numpy(np.stack(images)).permute(0, 3, 1, 2)
            batch[key] = stacked.to(torch.float32) / 255.0
        if self.state_key is not None:
            batch[self.state_key] = torch.from_numpy(np.stack([self._state(r) for r in requests]))
        return batch

    def _noise(self, requests: Sequence[PolicyRequest]) -> Any:
        torch = self.torch
        model_config = self.policy.config
        width = int(
            getattr(model_config, "max_action_dim", 0) or model_config.action_feature.shape[0]
        )
        shape = (int(model_config.chunk_size), width)
        rows = []
        for request in requests:
            generator = torch.Generator().manual_seed(
                request_seed(request.episode_seed, request.observation.step)
            )
            rows.append(torch.randn(shape, generator=generator))
        return torch.stack(rows).to(self.device)

    def act_batch(self, requests: Sequence[PolicyRequest]) -> np.ndarray:
        """``(B, H, 7)`` chunks in act2answer's convention."""
        if not requests:
            return np.zeros((0, 1, 7))
        torch = self.torch
        with torch.inference_mode():
            processed = self.preprocessor(self.batch(requests))
            extra = {"noise": self._noise(requests)} if self._takes_noise else {}
            actions = self.policy.predict_action_chunk(processed, **extra)
            actions = self.postprocessor(actions)
        array = actions.detach().to("cpu", torch.float64).numpy()
        if array.ndim == 2:
            array = array[:, None, :]
        return np.stack([self.preset.decode(row) for row in array])
