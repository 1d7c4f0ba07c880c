"""Metrics over stored results: success rates, intervals, chance bands, verdicts."""

from act2answer.analysis.metrics import (
    OVERALL,
    GroupMetrics,
    IntentSummary,
    Interval,
    RunMetrics,
    Verdict,
    chance_band,
    compute_metrics,
    wilson_interval,
)

__all__ = [
    "OVERALL",
    "GroupMetrics",
    "IntentSummary",
    "Interval",
    "RunMetrics",
    "Verdict",
    "chance_band",
    "compute_metrics",
    "wilson_interval",
]
