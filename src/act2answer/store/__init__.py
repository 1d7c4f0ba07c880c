"""The run folder's database, ``results.sqlite``, for every run kind.

:func:`open_run` opens an existing folder as the store of its kind
(:class:`ResultStore` for VLA episodes, :class:`VLMStore` for VLM answers);
both share one SQLite module (connection settings, meta, schema versions,
configuration binding) and hold records that satisfy :class:`RunRecord`.
"""

from __future__ import annotations

from pathlib import Path

from act2answer.store._records import RunRecord
from act2answer.store._sqlite import (
    DB_FILE,
    SCHEMA_VERSION,
    ResultStore,
    RunKind,
    RunTable,
    run_kind,
)
from act2answer.store._vlm import VLM_SCHEMA_VERSION, VLMStore

STORES: dict[str, type[RunTable]] = {"vla": ResultStore, "vlm": VLMStore}


def open_run(run_dir: Path | str) -> ResultStore | VLMStore:
    """Open an existing run folder as the store of its kind (``store.kind`` names it).

    Raises:
        RunError: the folder has no ``results.sqlite``.
    """
    store = STORES[run_kind(run_dir)](run_dir)
    assert isinstance(store, ResultStore | VLMStore)
    return store


__all__ = [
    "DB_FILE",
    "SCHEMA_VERSION",
    "STORES",
    "VLM_SCHEMA_VERSION",
    "ResultStore",
    "RunKind",
    "RunRecord",
    "RunTable",
    "VLMStore",
    "open_run",
    "run_kind",
]
