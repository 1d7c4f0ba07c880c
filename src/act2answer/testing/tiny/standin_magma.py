"""Stand-in for Magma's remote code: the documented signatures, a tiny body.

Loaded through ``AutoProcessor`` / ``AutoModelForCausalLM`` with
``trust_remote_code=True`` from a local folder, like ``microsoft/Magma-8B``
(its README and the reference study's wrapper: ``processor.tokenizer.apply_chat_template``,
``processor(images=..., texts=..., return_tensors="pt")`` giving ``pixel_values``
and ``image_sizes``, ``model.generate(**inputs, ...)`` ending with 7 action
tokens and EOS; ``config.mm_use_image_start_end``). Records the prompt string,
pixel shapes and generation arguments.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import torch
from transformers import BatchFeature, PretrainedConfig, PreTrainedModel

VOCAB = 32000
EOS = 2
PAD = 0


class StandInConfig(PretrainedConfig):
    model_type = "magma_standin"

    def __init__(self, mm_use_image_start_end: bool = True, **kwargs: Any):
        self.mm_use_image_start_end = mm_use_image_start_end
        super().__init__(**kwargs)


class StandInTokenizer:
    vocab_size = VOCAB
    eos_token_id = EOS
    pad_token_id = PAD

    def apply_chat_template(
        self, conversation: list[dict], tokenize: bool = False, add_generation_prompt: bool = False
    ) -> str:
        text = "".join(f"<|{turn['role']}|>{turn['content']}<|end|>" for turn in conversation)
        return text + ("<|assistant|>" if add_generation_prompt else "")


class StandInProcessor:
    calls: ClassVar[list[dict[str, Any]]] = []

    def __init__(self) -> None:
        self.tokenizer = StandInTokenizer()

    @classmethod
    def register_for_auto_class(cls, auto_class: str = "AutoProcessor") -> None:
        """AutoProcessor calls this on remote processors (ProcessorMixin has it)."""

    @classmethod
    def from_pretrained(cls, path: str, **kwargs: Any) -> StandInProcessor:
        return cls()

    def __call__(self, images: list, texts: str, return_tensors: str = "pt") -> BatchFeature:
        StandInProcessor.calls.append({"prompt": texts, "image_size": images[0].size})
        pixels = torch.from_numpy(np.asarray(images[0], dtype=np.float32) / 255.0).permute(2, 0, 1)
        ids = torch.tensor([list(texts.encode())], dtype=torch.long)
        return BatchFeature(
            {
                "input_ids": ids,
                "attention_mask": torch.ones_like(ids),
                "pixel_values": pixels[None],
                "image_sizes": torch.tensor([[images[0].size[1], images[0].size[0]]]),
            }
        )


class StandInModel(PreTrainedModel):
    config_class = StandInConfig
    calls: ClassVar[list[dict[str, Any]]] = []

    def __init__(self, config: StandInConfig) -> None:
        super().__init__(config)
        self.scale = torch.nn.Linear(1, 1)
        self.post_init()

    def _init_weights(self, module: torch.nn.Module) -> None:
        return None

    def generate(
        self, input_ids: torch.Tensor, pixel_values: torch.Tensor, **kwargs: Any
    ) -> torch.Tensor:
        StandInModel.calls.append(
            {
                "pixel_shape": tuple(pixel_values.shape),
                "image_sizes_shape": tuple(kwargs["image_sizes"].shape),
                "kwargs": {k: v for k, v in kwargs.items() if not torch.is_tensor(v)},
            }
        )
        if kwargs.get("do_sample"):
            level = int(torch.randint(0, 255, (1,)).item())
        else:
            level = int(pixel_values.float().mean().item() * 254)
        bins = torch.tensor([level, 254 - level, 127, 128, 0, 254, level])
        action = VOCAB - 1 - bins
        tail = torch.tensor([EOS, PAD, PAD])
        return torch.cat([input_ids[0], action, tail])[None]
