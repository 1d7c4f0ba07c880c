"""Presets of the seven reference-study VLAs (registered on import).

Each preset is data (see :class:`~act2answer.policies.presets.Preset`); the
``source`` field names the upstream file every number comes from. The OpenVLA
Bridge preset (``bridge-openvla``) and openpi's LIBERO preset
(``libero-openpi``) live in :mod:`act2answer.policies.presets`.
"""

from __future__ import annotations

from act2answer.policies.presets import LIBERO_OPENPI, Preset, register_preset

#: The study's harness: a third-party copy that is very likely the authors' code
#: (same ``run.py`` model branches and ``Args`` as CognitiveAISystems/Act2Answer@d22e22fc
#: ``SimplerEnv/simpler_env/run.py``; scripts point at the first author's home).
STUDY_HARNESS = "nazar-karpov/bias-vla-benchmark@d5f4ed5d Act2Answer/"
_POLICIES = STUDY_HARNESS + "SimplerEnv/simpler_env/policies/"

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
                "(replan_steps=5, 180-degree rotation, resize_with_pad 224)"
            ),
        }
    )


PI0_LIBERO = _openpi_libero("pi0-libero", "pi0", "50")
PI0_FAST_LIBERO = _openpi_libero("pi0-fast-libero", "pi0-FAST", "10")
PI05_LIBERO = _openpi_libero("pi05-libero", "pi0.5", "10")

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

ALL_PRESETS = (
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

for _preset in ALL_PRESETS:
    register_preset(_preset)
