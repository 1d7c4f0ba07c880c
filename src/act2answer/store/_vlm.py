"""VLM answers in the run folder's ``results.sqlite``, next to (never mixed with) VLA episodes.

A VLM run folder holds the table ``vlm_answers`` keyed by ``(item_id,
answer_side)``, the same key as VLA episodes, and the meta entries
``run_kind = 'vlm'``, ``vlm_schema_version`` and ``vlm_run_config``. Every
answer is committed at once (WAL mode), so a killed run resumes without losing
or repeating a question. The VLM table has its own schema version, so VLA
schema changes do not invalidate VLM runs and vice versa.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Literal

from act2answer.errors import RunError
from act2answer.store import DB_FILE
from act2answer.vlm.config import VLMRunConfig
from act2answer.vlm.results import VLMAnswer

VLM_SCHEMA_VERSION = 1
RunKind = Literal["vla", "vlm"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS vlm_answers (
    item_id TEXT NOT NULL,
    category TEXT NOT NULL,
    answer_side TEXT NOT NULL CHECK (answer_side IN ('left', 'right')),
    frame_seed INTEGER NOT NULL,
    letter_seed INTEGER NOT NULL,
    a_is_left INTEGER NOT NULL CHECK (a_is_left IN (0, 1)),
    correct_letter TEXT NOT NULL CHECK (correct_letter IN ('A', 'B')),
    chosen_letter TEXT CHECK (chosen_letter IN ('A', 'B')),
    chosen_side TEXT CHECK (chosen_side IN ('left', 'right')),
    outcome TEXT NOT NULL CHECK (outcome IN ('correct', 'wrong', 'no_answer', 'error')),
    score_a REAL, score_b REAL, margin REAL,
    method TEXT NOT NULL CHECK (method IN ('logprobs', 'text', 'none')),
    generated_text TEXT,
    prompt TEXT NOT NULL,
    wall_time_s REAL NOT NULL,
    error TEXT,
    finished_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (item_id, answer_side)
);
"""

_FIELDS = VLMAnswer.field_names()
_COLUMNS = ", ".join(_FIELDS)


def run_kind(run_dir: Path | str) -> RunKind:
    """``"vlm"`` for a VLM run folder, ``"vla"`` for an episode run folder.

    Raises:
        RunError: the folder has no ``results.sqlite``.
    """
    path = Path(run_dir) / DB_FILE
    if not path.is_file():
        raise RunError(f"{run_dir}: no {DB_FILE}; is this a run folder?")
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        try:
            row = db.execute("SELECT value FROM meta WHERE key = 'run_kind'").fetchone()
        except sqlite3.DatabaseError:
            return "vla"
    return "vlm" if row is not None and row[0] == "vlm" else "vla"


class VLMStore:
    """VLM answers and the run's frozen configuration.

    Args:
        run_dir: The run folder (created if missing).

    Raises:
        RunError: the folder holds a VLA run, or a VLM schema this version cannot read.
    """

    def __init__(self, run_dir: Path | str) -> None:
        self.run_dir = Path(run_dir)
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.path = self.run_dir / DB_FILE
        existed = self.path.is_file()
        if existed and run_kind(self.run_dir) != "vlm":
            raise RunError(f"{self.run_dir} holds a VLA run; use another --out folder")
        self._db = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA busy_timeout=30000")
        self._db.executescript(_SCHEMA)
        version = self._get_meta("vlm_schema_version")
        if version is None:
            self._set_meta("run_kind", "vlm")
            self._set_meta("vlm_schema_version", str(VLM_SCHEMA_VERSION))
        elif int(version) != VLM_SCHEMA_VERSION:
            raise RunError(
                f"{self.path}: VLM schema version {version}, this act2answer reads "
                f"version {VLM_SCHEMA_VERSION}"
            )

    @classmethod
    def open_existing(cls, run_dir: Path | str) -> VLMStore:
        if run_kind(run_dir) != "vlm":
            raise RunError(f"{run_dir} is not a VLM run folder")
        return cls(run_dir)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> VLMStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def bind_config(self, config: VLMRunConfig) -> None:
        """Record the configuration, or check it matches the recorded one.

        Raises:
            RunError: the folder holds a run with another suite, model or settings.
        """
        stored = self.config()
        if stored is None:
            self._set_meta("vlm_run_config", config.model_dump_json())
            return
        differences = stored.differences(config)
        if differences:
            raise RunError(
                f"{self.run_dir} holds a different VLM run ({'; '.join(differences)}); "
                "use another --out folder to start a new run"
            )

    def config(self) -> VLMRunConfig | None:
        raw = self._get_meta("vlm_run_config")
        return None if raw is None else VLMRunConfig.model_validate_json(raw)

    def add(self, answer: VLMAnswer) -> bool:
        """Commit one answer. Returns False if that question was already stored."""
        cursor = self._db.execute(
            f"INSERT OR IGNORE INTO vlm_answers ({_COLUMNS}) "
            f"VALUES ({', '.join(':' + name for name in _FIELDS)})",
            answer.to_row(),
        )
        return cursor.rowcount == 1

    def delete_errors(self) -> int:
        return self._db.execute("DELETE FROM vlm_answers WHERE outcome = 'error'").rowcount

    def finished_keys(self) -> set[tuple[str, str]]:
        return set(self._db.execute("SELECT item_id, answer_side FROM vlm_answers"))

    def count(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM vlm_answers").fetchone()[0])

    def answers(self) -> list[VLMAnswer]:
        """Every stored answer, in a stable order."""
        query = f"SELECT {_COLUMNS} FROM vlm_answers ORDER BY category, item_id, answer_side"
        return [
            VLMAnswer.from_row(dict(zip(_FIELDS, row, strict=True)))
            for row in self._db.execute(query)
        ]

    def _get_meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def _set_meta(self, key: str, value: str) -> None:
        self._db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))
