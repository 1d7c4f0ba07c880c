"""``toy-vla``: a tiny random-weight VLA-shaped torch model for trying the probe pipeline.

Image patches and instruction bytes go through a stack of transformer layers
(the "prefix"); an action expert of learned action queries cross-attends to
the prefix output (the "action" layers) and a linear head emits a 7-D chunk.
Its weights are random (seeded): it exercises hooks, pooling, the feature
store and the probes end to end without any download. It knows nothing, so
its curves say nothing about knowledge.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import torch
from PIL import Image
from torch import nn

from act2answer.probing._hooks import PartPattern
from act2answer.probing._record import ProbeInput


class _Backbone(nn.Module):
    def __init__(self, width: int, layers: int) -> None:
        super().__init__()
        self.layers = nn.ModuleList(
            nn.TransformerEncoderLayer(width, 2, 2 * width, dropout=0.0, batch_first=True)
            for _ in range(layers)
        )

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        for layer in self.layers:
            tokens = layer(tokens)
        return tokens


class _Expert(nn.Module):
    def __init__(self, width: int, layers: int, horizon: int) -> None:
        super().__init__()
        self.queries = nn.Parameter(torch.randn(1, horizon, width))
        self.layers = nn.ModuleList(
            nn.TransformerDecoderLayer(width, 2, 2 * width, dropout=0.0, batch_first=True)
            for _ in range(layers)
        )
        self.head = nn.Linear(width, 7)

    def forward(self, prefix: torch.Tensor) -> torch.Tensor:
        actions = self.queries.expand(prefix.shape[0], -1, -1)
        for layer in self.layers:
            actions = layer(actions, prefix)
        return self.head(actions)


class ToyNet(nn.Module):
    """Patch + byte embeddings, a prefix stack and an action expert."""

    def __init__(
        self, width: int, prefix_layers: int, action_layers: int, patch: int, horizon: int
    ):
        super().__init__()
        self.patch_embed = nn.Conv2d(3, width, patch, stride=patch)
        self.text_embed = nn.Embedding(256, width)
        self.backbone = _Backbone(width, prefix_layers)
        self.expert = _Expert(width, action_layers, horizon)

    def forward(self, image: torch.Tensor, text: torch.Tensor) -> torch.Tensor:
        patches = self.patch_embed(image).flatten(2).transpose(1, 2)
        prefix = self.backbone(torch.cat([patches, self.text_embed(text)], dim=1))
        return self.expert(prefix)


class ToyVLA:
    """Random-weight VLA stand-in (see module docstring)."""

    name = "toy-vla"

    def __init__(
        self,
        width: int = 32,
        prefix_layers: int = 4,
        action_layers: int = 2,
        image_size: int = 64,
        patch: int = 16,
        horizon: int = 4,
        seed: int = 0,
    ) -> None:
        generator_state = torch.random.get_rng_state()
        torch.manual_seed(seed)
        self.net = ToyNet(width, prefix_layers, action_layers, patch, horizon).eval()
        torch.random.set_rng_state(generator_state)
        self.image_size = image_size

    def probe_root(self) -> nn.Module:
        return self.net

    def probe_patterns(self) -> Mapping[str, PartPattern]:
        return {
            "prefix": PartPattern(r"backbone\.layers\.\d+"),
            "action": PartPattern(r"expert\.layers\.\d+"),
        }

    def probe_forward(self, request: ProbeInput, token_masks: dict[str, torch.Tensor]) -> None:
        resized = Image.fromarray(request.image).resize((self.image_size, self.image_size))
        pixels = torch.from_numpy(np.asarray(resized, dtype=np.float32) / 255.0)
        text = torch.tensor([list(request.instruction.encode("utf-8"))[:64]], dtype=torch.long)
        self.net(pixels.permute(2, 0, 1)[None], text)
