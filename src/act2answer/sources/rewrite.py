"""Turn a source question into a "put the cube on ..." instruction.

Default: deterministic templates (per category for label-style sources,
question patterns for "Which X shows Y?" wording). Optional: any
OpenAI-compatible ``/chat/completions`` endpoint, with an on-disk cache keyed
by the request (a rerun costs nothing) and the same leak guard on every
output: an instruction that names a position ("left", "second image") or
loses the question's content words is rejected.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import urllib.error
import urllib.request
from pathlib import Path
from typing import Protocol

from act2answer.errors import Act2AnswerError
from act2answer.sources._model import Candidate

PREFIX = "put the cube on"

_POSITION = re.compile(
    r"\b(left|right|first|second|1st|2nd|former|latter|top|bottom|"
    r"(image|picture|photo|option|choice) ?[12ab]|correct|answer)\b",
    re.IGNORECASE,
)
_STOP_TEXT = (
    "a an the this that these those is are was were be been do does did which what who whom "
    "whose how of in on at to for with from by and or not no yes it its image images picture "
    "pictures photo photos one ones shown show shows there here than more most less least can "
    "could would should will may might has have had you your me my put cube left right first "
    "second former latter"
)
_STOP = frozenset(_STOP_TEXT.split())
_WHICH = re.compile(
    r"^\s*(?:which|what)\s+([a-z]+(?:\s[a-z]+)?)\s+"
    r"(is|are|shows?|has|have|looks?|seems?|contains?|can|was|were|does|do|depicts?)\b\s*(.*?)\s*\??$",
    re.IGNORECASE,
)
_SELECT = re.compile(r"^\s*(?:select|choose|pick|find)\s+(the\s+.+?)\s*[.?]?$", re.IGNORECASE)
_SIGN_CATEGORIES = {"Traffic", "Public Info"}
_LEFT_OR_RIGHT = re.compile(
    r",?\s*(?:the\s+)?(?:left|first)(?:\s+one|\s+image)?\s+or\s+(?:the\s+)?(?:right|second)"
    r"(?:\s+one|\s+image)?\s*(\??)\s*$",
    re.IGNORECASE,
)


class Rewriter(Protocol):
    """Maps a candidate to an instruction, or ``None`` when it cannot."""

    name: str

    def __call__(self, candidate: Candidate) -> str | None: ...


class RewriteError(Act2AnswerError):
    """The LLM endpoint could not be used."""


def content_words(text: str) -> set[str]:
    """Lower-case content words (stop words and question words removed), 4-letter stems."""
    words = re.findall(r"[a-z0-9]+(?:'[a-z]+)?", text.lower())
    return {word[:4] for word in words if word not in _STOP and len(word) > 2}


def leak_reason(instruction: str, candidate: Candidate) -> str | None:
    """Why ``instruction`` is unusable for ``candidate``, or ``None`` when it passes.

    Rejected: not starting with "put the cube on"; naming a position or "the
    correct answer" (unless the question itself uses that word, e.g. "points
    left"); naming the distractor's label; keeping under half of the
    question's content words (or not naming the correct label, for
    label-style items).
    """
    text = instruction.strip()
    if not text.lower().startswith(PREFIX):
        return f"does not start with {PREFIX!r}"
    question = _LEFT_OR_RIGHT.sub("", candidate.question)
    question_words = {w.lower() for w in re.findall(r"[A-Za-z0-9]+", question)}
    for match in _POSITION.finditer(text):
        if match.group(1).lower() not in question_words:
            return f"names a position or the answer itself ({match.group(0)!r})"
    said = content_words(text)
    if candidate.wrong_label and content_words(candidate.wrong_label) <= said and not (
        content_words(candidate.wrong_label) <= content_words(candidate.correct_label)
    ):
        return f"names the distractor {candidate.wrong_label!r}"
    if candidate.correct_label:
        if not content_words(candidate.correct_label) <= said:
            return f"drops the answer {candidate.correct_label!r}"
        return None
    needed = content_words(question)
    if needed and len(needed & said) * 2 < len(needed):
        return f"drops the question's content ({', '.join(sorted(needed - said))})"
    return None


def _the(label: str) -> str:
    """'the giraffe', but 'Tom Cruise' and 'a stop sign' stay as they are."""
    if label[:1].isupper() or label.lower().startswith(("the ", "a ", "an ")):
        return label
    return f"the {label}"


class TemplateRewriter:
    """Deterministic templates: per category for labelled items, question patterns otherwise."""

    name = "template"

    def __call__(self, candidate: Candidate) -> str | None:
        label = candidate.correct_label.strip()
        if label:
            if candidate.category == "Color":
                return f"{PREFIX} the {label.lower()} tile"
            if candidate.category in _SIGN_CATEGORIES and "sign" not in label.lower():
                return f"{PREFIX} the {label} sign"
            return f"{PREFIX} {_the(label)}"
        question = _LEFT_OR_RIGHT.sub(r"\1", " ".join(candidate.question.split()))
        if match := _WHICH.match(question):
            noun, verb, rest = match.groups()
            return " ".join(f"{PREFIX} the {noun.lower()} that {verb.lower()} {rest}".split())
        if match := _SELECT.match(question):
            return f"{PREFIX} {match.group(1)}"
        return None


class LLMRewriter:
    """Rewrites through an OpenAI-compatible chat endpoint, cached on disk by request.

    Args:
        base_url: e.g. ``http://localhost:8000/v1`` (vLLM, SGLang, OpenAI...).
        model: Model name sent with each request.
        cache_path: JSON-lines cache; a request seen before is never sent again.
        api_key: Bearer token (default: ``$OPENAI_API_KEY``, none if unset).
        timeout_s: Per-request timeout.
    """

    def __init__(
        self,
        base_url: str,
        model: str,
        cache_path: Path,
        *,
        api_key: str | None = None,
        timeout_s: float = 60.0,
    ) -> None:
        self.name = f"llm:{model}"
        self.url = base_url.rstrip("/") + "/chat/completions"
        self.model = model
        self.cache_path = Path(cache_path)
        self.api_key = api_key if api_key is not None else os.environ.get("OPENAI_API_KEY")
        self.timeout_s = timeout_s
        self.requests_sent = 0
        self._cache: dict[str, str] = {}
        if self.cache_path.is_file():
            for line in self.cache_path.read_text(encoding="utf-8").splitlines():
                try:
                    entry = json.loads(line)
                    self._cache[entry["key"]] = entry["text"]
                except (json.JSONDecodeError, KeyError, TypeError):
                    continue  # a torn last line from a killed run

    def messages(self, candidate: Candidate) -> list[dict[str, str]]:
        facts = [f"Category: {candidate.category}", f"Question: {candidate.question}"]
        if candidate.correct_label:
            facts.append(f"The correct image shows: {candidate.correct_label}")
        return [
            {
                "role": "system",
                "content": (
                    "Rewrite a question about two images into one instruction for a robot "
                    f"that starts with '{PREFIX}'. Keep every detail needed to pick the "
                    "right image. Never mention left, right, first, second, or which image "
                    "is correct. Reply with the instruction only."
                ),
            },
            {"role": "user", "content": "\n".join(facts)},
        ]

    def __call__(self, candidate: Candidate) -> str | None:
        messages = self.messages(candidate)
        key = hashlib.sha256(
            json.dumps([self.model, messages], sort_keys=True).encode()
        ).hexdigest()
        if key not in self._cache:
            text = self._post(messages)
            self._cache[key] = text
            self.cache_path.parent.mkdir(parents=True, exist_ok=True)
            with self.cache_path.open("a", encoding="utf-8") as handle:
                handle.write(json.dumps({"key": key, "text": text}) + "\n")
        text = self._cache[key].strip().strip('"').strip()
        return text.rstrip(".") or None

    def _post(self, messages: list[dict[str, str]]) -> str:
        body = json.dumps(
            {"model": self.model, "messages": messages, "temperature": 0, "max_tokens": 64}
        ).encode()
        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        request = urllib.request.Request(self.url, data=body, headers=headers, method="POST")
        self.requests_sent += 1
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
                reply = json.loads(response.read(1 << 20))
            return str(reply["choices"][0]["message"]["content"])
        except urllib.error.HTTPError as exc:
            raise RewriteError(f"LLM endpoint {self.url}: HTTP {exc.code} {exc.reason}") from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise RewriteError(f"LLM endpoint {self.url}: {reason}") from None
        except (json.JSONDecodeError, KeyError, IndexError, TypeError):
            raise RewriteError(f"LLM endpoint {self.url}: reply is not a chat completion") from None


def rewrite(candidate: Candidate, rewriters: list[Rewriter]) -> tuple[str, str] | str:
    """The first guarded instruction from ``rewriters``: ``(instruction, by)``,
    or the reason the last one was refused."""
    reason = "no template fits"
    for rewriter in rewriters:
        instruction = rewriter(candidate)
        if instruction is None:
            continue
        problem = leak_reason(instruction, candidate)
        if problem is None:
            return instruction, rewriter.name
        reason = problem
    return reason
