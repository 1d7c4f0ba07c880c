"""Pooled hidden states on disk: one ``.npy`` array per (part, layer, pooling) plus an index.

Layout of ``RUN_DIR/features/``::

    manifest.json              model spec, suite name/hash, layers (part, layer, module, dim)
    index.jsonl                one line per stored episode, in row order:
                               {"row", "item_id", "layout", "label", "category", "seed"}
    prefix_L000_last.npy       float32 (rows, dim): row i belongs to index line i
    prefix_L000_mean.npy
    action_L000_last.npy ...
    shards/000003.npz          episodes recorded since the last consolidation

``label`` is 1 when the correct image lies on the right tile, 0 when on the
left (``layout`` is the correct side). Recording appends episodes to a shard
(written to a temporary name, then renamed) and only then appends their index
lines, so a killed run keeps every episode whose index line exists; a shard
without index lines is discarded on reopen. :meth:`FeatureStore.consolidate`
merges shards into the per-layer arrays.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from act2answer.errors import Act2AnswerError
from act2answer.probing._hooks import POOLINGS, LayerSpec

MANIFEST = "manifest.json"
INDEX = "index.jsonl"
SHARDS = "shards"


class FeatureStoreError(Act2AnswerError):
    """A features folder that is missing, inconsistent or recorded for something else."""


@dataclass(frozen=True)
class FeatureRow:
    """Index entry of one recorded episode."""

    row: int
    item_id: str
    layout: str
    label: int
    category: str
    seed: int


@dataclass(frozen=True)
class LayerInfo:
    """A stored layer: part, index within the part, module name and feature width."""

    part: str
    layer: int
    module: str
    dim: int

    @property
    def key(self) -> tuple[str, int]:
        return (self.part, self.layer)


def array_name(part: str, layer: int, pooling: str) -> str:
    """File name of one consolidated array, e.g. ``prefix_L012_last.npy``."""
    return f"{part}_L{layer:03d}_{pooling}.npy"


class FeatureStore:
    """Append-only, resumable store of pooled hidden states.

    Create with :meth:`open` (records the run identity on first use, refuses a
    different one later). Add episodes with :meth:`add` and :meth:`flush`;
    read with :meth:`rows` and :meth:`load`.
    """

    def __init__(self, root: Path, identity: dict[str, object], layers: list[LayerInfo]) -> None:
        self.root = root
        self.identity = identity
        self.layers = layers
        self._pending_rows: list[FeatureRow] = []
        self._pending: dict[tuple[str, int, str], list[np.ndarray]] = {}
        self._rows = _read_index(root / INDEX)
        self._drop_orphan_shards()

    # ---------------------------------------------------------------- opening
    @classmethod
    def open(cls, root: Path | str, identity: dict[str, object] | None = None) -> FeatureStore:
        """Open an existing store; with ``identity``, create it or check it matches.

        Raises:
            FeatureStoreError: no store at ``root`` (and no identity given), or a
                stored identity that differs from ``identity``.
        """
        root = Path(root)
        manifest_path = root / MANIFEST
        if manifest_path.exists():
            try:
                manifest = json.loads(manifest_path.read_text())
                layers = [LayerInfo(**layer) for layer in manifest["layers"]]
                stored_identity = manifest["identity"]
            except (ValueError, KeyError, TypeError) as exc:
                raise FeatureStoreError(f"{manifest_path}: unreadable manifest ({exc})") from None
            if identity is not None and _comparable(identity) != _comparable(stored_identity):
                diff = sorted(
                    key
                    for key in set(identity) | set(stored_identity)
                    if _comparable(identity.get(key)) != _comparable(stored_identity.get(key))
                )
                raise FeatureStoreError(
                    f"{root} holds features recorded with a different configuration "
                    f"(differs in: {', '.join(diff)}); use another --out folder"
                )
            return cls(root, stored_identity, layers)
        if identity is None:
            raise FeatureStoreError(f"{root}: no features here ({MANIFEST} missing)")
        root.mkdir(parents=True, exist_ok=True)
        return cls(root, identity, [])

    def _write_manifest(self) -> None:
        manifest = {
            "format": "act2answer-features-v1",
            "identity": self.identity,
            "poolings": list(POOLINGS),
            "layers": [asdict(layer) for layer in self.layers],
        }
        _atomic_write_text(self.root / MANIFEST, json.dumps(manifest, indent=2))

    # --------------------------------------------------------------- writing
    @property
    def done_keys(self) -> set[tuple[str, str]]:
        """``(item_id, layout)`` of every stored or pending episode."""
        return {(row.item_id, row.layout) for row in [*self._rows, *self._pending_rows]}

    def add(
        self,
        item_id: str,
        layout: str,
        label: int,
        category: str,
        seed: int,
        layers: Sequence[LayerSpec],
        vectors: dict[tuple[str, int, str], np.ndarray],
    ) -> None:
        """Queue one episode's pooled vectors (written by the next :meth:`flush`)."""
        infos = [
            LayerInfo(
                spec.part,
                spec.layer,
                spec.module,
                int(vectors[(spec.part, spec.layer, POOLINGS[0])].shape[0]),
            )
            for spec in layers
        ]
        if not self.layers:
            self.layers = infos
            self._write_manifest()
        elif infos != self.layers:
            raise FeatureStoreError(
                f"{self.root}: episode {item_id}/{layout} recorded layers that differ from the "
                "stored ones (a different model?)"
            )
        row = len(self._rows) + len(self._pending_rows)
        self._pending_rows.append(FeatureRow(row, item_id, layout, int(label), category, int(seed)))
        for layer in self.layers:
            for pooling in POOLINGS:
                key = (layer.part, layer.layer, pooling)
                self._pending.setdefault(key, []).append(np.asarray(vectors[key], np.float32))

    def flush(self) -> None:
        """Write queued episodes as one shard, then their index lines."""
        if not self._pending_rows:
            return
        shard_dir = self.root / SHARDS
        shard_dir.mkdir(exist_ok=True)
        first = self._pending_rows[0].row
        arrays = {
            f"{part}_L{layer:03d}_{pooling}": np.stack(values)
            for (part, layer, pooling), values in self._pending.items()
        }
        arrays["rows"] = np.array([row.row for row in self._pending_rows], dtype=np.int64)
        temporary = shard_dir / f".{first:06d}.npz.tmp"
        with open(temporary, "wb") as handle:
            np.savez(handle, **arrays)
        os.replace(temporary, shard_dir / f"{first:06d}.npz")
        with open(self.root / INDEX, "a", encoding="utf-8") as handle:
            for row in self._pending_rows:
                handle.write(json.dumps(asdict(row)) + "\n")
        self._rows.extend(self._pending_rows)
        self._pending_rows.clear()
        self._pending.clear()

    def consolidate(self) -> None:
        """Merge shards into the per-layer arrays (``rows`` x ``dim`` each)."""
        self.flush()
        shards = self._shard_paths()
        if not shards:
            return
        for layer in self.layers:
            for pooling in POOLINGS:
                name = array_name(layer.part, layer.layer, pooling)
                _atomic_save(self.root / name, self._read_array(layer.part, layer.layer, pooling))
        for shard in shards:
            shard.unlink()

    # --------------------------------------------------------------- reading
    def rows(self) -> list[FeatureRow]:
        """Index of stored episodes, in row order."""
        return list(self._rows)

    def load(self, part: str, layer: int, pooling: str) -> np.ndarray:
        """Features of one layer for every stored row: ``(rows, dim)`` float32."""
        if (part, layer) not in {info.key for info in self.layers}:
            raise FeatureStoreError(f"{self.root}: no {part} layer {layer} stored")
        if pooling not in POOLINGS:
            raise FeatureStoreError(f"unknown pooling {pooling!r}: use one of {POOLINGS}")
        return self._read_array(part, layer, pooling)

    def _read_array(self, part: str, layer: int, pooling: str) -> np.ndarray:
        blocks: list[np.ndarray] = []
        consolidated = self.root / array_name(part, layer, pooling)
        if consolidated.exists():
            blocks.append(np.load(consolidated))
        for shard in self._shard_paths():
            with np.load(shard) as data:
                indexed = data["rows"] < len(self._rows)  # a kill may have cut its index lines
                blocks.append(data[f"{part}_L{layer:03d}_{pooling}"][indexed])
        array = np.concatenate(blocks) if blocks else np.zeros((0, 0), np.float32)
        if array.shape[0] != len(self._rows):
            raise FeatureStoreError(
                f"{self.root}: {part} layer {layer} has {array.shape[0]} rows, index has "
                f"{len(self._rows)}"
            )
        return array

    def _shard_paths(self) -> list[Path]:
        return sorted((self.root / SHARDS).glob("*.npz"))

    def _drop_orphan_shards(self) -> None:
        """Remove shards written by a run killed before their index lines (and temp files)."""
        shard_dir = self.root / SHARDS
        if not shard_dir.exists():
            return
        for temporary in shard_dir.glob(".*.tmp"):
            temporary.unlink()
        stored = len(self._rows)
        for shard in self._shard_paths():
            if int(shard.stem) >= stored:
                shard.unlink()


def _read_index(path: Path) -> list[FeatureRow]:
    if not path.exists():
        return []
    rows: list[FeatureRow] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines, start=1):
        try:
            row = FeatureRow(**json.loads(line))
        except (ValueError, TypeError) as exc:
            if number == len(lines):  # a line cut short by a kill: drop it
                _atomic_write_text(path, "".join(f"{text}\n" for text in lines[:-1]))
                break
            raise FeatureStoreError(f"{path}:{number}: bad index line ({exc})") from None
        if row.row != len(rows):
            raise FeatureStoreError(f"{path}:{number}: row {row.row}, expected {len(rows)}")
        rows.append(row)
    return rows


def _comparable(value: object) -> object:
    return json.loads(json.dumps(value, sort_keys=True, default=str))


def _atomic_write_text(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def _atomic_save(path: Path, array: np.ndarray) -> None:
    temporary = path.with_name(f".{path.stem}.tmp.npy")
    np.save(temporary, array)
    os.replace(temporary, path)


def rows_by_category(rows: Iterable[FeatureRow]) -> dict[str, list[int]]:
    """Row numbers of each category, categories in first-seen order."""
    groups: dict[str, list[int]] = {}
    for row in rows:
        groups.setdefault(row.category, []).append(row.row)
    return groups
