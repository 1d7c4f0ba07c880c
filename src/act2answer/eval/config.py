"""The frozen specification of a run, stored next to its results."""

from __future__ import annotations

import subprocess
from datetime import datetime, timezone
from pathlib import Path
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from act2answer import __version__
from act2answer.eval.scoring import ScoringRule
from act2answer.eval.tasks import Wording
from act2answer.interfaces import Side
from act2answer.policies import PolicySpec
from act2answer.sim import SimConfig
from act2answer.suite import Condition, Suite

#: Fields that must match for a run folder to be resumed.
_IDENTITY_FIELDS = (
    "suite_name",
    "suite_hash",
    "policy",
    "sim",
    "layouts",
    "base_seed",
    "zone_radius",
    "scoring",
    "condition",
    "wording",
    "act2answer_version",
)


class StoredRunConfig(BaseModel):
    """What every stored run configuration (VLA or VLM) records besides its own settings.

    Attributes:
        suite_name: Versioned suite name.
        suite_hash: SHA-256 of the suite's items and images.
        suite_path: Where the suite was read from (informational).
        act2answer_version: Package version.
        git_revision: Git revision of the act2answer source, when known.
        created_at: UTC time the run was first started.
    """

    model_config = ConfigDict(frozen=True)

    #: Fields that are not identity but say how the run was last run: a resume with
    #: the same identity stores the new values (see :meth:`RunTable.bind_config`).
    RESUME_UPDATES: ClassVar[tuple[str, ...]] = ()

    suite_name: str
    suite_hash: str
    suite_path: str
    act2answer_version: str = __version__
    git_revision: str | None = Field(default_factory=lambda: git_revision())
    created_at: str = Field(
        default_factory=lambda: datetime.now(timezone.utc).isoformat(timespec="seconds")
    )

    @staticmethod
    def suite_fields(suite: Suite) -> dict[str, str]:
        """``suite_name``, ``suite_hash`` and ``suite_path`` of a loaded suite."""
        return {
            "suite_name": suite.name,
            "suite_hash": suite.content_hash,
            "suite_path": str(Path(suite.root).resolve()),
        }


class RunConfig(StoredRunConfig):
    """What produced a run's results.

    Attributes:
        suite_name: Versioned suite name.
        suite_hash: SHA-256 of the suite's items and images.
        suite_path: Where the suite was read from (informational).
        policy: Spec that recreates the policy.
        sim: Simulator settings.
        layouts: Answer sides evaluated per item.
        base_seed: Run-level seed mixed into every episode seed.
        zone_radius: Scoring radius in metres (None: tile half-diagonal).
        scoring: Rule that fills each episode's outcome (every rule is stored).
        condition: Instruction condition: ``knowledge`` (the item's instruction),
            ``explicit_object`` or ``explicit_spatial``.
        wording: How the control conditions are worded: ``act2answer`` (the
            suite's texts) or ``study`` (the study's templates). Runs stored
            before this field existed read as ``act2answer``, as they were run.
        act2answer_version: Package version.
        git_revision: Git revision of the act2answer source, when known.
        created_at: UTC time the run was first started.
    """

    policy: PolicySpec
    sim: SimConfig
    layouts: tuple[Side, ...] = (Side.LEFT, Side.RIGHT)
    base_seed: int = 0
    zone_radius: float | None = None
    scoring: ScoringRule = ScoringRule.DEFAULT
    condition: Condition = Condition.KNOWLEDGE
    wording: Wording = Wording.ACT2ANSWER

    @property
    def label(self) -> str:
        """Short name of what answered: the policy."""
        return self.policy.name

    @property
    def image_source(self) -> str | None:
        """Simulator settings and base seed the run's camera images came from (JSON)."""
        return f"{self.sim.model_dump_json()} base_seed={self.base_seed}"

    def differences(self, other: RunConfig) -> list[str]:
        """Human-readable list of identity fields that differ from ``other``."""
        return identity_differences(self, other, _IDENTITY_FIELDS)


def identity_differences(
    stored: BaseModel, requested: BaseModel, fields: tuple[str, ...]
) -> list[str]:
    """What differs between a stored and a requested run configuration, field by field.

    Nested settings (``sim``, ``policy``) name the field inside them, e.g.
    ``sim.physics_timestep: stored 0.005, requested 0.00666...``, rather than
    printing two whole configurations.
    """
    found: list[str] = []
    for name in fields:
        found += _differences(name, getattr(stored, name), getattr(requested, name))
    return found


def _differences(path: str, stored: object, requested: object) -> list[str]:
    if stored == requested:
        return []
    if isinstance(stored, BaseModel) and type(stored) is type(requested):
        found: list[str] = []
        for name in type(stored).model_fields:
            found += _differences(f"{path}.{name}", getattr(stored, name), getattr(requested, name))
        if found:
            return found
    return [f"{path}: stored {stored!r}, requested {requested!r}"]


def git_revision() -> str | None:
    """Git revision of the installed act2answer source tree, if it is a checkout."""
    source = Path(__file__).resolve().parent
    try:
        completed = subprocess.run(
            ["git", "-C", str(source), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return completed.stdout.strip() or None if completed.returncode == 0 else None
