"""Named bundles of conventions: what a model family expects and what it returns.

A :class:`Preset` says how to turn act2answer's :class:`~act2answer.interfaces.Observation`
into a model's input (image size, resize mode, rotation, cameras, state
layout, wire keys) and how to turn the model's output back into act2answer
actions (rotation encoding, gripper convention, scaling, chunk replanning).
Remote clients and adapters use them; ``--policy-args '{"preset": "..."}'``
picks one. Every built-in preset is one entry of :data:`PRESET_TABLE` (data, no
registration side effects); ``docs/reference/presets.md`` is generated from it
and each entry's ``source`` cites where every number comes from.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from act2answer._registry import Registry
from act2answer.errors import PolicyError
from act2answer.interfaces import ACTION_DIM, Observation, ObservationNeeds
from act2answer.policies import conventions

StateLayout = Literal["none", "act2answer", "libero", "xiaomi_bridge"]
ResizeMode = Literal["none", "resize", "resize_with_pad"]


class Preset(BaseModel):
    """Conventions of one model family, as data.

    Attributes:
        name: Preset name, e.g. ``bridge-openvla``.
        description: One line for humans.
        source: Where the numbers come from.
        image_size: ``(height, width)`` the model takes; None keeps the render size.
        resize_mode: ``resize`` (stretch), ``resize_with_pad`` (keep aspect, pad
            black) or ``none``.
        interpolation: Resampling filter of the resize.
        rotate_180: Turn images by 180 degrees before resizing. act2answer's
            renders are upright, so no shipped preset sets it (see ``mirror``).
        mirror: Mirror images left-right before resizing. LIBERO's raw
            robosuite frames are stored flipped vertically; openpi and LeRobot
            turn them by 180 degrees, so the training frames are upright and
            mirrored left-right: that is ``mirror`` on act2answer's upright render.
        swap_channels: Give the model the frame's channels in reverse order (BGR).
            No model here is trained on BGR, so no shipped preset sets it; it is
            the channel-order bug, on purpose, to check that a model notices.
        center_crop: Keep this centred fraction of height and width after the
            resize, then resize back to ``image_size`` with torchvision's default
            bilinear filter (Xiaomi-Robotics-0's 0.95 crop); None: no crop.
        wrist_camera: The model also takes a wrist image.
        state_layout: ``none``, ``act2answer`` (x, y, z, roll, pitch, yaw,
            opening 0..1), ``libero`` (x, y, z, axis-angle, two finger positions)
            or ``xiaomi_bridge`` (x, y, z, roll, pitch, yaw, 0, opening 0..1).
        image_key: Wire key of the third-person image.
        wrist_image_key: Wire key of the wrist image.
        state_key: Wire key of the state vector.
        prompt_key: Wire key of the instruction.
        actions_key: Reply key holding the action (chunk).
        action_rotation: ``rpy`` or ``axis_angle`` encoding of rotation deltas.
        gripper: Gripper convention of the model's output.
        position_scale: Metres per unit of position output.
        rotation_scale: Radians per unit of rotation output.
        replan_steps: Actions executed from each chunk before asking again.
        unnorm_key: Dataset statistics key for OpenVLA-style un-normalisation.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    description: str = ""
    source: str = ""
    image_size: tuple[int, int] | None = None
    resize_mode: ResizeMode = "none"
    interpolation: conventions.Interpolation = "area"
    rotate_180: bool = False
    mirror: bool = False
    swap_channels: bool = False
    center_crop: float | None = Field(default=None, gt=0.0, le=1.0)
    wrist_camera: bool = False
    state_layout: StateLayout = "act2answer"
    image_key: str = "observation/image"
    wrist_image_key: str = "observation/wrist_image"
    state_key: str = "observation/state"
    prompt_key: str = "prompt"
    actions_key: str = "actions"
    action_rotation: conventions.RotationMode = "rpy"
    gripper: conventions.GripperMode = "open_pm1"
    position_scale: float = Field(default=1.0, gt=0.0)
    rotation_scale: float = Field(default=1.0, gt=0.0)
    replan_steps: int = Field(default=1, ge=1)
    unnorm_key: str | None = None

    @property
    def needs(self) -> ObservationNeeds:
        """What the simulator must render for a model with this preset."""
        return ObservationNeeds(image=True, wrist_image=self.wrist_camera)

    def prepare_image(self, image: np.ndarray) -> np.ndarray:
        """Rotate and resize a rendered frame the way the model was trained."""
        if self.rotate_180:
            image = conventions.rotate_180(image)
        if self.mirror:
            image = conventions.mirror(image)
        if self.swap_channels:
            image = np.ascontiguousarray(image[..., ::-1])
        if self.image_size is None or self.resize_mode == "none":
            return np.ascontiguousarray(image)
        height, width = self.image_size
        if self.resize_mode == "resize_with_pad":
            image = conventions.resize_with_pad(image, height, width, self.interpolation)
        else:
            image = conventions.resize(image, height, width, self.interpolation)
        if self.center_crop is not None:
            image = conventions.center_crop(image, self.center_crop)
            image = conventions.resize(image, height, width, "bilinear")
        return image

    def state(self, observation: Observation) -> np.ndarray | None:
        """The proprioceptive vector in this preset's layout (None for ``none``)."""
        if self.state_layout == "none":
            return None
        if self.state_layout == "libero":
            return conventions.libero_state(
                observation.ee_position, observation.ee_rpy, observation.gripper_opening
            )
        if self.state_layout == "xiaomi_bridge":
            return conventions.xiaomi_bridge_state(observation.state)
        return observation.state

    def encode(self, observation: Observation, require_image: bool = True) -> dict[str, Any]:
        """The model's input dict (openpi-style keys) for one observation.

        Args:
            observation: What the simulator rendered.
            require_image: Fail when an image the preset lists was not rendered
                (False for servers that say they need none).

        Raises:
            PolicyError: a required image is missing.
        """
        wire: dict[str, Any] = {self.prompt_key: observation.instruction}
        images = [(self.image_key, observation.image, "the camera image")]
        if self.wrist_camera:
            images.append((self.wrist_image_key, observation.wrist_image, "a wrist image"))
        for key, image, what in images:
            if image is not None:
                wire[key] = self.prepare_image(image)
            elif require_image:
                raise PolicyError(f"preset {self.name!r} needs {what}; none was rendered")
        if not self.wrist_camera and observation.wrist_image is not None:
            wire[self.wrist_image_key] = self.prepare_image(observation.wrist_image)
        state = self.state(observation)
        if state is not None:
            wire[self.state_key] = state
        return wire

    def decode(self, actions: object) -> np.ndarray:
        """Model output (one action or a chunk) to act2answer actions, shape ``(H, 7)``.

        Raises:
            PolicyError: the output is not numeric, has fewer than 7 dimensions
                per action, or contains NaN/inf.
        """
        try:
            array = np.asarray(actions, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise PolicyError(f"model returned non-numeric actions: {exc}") from None
        if array.ndim == 1:
            array = array[None, :]
        if array.ndim != 2 or array.shape[0] < 1 or array.shape[1] < ACTION_DIM:
            raise PolicyError(
                f"model returned actions of shape {array.shape}; expected (7,) or (H, >=7)"
            )
        if not np.all(np.isfinite(array[:, :ACTION_DIM])):
            raise PolicyError(f"model returned non-finite actions: {array[:, :ACTION_DIM]}")
        return np.stack(
            [
                conventions.action_to_act2answer(
                    row,
                    rotation=self.action_rotation,
                    gripper=self.gripper,
                    position_scale=self.position_scale,
                    rotation_scale=self.rotation_scale,
                )
                for row in array
            ]
        )


ACT2ANSWER = Preset(
    name="act2answer",
    description="act2answer's own conventions: rendered frame as is, 7-D state, rpy deltas",
    source="act2answer.interfaces (SimplerEnv Bridge action convention)",
)

BRIDGE_OPENVLA = Preset(
    name="bridge-openvla",
    description="OpenVLA trained on Bridge (WidowX), served by vla-scripts/deploy.py",
    source=(
        "SimplerEnv simpler_env/policies/openvla/openvla_model.py (224x224, cv2.INTER_AREA; "
        "gripper 2*(open>0.5)-1; rpy deltas); OpenVLA predict_action unnorm_key 'bridge_orig'"
    ),
    image_size=(224, 224),
    resize_mode="resize",
    interpolation="area",
    state_layout="none",
    action_rotation="rpy",
    gripper="open_01",
    unnorm_key="bridge_orig",
)

LIBERO_OPENPI = Preset(
    name="libero-openpi",
    description="pi0 / pi0-FAST / pi0.5 LIBERO checkpoints served by openpi",
    source=(
        "Physical-Intelligence/openpi@15a9616a examples/libero/main.py (raw frames "
        "[::-1, ::-1], i.e. upright and mirrored left-right because robosuite stores them "
        "flipped vertically: mirror on act2answer's upright render; resize_with_pad 224, "
        "observation/image, observation/wrist_image, observation/state = eef pos + "
        "axis-angle + 2 finger qpos, replan_steps=5); robosuite OSC_POSE output_max "
        "0.05 m / 0.5 rad; robosuite gripper -1 open / +1 close"
    ),
    image_size=(224, 224),
    resize_mode="resize_with_pad",
    interpolation="bilinear",
    mirror=True,
    wrist_camera=True,
    state_layout="libero",
    action_rotation="axis_angle",
    gripper="close_pm1",
    position_scale=0.05,
    rotation_scale=0.5,
    replan_steps=5,
)

BRIDGE_SPATIALVLA = Preset(
    name="bridge-spatialvla",
    description="SpatialVLA on Bridge (WidowX), in process through its remote code",
    source=(
        "SimplerEnv simpler_env/policies/spatialvla/spatialvla_model.py (224x224 "
        "cv2.INTER_AREA, unnorm_key 'bridge_orig/1.0.0', gripper 2*(open>0.5)-1, rpy deltas; "
        "chunk ensembling replaced by replanning every step)"
    ),
    image_size=(224, 224),
    resize_mode="resize",
    interpolation="area",
    state_layout="none",
    gripper="open_01",
    unnorm_key="bridge_orig/1.0.0",
    replan_steps=1,
)

BRIDGE_MAGMA = Preset(
    name="bridge-magma",
    description="Magma-8B on Bridge (WidowX), in process through its remote code",
    source=(
        "CognitiveAISystems/Act2Answer SimplerEnv/simpler_env/policies/magma/magma_model.py "
        "(PIL resize to 256x256, bridge_orig q01/q99, gripper 2*(open>0.5)-1, rpy deltas)"
    ),
    image_size=(256, 256),
    resize_mode="resize",
    interpolation="bicubic",
    state_layout="none",
    gripper="open_01",
    unnorm_key="bridge_orig",
    replan_steps=1,
)

BRIDGE_INTERNVLA_M1 = Preset(
    name="bridge-internvla-m1",
    description="InternVLA-M1 on Bridge, served by act2answer's InternVLA-M1 server script",
    source=(
        "InternRobotics/InternVLA-M1 examples/SimplerEnv/model2simpler_interface.py (224x224 "
        "cv2.INTER_AREA, unnorm_key 'bridge_dataset', normalised actions clipped to [-1, 1], "
        "gripper binarised at 0.5 then 2*(open>0.5)-1, rpy deltas; the adaptive chunk "
        "ensemble is replaced by replanning every step)"
    ),
    image_size=(224, 224),
    resize_mode="resize",
    interpolation="area",
    state_layout="none",
    gripper="open_01",
    unnorm_key="bridge_dataset",
    replan_steps=1,
)

BRIDGE_XIAOMI_R0 = Preset(
    name="bridge-xiaomi-r0",
    description="Xiaomi-Robotics-0 WidowX fine-tune, served by act2answer's Xiaomi server script",
    source=(
        "XiaomiRobotics/Xiaomi-Robotics-0@3c297b25 eval_simplerenv/main.py client_process "
        "(PIL resize((256, 256)) = bicubic; centre crop int(256*0.95)=243 at offset 6; "
        "torchvision F.resize back to 256x256 = bilinear; state preprocess_proprio_bridge "
        "[xyz, rpy, openness] with a zero inserted before the gripper, padded to 32; "
        "replan_steps=4; gripper 2*(a>0.5)-1; rpy before euler2axangle) and deploy/server.py"
    ),
    image_size=(256, 256),
    resize_mode="resize",
    interpolation="bicubic",
    center_crop=0.95,
    state_layout="xiaomi_bridge",
    gripper="open_01",
    replan_steps=4,
)


def _openpi_libero(name: str, model: str, horizon: str) -> Preset:
    return LIBERO_OPENPI.model_copy(
        update={
            "name": name,
            "description": f"{model} LIBERO checkpoint served by openpi's serve_policy",
            "source": (
                f"openpi src/openpi/training/config.py ({name.replace('-', '_')}: LiberoInputs/"
                f"LiberoOutputs keys, action horizon {horizon}); examples/libero/main.py "
                "(replan_steps=5, frames turned 180 degrees = a mirror of our upright render, "
                "resize_with_pad 224)"
            ),
        }
    )


PI0_LIBERO = _openpi_libero("pi0-libero", "pi0", "50")
PI0_FAST_LIBERO = _openpi_libero("pi0-fast-libero", "pi0-FAST", "10")
PI05_LIBERO = _openpi_libero("pi05-libero", "pi0.5", "10")

#: The study's harness: a third-party copy that is very likely the authors' code
#: (same ``run.py`` model branches and ``Args`` as CognitiveAISystems/Act2Answer@d22e22fc
#: ``SimplerEnv/simpler_env/run.py``; scripts point at the first author's home).
STUDY_HARNESS = "nazar-karpov/bias-vla-benchmark@d5f4ed5d Act2Answer/"
_POLICIES = STUDY_HARNESS + "SimplerEnv/simpler_env/policies/"

# --- LeRobot LIBERO checkpoints (SmolVLA LIBERO and LeRobot's pi0/pi0.5 LIBERO ports) ---

LIBERO_LEROBOT = LIBERO_OPENPI.model_copy(
    update={
        "name": "libero-lerobot",
        "description": "LeRobot LIBERO checkpoints (SmolVLA LIBERO ...), lerobot adapter",
        "source": (
            "huggingface/lerobot@7427f318 src/lerobot/envs/libero.py:151-159 (agentview -> "
            "observation.images.image, wrist -> observation.images.image2; state = eef pos + "
            "axis-angle + 2 finger qpos), src/lerobot/processor/env_processor.py:59 (both "
            "axes flipped: mirror on act2answer's upright render); the policy resizes itself "
            "(SmolVLA resize_with_pad 512); LIBERO actions as libero-openpi"
        ),
        "image_size": None,
        "resize_mode": "none",
        "replan_steps": 1,
    }
)

# --- the study's settings (the harness's wrappers), one preset per model ---

STUDY_OPENVLA = Preset(
    name="study-openvla",
    description="OpenVLA as the study ran it (RL4VLA SFT fine-tune, unnorm key sft)",
    source=(
        _POLICIES + "openvla/openvla_train.py (raw 480x640 frame resized by the processor "
        "with TIMM bicubic + antialias, no INTER_AREA step; prompt 'In: What action should "
        "the robot take to {t.lower()}?\\nOut: '; predict_action unnorm_key=args.vla_unnorm_key); "
        "SimplerEnv/simpler_env/run.py:98 (vla_unnorm_key 'sft'), :107 (temperature 0.6); "
        "gripper 2*(open>0.5)-1, rpy to the ManiSkill3 controller, one action per step"
    ),
    image_size=(224, 224),
    resize_mode="resize",
    interpolation="bicubic",
    state_layout="none",
    gripper="open_01",
    unnorm_key="sft",
    replan_steps=1,
)

STUDY_SPATIALVLA = Preset(
    name="study-spatialvla",
    description="SpatialVLA as the study ran it (raw frame to the processor, first action)",
    source=(
        _POLICIES + "spatialvla/spatialvla.py (IPEC-COMMUNITY/spatialvla-4b-224-pt, raw "
        "480x640 frame to the processor which resizes it, bare task prompt, "
        "do_normalize=False, unnorm_key 'bridge_orig/1.0.0', decode_actions(...)['actions'][0], "
        "no ensemble, gripper 2*(open>0.5)-1, rpy)"
    ),
    state_layout="none",
    gripper="open_01",
    unnorm_key="bridge_orig/1.0.0",
    replan_steps=1,
)

STUDY_MAGMA = BRIDGE_MAGMA.model_copy(
    update={
        "name": "study-magma",
        "description": "Magma-8B as the study ran it (with the magma adapter's study arguments)",
        "source": (
            _POLICIES + "magma/magma_model.py get_action (PIL resize((256, 256)) = bicubic, "
            "bridge_orig q01/q99 hard-coded, gripper > 0.5, rpy; user before system, "
            "temperature 0.7 sampling, fp32 logits guard, LayerScale remap: adapter arguments)"
        ),
    }
)

STUDY_INTERNVLA_M1 = BRIDGE_INTERNVLA_M1.model_copy(
    update={
        "name": "study-internvla-m1",
        "description": "InternVLA-M1 as the study ran it (no ensemble, bf16 server)",
        "source": (
            _POLICIES + "internvla/internvla.py (224x224 resize, unnorm_key 'bridge_dataset', "
            "cfg_scale 1.5, DDIM 10, action_ensemble=False: raw_actions[0] each step, "
            "euler2axangle, gripper 2*(open>0.5)-1); scripts/eval_internvla.sh server --use_bf16"
        ),
    }
)

STUDY_XIAOMI_R0 = BRIDGE_XIAOMI_R0.model_copy(
    update={
        "name": "study-xiaomi-r0",
        "description": "Xiaomi-Robotics-0 WidowX as the study ran it (the same as upstream)",
        "source": (
            _POLICIES + "xiaomi/xiaomi.py (a copy of upstream client_process, "
            "preprocess_proprio_bridge, hash seed and replan_steps=4; XIAOMI_TASK_ID "
            "'bridge_delta'); see bridge-xiaomi-r0"
        ),
    }
)

STUDY_PI0 = Preset(
    name="study-pi0",
    description=(
        "pi0 Bridge fine-tune (juexzz/INTACT-pi0-finetune-bridge) conventions, for a LeRobot "
        "pi0 served with the lerobot adapter; loading that checkpoint is unverified"
    ),
    source=(
        _POLICIES + "pi0/configs/pi0_finetune_bridge.json (camera observation.images.top, "
        "7-D observation.state, chunk_size 4, n_action_steps 4, resize_imgs_with_padding "
        "224x224); INT-ACT-style BridgeSimplerAdapter (repository unknown; STUDY_MODELS.md "
        "0.1): cv2 INTER_LANCZOS4 to 224, proprio [xyz, rpy, openness], gripper 2*(a>0.5)-1, "
        "rpy deltas"
    ),
    image_size=(224, 224),
    resize_mode="resize",
    interpolation="lanczos",
    state_layout="act2answer",
    gripper="open_01",
    replan_steps=4,
)

STUDY_PRESETS = (
    STUDY_OPENVLA,
    STUDY_SPATIALVLA,
    STUDY_MAGMA,
    STUDY_INTERNVLA_M1,
    STUDY_XIAOMI_R0,
    STUDY_PI0,
)

#: Every built-in preset, in the order of the docs table (docs/reference/presets.md).
#: This table is the one place a preset is added: a new entry here is known by name.
PRESET_TABLE: tuple[Preset, ...] = (
    ACT2ANSWER,
    BRIDGE_OPENVLA,
    LIBERO_OPENPI,
    BRIDGE_SPATIALVLA,
    BRIDGE_MAGMA,
    BRIDGE_INTERNVLA_M1,
    BRIDGE_XIAOMI_R0,
    PI0_LIBERO,
    PI0_FAST_LIBERO,
    PI05_LIBERO,
    LIBERO_LEROBOT,
    *STUDY_PRESETS,
)

PRESETS: Registry[Preset] = Registry(
    "preset", {preset.name: preset for preset in PRESET_TABLE}, error=PolicyError
)


def register_preset(preset: Preset) -> None:
    """Add or replace a named preset (a user's own; built-ins are in ``PRESET_TABLE``)."""
    PRESETS.register(preset.name, preset)


def preset_names() -> list[str]:
    """Names of all registered presets, sorted."""
    return PRESETS.names()


def get_preset(preset: Preset | str | dict[str, Any]) -> Preset:
    """Look up a preset by name (a :class:`Preset` is returned as is, a dict validated).

    Raises:
        PolicyError: unknown name, with a suggestion.
    """
    if isinstance(preset, Preset):
        return preset
    if isinstance(preset, dict):
        return Preset.model_validate(preset)
    return PRESETS.get(preset)


_DOC_COLUMNS = (
    ("name", "name"),
    ("image", "image_size"),
    ("resize", "resize_mode"),
    ("rotation", "action_rotation"),
    ("gripper", "gripper"),
    ("state", "state_layout"),
    ("wrist", "wrist_camera"),
    ("replan", "replan_steps"),
    ("unnorm key", "unnorm_key"),
)


def presets_markdown() -> str:
    """The docs page of the built-in presets (``docs/reference/presets.md``), from the table.

    Regenerate the page with ``python -m act2answer.policies.presets > docs/reference/presets.md``.
    """
    lines = [
        "# Presets",
        "",
        "<!-- Generated from act2answer.policies.presets.PRESET_TABLE by",
        "     `python -m act2answer.policies.presets > docs/reference/presets.md`;",
        "     tests/policies/test_presets_table.py fails when this page is out of date. -->",
        "",
        "A preset is the conventions of one model family as data: how an observation",
        "becomes the model's input and how its output becomes act2answer actions. Pick",
        'one with `--policy-args \'{"preset": "NAME"}\'`.',
        "",
        "| " + " | ".join(header for header, _ in _DOC_COLUMNS) + " | description |",
        "|" + " --- |" * (len(_DOC_COLUMNS) + 1),
    ]
    for preset in PRESET_TABLE:
        cells = []
        for _, field in _DOC_COLUMNS:
            value = getattr(preset, field)
            if field == "name":
                cells.append(f"`{value}`")
            elif field == "image_size":
                cells.append("render size" if value is None else f"{value[1]}x{value[0]}")
            elif isinstance(value, bool):
                cells.append("yes" if value else "no")
            else:
                cells.append("-" if value is None else str(value))
        lines.append("| " + " | ".join(cells) + f" | {preset.description} |")
    lines += ["", "## Sources", ""]
    lines += [f"- `{preset.name}`: {preset.source}" for preset in PRESET_TABLE]
    return "\n".join(lines) + "\n"


__all__ = [
    "ACT2ANSWER",
    "BRIDGE_OPENVLA",
    "LIBERO_OPENPI",
    "PRESETS",
    "PRESET_TABLE",
    "Preset",
    "get_preset",
    "preset_names",
    "presets_markdown",
    "register_preset",
]


if __name__ == "__main__":
    print(presets_markdown(), end="")
