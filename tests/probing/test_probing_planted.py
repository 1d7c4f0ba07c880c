"""Acceptance: a tiny torch model whose hidden states carry the answer in exactly one layer.

The prefix carries the answer (for every item) only in layer ``PREFIX_K``; the
action part carries it only in layer ``ACTION_K`` and only for a fraction
``RETAINED`` of the items (noise for the others). By construction the prefix
peak is ~1.0, the action peak ~0.5 + RETAINED / 2, so retention = RETAINED.
The whole path runs: hooks -> pooling -> feature store on disk -> probes -> retention.
"""

from __future__ import annotations

import numpy as np
import pytest

from act2answer.probing import (
    FeatureStore,
    PartPattern,
    ProbeConfig,
    fit_probes,
    fit_store,
    record_hidden_states,
    retention_from_probes,
)
from tests.helpers import tiers

torch = tiers.import_or_skip("torch", "torch")  # collection works without the vlm extra
nn = torch.nn
pytestmark = pytest.mark.torch

PREFIX_LAYERS, PREFIX_K = 6, 3
ACTION_LAYERS, ACTION_K = 4, 2
RETAINED = 0.5
DIM, TOKENS = 24, 3
CATEGORIES, ITEMS = ("A", "B", "C"), 40


class PlantedLayer(nn.Module):
    """Outputs fresh noise, plus the answer along a fixed direction if it carries it."""

    def __init__(self, carries: bool) -> None:
        super().__init__()
        self.carries = carries
        self.register_buffer("direction", torch.randn(DIM) / 1.0)

    def forward(self, hidden: torch.Tensor, sign: float, plant: bool, gen: torch.Generator):
        noise = torch.randn(hidden.shape, generator=gen)
        if self.carries and plant:
            return noise + 4.0 * sign * self.direction
        return noise


class PlantedModel(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.prefix = nn.ModuleList(PlantedLayer(i == PREFIX_K) for i in range(PREFIX_LAYERS))
        self.action = nn.ModuleList(PlantedLayer(i == ACTION_K) for i in range(ACTION_LAYERS))

    def forward(self, label: int, retained: bool, seed: int) -> torch.Tensor:
        gen = torch.Generator().manual_seed(seed)
        sign = 1.0 if label else -1.0
        hidden = torch.zeros(1, TOKENS, DIM)
        for layer in self.prefix:
            hidden = layer(hidden, sign, True, gen)
        for layer in self.action:
            hidden = layer(hidden, sign, retained, gen)
        return hidden


PATTERNS = {"prefix": PartPattern(r"prefix\.\d+"), "action": PartPattern(r"action\.\d+")}


@pytest.fixture(scope="module")
def planted_store(tmp_path_factory: pytest.TempPathFactory) -> FeatureStore:
    model = PlantedModel()
    store = FeatureStore.open(tmp_path_factory.mktemp("planted") / "features", {"model": "planted"})
    seed = 0
    for category in CATEGORIES:
        for item in range(ITEMS):
            retained = item < ITEMS * RETAINED
            for layout, label in (("left", 0), ("right", 1)):
                seed += 1
                with torch.no_grad(), record_hidden_states(model, PATTERNS) as recorded:
                    model(label, retained, seed)
                store.add(
                    f"{category}-{item}",
                    layout,
                    label,
                    category,
                    seed,
                    recorded.layers,
                    recorded.vectors,
                )
        store.flush()
    store.consolidate()
    return FeatureStore.open(store.root)  # read back from disk


@pytest.fixture(scope="module")
def planted_result(planted_store: FeatureStore):
    return fit_store(planted_store, ProbeConfig(folds=5, seed=0, pooled=True))


def test_prefix_curve_peaks_exactly_at_planted_layer(planted_result) -> None:
    for category in (*CATEGORIES, "all"):
        curve = planted_result.curve(category, "prefix")
        accuracy = np.array([point.accuracy for point in curve])
        assert int(accuracy.argmax()) == PREFIX_K, (category, accuracy)
        assert accuracy[PREFIX_K] > 0.95
        others = np.delete(accuracy, PREFIX_K)
        assert others.max() < 0.7, (category, accuracy)


def test_action_curve_peaks_at_planted_layer_at_retained_level(planted_result) -> None:
    for category in CATEGORIES:
        curve = planted_result.curve(category, "action")
        accuracy = np.array([point.accuracy for point in curve])
        assert int(accuracy.argmax()) == ACTION_K, (category, accuracy)
        assert abs(accuracy[ACTION_K] - (0.5 + RETAINED / 2)) < 0.12


def test_shuffled_control_sits_at_chance(planted_result) -> None:
    controls = np.array([point.control_accuracy for point in planted_result.points])
    assert abs(controls.mean() - 0.5) < 0.05
    at_signal = [
        p.control_accuracy
        for p in planted_result.points
        if (p.part, p.layer) == ("prefix", PREFIX_K)
    ]
    assert max(abs(value - 0.5) for value in at_signal) < 0.2


def test_retention_matches_construction_within_interval(planted_result) -> None:
    retention = retention_from_probes(planted_result, n_boot=1000, seed=0)
    assert retention.interval is not None
    assert retention.interval.contains(RETAINED), retention
    assert retention.interval.low > 0.2 and retention.interval.high < 0.8
    assert abs(retention.value - RETAINED) < 0.15
    assert {term.prefix_peak_layer for term in retention.categories} == {PREFIX_K}


def test_mean_pooling_also_stored_and_finds_the_layer(planted_store: FeatureStore) -> None:
    rows = [row for row in planted_store.rows() if row.category == "A"]
    result = fit_probes(
        rows,
        [("prefix", layer) for layer in range(PREFIX_LAYERS)],
        lambda part, layer: planted_store.load(part, layer, "mean"),
        ProbeConfig(control=False),
    )
    curve = result.curve("A", "prefix")
    assert max(curve, key=lambda point: point.accuracy).layer == PREFIX_K
    last = planted_store.load("prefix", PREFIX_K, "last")
    mean = planted_store.load("prefix", PREFIX_K, "mean")
    assert last.shape == mean.shape == (len(CATEGORIES) * ITEMS * 2, DIM)
    assert not np.allclose(last, mean)


def test_overall_curve_is_the_macro_mean(planted_result) -> None:
    for part, layer in (("prefix", PREFIX_K), ("action", 0)):
        per_category = [planted_result.curve(c, part)[layer].accuracy for c in CATEGORIES]
        overall = planted_result.curve("overall", part)[layer]
        assert overall.accuracy == pytest.approx(np.mean(per_category))
