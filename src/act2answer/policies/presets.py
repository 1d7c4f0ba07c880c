"""Named bundles of conventions: what a model family expects and what it returns.

A :class:`Preset` says how to turn act2answer's :class:`~act2answer.interfaces.Observation`
into a model's input (image size, resize mode, rotation, cameras, state
layout, wire keys) and how to turn the model's output back into act2answer
actions (rotation encoding, gripper convention, scaling, chunk replanning).
Remote clients and adapters use them; ``--policy-args '{"preset": "..."}'``
picks one. The README's preset table cites where every number comes from.
"""

from __future__ import annotations

import difflib
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

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
    center_crop: float | None = Field(None, gt=0.0, le=1.0)
    wrist_camera: bool = False
    state_layout: StateLayout = "act2answer"
    image_key: str = "observation/image"
    wrist_image_key: str = "observation/wrist_image"
    state_key: str = "observation/state"
    prompt_key: str = "prompt"
    actions_key: str = "actions"
    action_rotation: conventions.RotationMode = "rpy"
    gripper: conventions.GripperMode = "open_pm1"
    position_scale: float = Field(1.0, gt=0.0)
    rotation_scale: float = Field(1.0, gt=0.0)
    replan_steps: int = Field(1, ge=1)
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


_PRESETS: dict[str, Preset] = {}


def register_preset(preset: Preset) -> None:
    """Add or replace a named preset (adapters register their own)."""
    _PRESETS[preset.name] = preset


def preset_names() -> list[str]:
    """Names of all registered presets, sorted."""
    return sorted(_PRESETS)


def get_preset(preset: Preset | str | dict[str, Any]) -> Preset:
    """Look up a preset by name (a :class:`Preset` is returned as is, a dict validated).

    Raises:
        PolicyError: unknown name, with a suggestion.
    """
    if isinstance(preset, Preset):
        return preset
    if isinstance(preset, dict):
        return Preset.model_validate(preset)
    found = _PRESETS.get(preset)
    if found is None:
        close = difflib.get_close_matches(preset, _PRESETS, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise PolicyError(f"unknown preset {preset!r}{hint} (known: {', '.join(preset_names())})")
    return found


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

for _preset in (ACT2ANSWER, BRIDGE_OPENVLA, LIBERO_OPENPI):
    register_preset(_preset)

__all__ = [
    "ACT2ANSWER",
    "BRIDGE_OPENVLA",
    "LIBERO_OPENPI",
    "Preset",
    "get_preset",
    "preset_names",
    "register_preset",
]

# The model adapters' presets (pi0 / pi0-FAST / pi0.5 LIBERO, SpatialVLA, Magma, ...)
# register themselves on import; importing them here makes every preset known by name.
from act2answer.adapters import presets as _adapter_presets  # noqa: E402, F401
