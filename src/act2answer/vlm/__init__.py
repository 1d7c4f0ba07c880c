"""The VLM side: ask the same items to a vision-language model, without action.

Each item is a two-option multiple-choice question; which letter names which
image is drawn per item from a recorded seed; the answer is read from the
first answer token's log-probabilities (generated text as a recorded fallback).
This package holds one question's pieces (backends, prompt, letter scoring,
record and config types); :func:`act2answer.runner.run_vlm` runs a suite, and
:mod:`act2answer.store` keeps the answers with the same item/layout keys as VLA
episodes, so ``act2answer compare`` pairs them.
"""

from act2answer.vlm.config import ModelSpec, VLMRunConfig
from act2answer.vlm.prompt import InputMode, LetterBinding, PromptTemplate, letter_binding
from act2answer.vlm.results import VLMAnswer
from act2answer.vlm.scoring import LetterScores, ScoreMethod

__all__ = [
    "InputMode",
    "LetterBinding",
    "LetterScores",
    "ModelSpec",
    "PromptTemplate",
    "ScoreMethod",
    "VLMAnswer",
    "VLMRunConfig",
    "letter_binding",
]
