"""The SQLite result store: exactly-once rows, config binding, schema version, NaN."""

from __future__ import annotations

import math
import sqlite3

import pytest

from act2answer.errors import RunError
from act2answer.eval import EpisodeResult, Outcome, RunConfig
from act2answer.interfaces import Side
from act2answer.policies import PolicySpec
from act2answer.sim import SimConfig
from act2answer.store import ResultStore


def _config(policy: str = "oracle") -> RunConfig:
    return RunConfig(
        suite_name="s-v1", suite_hash="0" * 64, suite_path="/tmp/s", policy=PolicySpec(name=policy),
        sim=SimConfig(),
    )  # fmt: skip


def _result(item: str, side: Side = Side.LEFT, outcome: Outcome = Outcome.CORRECT) -> EpisodeResult:
    return EpisodeResult(
        item_id=item, category="Color", answer_side=side, seed=2**62 + 7, outcome=outcome,
        chosen_side=side if outcome is Outcome.CORRECT else None, cube_x=0.1, cube_y=-0.2,
        cube_z=math.nan, distance_to_correct=0.001, released=True, steps=12, wall_time_s=0.05,
        error="boom" if outcome is Outcome.ERROR else None,
    )  # fmt: skip


def test_rows_round_trip_and_are_stored_once(tmp_path):
    with ResultStore(tmp_path) as store:
        store.bind_config(_config())
        assert store.add(_result("a")) is True
        assert store.add(_result("a")) is False
        assert store.add(_result("a", Side.RIGHT, Outcome.ERROR)) is True
        assert store.count() == 2
        assert store.finished_keys() == {("a", "left"), ("a", "right")}
    with ResultStore.open_existing(tmp_path) as store:
        left, right = store.results()
        assert left.seed == 2**62 + 7 and left.outcome is Outcome.CORRECT
        assert math.isnan(left.cube_z) and left.cube_y == -0.2 and left.released is True
        assert right.error == "boom" and right.chosen_side is None
        assert store.delete_errors() == 1
        assert store.count() == 1
        assert store.config() == _config().model_copy(
            update={"created_at": store.config().created_at}  # type: ignore[union-attr]
        )


def test_a_different_config_is_refused(tmp_path):
    with ResultStore(tmp_path) as store:
        store.bind_config(_config("oracle"))
        store.bind_config(_config("oracle"))
        with pytest.raises(RunError, match="policy"):
            store.bind_config(_config("left"))


def test_schema_version_mismatch_and_missing_database(tmp_path):
    with pytest.raises(RunError, match=r"no results\.sqlite"):
        ResultStore.open_existing(tmp_path)
    ResultStore(tmp_path).close()
    with sqlite3.connect(tmp_path / "results.sqlite") as db:
        db.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(RunError, match="schema version 99"):
        ResultStore(tmp_path)
