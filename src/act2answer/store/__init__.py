"""Persistence of runs: one SQLite database per run folder."""

from act2answer.store._sqlite import DB_FILE, SCHEMA_VERSION, ResultStore

__all__ = ["DB_FILE", "SCHEMA_VERSION", "ResultStore"]
