"""Issue #23: a freshly generated suite leaves the shortcut audit with nothing flagged.

Several categories, a few dozen items each (the audit fits from 20 items on).
With this few items only a strong shortcut can flag (accuracy > 65% with the
Wilson interval's low end > 60% needs ~26 of 32 right), so this guards against
a generator change that makes the answer plainly readable from pixel statistics,
concept priors or the line's position; the 150-per-category audits in the notes
measure the weaker ones.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from act2answer.quality.audit import FLAG_ACCURACY, audit_suite
from act2answer.synth import generate_suite

CATEGORIES = ("Shape", "Symmetry", "Counting", "Emotion", "Living World")
PER_CATEGORY = 32
SEED = 2330  # not used by other tests

pytestmark = pytest.mark.slow  # ~15 s of CPU: make test-fast leaves it out


def test_generated_suite_has_no_flagged_category(tmp_path: Path) -> None:
    generate_suite(
        tmp_path, per_category=PER_CATEGORY, seed=SEED, categories=list(CATEGORIES), workers=1
    )
    report = audit_suite(tmp_path)
    assert [c.category for c in report.categories] == list(CATEGORIES)
    assert all(c.n_items == PER_CATEGORY and c.best_free is not None for c in report.categories)
    assert report.flagged == [], report.summary_line()
    for category in report.categories:
        best = category.best_free
        assert best is not None and best.accuracy <= FLAG_ACCURACY + 0.1, (category.category, best)
