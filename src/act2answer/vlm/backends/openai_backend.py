"""Any OpenAI-compatible server (vLLM, SGLang...): ``POST /v1/chat/completions``.

Each question is one request: the images as ``data:image/png;base64`` URLs,
then the prompt; ``max_tokens`` small, ``temperature`` 0, ``logprobs`` on with
``top_logprobs``. The letter scores come from the first generated token's
``top_logprobs``; when the server returns none (or neither letter is among
them) the letter is parsed from the generated text and the answer records the
``text`` method. Requests are retried on connection errors, timeouts, 429 and
5xx with exponential back-off; a question that still fails is returned as an
error and the run goes on. Only the standard library is used.
"""

from __future__ import annotations

import base64
import io
import json
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
from PIL import Image

from act2answer.vlm.backends.base import VLMQuestion
from act2answer.vlm.scoring import LetterScores, ScoreMethod, scores_from_top_logprobs

_RETRY_STATUS = {408, 409, 429, 500, 502, 503, 504}


def image_data_url(image: np.ndarray) -> str:
    """A PNG data URL of an ``(H, W, 3)`` uint8 image."""
    buffer = io.BytesIO()
    Image.fromarray(np.asarray(image, dtype=np.uint8)).save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


class OpenAIBackend:
    """Client of an OpenAI-compatible chat-completions server.

    Args:
        model: The served model name.
        base_url: Server address, with or without the trailing ``/v1``.
        api_key: Sent as ``Authorization: Bearer``; never stored with the run.
        timeout_s: Per-request timeout.
        retries: Extra attempts after a retryable failure.
        backoff_s: First back-off delay (doubles each retry).
        concurrency: Requests in flight at once.
        top_logprobs: How many alternatives the server returns (vLLM allows up to 20).
        max_tokens: Tokens generated (the letter is the first; the rest helps text parsing).
        logprobs: Ask for log-probabilities; turn off for servers that refuse them
            (``transformers serve`` does), and every answer is read from text.
    """

    def __init__(
        self,
        model: str,
        *,
        base_url: str = "http://127.0.0.1:8000/v1",
        api_key: str | None = None,
        timeout_s: float = 60.0,
        retries: int = 3,
        backoff_s: float = 1.0,
        concurrency: int = 8,
        top_logprobs: int = 20,
        max_tokens: int = 8,
        logprobs: bool = True,
    ) -> None:
        self.model = model
        root = base_url.rstrip("/")
        self.url = (root if root.endswith("/v1") else root + "/v1") + "/chat/completions"
        self.api_key = api_key
        self.timeout_s = timeout_s
        self.retries = retries
        self.backoff_s = backoff_s
        self.top_logprobs = top_logprobs
        self.max_tokens = max_tokens
        self.logprobs = logprobs
        self._pool = ThreadPoolExecutor(max_workers=max(1, concurrency))

    def answer(self, questions: Sequence[VLMQuestion]) -> list[LetterScores]:
        return list(self._pool.map(self._answer_one, questions))

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    def request_body(self, question: VLMQuestion) -> dict[str, Any]:
        """The JSON body of one question."""
        content: list[dict[str, Any]] = [
            {"type": "image_url", "image_url": {"url": image_data_url(image)}}
            for image in question.images
        ]
        content.append({"type": "text", "text": question.prompt})
        body: dict[str, Any] = {
            "model": self.model,
            "messages": [{"role": "user", "content": content}],
            "max_tokens": self.max_tokens,
            "temperature": 0.0,
        }
        if self.logprobs:
            body.update(logprobs=True, top_logprobs=self.top_logprobs)
        return body

    def _answer_one(self, question: VLMQuestion) -> LetterScores:
        try:
            reply = self._post(self.request_body(question))
            return parse_reply(reply)
        except Exception as exc:  # one failed question is recorded, never fatal
            return LetterScores(None, None, ScoreMethod.NONE, error=f"{type(exc).__name__}: {exc}")

    def _post(self, body: dict[str, Any]) -> dict[str, Any]:
        data = json.dumps(body).encode()
        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        delay = self.backoff_s
        for attempt in range(self.retries + 1):
            request = urllib.request.Request(self.url, data=data, headers=headers, method="POST")
            try:
                with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
                    return json.loads(response.read())
            except urllib.error.HTTPError as exc:
                detail = exc.read()[:300].decode(errors="replace")
                if exc.code not in _RETRY_STATUS or attempt == self.retries:
                    raise ServerError(f"HTTP {exc.code} from {self.url}: {detail}") from None
            except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
                if attempt == self.retries:
                    reason = getattr(exc, "reason", exc)
                    raise ServerError(
                        f"{self.url} unreachable after {attempt + 1} attempts: {reason}"
                    ) from None
            time.sleep(delay)
            delay *= 2
        raise AssertionError("unreachable")


class ServerError(RuntimeError):
    """The server refused, failed or did not answer in time."""


def parse_reply(reply: dict[str, Any]) -> LetterScores:
    """Letter scores from a chat-completions reply (log-probabilities first, then text).

    Raises:
        ServerError: the reply is not a chat completion.
    """
    try:
        choice = reply["choices"][0]
        text = choice["message"].get("content") or ""
    except (KeyError, IndexError, TypeError, AttributeError):
        raise ServerError(f"not a chat completion: {json.dumps(reply)[:300]}") from None
    content = (choice.get("logprobs") or {}).get("content") or []
    if content:
        top = content[0].get("top_logprobs") or []
        score_a, score_b = scores_from_top_logprobs(top)
        if score_a is not None or score_b is not None:
            return LetterScores(score_a, score_b, ScoreMethod.LOGPROBS, text=text)
    return LetterScores(None, None, ScoreMethod.TEXT, text=text)
