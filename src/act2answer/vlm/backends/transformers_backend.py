"""Hugging Face ``transformers`` in process: AutoProcessor + image-text-to-text models.

Covers the study's transformers-native families (Qwen2.5-VL, Qwen3-VL,
InternVL3.5 ``-hf`` checkpoints, PaliGemma, LLaVA and the like): the prompt goes
through the processor's chat template when it has one (images first, then the
text), or, when it has none, as one image token per image followed by the text
(PaliGemma's format; its processor adds the rest). Batches are padded on the
left, so the last position of every row is where the first answer token is
predicted. The letter is read from that position's log-softmax; a tokenizer
that cannot spell "A" and "B" as single tokens falls back to greedy generation
and text parsing (recorded).

Needs the ``vlm`` extra: ``pip install 'act2answer[vlm]'``.
"""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import Sequence
from typing import Any

import numpy as np

from act2answer.errors import Act2AnswerError
from act2answer.vlm.backends.base import VLMQuestion
from act2answer.vlm.scoring import (
    LetterScores,
    ScoreMethod,
    letter_token_ids,
    scores_from_logprobs,
)

_DTYPES = ("auto", "bfloat16", "float16", "float32")


class TransformersBackend:
    """A VLM loaded with ``AutoProcessor`` and ``AutoModelForImageTextToText``.

    Args:
        model: Hugging Face id or local folder.
        dtype: ``auto``, ``bfloat16``, ``float16`` or ``float32``.
        device: ``auto`` (CUDA when available), ``cpu``, ``cuda``, ``cuda:1``...
        trust_remote_code: Passed to ``from_pretrained`` (off by default).
        max_new_tokens: Tokens generated on the text fallback path.
        processor: A ready processor (tests, custom set-ups) instead of loading one.
        model_object: A ready model instead of loading one.
    """

    def __init__(
        self,
        model: str,
        *,
        dtype: str = "auto",
        device: str = "auto",
        trust_remote_code: bool = False,
        max_new_tokens: int = 8,
        processor: Any = None,
        model_object: Any = None,
    ) -> None:
        try:
            import torch
            from transformers import AutoModelForImageTextToText, AutoProcessor
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise Act2AnswerError(
                "the transformers backend needs the vlm extra "
                f"(pip install 'act2answer[vlm]'): {exc}"
            ) from None
        # torch imports triton lazily; triton's bundled LLVM segfaults when loaded after
        # Mesa's (software EGL, loaded by the first rendered frame). Load it first.
        with contextlib.suppress(ImportError):
            import triton  # noqa: F401
        if dtype not in _DTYPES:
            raise Act2AnswerError(f"dtype must be one of {_DTYPES}, not {dtype!r}")
        self._torch = torch
        if device == "auto":
            device = "cuda" if torch.cuda.is_available() else "cpu"
        self.device = torch.device(device)
        self.max_new_tokens = max_new_tokens
        self.processor = processor or AutoProcessor.from_pretrained(
            model, trust_remote_code=trust_remote_code
        )
        torch_dtype = "auto" if dtype == "auto" else getattr(torch, dtype)
        self.model = model_object or AutoModelForImageTextToText.from_pretrained(
            model, dtype=torch_dtype, trust_remote_code=trust_remote_code
        )
        self.model.to(self.device).eval()
        self.tokenizer = getattr(self.processor, "tokenizer", self.processor)
        self.tokenizer.padding_side = "left"
        if self.tokenizer.pad_token is None:
            self.tokenizer.pad_token = self.tokenizer.eos_token
        self.letter_tokens = letter_token_ids(self.tokenizer)

    def prompt_text(self, question: VLMQuestion) -> str:
        """The model-specific text of one question (chat template when the processor has one)."""
        if getattr(self.processor, "chat_template", None):
            content: list[dict[str, str]] = [{"type": "image"} for _ in question.images]
            content.append({"type": "text", "text": question.prompt})
            messages = [{"role": "user", "content": content}]
            return str(
                self.processor.apply_chat_template(
                    messages, add_generation_prompt=True, tokenize=False
                )
            )
        image_token = getattr(self.processor, "image_token", None)
        if isinstance(image_token, str):
            return image_token * len(question.images) + question.prompt
        return question.prompt

    def _inputs(self, questions: Sequence[VLMQuestion]) -> Any:
        from PIL import Image

        texts = [self.prompt_text(q) for q in questions]
        images = [
            [Image.fromarray(np.asarray(im, dtype=np.uint8)) for im in q.images] for q in questions
        ]
        inputs = self.processor(text=texts, images=images, return_tensors="pt", padding=True)
        inputs.pop("labels", None)  # PaliGemma's processor adds labels; no loss is wanted
        return inputs.to(self.device)

    def answer(self, questions: Sequence[VLMQuestion]) -> list[LetterScores]:
        if not questions:
            return []
        torch = self._torch
        inputs = self._inputs(questions)
        if not self.letter_tokens.usable:
            return self._generate(inputs)
        extra = {}
        if "logits_to_keep" in inspect.signature(self.model.forward).parameters:
            extra["logits_to_keep"] = 1  # only the last position: no (B, T, vocab) tensor
        with torch.inference_mode():
            logits = self.model(**inputs, **extra).logits[:, -1, :]
        logprobs = torch.log_softmax(logits.float(), dim=-1).cpu().numpy()
        return [scores_from_logprobs(row, self.letter_tokens) for row in logprobs]

    def _generate(self, inputs: Any) -> list[LetterScores]:
        with self._torch.inference_mode():
            generated = self.model.generate(
                **inputs, max_new_tokens=self.max_new_tokens, do_sample=False
            )
        new_tokens = generated[:, inputs["input_ids"].shape[1] :]
        texts = self.tokenizer.batch_decode(new_tokens, skip_special_tokens=True)
        return [LetterScores(None, None, ScoreMethod.TEXT, text=text) for text in texts]

    def close(self) -> None:
        self.model = None
