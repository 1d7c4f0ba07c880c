"""LLM rewriting against a local OpenAI-compatible server; the leak guard; hostile files; CLI."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from typer.testing import CliRunner

from act2answer.cli.main import app
from act2answer.errors import ImageFileError
from act2answer.sources import (
    Candidate,
    CurationConfig,
    ImageRef,
    LLMRewriter,
    SourceFileError,
    TemplateRewriter,
    convert,
)
from act2answer.sources import _files as files
from act2answer.sources import _model as reasons
from act2answer.sources.rewrite import RewriteError, leak_reason
from act2answer.suite import load_suite
from tests.helpers import source_fixtures as fx

#: What the fake model answers, by a fragment of the question it is given.
REPLIES = {
    "sadder": "put the cube on the person who looks sadder.",  # template cannot do this one
    "longer beak": "put the cube on the left bird",  # leaks the side: guard -> template
    "crumpled": "Put the cube on the correct answer",  # drops the content: guard -> template
}


class FakeLLM(BaseHTTPRequestHandler):
    requests: ClassVar[list[dict[str, object]]] = []

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        FakeLLM.requests.append(body)
        prompt = body["messages"][-1]["content"]
        text = next((reply for key, reply in REPLIES.items() if key in prompt), "")
        if not text:  # fall back to something the template would also say
            question = prompt.split("Question: ")[1].splitlines()[0]
            text = TemplateRewriter()(candidate_for(question)) or "put the cube on it"
        payload = json.dumps({"choices": [{"message": {"role": "assistant", "content": text}}]})
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(payload.encode())


def candidate_for(question: str, label: str = "", wrong: str = "") -> Candidate:
    image = ImageRef("x.png", path=Path("x.png"))
    return Candidate("1", "Attribute", "test", question, image, image, label, wrong)


@pytest.fixture
def llm_url() -> Iterator[str]:
    FakeLLM.requests = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeLLM)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()


def test_llm_rewriting_with_cache_and_guard(tmp_path: Path, llm_url: str) -> None:
    data = fx.write_compbench(tmp_path / "compbench")
    cache = tmp_path / "cache.jsonl"

    def build(out: str) -> None:
        rewriters = [LLMRewriter(llm_url, "tiny-model", cache), TemplateRewriter()]
        convert("compbench", data, tmp_path / out, rewriters=rewriters)

    build("first")
    sent = len(FakeLLM.requests)
    assert sent == 12  # one per candidate that reached rewriting
    assert FakeLLM.requests[0]["model"] == "tiny-model"
    suite = load_suite(tmp_path / "first")
    by_question = {item.question: item for item in suite.items}
    sadder = by_question["Is the left one or the right one sadder?"]
    assert sadder.instruction == "put the cube on the person who looks sadder"
    assert sadder.meta["instruction_by"] == "llm:tiny-model"
    beak = by_question["Which bird has a longer beak?"]  # LLM leaked "left": template used
    assert beak.instruction == "put the cube on the bird that has a longer beak"
    assert beak.meta["instruction_by"] == "template"
    assert by_question["Which paper is more crumpled?"].meta["instruction_by"] == "template"
    build("second")  # same inputs: everything from the cache
    assert len(FakeLLM.requests) == sent
    assert (tmp_path / "first/suite.jsonl").read_text() == (
        tmp_path / "second/suite.jsonl"
    ).read_text()


def test_unreachable_llm_is_one_clear_error(tmp_path: Path) -> None:
    rewriter = LLMRewriter("http://127.0.0.1:9/v1", "m", tmp_path / "c.jsonl", timeout_s=2)
    with pytest.raises(RewriteError, match=r"127\.0\.0\.1:9/v1/chat/completions"):
        rewriter(candidate_for("Which bird is bigger?"))


@pytest.mark.parametrize(
    ("instruction", "problem"),
    [
        ("put the cube on the bird that is bigger", None),
        ("put the cube on the left bird", "position"),
        ("put the cube on the second image", "position"),
        ("put the cube on the correct answer", "position"),
        ("place it on the bigger bird", "does not start"),
        ("put the cube on the thing", "drops the question"),
    ],
)
def test_leak_guard(instruction: str, problem: str | None) -> None:
    reason = leak_reason(instruction, candidate_for("Which bird is bigger?"))
    assert (reason is None) if problem is None else (problem in (reason or ""))


def test_leak_guard_for_labelled_items() -> None:
    item = candidate_for("Who is this person?", label="Marie Curie", wrong="Alan Turing")
    assert leak_reason("put the cube on Marie Curie", item) is None
    assert "distractor" in (leak_reason("put the cube on Alan Turing, not Marie Curie", item) or "")
    assert "drops the answer" in (leak_reason("put the cube on the scientist", item) or "")
    arrow = candidate_for("Which image shows turn left?", label="turn left")
    assert leak_reason("put the cube on the turn left sign", arrow) is None


# --- hostile files ---------------------------------------------------------------------------
def test_json_bomb_is_one_line_naming_the_file(tmp_path: Path) -> None:
    data = tmp_path / "iconqa"
    data.mkdir()
    (data / "problems.json").write_text("[" * 200_000 + "]" * 200_000)
    with pytest.raises(SourceFileError) as info:
        convert("iconqa", data, tmp_path / "out")
    message = str(info.value)
    assert "problems.json" in message and "nested deeper" in message and "\n" not in message


def test_moderately_nested_json_is_refused_too(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text('{"a": ' + "[" * 35 + "1" + "]" * 35 + "}")
    with pytest.raises(SourceFileError, match="nested deeper than 32"):
        files.load_json(path)


def test_oversized_and_malformed_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "problems.json"
    path.write_text('{"1": {"question": "x"}' + " " * 5000 + "}")
    monkeypatch.setattr(files, "MAX_TABLE_BYTES", 1000)
    with pytest.raises(SourceFileError, match="over the limit of 1,000"):
        files.load_json(path)
    monkeypatch.undo()
    path.write_text('{"1": {"question": "x",}}')
    with pytest.raises(SourceFileError, match=r"problems\.json: not valid JSON"):
        files.load_json(path)


def test_hostile_images_are_counted_not_fatal(tmp_path: Path) -> None:
    data = fx.write_compbench(tmp_path / "compbench")
    fx.huge_header_png(data / "cub" / "2.png")  # image_1 of the 2nd Attribute record
    (data / "states" / "10.png").write_bytes(b"GIF89a not really")  # Pillow refuses it
    with pytest.raises(ImageFileError) as info:
        ImageRef("cub/2.png", path=data / "cub" / "2.png").load()
    assert "2.png" in str(info.value) and "decompression-bomb" in str(info.value)
    _, report = convert("compbench", data, tmp_path / "out")
    assert report.dropped()[reasons.UNREADABLE] == 3
    assert report.pool == report.kept + sum(report.dropped().values())


def test_path_escape_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SourceFileError, match="leaves the dataset folder"):
        files.inside(tmp_path, "../x.png")
    with pytest.raises(SourceFileError, match="must be relative"):
        files.inside(tmp_path, "/etc/passwd")


# --- CLI -------------------------------------------------------------------------------------
def test_cli_sources_convert_export_import(tmp_path: Path) -> None:
    runner = CliRunner()
    listing = runner.invoke(app, ["sources"])
    assert listing.exit_code == 0
    for name in ("compbench", "iconqa", "mmbench", "okvqa", "concepts", "problems.json"):
        assert name in listing.output
    data = fx.write_iconqa(tmp_path / "iconqa")
    built = runner.invoke(app, ["convert", "iconqa", str(data), "--out", str(tmp_path / "s"),
                                "--per-category", "1", "--seed", "2"])  # fmt: skip
    assert built.exit_code == 0, built.output
    assert "| all | 13 | 4 |" in built.output
    exported = runner.invoke(app, ["export", str(tmp_path / "s"), "--out", str(tmp_path / "a"),
                                   "--template-glb", str(fx.TILE_GLB)])  # fmt: skip
    assert exported.exit_code == 0, exported.output
    back = runner.invoke(app, ["import", str(tmp_path / "a"), "--out", str(tmp_path / "b")])
    assert back.exit_code == 0, back.output
    assert len(load_suite(tmp_path / "b").items) == 4
    tsv = runner.invoke(app, ["export", str(tmp_path / "b"), "--format", "vlmevalkit",
                              "--out", str(tmp_path / "b.tsv")])  # fmt: skip
    # one row per item and layout (the correct image left, then right)
    assert tsv.exit_code == 0 and len((tmp_path / "b.tsv").read_text().splitlines()) == 1 + 2 * 4


def test_cli_suite_merge_keeps_items_images_and_reviews(tmp_path: Path) -> None:
    from act2answer.suite.review import ReviewDecision, load_reviews, save_reviews

    convert("iconqa", fx.write_iconqa(tmp_path / "iconqa_data"), tmp_path / "iconqa")
    convert("okvqa", fx.write_okvqa(tmp_path / "okvqa_data"), tmp_path / "okvqa")
    save_reviews(tmp_path / "okvqa", {"okvqa-1": ReviewDecision(decision="approved")})
    runner = CliRunner()
    parts = [str(tmp_path / "iconqa"), str(tmp_path / "okvqa")]
    result = runner.invoke(app, ["suite", "merge", *parts, "--out", str(tmp_path / "study"),
                                 "--name", "study-v1"])  # fmt: skip
    assert result.exit_code == 0, result.output
    merged = load_suite(tmp_path / "study")
    assert merged.name == "study-v1" and len(merged.items) == 16
    assert sorted(merged.categories) == ["Counting", "Living World", "Shape", "Symmetry", "Time"]
    assert merged.item("okvqa-1").options[0].startswith("okvqa/images/")
    assert load_reviews(tmp_path / "study")["okvqa-1"].decision == "approved"
    twice = [str(tmp_path / "iconqa")] * 2
    again = runner.invoke(app, ["suite", "merge", *twice, "--out", str(tmp_path / "x"),
                                "--name", "x"])  # fmt: skip
    assert again.exit_code == 1 and "iconqa" in again.output


def test_cli_hostile_input_is_one_line_without_traceback(tmp_path: Path) -> None:
    data = tmp_path / "iconqa"
    data.mkdir()
    (data / "problems.json").write_text("[" * 100_000)
    result = CliRunner().invoke(app, ["convert", "iconqa", str(data), "--out", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "problems.json" in lines[0]
    assert CliRunner().invoke(app, ["convert", "nope", str(data), "--out", "o"]).exit_code == 1


def test_curation_config_filters(tmp_path: Path) -> None:
    data = fx.write_okvqa(tmp_path / "okvqa")
    suite, report = convert("okvqa", data, tmp_path / "short",
                            config=CurationConfig(max_question_words=4))  # fmt: skip
    assert [item.question for item in suite.items] == ["What animal is this?"]
    assert report.dropped()[reasons.TOO_LONG] == 8
    with pytest.raises(SourceFileError, match="no item survived curation"):
        convert("okvqa", data, tmp_path / "big", config=CurationConfig(min_image_side=65))
    saved = json.loads((tmp_path / "big/curation_report.json").read_text())
    assert saved["kept"] == 0 and saved["dropped"][reasons.TOO_SMALL] == 9
