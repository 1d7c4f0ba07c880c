"""IconQA ``choose_img`` items: Shape, Symmetry, Time, Counting.

Reads either the original release (``problems.json``, optional
``pid2skills.json``, images under ``iconqa/<split>/<ques_type>/<pid>/``) or a
table copy such as Hugging Face ``lmms-lab/ICON-QA`` saved to disk (parquet /
arrow / jsonl with ``question_id, question, choices, answer, query_image,
choice_image_0.., ques_type, skills``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from act2answer.sources import _model as reasons
from act2answer.sources._files import (
    ImageRef,
    SourceFileError,
    image_from_cell,
    inside,
    load_json,
    read_rows,
)
from act2answer.sources._model import Candidate, Skipped
from act2answer.sources.binarise import wrong_choice

NAME = "iconqa"
CATEGORIES = ("Shape", "Symmetry", "Time", "Counting")
EXPECTED = (
    "problems.json [+ pid2skills.json] + iconqa/<split>/choose_img/<pid>/choice_*.png, "
    "or a HF ICON-QA parquet/arrow folder"
)
_REFERS_TO_QUERY = re.compile(
    r"\b(above|below|this|shown|same as|match(es)?|the (image|picture|model|figure))\b", re.I
)
_TIME_WORDS = re.compile(r"\b(clock|o'clock|time|half past|quarter|a\.m\.|p\.m\.)\b", re.I)


def category_for(question: str, skills: list[str]) -> str | None:
    """Study category from the question text and IconQA skill tags."""
    skills = [skill.lower() for skill in skills]
    if "symmetr" in question.lower():
        return "Symmetry"
    if "time" in skills or _TIME_WORDS.search(question):
        return "Time"
    if "counting" in skills:
        return "Counting"
    if "geometry" in skills or "shape" in skills:
        return "Shape"
    return None


def records(root: Path, seed: int = 0) -> Iterator[Candidate | Skipped]:
    """Candidates from the original release, or from a table copy when no problems.json."""
    if (root / "problems.json").is_file():
        yield from _original(root, seed)
    else:
        tables = [p for p in sorted(root.iterdir()) if p.suffix in (".parquet", ".arrow", ".jsonl")]
        if not tables and not any(root.glob("*/*.arrow")):
            raise SourceFileError(root, "neither problems.json nor a parquet/arrow/jsonl table")
        for table in tables or [root]:
            yield from _table(root, table, seed)


def _original(root: Path, seed: int) -> Iterator[Candidate | Skipped]:
    problems = load_json(root / "problems.json")
    skills_file = root / "pid2skills.json"
    skills = load_json(skills_file) if skills_file.is_file() else {}
    if not isinstance(problems, dict) or not isinstance(skills, dict):
        raise SourceFileError(root / "problems.json", "expected an object keyed by problem id")
    for pid, problem in problems.items():
        if not isinstance(problem, dict):
            yield Skipped(str(pid), "(unknown)", reasons.MALFORMED)
            continue
        question = str(problem.get("question") or "")
        pid_skills = skills.get(pid) if isinstance(skills.get(pid), list) else []
        category = category_for(question, [str(s) for s in pid_skills])
        if category is None:
            yield Skipped(str(pid), "(other skills)", reasons.NOT_IN_STUDY)
            continue
        ques_type = str(problem.get("ques_type") or "")
        split = str(problem.get("split") or "")
        folder = f"iconqa/{split}/{ques_type}/{pid}"
        yield _candidate(
            root,
            str(pid),
            category,
            question,
            ques_type,
            problem.get("choices"),
            problem.get("answer"),
            has_query=(root / folder / "image.png").is_file(),
            image_of=lambda name, folder=folder: ImageRef(
                f"{folder}/{name}", path=inside(root, f"{folder}/{name}")
            ),
            meta={"split": split, "skills": pid_skills},
            seed=seed,
        )


def _table(root: Path, table: Path, seed: int) -> Iterator[Candidate | Skipped]:
    for number, row in enumerate(read_rows(table)):
        pid = str(row.get("question_id") or row.get("pid") or number)
        question = str(row.get("question") or "")
        raw_skills = row.get("skills") or []
        skills = raw_skills if isinstance(raw_skills, list) else str(raw_skills).split(",")
        category = category_for(question, [s.strip() for s in skills])
        if category is None:
            yield Skipped(pid, "(other skills)", reasons.NOT_IN_STUDY)
            continue
        choice_cells = {
            int(key.rsplit("_", 1)[1]): value
            for key, value in row.items()
            if key.startswith("choice_image_") and value
        }
        choices: Any = [choice_cells[i] for i in sorted(choice_cells)] or row.get("choices")
        yield _candidate(
            root,
            pid,
            category,
            question,
            str(row.get("ques_type") or "choose_img"),
            choices,
            row.get("answer"),
            has_query=bool(row.get("query_image")),
            image_of=lambda cell, pid=pid: image_from_cell(cell, root, f"{table.name} {pid}"),
            meta={"skills": skills},
            seed=seed,
        )


def _candidate(
    root: Path,
    pid: str,
    category: str,
    question: str,
    ques_type: str,
    choices: Any,
    answer: Any,
    *,
    has_query: bool,
    image_of: Any,
    meta: dict[str, Any],
    seed: int,
) -> Candidate | Skipped:
    if ques_type != "choose_img":
        return Skipped(pid, category, reasons.TEXT_ANSWERS)
    if has_query and _REFERS_TO_QUERY.search(question):
        return Skipped(pid, category, reasons.NEEDS_QUERY_IMAGE)
    try:
        answer_index = int(answer)
    except (TypeError, ValueError):
        return Skipped(pid, category, reasons.MALFORMED)
    if not isinstance(choices, list) or len(choices) < 2 or not 0 <= answer_index < len(choices):
        return Skipped(pid, category, reasons.MALFORMED)
    wrong_index = wrong_choice(len(choices), answer_index, seed, pid)
    try:
        correct, wrong = image_of(choices[answer_index]), image_of(choices[wrong_index])
    except SourceFileError:
        return Skipped(pid, category, reasons.PATH_OUTSIDE)
    return Candidate(
        id=pid,
        category=category,
        source=NAME,
        question=question.strip(),
        correct=correct,
        wrong=wrong,
        meta={**meta, "choice_index": [answer_index, wrong_index], "n_choices": len(choices)},
    )
