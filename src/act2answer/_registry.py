"""One registry type for every "name -> thing" table: policies, presets, VLM backends,
synth categories, data sources, probe models and executors.

An entry is either the object itself or a lazy ``"package.module:attribute"``
string imported on first use, so registering never imports a heavy stack.
Unknown names fail with the same message everywhere: the kind, a "did you
mean" suggestion and the known names.
"""

from __future__ import annotations

import difflib
import importlib
from collections.abc import Iterator, Mapping
from typing import Any, Generic, TypeVar

from act2answer.errors import Act2AnswerError

T = TypeVar("T")


def import_object(
    path: str, error: type[Act2AnswerError] = Act2AnswerError, needs: str = ""
) -> Any:
    """Import ``"package.module:attribute"`` (an optional stack's entry point).

    Args:
        path: What to import.
        error: The error raised when it cannot be imported.
        needs: What the caller needs it for, said first in the message
            (e.g. ``"the LeRobot probe needs the LeRobot adapter and its venv"``).

    Raises:
        Act2AnswerError: (or ``error``) the module or attribute cannot be imported.
    """
    module_name, separator, attribute = path.partition(":")
    if not separator or not module_name or not attribute:
        raise error(f"{path!r} is not of the form package.module:attribute")
    try:
        return getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError) as exc:
        prefix = f"{needs}: " if needs else ""
        raise error(f"{prefix}cannot import {path!r}: {exc}") from None


class Registry(Generic[T]):
    """Named entries of one kind, with lazy imports and "did you mean" on unknown names.

    Args:
        kind: What the entries are, for messages (``"policy"``, ``"preset"``...).
        entries: Initial entries: objects, or ``"module:attribute"`` strings when
            ``lazy`` is true.
        error: The error raised for an unknown or unimportable name.
        lazy: String entries are import paths, imported on first :meth:`get`.
    """

    def __init__(
        self,
        kind: str,
        entries: Mapping[str, T | str] | None = None,
        *,
        error: type[Act2AnswerError] = Act2AnswerError,
        lazy: bool = False,
    ) -> None:
        self.kind = kind
        self.error = error
        self.lazy = lazy
        self._entries: dict[str, T | str] = dict(entries or {})

    def register(self, name: str, entry: T | str, *, replace: bool = True) -> None:
        """Add ``entry`` under ``name`` (``replace=False`` keeps an existing one)."""
        if replace or name not in self._entries:
            self._entries[name] = entry

    def get(self, name: str) -> T:
        """The entry registered as ``name`` (imported now if it is a lazy path).

        Raises:
            Act2AnswerError: (or the registry's ``error``) unknown name, with the
                closest known one and the list of known names.
        """
        if name not in self._entries:
            raise self.error(self.unknown_message(name))
        entry = self._entries[name]
        if self.lazy and isinstance(entry, str):
            try:
                loaded = import_object(entry, self.error)
            except self.error as exc:
                raise self.error(f"{self.kind} {name!r}: {exc}") from None
            self._entries[name] = loaded
            return loaded
        return entry  # type: ignore[return-value]

    def path(self, name: str) -> str | None:
        """The import path of a lazy entry not imported yet, else None."""
        entry = self._entries.get(name)
        return entry if isinstance(entry, str) and self.lazy else None

    def unknown_message(self, name: str) -> str:
        """``unknown <kind> 'x'; did you mean 'y'? (known: ...)``."""
        close = difflib.get_close_matches(name, list(self._entries), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        return f"unknown {self.kind} {name!r}{hint} (known: {', '.join(self.names())})"

    def names(self) -> list[str]:
        """Registered names, sorted."""
        return sorted(self._entries)

    def __getitem__(self, name: str) -> T:
        return self.get(name)

    def values(self) -> list[T]:
        """Every entry, in registration order (lazy ones are imported now)."""
        return [self.get(name) for name in self._entries]

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)
