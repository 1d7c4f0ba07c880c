"""Train LeRobot's SmolVLA class (a tiny config) on a demonstration dataset, LeRobot's way.

Runs in the LeRobot environment (``.venv-lerobot``: lerobot 0.4.4). The loop is
the one of ``lerobot-train`` (``lerobot/scripts/lerobot_train.py``): the dataset
through ``LeRobotDataset`` with ``delta_timestamps`` for the action chunk, the
policy's pre-processor built by ``make_pre_post_processors`` from the dataset's
``meta/stats.json``, ``policy.forward(batch)`` for the loss, the optimiser of
the config's preset; the result is saved with ``save_pretrained`` (policy,
pre- and post-processor) so ``--policy lerobot --policy-args '{"model_path": ...}'``
loads it. The VLM inside is the tiny local SmolVLM of
:mod:`act2answer.testing.tiny.smolvla` (no hub access).
"""

from __future__ import annotations

from pathlib import Path

#: Actions per chunk of the tiny SmolVLA.
CHUNK = 4


def train_smolvla(
    dataset_root: Path | str,
    out: Path | str,
    *,
    steps: int = 200,
    batch_size: int = 8,
    seed: int = 0,
    image_size: int = 64,
) -> Path:
    """Train a tiny SmolVLA on ``dataset_root`` for ``steps`` steps; save it to ``out``.

    Returns:
        The checkpoint folder (``out``).
    """
    import torch
    from lerobot.configs.types import FeatureType
    from lerobot.datasets.lerobot_dataset import LeRobotDataset
    from lerobot.datasets.utils import dataset_to_policy_features
    from lerobot.policies.factory import make_pre_post_processors
    from lerobot.policies.smolvla.modeling_smolvla import SmolVLAPolicy

    from act2answer.testing.tiny.smolvla import _write_vlm, tiny_smolvla_config

    out = Path(out)
    torch.manual_seed(seed)
    metadata = LeRobotDataset("act2answer/demos", root=dataset_root).meta
    features = dataset_to_policy_features(metadata.features)
    inputs = {k: f for k, f in features.items() if f.type is not FeatureType.ACTION}
    outputs = {k: f for k, f in features.items() if f.type is FeatureType.ACTION}
    _write_vlm(out / "vlm")
    config = tiny_smolvla_config(
        out / "vlm",
        input_features=inputs,
        output_features=outputs,
        chunk=CHUNK,
        image_size=image_size,
    )
    fps = metadata.fps
    dataset = LeRobotDataset(
        "act2answer/demos",
        root=dataset_root,
        delta_timestamps={"action": [index / fps for index in range(CHUNK)]},
    )
    policy = SmolVLAPolicy(config)
    preprocessor, postprocessor = make_pre_post_processors(config, dataset_stats=metadata.stats)
    optimiser = config.get_optimizer_preset().build(policy.parameters())
    loader = torch.utils.data.DataLoader(
        dataset,
        batch_size=batch_size,
        shuffle=True,
        num_workers=0,
        drop_last=True,
        generator=torch.Generator().manual_seed(seed),
    )
    policy.train()
    step = 0
    while step < steps:
        for batch in loader:
            loss, _ = policy.forward(preprocessor(batch))
            optimiser.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(policy.parameters(), config.optimizer_grad_clip_norm)
            optimiser.step()
            step += 1
            if step >= steps:
                break
    policy.eval()
    policy.save_pretrained(out)
    preprocessor.save_pretrained(out)
    postprocessor.save_pretrained(out)
    return out
