"""Suite loading: valid suites load, every kind of bad input names file, line and field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from act2answer.errors import SuiteError
from act2answer.interfaces import Side
from act2answer.suite import SUITE_FILE, load_suite


def _rewrite(root: Path, line: int, **changes: object) -> None:
    path = root / SUITE_FILE
    rows = [json.loads(text) for text in path.read_text().splitlines()]
    rows[line - 1].update(changes)
    path.write_text("\n".join(json.dumps(row) for row in rows) + "\n")


def test_valid_suite_loads_with_name_hash_and_categories(make_suite):
    suite = make_suite(4)
    assert suite.name == "test-suite-v1"
    assert len(suite.items) == 4
    assert suite.categories == ["Color", "Shade"]
    assert len(suite.content_hash) == 64
    item = suite.items[1]
    assert item.answer == 1
    correct = item.options[1]
    assert item.option_for(Side.LEFT, Side.LEFT) == correct
    assert item.option_for(Side.RIGHT, Side.LEFT) == item.options[0]


def test_hash_changes_when_an_image_changes(make_suite):
    suite = make_suite(2)
    (suite.root / suite.items[0].options[0]).write_bytes(
        (suite.root / suite.items[0].options[1]).read_bytes()
    )
    assert load_suite(suite.root).content_hash != suite.content_hash


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"options": ["img/missing.png", "img/0_b.png"]}, "options.0", "does not exist"),
        ({"options": ["img/0_a.png", "../outside.png"]}, "options.1", "escapes the suite folder"),
        ({"options": ["/etc/passwd", "img/0_b.png"]}, "options.0", "must be relative"),
        ({"answer": 2}, "answer", "answer must be 0 or 1"),
        ({"instruction": "   "}, "instruction", "instruction is empty"),
        ({"id": "item-0"}, "id", "duplicate id"),
        ({"options": ["img/0_a.png"]}, "options.1", "required"),
        ({"colour": "red"}, "colour", None),
    ],
)
def test_bad_items_name_file_line_and_field(make_suite, changes, field, message):
    suite = make_suite(3)
    (suite.root.parent / "outside.png").write_bytes(b"")
    _rewrite(suite.root, 2, **changes)
    with pytest.raises(SuiteError) as caught:
        load_suite(suite.root)
    error = caught.value
    assert error.line == 2
    assert error.field == field
    assert error.path is not None and error.path.name == SUITE_FILE
    assert f"{SUITE_FILE}:2" in str(error)
    if message:
        assert message in str(error)


def test_image_that_does_not_decode(make_suite):
    suite = make_suite(2)
    (suite.root / suite.items[1].options[0]).write_bytes(b"\x89PNG\r\n\x1a\nnot really a png")
    with pytest.raises(SuiteError, match="does not decode") as caught:
        load_suite(suite.root)
    assert caught.value.item_id == "item-1"
    assert caught.value.field == "options.0"


def test_malformed_json_line(make_suite):
    suite = make_suite(2)
    path = suite.root / SUITE_FILE
    path.write_text(path.read_text() + '{"id": "broken", \n')
    with pytest.raises(SuiteError, match="not valid JSON") as caught:
        load_suite(suite.root)
    assert caught.value.line == 3


def test_missing_suite_file_and_empty_suite(tmp_path):
    with pytest.raises(SuiteError, match=r"no suite\.jsonl"):
        load_suite(tmp_path)
    (tmp_path / SUITE_FILE).write_text("\n")
    with pytest.raises(SuiteError, match="no items"):
        load_suite(tmp_path)
