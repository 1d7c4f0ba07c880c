"""The run database: ``results.sqlite`` in the run folder. All SQL lives here.

One connection recipe (WAL, ``synchronous=NORMAL``, a 30 s busy timeout), one
``meta`` table (run kind, schema version, frozen run configuration) and one
record table per run kind:

* ``episodes`` (:class:`ResultStore`): VLA episodes (:class:`EpisodeResult`);
* ``vlm_answers`` (:class:`act2answer.store.VLMStore`): VLM answers.

Every record is committed at once, so a killed run keeps everything it
finished; ``(item_id, answer_side)`` is every table's primary key, so a
resumed run can never store a record twice. Each table has its own schema
version, so a change to one kind does not invalidate runs of the other.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, ClassVar, Generic, Literal, Protocol, TypeVar

from act2answer.errors import RunError
from act2answer.eval.config import RunConfig
from act2answer.eval.results import EpisodeResult

DB_FILE = "results.sqlite"
SCHEMA_VERSION = 3
RunKind = Literal["vla", "vlm"]

_META = "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"

_EPISODES = """
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


class StoredRecord(Protocol):
    """A record type a run table holds (``EpisodeResult``, ``VLMAnswer``)."""

    @classmethod
    def field_names(cls) -> list[str]: ...

    def to_row(self) -> dict[str, object]: ...


class StoredConfig(Protocol):
    """A frozen run configuration (``RunConfig``, ``VLMRunConfig``)."""

    def model_dump_json(self) -> str: ...


R = TypeVar("R", bound=StoredRecord)
C = TypeVar("C")


def connect(path: Path) -> sqlite3.Connection:
    """Open ``path`` with the settings every run table uses."""
    db = sqlite3.connect(path, timeout=30.0, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("PRAGMA busy_timeout=30000")
    db.executescript(_META)
    return db


def read_meta(path: Path, key: str) -> str | None:
    """One meta value of an existing database, read-only (None if absent or unreadable)."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        try:
            row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        except sqlite3.DatabaseError:
            return None
    return None if row is None else str(row[0])


class RunTable(Generic[R, C]):
    """One run kind's records and frozen configuration in ``results.sqlite``.

    Subclasses name the kind, the table, its schema, the meta keys and the
    record / config types; everything else (connection settings, schema
    version check, configuration binding, resumable inserts) is shared.

    Args:
        run_dir: The run folder (created if missing).

    Raises:
        RunError: the folder holds a run of another kind, or a schema this
            version cannot read.
    """

    KIND: ClassVar[RunKind]
    TABLE: ClassVar[str]
    SCHEMA: ClassVar[str]
    VERSION: ClassVar[int]
    VERSION_KEY: ClassVar[str]
    CONFIG_KEY: ClassVar[str]
    VERSION_HINT: ClassVar[str] = ""
    RESUME_HINT: ClassVar[str] = ""
    record_type: ClassVar[Any]
    config_type: ClassVar[Any]

    def __init__(self, run_dir: Path | str) -> None:
        self.run_dir = Path(run_dir)
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.path = self.run_dir / DB_FILE
        if self.path.is_file() and run_kind(self.run_dir) != self.KIND:
            raise RunError(
                f"{self.run_dir} holds a {run_kind(self.run_dir).upper()} run; "
                "use another --out folder"
            )
        self._fields: list[str] = self.record_type.field_names()
        self._columns = ", ".join(self._fields)
        self._db = connect(self.path)
        self._db.executescript(self.SCHEMA)
        version = self._get_meta(self.VERSION_KEY)
        if version is None:
            if self.KIND != "vla":
                self._set_meta("run_kind", self.KIND)
            self._set_meta(self.VERSION_KEY, str(self.VERSION))
        elif int(version) != self.VERSION:
            raise RunError(
                f"{self.path}: {self.KIND.upper()} schema version {version}, this act2answer "
                f"reads version {self.VERSION}{self.VERSION_HINT}"
            )

    @classmethod
    def open_existing(cls, run_dir: Path | str) -> RunTable[R, C]:
        """Open an existing run folder of this kind, failing clearly otherwise."""
        if run_kind(run_dir) != cls.KIND:
            raise RunError(f"{run_dir} is not a {cls.KIND.upper()} run folder")
        return cls(run_dir)

    @property
    def kind(self) -> RunKind:
        return self.KIND

    def close(self) -> None:
        self._db.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- configuration -------------------------------------------------------

    def bind_config(self, config: C) -> None:
        """Record the run's configuration, or check it matches the recorded one.

        Raises:
            RunError: the folder holds a run with another suite, policy/model or settings.
        """
        stored = self.config()
        if stored is None:
            self._set_meta(self.CONFIG_KEY, config.model_dump_json())  # type: ignore[attr-defined]
            return
        differences = stored.differences(config)  # type: ignore[attr-defined]
        if differences:
            raise RunError(
                f"{self.run_dir} holds a different {self.KIND.upper()} run "
                f"({'; '.join(differences)}); "
                "use another --out folder to start a new run, or rerun with the stored "
                f"settings to resume it{self.RESUME_HINT}"
            )
        fields = getattr(config, "RESUME_UPDATES", ())
        updates = {name: getattr(config, name) for name in fields}
        if any(getattr(stored, name) != value for name, value in updates.items()):
            updated = stored.model_copy(update=updates)  # type: ignore[attr-defined]
            self._set_meta(self.CONFIG_KEY, updated.model_dump_json())

    def config(self) -> C | None:
        """The recorded run configuration, if any."""
        raw = self._get_meta(self.CONFIG_KEY)
        return None if raw is None else self.config_type.model_validate_json(raw)

    # --- records -------------------------------------------------------------

    def add(self, record: R) -> bool:
        """Commit one record. Returns False if its key was already stored."""
        cursor = self._db.execute(
            f"INSERT OR IGNORE INTO {self.TABLE} ({self._columns}) "
            f"VALUES ({', '.join(':' + name for name in self._fields)})",
            record.to_row(),
        )
        return cursor.rowcount == 1

    def delete_errors(self) -> int:
        """Forget records that ended in error so that they run again. Returns how many."""
        return self._db.execute(f"DELETE FROM {self.TABLE} WHERE outcome = 'error'").rowcount

    def finished_keys(self) -> set[tuple[str, str]]:
        """Keys ``(item_id, answer_side)`` of every stored record."""
        return set(self._db.execute(f"SELECT item_id, answer_side FROM {self.TABLE}"))

    def count(self) -> int:
        return int(self._db.execute(f"SELECT COUNT(*) FROM {self.TABLE}").fetchone()[0])

    def records(self) -> list[R]:
        """Every stored record, in a stable order (category, item, layout)."""
        query = (
            f"SELECT {self._columns} FROM {self.TABLE} ORDER BY category, item_id, answer_side"
        )
        from_row: Callable[[Mapping[str, Any]], R] = self.record_type.from_row
        rows = self._db.execute(query)
        return [from_row(dict(zip(self._fields, row, strict=True))) for row in rows]

    # --- meta ----------------------------------------------------------------

    def _get_meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def _set_meta(self, key: str, value: str) -> None:
        self._db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))


class ResultStore(RunTable[EpisodeResult, RunConfig]):
    """VLA episode results and the run's frozen configuration.

    Args:
        run_dir: The run folder (created if missing).
    """

    KIND = "vla"
    TABLE = "episodes"
    SCHEMA = _EPISODES
    VERSION = SCHEMA_VERSION
    VERSION_KEY = "schema_version"
    CONFIG_KEY = "run_config"
    VERSION_HINT = (
        " (version 3 added outcomes under every scoring rule, intent metrics and the "
        "reference scene: rerun into a new --out folder)"
    )
    RESUME_HINT = " (`act2answer run --help` lists them)"
    record_type = EpisodeResult
    config_type = RunConfig

    def results(self) -> list[EpisodeResult]:
        """Every stored episode, in a stable order."""
        return self.records()

    def add_timing(self, entry: dict[str, object]) -> None:
        """Append the timing summary of one call (a resumed run adds one per call)."""
        self._set_meta("timing", json.dumps([*self.timings(), entry]))

    def timings(self) -> list[dict[str, object]]:
        """Timing summaries of every call that ran episodes, oldest first."""
        raw = self._get_meta("timing")
        return [] if raw is None else list(json.loads(raw))


def run_kind(run_dir: Path | str) -> RunKind:
    """``"vlm"`` for a VLM run folder, ``"vla"`` for an episode run folder.

    Raises:
        RunError: the folder has no ``results.sqlite``.
    """
    path = Path(run_dir) / DB_FILE
    if not path.is_file():
        raise RunError(f"{run_dir}: no {DB_FILE}; is this a run folder?")
    return "vlm" if read_meta(path, "run_kind") == "vlm" else "vla"
