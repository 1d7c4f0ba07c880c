"""Import torch the way this process needs it next to MuJoCo's software renderer."""

from __future__ import annotations

import contextlib
from types import ModuleType


def import_torch() -> ModuleType:
    """Import torch after triton.

    torch imports triton lazily, and triton's bundled LLVM segfaults when it
    is loaded after Mesa's (the software EGL renderer loaded by the first
    rendered frame); loaded first, both work. Call this before rendering in
    any code path that later uses torch.
    """
    with contextlib.suppress(ImportError):
        import triton  # noqa: F401
    import torch

    return torch
