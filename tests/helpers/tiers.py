"""Test tiers: what each pytest marker needs, and skipping (or failing, in CI) without it.

Markers (registered in ``pyproject.toml``, ``--strict-markers``):

* ``sim``: offscreen MuJoCo rendering (EGL or OSMesa).
* ``torch``: the ``vlm`` extra (torch, torchvision, transformers).
* ``ray``: the ``ray`` extra.
* ``browser``: Playwright and Debian's Chromium at ``/usr/bin/chromium``
  (``ACT2ANSWER_CHROMIUM`` overrides the path).
* ``models``: the LeRobot environment (``tests_models/``, ``.venv-lerobot``).
* ``slow``: needs nothing more, but takes long; ``make test-fast`` leaves it out.

A test whose tier is missing is skipped with the extra named, unless
``ACT2ANSWER_REQUIRE_ALL=1`` (set by ``.ci/run``): then it fails, so CI cannot
pass by skipping a tier it was meant to run.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import os
from pathlib import Path
from types import ModuleType

import pytest

#: Set by CI: a missing tier is a failure, not a skip.
REQUIRE_ALL = "ACT2ANSWER_REQUIRE_ALL"
#: Debian's Chromium, driven by Playwright (``ACT2ANSWER_CHROMIUM`` points elsewhere).
CHROMIUM = Path(os.environ.get("ACT2ANSWER_CHROMIUM", "/usr/bin/chromium"))

#: marker -> (modules it imports, how to install them)
_NEEDS: dict[str, tuple[tuple[str, ...], str]] = {
    "torch": (("torch", "transformers"), "pip install 'act2answer[vlm]'"),
    "ray": (("ray",), "pip install 'act2answer[ray]'"),
    "browser": (("playwright",), "pip install playwright; apt-get install chromium"),
    "gym": (("gymnasium",), "pip install 'act2answer[gym]'"),
    "models": (("lerobot",), "run it in .venv-lerobot: make test-models"),
}


def required() -> bool:
    """Whether missing tiers fail instead of skipping (CI)."""
    return os.environ.get(REQUIRE_ALL, "") not in ("", "0")


def _skip_or_fail(reason: str, *, module_level: bool = False) -> None:
    if required():
        pytest.fail(f"{reason} ({REQUIRE_ALL} is set: every tier must run)", pytrace=False)
    pytest.skip(reason, allow_module_level=module_level)


@functools.cache
def missing(marker: str) -> str | None:
    """Why the tests of ``marker`` cannot run here, or None when they can."""
    if marker == "sim":
        return _rendering_problem()
    if marker not in _NEEDS:
        return None
    modules, install = _NEEDS[marker]
    absent = [name for name in modules if importlib.util.find_spec(name) is None]
    if marker == "browser" and not CHROMIUM.is_file():
        absent.append(str(CHROMIUM))
    if absent:
        return f"'{marker}' tier needs {', '.join(absent)}: {install}"
    return None


def _rendering_problem() -> str | None:
    from act2answer.errors import RenderBackendError
    from act2answer.sim._glerror import check_rendering

    try:
        check_rendering()
    except RenderBackendError as exc:
        return f"'sim' tier needs offscreen rendering: {exc}"
    return None


def apply(item: pytest.Item) -> None:
    """Skip (or fail under CI) a collected test whose tier is missing here."""
    for mark in item.iter_markers():
        reason = missing(mark.name)
        if reason is not None:
            _skip_or_fail(reason)


def import_or_skip(module: str, marker: str) -> ModuleType:
    """Import a tier's module at module level; skip the module (or fail, in CI) without it.

    Use instead of a top-level ``import torch`` so collecting the test suite
    works without the extra.
    """
    reason = missing(marker)
    if reason is not None:
        _skip_or_fail(reason, module_level=True)
    return importlib.import_module(module)
