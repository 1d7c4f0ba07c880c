"""Turn OpenGL start-up failures into one actionable error (imports no MuJoCo)."""

from __future__ import annotations

import os
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


def import_mujoco() -> ModuleType:
    """Import MuJoCo, mapping GL set-up failures at import time to RenderBackendError.

    MuJoCo initialises its GL layer on import: an invalid ``MUJOCO_GL`` value or
    a broken OSMesa install fails there rather than when rendering.

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
    try:
        import mujoco
    except ImportError as exc:
        if exc.name == "mujoco":
            raise MissingExtraError("the simulator", "sim", "mujoco") from exc
        raise
    except Exception as exc:  # RuntimeError (bad MUJOCO_GL), AttributeError (no libOSMesa)
        raise render_backend_error(exc) from exc
    return mujoco
