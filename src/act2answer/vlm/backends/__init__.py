"""VLM backends: Hugging Face ``transformers`` in process, or an OpenAI-compatible server."""

from __future__ import annotations

from typing import Any

from act2answer.vlm.backends.base import VLMBackend, VLMQuestion
from act2answer.vlm.config import ModelSpec


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
    if spec.backend == "openai":
        from act2answer.vlm.backends.openai_backend import OpenAIBackend

        return OpenAIBackend(spec.model, api_key=api_key, **options)
    if spec.backend == "lab":
        from act2answer.lab.policy import LabVLMBackend

        return LabVLMBackend(spec.model, **options)
    from act2answer.vlm.backends.transformers_backend import TransformersBackend

    return TransformersBackend(spec.model, **options)


__all__ = ["VLMBackend", "VLMQuestion", "make_backend"]
