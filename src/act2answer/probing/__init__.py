"""Layerwise intent probing: where inside a VLA the answer is lost.

Pipeline: :func:`record_suite` runs a model on each episode's first frame and
instruction while forward hooks (:func:`record_hidden_states`) pool the hidden
states of every declared layer into a :class:`FeatureStore`; :func:`fit_store`
fits one cross-validated linear probe per (category, part, layer);
:func:`retention_from_probes` / :func:`retention_from_curves` compute the
study's retention; :func:`write_probe_outputs` writes ``probe.json``,
``probe_curves.csv`` and ``probe.png``.

scikit-learn and matplotlib come with the ``analysis`` extra, torch with the
model stacks; this package imports them only where they are used.
"""

from act2answer.probing._hooks import (
    PARTS,
    POOLINGS,
    LayerSpec,
    PartPattern,
    ProbeHookError,
    RecordedStates,
    match_layers,
    pool_tokens,
    record_hidden_states,
)
from act2answer.probing._output import (
    PROBE_CSV,
    PROBE_JSON,
    PROBE_PNG,
    plot_curves,
    write_probe_outputs,
)
from act2answer.probing._probes import (
    ALL_CATEGORIES,
    OVERALL,
    CurvePoint,
    ProbeConfig,
    ProbeFitError,
    ProbeResult,
    control_labels,
    fit_probes,
    fit_store,
)
from act2answer.probing._record import ProbeInput, ProbeModel, RecordSummary, record_suite
from act2answer.probing._retention import (
    CategoryRetention,
    CurveRow,
    CurvesFileError,
    Retention,
    read_curves,
    retention_from_curves,
    retention_from_probes,
)
from act2answer.probing._store import FeatureRow, FeatureStore, FeatureStoreError, LayerInfo

__all__ = [
    "ALL_CATEGORIES",
    "OVERALL",
    "PARTS",
    "POOLINGS",
    "PROBE_CSV",
    "PROBE_JSON",
    "PROBE_PNG",
    "CategoryRetention",
    "CurvePoint",
    "CurveRow",
    "CurvesFileError",
    "FeatureRow",
    "FeatureStore",
    "FeatureStoreError",
    "LayerInfo",
    "LayerSpec",
    "PartPattern",
    "ProbeConfig",
    "ProbeFitError",
    "ProbeHookError",
    "ProbeInput",
    "ProbeModel",
    "ProbeResult",
    "RecordSummary",
    "RecordedStates",
    "Retention",
    "control_labels",
    "fit_probes",
    "fit_store",
    "match_layers",
    "plot_curves",
    "pool_tokens",
    "read_curves",
    "record_hidden_states",
    "record_suite",
    "retention_from_curves",
    "retention_from_probes",
    "write_probe_outputs",
]
