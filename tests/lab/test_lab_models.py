"""The lab's recipes, tiny models, checkpoints, policy, VLM backend, probe and sweep summary.

Training here is a handful of steps on a few frames (seconds): these tests check the
plumbing and the behaviour each part promises, not the models' accuracy (the benchmark
script benchmarks/lab_sweep.py measures that).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from act2answer.errors import PolicyError
from act2answer.interfaces import EpisodeStart
from act2answer.lab.demos import build_demo_dataset
from act2answer.lab.recipes import RecipeError, VLARecipe, VLMRecipe, load_recipe
from act2answer.lab.sweep import summarise_model, t_interval
from act2answer.lab.text import WordTokenizer, words
from act2answer.sim import SimConfig
from tests.helpers import tiers

tiers.import_or_skip("torch", "torch")  # skips naming the extra; fails in CI without it
pytestmark = pytest.mark.torch

FRAMES = SimConfig(camera_width=128, camera_height=96)


def test_recipes_read_json_toml_yaml_and_resolve_paths(tmp_path: Path):
    (tmp_path / "a.toml").write_text('kind = "vla"\nbackbone = "vlm"\ndemos = "d"\nvqa_ratio = 0.3')
    (tmp_path / "b.yaml").write_text("kind: vlm\nsteps: 5\n")
    (tmp_path / "c.json").write_text(json.dumps({"kind": "vlm", "steps": 0}))
    vla = load_recipe(tmp_path / "a.toml")
    assert isinstance(vla, VLARecipe) and vla.vqa_ratio == 0.3
    assert vla.backbone == str((tmp_path / "vlm").resolve())
    assert isinstance(load_recipe(tmp_path / "b.yaml"), VLMRecipe)
    with pytest.raises(RecipeError, match="steps"):
        load_recipe(tmp_path / "c.json")
    (tmp_path / "d.txt").write_text("kind = 'vlm'")
    with pytest.raises(RecipeError, match="must be"):
        load_recipe(tmp_path / "d.txt")


def test_tokenizer_keeps_the_letter_binding_and_numbers():
    prompt = (
        "Question: Which clock shows 12:30?\nA. the picture on the right\n"
        "B. the picture on the left"
    )
    assert words(prompt) == ["which", "clock", "12", "30", "a", "right", "b", "left"]
    tokenizer = WordTokenizer.build([prompt])
    ids = tokenizer.encode(prompt, 6)
    assert ids[0] == 2 and len(ids) == 6
    assert tokenizer.token_id("never-seen") == 1


@pytest.fixture(scope="module")
def lab_models(tmp_path_factory: pytest.TempPathFactory):
    """A VLM trained for a few steps, demonstrations of one Color item, a VLA from both."""
    from act2answer.lab.train import train_vla, train_vlm

    root = tmp_path_factory.mktemp("lab")
    vlm_metrics = train_vlm(
        VLMRecipe(per_category=2, categories=("Color", "Shape"), steps=4, heldout_fraction=0.5),
        root / "vlm",
    )
    build_demo_dataset(
        root / "demos", categories=["Color"], per_category=1, seed=9, sim_config=FRAMES
    )
    vla_recipe = VLARecipe(
        backbone=str(root / "vlm"),
        demos=str(root / "demos"),
        vqa_ratio=0.25,
        steps=50,
        batch_size=8,
    )
    vla_metrics = train_vla(vla_recipe, root / "vla")
    return root, vlm_metrics, vla_metrics


def test_training_writes_checkpoints_curves_and_learns_the_demonstrations(lab_models):
    import csv

    root, vlm_metrics, vla_metrics = lab_models
    for name in ("vlm", "vla"):
        assert (root / name / "model.safetensors").exists()
        assert json.loads((root / name / "metrics.json").read_text())["kind"] == name
    assert set(vlm_metrics["heldout_accuracy"]) == {"Color", "Shape", "all"}
    assert vla_metrics["demo_categories"] == ["Color"]
    rows = list(csv.DictReader((root / "vla" / "curve.csv").open()))
    first, last = float(rows[0]["bc_loss"]), float(rows[-1]["bc_loss"])
    assert last < 0.7 * first  # behaviour cloning fits the demonstrations
    assert np.isfinite(float(rows[-1]["vqa_loss"]))  # co-training ran (ratio 0.25)


def test_checkpoint_round_trip_gives_the_same_outputs(lab_models):
    import torch

    from act2answer.lab.checkpoint import load_checkpoint
    from act2answer.lab.models import FRAME_HW

    root, _, _ = lab_models
    first, second = load_checkpoint(root / "vla"), load_checkpoint(root / "vla")
    images = torch.rand(2, 3, *FRAME_HW)
    text = torch.from_numpy(first.tokenizer.encode_many(["put the cube on red", "x"], 24))
    state = torch.zeros(2, 7)
    with torch.no_grad():
        assert torch.equal(first.model(images, text, state), second.model(images, text, state))
        assert first.vlm(images, text).shape[1] == len(first.tokenizer)


def test_policy_acts_through_the_registry_and_sees_its_image(lab_models):
    from act2answer.lab.policy import LAB_VLA_POLICY
    from act2answer.policies import PolicySpec, make_policy
    from act2answer.sim import make_env

    root, _, _ = lab_models
    policy = make_policy(PolicySpec(name=LAB_VLA_POLICY, kwargs={"path": str(root / "vla")}))
    flipped = make_policy(
        PolicySpec(name=LAB_VLA_POLICY, kwargs={"path": str(root / "vla"), "perturb": "hflip"})
    )
    env = make_env(FRAMES)
    try:
        observation, _ = env.reset(seed=3, instruction="put the cube on red", needs=policy.needs)
    finally:
        env.close()
    start = EpisodeStart("put the cube on the red picture", 3)
    policy.reset(start)
    flipped.reset(start)
    chunk = policy.chunk(observation)
    assert chunk.shape == (4, 7) and set(np.unique(chunk[:, 6])) <= {-1.0, 1.0}
    assert not np.allclose(chunk[:, :3], flipped.chunk(observation)[:, :3])
    assert policy.act(observation).shape == (7,)
    with pytest.raises(PolicyError, match="cannot act"):
        make_policy(PolicySpec(name=LAB_VLA_POLICY, kwargs={"path": str(root / "vlm")}))


def test_a_served_lab_vla_plays_the_same_episodes_as_in_process(lab_models, tmp_path: Path):
    from act2answer.lab.policy import LAB_VLA_POLICY
    from act2answer.policies import PolicySpec
    from act2answer.report import load_report
    from act2answer.runner import run_evaluation
    from act2answer.serve import PolicyServer, backend_for_spec

    root, _, _ = lab_models
    spec = PolicySpec(name=LAB_VLA_POLICY, kwargs={"path": str(root / "vla")})
    suite = root / "demos" / "suite"
    local = run_evaluation(suite, spec, tmp_path / "local", sim=FRAMES, workers=1)
    with PolicyServer(backend_for_spec(spec), port=0, max_batch=1, window_s=0.0) as server:
        served = run_evaluation(
            suite, f"openpi://127.0.0.1:{server.port}", tmp_path / "served", sim=FRAMES, workers=1
        )
    assert local.errors == served.errors == 0 and local.episodes_run == served.episodes_run == 2

    def episodes(run: Path) -> list[tuple]:
        return sorted(
            (r.item_id, r.answer_side.value, r.outcome.value, r.steps, r.cube_x, r.cube_y)
            for r in load_report(run).results
        )

    here, there = episodes(tmp_path / "local"), episodes(tmp_path / "served")
    assert [row[:4] for row in here] == [row[:4] for row in there]
    gap = np.abs(np.array([row[4:] for row in here]) - [row[4:] for row in there]).max()
    assert gap < 1e-6


def test_vlm_backend_and_probe_run_through_the_public_pipelines(lab_models, tmp_path: Path):
    from act2answer.lab.evaluate import evaluate_checkpoint
    from act2answer.synth import generate_suite

    root, _, _ = lab_models
    suite = generate_suite(
        tmp_path / "suite", per_category=2, seed=0, categories=["Color", "Time"], workers=1
    )
    result = evaluate_checkpoint(root / "vla", suite.root, tmp_path / "eval", sim=FRAMES)
    assert set(result.episodes) == set(result.vlm) == {"Color", "Time", "overall"}
    probe = json.loads((tmp_path / "eval" / "probe" / "probe.json").read_text())
    assert {point["part"] for point in probe["curves"]} == {"prefix", "action"}
    assert json.loads((tmp_path / "eval" / "lab_eval.json").read_text())["folders"]


def test_sweep_summary_separates_trained_and_heldout_categories():
    evaluation = {
        "episodes": {"Color": 1.0, "Shape": 0.9, "Time": 0.6, "Traffic": 0.4, "overall": 0.7},
        "vlm": {"Color": 1.0, "Shape": 1.0, "Time": 0.7, "Traffic": 0.6, "overall": 0.8},
        "retention": {"value": 0.5},
    }
    backbone = {"Color": 1.0, "Shape": 1.0, "Time": 0.9, "Traffic": 0.8, "overall": 0.9}
    row = summarise_model(evaluation, backbone, ["Color", "Shape"])
    assert row["trained_success"] == pytest.approx(0.95)
    assert row["heldout_success"] == pytest.approx(0.5)
    assert row["vlm_retention"] == pytest.approx((0.65 - 0.5) / (0.85 - 0.5))
    mean, low, high = t_interval([0.2, 0.4, 0.6])
    assert mean == pytest.approx(0.4) and low < 0.4 < high
    assert np.isnan(t_interval([0.3])[1])


def test_a_checkpoint_without_state_ignores_the_state(lab_models):
    from dataclasses import replace

    from act2answer.lab.policy import LabVLAPolicy
    from act2answer.sim import make_env

    root, _, _ = lab_models
    policy = LabVLAPolicy(str(root / "vla"))
    env = make_env(FRAMES)
    try:
        observation, _ = env.reset(seed=3, instruction="x", needs=policy.needs)
    finally:
        env.close()
    policy.reset(EpisodeStart("put the cube on the red picture", 3))
    moved = replace(observation, ee_position=observation.ee_position + np.array([0.0, 0.1, 0.0]))
    assert not np.allclose(policy.chunk(observation), policy.chunk(moved))
    policy.checkpoint.config["use_state"] = False
    assert np.allclose(policy.chunk(observation), policy.chunk(moved))


def test_the_image_encoder_reads_the_words_and_the_side_head_sees_the_image():
    """The fix that made the VLM learn: text-modulated (FiLM) image features and a glimpse.

    Without the modulation the image tokens do not depend on the question, and the
    answer token must find the named tile by attention alone (the ViT-style
    first version stayed at chance).
    """
    import torch

    from act2answer.lab.models import FRAME_HW, ModelConfig, TinyVLM

    torch.manual_seed(0)
    vlm = TinyVLM(ModelConfig(vocab_size=10, width=16, layers=1, heads=2, text_length=6))
    images = torch.rand(1, 3, *FRAME_HW)
    red, blue = torch.tensor([[2, 5, 6, 0, 0, 0]]), torch.tensor([[2, 7, 6, 0, 0, 0]])
    words_red, words_blue = vlm.text_embed(red), vlm.text_embed(blue)
    patches_red, glimpse_red = vlm.image_tokens(images, words_red, red)
    patches_blue, glimpse_blue = vlm.image_tokens(images, words_blue, blue)
    assert not torch.allclose(patches_red, patches_blue)
    assert not torch.allclose(glimpse_red, glimpse_blue)
    hidden = vlm.encode(images, red)
    flipped = vlm.encode(images.flip(-1), red)
    assert not torch.allclose(vlm.side_logits(hidden), vlm.side_logits(flipped))


def test_the_tile_path_reads_each_tile_at_its_place_and_the_question():
    """Tile tokens come from the tiles' boxes at the input resolution, modulated by the words."""
    import torch

    from act2answer.lab.models import FRAME_HW, TILE_BOXES, ModelConfig, TinyVLM

    torch.manual_seed(0)
    vlm = TinyVLM(ModelConfig(vocab_size=10, width=16, layers=1, heads=2, text_length=6))
    height, width = FRAME_HW
    images = torch.rand(1, 3, *FRAME_HW)
    red, blue = torch.tensor([[2, 5, 6, 0, 0, 0]]), torch.tensor([[2, 7, 6, 0, 0, 0]])

    def tile_tokens(frames: torch.Tensor, text: torch.Tensor) -> torch.Tensor:
        with torch.no_grad():
            return vlm.image_tokens(frames, vlm.text_embed(text), text)[0][:, -len(TILE_BOXES) :]

    top, bottom, left, _ = TILE_BOXES[1]
    painted = images.clone()  # the right tile's box only
    painted[..., round(top * height) : round(bottom * height), round(left * width) :] = 0.0
    outside = images.clone()  # a corner no tile box reaches
    outside[..., :10, :10] = 0.0
    base = tile_tokens(images, red)
    changed = tile_tokens(painted, red)
    assert torch.allclose(base[:, 0], changed[:, 0])
    assert not torch.allclose(base[:, 1], changed[:, 1])
    assert torch.allclose(base, tile_tokens(outside, red))
    assert not torch.allclose(base, tile_tokens(images, blue))
    assert vlm.answer_index == vlm.image_pos.shape[1]  # tile tokens sit before the text


def test_balanced_batches_and_first_items_of_a_bigger_cache():
    from act2answer.lab.train import _batch_sampler, first_items
    from act2answer.lab.vqa import VQASet

    categories = np.array(["Color"] * 90 + ["Time"] * 10)
    draw = _batch_sampler(categories, True, np.random.default_rng(0))
    share = np.mean(categories[draw(4000)] == "Time")
    assert 0.45 < share < 0.55
    plain = _batch_sampler(categories, False, np.random.default_rng(0))
    assert np.mean(categories[plain(4000)] == "Time") < 0.15
    ids = np.array([f"{c}-{i // 2}" for c, i in zip(categories, range(100), strict=True)])
    n = len(ids)
    vqa = VQASet(
        images=np.zeros((n, 2, 2, 3), dtype=np.uint8),
        prompts=ids,
        instructions=ids,
        answers=np.zeros(n, dtype=np.int64),
        sides=np.zeros(n, dtype=np.int64),
        categories=categories,
        item_ids=ids,
    )
    kept = first_items(vqa, 3)
    expected = ["Color-0", "Color-1", "Color-2", "Time-45", "Time-46", "Time-47"]
    assert sorted(set(kept.item_ids.tolist())) == expected
    assert len(kept) == 12  # both layouts of each kept item
    assert first_items(vqa, 1000) is vqa


def test_the_curriculum_draws_its_categories_first_then_all():
    from act2answer.lab.train import vqa_batches

    categories = np.array(["Color"] * 10 + ["Time"] * 10 + ["Shape"] * 10)
    recipe = VLMRecipe(curriculum=("Color",), curriculum_steps=5, batch_size=16)
    batches = vqa_batches(categories, recipe)
    assert all(set(categories[next(batches)]) == {"Color"} for _ in range(5))
    assert set(np.concatenate([categories[next(batches)] for _ in range(5)])) == {
        "Color",
        "Time",
        "Shape",
    }
    with pytest.raises(ValueError, match="Counting"):
        next(vqa_batches(categories, recipe.model_copy(update={"curriculum": ("Counting",)})))
