"""VLMEvalKit export and prediction import, read through VLMEvalKit's own logic.

``tests/helpers/vlmevalkit_reference.py`` reimplements VLMEvalKit's loading, image
caching, prompt, one-image and circular-pairing code at commit ``e8e78f05``
(the package installs from PyPI only partly); every export here goes through it.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image
from typer.testing import CliRunner

from act2answer.cli.main import app
from act2answer.interfaces import Side
from act2answer.interop import (
    VLMEVALKIT_COMMIT,
    ImageLayout,
    PredictionFileError,
    dataset_name,
    export_vlmevalkit,
    read_vlmevalkit_predictions,
)
from act2answer.interop.vlmevalkit import (
    CIRCULAR_OFFSET,
    SIDE_BY_SIDE_GAP,
    ExportNameError,
    check_dataset_name,
)
from act2answer.interop.vlmevalkit_predictions import PredictionRow, exact_match_letter
from act2answer.suite import Suite, SuiteItem, load_suite, read_rgb, save_suite
from act2answer.vlm import letter_binding
from tests.helpers import source_fixtures as fx
from tests.helpers import vlmevalkit_reference as vk


def test_reference_follows_the_named_commit() -> None:
    assert VLMEVALKIT_COMMIT.startswith("e8e78f05")
    assert "e8e78f05f3080fe28154f2130321f17951c3be94" in (vk.__doc__ or "")


def write_suite(root: Path, *, n: int, image_seed: int, name: str, flip: bool = False) -> Suite:
    """``n`` items of distinct, differently sized images; ``flip`` swaps every answer."""
    (root / "img").mkdir(parents=True)
    items = []
    for index in range(n):
        for side in range(2):
            size = (48 + 8 * index, 40 + 16 * side)
            fx.tiny_image(image_seed + 2 * index + side).resize(size).save(
                root / "img" / f"{index}_{side}.png"
            )
        items.append(
            SuiteItem(
                id=f"{index:03d}",  # pandas would read 007 as the number 7
                category=["Color", "Time"][index % 2],
                source="test",
                question=f'Which one is "number {index}"?' if index else "",
                instruction=f"put the cube on the thing number {index}",
                options=(f"img/{index}_0.png", f"img/{index}_1.png"),
                answer=(index + flip) % 2,
            )
        )
    save_suite(root, items, name=name)
    return load_suite(root)


def expected_pixels(suite: Suite, item_id: str, layout: Side) -> tuple[np.ndarray, np.ndarray]:
    item = suite.item(item_id)
    return tuple(  # type: ignore[return-value]
        read_rgb(suite.image_path(item.option_for(side, layout))) for side in Side
    )


def row_item(row: pd.Series) -> tuple[str, Side]:
    return json.loads(row["a2a_item"]), Side(row["a2a_layout"])


def load(path: Path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGB"))


def correct_letter(suite: Suite, item_id: str, layout: Side, copy: int = 0) -> str:
    a_is_left = letter_binding(suite.name, item_id, 0).a_is_left != bool(copy)
    return "A" if (layout is Side.LEFT) == a_is_left else "B"


def assert_rows_are_their_own(dataset: vk.CustomMCQDataset, suites: dict[str, Suite]) -> int:
    """Every row shows its own item's images, in layout order, and asks its own answer."""
    for position in range(len(dataset)):
        row = dataset.data.iloc[position]
        suite = suites[row["a2a_suite_hash"].removeprefix("sha256:")]
        item_id, layout = row_item(row)
        message = dataset.build_prompt(position)
        shown = [load(Path(m["value"])) for m in message if m["type"] == "image"]
        left, right = expected_pixels(suite, item_id, layout)
        assert len(shown) == 2
        assert np.array_equal(shown[0], left) and np.array_equal(shown[1], right), item_id
        assert row["answer"] == correct_letter(suite, item_id, layout)
        assert row[row["answer"]] == ("left image" if layout is Side.LEFT else "right image")
    return len(dataset)


def test_two_image_rows_load_as_custom_mcq_with_their_images_and_prompt(tmp_path: Path) -> None:
    suite = write_suite(tmp_path / "suite", n=5, image_seed=0, name="knowledge-v1")
    path = export_vlmevalkit(suite.root, tmp_path / "LMUData")
    assert path == tmp_path / "LMUData" / "act2answer_knowledge-v1.tsv"
    dataset = vk.build_dataset(path.stem, tmp_path / "LMUData")
    assert assert_rows_are_their_own(dataset, {suite.content_hash: suite}) == 10  # 5 x 2 layouts
    assert all(isinstance(index, int) for index in dataset.data["index"])
    for _, row in dataset.data.iterrows():  # cache names are the images' content hashes
        for encoded, name in zip(row["image"], row["image_path"], strict=True):
            assert name == f"a2a-{hashlib.sha256(base64.b64decode(encoded)).hexdigest()}.png"
    assert dataset.data["index"].is_unique and int(dataset.data["index"].max()) < 2**53
    keys = [row_item(row) for _, row in dataset.data.iterrows()]
    assert sorted(keys) == sorted((f"{i:03d}", side) for i in range(5) for side in Side)
    text = dataset.build_prompt(1)[-1]["value"]  # item 000, correct image on the right
    item = suite.item("000")
    assert text.startswith("Hint: Two images are shown: the first is the left image")
    assert f'Which picture fits the instruction "{item.instruction}"?' in text  # no question
    assert "Options:\nA. " in text and "\nB. " in text
    first = dataset.build_prompt(2)[-1]["value"]
    assert 'Question: Which one is "number 1"?' in first  # quotes survive the TSV
    # The two layouts of an item move the correct letter and the correct side once each.
    for item_id in {key[0] for key in keys}:
        letters = {correct_letter(suite, item_id, side) for side in Side}
        assert letters == {"A", "B"}
    assert set(dataset.data["answer"]) == {"A", "B"}


def test_reexport_under_the_same_name_serves_the_new_images(tmp_path: Path) -> None:
    """VLMEvalKit caches decoded images in $LMUData/images/NAME; names are content hashes."""
    lmu = tmp_path / "LMUData"
    first = write_suite(tmp_path / "s1", n=4, image_seed=0, name="same-v1")
    second = write_suite(tmp_path / "s2", n=4, image_seed=500, name="same-v1", flip=True)
    export_vlmevalkit(first.root, lmu / "act2answer_same.tsv")
    old = vk.build_dataset("act2answer_same", lmu)
    assert_rows_are_their_own(old, {first.content_hash: first})  # fills the image cache
    export_vlmevalkit(second.root, lmu / "act2answer_same.tsv")
    new = vk.build_dataset("act2answer_same", lmu)
    assert assert_rows_are_their_own(new, {second.content_hash: second}) == 8


def test_joined_exports_keep_every_rows_images_and_answers(tmp_path: Path) -> None:
    """Two exports pasted into one file: VLMEvalKit keeps the last row of a repeated index."""
    lmu = tmp_path / "LMUData"
    suites = [
        write_suite(tmp_path / "s1", n=4, image_seed=0, name="part-a-v1"),
        write_suite(tmp_path / "s2", n=3, image_seed=500, name="part-b-v1", flip=True),
    ]
    parts = [export_vlmevalkit(suite.root, tmp_path / "exports") for suite in suites]
    lines = [path.read_text().splitlines(keepends=True) for path in parts]
    lmu.mkdir()
    (lmu / "act2answer_joined.tsv").write_text("".join([*lines[0], *lines[1][1:]]))
    dataset = vk.build_dataset("act2answer_joined", lmu)
    by_hash = {suite.content_hash: suite for suite in suites}
    assert assert_rows_are_their_own(dataset, by_hash) == 14


def oracle_for(*suites: Suite) -> Callable[[str, list[np.ndarray]], str]:
    """A model that truly looks: finds the correct picture among the images it gets.

    It sees what a message holds: two images, or one canvas it splits at the
    white gap; it reads the option letters from the prompt's ``Options`` lines.
    """
    correct = [
        read_rgb(suite.image_path(item.options[item.answer]))
        for suite in suites
        for item in suite.items
    ]

    def is_correct(pixels: np.ndarray) -> bool:
        return any(c.shape == pixels.shape and np.array_equal(c, pixels) for c in correct)

    def answer(prompt: str, images: list[np.ndarray]) -> str:
        if len(images) == 1:
            images = split_canvas(images[0])
        side = "left" if is_correct(images[0]) else "right" if is_correct(images[1]) else None
        if side is None:
            return "I cannot tell."
        for line in prompt.splitlines():
            if line[:3] in ("A. ", "B. ") and line[3:].startswith(side):
                return line[0]
        raise AssertionError(prompt)

    return answer


def split_canvas(canvas: np.ndarray) -> list[np.ndarray]:
    """Cut a side-by-side canvas at its white gap and trim each picture's white margin."""
    white_columns = np.flatnonzero((canvas == 255).all(axis=(0, 2)))
    for start in white_columns:
        if set(range(start, start + SIDE_BY_SIDE_GAP)) <= set(white_columns.tolist()):
            halves = [canvas[:, :start], canvas[:, start + SIDE_BY_SIDE_GAP :]]
            break
    else:
        raise AssertionError("no gap")
    trimmed = []
    for half in halves:
        rows = np.flatnonzero(~(half == 255).all(axis=(1, 2)))
        trimmed.append(half[rows.min() : rows.max() + 1])
    return trimmed


def test_one_image_model_gets_both_options_side_by_side(tmp_path: Path) -> None:
    lmu = tmp_path / "LMUData"
    suite = write_suite(tmp_path / "suite", n=4, image_seed=0, name="single-v1")
    two = export_vlmevalkit(suite.root, lmu)
    one = export_vlmevalkit(suite.root, lmu, images="side-by-side")
    assert one.stem == "act2answer_single-v1_sidebyside" and one.stem != two.stem
    oracle = oracle_for(suite)

    def one_image_model(name: str) -> Callable[[vk.Message], str]:
        def model(message: vk.Message) -> str:
            prompt, image = vk.one_image_message(message, name)
            return oracle(prompt, [load(Path(image))]) if image else "?"

        return model

    # Two images per row: a one-image model sees the left image only.
    dataset = vk.build_dataset(two.stem, lmu)
    for position in range(len(dataset)):
        shown = vk.one_image_message(dataset.build_prompt(position), two.stem)[1]
        left, _ = expected_pixels(suite, *row_item(dataset.data.iloc[position]))
        assert np.array_equal(load(Path(shown)), left)  # the right option never reaches it
    # Side by side: the one image holds both options, exactly, in layout order.
    dataset = vk.build_dataset(one.stem, lmu)
    for position in range(len(dataset)):
        row = dataset.data.iloc[position]
        message = dataset.build_prompt(position)
        assert sum(m["type"] == "image" for m in message) == 1
        canvas = load(Path(vk.one_image_message(message, one.stem)[1]))
        left, right = expected_pixels(suite, *row_item(row))
        assert canvas.shape == (
            max(left.shape[0], right.shape[0]),
            left.shape[1] + SIDE_BY_SIDE_GAP + right.shape[1],
            3,
        )
        pieces = split_canvas(canvas)
        assert np.array_equal(pieces[0], left) and np.array_equal(pieces[1], right)
        assert {row["A"], row["B"]} == {"left", "right"}
    predictions = vk.run_inference(dataset, one_image_model(one.stem), tmp_path / "out", "M")
    imported = read_vlmevalkit_predictions(predictions)
    assert imported.images is ImageLayout.SIDE_BY_SIDE and imported.label == "M"
    assert len(imported.trials()) == 8 and all(t.correct for t in imported.trials())


def test_circular_rows_pair_up_and_separate_letter_bias(tmp_path: Path) -> None:
    lmu = tmp_path / "LMUData"
    suite = write_suite(tmp_path / "suite", n=5, image_seed=0, name="circ-v1")
    path = export_vlmevalkit(suite.root, lmu, circular=True)
    assert path.stem == "act2answer_circ-v1_circular" and vk.is_circular(path.stem)
    assert not vk.is_circular(export_vlmevalkit(suite.root, lmu).stem)
    dataset = vk.build_dataset(path.stem, lmu)
    assert len(dataset) == 20
    always_a = vk.run_inference(dataset, lambda message: "A", tmp_path / "out", "AlwaysA")
    groups = vk.circular_groups(vk.load_predictions(always_a))
    assert len(groups) == 10
    for g_index, group in groups.items():
        assert sorted(group["index"]) == [g_index, g_index + CIRCULAR_OFFSET]
        main, swapped = group.sort_values("index").to_dict("records")
        for column in ("question", "image_path", "a2a_item", "a2a_layout", "category"):
            assert main[column] == swapped[column]
        assert (main["A"], main["B"]) == (swapped["B"], swapped["A"])
        assert {main["answer"], swapped["answer"]} == {"A", "B"}
        assert main[main["answer"]] == swapped[swapped["answer"]]  # same correct picture
    imported = read_vlmevalkit_predictions(always_a)
    assert imported.circular and imported.a_choice_rate == 1.0
    assert sum(row.correct for row in imported.rows) == 10  # vanilla: exactly half
    assert not any(trial.correct for trial in imported.trials())  # circular: none
    oracle = oracle_for(suite)

    def two_image_oracle(message: vk.Message) -> str:
        images = [load(Path(m["value"])) for m in message if m["type"] == "image"]
        return f"The answer is {oracle(message[-1]['value'], images)}."

    right = vk.run_inference(dataset, two_image_oracle, tmp_path / "out", "Oracle")
    assert all(trial.correct for trial in read_vlmevalkit_predictions(right).trials())


@pytest.mark.parametrize("pred_format", ["xlsx", "tsv", "json"])
def test_prediction_formats_import_alike(tmp_path: Path, pred_format: str) -> None:
    lmu = tmp_path / "LMUData"
    suite = write_suite(tmp_path / "suite", n=4, image_seed=0, name="fmt-v1")
    dataset = vk.build_dataset(export_vlmevalkit(suite.root, lmu).stem, lmu)
    answers = iter(["A", "B", "The answer is B", "left image", "I don't know", "A B"] * 2)
    path = vk.run_inference(dataset, lambda m: next(answers), tmp_path, "Qwen_2", pred_format)
    imported = read_vlmevalkit_predictions(path)
    assert imported.label == "Qwen_2" and imported.suite_hash == suite.content_hash
    assert [row.item_id for row in imported.rows][:2] == ["000", "000"]  # not the number 0
    assert [row.chosen_letter for row in imported.rows][:6] == [
        "A", "B", "B", row_letter_of_text(imported.rows[3], dataset), None, None,
    ]  # fmt: skip
    assert imported.unanswered == 2  # 8 rows: the six answers, then "A", "B" again


def row_letter_of_text(row: PredictionRow, dataset: vk.CustomMCQDataset) -> str:
    line = dataset.data[dataset.data["index"] == row.index].iloc[0]
    return "A" if line["A"] == "left image" else "B"


def test_predictions_line_up_with_a_vla_run(
    tmp_path: Path, make_suite: Callable[..., Suite]
) -> None:
    """A VLMEvalKit model that always names the left picture matches the always-left policy."""
    from act2answer.runner import run_evaluation

    suite = make_suite(n=4)
    run_evaluation(suite.root, "left", tmp_path / "vla", workers=1)
    lmu = tmp_path / "LMUData"
    dataset = vk.build_dataset(export_vlmevalkit(suite.root, lmu).stem, lmu)

    def names_left(message: vk.Message) -> str:
        lines = message[-1]["value"].splitlines()
        return next(line[0] for line in lines if line[1:] == ". left image")

    predictions = vk.run_inference(dataset, names_left, tmp_path / "work" / "LeftVLM", "LeftVLM")
    result = CliRunner().invoke(
        app, ["compare", str(tmp_path / "vla"), str(predictions), "--out", str(tmp_path / "cmp")]
    )
    assert result.exit_code == 0, result.output
    assert "8 VLMEvalKit predictions" in result.output
    data = json.loads((tmp_path / "cmp" / "compare.json").read_text())
    assert [run["kind"] for run in data["runs"]] == ["vla", "vlmevalkit"]
    assert data["runs"][1]["label"] == "LeftVLM" and data["runs"][1]["trials"] == 8
    comparison = data["comparisons"][0]
    assert comparison["same_suite"] is True
    assert comparison["only_baseline"] == [] and comparison["only_other"] == []
    overall = comparison["rows"][-1]
    assert (overall["both_right"], overall["both_wrong"]) == (4, 4)  # item by item, alike
    assert overall["only_baseline"] == overall["only_other"] == 0


def test_bad_prediction_files_are_named(tmp_path: Path) -> None:
    lmu = tmp_path / "LMUData"
    suites = [
        write_suite(tmp_path / "s1", n=3, image_seed=0, name="bad-v1"),
        write_suite(tmp_path / "s2", n=3, image_seed=500, name="bad-v2"),
    ]
    name = export_vlmevalkit(suites[0].root, lmu, circular=True).stem
    good = vk.run_inference(vk.build_dataset(name, lmu), lambda m: "A", tmp_path, "M")
    frame = vk.load_predictions(good)

    def write(df: pd.DataFrame, file: str) -> Path:
        path = tmp_path / file
        df.to_csv(path, sep="\t", index=False) if file.endswith(".tsv") else df.to_excel(path)
        return path

    cases = {
        "no 'prediction' column: this looks like VLMEvalKit's score file": write(
            pd.DataFrame({"split": ["none"], "Overall": [0.5]}), "M_acc.tsv"
        ),
        "lacks its swapped copy": write(frame[frame["index"] == frame["g_index"]], "r.tsv"),
        "missing columns ['a2a_item'": write(frame.drop(columns=["a2a_item"]), "old.tsv"),
        "appears 2 times": write(pd.concat([frame, frame.iloc[:1]]), "dup.tsv"),
        "not a JSON string": write(frame.assign(a2a_item="x"), "edited.tsv"),
        "row 3: answer 'C' is not A or B": write(
            frame.assign(answer=["A", "C", *frame["answer"][2:]]), "c.tsv"
        ),
    }
    second = export_vlmevalkit(suites[1].root, lmu, circular=True).stem
    other = vk.load_predictions(
        vk.run_inference(vk.build_dataset(second, lmu), lambda m: "A", tmp_path, "M")
    )
    cases["rows of 2 suites"] = write(pd.concat([frame, other]), "joined.tsv")
    (tmp_path / "fake.xlsx").write_text("not a zip")
    cases["not an .xlsx workbook"] = tmp_path / "fake.xlsx"
    (tmp_path / "p.pkl").write_bytes(b"\x80")
    cases["pickle files are not read"] = tmp_path / "p.pkl"
    for message, path in cases.items():
        with pytest.raises(PredictionFileError, match=_escape(message)):
            read_vlmevalkit_predictions(path)
    result = CliRunner().invoke(app, ["compare", str(good), str(cases["lacks its swapped copy"])])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "lacks its swapped copy" in result.output


def _escape(text: str) -> str:
    import re

    return re.escape(text)


@pytest.mark.parametrize(
    ("prediction", "expected"),
    [
        ("B", "B"),
        ("(A) left image", "A"),
        ("The correct answer is **B**. Here's why: the right one.", "B"),
        ("I think it is the left image", "A"),  # one option text inside the answer
        ("A or B", None),
        ("Cannot determine the answer", None),  # VLMEvalKit's refusal letter Z
        ("B is the one, because the left picture shows a cat sitting on a mat", None),
        ("nan", None),
    ],
)
def test_exact_matching_reads_letters_as_vlmevalkit_does(
    prediction: str, expected: str | None
) -> None:
    assert exact_match_letter(prediction, {"A": "left image", "B": "right image"}) == expected


def test_dataset_names_say_the_variant_and_never_switch_evaluation(tmp_path: Path) -> None:
    assert dataset_name("MMBench celebs v2") == "act2answer_mm-bench-celebs-v2"
    assert dataset_name("x", "side-by-side", True) == "act2answer_x_sidebyside_circular"
    check_dataset_name("act2answer_x_sidebyside_circular", ImageLayout.SIDE_BY_SIDE, True)
    for suite_name in ("frame-study_v1", "Sidebyside MMBench circular", "OpenEnded LEGO"):
        for images in ImageLayout:
            for circular in (False, True):
                check_dataset_name(dataset_name(suite_name, images, circular), images, circular)
    refused = {
        "MMBench_mine": (ImageLayout.TWO_IMAGES, False),
        "mine": (ImageLayout.TWO_IMAGES, True),
        "mine_circular": (ImageLayout.SIDE_BY_SIDE, True),
        "mine_sidebyside": (ImageLayout.TWO_IMAGES, False),
        "mine_frame": (ImageLayout.SIDE_BY_SIDE, False),
        "mine_sidebyside_x": (ImageLayout.FRAME, False),
        "mine_frames": (ImageLayout.FRAME, False),
        "LEGO_mine": (ImageLayout.TWO_IMAGES, False),
        "my name": (ImageLayout.TWO_IMAGES, False),
        "mine.v1": (ImageLayout.TWO_IMAGES, False),
    }
    for name, (images, circular) in refused.items():
        with pytest.raises(ExportNameError):
            check_dataset_name(name, images, circular)
    suite = write_suite(tmp_path / "suite", n=2, image_seed=0, name="cli-v1")
    result = CliRunner().invoke(
        app,
        ["export", str(suite.root), "--format", "vlmevalkit", "--out", str(tmp_path / "lmu"),
         "--images", "side-by-side", "--circular"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "act2answer_cli-v1_sidebyside_circular" in result.output
    assert "--judge exact_matching" in result.output
    refused_cli = CliRunner().invoke(
        app,
        ["export", str(suite.root), "--format", "vlmevalkit", "--out",
         str(tmp_path / "MMBench_x.tsv")],
    )  # fmt: skip
    assert refused_cli.exit_code == 1 and "circularly" in refused_cli.output


def test_frame_variant_is_the_vla_episodes_first_frame(
    tmp_path: Path, make_suite: Callable[..., Suite]
) -> None:
    from act2answer.eval.tasks import make_tasks
    from act2answer.runner._vlm import FrameSource
    from act2answer.sim import SimConfig

    suite = make_suite(n=2)
    lmu = tmp_path / "LMUData"
    with pytest.raises(ValueError, match="first_frame"):
        export_vlmevalkit(suite.root, lmu, images="frame")
    result = CliRunner().invoke(
        app,
        ["export", str(suite.root), "--format", "vlmevalkit", "--out", str(lmu),
         "--images", "frame", "--seed", "3"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    dataset = vk.build_dataset("act2answer_test-suite-v1_frame", lmu)
    tasks = {(t.item_id, t.answer_side): t for t in make_tasks(suite, base_seed=3)}
    source = FrameSource(SimConfig())
    try:
        for position in range(len(dataset)):
            row = dataset.data.iloc[position]
            message = dataset.build_prompt(position)
            assert sum(m["type"] == "image" for m in message) == 1
            frame = load(Path(message[0]["value"]))
            task = tasks[row_item(row)]
            assert np.array_equal(frame, source.frame(task))  # what `vlm --input frame` sees
            # The left tile's colour lies in the left half of the frame, and the right's right.
            half = frame.shape[1] // 2
            for side, columns in ((Side.LEFT, slice(0, half)), (Side.RIGHT, slice(half, None))):
                image = read_rgb(Path(task.left_image if side is Side.LEFT else task.right_image))
                colours, counts = np.unique(image.reshape(-1, 3), axis=0, return_counts=True)
                not_white = (colours != 255).any(axis=1)
                colour = colours[not_white][counts[not_white].argmax()]  # the patch's colour
                near = (np.abs(frame.astype(int) - colour).sum(axis=-1) < 60).sum(axis=0)
                assert near[columns].sum() > near.sum() - near[columns].sum(), side
            assert row[row["answer"]] == row_item(row)[1].value  # "left" / "right"
    finally:
        source.close()
