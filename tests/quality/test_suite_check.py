"""Suite validator, contact sheet and the synth / suite CLI commands."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import typer
from PIL import Image
from typer.testing import CliRunner

from act2answer.cli.synth_commands import register
from act2answer.quality.check import check_suite
from act2answer.quality.preview import make_contact_sheet, render_first_frames
from act2answer.suite import SUITE_FILE
from act2answer.synth import generate_suite

CATS = ["Color", "Counting", "Time"]


@pytest.fixture(scope="module")
def suite_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("suite")
    generate_suite(out, per_category=6, seed=1, categories=CATS, workers=1)
    return out


@pytest.fixture()
def cli() -> typer.Typer:
    app = typer.Typer()
    suite_app = typer.Typer()
    app.add_typer(suite_app, name="suite")
    register(app, suite_app)
    return app


def test_check_good_suite(suite_dir: Path) -> None:
    report = check_suite(suite_dir)
    assert report.ok, report.to_text()
    assert report.n_items == 18
    assert report.counts == {name: 6 for name in CATS}
    assert report.balance == {name: (3, 3) for name in CATS}
    words = report.words["all"]
    assert 3 <= words.min <= words.mean <= words.max <= 25
    assert "Counting" in report.to_text()


def test_check_broken_suite_reports_everything(suite_dir: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(suite_dir, broken)
    lines = (broken / SUITE_FILE).read_text().splitlines()
    first = json.loads(lines[0])
    (broken / first["options"][0]).write_bytes(b"not a png")
    (broken / json.loads(lines[1])["options"][1]).unlink()
    dup = json.loads(lines[2])
    dup["id"] = first["id"]
    lines[2] = json.dumps(dup)
    lines.insert(3, "{not json")
    same = json.loads(lines[4])
    same["options"] = [same["options"][0], same["options"][0]]
    lines[4] = json.dumps(same)
    (broken / SUITE_FILE).write_text("\n".join(lines) + "\n")
    report = check_suite(broken)
    assert not report.ok
    assert len(report.unreadable) == 2
    assert report.line_errors and report.line_errors[0][0] == 4
    assert report.duplicate_ids == [first["id"]]
    assert report.identical_options == [same["id"]]
    text = report.to_text()
    assert "not an image" in text and "missing" in text


def test_check_missing_folder(tmp_path: Path) -> None:
    report = check_suite(tmp_path / "nowhere")
    assert not report.ok and report.line_errors


def test_near_duplicates_across_items(suite_dir: Path, tmp_path: Path) -> None:
    copy = tmp_path / "dup"
    shutil.copytree(suite_dir, copy)
    lines = (copy / SUITE_FILE).read_text().splitlines()
    a, b = json.loads(lines[0]), json.loads(lines[1])
    shutil.copy(copy / a["options"][0], copy / b["options"][0])
    report = check_suite(copy)
    assert any({p.first, p.second} == {a["options"][0], b["options"][0]} for p in report.duplicates)


def test_contact_sheet(suite_dir: Path, tmp_path: Path) -> None:
    out = make_contact_sheet(suite_dir, tmp_path / "sheet.png", per_category=3, tile_px=64)
    with Image.open(out) as image:
        assert image.width > 3 * 2 * 64 and image.height > 3 * 64


def test_first_frames(suite_dir: Path, tmp_path: Path) -> None:
    out = render_first_frames(suite_dir, tmp_path / "frames.png", n=2)
    with Image.open(out) as image:
        assert image.width == 2 * (640 + 2 * 224 + 8)  # full frame + policy-resolution frame


def test_cli_synth_check_preview(cli: typer.Typer, tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "s"
    result = runner.invoke(
        cli,
        ["synth", "--out", str(out), "-n", "2", "--categories", "Shape,Color", "--workers", "1"],
    )
    assert result.exit_code == 0, result.output
    assert "pixel check Shape: 2/2" in result.output
    assert "pixel check Color: 2/2" in result.output
    result = runner.invoke(cli, ["suite", "check", str(out)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(cli, ["suite", "preview", str(out), "--out", str(tmp_path / "p.png")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "p.png").is_file()


def test_cli_errors_are_one_line(cli: typer.Typer, tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["synth", "--out", str(tmp_path / "x"), "-c", "Astrology"])
    assert result.exit_code == 1
    assert "unknown category" in result.output
    assert "Traceback" not in result.output
    result = runner.invoke(cli, ["suite", "preview", str(tmp_path / "nothing")])
    assert result.exit_code == 1 and "no suite.jsonl" in result.output
