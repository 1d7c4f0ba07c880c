"""The OpenAI-compatible backend against a server that follows the published API."""

from __future__ import annotations

from pathlib import Path

import pytest

from act2answer.eval.scoring import Outcome
from act2answer.report._vlm import load_vlm_report
from act2answer.runner import run_vlm
from act2answer.sim import SimConfig
from act2answer.store import VLMStore
from act2answer.vlm import InputMode, ModelSpec, ScoreMethod
from act2answer.vlm.backends import VLMQuestion
from act2answer.vlm.backends.openai_backend import OpenAIBackend
from tests.helpers.openai_server import OpenAITestServer, ServerState

SMALL_FRAMES = SimConfig(camera_width=64, camera_height=48)


def spec(server: OpenAITestServer, **options: object) -> ModelSpec:
    return ModelSpec(
        backend="openai",
        model="tiny",
        options={"base_url": server.base_url, "backoff_s": 0.01, "timeout_s": 5.0, **options},
    )


@pytest.mark.slow  # make test-fast leaves it out (see tests/helpers/tiers.py)
@pytest.mark.parametrize("mode", [InputMode.OPTIONS, InputMode.FRAME])
def test_server_answers_a_100_item_suite(tmp_path: Path, make_suite, mode: InputMode) -> None:
    suite = make_suite(n=100)
    with OpenAITestServer() as server:
        summary = run_vlm(
            suite,
            spec(server),
            tmp_path / "run",
            input_mode=mode,
            sim=SMALL_FRAMES,
            api_key="test-key",
            batch_size=32,
        )
        shapes = set(server.state.images_seen)
    assert summary.asked == 200 and summary.errors == 0 and summary.text_fallbacks == 0
    assert shapes == ({(64, 64)} if mode is InputMode.OPTIONS else {(48, 64)})
    report = load_vlm_report(tmp_path / "run")
    assert report.complete and len(report.answers) == 200
    assert all(a.method is ScoreMethod.LOGPROBS for a in report.answers)
    # Summed variants: the chosen letter has log(0.6 + 0.2), the other log(0.15).
    answer = report.answers[0]
    chosen = answer.score_a if answer.chosen_letter == "A" else answer.score_b
    assert chosen == pytest.approx(-0.2231435, abs=1e-6)
    if mode is InputMode.OPTIONS:
        red = [a for a in report.answers if "is red?" in a.prompt]
        assert red and all(a.outcome is Outcome.CORRECT and a.margin > 0 for a in red)


def test_text_fallback_retries_and_api_key(tmp_path: Path, make_suite) -> None:
    suite = make_suite(n=4)
    with OpenAITestServer(ServerState(logprobs=False, fail_first=2)) as server:
        summary = run_vlm(
            suite,
            spec(server, concurrency=1),
            tmp_path / "t",
            input_mode=InputMode.OPTIONS,
            api_key="test-key",
        )
        assert server.state.requests == 8 + 2  # two 503s retried
    assert summary.text_fallbacks == 8 and summary.errors == 0
    with VLMStore.open_existing(tmp_path / "t") as store:
        answers = store.answers()
    assert all(a.method is ScoreMethod.TEXT and a.chosen_letter for a in answers)
    with OpenAITestServer() as server:
        summary = run_vlm(
            suite, spec(server), tmp_path / "k", input_mode=InputMode.OPTIONS, api_key="wrong"
        )
    assert summary.errors == 8
    with VLMStore.open_existing(tmp_path / "k") as store:
        assert "HTTP 401" in (store.answers()[0].error or "")


def test_rerun_of_a_vlm_run_reads_its_key_from_the_environment_again(
    tmp_path: Path, make_suite, monkeypatch
) -> None:
    import act2answer as a2a
    from act2answer.errors import RunError

    suite = make_suite(n=4)
    monkeypatch.setenv("TEST_VLM_KEY", "test-key")
    with OpenAITestServer() as server:
        runtime = {"base_url": server.base_url, "backoff_s": 0.01, "timeout_s": 5.0}
        first = tmp_path / "first"
        run_vlm(
            suite,
            ModelSpec(backend="openai", model="tiny"),
            first,
            input_mode=InputMode.OPTIONS,
            batch_size=3,
            api_key="test-key",
            api_key_env="TEST_VLM_KEY",
            runtime=runtime,
        )
        assert b"test-key" not in (first / "results.sqlite").read_bytes()
        resumed = a2a.rerun(first)
        assert resumed.kind == "vlm" and resumed.summary.asked == 0  # type: ignore[union-attr]
        again = a2a.rerun(first, out=tmp_path / "again")
        assert again.summary.asked == 8 and again.summary.errors == 0  # type: ignore[union-attr]
        monkeypatch.delenv("TEST_VLM_KEY")
        with pytest.raises(RunError, match=r"\$TEST_VLM_KEY, which is not set"):
            a2a.rerun(first, out=tmp_path / "third")
    assert again.config.runtime == runtime and again.config.batch_size == 3  # type: ignore[union-attr]
    assert [a.chosen_letter for a in again.records] == [
        a.chosen_letter for a in a2a.load_run(first).records
    ]
    with pytest.raises(ValueError, match=r"'api_key'.*never stored"):
        run_vlm(
            suite,
            ModelSpec(backend="openai", model="tiny"),
            tmp_path / "secret",
            input_mode=InputMode.OPTIONS,
            runtime={"api_key": "test-key"},
        )


def test_hanging_and_dead_servers_end_as_errors(tmp_path: Path, make_suite) -> None:
    question = VLMQuestion("A or B?", ())
    with OpenAITestServer(ServerState(hang_s=2.0)) as server:
        backend = OpenAIBackend(
            "tiny",
            base_url=server.base_url,
            api_key="test-key",
            timeout_s=0.3,
            retries=1,
            backoff_s=0.01,
        )
        (result,) = backend.answer([question])
        backend.close()
    assert result.error and "unreachable after 2 attempts" in result.error
    backend = OpenAIBackend("tiny", base_url="http://127.0.0.1:9", retries=0, timeout_s=1.0)
    (result,) = backend.answer([question])
    assert result.error and "127.0.0.1:9" in result.error
    backend.close()


def test_vlm_cli_with_a_server(tmp_path: Path, make_suite, monkeypatch) -> None:
    from typer.testing import CliRunner

    from act2answer.cli.main import app

    suite = make_suite(n=4)
    monkeypatch.setenv("TEST_VLM_KEY", "test-key")
    template = tmp_path / "template.json"
    template.write_text('{"text": "{question}\\nA: {option_a}\\nB: {option_b}\\nLetter:"}')
    with OpenAITestServer() as server:
        args = [
            "vlm",
            "--suite",
            str(suite.root),
            "--model",
            "tiny",
            "--out",
            str(tmp_path / "c"),
            "--backend",
            "openai",
            "--base-url",
            server.base_url,
            "--api-key-env",
            "TEST_VLM_KEY",
            "--input",
            "frame",
            "--frame-size",
            "64x48",
            "--prompt-template",
            str(template),
        ]
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 0, result.output
        assert "8 questions asked" in result.output
        again = CliRunner().invoke(app, [*args, "--concurrency", "2", "--timeout", "9"])
        assert "0 questions asked, 8 already stored" in again.output
    with VLMStore.open_existing(tmp_path / "c") as store:
        config = store.config()
        answers = store.answers()
    assert config is not None and "test-key" not in config.model_dump_json()
    assert config.api_key_env == "TEST_VLM_KEY"  # the variable's name, for `rerun`
    assert config.runtime["concurrency"] == 2  # the resume's way of running is stored
    assert config.sim.camera_width == 64 and config.prompt.text.endswith("Letter:")
    assert all(a.prompt.endswith("Letter:") and a.error is None for a in answers)
    bad = CliRunner().invoke(
        app,
        [
            "vlm",
            "--suite",
            str(suite.root),
            "--model",
            "m",
            "--out",
            str(tmp_path / "x"),
            "--input",
            "video",
        ],
    )
    assert bad.exit_code == 1 and "--input must be frame or options" in bad.output


def test_request_body_follows_the_chat_completions_api() -> None:
    import numpy as np

    question = VLMQuestion("Which? A or B", (np.zeros((4, 4, 3), np.uint8),))
    body = OpenAIBackend("m", top_logprobs=5).request_body(question)
    image, text = body["messages"][0]["content"]
    assert image["image_url"]["url"].startswith("data:image/png;base64,")
    assert text == {"type": "text", "text": "Which? A or B"}
    assert (body["logprobs"], body["top_logprobs"], body["temperature"]) == (True, 5, 0.0)
    plain = OpenAIBackend("m", logprobs=False).request_body(question)
    assert "logprobs" not in plain and "top_logprobs" not in plain
