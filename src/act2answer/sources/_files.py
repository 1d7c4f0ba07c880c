"""Read a stranger's dataset folder safely: JSON/TSV/parquet tables, paths, images.

Everything here fails with :class:`SourceFileError`, one line naming the file;
converters turn per-record failures into counted skips and let file-level
failures (the main JSON is broken) reach the user as that one line.
"""

from __future__ import annotations

import base64
import binascii
import csv
import json
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from act2answer.errors import Act2AnswerError, ImageFileError
from act2answer.suite import read_rgb, read_rgb_bytes

#: Largest JSON / TSV file read, in bytes (the study's largest source file is ~60 MB).
MAX_TABLE_BYTES = 1 << 30
#: Deepest nesting accepted in a JSON file (published formats need < 10).
MAX_JSON_DEPTH = 32
_IMAGE_NAME = re.compile(r"\.(png|jpe?g|webp|bmp|gif|tiff?)$", re.IGNORECASE)


class SourceFileError(Act2AnswerError):
    """A file of a source dataset cannot be used (missing, malformed, too large, outside)."""

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


def require_file(root: Path, relative: str) -> Path:
    """``root / relative`` when it is an existing file inside ``root``."""
    path = inside(root, relative)
    if not path.is_file():
        raise SourceFileError(root / relative, "expected file is missing")
    return path


def inside(root: Path, relative: str | Path) -> Path:
    """Resolve ``relative`` under ``root``; refuse absolute paths and paths that leave it."""
    candidate = Path(relative)
    if candidate.is_absolute() or not str(relative).strip():
        raise SourceFileError(root / str(relative), "path must be relative to the dataset folder")
    resolved = (root / candidate).resolve()
    if not resolved.is_relative_to(root.resolve()):
        raise SourceFileError(root / candidate, "path leaves the dataset folder")
    return resolved


def _check_size(path: Path) -> None:
    if not path.is_file():
        raise SourceFileError(path, "file does not exist")
    size = path.stat().st_size
    if size > MAX_TABLE_BYTES:
        limit = f"{MAX_TABLE_BYTES:,}"
        raise SourceFileError(path, f"file is {size:,} bytes, over the limit of {limit}")


def load_json(path: Path) -> Any:
    """Parse a JSON file with a size limit and a nesting-depth limit."""
    _check_size(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SourceFileError(path, "not UTF-8 text") from None
    limit = sys.getrecursionlimit()
    try:
        sys.setrecursionlimit(max(limit, 4 * MAX_JSON_DEPTH + 200))
        value = json.loads(text)
    except RecursionError:
        raise SourceFileError(path, f"JSON nested deeper than {MAX_JSON_DEPTH} levels") from None
    except json.JSONDecodeError as exc:
        raise SourceFileError(path, f"not valid JSON: {exc.msg} (line {exc.lineno})") from None
    finally:
        sys.setrecursionlimit(limit)
    if json_depth(value) > MAX_JSON_DEPTH:
        raise SourceFileError(path, f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
    return value


def json_depth(value: Any) -> int:
    """Nesting depth of a parsed JSON value (stops counting past the limit)."""
    deepest, stack = 1, [(value, 1)] if isinstance(value, dict | list) else []
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        if depth > MAX_JSON_DEPTH:
            return depth
        children = node.values() if isinstance(node, dict) else node
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return deepest


def read_rows(path: Path) -> Iterator[dict[str, Any]]:
    """Rows of a table file: ``.json`` (list of objects or {id: object}), ``.jsonl``,
    ``.tsv``, ``.parquet``, ``.arrow`` or a Hugging Face ``save_to_disk`` folder."""
    if path.is_dir():
        arrow_files = sorted(path.glob("*.arrow")) or sorted(path.glob("*/*.arrow"))
        parquet_files = sorted(path.rglob("*.parquet"))
        if not arrow_files and not parquet_files:
            raise SourceFileError(path, "folder holds no .arrow or .parquet files")
        for table_file in arrow_files or parquet_files:
            yield from read_rows(table_file)
        return
    suffix = path.suffix.lower()
    if suffix == ".json":
        data = load_json(path)
        if isinstance(data, dict):
            data = [{"_key": key, **row} if isinstance(row, dict) else row
                    for key, row in data.items()]  # fmt: skip
        if not isinstance(data, list):
            raise SourceFileError(path, "expected a JSON list or object of records")
        for row in data:
            yield row if isinstance(row, dict) else {"_malformed": row}
    elif suffix == ".jsonl":
        _check_size(path)
        with path.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                if line.strip():
                    try:
                        row = json.loads(line)
                    except (json.JSONDecodeError, RecursionError):
                        raise SourceFileError(path, f"line {number} is not valid JSON") from None
                    yield row if isinstance(row, dict) else {"_malformed": row}
    elif suffix == ".tsv":
        _check_size(path)
        csv.field_size_limit(MAX_TABLE_BYTES)
        with path.open(encoding="utf-8", newline="") as handle:
            yield from csv.DictReader(handle, delimiter="\t")
    elif suffix in (".parquet", ".arrow"):
        yield from _read_arrow(path)
    else:
        raise SourceFileError(path, f"unsupported table type {suffix!r}")


def _read_arrow(path: Path) -> Iterator[dict[str, Any]]:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        hint = "reading it needs pyarrow: pip install 'act2answer[sources]'"
        raise SourceFileError(path, hint) from None
    try:
        if path.suffix == ".parquet":
            table = pq.read_table(path)
        else:
            with pa.memory_map(str(path)) as source:
                try:
                    table = pa.ipc.open_stream(source).read_all()
                except pa.ArrowInvalid:
                    table = pa.ipc.open_file(source).read_all()
    except (pa.ArrowException, OSError) as exc:
        raise SourceFileError(path, f"not a readable table: {str(exc).splitlines()[0]}") from None
    for batch in table.to_batches(max_chunksize=256):
        yield from batch.to_pylist()


@dataclass(frozen=True)
class ImageRef:
    """An image of a source record: a file in the dataset folder or encoded bytes in a table.

    Attributes:
        name: Shown in errors and kept in ``meta`` (file path or "table row N").
        path: The file, already checked to lie inside the dataset folder.
        data: Encoded bytes (TSV base64 or parquet/HF image cells).
    """

    name: str
    path: Path | None = None
    data: bytes | None = None

    def load(self) -> np.ndarray:
        """Decode to ``(H, W, 3)`` uint8; :class:`ImageFileError` naming the image."""
        if self.path is not None:
            return read_rgb(self.path)
        if self.data is None:
            raise ImageFileError(self.name, "no image data")
        return read_rgb_bytes(self.data, self.name)


def image_from_cell(cell: Any, root: Path, name: str) -> ImageRef:
    """An :class:`ImageRef` from a table cell: base64 text, HF ``{bytes, path}``, raw bytes,
    or a path relative to ``root``."""
    if isinstance(cell, dict):
        if cell.get("bytes"):
            return ImageRef(name, data=bytes(cell["bytes"]))
        if cell.get("path"):
            return ImageRef(name, path=inside(root, cell["path"]))
        raise SourceFileError(name, "image cell has neither bytes nor path")
    if isinstance(cell, bytes | bytearray):
        return ImageRef(name, data=bytes(cell))
    if isinstance(cell, str) and cell.strip():
        text = cell.strip()
        if len(text) > 1024 or not _IMAGE_NAME.search(text):
            try:
                return ImageRef(name, data=base64.b64decode(text, validate=True))
            except (binascii.Error, ValueError):
                raise SourceFileError(name, "image cell is neither base64 nor a path") from None
        return ImageRef(name, path=inside(root, text))
    raise SourceFileError(name, "image cell is empty")
