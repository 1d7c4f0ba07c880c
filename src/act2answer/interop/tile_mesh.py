"""A base tile built from code (11 x 11 x 0.6 cm box, textured top face) for exports
made without the study's own ``tile.glb``."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from PIL import Image

HALF = 0.055
HALF_THICKNESS = 0.003

# Four corners per face: (normal axis, sign); the top face (+z) carries the texture.
_FACES = [(2, 1), (2, -1), (0, 1), (0, -1), (1, 1), (1, -1)]


def _box() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    half = np.array([HALF, HALF, HALF_THICKNESS])
    positions, uvs, indices = [], [], []
    for axis, sign in _FACES:
        u_axis, v_axis = [a for a in range(3) if a != axis]
        corners = [(-1, -1), (1, -1), (1, 1), (-1, 1)]
        base = len(positions)
        for cu, cv in corners:
            point = np.zeros(3)
            point[axis] = sign * half[axis]
            point[u_axis] = cu * half[u_axis]
            point[v_axis] = cv * half[v_axis]
            positions.append(point)
            # Top face: image x along +x, image top at +y (as in the study's tile).
            uvs.append(((cu + 1) / 2, (1 - cv) / 2) if (axis, sign) == (2, 1) else (0.0, 1.0))
        quad = [base, base + 1, base + 2, base, base + 2, base + 3]
        normal_ok = sign > 0 if axis != 1 else sign < 0
        indices.extend(quad if normal_ok else quad[::-1])
    return (
        np.asarray(positions, np.float32),
        np.asarray(uvs, np.float32),
        np.asarray(indices, np.uint32),
    )


def write_default_tile(out: Path, texture: np.ndarray | None = None) -> Path:
    """Write a textured tile ``.glb`` (texture last in the binary chunk, like the study's)."""
    try:
        import pygltflib as g
    except ImportError:
        from act2answer.sources._files import SourceFileError

        hint = "building a tile needs pygltflib: pip install 'act2answer[sources]'"
        raise SourceFileError(out, hint) from None

    positions, uvs, indices = _box()
    buffer = io.BytesIO()
    Image.fromarray(texture if texture is not None else np.full((8, 8, 3), 200, np.uint8)).save(
        buffer, format="PNG"
    )
    png = buffer.getvalue()
    chunks = [positions.tobytes(), uvs.tobytes(), indices.tobytes(), png]
    views, blob = [], b""
    for number, chunk in enumerate(chunks):
        target = [g.ARRAY_BUFFER, g.ARRAY_BUFFER, g.ELEMENT_ARRAY_BUFFER, None][number]
        views.append(g.BufferView(buffer=0, byteOffset=len(blob), byteLength=len(chunk),
                                  target=target))  # fmt: skip
        blob += chunk + b"\0" * (-len(chunk) % 4)
    gltf = g.GLTF2(
        scene=0,
        scenes=[g.Scene(nodes=[0])],
        nodes=[g.Node(mesh=0, name="tile")],
        meshes=[g.Mesh(primitives=[g.Primitive(
            attributes=g.Attributes(POSITION=0, TEXCOORD_0=1), indices=2, material=0)])],
        accessors=[
            g.Accessor(bufferView=0, componentType=g.FLOAT, count=len(positions), type=g.VEC3,
                       min=positions.min(0).tolist(), max=positions.max(0).tolist()),
            g.Accessor(bufferView=1, componentType=g.FLOAT, count=len(uvs), type=g.VEC2),
            g.Accessor(bufferView=2, componentType=g.UNSIGNED_INT, count=len(indices),
                       type=g.SCALAR),
        ],
        bufferViews=views,
        buffers=[g.Buffer(byteLength=len(blob))],
        materials=[g.Material(pbrMetallicRoughness=g.PbrMetallicRoughness(
            baseColorTexture=g.TextureInfo(index=0), metallicFactor=0.0, roughnessFactor=0.9))],
        textures=[g.Texture(source=0, sampler=0)],
        samplers=[g.Sampler(magFilter=g.LINEAR, minFilter=g.LINEAR_MIPMAP_LINEAR)],
        images=[g.Image(bufferView=3, mimeType="image/png")],
    )  # fmt: skip
    gltf.set_binary_blob(blob)
    out.parent.mkdir(parents=True, exist_ok=True)
    gltf.save_binary(str(out))
    return out


def write_default_collision(out: Path) -> Path:
    """The tile's box as an OBJ collision mesh."""
    positions, _, indices = _box()
    lines = [f"v {x:.6f} {y:.6f} {z:.6f}" for x, y, z in positions]
    lines += [f"f {a + 1} {b + 1} {c + 1}" for a, b, c in indices.reshape(-1, 3)]
    out.write_text("\n".join(lines) + "\n")
    return out
