"""A word-level tokenizer for the lab's tiny models (no files to download).

Text is lower-cased and split into words (punctuation and :data:`STOP_WORDS` dropped); each
word found in the training texts gets an id, every other word maps to
``<unk>``. The vocabulary is saved in the checkpoint's config, so a model
reads exactly the words it was trained with.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np

PAD, UNK, ANSWER = "<pad>", "<unk>", "<answer>"
#: Letters the VLM head answers with; always in the vocabulary.
LETTERS = ("a", "b")
_WORD = re.compile(r"[a-z0-9]+")
#: Words dropped before tokenising: the constant boilerplate of the VLM prompt template
#: (``act2answer.vlm.prompt``) and a few function words (never numbers). What stays is the
#: question's content and the letter binding ("a left b right"): short sequences.
STOP_WORDS = frozenset(
    {
        "the",
        "image",
        "shows",
        "table",
        "with",
        "pictures",
        "lying",
        "on",
        "it",
        "and",
        "picture",
        "question",
        "answer",
        "option",
        "s",
        "letter",
        "from",
        "given",
        "choices",
        "directly",
        "of",
        "is",
        "are",
        "this",
        "that",
    }
)


def words(text: str) -> list[str]:
    """Lower-cased words of ``text`` without :data:`STOP_WORDS` (punctuation dropped)."""
    return [word for word in _WORD.findall(text.lower()) if word not in STOP_WORDS]


class WordTokenizer:
    """Maps words to ids; id 0 pads, 1 is unknown, 2 is the answer slot.

    Args:
        vocabulary: Words in id order, starting with the special tokens.
    """

    def __init__(self, vocabulary: Sequence[str]) -> None:
        self.vocabulary = list(vocabulary)
        self._ids = {word: index for index, word in enumerate(self.vocabulary)}

    @classmethod
    def build(cls, texts: Iterable[str], min_count: int = 1) -> WordTokenizer:
        """A vocabulary of every word seen at least ``min_count`` times (plus specials)."""
        counts = Counter(word for text in texts for word in words(text))
        learned = sorted(word for word, n in counts.items() if n >= min_count)
        specials = [PAD, UNK, ANSWER, *LETTERS]
        return cls(specials + [word for word in learned if word not in specials])

    def __len__(self) -> int:
        return len(self.vocabulary)

    def token_id(self, word: str) -> int:
        """The id of one word (``<unk>`` when unknown)."""
        return self._ids.get(word, 1)

    def encode(self, text: str, length: int) -> np.ndarray:
        """``<answer>`` then the words of ``text``, cut or padded to ``length`` ids."""
        ids = [2] + [self.token_id(word) for word in words(text)]
        ids = ids[:length] + [0] * max(0, length - len(ids))
        return np.asarray(ids, dtype=np.int64)

    def encode_many(self, texts: Sequence[str], length: int) -> np.ndarray:
        """``(N, length)`` ids of many texts."""
        return np.stack([self.encode(text, length) for text in texts])
