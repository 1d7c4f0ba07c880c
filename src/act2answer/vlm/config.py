"""The frozen specification of a VLM run, stored next to its answers."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from act2answer.eval.config import StoredRunConfig, identity_differences
from act2answer.interfaces import Side
from act2answer.sim import SimConfig
from act2answer.vlm.prompt import InputMode, PromptTemplate

BackendName = Literal["transformers", "openai", "lab"]

#: Fields that must match for a VLM run folder to be resumed.
_IDENTITY_FIELDS = (
    "suite_name",
    "suite_hash",
    "model",
    "input_mode",
    "prompt",
    "sim",
    "layouts",
    "base_seed",
    "act2answer_version",
)
#: Parts of an option name that say it holds a secret; such options are never stored.
_SECRET_WORDS = ("key", "token", "secret", "password", "credential")


class ModelSpec(BaseModel):
    """Which VLM answers, through which backend. Secrets (API keys) are never stored.

    Attributes:
        backend: ``transformers`` (in-process), ``openai`` (an OpenAI-compatible
            server) or ``lab`` (a checkpoint of ``act2answer lab train``).
        model: Hugging Face id or local folder (transformers), or the served model name.
        options: Backend settings that change answers (dtype, base URL...).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    backend: BackendName = "transformers"
    model: str
    options: dict[str, Any] = Field(default_factory=dict)


class VLMRunConfig(StoredRunConfig):
    """What produced a VLM run's answers.

    Attributes:
        kind: Always ``"vlm"`` (tells VLM runs from VLA runs).
        suite_name: Versioned suite name.
        suite_hash: SHA-256 of the suite's items and images.
        suite_path: Where the suite was read from (informational).
        model: The model and backend.
        input_mode: ``frame`` or ``options``.
        prompt: The prompt template.
        sim: Simulator settings the frames come from (frame mode; stored in both).
        layouts: Layouts asked per item (the correct image left / first, then right / second).
        base_seed: Mixed into episode seeds (frames) and letter-binding seeds.
        act2answer_version: Package version.
        git_revision: Git revision of the act2answer source, when known.
        created_at: UTC time the run was first started.
        runtime: How the backend was reached, not part of the run's identity
            (device, server address, timeouts, retries, concurrency): what
            :func:`act2answer.rerun` passes to the backend again. Never a secret.
        api_key_env: The environment variable the API key was read from (its
            name only; ``rerun`` reads it again), None when no key was used.
        batch_size: Questions per backend call (not identity).
    """

    #: Fields a resumed run takes from its latest invocation (how, not what, it runs).
    RESUME_UPDATES: ClassVar[tuple[str, ...]] = ("runtime", "api_key_env", "batch_size")

    kind: Literal["vlm"] = "vlm"
    model: ModelSpec
    input_mode: InputMode
    prompt: PromptTemplate = PromptTemplate()
    sim: SimConfig = SimConfig()
    layouts: tuple[Side, ...] = (Side.LEFT, Side.RIGHT)
    base_seed: int = 0
    runtime: dict[str, Any] = Field(default_factory=dict)
    api_key_env: str | None = None
    batch_size: int = Field(default=8, ge=1)

    @field_validator("runtime")
    @classmethod
    def _no_secrets(cls, runtime: dict[str, Any]) -> dict[str, Any]:
        secret = [name for name in runtime if any(w in name.lower() for w in _SECRET_WORDS)]
        if secret:
            raise ValueError(
                f"runtime option(s) {', '.join(map(repr, secret))} look like secrets and are "
                "never stored: pass the key through its environment variable (api_key_env)"
            )
        return runtime

    @property
    def label(self) -> str:
        """Short name of what answered: the model and its input mode."""
        return f"{self.model.model} ({self.input_mode.value})"

    @property
    def image_source(self) -> str | None:
        """Simulator settings and base seed of the frames shown (JSON), or None when the
        model was shown the option images themselves."""
        if self.input_mode is not InputMode.FRAME:
            return None
        return f"{self.sim.model_dump_json()} base_seed={self.base_seed}"

    def differences(self, other: VLMRunConfig) -> list[str]:
        """Human-readable list of identity fields that differ from ``other``."""
        return identity_differences(self, other, _IDENTITY_FIELDS)
