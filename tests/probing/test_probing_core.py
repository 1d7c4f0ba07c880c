"""Hooks, pooling, the feature store, exact probe reduction, retention and curves files."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from act2answer.probing import (
    FeatureRow,
    FeatureStore,
    FeatureStoreError,
    LayerSpec,
    PartPattern,
    ProbeConfig,
    ProbeHookError,
    control_labels,
    fit_probes,
    pool_tokens,
    read_curves,
    record_hidden_states,
    retention_from_curves,
)
from act2answer.probing._probes import LayerData
from act2answer.probing._retention import CurveRow, CurvesFileError
from tests.helpers import tiers

torch = tiers.import_or_skip("torch", "torch")  # collection works without the vlm extra
nn = torch.nn
pytestmark = pytest.mark.torch


class Stack(nn.Module):
    def __init__(self, layers: int = 3, width: int = 4) -> None:
        super().__init__()
        self.layers = nn.ModuleList(nn.Linear(width, width) for _ in range(layers))
        self.head = nn.Linear(width, 2)

    def forward(self, x: torch.Tensor, repeat: int = 1) -> torch.Tensor:
        for layer in self.layers:
            for _ in range(repeat):
                x = layer(x)
        return self.head(x)


def test_hooks_match_in_order_pool_and_remove_themselves() -> None:
    torch.manual_seed(0)
    model = Stack()
    x = torch.randn(1, 5, 4)
    with record_hidden_states(model, {"prefix": PartPattern(r"layers\.\d+")}) as recorded:
        model(x)
    assert [spec.module for spec in recorded.layers] == ["layers.0", "layers.1", "layers.2"]
    expected = model.layers[1](model.layers[0](x))[0]
    np.testing.assert_allclose(recorded.vectors[("prefix", 1, "last")], expected[-1].detach(), 1e-6)
    np.testing.assert_allclose(
        recorded.vectors[("prefix", 1, "mean")], expected.mean(0).detach(), rtol=1e-5, atol=1e-6
    )
    assert all(not layer._forward_hooks for layer in model.layers)


def test_repeated_calls_reduce_first_last_mean() -> None:
    torch.manual_seed(0)
    model = Stack(layers=1)
    x = torch.randn(1, 2, 4)
    outputs = {}
    for calls in ("first", "last", "mean", "after_first"):
        patterns = {"action": PartPattern(r"layers\.0", calls=calls)}
        with record_hidden_states(model, patterns) as recorded:
            model(x, repeat=3)
        outputs[calls] = recorded.vectors[("action", 0, "last")]
    once = model.layers[0](x)[0, -1].detach().numpy()
    three = model.layers[0](model.layers[0](model.layers[0](x)))[0, -1].detach().numpy()
    np.testing.assert_allclose(outputs["first"], once, rtol=1e-5)
    np.testing.assert_allclose(outputs["last"], three, rtol=1e-5)
    assert not np.allclose(outputs["mean"], outputs["first"])
    np.testing.assert_allclose(
        outputs["mean"] * 3, outputs["first"] + outputs["after_first"] * 2, rtol=1e-5
    )


def test_input_source_records_what_enters_a_module() -> None:
    model = Stack()
    x = torch.randn(1, 3, 4)
    patterns = {"prefix": PartPattern(r"layers\.\d+", source="input")}
    with torch.no_grad(), record_hidden_states(model, patterns) as recorded:
        model(x)
    np.testing.assert_allclose(recorded.vectors[("prefix", 0, "last")], x[0, -1].numpy())
    np.testing.assert_allclose(
        recorded.vectors[("prefix", 1, "last")], model.layers[0](x)[0, -1].detach(), rtol=1e-5
    )


def test_pattern_matching_nothing_and_layer_never_called_are_named() -> None:
    model = Stack()
    cases = {
        "matches no module": {"prefix": PartPattern(r"blocks\.\d+")},
        "never called": {"prefix": PartPattern(r"layers\.\d+")},
        "unknown part": {"middle": PartPattern(r"layers\.\d+")},
    }
    for message, patterns in cases.items():
        with pytest.raises(ProbeHookError, match=message), record_hidden_states(model, patterns):
            pass


def test_mask_skips_padding() -> None:
    hidden = torch.tensor([[[1.0, 1.0], [3.0, 5.0], [100.0, 100.0]]])
    pooled = pool_tokens(hidden, torch.tensor([True, True, False]))
    np.testing.assert_allclose(pooled["last"], [3.0, 5.0])
    np.testing.assert_allclose(pooled["mean"], [2.0, 3.0])
    short = pool_tokens(hidden, torch.tensor([True, False]))  # aligned with the end
    np.testing.assert_allclose(short["last"], [3.0, 5.0])


def _add(store: FeatureStore, index: int, value: float) -> None:
    layers = [LayerSpec("prefix", 0, "layers.0")]
    vectors = {("prefix", 0, "last"): np.full(3, value), ("prefix", 0, "mean"): np.full(3, -value)}
    store.add(f"i{index}", "left", 0, "C", index, layers, vectors)


def test_store_resumes_drops_orphans_and_refuses_other_identity(tmp_path: Path) -> None:
    root = tmp_path / "features"
    store = FeatureStore.open(root, {"model": "m"})
    for index in range(3):
        _add(store, index, index)
    store.flush()
    _add(store, 3, 3.0)
    store.flush()
    # A run killed while writing index lines: the shard without lines is discarded,
    # the rows of a partly indexed shard beyond the index are ignored.
    _add(store, 4, 4.0)
    _add(store, 5, 5.0)
    store.flush()
    _add(store, 6, 6.0)
    store.flush()
    lines = (root / "index.jsonl").read_text().splitlines()
    (root / "index.jsonl").write_text("\n".join(lines[:5]) + "\n" + lines[5][:10])
    reopened = FeatureStore.open(root, {"model": "m"})
    assert [row.item_id for row in reopened.rows()] == ["i0", "i1", "i2", "i3", "i4"]
    assert len(list((root / "shards").glob("*.npz"))) == 3
    np.testing.assert_array_equal(reopened.load("prefix", 0, "last")[:, 0], [0, 1, 2, 3, 4])
    reopened.consolidate()
    assert not list((root / "shards").glob("*.npz"))
    assert (root / "prefix_L000_mean.npy").exists()
    _add(reopened, 5, 5.0)
    reopened.flush()
    final = FeatureStore.open(root)
    np.testing.assert_array_equal(final.load("prefix", 0, "mean")[:, 0], [0, -1, -2, -3, -4, -5])
    assert ("i5", "left") in final.done_keys
    with pytest.raises(FeatureStoreError, match="differs in: model"):
        FeatureStore.open(root, {"model": "other"})
    with pytest.raises(FeatureStoreError, match="no features"):
        FeatureStore.open(tmp_path / "missing")


def test_reduced_fit_predicts_like_a_plain_fit() -> None:
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    rng = np.random.default_rng(0)
    features = rng.normal(size=(70, 200)) * rng.uniform(0.5, 3, size=200) + 2.0
    labels = (features[:, :3].sum(axis=1) + rng.normal(size=70) > 6).astype(int)
    train_rows, test_rows = np.arange(40), np.arange(40, 70)
    scaler = StandardScaler().fit(features[train_rows])
    plain = LogisticRegression(max_iter=5000, tol=1e-10)
    plain.fit(scaler.transform(features[train_rows]), labels[train_rows])
    reduced_train, reduced_test = LayerData(features).fold_coordinates(train_rows, test_rows)
    assert reduced_train.shape[1] <= 40
    reduced = LogisticRegression(max_iter=5000, tol=1e-10).fit(reduced_train, labels[train_rows])
    np.testing.assert_allclose(
        plain.decision_function(scaler.transform(features[test_rows])),
        reduced.decision_function(reduced_test),
        atol=1e-3,
    )


def test_constant_features_fit_the_intercept_only() -> None:
    # A layer whose features do not vary (seen with a tiny SmolVLA) must not crash the fit.
    features = np.full((40, 64), 3.0, dtype=np.float32)
    train_rows, test_rows = np.arange(32), np.arange(32, 40)
    train, test = LayerData(features).fold_coordinates(train_rows, test_rows)
    assert train.shape == (32, 1) and test.shape == (8, 1)
    assert not train.any() and not test.any()


def test_folds_keep_both_layouts_of_an_item_together_and_control_is_balanced() -> None:
    rng = np.random.default_rng(1)
    rows, features = [], []
    for item in range(20):
        for label in (0, 1):
            rows.append(FeatureRow(len(rows), f"i{item}", "lr"[label], label, "C", 0))
            features.append(rng.normal(size=8) + 3 * label)
    array = np.array(features)
    from act2answer.probing import fit_probes as fit

    result = fit(rows, [("prefix", 0)], lambda part, layer: array, ProbeConfig(folds=4))
    (point,) = result.curve("C", "prefix")
    assert point.accuracy > 0.9 and len(point.fold_accuracies) == 4
    from act2answer.probing._probes import fold_splits

    labels = np.array([row.label for row in rows])
    groups = [row.item_id for row in rows]
    for train, test in fold_splits(labels, groups, 4, 0):
        assert not {groups[i] for i in train} & {groups[i] for i in test}
    control = control_labels(labels, groups, 0)
    assert control.sum() == 20 and 0 < (control != labels).sum() < 40
    for item in range(20):
        assert control[2 * item] != control[2 * item + 1]


def test_fit_refuses_too_few_items() -> None:
    from act2answer.probing import ProbeFitError

    rows = [FeatureRow(i, f"i{i // 2}", "l", i % 2, "C", 0) for i in range(6)]
    with pytest.raises(ProbeFitError, match="3 items cannot fill 5 folds"):
        fit_probes(rows, [("prefix", 0)], lambda p, layer: np.zeros((6, 2)), ProbeConfig())


def test_retention_formula_on_hand_made_curves() -> None:
    rows = [
        CurveRow("A", "prefix", 0, 0.6),
        CurveRow("A", "prefix", 1, 0.9),
        CurveRow("A", "action", 0, 0.7),
        CurveRow("A", "action", 1, 0.55),
        CurveRow("B", "prefix", 0, 0.8),
        CurveRow("B", "action", 0, 0.5),
        CurveRow("all", "prefix", 0, 0.99),
        CurveRow("all", "action", 0, 0.5),
        CurveRow("C", "prefix", 0, 0.8),  # no action curve: not counted
    ]
    result = retention_from_curves(rows, eps=0.0)
    assert result.interval is None and result.method == "none"
    assert [term.category for term in result.categories] == ["A", "B"]
    assert result.categories[0].retention == pytest.approx(0.2 / 0.4)
    assert result.value == pytest.approx((0.5 + 0.0) / 2)


def test_retention_binomial_interval_from_n() -> None:
    rows = [
        CurveRow(c, part, layer, acc, 300)
        for c in "ABCD"
        for part, accs in (("prefix", (0.6, 0.9, 0.8)), ("action", (0.7, 0.6)))
        for layer, acc in enumerate(accs)
    ]
    result = retention_from_curves(rows, seed=0)
    assert result.method == "binomial" and result.interval is not None
    assert result.value == pytest.approx(0.5, abs=1e-5)
    assert result.interval.low < 0.5 < result.interval.high
    assert result.interval.high - result.interval.low < 0.3


def test_curves_files_csv_json_and_errors(tmp_path: Path) -> None:
    csv_path = tmp_path / "curves.csv"
    csv_path.write_text("category,part,layer,accuracy,extra\nA,prefix,0,0.9,x\nA,action,0,0.7,y\n")
    assert read_curves(csv_path)[1] == CurveRow("A", "action", 0, 0.7, None)
    json_path = tmp_path / "probe.json"
    points = [{"category": "A", "part": "prefix", "layer": 0, "accuracy": 0.9, "n": 10}]
    json_path.write_text(json.dumps({"curves": points}))
    assert read_curves(json_path) == [CurveRow("A", "prefix", 0, 0.9, 10)]
    bad = {
        "category,part,layer\nA,prefix,0\n": "lacks column\\(s\\) accuracy",
        "category,part,layer,accuracy\nA,middle,0,0.5\n": "line 2, field 'part'",
        "category,part,layer,accuracy\nA,prefix,x,0.5\n": "field 'layer'",
        "category,part,layer,accuracy\nA,prefix,0,1.5\n": "outside \\[0, 1\\]",
        "category,part,layer,accuracy\nA,prefix,0,0.5\nA,prefix,0,0.6\n": "line 3: duplicate",
    }
    for text, message in bad.items():
        csv_path.write_text(text)
        with pytest.raises(CurvesFileError, match=message):
            read_curves(csv_path)
    json_path.write_text("{not json")
    with pytest.raises(CurvesFileError, match="not valid JSON"):
        read_curves(json_path)


def test_parallel_layers_give_the_same_curves() -> None:
    rng = np.random.default_rng(2)
    rows = [
        FeatureRow(2 * item + label, f"i{item}", "lr"[label], label, "AB"[item % 2], 0)
        for item in range(20)
        for label in (0, 1)
    ]
    layers = [
        rng.normal(size=(40, 6)) + layer * np.array([r.label for r in rows])[:, None]
        for layer in range(3)
    ]
    config = ProbeConfig(folds=4)
    serial = fit_probes(rows, [("prefix", k) for k in range(3)], lambda p, k: layers[k], config)
    parallel = fit_probes(
        rows, [("prefix", k) for k in range(3)], lambda p, k: layers[k], replace(config, jobs=2)
    )
    assert serial.points == parallel.points
