"""What a VLM backend does: answer a batch of two-option questions with letter scores."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np

from act2answer.vlm.scoring import LetterScores


@dataclass(frozen=True)
class VLMQuestion:
    """One question as a backend sees it.

    Attributes:
        prompt: The question text (letters and what they name included).
        images: ``(H, W, 3)`` uint8 images, in the order they are shown.
    """

    prompt: str
    images: tuple[np.ndarray, ...]


@runtime_checkable
class VLMBackend(Protocol):
    """Answers questions. A failure of one question is returned as
    ``LetterScores(error=...)``; raising fails the whole batch (recorded, not fatal)."""

    def answer(self, questions: Sequence[VLMQuestion]) -> list[LetterScores]: ...

    def close(self) -> None: ...
