"""Export a suite as a VLMEvalKit custom multiple-choice dataset (``$LMUData/<NAME>.tsv``).

Written against VLMEvalKit at commit ``e8e78f05`` (open-compass/VLMEvalKit
``e8e78f05f3080fe28154f2130321f17951c3be94``): ``vlmeval/dataset/__init__.py``
``build_dataset`` loads an unknown ``NAME`` from ``$LMUData/NAME.tsv`` as a
``CustomMCQDataset`` when it has ``question``, ``A``, ``B`` and ``image``
columns; ``image_mcq.py`` ``build_prompt`` turns a row into images then
``Hint: / Question: / Options:`` text; ``run.py --judge exact_matching``
scores the letters without a judge API.

One row per item and layout (the correct image on the left, then on the
right), as ``act2answer vlm --input options`` asks and as VLA episodes are
keyed, so results pair with a VLA run item by item. Which letter names the
left image is the VLM runner's letter binding (:func:`act2answer.vlm.letter_binding`),
so the correct letter and the correct side each change once per item.

Three things make the file safe in VLMEvalKit's hands (each guarded by a test):

* ``image_path`` names every image by the SHA-256 of its PNG bytes:
  ``ImageBaseDataset.dump_image`` (``image_base.py``) writes decoded images to
  ``$LMUData/images/<NAME>/<image_path>`` and reuses any file already there, so
  index-based names served the images of a suite exported earlier under the
  same name.
* ``index`` is derived from the suite's content hash, the variant, the letter
  seed, the item and the layout (48 bits, exact in an xlsx float):
  ``ImageBaseDataset.__init__`` maps images by ``index`` and keeps the last row
  of a repeated index, so two exports joined into one file (both counting from
  0) took each other's images.
* Variants are named in the dataset name: ``sidebyside`` (one image) and
  ``circular`` (VLMEvalKit evaluates a dataset circularly exactly when its name
  contains ``circular``, ``mmbench``, ``ccbench`` or ``mmcr``).

Variants:

* ``two-images`` (default): the left and right images as a two-image list.
* ``side-by-side``: both images pasted on one canvas with an 8 px white gap
  (as the study group's own VLM scripts ask one-image models), options
  ``left`` / ``right``. VLMEvalKit's ``BaseModel.message_to_promptimg``
  (``vlm/base.py``) gives one-image models only the first image of a row.
* ``frame``: the episode's first rendered frame (``seed`` as base seed),
  rendered by the VLM runner's frame source: pixel for pixel what the VLA run
  and ``act2answer vlm --input frame`` see; options ``left`` / ``right``.
* ``circular``: every row twice, the second with A and B swapped, paired by
  ``g_index`` with the swapped copy at ``index = g_index + 1_000_000``
  (VLMEvalKit's circular offset); a pair counts only when both are right,
  which separates letter bias from knowledge.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image

from act2answer.errors import Act2AnswerError
from act2answer.interfaces import Side
from act2answer.suite import Suite, SuiteItem, load_suite, read_rgb

if TYPE_CHECKING:
    from act2answer.eval.tasks import EpisodeTask

#: Renders an episode's first frame, e.g. ``FrameSource(SimConfig()).frame`` of the VLM runner.
FirstFrame = Callable[["EpisodeTask"], np.ndarray]

#: The VLMEvalKit commit whose loading, prompt and evaluation code this module follows.
VLMEVALKIT_COMMIT = "e8e78f05f3080fe28154f2130321f17951c3be94"

#: VLMEvalKit's offset between a circular copy's ``index`` and its ``g_index``.
CIRCULAR_OFFSET = 1_000_000
#: White gap between the two pictures of a side-by-side canvas (the study's scripts use 8 px).
SIDE_BY_SIDE_GAP = 8
HINT_TWO_IMAGES = "Two images are shown: the first is the left image, the second the right image."
HINT_SIDE_BY_SIDE = "The image shows two pictures side by side: one on the left, one on the right."


class ImageLayout(str, Enum):
    """How a row's two option images reach the model."""

    TWO_IMAGES = "two-images"
    """Two images, left then right (multi-image models)."""
    SIDE_BY_SIDE = "side-by-side"
    """One canvas, left and right picture with a white gap (one-image models)."""
    FRAME = "frame"
    """The episode's first rendered frame, as a VLA sees it (one-image models)."""


#: Option text naming each side, per image layout.
OPTION_TEXT = {
    ImageLayout.TWO_IMAGES: {Side.LEFT: "left image", Side.RIGHT: "right image"},
    ImageLayout.SIDE_BY_SIDE: {Side.LEFT: "left", Side.RIGHT: "right"},
    ImageLayout.FRAME: {Side.LEFT: "left", Side.RIGHT: "right"},
}
HINT_FRAME = (
    "The image shows a table with two pictures lying on it, one on the left and one on the right."
)
_HINTS = {
    ImageLayout.TWO_IMAGES: HINT_TWO_IMAGES,
    ImageLayout.SIDE_BY_SIDE: HINT_SIDE_BY_SIDE,
    ImageLayout.FRAME: HINT_FRAME,
}
_NAME_TAGS = {
    ImageLayout.TWO_IMAGES: "",
    ImageLayout.SIDE_BY_SIDE: "sidebyside",
    ImageLayout.FRAME: "frame",
}

#: Name parts that change how VLMEvalKit (at ``VLMEVALKIT_COMMIT``) treats a dataset.
#: Case-insensitive: circular evaluation (``image_mcq.py`` ``evaluate_heuristic``) and
#: open-ended VQA (``dataset/__init__.py`` ``DATASET_TYPE``).
_TRIGGERS_ANY_CASE = ("mmbench", "ccbench", "mmcr", "circular", "openended")
#: Case-sensitive: other accuracy reports and answer matching (``image_mcq.py``,
#: ``utils/multiple_choice.py``) and shared image folders (``image_base.py`` ``img_root_map``).
_TRIGGERS_EXACT = ("MMMU", "MMT", "MMSci", "LEGO", "MM_NIAH", "CRPE", "OCRVQA", "QSpatial")

COLUMNS = (
    "index",
    "image",
    "image_path",
    "question",
    "hint",
    "A",
    "B",
    "answer",
    "category",
    "id",
)
#: act2answer's own columns: VLMEvalKit carries every column into its prediction file,
#: which is how predictions find their item and layout again.
OWN_COLUMNS = (
    "a2a_item",
    "a2a_layout",
    "a2a_copy",
    "a2a_suite",
    "a2a_suite_hash",
    "a2a_images",
    "a2a_seed",
    "a2a_dataset",
)


class ExportNameError(Act2AnswerError):
    """A VLMEvalKit dataset name would change how VLMEvalKit evaluates the export."""


@dataclass(frozen=True)
class _Encoded:
    """One image as VLMEvalKit receives it: base64 PNG and its content-hashed file name."""

    base64: str
    name: str


def dataset_name(
    suite_name: str, images: ImageLayout = ImageLayout.TWO_IMAGES, circular: bool = False
) -> str:
    """The default VLMEvalKit dataset name of an export, variants included.

    ``act2answer_<suite>`` plus ``_sidebyside`` and ``_circular`` when chosen; the
    suite name is lower-cased and cleared of words that would switch VLMEvalKit's
    evaluation (``mmbench`` becomes ``mm-bench``).
    """
    slug = re.sub(r"[^a-z0-9-]+", "-", suite_name.lower()).strip("-") or "suite"
    for trigger in _TRIGGERS_ANY_CASE:
        slug = slug.replace(trigger, f"{trigger[:2]}-{trigger[2:]}")
    parts = ["act2answer", slug, _NAME_TAGS[ImageLayout(images)], "circular" if circular else ""]
    return "_".join(part for part in parts if part)


def check_dataset_name(name: str, images: ImageLayout, circular: bool) -> None:
    """Refuse a dataset name that VLMEvalKit would misread, or that hides the variant.

    Raises:
        ExportNameError: with the reason and the VLMEvalKit code that reads the name.
    """
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]*", name):
        raise ExportNameError(
            f"dataset name {name!r}: use letters, digits, '_' and '-' only "
            "(VLMEvalKit builds file names from it and splits them at '.')"
        )
    lowered = name.lower()
    if circular and "circular" not in lowered:
        raise ExportNameError(
            f"dataset name {name!r}: a circular export's name must contain 'circular' "
            "(VLMEvalKit evaluates circularly only then)"
        )
    for trigger in _TRIGGERS_ANY_CASE:
        if trigger in lowered and not (circular and trigger == "circular"):
            effect = "as open-ended VQA" if trigger == "openended" else "circularly"
            raise ExportNameError(
                f"dataset name {name!r} contains {trigger!r}: VLMEvalKit would evaluate "
                f"it {effect}; choose another name"
            )
    for trigger in _TRIGGERS_EXACT:
        if trigger in name:
            raise ExportNameError(
                f"dataset name {name!r} contains {trigger!r}: VLMEvalKit treats such names "
                "specially (scores or image folder); choose another name"
            )
    parts = lowered.split("_")
    tag = _NAME_TAGS[ImageLayout(images)]
    if tag and tag not in parts:
        raise ExportNameError(
            f"dataset name {name!r}: a {ImageLayout(images).value} export's name must "
            f"have the part '_{tag}', so results can never be mistaken for another variant"
        )
    for other, other_tag in _NAME_TAGS.items():
        if other_tag and other is not ImageLayout(images) and other_tag in parts:
            raise ExportNameError(
                f"dataset name {name!r} says {other_tag!r} but the export is "
                f"{ImageLayout(images).value}"
            )


def row_index(
    suite_hash: str,
    images: ImageLayout,
    circular: bool,
    seed: int,
    item_id: str,
    layout: Side,
) -> int:
    """The ``g_index`` of one item and layout: unique across suites, variants and seeds.

    The first 6 bytes of a SHA-256 (below 2**48, so exact in xlsx, JSON and
    float64); a circular row's swapped copy is this plus :data:`CIRCULAR_OFFSET`.
    """
    key = "\x1f".join(
        [suite_hash, ImageLayout(images).value, str(circular), str(seed), item_id, layout.value]
    )
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:6], "big")


def side_by_side(left: np.ndarray, right: np.ndarray, gap: int = SIDE_BY_SIDE_GAP) -> np.ndarray:
    """Both pictures on one white canvas, left then right, each centred vertically."""
    height = max(left.shape[0], right.shape[0])
    canvas = np.full((height, left.shape[1] + gap + right.shape[1], 3), 255, np.uint8)
    top = (height - left.shape[0]) // 2
    canvas[top : top + left.shape[0], : left.shape[1]] = left
    top = (height - right.shape[0]) // 2
    canvas[top : top + right.shape[0], left.shape[1] + gap :] = right
    return canvas


def _encode(pixels: np.ndarray) -> _Encoded:
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    data = buffer.getvalue()
    return _Encoded(
        base64=base64.b64encode(data).decode("ascii"),
        name=f"a2a-{hashlib.sha256(data).hexdigest()}.png",
    )


class _AskedLikeTheVLMRunner:
    """Letter binding, question text and (frames) episode tasks as ``act2answer vlm`` has them.

    The one place this module uses ``act2answer.vlm``.
    """

    def __init__(self, suite: Suite, seed: int, layouts: tuple[Side, ...], frames: bool) -> None:
        from act2answer.vlm import PromptTemplate

        self.suite = suite
        self.seed = seed
        self.fallback = PromptTemplate().fallback_question
        self.tasks: dict[tuple[str, Side], EpisodeTask] = {}
        if frames:  # act2answer.eval loads the simulator: only for frame exports
            from act2answer.eval.tasks import make_tasks

            tasks = make_tasks(suite, layouts=layouts, base_seed=seed)
            self.tasks = {(task.item_id, task.answer_side): task for task in tasks}

    def a_is_left(self, item: SuiteItem) -> bool:
        from act2answer.vlm import letter_binding

        return letter_binding(self.suite.name, item.id, self.seed).a_is_left

    def question(self, item: SuiteItem) -> str:
        return item.question.strip() or self.fallback.format(instruction=item.instruction)


def export_vlmevalkit(
    suite_dir: Path | str,
    out: Path | str,
    *,
    seed: int = 0,
    images: ImageLayout | str = ImageLayout.TWO_IMAGES,
    circular: bool = False,
    layouts: tuple[Side, ...] = (Side.LEFT, Side.RIGHT),
    first_frame: FirstFrame | None = None,
) -> Path:
    """Write a suite as a VLMEvalKit custom MCQ dataset; returns the ``.tsv`` written.

    Args:
        suite_dir: The suite folder.
        out: A folder (typically ``$LMUData``; the file is named after
            :func:`dataset_name`) or a ``NAME.tsv`` path (NAME is then the dataset
            name, checked by :func:`check_dataset_name`).
        seed: Letter-binding seed (the ``act2answer vlm --seed`` of a comparable run).
        images: ``two-images``, or for one-image models ``side-by-side`` or ``frame``
            (the first frame of each VLA episode, ``seed`` as base seed).
        circular: Write every row twice, A and B swapped (VLMEvalKit circular evaluation).
        layouts: Layouts written per item (where the correct image lies).
        first_frame: For ``frame``: renders an episode's first frame. The CLI
            passes the VLM runner's ``FrameSource(SimConfig()).frame``, so the
            images are those ``act2answer vlm --input frame`` and a VLA run see.

    Raises:
        ExportNameError: the ``.tsv`` name would mislead VLMEvalKit or hide the variant.
        ValueError: a ``frame`` export without ``first_frame``.
    """
    images = ImageLayout(images)
    if images is ImageLayout.FRAME and first_frame is None:
        raise ValueError("a frame export needs first_frame, e.g. FrameSource(SimConfig()).frame")
    suite = load_suite(suite_dir)
    out = Path(out)
    if out.suffix.lower() == ".tsv":
        name = out.stem
        check_dataset_name(name, images, circular)
    else:
        name = dataset_name(suite.name, images, circular)
        out = out / f"{name}.tsv"
    out.parent.mkdir(parents=True, exist_ok=True)
    pixels: dict[str, np.ndarray] = {}
    encoded: dict[tuple[str, ...], _Encoded] = {}

    def read(relative: str) -> np.ndarray:
        if relative not in pixels:
            pixels[relative] = read_rgb(suite.image_path(relative))
        return pixels[relative]

    def encode(*relatives: str) -> _Encoded:
        if relatives not in encoded:
            arrays = [read(relative) for relative in relatives]
            encoded[relatives] = _encode(arrays[0] if len(arrays) == 1 else side_by_side(*arrays))
        return encoded[relatives]

    asked = _AskedLikeTheVLMRunner(suite, seed, layouts, frames=first_frame is not None)

    def frame(item: SuiteItem, layout: Side) -> _Encoded:
        if first_frame is None:
            raise ValueError("a frame export needs first_frame")
        return _encode(first_frame(asked.tasks[(item.id, layout)]))

    seen: set[int] = set()
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter="\t", lineterminator="\n")
        writer.writerow([*COLUMNS, *(["g_index"] if circular else []), *OWN_COLUMNS])
        for item in suite.items:
            pixels.clear()  # an item's images are shared by its layouts only
            encoded.clear()
            a_is_left, question = asked.a_is_left(item), asked.question(item)
            for layout in layouts:
                left, right = (
                    item.option_for(Side.LEFT, layout),
                    item.option_for(Side.RIGHT, layout),
                )
                if images is ImageLayout.TWO_IMAGES:
                    shown = [encode(left), encode(right)]
                    image_cell, path_cell = (
                        str([image.base64 for image in shown]),  # toliststr() evals this list
                        str([image.name for image in shown]),
                    )
                else:
                    canvas = (
                        encode(left, right)
                        if images is ImageLayout.SIDE_BY_SIDE
                        else frame(item, layout)
                    )
                    image_cell, path_cell = canvas.base64, canvas.name
                group = row_index(suite.content_hash, images, circular, seed, item.id, layout)
                for copy in (0, 1) if circular else (0,):
                    index = group + copy * CIRCULAR_OFFSET
                    if index in seen:  # 2**-48 odds; never silently overwrite a row
                        raise Act2AnswerError(f"index collision at item {item.id!r}; use --seed")
                    seen.add(index)
                    a_names_left = a_is_left != bool(copy)
                    names = OPTION_TEXT[images]
                    by_letter = {
                        "A": names[Side.LEFT if a_names_left else Side.RIGHT],
                        "B": names[Side.RIGHT if a_names_left else Side.LEFT],
                    }
                    correct = "A" if (layout is Side.LEFT) == a_names_left else "B"
                    writer.writerow(
                        [
                            index,
                            image_cell,
                            path_cell,
                            question,
                            _HINTS[images],
                            by_letter["A"],
                            by_letter["B"],
                            correct,
                            item.category,
                            item.id,
                            *([group] if circular else []),
                            _quoted(item.id),
                            layout.value,
                            copy,
                            suite.name,
                            f"sha256:{suite.content_hash}",
                            images.value,
                            seed,
                            name,
                        ]
                    )
    return out


def _quoted(text: str) -> str:
    """A JSON string literal: survives pandas' type guessing (``"007"`` stays a string)."""
    return json.dumps(text, ensure_ascii=False)


def run_command(name: str, model: str = "MODEL") -> str:
    """The VLMEvalKit command that evaluates an exported dataset without a judge API."""
    return f"python run.py --data {name} --model {model} --judge exact_matching"
