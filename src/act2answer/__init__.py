"""act2answer: does a robot policy still know what its vision-language model knew?

The Python entry point::

    import act2answer as a2a

    run = a2a.evaluate("suites/demo", "scripted-oracle", out="runs/oracle",
                       sim=a2a.SimConfig(robot="widowx"),
                       execution=a2a.Execution(workers=4))
    run.metrics.overall.success_rate
    a2a.load_run("runs/oracle")          # any run folder: VLA, VLM or probe

The names below load on first use, so ``import act2answer`` (and the light
remote side, ``act2answer.client`` / ``act2answer.serve``) never imports the
simulator.
"""

from __future__ import annotations

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any


def _installed_version() -> str:
    for distribution in ("act2answer", "act2answer-core"):  # full, or the light base
        try:
            return version(distribution)
        except PackageNotFoundError:
            continue
    return "0.0.0"  # running from a source tree without install


__version__ = _installed_version()

#: Public name -> module that defines it (imported on first access).
_PUBLIC = {
    "evaluate": "act2answer.api",
    "load_run": "act2answer.api",
    "rerun": "act2answer.api",
    "Execution": "act2answer.api",
    "Run": "act2answer.api",
    "RunConfig": "act2answer.eval.config",
    "SimConfig": "act2answer.sim",
    "PolicySpec": "act2answer.policies",
    "make_policy": "act2answer.policies",
    "register_policy": "act2answer.policies",
    "load_suite": "act2answer.suite",
    "Act2AnswerError": "act2answer.errors",
}

if TYPE_CHECKING:
    from act2answer.api import Execution, Run, evaluate, load_run, rerun
    from act2answer.errors import Act2AnswerError
    from act2answer.eval.config import RunConfig
    from act2answer.policies import PolicySpec, make_policy, register_policy
    from act2answer.sim import SimConfig
    from act2answer.suite import load_suite


def __getattr__(name: str) -> Any:
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'act2answer' has no attribute {name!r}")
    return getattr(import_module(module), name)


def __dir__() -> list[str]:
    return sorted([*globals(), *_PUBLIC])


__all__ = [
    "Act2AnswerError",
    "Execution",
    "PolicySpec",
    "Run",
    "RunConfig",
    "SimConfig",
    "__version__",
    "evaluate",
    "load_run",
    "load_suite",
    "make_policy",
    "register_policy",
    "rerun",
]
