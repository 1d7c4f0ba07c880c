"""The lab's tiny models: a VLM backbone (text-modulated CNN + transformer) and a VLA on top.

:class:`TinyVLM` reads the camera frame (128 x 96) through two word-modulated
(FiLM) CNN paths: the whole frame area-pooled to 48 x 64 (a 12 x 16 feature
grid pooled into 6 x 8 image tokens) and the two tiles, cropped at their fixed
places in the reference camera's view at full resolution (one token each).
A "glimpse" of both paths (position-specific linear maps of the feature maps)
is added to the ``<answer>`` token, and a pre-norm transformer encoder runs
over image and text tokens (``backbone.layers.N``). The answer letter is read
from the ``<answer>`` position through a head tied to the word embeddings,
like a language model's next-token head (letter scores are log-softmax values
over the vocabulary); a side head there is trained as an auxiliary target
(which tile is the named one). A first version (a ViT-style 16 px patch
embedding, answer found by attention only) stayed at chance; the whole-frame
path alone learned Color but not all 11 categories together; see
``notes/2026-12-06-issue-21-lab-learning.md`` and
``notes/2026-12-06-issue-21-lab-models.md``.

:class:`TinyVLA` adds a small action expert (``expert.layers.N``, as SmolVLA
and pi0 have one): ``horizon`` learned action queries plus an embedding of the
proprioceptive state cross-attend to the backbone's output and a linear head
emits a chunk of normalised actions; the ``<answer>`` token's output (where the
backbone says the named tile is) is added to the queries. The VLM head stays attached, so the same
network answers VQA (co-training, the VLM probe of the backbone) and acts.

Needs torch (the ``vlm`` extra); import this module only where torch is wanted.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
import torch.nn.functional as functional
from torch import nn

from act2answer.interfaces import ACTION_DIM

#: Model input frame size (height, width): the reference camera's frame (128 x 96).
FRAME_HW = (96, 128)
#: Size (height, width) of the frame seen by the whole-frame path (area-pooled from the input).
GLOBAL_HW = (48, 64)
#: Where the two tiles lie in the reference scene's fixed camera view, as fractions of the
#: frame (top, bottom, left, right): the left tile, then the right one. Measured as the
#: pixels that vary across first frames of different items (see
#: ``notes/2026-12-06-issue-21-lab-models.md``).
TILE_BOXES = ((18 / 96, 42 / 96, 22 / 128, 62 / 128), (34 / 96, 67 / 96, 82 / 128, 125 / 128))
#: Size (height, width) each tile crop is resampled to.
TILE_HW = (24, 32)


@dataclass(frozen=True)
class ModelConfig:
    """Sizes of a lab model (stored in the checkpoint).

    Attributes:
        vocab_size: Words in the tokenizer.
        width: Token width.
        layers: Backbone transformer layers.
        heads: Attention heads.
        text_length: Text tokens (``<answer>`` included).
        expert_layers: Action expert layers (0: a VLM without action expert).
        horizon: Actions per predicted chunk.
    """

    vocab_size: int
    width: int = 128
    layers: int = 4
    heads: int = 4
    text_length: int = 48
    expert_layers: int = 2
    horizon: int = 4

    def to_dict(self) -> dict[str, int]:
        return asdict(self)


def _encoder_layer(width: int, heads: int) -> nn.TransformerEncoderLayer:
    return nn.TransformerEncoderLayer(
        width, heads, 4 * width, dropout=0.0, batch_first=True, norm_first=True, activation="gelu"
    )


class Backbone(nn.Module):
    """The transformer stack over image patches and text (the probed "prefix")."""

    def __init__(self, width: int, layers: int, heads: int) -> None:
        super().__init__()
        self.layers = nn.ModuleList(_encoder_layer(width, heads) for _ in range(layers))
        self.norm = nn.LayerNorm(width)

    def forward(self, tokens: torch.Tensor, padding: torch.Tensor) -> torch.Tensor:
        for layer in self.layers:
            tokens = layer(tokens, src_key_padding_mask=padding)
        return self.norm(tokens)


class TinyVLM(nn.Module):
    """Image tokens + words -> transformer -> letter (and side) at the ``<answer>`` position.

    Two image paths, both modulated by the words (FiLM: a per-channel scale and
    shift from the mean of a word embedding of their own), so the encoder can
    light up what the question names:

    * the whole frame, area-pooled to :data:`GLOBAL_HW`, through a two-layer
      strided CNN: a 12 x 16 grid pooled into 6 x 8 image tokens, and a
      ``glimpse`` (a position-specific linear map of the whole grid);
    * the two tiles, cropped at the input resolution from their fixed places in
      the reference camera's view (:data:`TILE_BOXES`) and resampled to
      :data:`TILE_HW`, through one shared three-layer CNN: one token per tile,
      and a ``tile_glimpse`` of both tiles' feature maps. At the whole frame's
      48 x 64 the left tile is about 15 x 8 pixels; the crops keep the camera's
      resolution (clock hands, dots, faces).

    Both glimpses are added to the ``<answer>`` token's input: they carry
    *where* the named thing lies, which attention from a single answer token
    otherwise finds only after many steps (the first version, a plain ViT-style
    patch embedding, stayed at chance).
    """

    pixel_mean: torch.Tensor

    def __init__(self, config: ModelConfig) -> None:
        super().__init__()
        self.config = config
        width = config.width
        self.stem_in = nn.Sequential(
            nn.Conv2d(3, 32, 3, stride=2, padding=1),
            nn.GELU(),
            nn.Conv2d(32, 32, 3, stride=2, padding=1),
        )
        self.film_embed = nn.Embedding(config.vocab_size, 32)
        self.film = nn.Linear(32, 2 * 32)
        self.stem_out = nn.Conv2d(32, width, 1)
        grid = (GLOBAL_HW[0] // 4) * (GLOBAL_HW[1] // 4)
        self.glimpse = nn.Linear(32 * grid, width)
        self.tile_in = nn.Sequential(
            nn.Conv2d(3, 24, 3, padding=1),
            nn.GELU(),
            nn.Conv2d(24, 32, 3, stride=2, padding=1),
        )
        self.tile_film = nn.Sequential(nn.Linear(32, 64), nn.GELU(), nn.Linear(64, 2 * 32))
        self.tile_out = nn.Sequential(nn.Conv2d(32, 32, 3, stride=2, padding=1), nn.GELU())
        tile_grid = 32 * (TILE_HW[0] // 4) * (TILE_HW[1] // 4)
        self.tile_token = nn.Linear(tile_grid, width)
        self.tile_glimpse = nn.Linear(2 * tile_grid, width)
        # Two-tower match of each tile with the question; the right-minus-left difference
        # is written along a learned direction of the <answer> token's input.
        self.tile_query = nn.Linear(32, width)
        self.match_direction = nn.Parameter(torch.randn(width))
        self.n_patches = grid // 4 + len(TILE_BOXES)  # grid tokens pooled 2 x 2, then tiles
        self.image_pos = nn.Parameter(torch.randn(1, self.n_patches, width) * 0.02)
        self.text_embed = nn.Embedding(config.vocab_size, width)
        nn.init.normal_(self.text_embed.weight, std=0.02)  # tied head: small initial logits
        self.text_pos = nn.Parameter(torch.randn(1, config.text_length, width) * 0.02)
        self.backbone = Backbone(width, config.layers, config.heads)
        self.side_head = nn.Linear(width, 2)
        self.register_buffer("pixel_mean", torch.tensor([0.5, 0.5, 0.5]).view(1, 3, 1, 1))

    @property
    def answer_index(self) -> int:
        """Token position of ``<answer>`` (right after the image tokens)."""
        return self.n_patches

    def question(self, text: torch.Tensor) -> torch.Tensor:
        """``(B, 32)``: mean FiLM embedding of the words (padding left out)."""
        present = (text != 0).float()[..., None]
        return (self.film_embed(text) * present).sum(1) / present.sum(1).clamp(min=1.0)

    def tiles(self, images: torch.Tensor) -> torch.Tensor:
        """``(B, tiles, 3, *TILE_HW)``: the tile crops, resampled (input in [0, 1])."""
        height, width = images.shape[-2:]
        crops = []
        for top, bottom, left, right in TILE_BOXES:
            crop = images[
                ...,
                round(top * height) : round(bottom * height),
                round(left * width) : round(right * width),
            ]
            crops.append(
                functional.interpolate(crop, size=TILE_HW, mode="bilinear", align_corners=False)
            )
        return torch.stack(crops, 1)

    def image_tokens(
        self, images: torch.Tensor, words: torch.Tensor, text: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """The image tokens ``(B, patches, width)`` (grid, then tiles) and the glimpse.

        Args:
            images: ``(B, 3, H, W)`` floats in [0, 1] (the input frame, :data:`FRAME_HW`).
            words: ``(B, text_length, width)`` text embeddings (unused; kept for hooks).
            text: ``(B, text_length)`` word ids.
        """
        query = self.question(text)
        scale, shift = self.film(query).chunk(2, dim=-1)
        small = images
        if tuple(images.shape[-2:]) != GLOBAL_HW:
            small = functional.interpolate(images, size=GLOBAL_HW, mode="area")
        features = self.stem_in(small - self.pixel_mean)
        features = functional.relu(features * (1 + scale[..., None, None]) + shift[..., None, None])
        glimpse = self.glimpse(features.flatten(1))
        grid = self.stem_out(features)
        pooled = functional.avg_pool2d(grid, 2).flatten(2).transpose(1, 2)
        tiles = self.tiles(images)
        batch, n_tiles = tiles.shape[:2]
        tile_scale, tile_shift = self.tile_film(query).repeat_interleave(n_tiles, 0).chunk(2, -1)
        tile_features = self.tile_in(tiles.flatten(0, 1) - self.pixel_mean)
        tile_features = functional.relu(
            tile_features * (1 + tile_scale[..., None, None]) + tile_shift[..., None, None]
        )
        tile_features = self.tile_out(tile_features).flatten(1).view(batch, n_tiles, -1)
        tile_tokens = self.tile_token(tile_features)
        match = self.tile_match(tile_tokens, query)
        glimpse = glimpse + self.tile_glimpse(tile_features.flatten(1))
        glimpse = glimpse + (match[:, 1] - match[:, 0])[:, None] * self.match_direction
        return torch.cat([pooled, tile_tokens], 1), glimpse

    def tile_match(self, tile_tokens: torch.Tensor, query: torch.Tensor) -> torch.Tensor:
        """``(B, tiles)``: how well each tile token matches the question (scaled dot product)."""
        keys = self.tile_query(query)[:, None, :]
        return (tile_tokens * keys).sum(-1) / self.config.width**0.5

    def encode(self, images: torch.Tensor, text: torch.Tensor) -> torch.Tensor:
        """Backbone output ``(B, patches + text, width)``.

        The glimpse is added to the ``<answer>`` token's input (the first text token).

        Args:
            images: ``(B, 3, H, W)`` floats in [0, 1], ``(H, W)`` = :data:`FRAME_HW`.
            text: ``(B, text_length)`` word ids, 0 = padding, ``<answer>`` first.
        """
        words = self.text_embed(text)
        patches, glimpse = self.image_tokens(images, words, text)
        words = torch.cat([words[:, :1] + glimpse[:, None], words[:, 1:]], 1)
        tokens = torch.cat([patches + self.image_pos, words + self.text_pos], 1)
        padding = torch.cat(
            [torch.zeros(text.shape[0], self.n_patches, dtype=torch.bool), text == 0], 1
        )
        return self.backbone(tokens, padding)

    def word_logits(self, hidden: torch.Tensor) -> torch.Tensor:
        """Vocabulary logits at the ``<answer>`` position (head tied to the embeddings)."""
        return hidden[:, self.answer_index] @ self.text_embed.weight.T

    def side_logits(self, hidden: torch.Tensor) -> torch.Tensor:
        """``(B, 2)`` logits of "the named tile is left / right" (auxiliary training target)."""
        return self.side_head(hidden[:, self.answer_index])

    def forward(self, images: torch.Tensor, text: torch.Tensor) -> torch.Tensor:
        return self.word_logits(self.encode(images, text))


class ActionExpert(nn.Module):
    """Action queries (+ state) that cross-attend to the backbone (the probed "action" part)."""

    def __init__(self, width: int, layers: int, heads: int, horizon: int) -> None:
        super().__init__()
        self.queries = nn.Parameter(torch.randn(1, horizon, width) * 0.02)
        self.state_embed = nn.Linear(ACTION_DIM, width)
        self.answer_embed = nn.Sequential(nn.LayerNorm(width), nn.Linear(width, width))
        self.layers = nn.ModuleList(
            nn.TransformerDecoderLayer(
                width, heads, 4 * width, dropout=0.0, batch_first=True, norm_first=True
            )
            for _ in range(layers)
        )
        self.head = nn.Sequential(nn.LayerNorm(width), nn.Linear(width, ACTION_DIM))

    def forward(
        self, prefix: torch.Tensor, state: torch.Tensor, answer: torch.Tensor
    ) -> torch.Tensor:
        """Action chunk from the backbone output, the state and the ``<answer>`` token's output."""
        queries = self.queries + (self.state_embed(state) + self.answer_embed(answer))[:, None, :]
        for layer in self.layers:
            queries = layer(queries, prefix)
        return self.head(queries)


class TinyVLA(nn.Module):
    """A :class:`TinyVLM` backbone with an action expert; both heads stay usable."""

    def __init__(self, config: ModelConfig) -> None:
        super().__init__()
        self.config = config
        self.vlm = TinyVLM(config)
        self.expert = ActionExpert(config.width, config.expert_layers, config.heads, config.horizon)

    def actions(
        self, images: torch.Tensor, text: torch.Tensor, state: torch.Tensor
    ) -> torch.Tensor:
        """Normalised action chunk ``(B, horizon, 7)`` (state already normalised)."""
        return self.actions_from(self.vlm.encode(images, text), state)

    def actions_from(self, hidden: torch.Tensor, state: torch.Tensor) -> torch.Tensor:
        """The action chunk from an already computed backbone output ``hidden``."""
        return self.expert(hidden, state, hidden[:, self.vlm.answer_index])

    def forward(
        self, images: torch.Tensor, text: torch.Tensor, state: torch.Tensor
    ) -> torch.Tensor:
        return self.actions(images, text, state)


def count_parameters(module: nn.Module) -> int:
    """Number of trainable parameters."""
    return sum(p.numel() for p in module.parameters() if p.requires_grad)
