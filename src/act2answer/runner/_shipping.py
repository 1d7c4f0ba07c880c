"""Files that travel between the Ray driver and actors on other nodes.

The driver puts every tile image into Ray's object store once; an actor whose
node lacks the suite folder writes the images it needs into a local cache.
Videos go the other way: actors record into a private folder and send the MP4
back, so the driver alone writes the run folder.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from act2answer.eval.tasks import EpisodeTask
from act2answer.eval.worker import EpisodeReport


@dataclass(frozen=True)
class FinishedEpisode:
    """What a simulator actor sends back: the report and the episode's MP4, if recorded."""

    report: EpisodeReport
    video: bytes | None = None


def task_images(task: EpisodeTask) -> tuple[str, str]:
    return (task.left_image, task.right_image)


#: An image in the object store: (SHA-256 of its bytes, reference to the bytes).
ShippedImage = tuple[str, Any]


def ship_image(path: str, put: Callable[[bytes], Any]) -> ShippedImage:
    """Put an image file's bytes into the object store (``ray.put``)."""
    data = Path(path).read_bytes()
    return hashlib.sha256(data).hexdigest(), put(data)


def localize_images(
    task: EpisodeTask,
    shipped: tuple[ShippedImage, ShippedImage],
    cache_dir: Path,
    get: Callable[[Any], bytes],
) -> EpisodeTask:
    """``task`` with each image missing on this node replaced by a cached copy.

    Copies are named by content, so an edited image is never served stale.

    Args:
        shipped: The left and right images as shipped by the driver.
        get: Fetches a reference's bytes (``ray.get``); called only for missing images.
    """
    paths = []
    for path, (digest, ref) in zip(task_images(task), shipped, strict=True):
        if Path(path).exists():
            paths.append(path)
            continue
        local = cache_dir / f"{digest}{Path(path).suffix}"
        if not local.exists():
            cache_dir.mkdir(parents=True, exist_ok=True)
            partial = local.with_name(f"{local.name}.{os.getpid()}.part")  # actors share it
            partial.write_bytes(get(ref))
            partial.replace(local)
        paths.append(str(local))
    if paths == list(task_images(task)):
        return task
    return replace(task, left_image=paths[0], right_image=paths[1])


def store_video(run_dir: Path, finished: FinishedEpisode) -> None:
    """Write the MP4 an actor sent back to where the episode's result says it is."""
    relative = finished.report.result.video
    if finished.video is None or relative is None:
        return
    path = run_dir / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(finished.video)
