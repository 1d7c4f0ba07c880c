"""VLM backends: Hugging Face ``transformers`` in process, or an OpenAI-compatible server."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from act2answer._registry import Registry
from act2answer.vlm.backends.base import VLMBackend, VLMQuestion
from act2answer.vlm.config import ModelSpec

#: VLM backends by name (``--backend``), imported on first use.
BACKENDS: Registry[Callable[..., VLMBackend]] = Registry(
    "VLM backend",
    {
        "openai": "act2answer.vlm.backends.openai_backend:OpenAIBackend",
        "transformers": "act2answer.vlm.backends.transformers_backend:TransformersBackend",
        "lab": "act2answer.lab.policy:LabVLMBackend",
    },
    lazy=True,
)


def make_backend(
    spec: ModelSpec, api_key: str | None = None, runtime: dict[str, Any] | None = None
) -> VLMBackend:
    """Create the backend a spec names (imports heavy dependencies only when needed).

    Args:
        spec: Model and the options that change answers (stored with the run).
        api_key: Secret for the server (never stored).
        runtime: Options that do not change answers (device, server address,
            timeouts, retries, concurrency): not part of the run's identity, so a
            run can resume on another GPU or against a restarted server.
    """
    options = {**spec.options, **(runtime or {})}
    backend_class = BACKENDS.get(spec.backend)
    if spec.backend == "openai":
        options["api_key"] = api_key
    return backend_class(spec.model, **options)


__all__ = ["BACKENDS", "VLMBackend", "VLMQuestion", "make_backend"]
