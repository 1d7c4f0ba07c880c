"""One pinned Python environment per model: ``act2answer env create MODEL``.

The study ran every model in its own environment (nazar-karpov/bias-vla-benchmark@d5f4ed5d
``Act2Answer/requirements/*.txt`` and ``scripts/setup/setup_*_env.sh``, very likely the
authors' code). Each model here gets a constraints file under
``requirements/study/`` with the study's ``transformers`` (and the packages the
model's remote code imports), and a plan: make a venv, install the study's torch,
install act2answer's serving side plus the model packages under those
constraints, check the versions. The created environment serves the model with
``act2answer serve``; the main environment evaluates it with
``--policy openpi://HOST:PORT``.

Planning imports no model stack (the adapters' ``STUDY_ARGS`` are plain dicts).
"""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from act2answer.adapters import internvla_m1, lerobot, magma, openvla, spatialvla, xiaomi_r0
from act2answer.errors import Act2AnswerError

#: The pip requirement act2answer's serving side is installed with, in ONE place: the light
#: distribution (no MuJoCo, SciPy or torch); a local checkout installs it from
#: ``packages/act2answer-core`` and keeps the extras.
ACT2ANSWER_SERVE_REQUIREMENT = "act2answer-core"
#: Where the light distribution's project file lies in a checkout.
CORE_PACKAGE_FOLDER = Path("packages") / "act2answer-core"

#: The generated constraints files in a checkout (``tests/test_model_envs.py`` keeps them in step).
CONSTRAINTS_FOLDER = Path("requirements") / "study"


@dataclass(frozen=True)
class ModelEnv:
    """How the study built one model's environment, and how act2answer serves it.

    Attributes:
        model: Name used on the command line.
        adapter: act2answer adapter that serves it.
        python: Python version the study used (a note; the venv uses ``--python``).
        torch: The study's ``torch`` (and ``torchvision``) pins, CUDA wheels.
        transformers: The study's ``transformers`` pin.
        pins: Other exact pins of the constraints file.
        packages: Model packages installed beside act2answer (under the constraints).
        gpu_packages: Packages only a GPU machine installs (flash-attn ...).
        serve_args: ``--policy-args`` of the study's run.
        source: Where the pins come from.
        notes: What the environment does not reproduce.
    """

    model: str
    adapter: str
    python: str
    torch: tuple[str, ...]
    transformers: str
    packages: tuple[str, ...]
    pins: tuple[str, ...] = ()
    gpu_packages: tuple[str, ...] = ()
    serve_args: dict[str, object] = field(default_factory=dict)
    source: str = ""
    notes: str = ""

    @property
    def constraints_name(self) -> str:
        """File name of the constraints under ``requirements/study/``."""
        return f"{self.model}.txt"


_HARNESS = "nazar-karpov/bias-vla-benchmark@d5f4ed5d Act2Answer/"

MODEL_ENVS: dict[str, ModelEnv] = {
    env.model: env
    for env in (
        ModelEnv(
            model="openvla",
            adapter="openvla",
            python="3.10",
            torch=("torch==2.2.0", "torchvision==0.17.0"),
            transformers="4.40.1",
            packages=(
                "transformers",
                "tokenizers",
                "timm",
                "accelerate",
                "sentencepiece",
                "safetensors",
            ),
            pins=("tokenizers==0.19.1", "timm>=0.9.10,<1.0.0"),
            gpu_packages=("flash-attn==2.7.4.post1",),
            serve_args=dict(openvla.STUDY_ARGS),
            source=(
                _HARNESS + "requirements/openvla.txt (transformers==4.40.1), "
                "scripts/setup/setup_openvla_env.sh (python 3.10, torch 2.2.0 cu121, "
                "flash-attn 2.7.4.post1); openvla/openvla modeling_prismatic.py asks for "
                "transformers 4.40.1 + tokenizers 0.19.1"
            ),
            notes="RL4VLA's vendored prismatic fork is not installed: the hub remote code is used.",
        ),
        ModelEnv(
            model="spatialvla",
            adapter="spatialvla",
            python="3.10",
            torch=("torch==2.4.0", "torchvision==0.19.0"),
            transformers="4.47.1",
            packages=("transformers", "accelerate", "sentencepiece", "safetensors", "timm"),
            serve_args=dict(spatialvla.STUDY_ARGS),
            source=(
                _HARNESS + "requirements/spatialvla.txt (transformers==4.47.1), "
                "scripts/setup/setup_spatialvla_env.sh (python 3.10, torch 2.4.0 cu121)"
            ),
        ),
        ModelEnv(
            model="magma",
            adapter="magma",
            python="3.10",
            torch=("torch==2.4.0", "torchvision==0.19.0"),
            transformers="4.40.1",
            packages=("transformers", "accelerate", "sentencepiece", "safetensors", "timm"),
            gpu_packages=("flash-attn==2.5.5",),
            serve_args=dict(magma.STUDY_ARGS),
            source=(
                _HARNESS + "requirements/magma.txt (transformers==4.40.1, not Magma's own "
                "jwyang/transformers fork), scripts/setup/setup_magma_env.sh (python 3.10, "
                "torch 2.4.0 cu121, flash-attn 2.5.5)"
            ),
        ),
        ModelEnv(
            model="xiaomi-r0",
            adapter="xiaomi-r0",
            python="3.12.2",
            torch=("torch==2.8.0", "torchvision==0.23.0"),
            transformers="4.57.1",
            packages=("transformers", "accelerate", "sentencepiece", "safetensors", "einops"),
            gpu_packages=("flash-attn==2.8.3",),
            serve_args=dict(xiaomi_r0.STUDY_ARGS),
            source=(
                _HARNESS + "requirements/xiaomi_server.txt (transformers==4.57.1), "
                "scripts/setup/setup_xiaomi_server_env.sh (python 3.12.2, torch 2.8.0 cu128, "
                "flash-attn 2.8.3, Xiaomi-Robotics-0 xr0 package --no-deps)"
            ),
            notes="Upstream's xr0 package is not installed: the hub remote code is used.",
        ),
        ModelEnv(
            model="internvla-m1",
            adapter="internvla-m1",
            python="3.10",
            torch=("torch==2.6.0", "torchvision==0.21.0"),
            transformers="4.37.2",
            packages=(
                "transformers",
                "accelerate",
                "timm",
                "einops",
                "sentencepiece",
                "safetensors",
            ),
            serve_args=dict(internvla_m1.STUDY_ARGS),
            source=(
                _HARNESS + "requirements/internvla_server.txt (transformers==4.37.2), "
                "scripts/setup/setup_internvla_env.sh (python 3.10, torch 2.6.0 cu121, "
                "InternVLA-M1 requirements.txt and pip install -e InternVLA-M1 --no-deps)"
            ),
            notes=(
                "The InternVLA-M1 repository (InternRobotics/InternVLA-M1) must be installed "
                "into the environment by hand (pip install -e PATH --no-deps and its "
                "requirements.txt); serve_args need model_path = the checkpoint."
            ),
        ),
        ModelEnv(
            model="smolvla",
            adapter="lerobot",
            python="3.11",
            torch=("torch==2.10.0",),
            transformers="4.57.6",
            packages=("lerobot[smolvla]==0.4.4",),
            serve_args={"model_path": "lerobot/smolvla_libero", "preset": "libero-lerobot"},
            source=(
                "act2answer requirements/lerobot-constraints.txt (LeRobot 0.4.4 stack); the "
                "study's harness has no SmolVLA wrapper, so its environment is unknown"
            ),
            notes="The study's SmolVLA checkpoint is unknown; the model path is an example.",
        ),
        ModelEnv(
            model="pi0",
            adapter="lerobot",
            python="3.10",
            torch=("torch==2.4.0", "torchvision==0.19.0"),
            transformers="4.57.6",
            packages=("lerobot[pi]==0.4.4",),
            serve_args=dict(lerobot.STUDY_PI0_ARGS),
            source=(
                _HARNESS + "requirements/pi0.txt (transformers unpinned), "
                "scripts/setup/setup_pi0_env.sh (python 3.10, torch 2.4.0 cu121, INT-ACT "
                "framework from PI0_DEPS_ROOT)"
            ),
            notes=(
                "Departure: the study ran INT-ACT's LeRobotPolicyWrapper (repository and "
                "version unknown); this serves the checkpoint with LeRobot 0.4.4, whose "
                "ability to load it is unverified. LIBERO pi0 checkpoints run in openpi's own "
                "serve_policy (presets pi0-libero ...)."
            ),
        ),
    )
}

#: Known-bad combinations: (model, first bad transformers (major, minor), why and the fix).
KNOWN_BAD = {
    "openvla": (
        (4, 50),
        "transformers >= 4.50 makes OpenVLA ignore its image (openvla/openvla#346); "
        "use the study's transformers==4.40.1 (drop --transformers)",
    ),
}


def model_env(model: str) -> ModelEnv:
    """The environment recipe of ``model``.

    Raises:
        Act2AnswerError: unknown model.
    """
    if model not in MODEL_ENVS:
        raise Act2AnswerError(f"unknown model {model!r} (known: {', '.join(MODEL_ENVS)})")
    return MODEL_ENVS[model]


def constraints_text(env: ModelEnv, transformers: str | None = None) -> str:
    """The constraints file of ``env`` (``requirements/study/MODEL.txt`` in a checkout)."""
    lines = [
        f"# Constraints of act2answer's {env.model} environment (`act2answer env create "
        f"{env.model}`).",
        "# Generated from act2answer.model_envs.MODEL_ENVS; tests/test_model_envs.py checks it.",
        f"# Source: {env.source}",
        f"transformers=={transformers or env.transformers}",
        *env.pins,
    ]
    return "\n".join(lines) + "\n"


def check_combination(model: str, transformers: str) -> None:
    """Refuse a known-bad model/transformers pair.

    Raises:
        Act2AnswerError: the pair is known to break the model silently.
    """
    bad = KNOWN_BAD.get(model)
    if bad is None:
        return
    first_bad, why = bad
    parts = transformers.split(".")
    try:
        version = (int(parts[0]), int(parts[1]))
    except (IndexError, ValueError):
        raise Act2AnswerError(f"cannot read transformers version {transformers!r}") from None
    if version >= first_bad:
        raise Act2AnswerError(f"refusing {model} with transformers {transformers}: {why}")


def act2answer_requirement(source: Path | None = None) -> str:
    """The pip argument that installs act2answer's serving side (a local checkout if given)."""
    if source is None:
        return ACT2ANSWER_SERVE_REQUIREMENT
    extras = ACT2ANSWER_SERVE_REQUIREMENT.partition("[")[2]
    local = Path(source).resolve() / CORE_PACKAGE_FOLDER
    return f"{local}[{extras}" if extras else str(local)


@dataclass(frozen=True)
class EnvPlan:
    """Commands that build one model environment.

    Attributes:
        env: The recipe.
        prefix: The venv folder.
        constraints: Path of the constraints file written into the venv.
        commands: Each command as an argument list.
    """

    env: ModelEnv
    prefix: Path
    constraints: Path
    commands: list[list[str]]

    def serve_command(self, port: int = 8000) -> list[str]:
        """``act2answer serve`` from the created environment with the study's arguments."""
        return [
            str(self.prefix / "bin" / "act2answer"),
            "serve",
            "--policy",
            self.env.adapter,
            "--policy-args",
            json.dumps(self.env.serve_args, sort_keys=True),
            "--port",
            str(port),
        ]

    def describe(self) -> str:
        """The plan as shell lines (what ``--print`` shows)."""
        lines = [f"# {self.env.model}: {self.env.source}"]
        if self.env.notes:
            lines.append(f"# note: {self.env.notes}")
        lines.append(f"# constraints: {self.constraints}")
        lines += [shlex.join(command) for command in self.commands]
        lines.append("# then serve it and evaluate from the main environment:")
        lines.append(shlex.join(self.serve_command()))
        lines.append("act2answer run --policy openpi://127.0.0.1:8000 --suite SUITE --out RUN")
        return "\n".join(lines)


def plan_env(
    model: str,
    prefix: Path,
    *,
    python: str = sys.executable,
    torch: str | None = None,
    transformers: str | None = None,
    source: Path | None = None,
    gpu: bool = False,
    model_packages: bool = True,
) -> EnvPlan:
    """The commands that build ``model``'s environment in ``prefix``.

    Args:
        model: A key of :data:`MODEL_ENVS`.
        prefix: venv folder to create.
        python: Interpreter that creates the venv (the study's version is in the recipe).
        torch: torch requirement(s), space-separated, instead of the study's CUDA pins
            (e.g. ``torch==2.13.0`` for a CPU wheel on this disk).
        transformers: Another transformers version (known-bad pairs are refused).
        source: Install act2answer from this checkout instead of the index.
        gpu: Also install the GPU-only packages (flash-attn).
        model_packages: Install the model packages (False: act2answer, torch,
            transformers and accelerate only, enough for the tiny stand-ins).

    Raises:
        Act2AnswerError: unknown model or a known-bad combination.
    """
    env = model_env(model)
    chosen_transformers = transformers or env.transformers
    check_combination(model, chosen_transformers)
    prefix = Path(prefix)
    pip = [str(prefix / "bin" / "python"), "-m", "pip", "install"]
    constraints = prefix / "act2answer-constraints.txt"
    torch_requirements = torch.split() if torch else list(env.torch)
    # Without the model packages: what the adapters themselves need (low_cpu_mem_usage
    # loading needs accelerate), enough to serve the tiny stand-ins.
    packages = list(env.packages) if model_packages else ["transformers", "accelerate"]
    if not model_packages and any(p.startswith("lerobot") for p in env.packages):
        packages = list(env.packages)
    commands = [
        [python, "-m", "venv", str(prefix)],
        [*pip, "--upgrade", "pip"],
        [*pip, *torch_requirements],
        [*pip, "-c", str(constraints), act2answer_requirement(source), *packages],
    ]
    if gpu and env.gpu_packages:
        commands.append([*pip, "--no-build-isolation", *env.gpu_packages])
    commands.append(
        [
            str(prefix / "bin" / "python"),
            "-c",
            "import torch, transformers, act2answer; "
            "print('env ok', torch.__version__, 'transformers', transformers.__version__)",
        ]
    )
    return EnvPlan(env=env, prefix=prefix, constraints=constraints, commands=commands)


def create_env(plan: EnvPlan, transformers: str | None = None) -> None:
    """Run a plan: write the constraints, then each command (output streams to the terminal).

    Raises:
        Act2AnswerError: a command failed.
    """
    plan.prefix.mkdir(parents=True, exist_ok=True)
    for index, command in enumerate(plan.commands):
        if index == 1:  # the venv exists now
            plan.constraints.write_text(constraints_text(plan.env, transformers))
        print("+", shlex.join(command), flush=True)
        if subprocess.run(command, check=False).returncode != 0:
            raise Act2AnswerError(f"environment build failed at: {shlex.join(command)}")


__all__ = [
    "ACT2ANSWER_SERVE_REQUIREMENT",
    "KNOWN_BAD",
    "MODEL_ENVS",
    "EnvPlan",
    "ModelEnv",
    "act2answer_requirement",
    "check_combination",
    "constraints_text",
    "create_env",
    "model_env",
    "plan_env",
]
