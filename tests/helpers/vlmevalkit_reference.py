"""VLMEvalKit's loading, prompt, inference-file and circular-pairing logic, for tests.

Reimplemented (nothing vendored) from open-compass/VLMEvalKit at commit
``e8e78f05f3080fe28154f2130321f17951c3be94`` (the one
:data:`act2answer.interop.VLMEVALKIT_COMMIT` names), step by step:

* ``vlmeval/dataset/__init__.py`` ``build_dataset``: an unknown NAME is read
  from ``$LMUData/NAME.tsv``; with a ``question`` column, ``A`` and ``B`` and
  ``image``/``image_path`` it becomes a ``CustomMCQDataset``.
* ``vlmeval/smp/file.py`` ``load``: ``pd.read_csv(path, sep='\\t')``.
* ``vlmeval/dataset/image_base.py`` ``ImageBaseDataset.__init__``: drop rows
  without image, ``index`` to str, image map by index (a short ``image`` cell
  names another row), ``toliststr`` on ``image`` and ``image_path`` (one
  element lists unwrapped), ``index`` back to int when all are ints.
* ``image_base.py`` ``dump_image``: decode to ``$LMUData/images/NAME/``,
  named by ``image_path`` (else ``{index}_{i}.png`` / ``{index}.png``), and
  reuse a file that is already there and opens (``read_ok``).
* ``vlmeval/dataset/image_mcq.py`` ``ImageMCQDataset.build_prompt``.
* ``vlmeval/vlm/base.py`` ``BaseModel.message_to_promptimg``: a model without
  interleaved input gets the first image only (``BLINK`` excepted).
* ``vlmeval/inference.py`` ``infer_data_job`` and ``smp/file.py`` ``dump``: the
  prediction file is the dataset's table without ``image`` plus ``prediction``,
  ``<MODEL>_<NAME>.xlsx`` by default (xlsxwriter), ``.tsv`` (all quoted) or
  ``.json`` (records) with ``PRED_FORMAT``.
* ``vlmeval/dataset/utils/multiple_choice.py`` ``mcq_circular_eval``: circular
  when the name contains ``mmbench``/``ccbench``/``circular``/``mmcr``; groups
  by ``g_index`` (default ``index % 1e6``); the main row has ``index == g_index``.
"""

from __future__ import annotations

import ast
import base64
import csv
import io
import json
import string
from collections.abc import Callable
from pathlib import Path

import pandas as pd
from PIL import Image

Message = list[dict[str, str]]


def toliststr(value: object) -> list[str]:
    """``smp/misc.py`` ``toliststr`` (VLMEvalKit ``eval``s the list; literal_eval here)."""
    if isinstance(value, str) and len(value) > 1 and value[0] == "[" and value[-1] == "]":
        return [str(x) for x in ast.literal_eval(value)]
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [str(x) for x in value]
    raise NotImplementedError(type(value))


def _is_int(value: object) -> bool:
    """``smp/misc.py`` ``istype(x, int)`` on the str indices it is given."""
    if isinstance(value, int):
        return True
    try:
        return isinstance(ast.literal_eval(str(value)), int)
    except (ValueError, SyntaxError):
        return False


def read_ok(path: Path) -> bool:
    if not path.exists():
        return False
    try:
        with Image.open(path) as image:
            return image.size[0] > 0 and image.size[1] > 0
    except Exception:
        return False


class CustomMCQDataset:
    """What ``build_dataset(NAME)`` returns for an act2answer export."""

    def __init__(self, name: str, lmu_root: Path) -> None:
        self.dataset_name = name
        self.img_root = lmu_root / "images" / name  # img_root_map(NAME) == NAME for our names
        data = pd.read_csv(lmu_root / f"{name}.tsv", sep="\t")
        data = data[~pd.isna(data["image"])]
        data["index"] = [str(x) for x in data["index"]]
        data["image"] = [str(x) if not pd.isna(x) else "" for x in data["image"]]
        image_map = dict(zip(data["index"], data["image"], strict=True))
        for key in image_map:
            if 0 < len(image_map[key]) <= 64:
                target = image_map[key]
                assert target in image_map and len(image_map[target]) > 64
                image_map[key] = image_map[target]
        images = [toliststr(image_map[key]) for key in data["index"]]
        data["image"] = [x[0] if len(x) == 1 else x for x in images]
        if "image_path" in data:
            paths = [toliststr(x) for x in data["image_path"]]
            data["image_path"] = [x[0] if len(x) == 1 else x for x in paths]
        if all(_is_int(x) for x in data["index"]):
            data["index"] = [int(x) for x in data["index"]]
        self.data = data

    def __len__(self) -> int:
        return len(self.data)

    def dump_image(self, line: pd.Series) -> list[str]:
        self.img_root.mkdir(parents=True, exist_ok=True)
        if isinstance(line["image"], list):
            names = (
                line["image_path"]
                if "image_path" in line
                else [f"{line['index']}_{i}.png" for i in range(len(line["image"]))]
            )
            paths = []
            for encoded, name in zip(line["image"], names, strict=False):
                path = self.img_root / name
                if not read_ok(path):
                    _decode_to_file(encoded, path)
                paths.append(str(path))
            return paths
        if "image_path" in line:
            assert isinstance(line["image_path"], str)
            path = self.img_root / line["image_path"]
        else:
            path = self.img_root / f"{line['index']}.png"
        if not read_ok(path):
            _decode_to_file(line["image"], path)
        return [str(path)]

    def build_prompt(self, line: int | pd.Series) -> Message:
        if isinstance(line, int):
            line = self.data.iloc[line]
        paths = self.dump_image(line)
        options = {
            letter: line[letter]
            for letter in string.ascii_uppercase
            if letter in line and not pd.isna(line[letter])
        }
        options_prompt = "Options:\n" + "".join(f"{k}. {v}\n" for k, v in options.items())
        hint = line["hint"] if ("hint" in line and not pd.isna(line["hint"])) else None
        prompt = f"Hint: {hint}\n" if hint is not None else ""
        prompt += f"Question: {line['question']}\n"
        if options:
            prompt += options_prompt + "Please select the correct answer from the options above. \n"
        return [*({"type": "image", "value": p} for p in paths), {"type": "text", "value": prompt}]


def _decode_to_file(encoded: str, path: Path) -> None:
    """``smp/vlm.py`` ``decode_base64_to_image_file`` (RGBA/P/LA to RGB, saved by extension)."""
    image = Image.open(io.BytesIO(base64.b64decode(encoded)))
    if image.mode in ("RGBA", "P", "LA"):
        image = image.convert("RGB")
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path)


def build_dataset(name: str, lmu_root: Path) -> CustomMCQDataset:
    """``build_dataset`` for a name VLMEvalKit does not know (asserts the custom-MCQ branch)."""
    data = pd.read_csv(lmu_root / f"{name}.tsv", sep="\t")
    assert "question" in [column.lower() for column in data.columns]
    assert "A" in data and "B" in data and ("image" in data or "image_path" in data)
    return CustomMCQDataset(name, lmu_root)


def one_image_message(message: Message, dataset: str) -> tuple[str, str | None]:
    """``BaseModel.message_to_promptimg``: joined texts and the first image only."""
    prompt = "\n".join(m["value"] for m in message if m["type"] == "text")
    images = [m["value"] for m in message if m["type"] == "image"]
    assert dataset != "BLINK"
    return prompt, images[0] if images else None


def run_inference(
    dataset: CustomMCQDataset,
    model: Callable[[Message], str],
    work_dir: Path,
    model_name: str,
    pred_format: str = "xlsx",
) -> Path:
    """Ask every row and write the prediction file as ``infer_data_job`` and ``dump`` do."""
    data = dataset.data.copy()
    data["prediction"] = [str(model(dataset.build_prompt(i))) for i in range(len(data))]
    data.pop("image")
    work_dir.mkdir(parents=True, exist_ok=True)
    path = work_dir / f"{model_name}_{dataset.dataset_name}.{pred_format}"
    if pred_format == "xlsx":
        with pd.ExcelWriter(
            path, engine="xlsxwriter", engine_kwargs={"options": {"strings_to_formulas": False}}
        ) as writer:
            data.to_excel(writer, index=False)
    elif pred_format == "tsv":
        data.to_csv(path, sep="\t", index=False, encoding="utf-8", quoting=csv.QUOTE_ALL)
    elif pred_format == "json":
        path.write_text(json.dumps(data.to_dict("records"), ensure_ascii=False, default=str))
    else:
        raise ValueError(pred_format)
    return path


def is_circular(name: str) -> bool:
    """``evaluate_heuristic``: which names are evaluated circularly."""
    return any(word in name.lower() for word in ("mmbench", "ccbench", "circular", "mmcr"))


def circular_groups(predictions: pd.DataFrame) -> dict[int, pd.DataFrame]:
    """``mcq_circular_eval``'s groups: main row ``index == g_index``, its copies share g_index."""
    data = predictions.copy()
    data["index"] = [int(x) for x in data["index"]]
    if "g_index" not in data:
        data["g_index"] = [int(x % 1e6) for x in data["index"]]
    main = data[data["index"] == data["g_index"]]
    return {int(i): data[data["g_index"] == i] for i in main["index"]}


def load_predictions(path: Path) -> pd.DataFrame:
    """``smp/file.py`` ``load`` of a prediction file."""
    if path.suffix == ".xlsx":
        return pd.read_excel(path)
    if path.suffix == ".tsv":
        return pd.read_csv(path, sep="\t")
    return pd.DataFrame(json.loads(path.read_text()))
