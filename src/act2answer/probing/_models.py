"""Resolve ``--model SPEC`` into a :class:`~act2answer.probing.ProbeModel`.

A spec is either a registered name (``act2answer probe models`` lists them)
or ``package.module:Factory``; the factory is called with the keyword
arguments of ``--model-args`` and must return an object with ``name``,
``probe_root()``, ``probe_patterns()`` and ``probe_forward()``.
"""

from __future__ import annotations

from collections.abc import Callable

from act2answer._registry import Registry, import_object
from act2answer.errors import Act2AnswerError
from act2answer.probing._record import ProbeModel

#: Registered probe models: name -> "module:factory" (imported on use).
PROBE_MODELS: Registry[Callable[..., object]] = Registry(
    "probe model",
    {
        "toy-vla": "act2answer.probing._toy:ToyVLA",
        "transformers": "act2answer.probing.families:TransformersVLMProbe",
        "lerobot": "act2answer.probing.families:LeRobotProbe",
        "lab": "act2answer.lab.policy:LabProbe",
    },
    lazy=True,
)


def probe_model_names() -> list[str]:
    """Names of the built-in probe models, sorted."""
    return PROBE_MODELS.names()


def load_probe_model(spec: str, kwargs: dict[str, object] | None = None) -> ProbeModel:
    """Build the model named by ``spec`` with ``kwargs``.

    Raises:
        Act2AnswerError: unknown name, unimportable factory, or an object that
            is not a probe model.
    """
    if spec in PROBE_MODELS:
        factory = PROBE_MODELS.get(spec)
    elif ":" in spec:
        factory = import_object(spec)
    else:
        raise Act2AnswerError(
            PROBE_MODELS.unknown_message(spec) + "; or give package.module:Factory"
        )
    try:
        model = factory(**(kwargs or {}))
    except TypeError as exc:
        raise Act2AnswerError(f"probe model {spec!r}: bad arguments ({exc})") from None
    if not isinstance(model, ProbeModel):
        raise Act2AnswerError(
            f"probe model {spec!r}: {type(model).__name__} lacks name / probe_root / "
            "probe_patterns / probe_forward"
        )
    return model
