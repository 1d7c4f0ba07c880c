"""Shortcut audit: can a suite's answers be found without the knowledge it asks for?

For every category, simple classifiers see only pixel statistics of the two
options (brightness, ink, saturation, colourfulness, edge density, bounding
box, file size...) and try to guess which option is correct. Their
cross-validated accuracy, with a Wilson 95% interval, says how far a policy
could get by such statistics alone. A category is **flagged** when its best
instruction-free shortcut beats :data:`FLAG_ACCURACY` with the interval's lower
end above :data:`FLAG_LOWER`.

Two more baselines are reported but never flagged, because some of their
signal is inherent to the task:

- *instruction-aware*: the same pixel differences signed by the instruction's
  polarity word (bigger/more/taller... vs smaller/fewer/shorter...). "Taller"
  really does mean more ink, so a high score here is expected for Attribute
  and Counting.
- *image prior* (instruction-free, flagged): is one depicted concept usually
  the answer? Concepts come from ``meta`` pairs (``concept`` /
  ``distractor_concept``, ``target_shape`` / ``distractor_shape``...) and, for
  suites without them, from identical images reused across items.

Classifiers come from scikit-learn (``pip install 'act2answer[analysis]'``).
Every item is seen in both orders (options swapped, label flipped), both
copies in the same cross-validation group, so a model never meets the mirror
of an item it was tested on.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

from act2answer.errors import Act2AnswerError, ImageFileError
from act2answer.suite._io import load_suite
from act2answer.suite._model import Suite, SuiteItem
from act2answer.suite.images import read_rgb

#: A category is flagged when its best instruction-free shortcut is above this accuracy...
FLAG_ACCURACY = 0.65
#: ...and the lower end of its 95% interval is above this.
FLAG_LOWER = 0.60
#: Side to which option images are reduced before features are measured.
FEATURE_SIZE = 128
#: Cross-validation folds (fewer when a category has few items).
FOLDS = 5
#: Categories with fewer items are reported but not fitted.
MIN_ITEMS = 20
#: With ``group_by``, groups of at least this many items are audited on their own.
#: Fewer than :data:`MIN_ITEMS` is enough here: the flag rule's interval makes a
#: small group flag only when nearly all its items are answered (11 of 12).
MIN_GROUP_ITEMS = 12

FEATURE_NAMES: tuple[str, ...] = (
    "brightness",
    "brightness_std",
    "ink",
    "dark_ink",
    "saturation",
    "colourfulness",
    "edge_density",
    "bbox_width",
    "bbox_height",
    "bbox_area",
    "centre_x",
    "centre_y",
    "file_size",
    "line_offset",
)

#: A dark stroke counts as a drawn line when its principal extent is this many times
#: its cross extent (standard deviations); otherwise :func:`line_offset` is 0.
LINE_ELONGATION = 6.0

#: Instruction words that ask for "more of something" (+1) or "less" (-1).
POLARITY_WORDS: dict[str, int] = {
    **dict.fromkeys(("bigger", "larger", "more", "taller", "longer", "thicker", "wider",
                     "heavier", "higher", "most", "biggest", "largest"), 1),
    **dict.fromkeys(("smaller", "fewer", "less", "shorter", "thinner", "narrower", "lighter",
                     "lower", "least", "smallest"), -1),
}  # fmt: skip


class AuditError(Act2AnswerError):
    """The audit cannot run (missing scikit-learn, empty suite)."""


@dataclass(frozen=True)
class Shortcut:
    """One baseline's cross-validated accuracy on a category.

    Attributes:
        name: ``logistic``, ``stump``, ``tree``, ``image_prior``, ``polarity_logistic``...
        kind: ``"instruction-free"`` (can flag) or ``"instruction-aware"`` (never flags).
        accuracy: Share of items answered right on held-out folds.
        low: Lower end of the Wilson 95% interval.
        high: Upper end.
        n: Items scored.
        detail: What the model leaned on (e.g. ``"pick lower dark_ink"``).
    """

    name: str
    kind: str
    accuracy: float
    low: float
    high: float
    n: int
    detail: str = ""

    @property
    def flags(self) -> bool:
        """True when this shortcut alone is strong enough to flag its category."""
        return (
            self.kind == "instruction-free"
            and self.accuracy > FLAG_ACCURACY
            and self.low > FLAG_LOWER
        )


@dataclass
class CategoryAudit:
    """Audit of one category."""

    category: str
    n_items: int
    shortcuts: list[Shortcut] = field(default_factory=list)
    note: str = ""

    @property
    def best_free(self) -> Shortcut | None:
        """The strongest instruction-free shortcut."""
        free = [s for s in self.shortcuts if s.kind == "instruction-free"]
        return max(free, key=lambda s: s.accuracy) if free else None

    @property
    def best_aware(self) -> Shortcut | None:
        """The strongest instruction-aware baseline."""
        aware = [s for s in self.shortcuts if s.kind == "instruction-aware"]
        return max(aware, key=lambda s: s.accuracy) if aware else None

    @property
    def flagged(self) -> bool:
        """True when an instruction-free shortcut flags this category."""
        return any(s.flags for s in self.shortcuts)


@dataclass
class AuditReport:
    """Audit of a whole suite."""

    root: Path
    categories: list[CategoryAudit] = field(default_factory=list)

    @property
    def flagged(self) -> list[str]:
        """Names of the flagged categories."""
        return [c.category for c in self.categories if c.flagged]

    def summary_line(self) -> str:
        """One line for ``suite check``."""
        fitted = [c for c in self.categories if c.best_free is not None]
        if not fitted:
            return f"shortcut audit: no category has {MIN_ITEMS}+ items to audit"
        worst = max(fitted, key=lambda c: c.best_free.accuracy)  # type: ignore[union-attr]
        best = worst.best_free
        assert best is not None
        strongest = (
            f"strongest {worst.category} {best.name} {best.accuracy:.0%} "
            f"[{best.low:.0%}, {best.high:.0%}]"
        )
        if self.flagged:
            return f"shortcut audit: FLAGGED {', '.join(self.flagged)} ({strongest})"
        return f"shortcut audit: no category flagged ({strongest})"

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {
            "root": str(self.root),
            "flag_rule": {"accuracy_above": FLAG_ACCURACY, "interval_low_above": FLAG_LOWER},
            "flagged": self.flagged,
            "categories": [{**asdict(c), "flagged": c.flagged} for c in self.categories],
        }

    def to_rich(self):  # type: ignore[no-untyped-def]
        """A ``rich`` table: best instruction-free shortcut, image prior, instruction-aware."""
        from rich.console import Group
        from rich.table import Table
        from rich.text import Text

        table = Table(title=f"shortcut audit: {self.root}")
        for column in ("category", "items", "best shortcut", "acc [95% CI]", "leans on"):
            table.add_column(column, justify="right" if column == "items" else "left")
        for column in ("prior", "aware", "flag"):
            table.add_column(column, justify="right")
        for cat in self.categories:
            best = cat.best_free
            prior = next((s for s in cat.shortcuts if s.name == "image_prior"), None)
            aware = cat.best_aware
            table.add_row(
                cat.category,
                str(cat.n_items),
                best.name if best else cat.note or "-",
                _fmt(best),
                best.detail if best else "",
                f"{prior.accuracy:.0%}" if prior else "-",
                f"{aware.accuracy:.0%}" if aware else "-",
                Text("FLAG", style="bold red") if cat.flagged else Text("ok", style="green"),
            )
        return Group(table, Text(self.summary_line()))


def _fmt(s: Shortcut | None) -> str:
    return f"{s.accuracy:.1%} [{s.low:.0%}, {s.high:.0%}]" if s else "-"


# ----------------------------------------------------------------------------- statistics


def wilson_interval(successes: float, n: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson score interval of a binomial proportion."""
    if n == 0:
        return 0.0, 1.0
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


# ----------------------------------------------------------------------------- features


def image_features(path: Path) -> np.ndarray:
    """Instruction-free pixel statistics of one option image (see :data:`FEATURE_NAMES`).

    Raises:
        ImageFileError: the file cannot be read.
    """
    rgb = read_rgb(path)
    image = Image.fromarray(rgb)
    if image.size != (FEATURE_SIZE, FEATURE_SIZE):
        image = image.resize((FEATURE_SIZE, FEATURE_SIZE), Image.Resampling.BOX)
    a = np.asarray(image, dtype=np.float64)
    lum = a @ np.array([0.299, 0.587, 0.114])
    border = np.concatenate([a[0], a[-1], a[:, 0], a[:, -1]])
    bg = np.median(border, axis=0)
    ink = np.abs(a - bg).sum(axis=2) > 60
    mx, mn = a.max(axis=2), a.min(axis=2)
    saturation = np.where(mx > 0, (mx - mn) / np.maximum(mx, 1), 0)
    rg = a[..., 0] - a[..., 1]
    yb = (a[..., 0] + a[..., 1]) / 2 - a[..., 2]
    colourfulness = math.hypot(rg.std(), yb.std()) + 0.3 * math.hypot(rg.mean(), yb.mean())
    gy, gx = np.gradient(lum)
    edges = np.hypot(gx, gy) > 40
    if ink.any():
        ys, xs = np.nonzero(ink)
        width = (xs.max() - xs.min() + 1) / FEATURE_SIZE
        height = (ys.max() - ys.min() + 1) / FEATURE_SIZE
        centre = (xs.mean() / FEATURE_SIZE, ys.mean() / FEATURE_SIZE)
    else:
        width = height = 0.0
        centre = (0.5, 0.5)
    return np.array([
        lum.mean() / 255, lum.std() / 255, ink.mean(), (lum < 90).mean(), saturation.mean(),
        colourfulness / 255, edges.mean(), width, height, width * height, centre[0], centre[1],
        math.log(max(path.stat().st_size, 1)), line_offset(a),
    ])  # fmt: skip


def line_offset(rgb: np.ndarray) -> float:
    """Distance from the coloured figure's centroid to the dark drawn line, in image widths.

    For line categories (Symmetry's dashed line): the darkest pixels (mean RGB
    below 90) are taken as the line if they are elongated (principal standard
    deviation at least :data:`LINE_ELONGATION` times the cross one); the figure
    is every other pixel that differs from the border colour. A suite whose
    correct lines run through their figure's middle and whose wrong lines do not
    is answerable from this number alone; the audit's models see it like any
    other feature. Returns 0.0 when there is no elongated dark stroke or no figure.

    Args:
        rgb: ``(H, W, 3)`` image, any numeric dtype, values 0-255.
    """
    a = np.asarray(rgb, dtype=np.float64)
    side = max(a.shape[:2])
    dark = a.mean(axis=2) < 90
    border = np.concatenate([a[0], a[-1], a[:, 0], a[:, -1]])
    figure = (np.abs(a - np.median(border, axis=0)).sum(axis=2) > 60) & ~dark
    if dark.sum() < 10 or figure.sum() < 10:
        return 0.0
    ys, xs = np.nonzero(dark)
    points = np.stack([xs, ys], axis=1).astype(np.float64)
    centre = points.mean(axis=0)
    values, vectors = np.linalg.eigh(np.cov((points - centre).T))
    if values[1] < LINE_ELONGATION**2 * max(values[0], 1e-9):
        return 0.0
    normal = vectors[:, 0]  # across the line
    fy, fx = np.nonzero(figure)
    figure_centre = np.array([fx.mean(), fy.mean()])
    return float(abs((figure_centre - centre) @ normal) / side)


#: :func:`centroid_line_choice` calls two offsets equal within this many image widths.
LINE_OFFSET_TIE = 2 / 512


def centroid_line_choice(correct: np.ndarray, wrong: np.ndarray) -> float:
    """Score of the heuristic "pick the option whose line runs through the figure's middle".

    Args:
        correct: RGB pixels of the correct option.
        wrong: RGB pixels of the wrong option.

    Returns:
        1.0 when the correct option's line is nearer its figure's centroid, 0.0
        when the wrong one's is, 0.5 when they are within :data:`LINE_OFFSET_TIE`.
    """
    good, bad = line_offset(correct), line_offset(wrong)
    if abs(good - bad) <= LINE_OFFSET_TIE:
        return 0.5
    return 1.0 if good < bad else 0.0


def instruction_polarity(instruction: str) -> int:
    """+1 for "bigger/more/taller...", -1 for "smaller/fewer/shorter...", 0 otherwise."""
    words = re.findall(r"[a-z]+", instruction.lower())
    values = {POLARITY_WORDS[w] for w in words if w in POLARITY_WORDS}
    return values.pop() if len(values) == 1 else 0


def concept_labels(item: SuiteItem) -> tuple[str, str] | None:
    """What the correct and the wrong option depict, when the suite says so.

    Uses the first ``meta`` pair ``X`` / ``distractor_X`` (``concept``, ``figure``,
    ``target_shape`` -> ``distractor_shape``...); returns None when there is none.
    """
    meta = item.meta or {}
    for key, value in meta.items():
        if not key.startswith("distractor_") or isinstance(value, dict | list):
            continue
        stem = key.removeprefix("distractor_")
        for own in (stem, f"target_{stem}"):
            if own in meta and not isinstance(meta[own], dict | list):
                return f"{stem}={meta[own]}", f"{stem}={value}"
    return None


# ----------------------------------------------------------------------------- the audit


@dataclass
class _CategoryData:
    items: list[SuiteItem]
    features: np.ndarray  # (n, 2, F): option 0 and option 1
    answers: np.ndarray  # (n,)
    polarity: np.ndarray  # (n,)
    concepts: list[tuple[str, str]]  # per item, (option 0 label, option 1 label)


def audit_suite(
    root: Path | str,
    *,
    categories: Sequence[str] | None = None,
    seed: int = 0,
    progress: Callable[[str], None] | None = None,
    group_by: str | None = None,
) -> AuditReport:
    """Run the shortcut audit on a suite folder.

    Args:
        root: Suite folder.
        categories: Only these categories (default: all).
        seed: Seed of the cross-validation split.
        progress: Called with each category name before it is audited.
        group_by: A ``meta`` key (e.g. ``"distractor_mode"``): each category is also
            audited per value of it, as ``"Category [key=value]"`` entries (groups of
            :data:`MIN_GROUP_ITEMS`+ items, categories with 2+ values). A shortcut
            confined to one kind of distractor is diluted in its category's audit and
            stands out in its group's.

    Returns:
        The report; ``report.flagged`` lists the flagged categories.

    Raises:
        AuditError: scikit-learn is missing.
        ImageFileError: an option image cannot be read (the message names the file and item).
        SuiteError: the suite does not load.
    """
    _require_sklearn()
    suite = load_suite(root, check_images=False)
    by_category: dict[str, list[SuiteItem]] = {}
    for item in suite.items:
        if categories is None or item.category in categories:
            by_category.setdefault(item.category, []).append(item)
    report = AuditReport(root=Path(root))
    hashes: dict[str, str] = {}
    for category, items in by_category.items():
        if progress is not None:
            progress(category)
        data = _category_data(suite, items, hashes)  # reads every image, even if not fitted
        if len(items) < MIN_ITEMS:
            report.categories.append(
                CategoryAudit(category, len(items), note=f"< {MIN_ITEMS} items, not fitted")
            )
            continue
        report.categories.append(audit_category(category, data, seed=seed))
        if group_by is not None:
            report.categories.extend(_group_audits(category, data, group_by, seed))
    return report


def _group_audits(
    category: str, data: _CategoryData, group_by: str, seed: int
) -> list[CategoryAudit]:
    """Audits of the items of ``category`` that share a value of ``meta[group_by]``."""
    groups: dict[str, list[int]] = {}
    for index, item in enumerate(data.items):
        value = (item.meta or {}).get(group_by)
        if value is not None:
            groups.setdefault(str(value), []).append(index)
    if len(groups) < 2:
        return []
    audits = []
    for value, indices in sorted(groups.items()):
        if len(indices) < MIN_GROUP_ITEMS:
            continue
        subset = _CategoryData(
            items=[data.items[i] for i in indices],
            features=data.features[indices],
            answers=data.answers[indices],
            polarity=data.polarity[indices],
            concepts=[data.concepts[i] for i in indices],
        )
        audits.append(audit_category(f"{category} [{group_by}={value}]", subset, seed=seed))
    return audits


def _category_data(suite: Suite, items: list[SuiteItem], hashes: dict[str, str]) -> _CategoryData:
    features = np.zeros((len(items), 2, len(FEATURE_NAMES)))
    concepts: list[tuple[str, str]] = []
    for i, item in enumerate(items):
        for j, option in enumerate(item.options):
            path = suite.image_path(option)
            try:
                features[i, j] = image_features(path)
            except ImageFileError as exc:
                raise ImageFileError(path, f"item {item.id!r}: {exc.reason}") from None
        labels = concept_labels(item)
        if labels is not None:
            correct, wrong = labels
            concepts.append((correct, wrong) if item.answer == 0 else (wrong, correct))
        else:
            concepts.append(tuple(_file_hash(suite.image_path(o), hashes) for o in item.options))  # type: ignore[misc]
    return _CategoryData(
        items=items,
        features=features,
        answers=np.array([item.answer for item in items]),
        polarity=np.array([instruction_polarity(item.instruction) for item in items]),
        concepts=concepts,
    )


def _file_hash(path: Path, cache: dict[str, str]) -> str:
    key = str(path)
    if key not in cache:
        cache[key] = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    return cache[key]


def audit_category(category: str, data: _CategoryData, *, seed: int = 0) -> CategoryAudit:
    """Fit every baseline on one category's features with grouped cross-validation."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.tree import DecisionTreeClassifier

    n = len(data.items)
    diff = data.features[:, 0] - data.features[:, 1]  # option 0 minus option 1
    y = (data.answers == 0).astype(int)  # 1: option 0 is correct
    folds = _folds(n, seed)
    audit = CategoryAudit(category, n)

    models: dict[str, Callable[[], object]] = {
        "logistic": lambda: make_pipeline(
            StandardScaler(with_mean=False), LogisticRegression(C=1.0, fit_intercept=False)
        ),
        "stump": lambda: DecisionTreeClassifier(max_depth=1, random_state=seed),
        "tree": lambda: DecisionTreeClassifier(max_depth=3, min_samples_leaf=10, random_state=seed),
    }
    for name, make in models.items():
        hits = _cross_validate(make, diff, y, folds)
        audit.shortcuts.append(
            _shortcut(name, "instruction-free", hits, _describe(name, make, diff, y))
        )
    hits = _prior_hits(data.concepts, y, folds)
    if hits is not None:
        audit.shortcuts.append(_shortcut("image_prior", "instruction-free", hits,
                                         "pick the concept more often correct"))  # fmt: skip
    signed = data.polarity != 0
    if signed.sum() >= MIN_ITEMS:
        aware = diff * np.where(signed, data.polarity, 1.0)[:, None]
        aware_x = np.concatenate([aware * signed[:, None], diff * ~signed[:, None]], axis=1)

        def make_aware() -> object:
            return make_pipeline(StandardScaler(with_mean=False),
                                 LogisticRegression(C=1.0, fit_intercept=False))  # fmt: skip

        hits = _cross_validate(make_aware, aware_x, y, folds)
        audit.shortcuts.append(_shortcut(
            "polarity_logistic", "instruction-aware", hits,
            f"pixel differences x polarity word ({int(signed.sum())} items have one)"))  # fmt: skip
        ink = FEATURE_NAMES.index("ink")
        rule = np.where(aware[:, ink] > 0, 1, 0)
        polar_hits = (rule == y)[signed].astype(float)
        audit.shortcuts.append(_shortcut(
            "polarity_x_ink", "instruction-aware", polar_hits,
            "'more' words pick more ink, 'less' words less ink"))  # fmt: skip
    return audit


def _shortcut(name: str, kind: str, hits: np.ndarray, detail: str) -> Shortcut:
    # A tie (the model cannot tell the options apart) counts as half a hit: a coin flip.
    k, n = float(hits.sum()), int(hits.size)
    low, high = wilson_interval(k, n)
    return Shortcut(name, kind, k / n if n else 0.0, low, high, n, detail)


def _folds(n: int, seed: int) -> np.ndarray:
    """Fold number of each item (items are the groups)."""
    k = max(2, min(FOLDS, n // 4))
    order = np.random.default_rng(seed).permutation(n)
    folds = np.empty(n, dtype=int)
    folds[order] = np.arange(n) % k
    return folds


def _cross_validate(
    make: Callable[[], object], x: np.ndarray, y: np.ndarray, folds: np.ndarray
) -> np.ndarray:
    """Per-item held-out hit (1, 0, or 0.5 for a tie), trained on both orders of other folds."""
    hits = np.zeros(len(y))
    for fold in np.unique(folds):
        train, test = folds != fold, folds == fold
        xt = np.concatenate([x[train], -x[train]])
        yt = np.concatenate([y[train], 1 - y[train]])
        model = make()
        model.fit(xt, yt)  # type: ignore[attr-defined]
        # Score each held-out item in both orders and average, so a model cannot
        # win by favouring one slot.
        p = model.predict_proba(x[test])[:, 1] - model.predict_proba(-x[test])[:, 1]  # type: ignore[attr-defined]
        guess = np.where(p > 0, 1, np.where(p < 0, 0, -1))
        hit = (guess == y[test]).astype(float)
        hit[guess == -1] = 0.5
        hits[np.flatnonzero(test)] = hit
    return hits


def _prior_hits(
    concepts: list[tuple[str, str]], y: np.ndarray, folds: np.ndarray
) -> np.ndarray | None:
    """Held-out hits of "pick the option whose concept was more often correct in training"."""
    labels = {c for pair in concepts for c in pair}
    if len(labels) > 0.8 * 2 * len(concepts):  # nearly every image unique: no prior to learn
        return None
    hits = np.zeros(len(y))
    for fold in np.unique(folds):
        rate: dict[str, list[int]] = {}
        for i in np.flatnonzero(folds != fold):
            a, b = concepts[i]
            rate.setdefault(a, [0, 0])[0] += int(y[i] == 1)
            rate.setdefault(a, [0, 0])[1] += 1
            rate.setdefault(b, [0, 0])[0] += int(y[i] == 0)
            rate.setdefault(b, [0, 0])[1] += 1
        index = np.flatnonzero(folds == fold)
        hit = np.zeros(len(index))
        for k, i in enumerate(index):
            a, b = concepts[i]
            ra = (rate.get(a, [0, 0])[0] + 1) / (rate.get(a, [0, 0])[1] + 2)
            rb = (rate.get(b, [0, 0])[0] + 1) / (rate.get(b, [0, 0])[1] + 2)
            hit[k] = 0.5 if ra == rb else float((ra > rb) == (y[i] == 1))
        hits[index] = hit
    return hits


def _describe(name: str, make: Callable[[], object], x: np.ndarray, y: np.ndarray) -> str:
    """What a model fitted on all items leans on (for the report)."""
    model = make()
    model.fit(np.concatenate([x, -x]), np.concatenate([y, 1 - y]))  # type: ignore[attr-defined]
    if name == "logistic":
        coef = model[-1].coef_[0] / model[0].scale_  # type: ignore[index]
        k = int(np.argmax(np.abs(coef * x.std(axis=0))))
        return f"mostly {'higher' if coef[k] > 0 else 'lower'} {FEATURE_NAMES[k]}"
    tree = model.tree_  # type: ignore[attr-defined]
    if tree.node_count < 2:
        return "no split"
    k = int(tree.feature[0])
    left_value = tree.value[tree.children_left[0]][0]
    picks_lower = left_value[1] > left_value[0]  # low diff (option 0 lower) -> option 0 correct
    return f"{'pick lower' if picks_lower else 'pick higher'} {FEATURE_NAMES[k]}"


def _require_sklearn() -> None:
    try:
        import sklearn  # noqa: F401
    except ImportError:
        raise AuditError(
            "the shortcut audit needs scikit-learn: pip install 'act2answer[analysis]'"
        ) from None


def write_audit_json(report: AuditReport, path: Path | str) -> Path:
    """Write the report as JSON."""
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report.to_dict(), indent=2))
    return out
