"""Load, validate and save suite folders (``suite.jsonl`` + images)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

from pydantic import ValidationError

from act2answer.errors import ImageFileError, SuiteError
from act2answer.suite._model import Suite, SuiteItem
from act2answer.suite.images import verify_image

SUITE_FILE = "suite.jsonl"
MANIFEST_FILE = "suite.json"


def load_suite(root: Path | str, *, check_images: bool = True) -> Suite:
    """Load and validate a suite folder.

    Args:
        root: Folder holding ``suite.jsonl`` and the option images.
        check_images: Decode every image (slower, catches broken files early).

    Returns:
        The validated suite.

    Raises:
        SuiteError: naming file, line, item id and field of the first problem.
    """
    root = Path(root)
    suite_file = root / SUITE_FILE
    if not suite_file.is_file():
        raise SuiteError(f"no {SUITE_FILE} in suite folder", path=root)
    raw = suite_file.read_bytes()
    items: list[SuiteItem] = []
    seen: dict[str, int] = {}
    for line_number, line in enumerate(raw.decode("utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        item = _parse_line(line, suite_file, line_number)
        if item.id in seen:
            raise SuiteError(
                f"duplicate id (first seen on line {seen[item.id]})",
                path=suite_file,
                line=line_number,
                item_id=item.id,
                field="id",
            )
        seen[item.id] = line_number
        for index, option in enumerate(item.options):
            _check_option(root, option, suite_file, line_number, item.id, index, check_images)
        items.append(item)
    if not items:
        raise SuiteError("suite has no items", path=suite_file)
    return Suite(
        root=root,
        name=_suite_name(root),
        items=tuple(items),
        content_hash=_content_hash(raw, root, items),
    )


def save_suite(root: Path | str, items: Iterable[SuiteItem], *, name: str | None = None) -> Path:
    """Write ``suite.jsonl`` (and ``suite.json`` when ``name`` is given).

    Images must already be in place under ``root``; the result is re-validated.

    Returns:
        Path of the written ``suite.jsonl``.
    """
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    lines = [json.dumps(_item_record(item), ensure_ascii=False) for item in items]
    suite_file = root / SUITE_FILE
    suite_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    if name is not None:
        (root / MANIFEST_FILE).write_text(json.dumps({"name": name}, indent=2) + "\n")
    load_suite(root)
    return suite_file


def _parse_line(line: str, suite_file: Path, line_number: int) -> SuiteItem:
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        raise SuiteError(f"not valid JSON: {exc.msg}", path=suite_file, line=line_number) from None
    if not isinstance(data, dict):
        raise SuiteError("each line must be a JSON object", path=suite_file, line=line_number)
    item_id = data.get("id") if isinstance(data.get("id"), str) else None
    try:
        return SuiteItem.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or None
        message = first["msg"].removeprefix("Value error, ")
        raise SuiteError(
            message, path=suite_file, line=line_number, item_id=item_id, field=field
        ) from None


def _check_option(
    root: Path,
    option: str,
    suite_file: Path,
    line_number: int,
    item_id: str,
    index: int,
    check_images: bool,
) -> None:
    field = f"options.{index}"

    def fail(message: str) -> SuiteError:
        return SuiteError(message, path=suite_file, line=line_number, item_id=item_id, field=field)

    relative = Path(option)
    if relative.is_absolute():
        raise fail(f"image path {option!r} must be relative to the suite folder")
    resolved = (root / relative).resolve()
    if not resolved.is_relative_to(root.resolve()):
        raise fail(f"image path {option!r} escapes the suite folder")
    if not resolved.is_file():
        raise fail(f"image {option!r} does not exist")
    if check_images:
        try:
            verify_image(resolved)
        except ImageFileError as exc:
            raise fail(f"image {option!r}: {exc.reason}") from None


def _suite_name(root: Path) -> str:
    manifest = root / MANIFEST_FILE
    if manifest.is_file():
        try:
            name = json.loads(manifest.read_text()).get("name")
        except (json.JSONDecodeError, AttributeError):
            raise SuiteError("suite.json must be a JSON object", path=manifest) from None
        if isinstance(name, str) and name.strip():
            return name
    return root.resolve().name


def _content_hash(raw: bytes, root: Path, items: list[SuiteItem]) -> str:
    digest = hashlib.sha256(raw)
    for relative in dict.fromkeys(option for item in items for option in item.options):
        digest.update(relative.encode())
        digest.update((root / relative).read_bytes())
    return digest.hexdigest()


def _item_record(item: SuiteItem) -> dict[str, object]:
    """An item as written to ``suite.jsonl``; optional control instructions only when set."""
    record = item.model_dump(mode="json")
    for optional in ("explicit_object", "explicit_spatial"):
        if record.get(optional) is None:
            record.pop(optional, None)
    return record
