"""The one writer of a run folder's report files, for every run kind.

Every run kind writes ``report.md``, ``metrics.json`` and one CSV of its
records (``episodes.csv`` for VLA runs, ``answers.csv`` for VLM runs) through
:func:`write_run_files`; what differs per kind is only the text and the record
fields.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Sequence
from enum import Enum
from pathlib import Path
from typing import Any, ClassVar, Protocol

from act2answer.errors import SuiteError
from act2answer.suite import load_suite

REPORT_MD = "report.md"
METRICS_JSON = "metrics.json"


class _Row(Protocol):
    def to_row(self) -> dict[str, object]: ...


class _RowType(Protocol):
    def field_names(self) -> list[str]: ...


class StoredRecordsReport:
    """What every run kind's report says about its records (mixed into the report types).

    Subclasses name what one record is called, the command that adds the
    missing ones, their attributes holding the records and their expected count,
    the record type (its ``field_names()`` are the CSV's columns) and the CSV's name.
    """

    run_dir: Path
    RECORD_TYPE: ClassVar[_RowType]
    CSV_NAME = "records.csv"
    RECORD_NOUN = "records"
    RESUME_COMMAND = "act2answer run"
    RECORDS_ATTRIBUTE = "records"
    EXPECTED_ATTRIBUTE = "expected_records"

    @property
    def records(self) -> Sequence[Any]:
        """The stored records (episodes or answers)."""
        return getattr(self, self.RECORDS_ATTRIBUTE)

    @property
    def expected_records(self) -> int | None:
        """How many records the run's suite asks for (None: suite not found)."""
        return getattr(self, self.EXPECTED_ATTRIBUTE)

    @property
    def complete(self) -> bool | None:
        """Whether every record the suite asks for is stored (None: suite not found)."""
        if self.expected_records is None:
            return None
        return len(self.records) >= self.expected_records


def json_safe(value: object) -> object:
    """``value`` with NaN as None and enums as their values, through dicts and lists."""
    if isinstance(value, float):
        return None if math.isnan(value) else value
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {key: json_safe(v) for key, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    return value


def write_run_files(
    report: StoredRecordsReport, markdown: str, metrics: dict[str, object]
) -> list[Path]:
    """Write ``report.md``, ``metrics.json`` and the records' CSV into the report's run folder.

    Args:
        report: Any run kind's report (its folder, records, record type and CSV name).
        markdown: The text of ``report.md``.
        metrics: The content of ``metrics.json`` (finite numbers; NaN as None).

    Returns:
        The paths written.
    """
    run_dir = report.run_dir
    paths = [run_dir / REPORT_MD, run_dir / METRICS_JSON, run_dir / report.CSV_NAME]
    paths[0].write_text(markdown, encoding="utf-8")
    paths[1].write_text(json.dumps(metrics, indent=2, allow_nan=False) + "\n")
    records: Sequence[_Row] = report.records
    with paths[2].open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=report.RECORD_TYPE.field_names())
        writer.writeheader()
        for record in records:
            writer.writerow(record.to_row())
    return paths


def suite_order_and_size(
    suite_path: str, suite_hash: str, layouts: Sequence[object], condition: object = None
) -> tuple[list[str] | None, int | None]:
    """Category order and trial count of a run's suite, or ``(None, None)`` when the
    suite is gone or its content changed since the run (items without an instruction
    for ``condition`` do not count)."""
    try:
        suite = load_suite(suite_path, check_images=False)
    except SuiteError:
        return None, None
    if suite.content_hash != suite_hash:
        return None, None
    runnable = [item for item in suite.items if condition is None or item.supports(condition)]  # type: ignore[arg-type]
    return suite.categories, len(runnable) * len(layouts)
