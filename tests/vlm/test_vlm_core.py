"""VLM side without a model: letter binding, scoring, storage, runner, report, CLI."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from act2answer.cli.main import app
from act2answer.errors import Act2AnswerError, RunError
from act2answer.eval.scoring import Outcome
from act2answer.interfaces import Side
from act2answer.report._vlm import load_vlm_report
from act2answer.runner import run_vlm
from act2answer.sim import SimConfig
from act2answer.store import VLMStore, run_kind
from act2answer.vlm import InputMode, ModelSpec, PromptTemplate, letter_binding
from act2answer.vlm.scoring import (
    LetterTokens,
    ScoreMethod,
    letter_token_ids,
    parse_letter,
    scores_from_logprobs,
    scores_from_top_logprobs,
)
from tests.helpers.vlm_fakes import ColourBackend, ConstantBackend

SPEC = ModelSpec(backend="transformers", model="fake")
SMALL_FRAMES = SimConfig(camera_width=64, camera_height=48)


def test_letter_binding_is_balanced_and_reproducible() -> None:
    bindings = [letter_binding("suite-v1", f"item-{i}") for i in range(1000)]
    share = sum(b.a_is_left for b in bindings) / len(bindings)
    assert 0.45 < share < 0.55
    again = [letter_binding("suite-v1", f"item-{i}") for i in range(1000)]
    assert bindings == again
    other_seed = [letter_binding("suite-v1", f"item-{i}", base_seed=1) for i in range(1000)]
    assert sum(a.a_is_left != b.a_is_left for a, b in zip(bindings, other_seed, strict=True)) > 400
    binding = bindings[0]
    assert binding.side_for(binding.letter_for(Side.LEFT)) is Side.LEFT
    assert binding.letter_for(Side.LEFT) != binding.letter_for(Side.RIGHT)


def test_prompt_template_names_the_bound_sides() -> None:
    template = PromptTemplate()
    for item in ("x", "y", "z", "w"):
        binding = letter_binding("s", item)
        text = template.render(InputMode.FRAME, binding, "Which is red?", "put it on red")
        left_letter = binding.letter_for(Side.LEFT)
        assert f"{left_letter}. the picture on the left" in text
        assert "Which is red?" in text
    text = template.render(InputMode.OPTIONS, letter_binding("s", "x"), "", "put it on red")
    assert '"put it on red"' in text and "first image" in text
    with pytest.raises(ValueError, match="unknown template fields"):
        PromptTemplate(text="{option_a} {option_b} {colour}")
    with pytest.raises(ValueError, match="option_b"):
        PromptTemplate(text="{option_a}")


class _Tokenizer:
    """Vocabulary: 0 'A', 1 ' A', 2 'B', 3 ' B', 4 'x'; ' A' optionally maps to 'A'."""

    def __init__(self, merged: bool = False) -> None:
        self.vocab = {"A": 0, " A": 0 if merged else 1, "B": 2, " B": 3, "x": 4}

    def encode(self, text: str, add_special_tokens: bool = False) -> list[int]:
        return [self.vocab[text]] if text in self.vocab else [4, 4]


def test_letter_variants_are_summed_without_double_counting() -> None:
    probabilities = np.array([0.30, 0.20, 0.10, 0.05, 0.35])
    logprobs = np.log(probabilities)
    tokens = letter_token_ids(_Tokenizer())
    assert tokens == LetterTokens(a=(0, 1), b=(2, 3))
    scores = scores_from_logprobs(logprobs, tokens)
    assert scores.score_a == pytest.approx(math.log(0.50))
    assert scores.score_b == pytest.approx(math.log(0.15))
    assert scores.letter == "A"
    merged = letter_token_ids(_Tokenizer(merged=True))
    assert merged.a == (0,)  # "A" and " A" are one token: counted once
    assert scores_from_logprobs(logprobs, merged).score_a == pytest.approx(math.log(0.30))


def test_top_logprobs_and_text_parsing() -> None:
    top = [
        {"token": " B", "logprob": math.log(0.4)},
        {"token": "A", "logprob": math.log(0.3)},
        {"token": "B", "logprob": math.log(0.2)},
        {"token": "B", "logprob": math.log(0.2)},  # listed twice: counted once
        {"token": "Answer", "logprob": math.log(0.05)},
    ]
    a, b = scores_from_top_logprobs(top)
    assert a == pytest.approx(math.log(0.3)) and b == pytest.approx(math.log(0.6))
    assert scores_from_top_logprobs([{"token": "x", "logprob": -1.0}]) == (None, None)
    assert parse_letter("B") == "B"
    assert parse_letter(" (A) the left one") == "A"
    assert parse_letter("The answer is B.") == "B"
    assert parse_letter("I cannot tell") is None


def test_options_run_binds_letters_stores_margin_and_resumes(tmp_path: Path, make_suite) -> None:
    suite = make_suite(n=40)
    backend = ColourBackend()
    run_dir = tmp_path / "run"
    summary = run_vlm(
        suite, SPEC, run_dir, input_mode=InputMode.OPTIONS, backend=backend, batch_size=16
    )
    assert summary.asked == 80 and summary.errors == 0
    with VLMStore.open_existing(run_dir) as store:
        answers = store.answers()
    assert all(a.outcome is Outcome.CORRECT for a in answers)
    assert all(a.margin is not None and a.margin > 0 for a in answers)
    share = sum(a.a_is_left for a in answers) / len(answers)
    assert 0.3 < share < 0.7
    for answer in answers:
        binding = letter_binding(suite.name, answer.item_id)
        assert (answer.letter_seed, answer.a_is_left) == (binding.seed, binding.a_is_left)
        assert answer.chosen_side is answer.answer_side
    # Resume: nothing is asked twice; another model is refused.
    calls = backend.calls
    again = run_vlm(suite, SPEC, run_dir, input_mode=InputMode.OPTIONS, backend=backend)
    assert again.asked == 0 and again.skipped == 80 and backend.calls == calls
    with pytest.raises(RunError, match="different VLM run"):
        run_vlm(
            suite, ModelSpec(model="other"), run_dir, input_mode=InputMode.OPTIONS, backend=backend
        )
    assert run_kind(run_dir) == "vlm"


def test_letter_biased_model_separates_letter_and_side_bias(tmp_path: Path, make_suite) -> None:
    suite = make_suite(n=40)
    run_vlm(suite, SPEC, tmp_path / "a", input_mode=InputMode.OPTIONS, backend=ConstantBackend("A"))
    report = load_vlm_report(tmp_path / "a")
    overall_extra = report.extras[-1]
    assert overall_extra.a_choice_rate == 1.0
    assert report.metrics.overall.success_rate == pytest.approx(0.5)
    assert 0.3 < report.metrics.overall.left_choice_rate < 0.7  # no side bias
    assert report.consistency[-1].rate == 0.0  # never right in both layouts


def test_frame_mode_uses_the_episode_frames(tmp_path: Path, make_suite) -> None:
    from act2answer.eval.tasks import episode_seed
    from act2answer.sim import make_env
    from act2answer.suite import read_rgb

    suite = make_suite(n=3)
    backend = ConstantBackend("B")
    run_vlm(
        suite, SPEC, tmp_path / "f", input_mode=InputMode.FRAME, sim=SMALL_FRAMES, backend=backend
    )
    assert len(backend.questions) == 6
    first = backend.questions[0]
    assert len(first.images) == 1 and first.images[0].shape == (48, 64, 3)
    item = suite.items[0]
    env = make_env(SMALL_FRAMES)
    try:
        env.set_tiles(
            read_rgb(suite.image_path(item.option_for(Side.LEFT, Side.LEFT))),
            read_rgb(suite.image_path(item.option_for(Side.RIGHT, Side.LEFT))),
        )
        env.reset(seed=episode_seed(suite.name, item.id, Side.LEFT), instruction=item.instruction)
        expected = env.render()
    finally:
        env.close()
    np.testing.assert_array_equal(first.images[0], expected)
    with VLMStore.open_existing(tmp_path / "f") as store:
        stored = {a.key: a for a in store.answers()}
    assert stored[(item.id, "left")].frame_seed == episode_seed(suite.name, item.id, Side.LEFT)


def test_failures_are_recorded_and_retried(tmp_path: Path, make_suite) -> None:
    suite = make_suite(n=4)
    summary = run_vlm(
        suite,
        SPEC,
        tmp_path / "e",
        input_mode=InputMode.OPTIONS,
        backend=ConstantBackend(fail=True),
    )
    assert summary.errors == 8
    with VLMStore.open_existing(tmp_path / "e") as store:
        assert all("backend exploded" in (a.error or "") for a in store.answers())
    summary = run_vlm(
        suite,
        SPEC,
        tmp_path / "e",
        input_mode=InputMode.OPTIONS,
        backend=ConstantBackend(text=True),
        retry_errors=True,
    )
    assert summary.asked == 8 and summary.text_fallbacks == 8
    with VLMStore.open_existing(tmp_path / "e") as store:
        answers = store.answers()
    assert all(a.method is ScoreMethod.TEXT and a.chosen_letter == "A" for a in answers)
    assert all(a.margin is None for a in answers)


def test_vla_and_vlm_folders_are_kept_apart(tmp_path: Path, make_suite) -> None:
    from act2answer.runner import run_evaluation

    suite = make_suite(n=2)
    run_evaluation(suite.root, "left", tmp_path / "vla", workers=1)
    assert run_kind(tmp_path / "vla") == "vla"
    with pytest.raises(RunError, match="VLA run"):
        run_vlm(
            suite, SPEC, tmp_path / "vla", input_mode=InputMode.OPTIONS, backend=ConstantBackend()
        )
    with pytest.raises(Act2AnswerError):
        VLMStore.open_existing(tmp_path / "vla")


def test_report_cli_on_a_vlm_run(tmp_path: Path, make_suite) -> None:
    suite = make_suite(n=6)
    run_vlm(suite, SPEC, tmp_path / "r", input_mode=InputMode.OPTIONS, backend=ColourBackend())
    result = CliRunner().invoke(app, ["report", str(tmp_path / "r")])
    assert result.exit_code == 0, result.output
    assert "Color" in result.output and "100.0%" in result.output
    metrics = json.loads((tmp_path / "r" / "metrics.json").read_text())
    assert metrics["overall"]["success_rate"] == 1.0
    assert metrics["overall"]["consistency"]["rate"] == 1.0
    with (tmp_path / "r" / "answers.csv").open(newline="") as handle:
        assert len(list(csv.DictReader(handle))) == 12
