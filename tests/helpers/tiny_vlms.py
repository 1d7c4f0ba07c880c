"""Tiny randomly initialised VLMs of real transformers classes, built offline.

Each builder trains a small byte-level BPE tokenizer with the family's special
tokens, builds the family's real processor and model classes from config
objects (64-wide, 2-layer text model; 32-wide vision tower; tiny images), and
saves both to a folder that ``AutoProcessor`` / ``AutoModelForImageTextToText``
load like a downloaded checkpoint. Nothing is downloaded.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

CORPUS = [
    "The image shows a table with two pictures lying on it, one on the left and one on "
    "the right. Two pictures are shown, the first image and then the second image. "
    "Question: Which patch is red? Which patch is blue? Which patch is green? "
    "A. the picture on the left B. the picture on the right A. the first image "
    "B. the second image Answer with the option's letter from the given choices directly. "
    "user assistant system A B A B put the cube on the patch"
] * 20

TEXT = {
    "hidden_size": 64,
    "intermediate_size": 128,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "max_position_embeddings": 4096,
}

QWEN_TEMPLATE = (
    "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{% for c in m['content'] %}"
    "{% if c['type'] == 'image' %}<|vision_start|><|image_pad|><|vision_end|>"
    "{% else %}{{ c['text'] }}{% endif %}{% endfor %}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)
INTERNVL_TEMPLATE = QWEN_TEMPLATE.replace(
    "<|vision_start|><|image_pad|><|vision_end|>", "<IMG_CONTEXT>\n"
)
LLAVA_TEMPLATE = (
    "{% for m in messages %}{{ m['role'].upper() }}: {% for c in m['content'] %}"
    "{% if c['type'] == 'image' %}<image>\n{% else %}{{ c['text'] }}{% endif %}"
    "{% endfor %}{{ '\\n' }}{% endfor %}{% if add_generation_prompt %}ASSISTANT:{% endif %}"
)


def _tokenizer(specials: list[str], **kwargs: object):
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=400,
        special_tokens=specials,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
    )
    tokenizer.train_from_iterator(CORPUS, trainer)
    return PreTrainedTokenizerFast(tokenizer_object=tokenizer, **kwargs)


def _ids(tokenizer, names: list[str]) -> dict[str, int]:
    return {name: tokenizer.convert_tokens_to_ids(name) for name in names}


QWEN_SPECIALS = [
    "<|endoftext|>",
    "<|im_start|>",
    "<|im_end|>",
    "<|vision_start|>",
    "<|vision_end|>",
    "<|image_pad|>",
    "<|video_pad|>",
]


def _qwen_parts(processor_class, video_processor, patch_size: int):
    """Tokenizer, processor and special-token ids shared by the Qwen-VL families."""
    from transformers import Qwen2VLImageProcessor

    tokenizer = _tokenizer(QWEN_SPECIALS, eos_token="<|im_end|>", pad_token="<|endoftext|>")
    pixels = (2 * patch_size) ** 2 * 4  # a 2x2 grid of merged patches: 4 image tokens
    processor = processor_class(
        image_processor=Qwen2VLImageProcessor(
            min_pixels=pixels, max_pixels=pixels, patch_size=patch_size, merge_size=2
        ),
        tokenizer=tokenizer,
        video_processor=video_processor,
        chat_template=QWEN_TEMPLATE,
    )
    ids = _ids(tokenizer, QWEN_SPECIALS)
    tokens = {
        "image_token_id": ids["<|image_pad|>"],
        "video_token_id": ids["<|video_pad|>"],
        "vision_start_token_id": ids["<|vision_start|>"],
        "vision_end_token_id": ids["<|vision_end|>"],
    }
    text = {
        **TEXT,
        "vocab_size": len(tokenizer),
        "bos_token_id": ids["<|endoftext|>"],
        "eos_token_id": ids["<|im_end|>"],
    }
    vision = {
        "depth": 2,
        "hidden_size": 32,
        "intermediate_size": 64,
        "num_heads": 2,
        "out_hidden_size": 64,
        "patch_size": patch_size,
        "spatial_merge_size": 2,
        "temporal_patch_size": 2,
    }
    return processor, tokens, text, vision


def build_qwen2_5_vl(folder: Path) -> None:
    from transformers import (
        Qwen2_5_VLConfig,
        Qwen2_5_VLForConditionalGeneration,
        Qwen2_5_VLProcessor,
        Qwen2VLVideoProcessor,
    )

    processor, tokens, text, vision = _qwen_parts(
        Qwen2_5_VLProcessor, Qwen2VLVideoProcessor(), patch_size=14
    )
    config = Qwen2_5_VLConfig(
        text_config={
            **text,
            "rope_scaling": {"type": "mrope", "rope_type": "default", "mrope_section": [2, 2, 4]},
        },
        vision_config={**vision, "window_size": 56, "fullatt_block_indexes": [1]},
        **tokens,
    )
    _save(Qwen2_5_VLForConditionalGeneration(config), processor, folder)


def build_qwen3_vl(folder: Path) -> None:
    from transformers import (
        Qwen3VLConfig,
        Qwen3VLForConditionalGeneration,
        Qwen3VLProcessor,
        Qwen3VLVideoProcessor,
    )

    processor, tokens, text, vision = _qwen_parts(
        Qwen3VLProcessor, Qwen3VLVideoProcessor(), patch_size=16
    )
    config = Qwen3VLConfig(
        text_config={
            **text,
            "head_dim": 16,
            "rope_parameters": {
                "rope_type": "default",
                "rope_theta": 10000.0,
                "mrope_section": [2, 3, 3],
                "mrope_interleaved": True,
            },
        },
        vision_config={**vision, "num_position_embeddings": 16, "deepstack_visual_indexes": [0]},
        **tokens,
    )
    _save(Qwen3VLForConditionalGeneration(config), processor, folder)


def build_internvl(folder: Path) -> None:
    from transformers import (
        GotOcr2ImageProcessor,
        InternVLConfig,
        InternVLForConditionalGeneration,
        InternVLProcessor,
        InternVLVideoProcessor,
    )

    specials = [
        "<|endoftext|>",
        "<|im_start|>",
        "<|im_end|>",
        "<img>",
        "</img>",
        "<IMG_CONTEXT>",
        "<video>",
    ]
    tokenizer = _tokenizer(
        specials,
        eos_token="<|im_end|>",
        pad_token="<|endoftext|>",
        extra_special_tokens={
            "start_image_token": "<img>",
            "end_image_token": "</img>",
            "context_image_token": "<IMG_CONTEXT>",
            "video_token": "<video>",
        },
    )
    processor = InternVLProcessor(
        image_processor=GotOcr2ImageProcessor(
            size={"height": 28, "width": 28}, crop_to_patches=False
        ),
        tokenizer=tokenizer,
        video_processor=InternVLVideoProcessor(size={"height": 28, "width": 28}),
        image_seq_length=1,
        chat_template=INTERNVL_TEMPLATE,
    )
    ids = _ids(tokenizer, specials)
    config = InternVLConfig(
        vision_config={
            "hidden_size": 32,
            "num_hidden_layers": 2,
            "num_attention_heads": 2,
            "intermediate_size": 64,
            "image_size": [28, 28],
            "patch_size": [14, 14],
        },
        text_config={
            "model_type": "qwen2",
            **TEXT,
            "vocab_size": len(tokenizer),
            "bos_token_id": ids["<|endoftext|>"],
            "eos_token_id": ids["<|im_end|>"],
        },
        image_token_id=ids["<IMG_CONTEXT>"],
        image_seq_length=1,
        downsample_ratio=0.5,
    )
    _save(InternVLForConditionalGeneration(config), processor, folder)


def build_paligemma(folder: Path) -> None:
    from transformers import (
        PaliGemmaConfig,
        PaliGemmaForConditionalGeneration,
        PaliGemmaProcessor,
        SiglipImageProcessor,
    )

    specials = ["<pad>", "<eos>", "<bos>", "<image>"]
    tokenizer = _tokenizer(specials, bos_token="<bos>", eos_token="<eos>", pad_token="<pad>")
    image_processor = SiglipImageProcessor(size={"height": 28, "width": 28})
    image_processor.image_seq_length = 4
    processor = PaliGemmaProcessor(image_processor=image_processor, tokenizer=tokenizer)
    ids = _ids(tokenizer, specials)
    text = {**TEXT, "model_type": "gemma", "head_dim": 16, "vocab_size": len(tokenizer)}
    config = PaliGemmaConfig(
        vision_config={
            "model_type": "siglip_vision_model",
            "hidden_size": 32,
            "intermediate_size": 64,
            "num_hidden_layers": 2,
            "num_attention_heads": 2,
            "image_size": 28,
            "patch_size": 14,
            "projection_dim": 64,
        },
        text_config={
            **text,
            "bos_token_id": ids["<bos>"],
            "eos_token_id": ids["<eos>"],
            "pad_token_id": ids["<pad>"],
        },
        image_token_index=ids["<image>"],
        projection_dim=64,
        hidden_size=64,
        vocab_size=len(tokenizer),
    )
    _save(PaliGemmaForConditionalGeneration(config), processor, folder)


def build_llava(folder: Path) -> None:
    from transformers import (
        CLIPImageProcessor,
        LlavaConfig,
        LlavaForConditionalGeneration,
        LlavaProcessor,
    )

    specials = ["<unk>", "<s>", "</s>", "<image>"]
    tokenizer = _tokenizer(specials, bos_token="<s>", eos_token="</s>", pad_token="<unk>")
    processor = LlavaProcessor(
        image_processor=CLIPImageProcessor(
            size={"shortest_edge": 28}, crop_size={"height": 28, "width": 28}
        ),
        tokenizer=tokenizer,
        patch_size=14,
        vision_feature_select_strategy="default",
        num_additional_image_tokens=1,
        chat_template=LLAVA_TEMPLATE,
    )
    ids = _ids(tokenizer, specials)
    config = LlavaConfig(
        vision_config={
            "model_type": "clip_vision_model",
            "hidden_size": 32,
            "intermediate_size": 64,
            "num_hidden_layers": 2,
            "num_attention_heads": 2,
            "image_size": 28,
            "patch_size": 14,
            "projection_dim": 32,
        },
        text_config={
            "model_type": "llama",
            **TEXT,
            "vocab_size": len(tokenizer),
            "bos_token_id": ids["<s>"],
            "eos_token_id": ids["</s>"],
        },
        image_token_index=ids["<image>"],
        image_seq_length=4,
        vision_feature_select_strategy="default",
        vision_feature_layer=-1,
    )
    _save(LlavaForConditionalGeneration(config), processor, folder)


def _save(model, processor, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(folder)
    processor.save_pretrained(folder)


BUILDERS: dict[str, Callable[[Path], None]] = {
    "qwen2_5_vl": build_qwen2_5_vl,
    "qwen3_vl": build_qwen3_vl,
    "internvl": build_internvl,
    "paligemma": build_paligemma,
    "llava": build_llava,
}
