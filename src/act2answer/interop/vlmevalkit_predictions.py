"""Read VLMEvalKit prediction files of an exported suite, for ``act2answer compare``.

VLMEvalKit (commit ``e8e78f05``, ``vlmeval/inference.py`` ``infer_data_job``)
writes its predictions to ``<work-dir>/<MODEL>/<run id>/<MODEL>_<NAME>.xlsx``
(linked as ``<work-dir>/<MODEL>/<MODEL>_<NAME>.xlsx``; ``.tsv`` or ``.json``
with ``PRED_FORMAT=tsv|json``): every column of the dataset except ``image``,
plus ``prediction`` (the model's raw text). The ``a2a_*`` columns of
:func:`~act2answer.interop.export_vlmevalkit` therefore come back, and name each
row's item and layout.

Each prediction is read into a letter exactly as ``--judge exact_matching``
does (``vlmeval/utils/matching_util.py`` ``can_infer``: a lone option letter
near the end, "answer is X", else exactly one option text inside the answer);
unreadable answers count as not answered, as VLMEvalKit counts them wrong.
A circular pair counts as right only when both copies are right
(``mcq_circular_eval``). The result is one trial per item and layout, keyed
like VLA episodes; :func:`act2answer.analysis.vlmevalkit.outcomes_of` makes them
a run that :func:`act2answer.analysis.compare.compare_runs` pairs with a VLA run
on the same suite.
"""

from __future__ import annotations

import csv
import json
import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from act2answer.errors import Act2AnswerError
from act2answer.interfaces import Side
from act2answer.interop.vlmevalkit import OPTION_TEXT, OWN_COLUMNS, ImageLayout

PREDICTION_SUFFIXES = (".xlsx", ".tsv", ".csv", ".json")
_REQUIRED = ("index", "prediction", "A", "B", "answer", "category", *OWN_COLUMNS)
_FAIL_MESSAGE = "Failed to obtain answer via API"
_REFUSALS = (
    "Sorry, I can't help with images of people yet.",
    "I can't process this file.",
    "I'm sorry, but without the image provided",
    "Cannot determine the answer",
)
_VERBOSE_ANSWER = re.compile(r"(?i)(?:correct\s+)?answer\s+is\s+\**([ABCD])\**")


class PredictionFileError(Act2AnswerError):
    """A VLMEvalKit prediction file cannot be imported.

    Args:
        path: The file.
        reason: What is wrong.
        row: 1-based row of the file (the header is row 1) when known.
    """

    def __init__(self, path: Path | str, reason: str, row: int | None = None) -> None:
        self.path = Path(path)
        self.reason = reason
        self.row = row
        where = f"{self.path}" + (f", row {row}" if row is not None else "")
        super().__init__(f"{where}: {reason}")


def exact_match_letter(prediction: str, choices: Mapping[str, str]) -> str | None:
    """The option letter VLMEvalKit's exact matching reads from ``prediction``, or None.

    Follows ``can_infer`` of ``vlmeval/utils/matching_util.py`` at ``e8e78f05``
    (its refusal answer ``Z`` and "no option" both give None here).
    """
    answer = str(prediction)
    letter = _infer_option(answer, choices)
    if letter is False:
        letter = _infer_text(answer, choices)
    return letter if letter in choices else None


def _infer_option(answer: str, choices: Mapping[str, str]) -> str | bool:
    if _FAIL_MESSAGE in answer:
        return False
    if any(refusal in answer for refusal in _REFUSALS):
        return "Z"
    cleaned = answer
    for char in ".()[],:;!*#{}":
        cleaned = cleaned.replace(char, " ")
    splits = [part.strip() for part in cleaned.split()]
    count = sum(letter in splits for letter in choices)
    if count == 1:
        for letter in choices:
            if letter in splits and splits.index(letter) > len(splits) - 5:
                return letter
    elif count == 0 and sum(mark in splits for mark in ("Z", "")) == 1:
        return "Z"
    match = _VERBOSE_ANSWER.search(answer or "")
    if match and match.group(1).upper() in choices:
        return match.group(1).upper()
    return False


def _infer_text(answer: str, choices: Mapping[str, str]) -> str | bool:
    answer = answer.lower()
    if len(answer) > 2 * sum(len(str(text)) for text in choices.values()):
        return False
    lowered = {letter: str(text).lower() for letter, text in choices.items()}
    found = [letter for letter, text in lowered.items() if text in answer]
    return found[0] if len(found) == 1 else False


@dataclass(frozen=True)
class PredictionRow:
    """One row of a prediction file, read back to its item and layout.

    Attributes:
        file_row: 1-based row in the file (the header is row 1).
        index: VLMEvalKit ``index``.
        item_id: Suite item id.
        category: Item category.
        layout: Where the correct image lay.
        copy: Circular copy (0; 1 for the A/B-swapped copy).
        correct_letter: The ``answer`` column.
        chosen_letter: What exact matching reads from the prediction, or None.
        chosen_side: The side the chosen letter names, or None.
        prediction: The model's raw answer.
    """

    file_row: int
    index: int
    item_id: str
    category: str
    layout: Side
    copy: int
    correct_letter: str
    chosen_letter: str | None
    chosen_side: Side | None
    prediction: str

    @property
    def correct(self) -> bool:
        return self.chosen_letter == self.correct_letter


@dataclass(frozen=True)
class PredictedTrial:
    """One item in one layout, as a VLMEvalKit run answered it (both copies, if circular)."""

    item_id: str
    category: str
    layout: Side
    correct: bool


@dataclass(frozen=True)
class VLMEvalKitPredictions:
    """A prediction file's rows and what they were exported from.

    Attributes:
        path: The prediction file.
        label: Short name (the model, from ``<MODEL>_<NAME>.xlsx``).
        dataset: The VLMEvalKit dataset name the suite was exported as.
        suite_name: The suite's versioned name.
        suite_hash: The suite's content hash.
        images: The export's image layout.
        circular: Whether rows come in A/B-swapped pairs.
        rows: Every row, in file order.
    """

    path: Path
    label: str
    dataset: str
    suite_name: str
    suite_hash: str
    images: ImageLayout
    circular: bool
    rows: tuple[PredictionRow, ...]

    def trials(self) -> tuple[PredictedTrial, ...]:
        """One trial per item and layout; a circular pair is right only when both copies are.

        :func:`act2answer.analysis.vlmevalkit.outcomes_of` turns them into a run for
        ``compare``.
        """
        grouped: dict[tuple[str, Side], list[PredictionRow]] = {}
        for row in self.rows:
            grouped.setdefault((row.item_id, row.layout), []).append(row)
        return tuple(
            PredictedTrial(item_id, rows[0].category, layout, all(row.correct for row in rows))
            for (item_id, layout), rows in grouped.items()
        )

    def summary(self) -> str:
        """One line: rows read, unreadable answers, letter and side bias."""
        kind = "circular pairs" if self.circular else "rows"
        return (
            f"{self.path.name}: {len(self.rows)} VLMEvalKit predictions ({kind}, "
            f"{self.images.value}) of suite {self.suite_name}; {self.unanswered} not readable "
            f"as a letter; A chosen {_percent(self.a_choice_rate)}, left chosen "
            f"{_percent(self.left_choice_rate)} of answers"
        )

    @property
    def unanswered(self) -> int:
        """Rows whose prediction exact matching could not read as a letter."""
        return sum(row.chosen_letter is None for row in self.rows)

    @property
    def a_choice_rate(self) -> float:
        """Of the rows with a letter, the share that chose "A" (0.5: no letter bias)."""
        chosen = [row.chosen_letter for row in self.rows if row.chosen_letter is not None]
        return sum(letter == "A" for letter in chosen) / len(chosen) if chosen else math.nan

    @property
    def left_choice_rate(self) -> float:
        """Of the rows with a letter, the share that chose the left image (side bias)."""
        sides = [row.chosen_side for row in self.rows if row.chosen_side is not None]
        return sum(side is Side.LEFT for side in sides) / len(sides) if sides else math.nan


def read_vlmevalkit_predictions(
    path: Path | str, label: str | None = None
) -> VLMEvalKitPredictions:
    """Read a VLMEvalKit prediction file of a suite exported by act2answer.

    Args:
        path: ``<MODEL>_<NAME>.xlsx`` (or ``.tsv`` / ``.json`` / ``.csv``).
        label: Name in tables (default: ``<MODEL>``).

    Raises:
        PredictionFileError: not a readable prediction file of one act2answer export
            (score files, ``_result`` files of circular runs, edited or joined files
            are named as such).
    """
    path = Path(path)
    header, records = _read_table(path)
    missing = [column for column in _REQUIRED if column not in header]
    if "prediction" in missing:
        hint = (
            "this looks like VLMEvalKit's score file; "
            if {"Overall", "split"} & set(header)
            else ""
        )
        raise PredictionFileError(
            path,
            f"no 'prediction' column: {hint}pass the prediction file <MODEL>_<NAME>.xlsx "
            "that VLMEvalKit writes in <work-dir>/<MODEL>/",
        )
    if missing:
        raise PredictionFileError(
            path,
            f"missing columns {missing}: not the predictions of a suite exported by "
            "`act2answer export --format vlmevalkit` (re-export the suite and run again)",
        )
    rows = [_row(path, number, record) for number, record in enumerate(records, start=2)]
    if not rows:
        raise PredictionFileError(path, "no rows")
    meta = {
        column: sorted({str(record[column]) for record in records})
        for column in ("a2a_suite_hash", "a2a_suite", "a2a_images", "a2a_dataset")
    }
    if len(meta["a2a_suite_hash"]) > 1:
        raise PredictionFileError(
            path,
            f"rows of {len(meta['a2a_suite_hash'])} suites ({', '.join(meta['a2a_suite'])}): "
            "joined exports; keep the rows of one suite per file to compare",
        )
    for column in ("a2a_images", "a2a_dataset"):
        if len(meta[column]) > 1:
            raise PredictionFileError(path, f"rows of several exports ({column}: {meta[column]})")
    try:
        images = ImageLayout(meta["a2a_images"][0])
    except ValueError:
        raise PredictionFileError(path, f"unknown a2a_images {meta['a2a_images'][0]!r}") from None
    dataset = meta["a2a_dataset"][0]
    # VLMEvalKit evaluates circularly by name; act2answer's circular exports all say so.
    circular = "circular" in dataset.lower() or any(row.copy for row in rows)
    _check_pairs(path, rows, circular)
    model = path.stem[: -len(dataset) - 1] if path.stem.endswith(f"_{dataset}") else path.stem
    return VLMEvalKitPredictions(
        path=path,
        label=label or model,
        dataset=dataset,
        suite_name=meta["a2a_suite"][0],
        suite_hash=meta["a2a_suite_hash"][0].removeprefix("sha256:"),
        images=images,
        circular=circular,
        rows=tuple(rows),
    )


def _check_pairs(path: Path, rows: Sequence[PredictionRow], circular: bool) -> None:
    counts = Counter((row.item_id, row.layout, row.copy) for row in rows)
    for (item_id, layout, copy), count in counts.items():
        if count > 1:
            raise PredictionFileError(
                path, f"item {item_id!r} layout {layout.value} copy {copy} appears {count} times"
            )
    indices = Counter(row.index for row in rows)
    repeated = [index for index, count in indices.items() if count > 1]
    if repeated:
        raise PredictionFileError(path, f"index {repeated[0]} appears {indices[repeated[0]]} times")
    copies = {(row.item_id, row.layout): set() for row in rows}
    for row in rows:
        copies[(row.item_id, row.layout)].add(row.copy)
    if circular:
        for (item_id, layout), present in copies.items():
            if present != {0, 1}:
                raise PredictionFileError(
                    path,
                    f"circular item {item_id!r} layout {layout.value} lacks its "
                    f"{'swapped' if 0 in present else 'original'} copy: pass the prediction "
                    "file <MODEL>_<NAME>.xlsx, not the _result file (it keeps one row per pair)",
                )


def _row(path: Path, number: int, record: Mapping[str, object]) -> PredictionRow:
    def fail(reason: str) -> PredictionFileError:
        return PredictionFileError(path, reason, row=number)

    def integer(column: str) -> int:
        value = record[column]
        try:
            number_value = float(str(value))
        except ValueError:
            raise fail(f"{column} {value!r} is not a number") from None
        if not number_value.is_integer():
            raise fail(f"{column} {value!r} is not an integer")
        return int(number_value)

    try:
        item_id = json.loads(str(record["a2a_item"]))
    except json.JSONDecodeError:
        item_id = None
    if not isinstance(item_id, str) or not item_id:
        raise fail(f"a2a_item {record['a2a_item']!r} is not a JSON string (edited file?)")
    try:
        layout = Side(str(record["a2a_layout"]))
    except ValueError:
        raise fail(f"a2a_layout {record['a2a_layout']!r} is not left or right") from None
    copy = integer("a2a_copy")
    if copy not in (0, 1):
        raise fail(f"a2a_copy {copy} is not 0 or 1")
    correct = str(record["answer"])
    if correct not in ("A", "B"):
        raise fail(f"answer {correct!r} is not A or B")
    choices = {letter: _text(record[letter]) for letter in ("A", "B")}
    sides = {text: side for images in OPTION_TEXT.values() for side, text in images.items()}
    if any(text not in sides for text in choices.values()) or len(set(choices.values())) != 2:
        raise fail(f"options {choices} are not act2answer's left/right options")
    chosen = exact_match_letter(_text(record["prediction"]), choices)
    return PredictionRow(
        file_row=number,
        index=integer("index"),
        item_id=item_id,
        category=_text(record["category"]),
        layout=layout,
        copy=copy,
        correct_letter=correct,
        chosen_letter=chosen,
        chosen_side=sides[choices[chosen]] if chosen else None,
        prediction=_text(record["prediction"]),
    )


def _percent(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{100 * value:.1f}%"


def _text(value: object) -> str:
    """A cell as VLMEvalKit's ``str(x)`` sees it (empty cells read as ``nan`` there)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "nan"
    return str(value)


def _read_table(path: Path) -> tuple[list[str], list[dict[str, object]]]:
    if not path.is_file():
        raise PredictionFileError(path, "no such file")
    suffix = path.suffix.lower()
    if suffix == ".pkl":
        raise PredictionFileError(
            path, "pickle files are not read (unsafe); run VLMEvalKit with PRED_FORMAT=xlsx"
        )
    if suffix not in PREDICTION_SUFFIXES:
        raise PredictionFileError(
            path, f"unknown prediction file type {suffix!r}; one of {list(PREDICTION_SUFFIXES)}"
        )
    try:
        if suffix == ".xlsx":
            return _read_xlsx(path)
        if suffix == ".json":
            return _read_json(path)
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle, delimiter="\t" if suffix == ".tsv" else ",")
            return list(reader.fieldnames or []), list(reader)
    except PredictionFileError:
        raise
    except (OSError, UnicodeDecodeError, csv.Error, ValueError) as exc:
        raise PredictionFileError(path, f"cannot be read as {suffix}: {exc}") from None


def _read_json(path: Path) -> tuple[list[str], list[dict[str, object]]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, list) or not all(isinstance(record, dict) for record in data):
        raise PredictionFileError(path, "JSON predictions must be a list of row objects")
    header = list(dict.fromkeys(key for record in data for key in record))
    return header, data


def _read_xlsx(path: Path) -> tuple[list[str], list[dict[str, object]]]:
    try:
        from openpyxl import load_workbook
    except ImportError:
        raise PredictionFileError(
            path, "reading .xlsx needs openpyxl: pip install 'act2answer[vlmevalkit]'"
        ) from None
    from zipfile import BadZipFile

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (BadZipFile, KeyError, OSError) as exc:
        raise PredictionFileError(path, f"not an .xlsx workbook ({exc})") from None
    try:
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        header = [str(cell) for cell in next(rows, ())]
        records = [
            dict(zip(header, row, strict=False))
            for row in rows
            if any(cell is not None for cell in row)
        ]
    finally:
        workbook.close()
    return header, records


__all__ = [
    "PREDICTION_SUFFIXES",
    "PredictedTrial",
    "PredictionFileError",
    "PredictionRow",
    "VLMEvalKitPredictions",
    "exact_match_letter",
    "read_vlmevalkit_predictions",
]
