"""VLM backends: Hugging Face ``transformers`` in process, or an OpenAI-compatible server."""

from __future__ import annotations

from act2answer.vlm.backends.base import VLMBackend, VLMQuestion
from act2answer.vlm.config import ModelSpec


def make_backend(spec: ModelSpec, api_key: str | None = None) -> VLMBackend:
    """Create the backend a spec names (imports heavy dependencies only when needed)."""
    if spec.backend == "openai":
        from act2answer.vlm.backends.openai_backend import OpenAIBackend

        return OpenAIBackend(spec.model, api_key=api_key, **spec.options)
    from act2answer.vlm.backends.transformers_backend import TransformersBackend

    return TransformersBackend(spec.model, **spec.options)


__all__ = ["VLMBackend", "VLMQuestion", "make_backend"]
