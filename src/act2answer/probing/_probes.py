"""Linear probes per layer: cross-validated accuracy and a shuffled-label control.

For each (category, part, layer) a logistic regression (scikit-learn, L2,
``lbfgs``) is trained on standardised features to predict the label (1 = the
correct image lies on the right tile). Cross-validation is
``StratifiedGroupKFold`` grouped by item, so the two layouts of an item are
always in the same fold; the same folds serve every layer and the control.

**Control**: the labels of each item's two episodes are swapped for a random
half of the items (a permutation that keeps every item and fold balanced but
makes the label independent of the images); a probe fitted to those labels
must sit at chance. A control far from 0.5 means the probe reads something
other than the answer (or the folds leak).

**Speed, exactly.** Within a category there are fewer training episodes (n)
than feature dimensions (d). An L2-penalised linear model's weights lie in the
span of the training rows (representer theorem; the intercept is not
penalised), so with the training Gram matrix ``K = X Xᵀ = U Λ Uᵀ`` the same
classifier is fitted on the ``n x r`` coordinates ``U Λ^½`` (and test rows
``X_test Xᵀ U Λ^-½``), with identical predictions and an ``r <= n``
dimensional problem; the control reuses the decomposition. When n >= d the
features are used as they are. ``tests/probing/test_probing_core.py`` checks the
predictions against a plain fit.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from act2answer.errors import Act2AnswerError
from act2answer.probing._store import FeatureRow, FeatureStore, rows_by_category

#: Name of the curve that pools every category into one probe (``ProbeConfig.pooled``).
ALL_CATEGORIES = "all"
#: Name of the macro-mean curve over categories (mean of per-category accuracies).
OVERALL = "overall"
#: Curves that are summaries, not categories (left out of retention).
SUMMARY_CURVES = (ALL_CATEGORIES, OVERALL)


class ProbeFitError(Act2AnswerError):
    """Too few items or a single class: probes cannot be cross-validated."""


@dataclass(frozen=True)
class ProbeConfig:
    """How probes are fitted.

    Attributes:
        folds: Cross-validation folds (grouped by item, stratified by label).
        c: Inverse L2 strength of the logistic regression (scikit-learn's ``C``).
        max_iter: lbfgs iterations.
        tol: lbfgs tolerance.
        pooling: ``last`` or ``mean`` token pooling.
        seed: Seed of the fold assignment and of the control's label swap.
        control: Also fit the shuffled-label control.
        pooled: Also fit one probe on all categories together (curve ``all``);
            costly on large suites (n > d: no reduction). The ``overall`` curve
            (macro mean over categories) is always there.
        jobs: Worker processes over layers (joblib; 1 fits in this process).
    """

    folds: int = 5
    c: float = 1.0
    max_iter: int = 200
    tol: float = 1e-4
    pooling: str = "last"
    seed: int = 0
    control: bool = True
    pooled: bool = False
    jobs: int = 1


@dataclass(frozen=True)
class CurvePoint:
    """Probe accuracy of one layer of one part on one category.

    Attributes:
        accuracy: Mean over folds of held-out accuracy.
        std: Spread: standard deviation over folds.
        control_accuracy / control_std: The same for the shuffled-label control (NaN if off).
        n: Episodes in the category.
        fold_accuracies: Held-out accuracy of each fold.
    """

    category: str
    part: str
    layer: int
    accuracy: float
    std: float
    control_accuracy: float
    control_std: float
    n: int
    fold_accuracies: tuple[float, ...]


@dataclass
class ProbeResult:
    """Curves of every (category, part, layer) plus out-of-fold correctness for bootstrapping.

    ``correct[(category, part, layer)]`` is a boolean array over the category's
    episodes (in ``groups[category]`` order): was the held-out prediction right.
    ``groups[category]`` lists each episode's item id.
    """

    points: list[CurvePoint]
    config: ProbeConfig
    correct: dict[tuple[str, str, int], np.ndarray] = field(default_factory=dict)
    groups: dict[str, list[str]] = field(default_factory=dict)

    def curve(self, category: str, part: str) -> list[CurvePoint]:
        """Points of one category and part, by layer."""
        points = [p for p in self.points if p.category == category and p.part == part]
        return sorted(points, key=lambda point: point.layer)

    @property
    def categories(self) -> list[str]:
        return list(dict.fromkeys(point.category for point in self.points))

    @property
    def parts(self) -> list[str]:
        return list(dict.fromkeys(point.part for point in self.points))


def control_labels(labels: np.ndarray, groups: Sequence[str], seed: int) -> np.ndarray:
    """Labels with each item's labels flipped for a random half of the items."""
    items = list(dict.fromkeys(groups))
    rng = np.random.default_rng(seed)
    flip_item = dict(zip(items, rng.random(len(items)) < 0.5, strict=True))
    flips = np.array([flip_item[group] for group in groups])
    return np.where(flips, 1 - labels, labels)


def fold_splits(
    labels: np.ndarray, groups: Sequence[str], folds: int, seed: int
) -> list[tuple[np.ndarray, np.ndarray]]:
    """StratifiedGroupKFold splits (train rows, test rows); raises on too few items."""
    from sklearn.model_selection import StratifiedGroupKFold

    n_items = len(set(groups))
    if n_items < folds:
        raise ProbeFitError(f"{n_items} items cannot fill {folds} folds grouped by item")
    if len(set(labels.tolist())) < 2:
        raise ProbeFitError("all labels are equal: a probe needs both sides")
    splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed)
    return list(splitter.split(np.zeros(len(labels)), labels, groups))


class LayerData:
    """One layer's features of one group of episodes, with the column sums folds reuse."""

    def __init__(self, features: np.ndarray) -> None:
        self.features = np.asarray(features, dtype=np.float32)
        if not np.isfinite(self.features).all():
            raise ProbeFitError("features contain NaN or infinite values")
        wide = self.features.astype(np.float64)
        self.total = wide.sum(axis=0)
        self.total_squares = np.square(wide).sum(axis=0)

    def fold_coordinates(
        self, train_rows: np.ndarray, test_rows: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Standardised (train-fold statistics) train and test rows, reduced exactly if n < d."""
        held_out = self.features[test_rows].astype(np.float64)
        n_train = len(train_rows)
        mean = (self.total - held_out.sum(axis=0)) / n_train
        variance = (self.total_squares - np.square(held_out).sum(axis=0)) / n_train - mean**2
        scale = np.sqrt(np.maximum(variance, 0.0))
        scale[scale < 1e-6 * max(1.0, float(scale.max()))] = 1.0
        if n_train >= self.features.shape[1]:
            standardised = (self.features.astype(np.float64) - mean) / scale
            return standardised[train_rows], standardised[test_rows]
        standardised = ((self.features - mean) / scale).astype(np.float32)
        gram = (standardised @ standardised[train_rows].T).astype(np.float64)
        return reduce_gram(gram[train_rows], gram[test_rows])


def reduce_gram(train_gram: np.ndarray, test_gram: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Coordinates with the same inner products as the features (span of the training rows).

    ``train_gram = X Xᵀ`` of the training rows, ``test_gram = X_test Xᵀ``.
    """
    eigenvalues, eigenvectors = np.linalg.eigh(train_gram)
    if eigenvalues.max() <= 0.0:
        # Constant features (all standardised to zero): nothing to fit but the intercept.
        return np.zeros((len(train_gram), 1)), np.zeros((len(test_gram), 1))
    keep = eigenvalues > eigenvalues.max() * 1e-9
    root = np.sqrt(eigenvalues[keep])
    basis = eigenvectors[:, keep]
    return basis * root, test_gram @ basis / root


def _fit_predict(
    train: np.ndarray, labels: np.ndarray, test: np.ndarray, config: ProbeConfig
) -> np.ndarray:
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=config.c, solver="lbfgs", max_iter=config.max_iter, tol=config.tol)
    model.fit(train, labels)
    return model.predict(test)


def cross_validate_layer(
    features: np.ndarray,
    labels: np.ndarray,
    control: np.ndarray | None,
    splits: Sequence[tuple[np.ndarray, np.ndarray]],
    config: ProbeConfig,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray | None]:
    """Held-out correctness of one layer's probe (and control).

    Returns ``(fold_accuracy, correct, control_fold_accuracy, control_correct)``
    where ``correct`` is a per-row boolean array over ``features``' rows.
    """
    import sklearn
    from sklearn.exceptions import ConvergenceWarning
    from threadpoolctl import threadpool_limits

    data = LayerData(features)
    correct = np.zeros(len(labels), dtype=bool)
    control_correct = np.zeros(len(labels), dtype=bool) if control is not None else None
    accuracy, control_accuracy = [], []
    # One BLAS/OpenMP thread per fit: these problems are small, and on a busy
    # machine spinning thread pools made fits 3-5x slower. Inputs are checked
    # above (finite), so scikit-learn's per-call validation is skipped.
    with (
        threadpool_limits(1),
        sklearn.config_context(assume_finite=True, skip_parameter_validation=True),
        warnings.catch_warnings(),
    ):
        warnings.simplefilter("ignore", ConvergenceWarning)
        for train_rows, test_rows in splits:
            train, test = data.fold_coordinates(train_rows, test_rows)
            hits = _fit_predict(train, labels[train_rows], test, config) == labels[test_rows]
            correct[test_rows] = hits
            accuracy.append(hits.mean())
            if control is not None and control_correct is not None:
                hits = _fit_predict(train, control[train_rows], test, config) == control[test_rows]
                control_correct[test_rows] = hits
                control_accuracy.append(hits.mean())
    return (
        np.array(accuracy),
        correct,
        np.array(control_accuracy) if control is not None else None,
        control_correct,
    )


FeatureLoader = Callable[[str, int], np.ndarray]


def fit_probes(
    rows: Sequence[FeatureRow],
    layers: Sequence[tuple[str, int]],
    load: FeatureLoader,
    config: ProbeConfig | None = None,
    progress: Callable[[str, int], None] | None = None,
) -> ProbeResult:
    """Fit one probe per (category, part, layer) and, if ``config.pooled``, per (part, layer).

    Args:
        rows: Index of the episodes (row numbers index the loaded arrays).
        layers: ``(part, layer)`` pairs to probe.
        load: ``load(part, layer) -> (rows, dim)`` features.
        config: Probe settings.
        progress: Called with ``(part, layer)`` after each layer.
    """
    config = config or ProbeConfig()
    labels_all = np.array([row.label for row in rows])
    categories = {
        category: np.array(members) for category, members in rows_by_category(rows).items()
    }
    groups_all = [row.item_id for row in rows]

    result = ProbeResult(points=[], config=config)
    plans: dict[str, FoldPlan] = {}
    for category, members in categories.items():
        groups = [groups_all[i] for i in members]
        labels = labels_all[members]
        splits = fold_splits(labels, groups, config.folds, config.seed)
        control = control_labels(labels, groups, config.seed + 1) if config.control else None
        plans[category] = (members, labels, splits, control)
        result.groups[category] = groups
    if config.pooled and len(categories) > 1:
        plans[ALL_CATEGORIES] = _pooled_plan(plans, len(rows))
        result.groups[ALL_CATEGORIES] = [groups_all[i] for i in plans[ALL_CATEGORIES][0]]

    if config.jobs == 1:
        fitted = (
            _fit_layer(part, layer, load(part, layer), plans, config) for part, layer in layers
        )
    else:
        from joblib import Parallel, delayed

        fitted = Parallel(n_jobs=config.jobs, return_as="generator")(
            delayed(_fit_layer)(part, layer, load(part, layer), plans, config)
            for part, layer in layers
        )
    for (part, layer), points in zip(layers, fitted, strict=True):
        for point, correct in points:
            result.points.append(point)
            result.correct[(point.category, part, layer)] = correct
        result.points.append(_macro_point([point for point, _ in points], part, layer))
        if progress is not None:
            progress(part, layer)
    return result


def _macro_point(points: list[CurvePoint], part: str, layer: int) -> CurvePoint:
    """The ``overall`` point: mean over categories; spread = standard deviation over categories."""
    own = [point for point in points if point.category != ALL_CATEGORIES]
    accuracy = np.array([point.accuracy for point in own])
    control = np.array([point.control_accuracy for point in own])
    return CurvePoint(
        category=OVERALL,
        part=part,
        layer=layer,
        accuracy=float(accuracy.mean()),
        std=float(accuracy.std()),
        control_accuracy=float(control.mean()),
        control_std=float(control.std()),
        n=sum(point.n for point in own),
        fold_accuracies=(),
    )


FoldPlan = tuple[np.ndarray, np.ndarray, list[tuple[np.ndarray, np.ndarray]], np.ndarray | None]


def _pooled_plan(plans: dict[str, FoldPlan], n_rows: int) -> FoldPlan:
    """Folds of the all-category probe: fold j is the union of every category's fold j.

    Still grouped by item and stratified, and each item sits in the same fold
    as in its category's probe.
    """
    members = np.concatenate([plan[0] for plan in plans.values()])
    position = np.empty(n_rows, dtype=np.int64)
    position[members] = np.arange(len(members))
    labels = np.concatenate([plan[1] for plan in plans.values()])
    folds = len(next(iter(plans.values()))[2])
    splits = []
    for fold in range(folds):
        train = [position[plan[0][plan[2][fold][0]]] for plan in plans.values()]
        test = [position[plan[0][plan[2][fold][1]]] for plan in plans.values()]
        splits.append((np.concatenate(train), np.concatenate(test)))
    controls = [plan[3] for plan in plans.values()]
    control = None if any(c is None for c in controls) else np.concatenate(controls)  # type: ignore[arg-type]
    return members, labels, splits, control


def _fit_layer(
    part: str, layer: int, features: np.ndarray, plans: dict[str, FoldPlan], config: ProbeConfig
) -> list[tuple[CurvePoint, np.ndarray]]:
    nan = float("nan")
    points = []
    for category, (members, labels, splits, control) in plans.items():
        fold_acc, correct, control_acc, _ = cross_validate_layer(
            features[members], labels, control, splits, config
        )
        point = CurvePoint(
            category=category,
            part=part,
            layer=layer,
            accuracy=float(fold_acc.mean()),
            std=float(fold_acc.std()),
            control_accuracy=float(control_acc.mean()) if control_acc is not None else nan,
            control_std=float(control_acc.std()) if control_acc is not None else nan,
            n=len(members),
            fold_accuracies=tuple(float(value) for value in fold_acc),
        )
        points.append((point, correct))
    return points


def fit_store(
    store: FeatureStore,
    config: ProbeConfig | None = None,
    progress: Callable[[str, int], None] | None = None,
) -> ProbeResult:
    """:func:`fit_probes` over every layer of a feature store."""
    config = config or ProbeConfig()
    rows = store.rows()
    if not rows:
        raise ProbeFitError(f"{store.root}: no episodes stored")
    return fit_probes(
        rows,
        [layer.key for layer in store.layers],
        lambda part, layer: store.load(part, layer, config.pooling),
        config,
        progress,
    )
