"""Every registered policy satisfies the Policy protocol and runs an episode cleanly."""

from __future__ import annotations

import pytest

from act2answer.adapters import ADAPTERS
from act2answer.eval import EpisodeWorker, make_tasks
from act2answer.interfaces import Policy
from act2answer.policies import PolicySpec, make_policy, policy_names
from act2answer.sim import SimConfig


# Model adapters need a checkpoint and their model stack: tests_models/ runs them.
@pytest.mark.parametrize("name", [name for name in policy_names() if name not in ADAPTERS])
def test_registered_policy_runs_an_episode(name, make_suite, tmp_path):
    policy = make_policy(name)
    assert isinstance(policy, Policy)
    assert policy.name == name
    suite = make_suite(1)
    sim = SimConfig(max_steps=30, early_stop=True)
    worker = EpisodeWorker(sim, PolicySpec(name=name), tmp_path)
    try:
        for task in make_tasks(suite):
            result = worker.run(task)
            assert result.error is None, result.error
            assert result.seed == task.seed and 1 <= result.steps <= 30
    finally:
        worker.close()
