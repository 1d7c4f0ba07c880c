"""Packaging: a light act2answer-core for a model's environment, a complete act2answer for users."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import tomllib

ROOT = Path(__file__).resolve().parents[1]
FULL = tomllib.loads((ROOT / "pyproject.toml").read_text())
CORE = tomllib.loads((ROOT / "packages" / "act2answer-core" / "pyproject.toml").read_text())
HEAVY = ("mujoco", "scipy", "torch", "transformers", "jinja2", "matplotlib", "imageio")


def _names(requirements: list[str]) -> set[str]:
    return {re.split(r"[<>=\[; ]", requirement, maxsplit=1)[0] for requirement in requirements}


def test_core_is_light_and_the_full_install_is_core_plus_sim_and_report():
    core = CORE["project"]["dependencies"]
    assert not _names(core) & set(HEAVY)
    extras = CORE["project"]["optional-dependencies"]
    expected = set(core) | set(extras["sim"]) | set(extras["report"])
    assert set(FULL["project"]["dependencies"]) == expected
    assert CORE["project"]["version"] == FULL["project"]["version"]
    assert CORE["project"]["scripts"] == FULL["project"]["scripts"]
    assert CORE["tool"]["setuptools"]["package-data"] == FULL["tool"]["setuptools"]["package-data"]
    for extra in ("sim", "report", "all"):
        assert extra in FULL["project"]["optional-dependencies"]


def test_the_serving_requirement_points_at_the_light_distribution():
    lines = [
        line
        for line in (ROOT / "requirements" / "serve.txt").read_text().splitlines()
        if line and not line.startswith("#")
    ]
    assert lines == ["./packages/act2answer-core"]


def test_make_serve_venv_is_a_plain_install_of_the_light_package():
    """Issue 19's acceptance: a model's environment gets the server by a plain pip install."""
    makefile = (ROOT / "Makefile").read_text()
    recipe = makefile.split("\nserve-venv:\n", 1)[1].split("\n\n", 1)[0]
    installs = [line.strip() for line in recipe.splitlines() if "pip install" in line]
    assert installs == ["$(SERVE_VENV)/bin/python -m pip install ./packages/act2answer-core"]


@pytest.mark.parametrize(
    ("code", "extra"),
    [
        ("import act2answer.sim", "sim"),
        ("from act2answer.report.html._render import require_report_extra as r; r()", "report"),
    ],
)
def test_a_missing_extra_is_named(code, extra):
    blocked = "mujoco" if extra == "sim" else "jinja2"
    script = (
        f"import sys; sys.modules[{blocked!r}] = None\n"
        "from act2answer.errors import MissingExtraError\n"
        f"try:\n    {code}\nexcept MissingExtraError as exc:\n    print(exc.extra, exc)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.stdout.startswith(f"{extra} "), done.stdout + done.stderr
    assert f"'act2answer[{extra}]'" in done.stdout
