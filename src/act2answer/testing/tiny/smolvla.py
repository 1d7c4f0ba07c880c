"""A tiny randomly initialised SmolVLA built offline (LeRobot's real classes).

``SmolVLAConfig.vlm_model_name`` names a hub VLM, and SmolVLA calls
``AutoConfig.from_pretrained`` / ``AutoProcessor.from_pretrained`` on it even
without loading its weights. So this module writes a local VLM folder: a tiny
``SmolVLMConfig`` (2-layer, 64-wide llama text model, 32-wide vision tower),
a word-level tokenizer trained on a few sentences with the image tokens
SmolVLA reads (``fake_image_token_id``, ``global_image_token_id``) and a
``SmolVLMProcessor`` whose image processor neither resizes nor splits. The
policy (about 0.4 M parameters) is saved with ``save_pretrained`` together
with its pre/post processors built from made-up dataset statistics, so the
adapter loads it exactly like a hub checkpoint.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

IMAGE_SIZE = 64
STATE_DIM = 7
ACTION_DIM = 7
CHUNK = 8
CAMERA_KEY = "observation.images.image"
_SENTENCES = [
    "put the cube on the red patch",
    "put the cube on the clock that shows half past three",
    "which animal is alive",
    "move the block to the left tile",
]
_SPECIAL = {
    "fake_image_token": "<fake_token_around_image>",
    "image_token": "<image>",
    "global_image_token": "<global-img>",
    "end_of_utterance_token": "<end_of_utterance>",
}


def tiny_smolvla_config(
    vlm: Path,
    *,
    input_features: dict[str, Any],
    output_features: dict[str, Any],
    chunk: int,
    image_size: int,
    pad_language_to: str = "max_length",
) -> Any:
    """A two-layer SmolVLA config over the tiny VLM folder ``vlm`` (CPU, random VLM weights)."""
    from lerobot.policies.smolvla.configuration_smolvla import SmolVLAConfig

    return SmolVLAConfig(
        vlm_model_name=str(vlm),
        load_vlm_weights=False,
        input_features=input_features,
        output_features=output_features,
        chunk_size=chunk,
        n_action_steps=chunk,
        num_steps=2,
        num_vlm_layers=2,
        resize_imgs_with_padding=(image_size, image_size),
        max_state_dim=16,
        max_action_dim=16,
        tokenizer_max_length=24,
        pad_language_to=pad_language_to,
        device="cpu",
    )


def write_tiny_vlm(
    folder: Path,
    *,
    sentences: list[str] | None = None,
    image_size: int = IMAGE_SIZE,
    patch_size: int = 16,
    width: int = 64,
    layers: int = 2,
    heads: int = 4,
    vision_width: int = 32,
    vision_layers: int = 1,
) -> None:
    """Write a local SmolVLM folder (config, word-level tokenizer, processor), no weights.

    Args:
        folder: Where to write it.
        sentences: Texts the word-level vocabulary is built from (words outside it
            become ``<unk>``: give the training instructions); default a few
            instructions.
        image_size: Side of the square image the vision tower takes.
        patch_size: Vision patch side (``image_size / patch_size`` must be even:
            the connector's pixel shuffle merges 2x2 patches into one token).
        width: Hidden size of the llama text model (the action expert is 0.75x).
        layers: Text model layers (SmolVLA's ``num_vlm_layers`` uses all of them).
        heads: Attention heads of the text model (key/value heads: half).
        vision_width: Hidden size of the vision tower.
        vision_layers: Vision tower layers.
    """
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers
    from transformers import (
        PreTrainedTokenizerFast,
        SmolVLMConfig,
        SmolVLMImageProcessor,
        SmolVLMProcessor,
        SmolVLMVideoProcessor,
    )

    folder.mkdir(parents=True, exist_ok=True)
    specials = ["<unk>", "<pad>", "<s>", "</s>", *_SPECIAL.values(), "<row_1_col_1>"]
    tokenizer = Tokenizer(models.WordLevel(unk_token="<unk>"))
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    tokenizer.train_from_iterator(
        sentences or _SENTENCES, trainers.WordLevelTrainer(special_tokens=specials)
    )
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tokenizer,
        unk_token="<unk>",
        pad_token="<pad>",
        bos_token="<s>",
        eos_token="</s>",
        extra_special_tokens=_SPECIAL,
    )
    fast.save_pretrained(folder)
    vocab_size = len(fast)
    config = SmolVLMConfig(
        text_config={
            "model_type": "llama",
            "vocab_size": vocab_size,
            "hidden_size": width,
            "intermediate_size": 2 * width,
            "num_hidden_layers": layers,
            "num_attention_heads": heads,
            "num_key_value_heads": max(1, heads // 2),
            "head_dim": width // heads,
            "max_position_embeddings": 512,
            "pad_token_id": fast.pad_token_id,
        },
        vision_config={
            "hidden_size": vision_width,
            "intermediate_size": 2 * vision_width,
            "num_hidden_layers": vision_layers,
            "num_attention_heads": 2,
            "image_size": image_size,
            "patch_size": patch_size,
        },
        scale_factor=2,
        image_token_id=fast.convert_tokens_to_ids(_SPECIAL["image_token"]),
        vocab_size=vocab_size,
        pad_token_id=fast.pad_token_id,
    )
    config.save_pretrained(folder)
    image_processor = SmolVLMImageProcessor(
        do_resize=False,
        do_image_splitting=False,
        max_image_size={"longest_edge": image_size},
        size={"longest_edge": image_size},
    )
    video_processor = SmolVLMVideoProcessor(do_resize=False, do_image_splitting=False)
    processor = SmolVLMProcessor(
        image_processor=image_processor,
        tokenizer=fast,
        video_processor=video_processor,
        image_seq_len=(image_size // patch_size // 2) ** 2,
    )
    processor.save_pretrained(folder)


def build_tiny_smolvla(
    folder: Path | str,
    seed: int = 0,
    *,
    pad_language_to: str = "max_length",
    camera_keys: tuple[str, ...] = (CAMERA_KEY,),
) -> Path:
    """Write a tiny SmolVLA checkpoint folder (policy + processors) and return its path.

    ``pad_language_to="longest"`` is LeRobot's default (``configuration_smolvla.py``);
    ``camera_keys`` ``("observation.images.image", "observation.images.image2")`` is the
    LeRobot LIBERO layout.
    """
    import torch
    from lerobot.configs.types import FeatureType, PolicyFeature
    from lerobot.policies.factory import make_pre_post_processors
    from lerobot.policies.smolvla.modeling_smolvla import SmolVLAPolicy

    folder = Path(folder)
    vlm = folder / "vlm"
    write_tiny_vlm(vlm)
    config = tiny_smolvla_config(
        vlm,
        input_features={
            **{
                key: PolicyFeature(type=FeatureType.VISUAL, shape=(3, IMAGE_SIZE, IMAGE_SIZE))
                for key in camera_keys
            },
            "observation.state": PolicyFeature(type=FeatureType.STATE, shape=(STATE_DIM,)),
        },
        output_features={"action": PolicyFeature(type=FeatureType.ACTION, shape=(ACTION_DIM,))},
        chunk=CHUNK,
        image_size=IMAGE_SIZE,
        # Every batch has the same token length, so a row's actions do not depend on
        # the instructions of its batch mates (with "longest", padding changes the
        # rounding of the attention and results drift by micrometres per episode).
        pad_language_to=pad_language_to,
    )
    torch.manual_seed(seed)
    policy = SmolVLAPolicy(config)
    stats = {
        "observation.state": {"mean": torch.zeros(STATE_DIM), "std": torch.full((STATE_DIM,), 0.5)},
        "action": {
            "mean": torch.zeros(ACTION_DIM),
            "std": torch.tensor([0.01, 0.01, 0.01, 0.05, 0.05, 0.05, 1.0]),
        },
    }
    preprocessor, postprocessor = make_pre_post_processors(config, dataset_stats=stats)
    policy.save_pretrained(folder)
    preprocessor.save_pretrained(folder)
    postprocessor.save_pretrained(folder)
    return folder
