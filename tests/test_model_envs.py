"""``act2answer env``: the per-model environment plans, their pins and the refusals (no builds).

A real build (``act2answer env create openvla`` into /tmp, then ``env check``) is
recorded in notes/2026-12-05-issue-20-study-models.md; it downloads packages,
so CI tests only the plans here.
"""

from __future__ import annotations

import inspect
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from act2answer import model_envs
from act2answer.adapters import adapter_class
from act2answer.cli.main import app
from act2answer.errors import Act2AnswerError

ROOT = Path(__file__).resolve().parents[1]

#: The study's transformers per model (nazar-karpov/bias-vla-benchmark@d5f4ed5d
#: Act2Answer/requirements/*.txt), written out again here.
STUDY_TRANSFORMERS = {
    "openvla": "4.40.1",
    "magma": "4.40.1",
    "spatialvla": "4.47.1",
    "xiaomi-r0": "4.57.1",
    "internvla-m1": "4.37.2",
}


@pytest.mark.parametrize("model", sorted(model_envs.MODEL_ENVS))
def test_constraints_files_in_the_repo_match_the_recipes(model: str) -> None:
    env = model_envs.MODEL_ENVS[model]
    path = ROOT / model_envs.CONSTRAINTS_FOLDER / env.constraints_name
    assert path.read_text() == model_envs.constraints_text(env)


@pytest.mark.parametrize(("model", "version"), sorted(STUDY_TRANSFORMERS.items()))
def test_each_model_gets_the_studys_transformers(model: str, version: str) -> None:
    assert f"transformers=={version}\n" in model_envs.constraints_text(model_envs.model_env(model))


def test_plan_installs_act2answer_through_the_one_constant(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    plan = model_envs.plan_env("spatialvla", tmp_path / "env", torch="torch==2.13.0")
    install = plan.commands[3]
    assert install[install.index("-c") + 1] == str(tmp_path / "env" / "act2answer-constraints.txt")
    assert "act2answer-core" in install and "torch==2.13.0" in plan.commands[2]
    assert str(model_envs.act2answer_requirement(tmp_path)).endswith("packages/act2answer-core")
    monkeypatch.setattr(model_envs, "ACT2ANSWER_SERVE_REQUIREMENT", "act2answer[serve]")
    assert model_envs.plan_env("magma", tmp_path).commands[3][6] == "act2answer[serve]"
    local = model_envs.act2answer_requirement(tmp_path)
    assert local == f"{tmp_path.resolve() / 'packages' / 'act2answer-core'}[serve]"


def test_study_torch_pins_unless_overridden(tmp_path: Path) -> None:
    plan = model_envs.plan_env("openvla", tmp_path)
    assert plan.commands[2][-2:] == ["torch==2.2.0", "torchvision==0.17.0"]
    gpu = model_envs.plan_env("openvla", tmp_path, gpu=True)
    assert any("flash-attn==2.7.4.post1" in command for command in gpu.commands)


@pytest.mark.parametrize("version", ["4.50.0", "4.57.1", "5.24.0"])
def test_openvla_with_transformers_450_or_newer_is_refused(version: str, tmp_path: Path) -> None:
    with pytest.raises(Act2AnswerError, match=r"openvla/openvla#346.*transformers==4.40.1"):
        model_envs.plan_env("openvla", tmp_path, transformers=version)
    model_envs.plan_env("spatialvla", tmp_path, transformers=version)  # only OpenVLA is blinded


@pytest.mark.parametrize("model", sorted(model_envs.MODEL_ENVS))
def test_serve_arguments_are_arguments_of_the_adapter(model: str) -> None:
    env = model_envs.MODEL_ENVS[model]
    parameters = set(inspect.signature(adapter_class(env.adapter).__init__).parameters)
    parameters |= {"model_path", "preset", "dtype", "device", "unnorm_key"}  # RemoteCodeAdapter
    assert set(env.serve_args) <= parameters


def test_cli_prints_the_plan_and_refuses_the_bad_pair(tmp_path: Path) -> None:
    runner = CliRunner()
    printed = runner.invoke(app, ["env", "create", "openvla", "--print", "--prefix", str(tmp_path)])
    assert printed.exit_code == 0, printed.output
    assert "transformers" in printed.output and "study-openvla" in printed.output
    serve_line = next(line for line in printed.output.splitlines() if " serve --policy" in line)
    assert json.dumps("gen-robot/openvla-7b-rlvla-sft_16k") in serve_line
    assert not (tmp_path / "bin").exists()  # --print builds nothing
    refused = runner.invoke(
        app, ["env", "create", "openvla", "--print", "--transformers", "4.51.0"]
    )
    assert refused.exit_code != 0 and "openvla/openvla#346" in refused.output
