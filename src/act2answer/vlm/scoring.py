"""Read a letter answer from first-token log-probabilities, or from generated text.

A letter can be written by several tokens ("A" and " A" are usually two
vocabulary entries). Its score is the log of the summed probability of its
*distinct* variant tokens: a tokenizer that maps "A" and " A" to the same id
counts that id once, and a token claimed by both letters is an error.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Protocol

import numpy as np

from act2answer.errors import Act2AnswerError
from act2answer.vlm.prompt import LETTERS

#: Surface forms of a letter counted as the same answer: bare and with a leading space.
LETTER_PREFIXES: tuple[str, ...] = ("", " ")


class ScoreMethod(str, Enum):
    """How an answer was read."""

    LOGPROBS = "logprobs"
    """First-token log-probabilities of the letter variants."""
    TEXT = "text"
    """Parsed from generated text (no usable log-probabilities)."""
    NONE = "none"
    """Nothing could be read (error, or text without a letter)."""


@dataclass(frozen=True)
class LetterScores:
    """A backend's answer to one question.

    Attributes:
        score_a: log P("A") summed over its variants, or None when unavailable.
        score_b: log P("B") likewise.
        method: How the answer was read.
        text: Generated text, when the backend produced any.
        error: Error message when the question could not be asked.
    """

    score_a: float | None
    score_b: float | None
    method: ScoreMethod
    text: str | None = None
    error: str | None = None

    @property
    def letter(self) -> str | None:
        """The chosen letter, or None (error, tie, or nothing readable)."""
        if self.method is ScoreMethod.LOGPROBS:
            a = -math.inf if self.score_a is None else self.score_a
            b = -math.inf if self.score_b is None else self.score_b
            if a == b:
                return None
            return "A" if a > b else "B"
        if self.method is ScoreMethod.TEXT:
            return parse_letter(self.text or "")
        return None


class _Tokenizer(Protocol):
    def encode(self, text: str, add_special_tokens: bool = ...) -> list[int]: ...


@dataclass(frozen=True)
class LetterTokens:
    """Distinct vocabulary ids that spell each letter as one token."""

    a: tuple[int, ...]
    b: tuple[int, ...]

    @property
    def usable(self) -> bool:
        return bool(self.a) and bool(self.b)


def letter_token_ids(
    tokenizer: _Tokenizer, prefixes: Sequence[str] = LETTER_PREFIXES
) -> LetterTokens:
    """Ids of the single-token variants of "A" and "B" ("A", " A"...), without duplicates.

    Raises:
        Act2AnswerError: one token id spells both letters.
    """
    found: dict[str, tuple[int, ...]] = {}
    for letter in LETTERS:
        ids: list[int] = []
        for prefix in prefixes:
            encoded = list(tokenizer.encode(prefix + letter, add_special_tokens=False))
            if len(encoded) == 1 and encoded[0] not in ids:
                ids.append(int(encoded[0]))
        found[letter] = tuple(ids)
    shared = set(found["A"]) & set(found["B"])
    if shared:
        raise Act2AnswerError(f"token ids {sorted(shared)} spell both 'A' and 'B'")
    return LetterTokens(a=found["A"], b=found["B"])


def _logsumexp(values: Iterable[float]) -> float | None:
    array = np.asarray(list(values), dtype=np.float64)
    if array.size == 0:
        return None
    return float(np.logaddexp.reduce(array))


def scores_from_logprobs(logprobs: np.ndarray, tokens: LetterTokens) -> LetterScores:
    """Letter scores from a full next-token log-probability vector.

    Args:
        logprobs: ``(vocab,)`` log-softmax of the first answer position.
        tokens: Variant ids of each letter (distinct).
    """
    vector = np.asarray(logprobs, dtype=np.float64)
    return LetterScores(
        score_a=_logsumexp(vector[list(tokens.a)]),
        score_b=_logsumexp(vector[list(tokens.b)]),
        method=ScoreMethod.LOGPROBS,
    )


def scores_from_top_logprobs(
    top: Sequence[Mapping[str, object]],
) -> tuple[float | None, float | None]:
    """Letter scores from an OpenAI-style ``top_logprobs`` list of ``{token, logprob}``.

    A token string listed twice is counted once. A letter absent from the list
    scores None.
    """
    seen: dict[str, float] = {}
    for entry in top:
        token, logprob = entry.get("token"), entry.get("logprob")
        if isinstance(token, str) and isinstance(logprob, (int, float)) and token not in seen:
            seen[token] = float(logprob)
    scores: list[float | None] = []
    for letter in LETTERS:
        variants = {prefix + letter for prefix in LETTER_PREFIXES}
        scores.append(_logsumexp(value for token, value in seen.items() if token in variants))
    return scores[0], scores[1]


_LETTER_PATTERNS = (
    re.compile(r"^\W*\(?([AB])\)?(?:\W|$)"),
    re.compile(r"\b(?:answer|option|choice)\s*(?:is|:)?\s*\(?([AB])\b", re.IGNORECASE),
)


def parse_letter(text: str) -> str | None:
    """The letter a generated answer gives ("A", "(B)", "B. the left", "The answer is A")."""
    for pattern in _LETTER_PATTERNS:
        match = pattern.search(text.strip())
        if match:
            return match.group(1).upper()
    return None
