"""Stand-in for Magma's remote code: the documented signatures, a tiny body.

Loaded through ``AutoProcessor`` / ``AutoModelForCausalLM`` with
``trust_remote_code=True`` from a local folder, like ``microsoft/Magma-8B``
(its README and the reference study's wrapper: ``processor.tokenizer.apply_chat_template``,
``processor(images=..., texts=..., return_tensors="pt")`` giving ``pixel_values``
and ``image_sizes``, ``model.generate(**inputs, ...)`` ending with 7 action
tokens and EOS; ``config.mm_use_image_start_end``). Records the prompt string,
pixels and generation arguments.

The tokenizer renders Meta-Llama-3-Instruct's chat template (Magma-8B is built on
Llama-3-8B-Instruct; its ``special_tokens_map.json`` ends turns with ``<|eot_id|>``,
id 128009) with jinja2, as ``apply_chat_template`` does; ``vocab_size`` is the
128000 base tokens of a Llama-3 fast tokenizer. The vision tower holds one
ConvNeXt LayerScale parameter ``vision_tower.blocks.0.gamma``; :func:`write_checkpoint_names`
renames it ``...blocks.0.weight`` in the saved file, as in ``microsoft/Magma-8B``, so
only the adapter's remap restores its trained value (1.0; the init is 1e-5, and the
actions depend on it).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
from transformers import BatchFeature, PretrainedConfig

from ._standin import RecordingModel, RecordingProcessor, text_ids

VOCAB = 128000
EOS = 128009
PAD = 0
LAYERSCALE_INIT = 1e-5
#: Meta-Llama-3-8B-Instruct ``tokenizer_config.json`` chat template.
LLAMA3_CHAT_TEMPLATE = (
    "{% set loop_messages = messages %}{% for message in loop_messages %}"
    "{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n'"
    " + message['content'] | trim + '<|eot_id|>' %}"
    "{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}"
    "{{ content }}{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}"
    "{% endif %}"
)


class StandInConfig(PretrainedConfig):
    model_type = "magma_standin"

    def __init__(self, mm_use_image_start_end: bool = True, **kwargs: Any):
        self.mm_use_image_start_end = mm_use_image_start_end
        super().__init__(**kwargs)


class StandInTokenizer:
    vocab_size = VOCAB
    eos_token_id = EOS
    pad_token_id = PAD

    bos_token = "<|begin_of_text|>"

    def apply_chat_template(
        self, conversation: list[dict], tokenize: bool = False, add_generation_prompt: bool = False
    ) -> str:
        import jinja2

        template = jinja2.Environment(trim_blocks=True, lstrip_blocks=True).from_string(
            LLAMA3_CHAT_TEMPLATE
        )
        return template.render(
            messages=conversation,
            bos_token=self.bos_token,
            add_generation_prompt=add_generation_prompt,
        )


class StandInProcessor(RecordingProcessor):
    def __init__(self) -> None:
        self.tokenizer = StandInTokenizer()

    def __call__(self, images: list, texts: str, return_tensors: str = "pt") -> BatchFeature:
        pixels = self.record(images[0], {"prompt": texts, "image_size": images[0].size})
        ids = text_ids(texts)
        return BatchFeature(
            {
                "input_ids": ids,
                "attention_mask": torch.ones_like(ids),
                "pixel_values": pixels,
                "image_sizes": torch.tensor([[images[0].size[1], images[0].size[0]]]),
            }
        )


class StandInModel(RecordingModel):
    config_class = StandInConfig

    def add_modules(self) -> None:
        """The vision tower's one LayerScale parameter (see the module docstring)."""
        self.vision_tower = torch.nn.Module()
        self.vision_tower.blocks = torch.nn.ModuleList([torch.nn.Module()])
        self.vision_tower.blocks[0].gamma = torch.nn.Parameter(torch.full((1,), LAYERSCALE_INIT))

    def _init_weights(self, module: torch.nn.Module) -> None:
        gamma = getattr(module, "gamma", None)
        if isinstance(gamma, torch.nn.Parameter):
            with torch.no_grad():
                gamma.fill_(LAYERSCALE_INIT)

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
            # A collapsed LayerScale (1e-5) shrinks what the "tower" sees to ~0.
            gamma = float(self.vision_tower.blocks[0].gamma.float().item())
            level = int(pixel_values.float().mean().item() * gamma * 254)
        bins = torch.tensor([level, 254 - level, 127, 128, 0, 254, level])
        action = VOCAB - 1 - bins
        tail = torch.tensor([EOS, PAD, PAD])
        return torch.cat([input_ids[0], action, tail])[None]


def write_checkpoint_names(folder: Path) -> None:
    """Store the LayerScale as Magma-8B's checkpoint does: ``...blocks.N.weight``, trained 1.0."""
    from safetensors.torch import load_file, save_file

    for file in folder.glob("*.safetensors"):
        tensors = load_file(str(file))
        renamed = {}
        for key, tensor in tensors.items():
            if key.endswith(".gamma") and "vision_tower" in key:
                renamed[key[: -len("gamma")] + "weight"] = torch.ones_like(tensor)
            else:
                renamed[key] = tensor
        save_file(renamed, str(file), metadata={"format": "pt"})
