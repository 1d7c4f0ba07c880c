"""The Python entry point: evaluate a policy, load any run folder, run a stored run again.

``act2answer.evaluate`` and the ``act2answer run`` command do the same thing:
the command parses its options into the same types (:class:`SimConfig`,
:class:`Execution`) and calls :func:`evaluate`, so every default lives in
those types and Python users get what command-line users get.

What a run *is* (suite, policy, scene and simulator settings, seed, scoring
rule, instruction condition and its wording) is stored with it and checked on resume
(:class:`act2answer.eval.RunConfig`). How it *runs* (workers, timeouts,
batching, executor, video, progress) is an :class:`Execution`: never stored
as identity, so a resumed run may change any of it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from act2answer.analysis import RunMetrics
from act2answer.errors import RunError
from act2answer.eval.config import RunConfig
from act2answer.eval.results import EpisodeResult
from act2answer.eval.scoring import ScoringRule
from act2answer.eval.tasks import LAYOUTS, Wording
from act2answer.interfaces import Side
from act2answer.policies import PolicySpec
from act2answer.report import RunReport, VLMReport, load_run_report, write_report
from act2answer.runner import EXECUTORS, RayOptions, RunSummary, VLMRunSummary, run_evaluation
from act2answer.sim import SimConfig
from act2answer.store import DB_FILE, run_kind
from act2answer.suite import Condition, Suite
from act2answer.vlm import VLMRunConfig

RunKindName = Literal["vla", "vlm", "probe"]

ProgressCallback = Callable[[EpisodeResult, int, int], None]
#: ``rerun``'s callback: each stored episode (VLA) or answer (VLM), the count done, the total.
RecordCallback = Callable[[Any, int, int], None]


class Execution(BaseModel):
    """How a run is executed; none of it is part of the run's identity.

    Attributes:
        workers: Simulator processes (Ray: simulator actors); None: one per core.
        episode_timeout: Wall-clock limit per episode in seconds; a hung worker
            is replaced and the episode stored as an error. None: no limit.
        max_batch: Largest batch for a batched policy hosted by the run
            (None: the number of workers).
        batch_window_s: Longest wait for a batch to fill, seconds.
        executor: Where episodes execute (:data:`act2answer.runner.EXECUTORS`): ``local``
            (processes on this machine for several workers or an episode timeout,
            else this process), ``inline`` (this process), ``processes`` or ``ray``
            (the ``ray`` extra).
        ray_address: Ray cluster address (None: ``$RAY_ADDRESS``, else a new local one).
        policy_gpus: Ray: GPUs per policy replica (above 0 serves the policy on GPUs).
        policy_replicas: Ray: policy replicas when the policy is served.
        video: Record MP4s of the first N episodes, or of these item ids.
        retry_errors: Run stored error episodes again.
        pipeline_groups: A hosted batched policy: groups of episodes in flight, so that
            one group's simulators step while the model computes the other's batch.
        hosted_transport: How local workers reach a hosted batched policy: ``unix``
            (a Unix socket) or ``websocket`` (the openpi protocol).
        worker_niceness: Added to the simulator workers' nice value when the run hosts
            a batched policy (None: the runner's default).
    """

    model_config = ConfigDict(frozen=True)

    workers: int | None = Field(default=None, ge=1)
    episode_timeout: float | None = Field(default=600.0, gt=0)
    max_batch: int | None = Field(default=None, ge=1)
    batch_window_s: float = Field(default=0.1, ge=0)
    executor: str = "local"
    ray_address: str | None = None
    policy_gpus: float = Field(default=0.0, ge=0)
    policy_replicas: int = Field(default=1, ge=1)
    video: int | tuple[str, ...] = 0
    retry_errors: bool = False
    pipeline_groups: int = Field(default=1, ge=1)
    hosted_transport: Literal["unix", "websocket"] = "unix"
    worker_niceness: int | None = None

    @model_validator(mode="after")
    def _ray_options_need_ray(self) -> Execution:
        if self.executor not in EXECUTORS:
            raise ValueError(EXECUTORS.unknown_message(self.executor))
        uses_ray_options = (
            self.ray_address is not None or self.policy_gpus or self.policy_replicas != 1
        )
        if self.executor != "ray" and uses_ray_options:
            raise ValueError(
                "ray_address, policy_gpus and policy_replicas need executor='ray' "
                "(--address, --policy-gpus and --policy-replicas need --executor ray)"
            )
        return self

    def run_evaluation_kwargs(self) -> dict[str, Any]:
        """The keyword arguments of :func:`act2answer.runner.run_evaluation` this sets.

        This is the one place where execution settings meet the runner: a new
        knob is a new field here and one line below.
        """
        ray = None
        if self.executor == "ray":
            ray = RayOptions(
                address=self.ray_address,
                policy_gpus=self.policy_gpus,
                policy_replicas=self.policy_replicas,
            )
        return {
            "workers": self.workers,
            "episode_timeout": self.episode_timeout,
            "max_batch": self.max_batch,
            "batch_window_s": self.batch_window_s,
            "ray": ray,
            "video": list(self.video) if isinstance(self.video, tuple) else self.video,
            "retry_errors": self.retry_errors,
            "pipeline_groups": self.pipeline_groups,
            "hosted_transport": self.hosted_transport,
            "worker_niceness": self.worker_niceness,
            "executor": self.executor,
        }


@dataclass(frozen=True)
class Run:
    """A run folder of any kind, read back.

    Attributes:
        run_dir: The folder.
        kind: ``vla`` (episodes), ``vlm`` (answers) or ``probe`` (hidden-state probes).
        config: The stored run configuration (a probe run: its ``probe.json``).
        records: Episodes, answers, or probe curve points.
        metrics: Per-category and overall metrics (None for a probe run).
        report: The loaded report (None for a probe run).
        summary: What the call that produced this object ran (``evaluate``, ``rerun``).
    """

    run_dir: Path
    kind: RunKindName
    config: RunConfig | VLMRunConfig | dict[str, Any]
    records: Sequence[Any]
    metrics: RunMetrics | None
    report: RunReport | VLMReport | None
    summary: RunSummary | VLMRunSummary | None = None

    def write_report(self) -> list[Path]:
        """Write ``report.md``, ``metrics.json`` and the records' CSV; return the paths.

        Raises:
            RunError: a probe run (its outputs are written when it is probed).
        """
        if self.report is None:
            raise RunError(f"{self.run_dir}: a probe run's files are written by `act2answer probe`")
        return write_report(self.report)


def evaluate(
    suite: Suite | Path | str,
    policy: PolicySpec | str,
    *,
    out: Path | str,
    sim: SimConfig | None = None,
    base_seed: int = 0,
    scoring: ScoringRule | str = ScoringRule.DEFAULT,
    condition: Condition | str = Condition.KNOWLEDGE,
    wording: Wording | str = Wording.ACT2ANSWER,
    layouts: tuple[Side, ...] = LAYOUTS,
    zone_radius: float | None = None,
    execution: Execution | None = None,
    on_result: ProgressCallback | None = None,
) -> Run:
    """Evaluate ``policy`` on every item of ``suite`` in both layouts; store and return the run.

    Rerunning with the same ``out`` resumes: stored episodes are kept and not
    run again. A folder holding a run of another identity is refused.

    Args:
        suite: A loaded suite or its folder.
        policy: Policy name (``act2answer policies``) or spec with arguments.
        out: Run folder.
        sim: Simulator settings (default ``SimConfig()``: the WidowX in the reference scene).
        base_seed: Mixed into every episode seed; change it for an independent replicate.
        scoring: Rule that fills each episode's outcome (every rule is stored).
        condition: Instruction condition.
        wording: How control conditions are worded: ``act2answer`` (the suite's
            texts) or ``study`` (the study's templates). Part of the run's identity.
        layouts: Answer sides evaluated per item.
        zone_radius: Scoring radius in metres; default: tile half-diagonal.
        execution: How to run it (default ``Execution()``).
        on_result: Called after each stored episode with ``(result, done, total)``.

    Returns:
        The run: configuration, every stored episode, metrics, report and this call's summary.

    Raises:
        RunError: ``out`` holds a run with a different identity.
        SuiteError: the suite is invalid.
        PolicyError: the policy cannot be created.
    """
    execution = execution or Execution()
    summary = run_evaluation(
        suite,
        policy,
        out,
        sim=sim,
        layouts=layouts,
        base_seed=base_seed,
        zone_radius=zone_radius,
        on_result=on_result,
        scoring=scoring,
        condition=condition,
        wording=wording,
        **execution.run_evaluation_kwargs(),
    )
    return replace(load_run(out), summary=summary)


def load_run(run_dir: Path | str, scoring: ScoringRule | str | None = None) -> Run:
    """Read any run folder: VLA episodes, VLM answers or hidden-state probes.

    Args:
        run_dir: The folder.
        scoring: VLA runs: report under this rule (None: the rule the run was made with).

    Raises:
        RunError: the folder holds no run.
    """
    run_dir = Path(run_dir)
    if (run_dir / DB_FILE).is_file():
        report = load_run_report(run_dir, scoring=scoring)
        kind: RunKindName = "vlm" if isinstance(report, VLMReport) else "vla"
        return Run(run_dir, kind, report.config, report.records, report.metrics, report)
    from act2answer.probing import PROBE_JSON, read_curves

    if (run_dir / PROBE_JSON).is_file():
        stored = json.loads((run_dir / PROBE_JSON).read_text(encoding="utf-8"))
        return Run(run_dir, "probe", stored, read_curves(run_dir / PROBE_JSON), None, None)
    raise RunError(f"{run_dir}: no {DB_FILE} or {PROBE_JSON}; is this a run folder?")


def rerun(
    run_dir: Path | str,
    *,
    out: Path | str | None = None,
    execution: Execution | None = None,
    on_result: RecordCallback | None = None,
) -> Run:
    """Run a stored VLA or VLM run again from its stored configuration.

    With ``out`` None the run resumes in its own folder (only missing
    records run); with another ``out`` it is repeated from scratch there,
    with the same identity (VLA: suite, policy, scene, seed, scoring rule,
    condition and wording; VLM: suite, model and its options, input mode, prompt, frames'
    scene, seed). A VLM run's backend is reached as stored (device, server
    address, timeouts); its API key, never stored, is read again from the
    environment variable it came from. Of ``execution``, a VLM run uses
    ``retry_errors`` only.

    Raises:
        RunError: not a run folder, no stored configuration, or the API key's
            environment variable is not set.
    """
    if run_kind(run_dir) == "vlm":
        return _rerun_vlm(Path(run_dir), out, execution or Execution(), on_result)
    from act2answer.store import ResultStore

    with ResultStore.open_existing(run_dir) as store:
        config = store.config()
    if config is None:
        raise RunError(f"{run_dir}: database has no run configuration")
    identity = {name: getattr(config, name) for name in _RERUN_FIELDS}
    target = run_dir if out is None else out
    return evaluate(
        config.suite_path,
        config.policy,
        out=target,
        execution=execution,
        on_result=on_result,
        **identity,
    )


def _rerun_vlm(
    run_dir: Path, out: Path | str | None, execution: Execution, on_result: RecordCallback | None
) -> Run:
    from act2answer.runner import run_vlm
    from act2answer.store import VLMStore

    with VLMStore.open_existing(run_dir) as store:
        config = store.config()
    if config is None:
        raise RunError(f"{run_dir}: database has no run configuration")
    api_key = None
    if config.api_key_env is not None:
        api_key = os.environ.get(config.api_key_env)
        if not api_key:
            raise RunError(
                f"{run_dir}: the {config.model.backend} backend's API key came from "
                f"${config.api_key_env}, which is not set now; set it and rerun "
                "(keys are never stored)"
            )
    target = run_dir if out is None else Path(out)
    stored = {name: getattr(config, name) for name in _VLM_RERUN_FIELDS}
    summary = run_vlm(
        config.suite_path,
        config.model,
        target,
        retry_errors=execution.retry_errors,
        api_key=api_key,
        on_answer=on_result,
        **stored,
    )
    return replace(load_run(target), summary=summary)


#: The stored identity fields ``rerun`` passes back to :func:`evaluate`.
_RERUN_FIELDS = (
    "sim",
    "base_seed",
    "scoring",
    "condition",
    "wording",
    "layouts",
    "zone_radius",
)
#: The stored fields ``rerun`` passes back to :func:`act2answer.runner.run_vlm`.
_VLM_RERUN_FIELDS = (
    "input_mode",
    "prompt",
    "sim",
    "base_seed",
    "layouts",
    "batch_size",
    "api_key_env",
    "runtime",
)
