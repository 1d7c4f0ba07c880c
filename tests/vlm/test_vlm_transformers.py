"""The transformers backend on tiny random models of five real VLM families (offline)."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

from act2answer.analysis.compare import compare_runs
from act2answer.analysis.outcomes import load_outcomes
from act2answer.eval.scoring import Outcome
from act2answer.report._vlm import load_vlm_report
from act2answer.runner import run_vlm
from act2answer.runner._vlm import FrameSource
from act2answer.sim import SimConfig
from act2answer.vlm import InputMode, ModelSpec, ScoreMethod
from act2answer.vlm.backends import VLMQuestion
from act2answer.vlm.backends.transformers_backend import TransformersBackend
from act2answer.vlm.scoring import LetterTokens, parse_letter
from tests.helpers import tiers
from tests.helpers.tiny_vlms import BUILDERS

torch = tiers.import_or_skip("torch", "torch")  # collection works without the vlm extra

pytestmark = [pytest.mark.torch, pytest.mark.sim, pytest.mark.slow]

SMALL_FRAMES = SimConfig(camera_width=64, camera_height=48)


@pytest.fixture(autouse=True)
def one_torch_thread() -> Iterator[None]:
    """One torch thread: on the shared 2-core machine it was 6x faster than two under load.

    A fixture, not a module-level call, so the setting does not leak into tests
    collected after this module.
    """
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def shared_frames():
    """Frames rendered once and reused by every family (identical by construction)."""
    frames = FrameSource(SMALL_FRAMES, keep=True)
    yield frames
    frames.close()


@pytest.fixture(scope="module")
def suite_100(tmp_path_factory: pytest.TempPathFactory):
    from tests.conftest import make_colour_suite

    return make_colour_suite(tmp_path_factory.mktemp("suite100"), n=100, name="vlm-100-v1")


@pytest.mark.parametrize("family", sorted(BUILDERS))
def test_tiny_family_answers_100_items_in_both_modes(
    family: str, suite_100, shared_frames, tiny_vlm_dir: Callable[[str], Path], tmp_path: Path
) -> None:
    folder = tiny_vlm_dir(family)
    spec = ModelSpec(model=str(folder), options={"device": "cpu", "dtype": "float32"})
    backend = TransformersBackend(str(folder), device="cpu", dtype="float32")
    runs = {}
    margins: dict[InputMode, dict[tuple[str, object], float]] = {}
    for mode in (InputMode.OPTIONS, InputMode.FRAME):
        run_dir = tmp_path / mode.value
        summary = run_vlm(
            suite_100,
            spec,
            run_dir,
            input_mode=mode,
            sim=SMALL_FRAMES,
            backend=backend,
            batch_size=25,
            frames=shared_frames,
        )
        assert (summary.asked, summary.errors, summary.text_fallbacks) == (200, 0, 0)
        report = load_vlm_report(run_dir)
        assert report.complete
        answers = report.answers
        assert all(a.method is ScoreMethod.LOGPROBS for a in answers)
        assert all(a.outcome in (Outcome.CORRECT, Outcome.WRONG) for a in answers)
        assert all(a.score_a < 0 and a.score_b < 0 and math.isfinite(a.margin) for a in answers)
        a_left = sum(a.a_is_left for a in answers if a.answer_side.value == "left") / 100
        assert 0.35 < a_left < 0.65  # about half of the items bind A to the left tile
        # The scores depend on the question and images: a backend that ignored its
        # input (or scored a constant) would give one margin for every question. The
        # suite has 3 colours, so options mode sees about a dozen distinct inputs.
        assert len({round(a.margin, 6) for a in answers}) >= 6
        margins[mode] = {(a.item_id, a.answer_side): a.margin for a in answers}
        runs[mode] = load_outcomes(run_dir)
    # Options mode shows the two tiles, frame mode the rendered scene: different inputs.
    shared = margins[InputMode.OPTIONS].keys() & margins[InputMode.FRAME].keys()
    assert len(shared) == 200
    assert sum(
        not math.isclose(margins[InputMode.OPTIONS][key], margins[InputMode.FRAME][key])
        for key in shared
    ) > 100
    comparison = compare_runs(runs[InputMode.OPTIONS], runs[InputMode.FRAME], resamples=200)
    assert comparison.overall.trials == 200 and not comparison.only_other


def test_batching_does_not_change_scores(tiny_vlm_dir: Callable[[str], Path]) -> None:
    backend = TransformersBackend(str(tiny_vlm_dir("qwen2_5_vl")), device="cpu", dtype="float32")
    rng = np.random.default_rng(0)
    questions = [
        VLMQuestion(
            "Which patch is red?" + " more" * i + "\nA. x\nB. y",
            (rng.integers(0, 255, (40, 60, 3), dtype=np.uint8),),
        )
        for i in range(3)
    ]
    together = backend.answer(questions)
    alone = [backend.answer([q])[0] for q in questions]
    for joint, single in zip(together, alone, strict=True):
        assert joint.score_a == pytest.approx(single.score_a, abs=1e-4)
        assert joint.score_b == pytest.approx(single.score_b, abs=1e-4)


class _HandSetLogits(torch.nn.Module):
    """Stands in for a VLM: next-token probabilities set by hand, whatever the input.

    P("A") = 0.3 and P(" A") = 0.3, P("B") = 0.4: the most likely single token is
    "B", but the letter A wins once its two variants are summed.
    """

    def __init__(self, vocab: int, tokens: LetterTokens) -> None:
        super().__init__()
        probabilities = torch.full((vocab,), 1e-9)
        (a, a_space), (b, _) = tokens.a, tokens.b
        probabilities[a], probabilities[a_space], probabilities[b] = 0.3, 0.3, 0.4
        self.register_buffer("logits", probabilities.log())

    def forward(self, input_ids: torch.Tensor, **_: object):
        class Output:
            pass

        output = Output()
        output.logits = self.logits.expand(input_ids.shape[0], input_ids.shape[1], -1)
        return output


def test_hand_set_logits_sum_variants_and_sign_the_margin(
    tiny_vlm_dir: Callable[[str], Path], make_suite, tmp_path: Path
) -> None:
    folder = str(tiny_vlm_dir("qwen2_5_vl"))
    real = TransformersBackend(folder, device="cpu")
    tokens = real.letter_tokens
    assert len(tokens.a) == 2 and len(tokens.b) == 2  # "A" and " A" are distinct tokens
    backend = TransformersBackend(
        folder,
        device="cpu",
        processor=real.processor,
        model_object=_HandSetLogits(len(real.tokenizer), tokens),
    )
    (scores,) = backend.answer([VLMQuestion("A or B?", (np.zeros((8, 8, 3), np.uint8),))])
    assert scores.score_a == pytest.approx(math.log(0.6), abs=1e-5)
    assert scores.score_b == pytest.approx(math.log(0.4), abs=1e-5)
    assert scores.letter == "A"
    suite = make_suite(n=20)
    run_vlm(
        suite,
        ModelSpec(model=folder),
        tmp_path / "hand",
        input_mode=InputMode.OPTIONS,
        backend=backend,
    )
    for answer in load_vlm_report(tmp_path / "hand").answers:
        assert answer.chosen_letter == "A"
        expected = math.log(0.6) - math.log(0.4)
        assert answer.margin == pytest.approx(
            expected if answer.correct_letter == "A" else -expected, abs=1e-5
        )
        assert (answer.outcome is Outcome.CORRECT) == (answer.correct_letter == "A")


@pytest.mark.parametrize("family", sorted(BUILDERS))
def test_scores_follow_the_pixels(family: str, tiny_vlm_dir: Callable[[str], Path]) -> None:
    """Same text, different image: different scores (a backend blind to images fails)."""
    backend = TransformersBackend(str(tiny_vlm_dir(family)), device="cpu", dtype="float32")
    rng = np.random.default_rng(0)
    images = [rng.integers(0, 256, (32, 32, 3), dtype=np.uint8) for _ in range(2)]
    first, second = backend.answer([VLMQuestion("A or B?", (image,)) for image in images])
    assert first.score_a is not None and second.score_a is not None
    assert not math.isclose(first.score_a, second.score_a, rel_tol=0, abs_tol=1e-7)


def test_generated_text_fallback_is_recorded(tiny_vlm_dir: Callable[[str], Path]) -> None:
    backend = TransformersBackend(str(tiny_vlm_dir("llava")), device="cpu", max_new_tokens=3)
    backend.letter_tokens = LetterTokens(a=(), b=())  # as for a tokenizer without letter tokens
    (scores,) = backend.answer([VLMQuestion("A or B?", (np.zeros((8, 8, 3), np.uint8),))])
    assert scores.method is ScoreMethod.TEXT and scores.score_a is None
    assert scores.text  # three greedy tokens of a random model decode to some text
    assert scores.letter == parse_letter(scores.text)  # the answer is read from that text
