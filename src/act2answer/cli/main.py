"""The ``act2answer`` command line: a thin layer over the public API."""

from __future__ import annotations

import typer

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)
suite_app = typer.Typer(no_args_is_help=True, help="Inspect and validate suites.")
app.add_typer(suite_app, name="suite")


def main() -> None:
    app()
