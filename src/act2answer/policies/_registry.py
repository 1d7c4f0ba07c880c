"""Policy registry: create any policy from a frozen, JSON-serialisable spec."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from act2answer._registry import Registry, import_object
from act2answer.errors import PolicyError
from act2answer.interfaces import BatchPolicy, Policy

PolicyFactory = Callable[..., Policy | BatchPolicy]

#: URL schemes of remote policies: ``--policy openpi://HOST:PORT``.
REMOTE_SCHEMES: Registry[PolicyFactory] = Registry(
    "remote policy scheme",
    {
        "openpi": "act2answer.client.openpi:OpenpiPolicy",
        "openvla-rest": "act2answer.client.openvla_rest:OpenVLARestPolicy",
    },
    error=PolicyError,
    lazy=True,
)

#: Model adapters for real checkpoints (:mod:`act2answer.adapters`), imported on first use.
ADAPTERS: dict[str, str] = {
    "lerobot": "act2answer.adapters.lerobot:LeRobotAdapter",
    "openvla": "act2answer.adapters.openvla:OpenVLAAdapter",
    "spatialvla": "act2answer.adapters.spatialvla:SpatialVLAAdapter",
    "magma": "act2answer.adapters.magma:MagmaAdapter",
    "internvla-m1": "act2answer.adapters.internvla_m1:InternVLAM1Adapter",
    "xiaomi-r0": "act2answer.adapters.xiaomi_r0:XiaomiR0Adapter",
}

#: Every built-in policy: the reference baselines and the model adapters.
POLICIES: Registry[PolicyFactory] = Registry(
    "policy",
    {
        "oracle": "act2answer.policies.reference:OraclePolicy",
        "random": "act2answer.policies.reference:RandomTilePolicy",
        "left": "act2answer.policies.reference:LeftPolicy",
        "idle": "act2answer.policies.reference:IdlePolicy",
        "constant": "act2answer.policies.reference:ConstantPolicy",
        **ADAPTERS,
    },
    error=PolicyError,
    lazy=True,
)


class PolicySpec(BaseModel):
    """Name and arguments that recreate a policy (stored with every run).

    Attributes:
        name: Registered policy name.
        kwargs: Keyword arguments of the policy's factory (JSON values).
    """

    model_config = ConfigDict(frozen=True)

    name: str
    kwargs: dict[str, Any] = Field(default_factory=dict)


def register_policy(name: str, factory: PolicyFactory | str) -> None:
    """Register a policy factory (or its ``"module:attribute"`` path) under ``name``.

    Later registrations replace earlier ones.
    """
    POLICIES.register(name, factory)


def policy_names() -> list[str]:
    """Names of all registered policies, sorted."""
    return POLICIES.names()


def make_policy(spec: PolicySpec | str) -> Policy | BatchPolicy:
    """Create a policy from its spec or name.

    A name of the form ``"package.module:ClassName"`` imports that factory, so a
    user's own policy runs in worker processes without registering it there.
    ``"openpi://HOST:PORT"`` and ``"openvla-rest://HOST:PORT"`` create clients of
    remote policies (``kwargs`` go to the client, e.g. ``preset``).

    Raises:
        PolicyError: unknown name (with a suggestion) or bad arguments.
    """
    spec = PolicySpec(name=spec) if isinstance(spec, str) else spec
    scheme, separator, _ = spec.name.partition("://")
    arguments: tuple[str, ...] = ()
    if separator and scheme in REMOTE_SCHEMES:
        factory = REMOTE_SCHEMES.get(scheme)
        arguments = (spec.name,)
    elif spec.name in POLICIES or ":" not in spec.name:
        factory = POLICIES.get(spec.name)
    else:
        factory = import_object(spec.name, PolicyError)
    if not callable(factory):
        raise PolicyError(f"policy {spec.name!r} is not callable")
    try:
        return factory(*arguments, **spec.kwargs)
    except TypeError as exc:
        raise PolicyError(f"policy {spec.name!r}: bad arguments {spec.kwargs}: {exc}") from None
