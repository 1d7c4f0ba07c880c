"""Finding 7: a hostile option image ends `suite check`, `suite audit` and `run` with one
clear line naming the file and the item, never a traceback."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image
from typer.testing import CliRunner

from act2answer.cli.main import app
from act2answer.suite import SuiteItem, save_suite


def _bomb_png(path: Path, side: int = 60_000) -> None:
    """A valid PNG header claiming ``side`` x ``side`` pixels (3.6 G), with no pixel data."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b""))


def _truncated_png(path: Path) -> None:
    Image.effect_noise((96, 96), 60).convert("RGB").save(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _text(path: Path) -> None:
    path.write_text("this is not an image\n")


HOSTILE = {"bomb": _bomb_png, "truncated": _truncated_png, "text": _text}


def _suite(root: Path) -> Path:
    (root / "img").mkdir(parents=True)
    items = []
    for i in range(2):
        paths = []
        for slot, color in enumerate(((200, 30, 30), (30, 30, 200))):
            path = f"img/{i}-{slot}.png"
            Image.new("RGB", (64, 64), color).save(root / path)
            paths.append(path)
        items.append(
            SuiteItem(
                id=f"item-{i}",
                category="Color",
                source="test",
                question="Which is red?",
                instruction="put the cube on the red square",
                options=(paths[0], paths[1]),
                answer=0,
            )
        )
    save_suite(root, items, name="hostile-test")
    return root


def _assert_one_line(output: str, *needles: str) -> None:
    assert "Traceback" not in output, output
    lines = [line for line in output.splitlines() if all(n in line for n in needles)]
    assert lines, output


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_check_audit_and_run_name_the_file_and_item(kind: str, tmp_path: Path) -> None:
    root = _suite(tmp_path / "suite")
    HOSTILE[kind](root / "img" / "1-1.png")
    runner = CliRunner()

    check = runner.invoke(app, ["suite", "check", str(root)])
    assert check.exit_code == 1
    _assert_one_line(check.output, "1-1.png", "item-1")
    assert "shortcut audit: skipped" in check.output

    audit = runner.invoke(app, ["suite", "audit", str(root)])
    assert audit.exit_code == 1
    assert isinstance(audit.exception, SystemExit)
    _assert_one_line(audit.output, "1-1.png", "item-1")

    run = runner.invoke(
        app,
        ["run", "--suite", str(root), "--policy", "oracle", "--out", str(tmp_path / "run"),
         "--workers", "1"],
    )  # fmt: skip
    assert run.exit_code == 1
    assert isinstance(run.exception, SystemExit)
    _assert_one_line(run.output, "1-1.png", "item-1")
