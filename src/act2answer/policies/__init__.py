"""Policies: the reference baselines and the registry that creates any policy by name."""

from act2answer.policies._registry import (
    PolicySpec,
    make_policy,
    policy_names,
    register_policy,
)

__all__ = ["PolicySpec", "make_policy", "policy_names", "register_policy"]
