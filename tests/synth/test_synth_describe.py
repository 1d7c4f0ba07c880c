"""explicit_object control instructions (issue #12 conditions) for every procedural category."""

from __future__ import annotations

import re

import pytest

from act2answer.synth import CATEGORY_ORDER, generate_suite, get_generator, item_rng
from act2answer.synth.describe import explicit_object

SEED = 53  # not used by other tests
SIDE_WORDS = re.compile(r"\b(left|right|near|far|first|second)\b", re.IGNORECASE)


@pytest.mark.slow  # make test-fast leaves it out (see tests/helpers/tiers.py)
@pytest.mark.parametrize("category", CATEGORY_ORDER)
def test_every_item_gets_an_explicit_object_that_names_no_side(category: str) -> None:
    generator = get_generator(category)
    texts = set()
    for i in range(60):
        item = generator.generate(item_rng(SEED, category, i))
        text = explicit_object(category, item.meta)
        assert text, (category, item.meta)
        assert text.startswith("put the cube on the "), text
        assert not SIDE_WORDS.search(text), text
        texts.add(text)
    assert len(texts) > 3  # describes the item, not the category


@pytest.mark.slow  # make test-fast leaves it out (see tests/helpers/tiers.py)
@pytest.mark.parametrize("category", ["Emotion", "Traffic", "Public Info"])
def test_explicit_object_tells_the_two_options_apart(category: str) -> None:
    """Described from the distractor's meta, the text changes: it names the answer's content."""
    generator = get_generator(category)
    for i in range(60):
        meta = dict(generator.generate(item_rng(SEED, category, i)).meta)
        swapped = {
            **meta,
            "concept": meta["distractor_concept"],
            "params": meta.get("distractor_params"),
            "board": meta.get("distractor_board"),
        }
        assert explicit_object(category, meta) != explicit_object(category, swapped), meta


def test_generated_suite_writes_explicit_object_for_every_item(tmp_path) -> None:
    suite = generate_suite(tmp_path / "s", per_category=1, seed=SEED, workers=1)
    assert {item.category for item in suite.items} == set(CATEGORY_ORDER)
    for item in suite.items:
        assert item.explicit_object and not SIDE_WORDS.search(item.explicit_object), item.id
