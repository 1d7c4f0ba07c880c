"""The binary glTF container (GLB 2.0): one JSON chunk and one binary chunk.

Reading and re-writing a tile only touches the container and a few JSON
fields, so this is done directly with ``struct`` and ``json``: pygltflib's
dataclass (de)serialisation costs 0.1-0.13 s per tile, minutes for a
3,440-tile asset set. pygltflib still builds the code-made tile
(:mod:`act2answer.interop.tile_mesh`) and checks our output in the tests.
"""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from act2answer.sources._files import MAX_JSON_DEPTH, SourceFileError, json_depth

MAGIC = b"glTF"
JSON_CHUNK = 0x4E4F534A
BIN_CHUNK = 0x004E4942
MAX_GLB_BYTES = 64 << 20


@dataclass
class Glb:
    """A parsed GLB: the glTF JSON document and the binary chunk."""

    document: dict[str, Any]
    binary: bytes

    def texture_view(self, path: Path) -> int:
        """Buffer-view index of the base-colour texture image of the first mesh."""
        try:
            doc = self.document
            material = doc["materials"][doc["meshes"][0]["primitives"][0]["material"]]
            texture = doc["textures"][material["pbrMetallicRoughness"]["baseColorTexture"]["index"]]
            return int(doc["images"][texture["source"]]["bufferView"])
        except (KeyError, IndexError, TypeError, ValueError):
            raise SourceFileError(path, "no embedded base-colour texture") from None

    def view_bytes(self, index: int, path: Path) -> bytes:
        try:
            view = self.document["bufferViews"][index]
            start = int(view.get("byteOffset", 0))
            end = start + int(view["byteLength"])
        except (KeyError, IndexError, TypeError, ValueError):
            raise SourceFileError(path, f"buffer view {index} is malformed") from None
        if end > len(self.binary):
            raise SourceFileError(path, f"buffer view {index} runs past the binary chunk")
        return self.binary[start:end]


def read_glb(path: Path) -> Glb:
    """Parse ``path``; one-line :class:`SourceFileError` for anything that is not a GLB 2.0."""
    if not path.is_file():
        raise SourceFileError(path, "file does not exist")
    if path.stat().st_size > MAX_GLB_BYTES:
        raise SourceFileError(path, f"over {MAX_GLB_BYTES:,} bytes")
    data = path.read_bytes()
    if len(data) < 20 or data[:4] != MAGIC:
        raise SourceFileError(path, "not a binary glTF (no glTF header)")
    version, length = struct.unpack_from("<II", data, 4)
    if version != 2:
        raise SourceFileError(path, f"not a binary glTF 2.0 (version {version})")
    if length != len(data):
        raise SourceFileError(path, f"not a binary glTF: header says {length} bytes, file has "
                                    f"{len(data)} (truncated?)")  # fmt: skip
    chunks: list[tuple[int, bytes]] = []
    offset = 12
    while offset + 8 <= length:
        size, kind = struct.unpack_from("<II", data, offset)
        body = data[offset + 8 : offset + 8 + size]
        if len(body) != size:
            raise SourceFileError(path, "not a binary glTF: a chunk is truncated")
        chunks.append((kind, body))
        offset += 8 + size
    if not chunks or chunks[0][0] != JSON_CHUNK:
        raise SourceFileError(path, "not a binary glTF: the first chunk is not JSON")
    try:
        document = json.loads(chunks[0][1])
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError):
        raise SourceFileError(path, "not a binary glTF: its JSON chunk does not parse") from None
    if not isinstance(document, dict) or json_depth(document) > MAX_JSON_DEPTH:
        raise SourceFileError(path, "not a binary glTF: unexpected JSON chunk")
    binary = next((body for kind, body in chunks[1:] if kind == BIN_CHUNK), b"")
    return Glb(document, binary)


def write_glb(path: Path, glb: Glb) -> None:
    text = json.dumps(glb.document, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 4)
    binary = glb.binary + b"\0" * (-len(glb.binary) % 4)
    total = 12 + 8 + len(text) + 8 + len(binary)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(
        struct.pack("<4sII", MAGIC, 2, total)
        + struct.pack("<II", len(text), JSON_CHUNK) + text
        + struct.pack("<II", len(binary), BIN_CHUNK) + binary
    )  # fmt: skip
