"""Tests that need the model stack (torch, transformers, LeRobot): run in .venv-lerobot.

``make test`` builds that environment and runs ``pytest tests_models`` there.
Nothing here reaches a model hub: every model is built locally.
"""

from __future__ import annotations

import os
from pathlib import Path

_SHARED_MENAGERIE = Path(__file__).resolve().parents[2] / "shared" / "menagerie"
if _SHARED_MENAGERIE.is_dir():
    os.environ.setdefault("MENAGERIE_ROOT", str(_SHARED_MENAGERIE))
os.environ.setdefault("MUJOCO_GL", "egl")
os.environ.setdefault("PYOPENGL_PLATFORM", "egl")
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
