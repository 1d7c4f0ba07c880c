"""Helpers shared by CLI commands: option types, error printing, progress bars, parsers."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn
from rich.table import Table

from act2answer.errors import Act2AnswerError

if TYPE_CHECKING:  # the eval package imports MuJoCo; `act2answer serve` must not
    from act2answer.eval import EpisodeResult
    from act2answer.report import RunReport, VLMReport
    from act2answer.store import RunRecord

#: Metrics tables need ~110 columns; rich assumes 80 when output is not a terminal.
MIN_WIDTH = 110
console = Console()
if not console.is_terminal and console.width < MIN_WIDTH:
    console = Console(width=MIN_WIDTH)
error_console = Console(stderr=True)

# Options several commands take, spelled once: ``suite: SuiteOption``, ``workers: WorkersOption``.
# The option's name comes from the parameter's name; the default from the parameter's default.
_SUITE_HELP = "Suite folder (suite.jsonl + images)."
_RUN_OUT_HELP = "Run folder; rerun with the same folder to resume."
#: ``--suite``: a suite folder to read.
SuiteOption = Annotated[Path, typer.Option(help=_SUITE_HELP)]
#: ``--suite`` of a command that can do without one (``run --dry-run``).
OptionalSuiteOption = Annotated[Path | None, typer.Option(help=_SUITE_HELP)]
#: ``--out``: a run folder (resumable).
RunOutOption = Annotated[Path, typer.Option(help=_RUN_OUT_HELP)]
#: ``--out`` of a command that can do without one (``run --dry-run``).
OptionalRunOutOption = Annotated[Path | None, typer.Option(help=_RUN_OUT_HELP)]
#: ``--out`` / ``-o``: a suite folder to write.
SuiteOutOption = Annotated[Path, typer.Option("--out", "-o", help="Suite folder to write.")]
#: A suite folder given as the argument.
SuiteArgument = Annotated[Path, typer.Argument(help="Suite folder.")]
#: ``--policy-args``: the policy's keyword arguments as one JSON object.
PolicyArgsOption = Annotated[
    str, typer.Option(help="JSON object of keyword arguments for the policy.")
]
#: ``--seed``: mixed into every episode's seed.
EpisodeSeedOption = Annotated[int, typer.Option(help="Base seed mixed into every episode seed.")]
#: ``--workers``: simulator processes.
WorkersOption = Annotated[int, typer.Option(help="Simulator processes (0: one per core).")]
#: ``--per-category``: items per category.
PerCategoryOption = Annotated[int, typer.Option(help="Items per category.")]
#: ``--robot``.
RobotOption = Annotated[str, typer.Option(help="widowx or panda.")]
#: ``--retry-errors``: run the stored error records (episodes, answers) again.
RetryErrorsOption = Annotated[bool, typer.Option(help="Run stored errors again.")]
#: ``--batch-window-ms``: a batching host's longest wait.
BatchWindowOption = Annotated[float, typer.Option(help="Longest wait for a batch to fill, ms.")]
#: ``--host`` of a server.
HostOption = Annotated[str, typer.Option(help="Interface to bind (0.0.0.0: all).")]
#: ``--categories``: procedural categories (repeat the option or comma-separate).
CategoriesOption = Annotated[
    list[str] | None,
    typer.Option(
        "--categories",
        "--category",
        "-c",
        help="Only these categories: repeat the option or separate with commas.",
    ),
]
#: ``--out`` of a command that writes a model checkpoint.
CheckpointOutOption = Annotated[
    Path, typer.Option("--out", "-o", help="Checkpoint folder to write.")
]

P = ParamSpec("P")
R = TypeVar("R")


def friendly_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Print act2answer's own errors as one red line and exit 1, without a traceback.

    Ctrl-C exits with 130 and a reminder that the run can be resumed.
    """

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except Act2AnswerError as exc:
            # escape: messages quote user text and extras such as act2answer[ray]
            error_console.print(
                f"[red]error:[/red] {escape(str(exc))}", highlight=False, soft_wrap=True
            )
            raise typer.Exit(1) from None
        except KeyboardInterrupt:
            error_console.print(
                "[yellow]interrupted:[/yellow] finished episodes are saved; "
                "rerun the same command to resume"
            )
            raise typer.Exit(130) from None

    return wrapper


@contextmanager
def episode_progress(label: str) -> Iterator[Callable[[EpisodeResult, int, int], None]]:
    """A progress bar fed by the runner's ``on_result`` callback."""
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=False,
    ) as progress:
        task_id = progress.add_task(label, total=None)

        def update(result: EpisodeResult, done: int, total: int) -> None:
            progress.update(task_id, completed=done, total=total)

        yield update


def image_size(text: str, option: str = "--image-size") -> tuple[int, int]:
    """Parse ``WIDTHxHEIGHT``.

    Raises:
        typer.BadParameter: the text is not two integers joined by ``x``.
    """
    parts = text.lower().split("x")
    if len(parts) != 2 or not all(part.strip().isdigit() for part in parts):
        raise typer.BadParameter(f"{option} must look like 224x224, got {text!r}")
    return int(parts[0]), int(parts[1])


E = TypeVar("E", bound=Enum)


def choice(value: str, option: str, kind: type[E]) -> E:
    """The member of ``kind`` whose value is ``value``.

    Raises:
        Act2AnswerError: unknown value; the message lists the known ones.
    """
    try:
        return kind(value)
    except ValueError:
        known = ", ".join(str(member.value) for member in kind)
        raise Act2AnswerError(f"{option}: unknown value {value!r} (choose from {known})") from None


def json_object(text: str, option: str) -> dict[str, object]:
    """Parse a JSON object given on the command line.

    Raises:
        Act2AnswerError: not JSON, or not an object.
    """
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise Act2AnswerError(f"{option}: not valid JSON: {exc.msg}") from None
    if not isinstance(value, dict):
        raise Act2AnswerError(f"{option}: must be a JSON object")
    return value


def print_consistency(records: Sequence[RunRecord]) -> None:
    """Print consistency across layouts (items right in both layouts) of a run's records."""
    from act2answer.analysis.consistency import layout_consistency
    from act2answer.analysis.outcomes import trials_from
    from act2answer.report import interval_text, percent

    table = Table(title="Consistency across layouts (items right in both layouts)")
    for header in ("category", "items", "both right", "rate", "95% CI"):
        table.add_column(header, justify="left" if header == "category" else "right")
    for row in layout_consistency(trials_from(records)):
        table.add_row(
            row.name,
            str(row.items),
            str(row.both_correct),
            percent(row.rate),
            interval_text(row.interval),
        )
    console.print(table)


def show_report(report: RunReport | VLMReport, *, details: bool = True) -> None:
    """Print a run's metrics table (any run kind) and write its report files.

    Args:
        report: A loaded run report.
        details: Also print consistency across layouts (VLA; the VLM table has
            a column for it) and say so when the run has fewer records than its
            suite asks for (``act2answer report``; the run commands say it themselves).
    """
    from act2answer.report import RunReport, report_table, write_report

    console.print(report_table(report))
    if isinstance(report, RunReport) and details:
        print_consistency(report.records)
    if details and report.complete is False:
        console.print(
            f"[yellow]run incomplete: {len(report.records)} of {report.expected_records} "
            f"{report.RECORD_NOUN} stored; rerun `{report.RESUME_COMMAND}` with the same --out "
            "to finish[/yellow]"
        )
    for path in write_report(report):
        console.print(f"wrote {path}")


def add_commands(app: typer.Typer, commands: dict[str, Callable[..., object]]) -> None:
    """Register each command under its name, printing act2answer's errors as one line."""
    for name, command in commands.items():
        app.command(name)(friendly_errors(command))
