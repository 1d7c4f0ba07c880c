"""VLM answers in the run folder's ``results.sqlite``, next to (never mixed with) VLA episodes.

A VLM run folder holds the table ``vlm_answers`` keyed by ``(item_id,
answer_side)``, the same key as VLA episodes, and the meta entries
``run_kind = 'vlm'``, ``vlm_schema_version`` and ``vlm_run_config``. The
connection settings, schema check and resumable inserts are those of every run
table (:class:`act2answer.store._sqlite.RunTable`).
"""

from __future__ import annotations

from act2answer.store._sqlite import RunTable
from act2answer.vlm.config import VLMRunConfig
from act2answer.vlm.results import VLMAnswer

VLM_SCHEMA_VERSION = 1

_VLM_ANSWERS = """
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


class VLMStore(RunTable[VLMAnswer, VLMRunConfig]):
    """VLM answers and the run's frozen configuration.

    Args:
        run_dir: The run folder (created if missing).

    Raises:
        RunError: the folder holds a VLA run, or a VLM schema this version cannot read.
    """

    KIND = "vlm"
    TABLE = "vlm_answers"
    SCHEMA = _VLM_ANSWERS
    VERSION = VLM_SCHEMA_VERSION
    VERSION_KEY = "vlm_schema_version"
    CONFIG_KEY = "vlm_run_config"
    record_type = VLMAnswer
    config_type = VLMRunConfig

    def answers(self) -> list[VLMAnswer]:
        """Every stored answer, in a stable order."""
        return self.records()
