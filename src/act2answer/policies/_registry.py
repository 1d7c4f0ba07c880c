"""Policy registry: create any policy from a frozen, JSON-serialisable spec."""

from __future__ import annotations

import difflib
import importlib
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from act2answer.errors import PolicyError
from act2answer.interfaces import BatchPolicy, Policy

PolicyFactory = Callable[..., Policy | BatchPolicy]

#: URL schemes of remote policies: ``--policy openpi://HOST:PORT``.
REMOTE_SCHEMES = {
    "openpi": "act2answer.client.openpi:OpenpiPolicy",
    "openvla-rest": "act2answer.client.openvla_rest:OpenVLARestPolicy",
}

_FACTORIES: dict[str, PolicyFactory] = {}
_BUILTIN_LOADED = False


class PolicySpec(BaseModel):
    """Name and arguments that recreate a policy (stored with every run).

    Attributes:
        name: Registered policy name.
        kwargs: Keyword arguments of the policy's factory (JSON values).
    """

    model_config = ConfigDict(frozen=True)

    name: str
    kwargs: dict[str, Any] = Field(default_factory=dict)


def register_policy(name: str, factory: PolicyFactory) -> None:
    """Register a policy factory under ``name`` (later registrations replace earlier)."""
    _FACTORIES[name] = factory


def policy_names() -> list[str]:
    """Names of all registered policies, sorted."""
    _load_builtin()
    return sorted(_FACTORIES)


def make_policy(spec: PolicySpec | str) -> Policy | BatchPolicy:
    """Create a policy from its spec or name.

    A name of the form ``"package.module:ClassName"`` imports that factory, so a
    user's own policy runs in worker processes without registering it there.
    ``"openpi://HOST:PORT"`` and ``"openvla-rest://HOST:PORT"`` create clients of
    remote policies (``kwargs`` go to the client, e.g. ``preset``).

    Raises:
        PolicyError: unknown name (with a suggestion) or bad arguments.
    """
    _load_builtin()
    spec = PolicySpec(name=spec) if isinstance(spec, str) else spec
    scheme, separator, _ = spec.name.partition("://")
    if separator and scheme in REMOTE_SCHEMES:
        factory = _import_factory(REMOTE_SCHEMES[scheme])
        try:
            return factory(spec.name, **spec.kwargs)
        except TypeError as exc:
            raise PolicyError(f"policy {spec.name!r}: bad arguments {spec.kwargs}: {exc}") from None
    factory = _FACTORIES.get(spec.name)
    if factory is None and ":" in spec.name:
        factory = _import_factory(spec.name)
    if factory is None:
        close = difflib.get_close_matches(spec.name, _FACTORIES, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise PolicyError(
            f"unknown policy {spec.name!r}{hint} (known: {', '.join(sorted(_FACTORIES))})"
        )
    try:
        return factory(**spec.kwargs)
    except TypeError as exc:
        raise PolicyError(f"policy {spec.name!r}: bad arguments {spec.kwargs}: {exc}") from None


def _import_factory(path: str) -> PolicyFactory:
    module_name, _, attribute = path.partition(":")
    try:
        factory = getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError) as exc:
        raise PolicyError(f"cannot import policy {path!r}: {exc}") from None
    if not callable(factory):
        raise PolicyError(f"policy {path!r} is not callable")
    return factory


def _load_builtin() -> None:
    global _BUILTIN_LOADED
    if _BUILTIN_LOADED:
        return
    _BUILTIN_LOADED = True
    from act2answer.policies import reference

    for policy_class in (
        reference.OraclePolicy,
        reference.RandomTilePolicy,
        reference.LeftPolicy,
        reference.IdlePolicy,
        reference.ConstantPolicy,
    ):
        _FACTORIES.setdefault(policy_class.name, policy_class)
    from act2answer.adapters import register_adapters

    register_adapters(_FACTORIES.setdefault)
