"""One root exception for everything act2answer raises on purpose.

User errors carry enough context (file, line, item id, field) for the CLI to
print them as a single readable line, without a traceback.
"""

from __future__ import annotations

from pathlib import Path


class Act2AnswerError(Exception):
    """Root of every error act2answer raises deliberately."""


class SuiteError(Act2AnswerError):
    """A suite folder or one of its items is invalid.

    Args:
        message: What is wrong.
        path: The file concerned.
        line: 1-based line number in ``suite.jsonl`` when known.
        item_id: The item's ``id`` when known.
        field: The offending field when known.
    """

    def __init__(
        self,
        message: str,
        *,
        path: Path | str | None = None,
        line: int | None = None,
        item_id: str | None = None,
        field: str | None = None,
    ) -> None:
        self.path = Path(path) if path is not None else None
        self.line = line
        self.item_id = item_id
        self.field = field
        self.message = message
        super().__init__(self._format())

    def _format(self) -> str:
        where = []
        if self.path is not None:
            where.append(f"{self.path}" + (f":{self.line}" if self.line is not None else ""))
        if self.item_id is not None:
            where.append(f"item {self.item_id!r}")
        if self.field is not None:
            where.append(f"field {self.field!r}")
        return (", ".join(where) + ": " if where else "") + self.message


class ImageFileError(Act2AnswerError):
    """An image file cannot be read (missing, not an image, truncated, too large).

    Args:
        path: The image file.
        reason: Why it cannot be read.
    """

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class SimulationError(Act2AnswerError):
    """The simulator could not be built, reset or stepped."""


class RenderBackendError(SimulationError):
    """No OpenGL backend could start for offscreen rendering."""


class PolicyError(Act2AnswerError):
    """A policy failed, returned an invalid action, or could not be created."""


class PolicyUnavailableError(PolicyError):
    """A remote policy could not be reached when an episode started.

    The runner stops scheduling episodes and leaves the rest unrun (not
    errors), so rerunning the same command resumes once the server is back.
    """


class InvalidActionError(PolicyError):
    """A policy returned an action of the wrong shape, dtype or with NaN/inf."""


class RunError(Act2AnswerError):
    """A run folder is inconsistent with the requested evaluation."""


class SynthError(Act2AnswerError):
    """A procedural category could not be found or produced an invalid item."""


class MissingExtraError(Act2AnswerError, ImportError):
    """A feature needs an optional part of act2answer that is not installed.

    The message names the extra: a light install (``act2answer-core``, the
    remote client and ``act2answer serve``) lacks the simulator and the HTML
    report, which a plain ``pip install act2answer`` includes.

    Args:
        feature: What the user asked for, e.g. ``"the simulator"``.
        extra: The extra that provides it (``sim``, ``report``, ``ray``...).
        missing: The module that could not be imported.
    """

    def __init__(self, feature: str, extra: str, missing: str) -> None:
        super().__init__(
            f"{feature} needs the {extra!r} extra ({missing} is not installed): "
            f"pip install 'act2answer[{extra}]', or 'act2answer-core[{extra}]' next to a light "
            "install"
        )
        self.extra = extra
