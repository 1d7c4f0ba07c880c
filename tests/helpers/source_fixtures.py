"""Small fixture datasets in each source's published format (tiny distinct images).

Each writer returns the dataset folder and documents exactly which records
must be kept or dropped, so tests can assert the curation report counts.
"""

from __future__ import annotations

import base64
import io
import json
import struct
import zlib
from pathlib import Path

import numpy as np
from PIL import Image

SHARED = Path(__file__).resolve().parents[3] / "shared"
TILE_GLB = SHARED / "reference" / "asset-template" / "tile.glb"
COLLISION_OBJ = SHARED / "reference" / "asset-template" / "collision.obj"


def tiny_image(seed: int, size: int = 64) -> Image.Image:
    """A distinct image: 8x8 random colour blocks scaled up (no two seeds alike)."""
    rng = np.random.default_rng(seed)
    blocks = rng.integers(0, 256, size=(8, 8, 3), dtype=np.uint8)
    return Image.fromarray(blocks).resize((size, size), Image.Resampling.NEAREST)


def save_image(path: Path, seed: int, size: int = 64) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    tiny_image(seed, size).save(path)
    return path.name


def png_bytes(seed: int, size: int = 64) -> bytes:
    buffer = io.BytesIO()
    tiny_image(seed, size).save(buffer, format="PNG")
    return buffer.getvalue()


def truncated_png(path: Path, seed: int = 999) -> None:
    data = png_bytes(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data[: len(data) // 2])


def huge_header_png(path: Path) -> None:
    """A valid PNG whose header claims 20000x20000 pixels (decompression-bomb guard)."""
    data = bytearray(png_bytes(1))
    ihdr = bytearray(data[16:29])
    ihdr[0:8] = struct.pack(">II", 20000, 20000)
    data[16:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + bytes(ihdr)) & 0xFFFFFFFF)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(bytes(data))


# --- MLLM-CompBench --------------------------------------------------------------------------
def write_compbench(root: Path) -> Path:
    """15 records: 11 kept (4 Attribute, 4 State, 3 Emotion), 4 dropped for 4 reasons.

    Dropped: 1 not in the study (spatial.json), 1 ambiguous answer ("Both"),
    1 path outside the folder, 1 unreadable image (truncated).
    Plus 1 "no template" (its question names left/right only).
    """
    root.mkdir(parents=True, exist_ok=True)
    seed = iter(range(1000))

    def pair(folder: str, question: str, answer: str, **extra: object) -> dict[str, object]:
        a = f"{folder}/{next(seed)}.png"
        b = f"{folder}/{next(seed)}.png"
        save_image(root / a, int(a.split("/")[1][:-4]))
        save_image(root / b, int(b.split("/")[1][:-4]))
        return {"image_1": a, "image_2": b, "question": question, "answer": answer, **extra}

    cub = [
        pair("cub", "Which bird has a longer beak?", "Left", type="Size"),
        pair("cub", "Which bird is more colorful?", "Right", type="Color"),
        pair("cub", "Which bird has a more striped pattern?", "Left", type="Pattern"),
        pair("cub", "Which bird is bigger, left or right?", "Right", type="Size"),
        pair("cub", "Which bird is smaller?", "Both", type="Size"),  # ambiguous
    ]
    states = [
        pair("states", "Which apple is more sliced?", "Left"),
        pair("states", "Which bread looks more toasted?", "Right"),
        pair("states", "Which glass is more broken?", "Left"),
        pair("states", "Which paper is more crumpled?", "Right"),
    ]
    outside = pair("states", "Which door is more open?", "Left")
    outside["image_2"] = "../../etc/passwd.png"
    states.append(outside)
    fer = [
        pair("fer", "Which person looks happier?", "Left"),
        pair("fer", "Which face looks more surprised?", "Right"),
        pair("fer", "Which person seems angrier?", "Left"),
        pair("fer", "Is the left one or the right one sadder?", "Right"),  # no template
    ]
    broken = pair("fer", "Which person looks more scared?", "Left")
    truncated_png(root / str(broken["image_1"]))
    fer.append(broken)
    spatial = [pair("spatial", "Which cup is closer to the camera?", "Left")]
    for name, rows in [("cub.json", cub), ("mit_states.json", states), ("fer2013.json", fer),
                       ("spatial.json", spatial)]:  # fmt: skip
        (root / name).write_text(json.dumps(rows, indent=1))
    return root


# --- IconQA ----------------------------------------------------------------------------------
ICONQA = [
    # pid, question, ques_type, n_choices, answer, skills, query image
    ("100", "Which clock shows half past three?", "choose_img", 3, 1, ["time"], False),
    ("101", "Which clock shows 7:00?", "choose_img", 2, 0, ["time"], False),
    ("102", "Which picture shows five dots?", "choose_img", 3, 2, ["counting"], False),
    ("103", "Which picture has more stars?", "choose_img", 2, 1, ["counting"], False),
    ("104", "Which shape is a triangle?", "choose_img", 4, 3, ["geometry"], False),
    ("105", "Which shape is a circle?", "choose_img", 3, 0, ["geometry"], False),
    ("106", "Which picture shows a line of symmetry?", "choose_img", 2, 1, ["geometry"], False),
    ("107", "Which picture has symmetry?", "choose_img", 2, 0, ["pattern"], False),
    ("108", "What time is shown?", "choose_txt", 3, 0, ["time"], False),  # text answers
    ("109", "How many dots are there?", "fill_in_blank", 0, 0, ["counting"], False),  # text
    ("110", "Which picture is the same as this one?", "choose_img", 2, 0, ["counting"], True),
    ("111", "Which bar is the longest?", "choose_img", 2, 1, ["comparing"], False),  # other
    ("112", "Which shape is a square?", "choose_img", 2, 5, ["geometry"], False),  # malformed
]


def write_iconqa(root: Path) -> Path:
    """13 problems: 8 kept (2 Time, 2 Counting, 2 Shape, 2 Symmetry), 5 dropped."""
    problems, skills = {}, {}
    for pid, question, ques_type, n, answer, pid_skills, query in ICONQA:
        choices = [f"choice_{i}.png" for i in range(n)] if ques_type == "choose_img" else [
            "3:30", "4:00", "5:00"]  # fmt: skip
        problems[pid] = {"question": question, "choices": choices, "answer": answer,
                         "ques_type": ques_type, "grade": "grade1", "split": "train"}  # fmt: skip
        skills[pid] = pid_skills
        folder = root / "iconqa" / "train" / ques_type / pid
        folder.mkdir(parents=True, exist_ok=True)
        if ques_type == "choose_img":
            for i in range(n):
                save_image(folder / f"choice_{i}.png", int(pid) * 10 + i)
        if query or ques_type != "choose_img":
            save_image(folder / "image.png", int(pid) * 10 + 9)
    (root / "problems.json").write_text(json.dumps(problems))
    (root / "pid2skills.json").write_text(json.dumps(skills))
    return root


def write_iconqa_parquet(root: Path) -> Path:
    """The same problems as an HF ``lmms-lab/ICON-QA``-style parquet file (image structs)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = []
    for pid, question, ques_type, n, answer, pid_skills, query in ICONQA:
        row: dict[str, object] = {
            "question_id": pid,
            "question": question,
            "choices": ",".join(f"choice_{i}" for i in range(n)),
            "answer": str(answer),
            "ques_type": ques_type,
            "skills": ",".join(pid_skills),
            "query_image": {"bytes": png_bytes(int(pid) * 10 + 9), "path": None} if query else None,
        }
        for i in range(5):
            cell = {"bytes": png_bytes(int(pid) * 10 + i), "path": None}
            row[f"choice_image_{i}"] = cell if ques_type == "choose_img" and i < n else None
        rows.append(row)
    root.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(rows), root / "test-00000-of-00001.parquet")
    return root


# --- MMBench ---------------------------------------------------------------------------------
CELEBRITIES = ["Ada Lovelace", "Alan Turing", "Grace Hopper", "Marie Curie", "Nikola Tesla",
               "Rosalind Franklin", "Katherine Johnson", "Srinivasa Ramanujan"]  # fmt: skip


def write_mmbench(root: Path) -> Path:
    """12 rows: 9 kept Celebrity (8 photos + 1 repeated-image row), 3 dropped."""
    root.mkdir(parents=True, exist_ok=True)
    header = ["index", "question", "hint", "A", "B", "C", "D", "answer", "category", "image",
              "l2-category", "split"]  # fmt: skip
    rows = []
    for i, name in enumerate(CELEBRITIES):
        others = [n for n in CELEBRITIES if n != name][:3]
        options = [name, *others]
        letter = "ABCD"[i % 4]
        options[0], options[i % 4] = options[i % 4], options[0]
        image = base64.b64encode(png_bytes(300 + i)).decode()
        rows.append([i, "Who is this person?", "", *options, letter, "celebrity_recognition",
                     image, "fine-grained perception (instance-level)", "dev"])  # fmt: skip
    rows.append([8, "Who is this person?", "", "Ada Lovelace", "Alan Turing", "Marie Curie",
                 "Grace Hopper", "A", "celebrity_recognition", "0", "fgp", "dev"])  # fmt: skip
    broken = base64.b64encode(b"this is not an image at all" * 20).decode()
    rows.append([9, "Who is this person?", "", "Alan Turing", "Ada Lovelace", "Marie Curie",
                 "Grace Hopper", "A", "celebrity_recognition", broken, "fgp", "dev"])  # fmt: skip
    for index in (10, 11):
        image = base64.b64encode(png_bytes(400 + index)).decode()
        rows.append([index, "What is the weather?", "", "sunny", "rainy", "", "", "A",
                     "image_scene", image, "coarse perception", "dev"])  # fmt: skip
    lines = ["\t".join(header)] + ["\t".join(str(c) for c in row) for row in rows]
    (root / "MMBench_DEV_EN.tsv").write_text("\n".join(lines) + "\n")
    return root


# --- OK-VQA ----------------------------------------------------------------------------------
OKVQA = [
    # question id, image id, question, answers (10), question type
    (1, 11, "What kind of bird is this?", ["parrot"] * 7 + ["macaw"] * 3, "eight"),
    (2, 12, "What kind of dog is this?", ["poodle"] * 6 + ["terrier"] * 4, "eight"),
    (3, 13, "What type of tree is this?", ["palm"] * 10, "eight"),
    (4, 14, "What animal is this?", ["giraffe"] * 9 + ["zebra"], "eight"),
    (5, 15, "What breed of cat is this?", ["siamese"] * 5 + ["persian"] * 5, "eight"),  # tie
    (6, 16, "What kind of flower is this?", ["rose"] * 8 + ["tulip"] * 2, "eight"),
    (7, 17, "What do these animals eat?", ["grass"] * 8 + ["hay"] * 2, "eight"),  # no template
    (8, 18, "What species of fish is this?", ["salmon"] * 4 + ["trout"] * 3 + ["cod"] * 3,
     "eight"),
    (9, 19, "What brand is this laptop?", ["apple"] * 10, "one"),
    (10, 20, "What sport is being played?", ["tennis"] * 10, "four"),
    (11, 21, "What kind of insect is this?", ["bee"] * 2 + ["wasp"] * 2 + ["fly"] * 6, "eight"),
    (12, 22, "What kind of bear is this?", ["grizzly"] * 10, "eight"),
]


def write_okvqa(root: Path) -> Path:
    """12 questions: 8 kept Living World, 2 other types, 1 tie (ambiguous), 1 no template."""
    questions, annotations = [], []
    for question_id, image_id, question, answers, question_type in OKVQA:
        questions.append({"image_id": image_id, "question": question,
                          "question_id": question_id})  # fmt: skip
        annotations.append({"question_id": question_id, "image_id": image_id,
                            "question_type": question_type, "answer_type": "other",
                            "answers": [{"answer": a, "answer_id": i + 1, "raw_answer": a,
                                         "answer_confidence": "yes"}
                                        for i, a in enumerate(answers)]})  # fmt: skip
        save_image(root / "val2014" / f"COCO_val2014_{image_id:012d}.jpg", 500 + image_id)
    (root / "OpenEnded_mscoco_val2014_questions.json").write_text(
        json.dumps({"questions": questions, "data_subtype": "val2014"})
    )
    (root / "mscoco_val2014_annotations.json").write_text(
        json.dumps({"annotations": annotations, "data_subtype": "val2014"})
    )
    return root


# --- Concept boards --------------------------------------------------------------------------
def write_concepts(root: Path, outside: Path | None = None) -> Path:
    """13 images: 12 kept (Color 5, Traffic 4, Public Info 3), 1 unreadable; plus a symlink
    leaving the folder when ``outside`` is given (dropped: path outside)."""
    seed = iter(range(700, 800))
    for name in ("red", "green", "blue"):
        save_image(root / "color" / f"{name}.png", next(seed))
    save_image(root / "color" / "yellow" / "a.png", next(seed))
    save_image(root / "color" / "yellow" / "b.png", next(seed))
    for name in ("stop_sign", "yield", "no-entry", "speed_limit_30"):
        save_image(root / "traffic" / f"{name}.png", next(seed))
    for name in ("restroom", "first aid", "wifi"):
        save_image(root / "public_info" / f"{name}.png", next(seed))
    truncated_png(root / "public_info" / "exit.png")
    (root / "public_info" / "README.txt").write_text("not an image")
    if outside is not None:
        save_image(outside / "secret.png", 1)
        (root / "traffic" / "secret.png").symlink_to(outside / "secret.png")
    return root
