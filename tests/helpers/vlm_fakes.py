"""Backends for tests that need no model: deterministic answers with known behaviour."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

import numpy as np

from act2answer.vlm.backends import VLMQuestion
from act2answer.vlm.scoring import LetterScores, ScoreMethod


class ColourBackend:
    """Answers colour-patch questions by looking: picks the letter naming the image
    whose colour the question asks for (options mode), scored as log-probabilities."""

    COLOURS: ClassVar[dict[str, tuple[int, int, int]]] = {
        "red": (220, 30, 30),
        "blue": (30, 60, 220),
        "green": (30, 170, 60),
    }

    def __init__(self) -> None:
        self.calls = 0

    def answer(self, questions: Sequence[VLMQuestion]) -> list[LetterScores]:
        self.calls += 1
        out = []
        for question in questions:
            target = next(c for c in self.COLOURS if f"is {c}?" in question.prompt)
            distances = [
                float(np.abs(image[32, 32].astype(int) - self.COLOURS[target]).sum())
                for image in question.images
            ]
            first_is_target = distances[0] < distances[1]
            names_first = "A. the first image" in question.prompt
            letter = "A" if first_is_target == names_first else "B"
            good, bad = np.log(0.8), np.log(0.1)
            out.append(
                LetterScores(
                    good if letter == "A" else bad,
                    bad if letter == "A" else good,
                    ScoreMethod.LOGPROBS,
                )
            )
        return out

    def close(self) -> None:
        pass


class ConstantBackend:
    """Always answers the same letter (a letter-biased model), optionally as text."""

    def __init__(self, letter: str = "A", text: bool = False, fail: bool = False) -> None:
        self.letter, self.text, self.fail = letter, text, fail
        self.questions: list[VLMQuestion] = []

    def answer(self, questions: Sequence[VLMQuestion]) -> list[LetterScores]:
        if self.fail:
            raise RuntimeError("backend exploded")
        self.questions.extend(questions)
        if self.text:
            return [
                LetterScores(None, None, ScoreMethod.TEXT, text=f"{self.letter}.")
                for _ in questions
            ]
        high, low = -0.1, -3.0
        a, b = (high, low) if self.letter == "A" else (low, high)
        return [LetterScores(a, b, ScoreMethod.LOGPROBS) for _ in questions]

    def close(self) -> None:
        pass
