"""Discrete action tokens and dataset-statistics un-normalisation (numpy only).

OpenVLA-style models emit one token per action dimension from the last 256
ids of the vocabulary. Decoding and un-normalising is the same arithmetic in
OpenVLA's ``predict_action`` (openvla/openvla,
``prismatic/extern/hf/modeling_prismatic.py``) and in the reference study's
Magma wrapper (CognitiveAISystems/Act2Answer,
``SimplerEnv/simpler_env/policies/magma/magma_model.py``):

* bin index = ``vocab_size - token_id - 1``, clipped to ``0 .. n_bins - 2``;
* value = centre of that bin among ``n_bins`` edges evenly spaced over [-1, 1];
* where the statistics' ``mask`` is true (all but the gripper for Bridge),
  ``0.5 * (value + 1) * (q99 - q01) + q01``; elsewhere the value is kept.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from act2answer.errors import PolicyError


def bin_centers(n_bins: int = 256) -> np.ndarray:
    """Centres of the ``n_bins - 1`` intervals between ``n_bins`` edges over [-1, 1]."""
    edges = np.linspace(-1.0, 1.0, n_bins)
    return (edges[:-1] + edges[1:]) / 2.0


def tokens_to_normalized(
    token_ids: Sequence[int], vocab_size: int, n_bins: int = 256
) -> np.ndarray:
    """Action token ids to normalised values in [-1, 1] (OpenVLA's de-tokenisation)."""
    centers = bin_centers(n_bins)
    ids = np.asarray(token_ids, dtype=np.int64)
    index = np.clip(vocab_size - ids - 1, 0, centers.shape[0] - 1)
    return centers[index]


def normalized_to_tokens(values: Sequence[float], vocab_size: int, n_bins: int = 256) -> np.ndarray:
    """Inverse of :func:`tokens_to_normalized` (nearest bin), for tests and stand-ins."""
    centers = bin_centers(n_bins)
    index = np.abs(np.asarray(values, dtype=float)[:, None] - centers[None, :]).argmin(axis=1)
    return vocab_size - 1 - index


def unnormalize_q01_q99(normalized: np.ndarray, stats: Mapping[str, Sequence[float]]) -> np.ndarray:
    """Map values in [-1, 1] to the dataset's range ``[q01, q99]`` where ``mask`` is true.

    Args:
        normalized: ``(..., D)`` values in [-1, 1].
        stats: The ``action`` statistics of one dataset: ``q01``, ``q99`` and an
            optional boolean ``mask`` (missing: every dimension is un-normalised).

    Raises:
        PolicyError: statistics missing or of the wrong length.
    """
    values = np.asarray(normalized, dtype=np.float64)
    try:
        low = np.asarray(stats["q01"], dtype=np.float64)
        high = np.asarray(stats["q99"], dtype=np.float64)
    except KeyError as exc:
        raise PolicyError(f"action statistics lack {exc.args[0]!r}") from None
    mask = np.asarray(stats.get("mask", np.ones_like(low, dtype=bool)), dtype=bool)
    if not (low.shape == high.shape == mask.shape == values.shape[-1:]):
        raise PolicyError(
            f"action statistics of length {low.shape} do not match actions of shape {values.shape}"
        )
    return np.where(mask, 0.5 * (values + 1.0) * (high - low) + low, values)


def dataset_stats(norm_stats: Mapping[str, Mapping], unnorm_key: str | None) -> Mapping:
    """The ``action`` statistics of ``unnorm_key`` (the only dataset when None).

    Raises:
        PolicyError: unknown key, or several datasets and no key.
    """
    if unnorm_key is None:
        if len(norm_stats) != 1:
            raise PolicyError(f"the model has statistics for {sorted(norm_stats)}: pass unnorm_key")
        unnorm_key = next(iter(norm_stats))
    if unnorm_key not in norm_stats:
        raise PolicyError(
            f"unnorm_key {unnorm_key!r} not in the model's statistics {sorted(norm_stats)}"
        )
    entry = norm_stats[unnorm_key]
    return entry.get("action", entry)
