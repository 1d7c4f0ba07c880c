"""VLM-side speed figures: first frames per second, and tiny-model questions per second.

* ``FrameSource`` first frames (reset + render) at 640x480 and 224x224: the
  fixed cost of ``act2answer vlm --input frame`` per question, whatever the model;
* questions/s of the transformers backend on a tiny random Qwen2.5-VL (CPU,
  options mode, batch 25, 1 and 2 torch threads): the framework's own overhead
  (processor, padding, letter scoring, SQLite), not a real model's speed.

Best of 3 repeats (the VM is shared). Needs the ``vlm`` extra.
Usage: ``.venv/bin/python benchmarks/bench_vlm.py``.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

_ROOT = Path(__file__).resolve().parents[1]
_SHARED_MENAGERIE = _ROOT.parent / "shared" / "menagerie"
if _SHARED_MENAGERIE.is_dir():
    os.environ.setdefault("MENAGERIE_ROOT", str(_SHARED_MENAGERIE))
os.environ.setdefault("MUJOCO_GL", "egl")
sys.path.insert(0, str(_ROOT))


def main() -> None:
    import torch
    from tests.conftest import make_colour_suite
    from tests.helpers.tiny_vlms import build_qwen2_5_vl

    from act2answer.eval.tasks import make_tasks
    from act2answer.runner import run_vlm
    from act2answer.runner._vlm import FrameSource
    from act2answer.sim import SimConfig
    from act2answer.vlm import InputMode, ModelSpec
    from act2answer.vlm.backends.transformers_backend import TransformersBackend

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        suite = make_colour_suite(root / "suite", n=50)
        tasks = make_tasks(suite)[:40]
        for width, height in ((640, 480), (224, 224)):
            frames = FrameSource(SimConfig(camera_width=width, camera_height=height))
            frames.frame(tasks[0])
            best = min(_timed(lambda f=frames: [f.frame(t) for t in tasks]) for _ in range(3))
            frames.close()
            print(f"first frames {width}x{height}: {len(tasks) / best:.1f} frames/s")
        torch.manual_seed(0)
        build_qwen2_5_vl(root / "qwen")
        for threads in (1, 2):
            torch.set_num_threads(threads)
            backend = TransformersBackend(str(root / "qwen"), device="cpu", dtype="float32")
            times = []
            for repeat in range(3):
                run_dir = root / f"run-{threads}-{repeat}"
                times.append(
                    _timed(
                        lambda d=run_dir, b=backend: run_vlm(
                            suite,
                            ModelSpec(model="tiny"),
                            d,
                            input_mode=InputMode.OPTIONS,
                            backend=b,
                            batch_size=25,
                        )
                    )
                )
            print(f"tiny Qwen2.5-VL, {threads} thread(s): {100 / min(times):.1f} questions/s")


def _timed(function) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


if __name__ == "__main__":
    main()
