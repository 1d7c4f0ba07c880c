"""The study's asset-set layout (CognitiveAISystems/Act2Answer, ``assets/carrot/<set>/``).

::

    <set>/pairs.json           [{index, left, right, question, answer: "Left"|"Right"}, ...]
    <set>/model_db.json        {tile: {name, sign, bbox: {min, max}, scales: [1.0], density}}
    <set>/shapes/<tile>/textured.glb   base tile mesh, face texture = the answer image
    <set>/shapes/<tile>/collision.obj

Export writes each distinct option image once as a tile (named by a hash of
its pixels): the face texture is a square centre crop of the image resized
to 512x512 (:func:`face_texture`), written into a copy of the base tile
glTF in place of its texture. The instruction goes into ``question`` (the
reference harness gives ``question`` to the policy as its instruction);
``id``, ``category`` and ``source_question`` are extra keys that the
reference loader ignores and that :func:`import_asset_set` reads back.
"""

from __future__ import annotations

import copy
import hashlib
import io
import json
import re
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from act2answer.errors import ImageFileError
from act2answer.interop._glb import Glb, read_glb, write_glb
from act2answer.interop.tile_mesh import write_default_collision, write_default_tile
from act2answer.sources._files import SourceFileError, inside, load_json
from act2answer.suite import Suite, SuiteItem, load_suite, read_rgb, read_rgb_bytes, save_suite

TEXTURE_PX = 512
#: The study's tile: 11 cm square, 6 mm thick (asset editor defaults).
TILE_BBOX = {"min": [-0.055, -0.055, -0.003], "max": [0.055, 0.055, 0.003]}
TILE_DENSITY = 6368
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
#: zlib level for textures: 3 encodes ~2x faster than Pillow's 6 for ~35% larger files.
PNG_LEVEL = 3


def face_texture(rgb: np.ndarray, size: int = TEXTURE_PX) -> np.ndarray:
    """Square centre crop of ``rgb`` resized to ``size`` x ``size`` (the tile's face)."""
    height, width = rgb.shape[:2]
    side = min(height, width)
    top, left = (height - side) // 2, (width - side) // 2
    square = Image.fromarray(rgb[top : top + side, left : left + side])
    if side != size:
        square = square.resize((size, size), Image.Resampling.LANCZOS)
    return np.asarray(square.convert("RGB"), dtype=np.uint8)


def read_face_texture(path: Path) -> np.ndarray:
    """The face texture of a tile ``textured.glb`` as ``(H, W, 3)`` uint8."""
    glb = read_glb(path)
    data = glb.view_bytes(glb.texture_view(path), path)
    return read_rgb_bytes(data, f"{path} (face texture)")


class TileWriter:
    """Writes copies of a base tile with their face texture swapped (template parsed once)."""

    def __init__(self, template: Path) -> None:
        self.template = read_glb(template)
        self.index = self.template.texture_view(template)
        views = self.template.document.get("bufferViews", [])
        self.start = int(views[self.index].get("byteOffset", 0))
        ends = [int(v.get("byteOffset", 0)) for i, v in enumerate(views) if i != self.index]
        if any(end > self.start for end in ends):
            raise SourceFileError(template, "the face texture is not the last buffer view")
        self.head = self.template.binary[: self.start]

    def write(self, texture: np.ndarray, out: Path) -> None:
        buffer = io.BytesIO()
        Image.fromarray(texture).save(buffer, format="PNG", compress_level=PNG_LEVEL)
        png = buffer.getvalue()
        document = copy.deepcopy(self.template.document)
        view = document["bufferViews"][self.index]
        view["byteLength"] = len(png)
        binary = self.head + png + b"\0" * (-len(png) % 4)
        document["buffers"][view.get("buffer", 0)]["byteLength"] = len(binary)
        write_glb(out, Glb(document, binary))


def write_tile_glb(template: Path, texture: np.ndarray, out: Path) -> None:
    """Copy ``template`` with its face texture replaced by ``texture`` (PNG)."""
    TileWriter(template).write(texture, out)


def export_asset_set(
    suite_dir: Path | str,
    out: Path | str,
    *,
    template_glb: Path | str | None = None,
    collision_obj: Path | str | None = None,
    flip_vertical: bool = False,
    quarter_turns: int = 0,
) -> Path:
    """Write a suite as an asset set (see module docs). Returns ``out``.

    Args:
        template_glb: The base tile (the study's ``tile.glb`` from its asset editor);
            ``None`` builds an 11 cm tile from code (:mod:`act2answer.interop.tile_mesh`).
        collision_obj: The collision mesh copied into every tile folder (default: the
            ``collision.obj`` next to ``template_glb``, or the built tile's box).
        flip_vertical: Flip textures vertically (some loaders expect it).
        quarter_turns: Store textures turned this many quarter turns clockwise
            (the study's template tile stores its portrait turned once).
    """
    suite = load_suite(suite_dir)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    if template_glb is None:
        template_glb = write_default_tile(out / ".base_tile.glb")
        collision_obj = collision_obj or write_default_collision(out / ".collision.obj")
    template_glb = Path(template_glb)
    collision_obj = Path(collision_obj or template_glb.with_name("collision.obj"))
    if not collision_obj.is_file():
        raise SourceFileError(collision_obj, "collision mesh does not exist")
    collision = collision_obj.read_bytes()
    writer = TileWriter(template_glb)
    model_db: dict[str, Any] = {}
    pairs = []
    for index, item in enumerate(suite.items):
        tiles = [_export_tile(suite, option, out, writer, collision, model_db,
                              flip_vertical, quarter_turns)
                 for option in item.options]  # fmt: skip
        pairs.append(
            {
                "index": index,
                "left": tiles[0],
                "right": tiles[1],
                "question": item.instruction,
                "answer": "Left" if item.answer == 0 else "Right",
                "id": item.id,
                "category": item.category,
                "source_question": item.question,
            }
        )
    for scratch in (".base_tile.glb", ".collision.obj"):
        (out / scratch).unlink(missing_ok=True)
    (out / "pairs.json").write_text(json.dumps(pairs, indent=2, ensure_ascii=False) + "\n")
    (out / "model_db.json").write_text(json.dumps(model_db, indent=2) + "\n")
    return out


def _export_tile(
    suite: Suite,
    option: str,
    out: Path,
    writer: TileWriter,
    collision: bytes,
    model_db: dict[str, Any],
    flip: bool,
    quarter_turns: int,
) -> str:
    texture = face_texture(read_rgb(suite.image_path(option)))
    texture = np.ascontiguousarray(np.rot90(texture[::-1] if flip else texture, -quarter_turns))
    name = "tile_" + hashlib.sha256(texture.tobytes()).hexdigest()[:16]
    if name not in model_db:
        folder = out / "shapes" / name
        writer.write(texture, folder / "textured.glb")
        (folder / "collision.obj").write_bytes(collision)
        model_db[name] = {
            "name": name,
            "sign": Path(option).stem,
            "bbox": TILE_BBOX,
            "scales": [1.0],
            "density": TILE_DENSITY,
        }
    return name


def import_asset_set(
    asset_dir: Path | str,
    out: Path | str,
    *,
    category: str | None = None,
    flip_vertical: bool = False,
    quarter_turns: int = 0,
    name: str | None = None,
) -> Suite:
    """Read an asset set into a suite folder at ``out``.

    Item ids are the pairs' ``id`` when present, otherwise their ``index``.
    The category is the pair's ``category``, else ``category``, else the set's
    folder name. Each tile's bbox size (metres) is kept in ``meta["tile_size_m"]``.
    ``flip_vertical`` / ``quarter_turns`` undo what export did to the textures
    (turns are taken back counter-clockwise).

    Raises:
        SourceFileError: a missing or malformed file, a tile path leaving the set,
            or a texture that does not decode (one line naming the file).
    """
    asset_dir, out = Path(asset_dir), Path(out)
    pairs = load_json(asset_dir / "pairs.json")
    model_db_file = asset_dir / "model_db.json"
    model_db = load_json(model_db_file) if model_db_file.is_file() else {}
    if not isinstance(pairs, list) or not isinstance(model_db, dict):
        raise SourceFileError(asset_dir / "pairs.json", "expected a list of pairs")
    (out / "images").mkdir(parents=True, exist_ok=True)
    written: dict[str, str] = {}
    items = []
    for number, pair in enumerate(pairs):
        where = f"{asset_dir / 'pairs.json'} pair {number}"
        if not isinstance(pair, dict) or not all(k in pair for k in ("left", "right", "question")):
            raise SourceFileError(where, "needs left, right, question and answer")
        answer = str(pair.get("answer", "")).strip().lower()
        if answer not in ("left", "right"):
            got = pair.get("answer")
            raise SourceFileError(where, f"answer must be Left or Right, got {got!r}")
        options = tuple(
            _import_tile(asset_dir, str(pair[side]), out, written, flip_vertical, quarter_turns)
            for side in ("left", "right")
        )
        sizes = [_tile_size(model_db.get(str(pair[side]))) for side in ("left", "right")]
        item_id = str(pair.get("id") or pair.get("index", number))
        items.append(
            SuiteItem(
                id=item_id,
                category=str(pair.get("category") or category or asset_dir.name),
                source=f"maniskill-assets:{asset_dir.name}",
                question=str(pair.get("source_question") or pair["question"]),
                instruction=str(pair["question"]),
                options=(options[0], options[1]),
                answer=0 if answer == "left" else 1,
                meta={
                    "asset_set": asset_dir.name,
                    "pair_index": pair.get("index", number),
                    "tiles": [str(pair["left"]), str(pair["right"])],
                    "tile_size_m": sizes,
                },
            )
        )
    save_suite(out, items, name=name or asset_dir.name)
    return load_suite(out)


def _import_tile(
    asset_dir: Path, tile: str, out: Path, written: dict[str, str], flip: bool, turns: int
) -> str:
    if tile in written:
        return written[tile]
    path = inside(asset_dir, f"shapes/{tile}/textured.glb")
    glb = read_glb(path)
    data = glb.view_bytes(glb.texture_view(path), path)
    try:
        texture = read_rgb_bytes(data, f"{path} (face texture)")
    except ImageFileError as exc:
        raise SourceFileError(path, f"face texture: {exc.reason}") from None
    relative = f"images/{re.sub(r'[^A-Za-z0-9_.-]+', '_', tile)}.png"
    if data.startswith(PNG_SIGNATURE) and not flip and turns % 4 == 0:
        (out / relative).write_bytes(data)  # already a decodable PNG: no re-encoding
    else:
        texture = np.rot90(texture, turns)
        texture = np.ascontiguousarray(texture[::-1] if flip else texture)
        Image.fromarray(texture).save(out / relative, compress_level=PNG_LEVEL)
    written[tile] = relative
    return relative


def _tile_size(entry: Any) -> list[float] | None:
    try:
        low, high = entry["bbox"]["min"], entry["bbox"]["max"]
        return [round(float(high[0]) - float(low[0]), 6), round(float(high[1]) - float(low[1]), 6)]
    except (KeyError, TypeError, IndexError, ValueError):
        return None
