"""A first run on a plain headless machine: no MUJOCO_GL, no DISPLAY, nothing set up.

The subprocess tests start ``act2answer`` with the environment a ``pip install``
user has, so the GL backend is chosen by the package itself, not by conftest.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from act2answer.cli.main import app
from act2answer.sim import _glerror


def _plain_env(**extra: str) -> dict[str, str]:
    """This process's environment without any GL or display setting."""
    dropped = {"MUJOCO_GL", "PYOPENGL_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY"}
    env = {key: value for key, value in os.environ.items() if key not in dropped}
    src = str(Path(_glerror.__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join([src, str(Path(__file__).resolve().parents[2])])
    env.update(extra)
    return env


def _cli(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "act2answer.cli.main", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "egl"),
        ({"DISPLAY": ":0"}, None),
        ({"WAYLAND_DISPLAY": "wayland-0"}, None),
        ({"MUJOCO_GL": "osmesa"}, None),
    ],
)
def test_a_backend_is_chosen_only_without_display_or_user_choice(monkeypatch, env, expected):
    for key in ("MUJOCO_GL", "DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setattr(_glerror, "_loadable", lambda names: "libEGL.so.1" in names)
    assert _glerror.choose_headless_backend() == expected
    assert os.environ.get("MUJOCO_GL") == (expected or env.get("MUJOCO_GL"))


def test_osmesa_is_the_fallback_when_egl_is_missing(monkeypatch):
    for key in ("MUJOCO_GL", "DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setattr(_glerror, "_loadable", lambda names: "libOSMesa.so.8" in names)
    assert _glerror.choose_headless_backend() == "osmesa"


def test_image_policy_runs_with_mujoco_gl_unset(make_suite, tmp_path):
    suite = make_suite(1)
    out = tmp_path / "run"
    args = ["run", "--suite", str(suite.root), "--policy", "constant", "--out", str(out)]
    done = _cli([*args, "--workers", "1", "--max-steps", "5"], _plain_env())
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 episodes run, 0 already stored, 0 errors" in done.stdout


def test_run_that_cannot_render_stops_before_storing_anything(make_suite, tmp_path):
    suite = make_suite(1)
    out = tmp_path / "run"
    # libglvnd finds no EGL vendor: EGL loads, but no display can be initialised.
    env = _plain_env(__EGL_VENDOR_LIBRARY_FILENAMES=str(tmp_path / "none.json"))
    args = ["run", "--suite", str(suite.root), "--policy", "constant", "--out", str(out)]
    done = _cli([*args, "--workers", "2"], env)
    assert done.returncode == 1, done.stdout + done.stderr
    message = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(message) == 1, done.stderr
    assert "cannot render offscreen with MUJOCO_GL=egl" in message[0]
    assert "apt-get install libegl1" in message[0]
    assert "Traceback" not in done.stderr
    assert not out.exists()


def test_run_where_every_episode_errors_exits_non_zero(make_suite, tmp_path):
    suite = make_suite(1)
    policy = "tests.helpers.policies_for_tests:RaisingPolicy"
    args = ["run", "--suite", str(suite.root), "--policy", policy, "--out", str(tmp_path / "r")]
    result = CliRunner().invoke(app, [*args, "--workers", "1", "--max-steps", "5"])
    assert result.exit_code == 1, result.output
    assert "all 2 episodes of this run ended in error" in result.output
    assert (tmp_path / "r" / "report.md").is_file()  # the report is still written


def test_demo_without_the_report_extra_says_so_before_running(monkeypatch, tmp_path):
    import importlib.util

    from act2answer.demo import run_demo
    from act2answer.errors import Act2AnswerError

    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "statsmodels" else real_find_spec(name, *a),
    )
    with pytest.raises(
        Act2AnswerError, match=r"statsmodels is not installed\): pip install 'act2answer\[report\]'"
    ):
        run_demo(tmp_path / "demo")
    assert not (tmp_path / "demo").exists()
