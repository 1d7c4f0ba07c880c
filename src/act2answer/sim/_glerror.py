"""Turn OpenGL start-up failures into one actionable error (imports no MuJoCo)."""

from __future__ import annotations

import ctypes
import functools
import os
import subprocess
import sys
from types import ModuleType

from act2answer.errors import MissingExtraError, RenderBackendError

_PACKAGES = (
    "Install an OpenGL backend and set MUJOCO_GL=egl (expected): on Debian/Ubuntu "
    "`apt-get install libegl1 libgl1-mesa-dri` provides EGL (MUJOCO_GL=egl), "
    "`apt-get install libosmesa6` provides OSMesa (MUJOCO_GL=osmesa)."
)


def render_backend_error(exc: BaseException) -> RenderBackendError:
    """Map a failure to start OpenGL to a :class:`RenderBackendError` with a fix.

    Args:
        exc: The exception raised while importing MuJoCo's GL layer or creating
            a renderer.

    Returns:
        An error naming the MUJOCO_GL value, the cause and the system packages.
    """
    backend = os.environ.get("MUJOCO_GL", "<unset>")
    return RenderBackendError(
        f"cannot start offscreen OpenGL rendering (MUJOCO_GL={backend}): "
        f"{type(exc).__name__}: {exc}. {_PACKAGES}"
    )


#: Shared libraries whose presence makes a headless backend worth choosing, in order of preference.
_HEADLESS_LIBRARIES = (
    ("egl", ("libEGL.so.1", "libEGL.so")),
    ("osmesa", ("libOSMesa.so.8", "libOSMesa.so")),
)


def _loadable(names: tuple[str, ...]) -> bool:
    for name in names:
        try:
            ctypes.CDLL(name)
        except OSError:
            continue
        return True
    return False


def choose_headless_backend() -> str | None:
    """Set ``MUJOCO_GL`` for a machine without a display, before MuJoCo is imported.

    Without ``MUJOCO_GL`` MuJoCo opens a GLFW window context, which needs an X
    display; on a headless Linux machine that fails (or aborts the process). As
    other MuJoCo tools do, pick EGL when ``libEGL`` loads, else OSMesa when
    ``libOSMesa`` loads, else EGL (its failure message then names the packages).
    A value the user set, a display (``DISPLAY`` / ``WAYLAND_DISPLAY``) or a
    non-Linux system leaves everything as it is.

    Returns:
        The backend chosen, or ``None`` when nothing was changed.
    """
    if os.environ.get("MUJOCO_GL") or not sys.platform.startswith("linux"):
        return None
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return None
    chosen = next((backend for backend, names in _HEADLESS_LIBRARIES if _loadable(names)), "egl")
    os.environ["MUJOCO_GL"] = chosen
    return chosen


_PROBE = (
    "import mujoco\n"
    'model = mujoco.MjModel.from_xml_string(\'<mujoco><worldbody><light pos="0 0 1"/>'
    '<geom type="sphere" size=".1"/></worldbody></mujoco>\')\n'
    "renderer = mujoco.Renderer(model, height=8, width=8)\n"
    "data = mujoco.MjData(model)\n"
    "renderer.update_scene(data)\n"
    "assert renderer.render().shape == (8, 8, 3)\n"
    "renderer.close()\n"
)


@functools.cache
def _probe_rendering(backend: str) -> str | None:
    completed = subprocess.run(
        [sys.executable, "-c", _PROBE],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "MUJOCO_GL": backend} if backend else dict(os.environ),
        check=False,
    )
    if completed.returncode == 0:
        return None
    lines = [line for line in completed.stderr.strip().splitlines() if line.strip()]
    last = lines[-1] if lines else f"the probe process exited with code {completed.returncode}"
    return f"{last} (exit code {completed.returncode})"


def check_rendering() -> None:
    """Check, once per process and backend, that offscreen rendering works.

    Opens an 8x8 renderer in a short child process, so a GL library that aborts
    (GLFW without a display) cannot take this process down. Called before a
    run stores anything when its policy needs images.

    Raises:
        RenderBackendError: no frame could be rendered; the message names the fix.
    """
    choose_headless_backend()
    failure = _probe_rendering(os.environ.get("MUJOCO_GL", ""))
    if failure is not None:
        backend = os.environ.get("MUJOCO_GL", "<unset>")
        raise RenderBackendError(
            f"cannot render offscreen with MUJOCO_GL={backend}: {failure}. "
            f"Nothing was run or stored. {_PACKAGES} On a machine with a display, "
            "MUJOCO_GL=glfw uses it."
        )


def import_mujoco() -> ModuleType:
    """Import MuJoCo, mapping GL set-up failures at import time to RenderBackendError.

    MuJoCo initialises its GL layer on import: an invalid ``MUJOCO_GL`` value or
    a broken OSMesa install fails there rather than when rendering. On a
    headless machine without ``MUJOCO_GL`` a backend is chosen first
    (:func:`choose_headless_backend`).

    Returns:
        The ``mujoco`` module.

    Raises:
        RenderBackendError: MuJoCo's GL layer failed while importing.
    """
    # Mesa's software rasteriser (llvmpipe) splits each frame over one thread per
    # core; for our small frames the hand-offs cost more than they save (224 px
    # with the photo: 199 vs 160-174 steps/s in one process). Read when the first
    # GL context opens; a user's own value wins; GPU drivers ignore it.
    os.environ.setdefault("LP_NUM_THREADS", "0")
    choose_headless_backend()
    try:
        import mujoco
    except ImportError as exc:
        if exc.name == "mujoco":
            raise MissingExtraError("the simulator", "sim", "mujoco") from exc
        raise
    except Exception as exc:  # RuntimeError (bad MUJOCO_GL), AttributeError (no libOSMesa)
        raise render_backend_error(exc) from exc
    return mujoco
