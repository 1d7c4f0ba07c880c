"""The lab: record demonstrations, train small VLMs and VLAs on a CPU, evaluate them.

Everything here imports torch lazily (inside the functions that train or run a
model), so ``import act2answer.lab`` works without the ``vlm`` extra. The parts:

* :mod:`act2answer.lab.demos`: scripted demonstrations (the oracle's carry
  controller with noise and recoveries) recorded in the simulator.
* :mod:`act2answer.lab.lerobot_format`: writes and reads those demonstrations
  as a LeRobot v3.0 dataset (parquet with embedded PNG frames, ``meta/``).
* :mod:`act2answer.lab.vqa`: synthetic two-option VQA from the procedural
  generators, for pretraining and co-training.
* :mod:`act2answer.lab.models`: the tiny VLM backbone and the VLA built on it.
* :mod:`act2answer.lab.train`: recipes, training loops, safetensors checkpoints.
"""

from act2answer.lab.demos import DemoConfig, DemoEpisode, record_demos

__all__ = ["DemoConfig", "DemoEpisode", "record_demos"]
