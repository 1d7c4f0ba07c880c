"""The OpenAI-compatible backend against a server that follows the published API."""

from __future__ import annotations

from pathlib import Path

import pytest

from act2answer.eval.scoring import Outcome
from act2answer.sim import SimConfig
from act2answer.vlm import InputMode, ModelSpec, ScoreMethod, run_vlm
from act2answer.vlm.backends import VLMQuestion
from act2answer.vlm.backends.openai_backend import OpenAIBackend
from act2answer.vlm.report import load_vlm_report
from act2answer.vlm.store import VLMStore
from tests.openai_server import OpenAITestServer, ServerState

SMALL_FRAMES = SimConfig(camera_width=64, camera_height=48)


def spec(server: OpenAITestServer, **options: object) -> ModelSpec:
    return ModelSpec(
        backend="openai",
        model="tiny",
        options={"base_url": server.base_url, "backoff_s": 0.01, "timeout_s": 5.0, **options},
    )


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
