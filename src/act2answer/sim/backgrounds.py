"""Background photos for visual matching: resolve, fetch once into a cache, load.

The real Bridge photos SimplerEnv composites behind its WidowX scenes are
Apache-2.0 files of the repository simpler-env/ManiSkill2_real2sim; act2answer
does not ship them. A known name is looked up, in order, in the folder named by
``ACT2ANSWER_BACKGROUNDS`` (an offline copy), then in the user cache
(``$XDG_CACHE_HOME/act2answer/backgrounds``, default ``~/.cache/...``), and
otherwise downloaded from upstream into that cache, checked against its
SHA-256, with the licence notice written beside it. Any other value is a
path to the user's own photo.
"""

from __future__ import annotations

import hashlib
import os
import urllib.request
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from act2answer.errors import SimulationError

ENV_VAR = "ACT2ANSWER_BACKGROUNDS"
UPSTREAM_REPOSITORY = "simpler-env/ManiSkill2_real2sim"
UPSTREAM_COMMIT = "ef7a4d4f"
_RAW_URL = "https://raw.githubusercontent.com/{repo}/{commit}/{path}"
NOTICE = (
    "{name}: from https://github.com/{repo} (commit {commit}, path {path}).\n"
    "Licensed under the Apache License, Version 2.0: "
    "https://www.apache.org/licenses/LICENSE-2.0 (a copy is in that repository's LICENSE).\n"
)


@dataclass(frozen=True)
class KnownBackground:
    """A photo act2answer knows how to fetch.

    Attributes:
        name: File name.
        path: Path inside the upstream repository.
        sha256: Expected SHA-256 of the file.
    """

    name: str
    path: str
    sha256: str

    @property
    def url(self) -> str:
        return _RAW_URL.format(repo=UPSTREAM_REPOSITORY, commit=UPSTREAM_COMMIT, path=self.path)


KNOWN_BACKGROUNDS: dict[str, KnownBackground] = {
    known.name: known
    for known in (
        KnownBackground(
            "bridge_real_eval_1.png",
            "data/real_inpainting/bridge_real_eval_1.png",
            "1d25ac179f7cdace1de14d5dab9496d52099231ea3e3d60eb3fe422c9802b611",
        ),
        KnownBackground(
            "bridge_sink.png",
            "data/real_inpainting/bridge_sink.png",
            "86b50fa15ede8e2c28cc01b6adffc40b79f7136130547c6ee905cf91b4aff188",
        ),
    )
}


def cache_dir() -> Path:
    """Folder where downloaded backgrounds are kept."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "act2answer" / "backgrounds"


def resolve_background(source: str) -> Path:
    """Find the image file for a background name or path, downloading a known one once.

    Args:
        source: A known name (e.g. ``bridge_real_eval_1.png``) or an image path.

    Returns:
        Path of a local image file.

    Raises:
        SimulationError: the file does not exist, or a download failed or did
            not match its checksum.
    """
    known = KNOWN_BACKGROUNDS.get(source)
    if known is None:
        path = Path(source).expanduser()
        if not path.is_file():
            names = ", ".join(KNOWN_BACKGROUNDS)
            raise SimulationError(
                f"background {source!r}: no such file (known names: {names}; or 'none')"
            )
        return path
    local = os.environ.get(ENV_VAR)
    if local:
        candidate = Path(local) / known.name
        if candidate.is_file():
            return candidate
    cached = cache_dir() / known.name
    if cached.is_file() and _sha256(cached) == known.sha256:
        return cached
    return _download(known, cached)


def _download(known: KnownBackground, target: Path) -> Path:
    try:
        with urllib.request.urlopen(known.url, timeout=60) as response:
            payload = response.read()
    except OSError as exc:
        raise SimulationError(
            f"cannot download background {known.name} from {known.url}: {exc}; "
            f"set {ENV_VAR} to a folder holding it, or use --background none"
        ) from exc
    digest = hashlib.sha256(payload).hexdigest()
    if digest != known.sha256:
        raise SimulationError(
            f"background {known.name} from {known.url} has SHA-256 {digest}, "
            f"expected {known.sha256}"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(target.suffix + ".part")
    partial.write_bytes(payload)
    partial.replace(target)
    notice = NOTICE.format(
        name=known.name, repo=UPSTREAM_REPOSITORY, commit=UPSTREAM_COMMIT, path=known.path
    )
    (target.parent / f"{known.name}.NOTICE.txt").write_text(notice)
    return target


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@lru_cache(maxsize=8)
def load_background(source: str, width: int, height: int) -> np.ndarray:
    """The background photo as ``(height, width, 3)`` uint8, resized if needed (cached).

    Args:
        source: A known name or an image path.
        width: Frame width.
        height: Frame height.

    Raises:
        SimulationError: the background cannot be found or read.
    """
    from PIL import Image

    from act2answer.errors import ImageFileError
    from act2answer.suite.images import read_rgb

    path = resolve_background(source)
    try:
        image = read_rgb(path)
    except ImageFileError as exc:
        raise SimulationError(f"background: {exc}") from exc
    if image.shape[:2] != (height, width):
        resized = Image.fromarray(image).resize((width, height), Image.Resampling.BILINEAR)
        image = np.asarray(resized)
    image = np.ascontiguousarray(image)
    image.setflags(write=False)
    return image
