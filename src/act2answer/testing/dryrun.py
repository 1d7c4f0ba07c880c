"""``act2answer run --policy ADAPTER --dry-run``: check the plumbing on a CPU before renting a GPU.

Builds a tiny model of the adapter's class (see :mod:`act2answer.testing.tiny`)
and a one-item procedural suite (two episodes: both layouts), so the whole
path (loading through ``from_pretrained``, pre-processing, conventions,
action chunks, simulator, storage, report) runs in a minute on a laptop.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from act2answer.adapters import ADAPTERS
from act2answer.errors import PolicyError
from act2answer.testing.tiny import TINY_KIND, build_tiny


@dataclass(frozen=True)
class DryRun:
    """What a dry run evaluates.

    Attributes:
        suite: Suite folder (the user's, or a one-item procedural suite).
        out: Run folder.
        policy_kwargs: Adapter arguments, pointing at the tiny model.
        model_kind: ``tiny real class`` or ``stand-in ...``, for the user.
    """

    suite: Path
    out: Path
    policy_kwargs: dict[str, Any]
    model_kind: str


def prepare_dry_run(
    adapter: str,
    *,
    suite: Path | None = None,
    out: Path | None = None,
    policy_kwargs: dict[str, Any] | None = None,
    seed: int = 0,
) -> DryRun:
    """Build the tiny model (and a suite when none is given) for ``adapter``.

    Raises:
        PolicyError: ``adapter`` is not a model adapter, or its stack is missing.
    """
    if adapter not in ADAPTERS:
        raise PolicyError(
            f"--dry-run needs a model adapter ({', '.join(ADAPTERS)}), not {adapter!r}"
        )
    root = out if out is not None else Path(tempfile.mkdtemp(prefix="act2answer-dry-run-"))
    model_dir = root / "tiny-model" if out is None else root.parent / f"{root.name}-tiny-model"
    tiny = build_tiny(adapter, model_dir, seed=seed)
    if suite is None:
        from act2answer.synth import generate_suite

        suite = root.parent / f"{root.name}-suite" if out is not None else root / "suite"
        generate_suite(suite, per_category=1, seed=seed, categories=["Color"], workers=1)
    run_dir = out if out is not None else root / "run"
    kwargs = {**(policy_kwargs or {}), **tiny}
    return DryRun(suite=suite, out=run_dir, policy_kwargs=kwargs, model_kind=TINY_KIND[adapter])


def describe(dry_run: DryRun) -> str:
    """One line saying what the dry run uses."""
    return (
        f"dry run: {dry_run.model_kind} in {dry_run.policy_kwargs['model_path']}, "
        f"suite {dry_run.suite}, run folder {dry_run.out}; "
        f"arguments {json.dumps(dry_run.policy_kwargs, sort_keys=True)}"
    )
