"""Asset-set import/export on the study's real base tile (VLMEvalKit: test_vlmevalkit.py)."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import numpy as np
import pygltflib
import pytest
from PIL import Image

from act2answer.interop import (
    export_asset_set,
    face_texture,
    import_asset_set,
    read_face_texture,
)
from act2answer.sources import SourceFileError
from act2answer.suite import SuiteItem, load_suite, read_rgb, save_suite
from tests.helpers import source_fixtures as fx


def test_reference_tile_is_there() -> None:
    # CI has ../shared; a missing base tile must fail, not skip.
    assert fx.TILE_GLB.is_file(), f"the study's base tile is missing: {fx.TILE_GLB}"
    texture = read_face_texture(fx.TILE_GLB)
    # The template's own face is a 382x440 portrait stored turned a quarter turn.
    assert texture.shape == (440, 382, 3)


def make_suite(root: Path, n: int = 6) -> None:
    """Items with non-square images of several sizes (the crop is exercised)."""
    (root / "img").mkdir(parents=True)
    items = []
    for index in range(n):
        for side in range(2):
            size = (96 + 16 * index, 64 + 8 * side) if index % 2 else (512, 512)
            fx.tiny_image(index * 2 + side, 512).resize(size).save(
                root / "img" / f"{index}_{side}.png"
            )
        items.append(
            SuiteItem(
                id=f"q{index}",
                category=["Color", "Time"][index % 2],
                source="test",
                question=f"Which one is number {index}?",
                instruction=f"put the cube on the thing number {index}",
                options=(f"img/{index}_0.png", f"img/{index}_1.png"),
                answer=index % 2,
            )
        )
    save_suite(root, items, name="interop-test")


def write_released_style_set(root: Path, n_pairs: int = 12) -> None:
    """An asset set as the authors release it (no extra keys), built from the real tile."""
    from act2answer.interop.maniskill_assets import TileWriter

    writer = TileWriter(fx.TILE_GLB)
    pairs, model_db = [], {}
    for index in range(n_pairs):
        for side in ("a", "b"):
            name = f"sign_{index}_{side}"
            image = fx.tiny_image(50 + index * 2 + (side == "b"), 512)
            writer.write(np.asarray(image), root / "shapes" / name / "textured.glb")
            shutil.copy(fx.COLLISION_OBJ, root / "shapes" / name / "collision.obj")
            model_db[name] = {"name": name, "sign": name, "scales": [1.0], "density": 6368,
                              "bbox": {"min": [-0.055, -0.055, -0.003],
                                       "max": [0.055, 0.055, 0.003]}}  # fmt: skip
        pairs.append({"index": index, "left": f"sign_{index}_a", "right": f"sign_{index}_b",
                      "question": f"put carrot on sign {index}",
                      "answer": "Left" if index % 3 else "Right"})  # fmt: skip
    (root / "pairs.json").write_text(json.dumps(pairs))
    (root / "model_db.json").write_text(json.dumps(model_db))


def test_import_released_set(tmp_path: Path) -> None:
    write_released_style_set(tmp_path / "traffic_set")
    suite = import_asset_set(tmp_path / "traffic_set", tmp_path / "suite", category="Traffic")
    assert len(suite.items) == 12
    first = suite.item("0")
    assert first.answer == 1 and first.instruction == "put carrot on sign 0"
    assert first.category == "Traffic"
    assert first.meta["tile_size_m"] == [[0.11, 0.11], [0.11, 0.11]]
    assert suite.item("1").answer == 0
    expected = np.asarray(fx.tiny_image(50 + 2 * 4 + 1, 512))
    item = suite.item("4")
    assert np.array_equal(read_rgb(suite.image_path(item.options[1])), expected)


@pytest.mark.parametrize(("flip", "turns"), [(False, 0), (True, 1)])
def test_round_trip_preserves_items_answers_and_pixels(
    tmp_path: Path, flip: bool, turns: int
) -> None:
    make_suite(tmp_path / "suite", n=2 if flip else 6)
    original = load_suite(tmp_path / "suite")
    export_asset_set(tmp_path / "suite", tmp_path / "assets", template_glb=fx.TILE_GLB,
                     collision_obj=fx.COLLISION_OBJ, flip_vertical=flip,
                     quarter_turns=turns)  # fmt: skip
    assets = tmp_path / "assets"
    pairs = json.loads((assets / "pairs.json").read_text())
    model_db = json.loads((assets / "model_db.json").read_text())
    assert [p["answer"] for p in pairs] == ["Left", "Right"] * (len(pairs) // 2)
    # An independent glTF reader agrees: one embedded PNG, the 512 px face.
    gltf = pygltflib.GLTF2().load_binary(str(assets / "shapes" / pairs[0]["left"] / "textured.glb"))
    view = gltf.bufferViews[gltf.images[0].bufferView]
    png = gltf.binary_blob()[view.byteOffset : view.byteOffset + view.byteLength]
    assert Image.open(io.BytesIO(png)).size == (512, 512)
    assert gltf.accessors[0].max == pytest.approx([0.0726, 0.0726, 0.003])  # the study's mesh
    for pair in pairs:
        for side in ("left", "right"):
            folder = assets / "shapes" / pair[side]
            assert (folder / "collision.obj").read_bytes() == fx.COLLISION_OBJ.read_bytes()
            assert read_face_texture(folder / "textured.glb").shape == (512, 512, 3)
            assert model_db[pair[side]]["bbox"]["max"] == [0.055, 0.055, 0.003]
    back = import_asset_set(assets, tmp_path / "back", flip_vertical=flip, quarter_turns=turns)
    assert [i.id for i in back.items] == [i.id for i in original.items]
    for before, after in zip(original.items, back.items, strict=True):
        assert (before.category, before.instruction, before.question, before.answer) == (
            after.category, after.instruction, after.question, after.answer)  # fmt: skip
        for x, y in zip(before.options, after.options, strict=True):
            expected = face_texture(read_rgb(original.image_path(x)))
            assert np.array_equal(read_rgb(back.image_path(y)), expected)
    # 512 px square images survive bit-exactly (no resize needed).
    square = original.item("q0").options[0]
    assert np.array_equal(read_rgb(original.image_path(square)),
                          read_rgb(back.image_path(back.item("q0").options[0])))  # fmt: skip


def test_export_without_template_builds_its_own_tile(tmp_path: Path) -> None:
    from act2answer.interop.tile_mesh import _box

    make_suite(tmp_path / "suite", n=2)
    export_asset_set(tmp_path / "suite", tmp_path / "assets")
    back = import_asset_set(tmp_path / "assets", tmp_path / "back")
    original = load_suite(tmp_path / "suite")
    for before, after in zip(original.items, back.items, strict=True):
        assert before.answer == after.answer
        expected = face_texture(read_rgb(original.image_path(before.options[0])))
        assert np.array_equal(read_rgb(back.image_path(after.options[0])), expected)
    assert sorted(p.name for p in (tmp_path / "assets").iterdir()) == [
        "model_db.json", "pairs.json", "shapes"]  # fmt: skip
    positions, _, indices = _box()
    triangles = positions[indices.reshape(-1, 3)]
    normals = np.cross(triangles[:, 1] - triangles[:, 0], triangles[:, 2] - triangles[:, 0])
    assert (np.einsum("ij,ij->i", normals, triangles.mean(axis=1)) > 0).all()  # outward
    assert np.allclose(positions.max(axis=0), [0.055, 0.055, 0.003])


def test_face_texture_is_the_centre_square() -> None:
    image = np.zeros((100, 300, 3), np.uint8)
    image[:, 100:200] = 255
    assert face_texture(image, size=100).min() == 255


def test_import_refuses_hostile_sets(tmp_path: Path) -> None:
    write_released_style_set(tmp_path / "set", n_pairs=2)
    pairs = json.loads((tmp_path / "set/pairs.json").read_text())
    pairs[0]["left"] = "../../outside"
    (tmp_path / "set/pairs.json").write_text(json.dumps(pairs))
    with pytest.raises(SourceFileError, match="leaves the dataset folder"):
        import_asset_set(tmp_path / "set", tmp_path / "s1")
    pairs[0]["left"] = "sign_1_a"
    (tmp_path / "set/pairs.json").write_text(json.dumps(pairs))
    (tmp_path / "set/shapes/sign_1_a/textured.glb").write_bytes(b"glTF" + b"\0" * 40)
    with pytest.raises(SourceFileError, match=r"sign_1_a/textured\.glb: not a binary glTF"):
        import_asset_set(tmp_path / "set", tmp_path / "s2")
