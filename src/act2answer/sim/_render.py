"""Offscreen rendering: lazy renderers, fast scene flags, cheap texture updates."""

from __future__ import annotations

import math

import mujoco
import numpy as np

from act2answer.sim._config import SimConfig
from act2answer.sim._glerror import render_backend_error
from act2answer.sim._scene import TABLE_GROUP

#: Depth-buffer value where nothing was drawn (MuJoCo renders with reversed Z).
_CLEAR_DEPTH = 0.0
#: Geom group of the robots' visual meshes (the Menagerie convention).
VISUAL_GROUP = 2
#: A geom group no render shows: geoms are moved here for one frame to skip them.
_SKIPPED_GROUP = 5


def fovy_for_aspect(fovy_43: float, width: int, height: int) -> float:
    """Vertical field of view that keeps the horizontal extent of a 4:3 view.

    Args:
        fovy_43: Vertical field of view of the 4:3 preset, degrees.
        width: Image width.
        height: Image height.

    Returns:
        The vertical field of view to use, degrees (never narrower than the preset).
    """
    aspect = width / height
    if aspect >= 4.0 / 3.0:
        return fovy_43
    half = math.tan(math.radians(fovy_43) / 2.0) * (4.0 / 3.0) / aspect
    return math.degrees(2.0 * math.atan(half))


def write_texture(model: mujoco.MjModel, tex_id: int, image: np.ndarray) -> None:
    """Resize an RGB image to a texture and write it into ``model.tex_data``.

    Row 0 of the image (its top) is stored so that it lands on the tile's +y
    edge, the edge the scene turns away from the camera.

    Args:
        model: Compiled model.
        tex_id: Texture id.
        image: ``(H, W, 3)`` uint8 image (any size).

    Raises:
        ValueError: the image is not ``(H, W, 3)`` uint8-compatible.
    """
    array = np.asarray(image)
    if array.ndim != 3 or array.shape[2] not in (3, 4) or array.shape[0] < 1 or array.shape[1] < 1:
        raise ValueError(f"tile image must be (H, W, 3) uint8, got shape {array.shape}")
    array = array[:, :, :3]
    if array.dtype != np.uint8:
        array = np.clip(array, 0, 255).astype(np.uint8)
    width = int(model.tex_width[tex_id])
    height = int(model.tex_height[tex_id])
    if array.shape[:2] != (height, width):
        from PIL import Image

        array = np.asarray(
            Image.fromarray(array).resize((width, height), Image.Resampling.BILINEAR)
        )
    adr = int(model.tex_adr[tex_id])
    size = width * height * 3
    # Row 0 of tex_data lands on the box top face's +y edge: no flip needed.
    model.tex_data[adr : adr + size] = np.ascontiguousarray(array).reshape(-1)


def _pixels(image: np.ndarray) -> np.ndarray:
    """A C-contiguous ``(H, W, 3)`` uint8 image viewed as ``(H, W)`` 3-byte pixels."""
    return image.view(np.dtype("V3")).reshape(image.shape[:2])


class _CompositeBuffers:
    """Read-back buffers of one frame size, reused every frame."""

    def __init__(self, width: int, height: int) -> None:
        self.rgb = np.empty((height, width, 3), dtype=np.uint8)
        self.depth = np.empty((height, width), dtype=np.float32)
        self.drawn = np.empty((height, width), dtype=bool)


class RenderPool:
    """Renderers by size, created lazily, sharing one set of fast scene flags.

    Args:
        model: Compiled model (its camera fovy is adjusted per render).
        config: Simulator configuration (flags).
        camera_fovy: The 4:3 field of view of each camera id, degrees.
    """

    def __init__(
        self, model: mujoco.MjModel, config: SimConfig, camera_fovy: dict[int, float]
    ) -> None:
        self._model = model
        self._config = config
        self._fovy = camera_fovy
        self._renderers: dict[tuple[int, int], mujoco.Renderer] = {}
        self._option = mujoco.MjvOption()
        self._option.geomgroup[_SKIPPED_GROUP] = 0
        self._matte_option = mujoco.MjvOption()  # the table hidden: the photo replaces it
        self._matte_option.geomgroup[TABLE_GROUP] = 0
        self._matte_option.geomgroup[_SKIPPED_GROUP] = 0
        self._buffers: dict[tuple[int, int], _CompositeBuffers] = {}

    def _get(self, width: int, height: int) -> mujoco.Renderer:
        key = (width, height)
        renderer = self._renderers.get(key)
        if renderer is not None:
            return renderer
        try:
            renderer = mujoco.Renderer(self._model, height=height, width=width)
        except ValueError:
            raise  # size larger than the offscreen buffer: a programming error
        except Exception as exc:
            raise render_backend_error(exc) from exc
        flags = renderer.scene.flags
        flags[mujoco.mjtRndFlag.mjRND_SHADOW] = self._config.shadows
        flags[mujoco.mjtRndFlag.mjRND_REFLECTION] = self._config.reflections
        flags[mujoco.mjtRndFlag.mjRND_SKYBOX] = self._config.skybox
        flags[mujoco.mjtRndFlag.mjRND_FOG] = False
        flags[mujoco.mjtRndFlag.mjRND_HAZE] = False
        self._renderers[key] = renderer
        return renderer

    def render(
        self,
        data: mujoco.MjData,
        camera: int,
        width: int,
        height: int,
        skip: np.ndarray | None = None,
    ) -> np.ndarray:
        """Render one RGB frame from a camera.

        Args:
            data: Simulation state (kinematics must be current).
            camera: Camera id.
            width: Image width.
            height: Image height.
            skip: Geom ids not to draw in this frame (out of view).

        Returns:
            ``(height, width, 3)`` uint8 image (a new array).

        Raises:
            RenderBackendError: no OpenGL backend could start.
        """
        renderer = self._get(width, height)
        self._set_fovy(camera, width, height)
        self._update_scene(renderer, data, camera, self._option, skip)
        return renderer.render()

    def render_over(
        self,
        data: mujoco.MjData,
        camera: int,
        background: np.ndarray,
        skip: np.ndarray | None = None,
    ) -> np.ndarray:
        """Render robot, tiles and cube over a photo (visual matching), in one pass.

        The table is hidden; every pixel the depth buffer leaves at the clear
        value (nothing drawn there) shows the photo, every other keeps its
        rendered colour, as SimplerEnv's "background" matching mode does.

        Args:
            data: Simulation state (kinematics must be current).
            camera: Camera id.
            background: ``(height, width, 3)`` uint8 photo of the frame's size.
            skip: Geom ids not to draw in this frame (out of view).

        Returns:
            ``(height, width, 3)`` uint8 image (a new array).
        """
        height, width = background.shape[:2]
        renderer = self._get(width, height)
        self._set_fovy(camera, width, height)
        self._update_scene(renderer, data, camera, self._matte_option, skip)
        if renderer._gl_context is not None:
            renderer._gl_context.make_current()
        rect, context = renderer._rect, renderer._mjr_context
        mujoco.mjr_render(rect, renderer._scene, context)
        buffers = self._buffers.get((width, height))
        if buffers is None:
            buffers = _CompositeBuffers(width, height)
            self._buffers[(width, height)] = buffers
        mujoco.mjr_readPixels(buffers.rgb, buffers.depth, rect, context)
        np.not_equal(buffers.depth, _CLEAR_DEPTH, out=buffers.drawn)
        rendered, drawn = _pixels(buffers.rgb), buffers.drawn
        if renderer._gl_context is not None:  # EGL/OSMesa images come bottom-up
            rendered, drawn = rendered[::-1], drawn[::-1]
        frame = np.array(background, dtype=np.uint8, order="C")
        # One 3-byte element per pixel: a per-pixel mask without broadcasting (4x faster).
        np.copyto(_pixels(frame), rendered, where=drawn)
        return frame

    def _update_scene(
        self,
        renderer: mujoco.Renderer,
        data: mujoco.MjData,
        camera: int,
        option: mujoco.MjvOption,
        skip: np.ndarray | None,
    ) -> None:
        """Fill the renderer's scene, leaving out the ``skip`` geoms (groups restored after)."""
        if skip is None or skip.size == 0:
            renderer.update_scene(data, camera=camera, scene_option=option)
            return
        groups = self._model.geom_group[skip].copy()
        self._model.geom_group[skip] = _SKIPPED_GROUP
        try:
            renderer.update_scene(data, camera=camera, scene_option=option)
        finally:
            self._model.geom_group[skip] = groups

    def _set_fovy(self, camera: int, width: int, height: int) -> None:
        fovy = self._fovy.get(camera)
        if fovy is not None:
            self._model.cam_fovy[camera] = fovy_for_aspect(fovy, width, height)

    def upload_textures(self, tex_ids: tuple[int, ...]) -> None:
        """Re-upload textures from ``model.tex_data`` to every live GL context.

        Args:
            tex_ids: Texture ids to upload.
        """
        for renderer in self._renderers.values():
            context = renderer._mjr_context  # mujoco.Renderer keeps its MjrContext here
            if context is None:
                continue
            if renderer._gl_context is not None:
                renderer._gl_context.make_current()
            for tex_id in tex_ids:
                mujoco.mjr_uploadTexture(self._model, context, tex_id)

    def close(self) -> None:
        """Free all GL resources."""
        for renderer in self._renderers.values():
            renderer.close()
        self._renderers.clear()
