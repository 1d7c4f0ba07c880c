"""The CLI reference page (``docs/reference/cli.md``), generated from the Typer app.

``python -m act2answer.cli.reference > docs/reference/cli.md`` rewrites the page;
a test compares the committed page with this output, so a changed command or
option fails the tests until the page is regenerated.
"""

from __future__ import annotations

import click
import typer
from typer.cli import get_docs_for_click

_HEAD = """# CLI reference

Generated from the Typer app with

```bash
PYTHONPATH=src python -m act2answer.cli.reference > docs/reference/cli.md
```

(see [Contributing](../development/contributing.md#documentation));
do not edit the part below by hand.

"""


def cli_reference_markdown() -> str:
    """The whole page: a short head, then Typer's docs with every heading one level down."""
    from act2answer.cli.main import app

    command = typer.main.get_command(app)
    with click.Context(command, info_name="act2answer") as context:
        body = get_docs_for_click(obj=command, ctx=context, name="act2answer").strip()
    lines = [f"#{line}" if line.startswith("#") else line for line in body.splitlines()]
    return _HEAD + "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(cli_reference_markdown(), end="")
