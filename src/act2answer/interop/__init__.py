"""Interoperability: the study's asset sets (import/export) and VLMEvalKit (export, predictions)."""

from act2answer.interop.maniskill_assets import (
    export_asset_set,
    face_texture,
    import_asset_set,
    read_face_texture,
)
from act2answer.interop.vlmevalkit import (
    VLMEVALKIT_COMMIT,
    ImageLayout,
    dataset_name,
    export_vlmevalkit,
)
from act2answer.interop.vlmevalkit_predictions import (
    PredictionFileError,
    VLMEvalKitPredictions,
    read_vlmevalkit_predictions,
)

__all__ = [
    "VLMEVALKIT_COMMIT",
    "ImageLayout",
    "PredictionFileError",
    "VLMEvalKitPredictions",
    "dataset_name",
    "export_asset_set",
    "export_vlmevalkit",
    "face_texture",
    "import_asset_set",
    "read_face_texture",
    "read_vlmevalkit_predictions",
]
