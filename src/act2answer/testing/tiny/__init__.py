"""Tiny models for CPU dry runs and tests: a real tiny class where it is installable,
a stand-in with the documented signatures where it is not.

``build_tiny(adapter, folder)`` writes a model folder and returns the adapter's
keyword arguments that load it:

* ``lerobot``: a randomly initialised SmolVLA (~0.4 M parameters) of LeRobot's
  real ``SmolVLAPolicy`` class, with a local tiny SmolVLM config and processor
  and saved pre/post processors (see :mod:`.smolvla`).
* ``openvla``, ``spatialvla``, ``magma``, ``xiaomi-r0``: a stand-in remote-code
  folder (``config.json`` with ``auto_map`` to a local module) loaded through the
  same ``from_pretrained(..., trust_remote_code=True)`` path as the hub model.
* ``internvla-m1``: a stand-in framework class and statistics file.
"""

from __future__ import annotations

import json
from importlib import import_module
from pathlib import Path
from typing import Any

from act2answer.errors import PolicyError

#: What ``build_tiny`` makes for each adapter (the README coverage table says the same).
TINY_KIND = {
    "lerobot": "tiny real class (SmolVLAPolicy, random weights)",
    "openvla": "stand-in remote code",
    "spatialvla": "stand-in remote code",
    "magma": "stand-in remote code",
    "xiaomi-r0": "stand-in remote code",
    "internvla-m1": "stand-in framework class",
}

_AUTO_MODEL = {
    "openvla": "AutoModelForVision2Seq",
    "spatialvla": "AutoModel",
    "magma": "AutoModelForCausalLM",
    "xiaomi-r0": "AutoModel",
}


def _bridge_stats() -> dict[str, Any]:
    from act2answer.adapters.magma import builtin_norm_stats

    return builtin_norm_stats()["bridge_orig"]["action"]


def _remote_code_folder(adapter: str, folder: Path) -> dict[str, Any]:
    module_name = "standin_" + adapter.replace("-", "_")
    module = import_module(f"act2answer.testing.tiny.{module_name}")
    config_kwargs: dict[str, Any] = {}
    if adapter == "openvla":
        # "sft": the key of the study's RL4VLA fine-tune (stand-in numbers: bridge_orig's).
        config_kwargs["norm_stats"] = {
            key: {"action": _bridge_stats()} for key in ("bridge_orig", "sft")
        }
    elif adapter == "spatialvla":
        config_kwargs["statistics"] = {"bridge_orig/1.0.0": {"action": _bridge_stats()}}
    module.StandInConfig.register_for_auto_class()
    module.StandInModel.register_for_auto_class(_AUTO_MODEL[adapter])
    module.StandInModel(module.StandInConfig(**config_kwargs)).save_pretrained(folder)
    if adapter == "magma":
        module.write_checkpoint_names(folder)
    config_path = folder / "config.json"
    config = json.loads(config_path.read_text())
    config["auto_map"]["AutoProcessor"] = f"{module_name}.StandInProcessor"
    config_path.write_text(json.dumps(config, indent=2))
    return {"model_path": str(folder), "device": "cpu", "dtype": "float32"}


def _internvla_folder(folder: Path) -> dict[str, Any]:
    folder.mkdir(parents=True, exist_ok=True)
    stats = {"bridge_dataset": {"action": _bridge_stats()}}
    (folder / "dataset_statistics.json").write_text(json.dumps(stats))
    module = "act2answer.testing.tiny.standin_internvla_m1"
    return {
        "model_path": str(folder),
        "device": "cpu",
        "framework": f"{module}:InternVLAM1StandIn",
        "config_reader": f"{module}:read_config",
    }


def build_tiny(adapter: str, folder: Path | str, seed: int = 0) -> dict[str, Any]:
    """Write a tiny model for ``adapter`` into ``folder``; return the adapter's kwargs.

    Raises:
        PolicyError: unknown adapter, or its stack (torch, transformers, lerobot)
            is not installed here.
    """
    folder = Path(folder)
    if adapter not in TINY_KIND:
        raise PolicyError(f"no tiny model for {adapter!r} (known: {', '.join(TINY_KIND)})")
    try:
        if adapter == "lerobot":
            from act2answer.testing.tiny.smolvla import build_tiny_smolvla

            return {"model_path": str(build_tiny_smolvla(folder, seed=seed)), "device": "cpu"}
        if adapter == "internvla-m1":
            return _internvla_folder(folder)
        return _remote_code_folder(adapter, folder)
    except ImportError as exc:
        raise PolicyError(
            f"a dry run of {adapter!r} needs its model stack installed here ({exc})"
        ) from None
