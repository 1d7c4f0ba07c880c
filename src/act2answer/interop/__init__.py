"""Interoperability: the study's asset sets (import/export) and VLMEvalKit TSV (export)."""

from act2answer.interop.maniskill_assets import (
    export_asset_set,
    face_texture,
    import_asset_set,
    read_face_texture,
)
from act2answer.interop.vlmevalkit import export_vlmevalkit

__all__ = [
    "export_asset_set",
    "export_vlmevalkit",
    "face_texture",
    "import_asset_set",
    "read_face_texture",
]
