"""Adapters for real VLA checkpoints (the seven models of the reference study).

Each adapter is a :class:`~act2answer.interfaces.BatchPolicy`: stateless,
``act_batch(requests) -> (B, H, 7)`` chunks in act2answer's action convention.
Importing this package is light (numpy, pydantic): the model stacks (torch,
transformers, lerobot) are imported only when an adapter is created, in the
environment that has them.

| name            | model family                          | module                      |
| --------------- | ------------------------------------- | --------------------------- |
| ``lerobot``     | any LeRobot policy (SmolVLA, pi0 ...) | :mod:`.lerobot`             |
| ``openvla``     | OpenVLA remote code                   | :mod:`.openvla`             |
| ``spatialvla``  | SpatialVLA remote code                | :mod:`.spatialvla`          |
| ``magma``       | Magma remote code                     | :mod:`.magma`               |
| ``internvla-m1``| InternVLA-M1 framework (server side)  | :mod:`.internvla_m1`        |
| ``xiaomi-r0``   | Xiaomi-Robotics-0 remote code         | :mod:`.xiaomi_r0`           |

pi0 / pi0-FAST / pi0.5 run in openpi's own ``serve_policy`` and are evaluated
with ``--policy openpi://HOST:PORT`` and a preset from :mod:`.presets`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from act2answer.adapters import presets as presets  # registers the model presets

#: Registered adapter name -> ``module:Class`` (imported on first use).
ADAPTERS: dict[str, str] = {
    "lerobot": "act2answer.adapters.lerobot:LeRobotAdapter",
    "openvla": "act2answer.adapters.openvla:OpenVLAAdapter",
    "spatialvla": "act2answer.adapters.spatialvla:SpatialVLAAdapter",
    "magma": "act2answer.adapters.magma:MagmaAdapter",
    "internvla-m1": "act2answer.adapters.internvla_m1:InternVLAM1Adapter",
    "xiaomi-r0": "act2answer.adapters.xiaomi_r0:XiaomiR0Adapter",
}


def adapter_class(name: str) -> Callable[..., Any]:
    """The adapter class registered as ``name`` (its module is imported now)."""
    module_name, _, attribute = ADAPTERS[name].partition(":")
    return getattr(importlib.import_module(module_name), attribute)


def _lazy_factory(name: str) -> Callable[..., Any]:
    def factory(**kwargs: Any) -> Any:
        return adapter_class(name)(**kwargs)

    factory.__name__ = f"make_{name.replace('-', '_')}"
    return factory


def register_adapters(register: Callable[[str, Callable[..., Any]], None]) -> None:
    """Register every adapter under its name with a policy registry's ``register``."""
    for name in ADAPTERS:
        register(name, _lazy_factory(name))


__all__ = ["ADAPTERS", "adapter_class", "register_adapters"]
