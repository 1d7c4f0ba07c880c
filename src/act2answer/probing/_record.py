"""Record pooled hidden states for every episode of a suite (first frame + instruction).

Each episode is set up exactly as an evaluation episode: the simulator shows
the item's two images in the episode's layout, resets with the episode seed
(:func:`act2answer.eval.tasks.episode_seed`) and renders the first frame; the
model then runs one forward pass on that frame and the instruction while the
hooks of :mod:`act2answer.probing._hooks` record every declared layer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import numpy as np

from act2answer import __version__
from act2answer.interfaces import ObservationNeeds, Side
from act2answer.probing._hooks import PartPattern, record_hidden_states
from act2answer.probing._store import FeatureStore

if TYPE_CHECKING:
    import torch

    from act2answer.sim import SimConfig


@dataclass(frozen=True)
class ProbeInput:
    """What the model sees in a probe forward pass.

    Attributes:
        image: First third-person frame, ``(H, W, 3)`` uint8.
        instruction: The episode's instruction.
        state: Proprioceptive state ``[x, y, z, roll, pitch, yaw, gripper]`` at reset.
        seed: Episode seed; stochastic models (flow-matching action experts)
            seed their noise from it so features are reproducible.
    """

    image: np.ndarray
    instruction: str
    state: np.ndarray
    seed: int


@runtime_checkable
class ProbeModel(Protocol):
    """A model whose hidden states can be probed.

    ``probe_patterns`` maps ``"prefix"`` (and ``"action"`` where the model has
    an action expert or head) to the modules to hook under ``probe_root()``.
    ``probe_forward`` runs one forward pass; it may put ``(tokens,)`` masks of
    valid positions into ``token_masks[part]`` before the forward (e.g. the
    non-padding positions of a padded prompt) so pooling skips padding.
    """

    name: str

    def probe_root(self) -> torch.nn.Module: ...

    def probe_patterns(self) -> Mapping[str, PartPattern]: ...

    def probe_forward(self, request: ProbeInput, token_masks: dict[str, torch.Tensor]) -> None: ...


@dataclass(frozen=True)
class RecordSummary:
    """Episodes recorded now, found already stored, and the wall time."""

    recorded: int
    skipped: int
    wall_time_s: float


def record_suite(
    suite_dir: Path | str,
    model: ProbeModel,
    out: Path | str,
    model_spec: str,
    sim: SimConfig | None = None,
    base_seed: int = 0,
    flush_every: int = 16,
    on_episode: Callable[[int, int], None] | None = None,
) -> tuple[FeatureStore, RecordSummary]:
    """Record features of every episode of a suite into ``out/features`` (resumable).

    Args:
        suite_dir: Suite folder.
        model: The model (see :class:`ProbeModel`).
        out: Run folder.
        model_spec: How the model was specified (part of the store identity).
        sim: Simulator configuration (default ``SimConfig()``).
        base_seed: Base seed mixed into episode seeds.
        flush_every: Episodes per shard written to disk.
        on_episode: Called with ``(done, total)`` after each episode.
    """
    import time

    import torch

    from act2answer.eval.tasks import make_tasks
    from act2answer.sim import SimConfig, make_env
    from act2answer.suite import load_suite, read_rgb

    started = time.perf_counter()
    suite = load_suite(suite_dir)
    sim = sim or SimConfig()
    patterns = dict(model.probe_patterns())
    identity = {
        "model": model_spec,
        "suite_name": suite.name,
        "suite_hash": suite.content_hash,
        "sim": sim.model_dump(mode="json"),
        "base_seed": base_seed,
        "patterns": {part: asdict(pattern) for part, pattern in patterns.items()},
        "package_version": __version__,
    }
    store = FeatureStore.open(Path(out) / "features", identity)
    tasks = make_tasks(suite, base_seed=base_seed)
    done = store.done_keys
    todo = [task for task in tasks if task.key not in done]
    root = model.probe_root()
    env = make_env(sim)
    try:
        for count, task in enumerate(todo, start=1):
            env.set_tiles(  # sized and styled for the category, as the evaluation shows them
                read_rgb(task.left_image),
                read_rgb(task.right_image),
                category=task.category,
                tile_size=task.tile_size,
            )
            observation, _ = env.reset(
                seed=task.seed, instruction=task.instruction, needs=ObservationNeeds(image=True)
            )
            assert observation.image is not None
            request = ProbeInput(
                image=observation.image,
                instruction=task.instruction,
                state=observation.state,
                seed=task.seed,
            )
            masks: dict[str, torch.Tensor] = {}
            with torch.no_grad(), record_hidden_states(root, patterns, masks) as recorded:
                model.probe_forward(request, masks)
            store.add(
                item_id=task.item_id,
                layout=task.answer_side.value,
                label=int(task.answer_side is Side.RIGHT),
                category=task.category,
                seed=task.seed,
                layers=recorded.layers,
                vectors=recorded.vectors,
            )
            if count % flush_every == 0:
                store.flush()
            if on_episode is not None:
                on_episode(len(tasks) - len(todo) + count, len(tasks))
    finally:
        store.flush()
        env.close()
    store.consolidate()
    summary = RecordSummary(len(todo), len(tasks) - len(todo), time.perf_counter() - started)
    return store, summary
