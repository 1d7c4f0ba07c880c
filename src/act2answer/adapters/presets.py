"""Presets of the seven reference-study VLAs (registered on import).

Each preset is data (see :class:`~act2answer.policies.presets.Preset`); the
``source`` field names the upstream file every number comes from. The OpenVLA
Bridge preset (``bridge-openvla``) and openpi's LIBERO preset
(``libero-openpi``) live in :mod:`act2answer.policies.presets`.
"""

from __future__ import annotations

from act2answer.policies.presets import LIBERO_OPENPI, Preset, register_preset

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
        "XiaomiRobotics/Xiaomi-Robotics-0 README (AutoModel/AutoProcessor remote code, "
        "multi-view Qwen prompt, processor.decode_action(outputs.actions, robot_type)); "
        "Bridge conventions as SimplerEnv's WidowX policies (gripper 2*(open>0.5)-1, rpy); "
        "image size is left to the processor"
    ),
    state_layout="act2answer",
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
                "(replan_steps=5, 180-degree rotation, resize_with_pad 224)"
            ),
        }
    )


PI0_LIBERO = _openpi_libero("pi0-libero", "pi0", "50")
PI0_FAST_LIBERO = _openpi_libero("pi0-fast-libero", "pi0-FAST", "10")
PI05_LIBERO = _openpi_libero("pi05-libero", "pi0.5", "10")

ALL_PRESETS = (
    BRIDGE_SPATIALVLA,
    BRIDGE_MAGMA,
    BRIDGE_INTERNVLA_M1,
    BRIDGE_XIAOMI_R0,
    PI0_LIBERO,
    PI0_FAST_LIBERO,
    PI05_LIBERO,
)

for _preset in ALL_PRESETS:
    register_preset(_preset)
