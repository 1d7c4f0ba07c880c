"""Forward hooks that record pooled hidden states from any torch module tree.

A model family declares *which* modules produce the hidden states of each
part ("prefix": the VLM backbone; "action": the action expert or head) as
regular expressions over ``module.named_modules()`` names. Layers are numbered
in the order ``named_modules()`` lists the matching modules (definition order,
which is layer order for every ``ModuleList`` of decoder layers).

Pooling (both are always stored):

* ``last``: the hidden state of the last token (for a causal decoder, the only
  position that has attended to the whole prompt);
* ``mean``: the mean over tokens (over the positions where ``token_mask`` is
  true when the model provides one).

A module that runs several times in one forward pass (an action expert called
once per denoising step; a decoder layer called once for the prompt and once
per generated token) is reduced by ``calls``: keep the ``first`` call, the
``last`` call, the ``mean`` of the pooled vectors over calls, or the mean over
the calls ``after_first`` (the generated tokens of a cached decoder).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from act2answer.errors import Act2AnswerError

if TYPE_CHECKING:
    import torch

#: The two parts of a VLA the study probes.
PARTS: tuple[str, ...] = ("prefix", "action")
#: Pooling over tokens, in the order they are stored.
POOLINGS: tuple[str, ...] = ("last", "mean")

CallReduction = Literal["first", "last", "mean", "after_first"]


class ProbeHookError(Act2AnswerError):
    """Hook patterns that match nothing, or module outputs that hold no hidden states."""


@dataclass(frozen=True)
class PartPattern:
    """Which modules make up one part, and how repeated calls are reduced.

    Attributes:
        pattern: Regular expression matched in full against module names,
            e.g. ``r"model\\.language_model\\.layers\\.\\d+"``.
        calls: Reduction over several calls of one module in one forward pass.
        source: ``output`` records what the module returns; ``input`` records
            its first argument. ``input`` serves models that run a decoder
            layer's parts one by one without calling the layer module (LeRobot
            SmolVLA/pi0): the input of layer n's ``input_layernorm`` is the
            residual stream entering layer n.
    """

    pattern: str
    calls: CallReduction = "last"
    source: Literal["output", "input"] = "output"


@dataclass(frozen=True)
class LayerSpec:
    """One recorded layer: its part, index within the part and module name."""

    part: str
    layer: int
    module: str


@dataclass
class RecordedStates:
    """Pooled hidden states of one forward pass: ``{(part, layer, pooling): (dim,) float32}``."""

    layers: list[LayerSpec]
    vectors: dict[tuple[str, int, str], np.ndarray] = field(default_factory=dict)


def match_layers(root: torch.nn.Module, patterns: Mapping[str, PartPattern]) -> list[LayerSpec]:
    """Module names of every part, in ``named_modules()`` order.

    Raises:
        ProbeHookError: an unknown part name, or a pattern that matches no module.
    """
    layers: list[LayerSpec] = []
    names = [name for name, _ in root.named_modules()]
    for part, spec in patterns.items():
        if part not in PARTS:
            raise ProbeHookError(f"unknown part {part!r}: expected one of {', '.join(PARTS)}")
        regex = re.compile(spec.pattern)
        matched = [name for name in names if regex.fullmatch(name)]
        if not matched:
            sample = ", ".join(names[1:8])
            raise ProbeHookError(
                f"{part} pattern {spec.pattern!r} matches no module (first modules: {sample})"
            )
        layers.extend(LayerSpec(part, index, name) for index, name in enumerate(matched))
    return layers


def hidden_tensor(output: Any, module: str) -> torch.Tensor:
    """The hidden-state tensor in a module's output: the tensor, or the first of a tuple."""
    import torch

    value = output
    if isinstance(value, (tuple, list)) and value:
        value = value[0]
    elif hasattr(value, "last_hidden_state"):
        value = value.last_hidden_state
    if not isinstance(value, torch.Tensor) or value.ndim < 1 or not value.is_floating_point():
        raise ProbeHookError(
            f"module {module!r} returned {type(output).__name__}, not a float tensor of hidden "
            "states (or a tuple whose first element is one)"
        )
    return value


def pool_tokens(
    hidden: torch.Tensor, token_mask: torch.Tensor | None = None
) -> dict[str, np.ndarray]:
    """Pool ``(batch, tokens, dim)``, ``(tokens, dim)`` or ``(dim,)`` states of batch row 0.

    Returns ``{"last": (dim,), "mean": (dim,)}`` as float32. With a mask the
    last *true* position is "last" and the mean runs over true positions. A
    mask shorter than the sequence is aligned with its end (earlier positions,
    e.g. image tokens in front of a padded prompt, count as valid).
    """
    import torch

    with torch.no_grad():
        states = hidden.detach().float()
        if states.ndim == 3:
            states = states[0]
        if states.ndim == 1:
            states = states[None]
        if states.ndim != 2:
            raise ProbeHookError(f"cannot pool hidden states of shape {tuple(hidden.shape)}")
        if token_mask is not None:
            mask = token_mask.reshape(-1).bool().to(states.device)[-states.shape[0] :]
            if mask.shape[0] < states.shape[0]:  # the mask covers the last tokens only
                lead = torch.ones(states.shape[0] - mask.shape[0], dtype=torch.bool)
                mask = torch.cat([lead.to(states.device), mask])
            if bool(mask.any()):
                states = states[mask]
        last = states[-1]
        mean = states.mean(dim=0)
    return {"last": last.cpu().numpy(), "mean": mean.cpu().numpy()}


@contextmanager
def record_hidden_states(
    root: torch.nn.Module,
    patterns: Mapping[str, PartPattern],
    token_masks: Mapping[str, torch.Tensor | None] | None = None,
) -> Iterator[RecordedStates]:
    """Hook the matching modules while the block runs; the yielded object fills in on exit.

    ``token_masks`` maps a part to a ``(tokens,)`` or ``(1, tokens)`` mask used by
    pooling; it is read when the hooks fire, so a caller may fill it in during
    the forward pass (a mutable dict) when the mask is only known then.
    """
    layers = match_layers(root, patterns)
    modules = dict(root.named_modules())
    calls: dict[tuple[str, int], list[dict[str, np.ndarray]]] = {
        (spec.part, spec.layer): [] for spec in layers
    }
    masks = token_masks if token_masks is not None else {}
    handles = []
    for spec in layers:

        def hook(_module: Any, args: Any, kwargs: Any, output: Any, spec: LayerSpec = spec) -> None:
            if patterns[spec.part].source == "input":
                output = args if args else tuple(kwargs.values())
            tensor = hidden_tensor(output, spec.module)
            calls[(spec.part, spec.layer)].append(pool_tokens(tensor, masks.get(spec.part)))

        handles.append(modules[spec.module].register_forward_hook(hook, with_kwargs=True))
    recorded = RecordedStates(layers=layers)
    try:
        yield recorded
    finally:
        for handle in handles:
            handle.remove()
    for spec in layers:
        pooled_calls = calls[(spec.part, spec.layer)]
        if not pooled_calls:
            raise ProbeHookError(
                f"{spec.part} layer {spec.layer} ({spec.module!r}) was never called in the forward "
                "pass: the model may compute this layer without calling the module"
            )
        reduction = patterns[spec.part].calls
        for pooling in POOLINGS:
            vectors = [call[pooling] for call in pooled_calls]
            if reduction == "after_first":
                if len(vectors) < 2:
                    raise ProbeHookError(
                        f"{spec.part} layer {spec.layer} ({spec.module!r}) ran once: "
                        "calls='after_first' needs generated tokens after the prompt"
                    )
                vector = np.mean(vectors[1:], axis=0)
            elif reduction == "first":
                vector = vectors[0]
            elif reduction == "last":
                vector = vectors[-1]
            else:
                vector = np.mean(vectors, axis=0)
            recorded.vectors[(spec.part, spec.layer, pooling)] = vector.astype(np.float32)
