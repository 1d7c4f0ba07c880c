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
with ``--policy openpi://HOST:PORT`` and a preset from
:data:`act2answer.policies.presets.PRESET_TABLE`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from act2answer._registry import import_object
from act2answer.errors import PolicyError
from act2answer.policies._registry import ADAPTERS


def adapter_class(name: str) -> Callable[..., Any]:
    """The adapter class registered as ``name`` (its module is imported now)."""
    return import_object(ADAPTERS[name], PolicyError)


__all__ = ["ADAPTERS", "adapter_class"]
