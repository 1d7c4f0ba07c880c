"""The run database: ``results.sqlite`` in the run folder.

All SQL lives in this module. Every finished episode is committed at once
(WAL mode), so a killed run keeps everything it finished; ``(item_id,
answer_side)`` is the primary key, so a resumed run can never store an episode
twice.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from act2answer.errors import RunError
from act2answer.eval.config import RunConfig
from act2answer.eval.results import EpisodeResult

DB_FILE = "results.sqlite"
SCHEMA_VERSION = 3

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS episodes (
    item_id TEXT NOT NULL,
    answer_side TEXT NOT NULL CHECK (answer_side IN ('left', 'right')),
    category TEXT NOT NULL,
    seed INTEGER NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('correct', 'wrong', 'no_answer', 'error')),
    chosen_side TEXT,
    cube_x REAL, cube_y REAL, cube_z REAL,
    distance_to_correct REAL,
    released INTEGER NOT NULL CHECK (released IN (0, 1)),
    steps INTEGER NOT NULL,
    wall_time_s REAL NOT NULL,
    error TEXT,
    video TEXT,
    scores TEXT NOT NULL DEFAULT '[]',
    intent TEXT,
    finished_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (item_id, answer_side)
);
"""

_FIELDS = EpisodeResult.field_names()
_COLUMNS = ", ".join(_FIELDS)


class ResultStore:
    """Episode results and the run's frozen configuration in one SQLite file.

    Args:
        run_dir: The run folder (created if missing).
    """

    def __init__(self, run_dir: Path | str) -> None:
        self.run_dir = Path(run_dir)
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.path = self.run_dir / DB_FILE
        self._db = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA busy_timeout=30000")
        self._db.executescript(_SCHEMA)
        version = self._get_meta("schema_version")
        if version is None:
            self._set_meta("schema_version", str(SCHEMA_VERSION))
        elif int(version) != SCHEMA_VERSION:
            raise RunError(
                f"{self.path}: database schema version {version}, this act2answer "
                f"reads version {SCHEMA_VERSION} (version 3 added outcomes under every "
                "scoring rule, intent metrics and the reference scene: rerun into a new "
                "--out folder)"
            )

    @classmethod
    def open_existing(cls, run_dir: Path | str) -> ResultStore:
        """Open the database of an existing run, failing clearly when there is none."""
        path = Path(run_dir) / DB_FILE
        if not path.is_file():
            raise RunError(f"{run_dir}: no {DB_FILE}; is this a run folder?")
        return cls(run_dir)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> ResultStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- run configuration -------------------------------------------------

    def bind_config(self, config: RunConfig) -> None:
        """Record the run's configuration, or check it matches the recorded one.

        Raises:
            RunError: the folder holds a run with another suite, policy or settings.
        """
        stored = self.config()
        if stored is None:
            self._set_meta("run_config", config.model_dump_json())
            return
        differences = stored.differences(config)
        if differences:
            raise RunError(
                f"{self.run_dir} holds a different run ({'; '.join(differences)}); "
                "use another --out folder to start a new run, or rerun with the stored "
                "settings to resume it (`act2answer run --help` lists them)"
            )

    def config(self) -> RunConfig | None:
        """The recorded run configuration, if any."""
        raw = self._get_meta("run_config")
        return None if raw is None else RunConfig.model_validate_json(raw)

    # --- episodes ------------------------------------------------------------

    def add(self, result: EpisodeResult) -> bool:
        """Commit one episode. Returns False if that episode was already stored."""
        row = result.to_row()
        cursor = self._db.execute(
            f"INSERT OR IGNORE INTO episodes ({_COLUMNS}) "
            f"VALUES ({', '.join(':' + name for name in _FIELDS)})",
            row,
        )
        return cursor.rowcount == 1

    def delete_errors(self) -> int:
        """Forget episodes that ended in error so that they run again. Returns how many."""
        return self._db.execute("DELETE FROM episodes WHERE outcome = 'error'").rowcount

    def finished_keys(self) -> set[tuple[str, str]]:
        """Keys ``(item_id, answer_side)`` of every stored episode."""
        return set(self._db.execute("SELECT item_id, answer_side FROM episodes"))

    def count(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM episodes").fetchone()[0])

    def results(self) -> list[EpisodeResult]:
        """Every stored episode, in a stable order."""
        return list(self._iter_results())

    def _iter_results(self) -> Iterator[EpisodeResult]:
        query = f"SELECT {_COLUMNS} FROM episodes ORDER BY category, item_id, answer_side"
        for row in self._db.execute(query):
            yield EpisodeResult.from_row(dict(zip(_FIELDS, row, strict=True)))

    # --- timing of each call that ran episodes ------------------------------------

    def add_timing(self, entry: dict[str, object]) -> None:
        """Append the timing summary of one call (a resumed run adds one per call)."""
        self._set_meta("timing", json.dumps([*self.timings(), entry]))

    def timings(self) -> list[dict[str, object]]:
        """Timing summaries of every call that ran episodes, oldest first."""
        raw = self._get_meta("timing")
        return [] if raw is None else list(json.loads(raw))

    # --- meta ------------------------------------------------------------------

    def _get_meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def _set_meta(self, key: str, value: str) -> None:
        self._db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))
