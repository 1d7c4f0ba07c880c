"""The VLM side: ask the same items to a vision-language model, without action.

Each item is a two-option multiple-choice question; which letter names which
image is drawn per item from a recorded seed; the answer is read from the
first answer token's log-probabilities (generated text as a recorded fallback).
Answers go into the run folder's ``results.sqlite`` with the same
item/layout keys as VLA episodes, so ``act2answer compare`` pairs them.
"""

from act2answer.vlm.config import ModelSpec, VLMRunConfig
from act2answer.vlm.prompt import InputMode, LetterBinding, PromptTemplate, letter_binding
from act2answer.vlm.results import VLMAnswer
from act2answer.vlm.runner import VLMRunSummary, run_vlm
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
    "VLMRunSummary",
    "letter_binding",
    "run_vlm",
]
