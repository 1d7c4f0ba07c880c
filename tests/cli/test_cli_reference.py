"""The CLI reference page is generated from the Typer app and kept in step with it."""

from __future__ import annotations

import sys
from pathlib import Path

from act2answer.cli.reference import cli_reference_markdown

PAGE = Path(__file__).resolve().parents[2] / "docs" / "reference" / "cli.md"


def test_the_committed_cli_reference_is_what_the_app_generates():
    assert PAGE.read_text(encoding="utf-8") == cli_reference_markdown(), (
        "docs/reference/cli.md is out of date: run "
        "`PYTHONPATH=src python -m act2answer.cli.reference > docs/reference/cli.md`"
    )


def test_every_command_has_a_section_one_level_under_the_page_title():
    page = cli_reference_markdown()
    assert page.startswith("# CLI reference\n")
    assert "\n## `act2answer`\n" in page
    for command in ("run", "report", "compare", "lab train", "lab sweep", "vlm"):
        heading = f"# `act2answer {command}`\n"
        assert f"\n##{heading}" in page or f"\n###{heading}" in page


def test_the_page_does_not_depend_on_the_machine_that_generates_it():
    # a default such as sys.executable would make the page differ per checkout (CI: fresh clone)
    page = cli_reference_markdown()
    assert sys.executable not in page
    assert str(Path.cwd()) not in page
