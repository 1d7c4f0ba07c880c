"""Lab models through the project's common interfaces.

* :class:`LabVLAPolicy`: a trained ``TinyVLA`` as a :class:`~act2answer.interfaces.Policy`
  (``--policy act2answer.lab.policy:LabVLAPolicy --policy-args '{"path": ...}'``),
  so it runs, serves and is scored like any VLA.
* :class:`LabVLMBackend`: the backbone's letter head as a
  :class:`~act2answer.vlm.backends.VLMBackend` (``act2answer vlm --backend lab
  --model PATH``), for a VLM checkpoint or the backbone of a VLA checkpoint.
* :class:`LabProbe`: a :class:`~act2answer.probing.ProbeModel`
  (``act2answer probe --model lab --model-args '{"path": ...}'``): prefix =
  ``backbone.layers.N``, action = ``expert.layers.N``.

``perturb`` (policy and probe) feeds the model a horizontally flipped
(``"hflip"``) or channel-swapped (``"bgr"``) frame: a preprocessing check that
a model which acts on what it sees must fail.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from act2answer.errors import PolicyError
from act2answer.interfaces import ACTION_DIM, GRIPPER_CLOSE, GRIPPER_OPEN, ObservationNeeds
from act2answer.lab._torch import import_torch

if TYPE_CHECKING:
    from act2answer.interfaces import EpisodeStart, Observation

Perturbation = Literal["none", "hflip", "bgr"]
#: The policy spec name of :class:`LabVLAPolicy` (an import path: it needs a checkpoint,
#: so it is not among the built-in names every policy test instantiates without arguments).
LAB_VLA_POLICY = "act2answer.lab.policy:LabVLAPolicy"


def perturb_image(image: np.ndarray, perturb: str) -> np.ndarray:
    """The frame as the model should see it (``none``), flipped left-right or as BGR."""
    if perturb == "hflip":
        return np.ascontiguousarray(image[:, ::-1])
    if perturb == "bgr":
        return np.ascontiguousarray(image[..., ::-1])
    if perturb != "none":
        raise PolicyError(f"perturb must be none, hflip or bgr, not {perturb!r}")
    return image


class LabVLAPolicy:
    """A trained lab VLA acting from the camera frame, the instruction and the state.

    Args:
        path: VLA checkpoint folder (``act2answer lab train`` of a ``vla`` recipe).
        replan_steps: Actions executed per predicted chunk (default: the checkpoint's).
        perturb: ``none``, ``hflip`` or ``bgr`` (see the module docstring).
        threads: torch CPU threads.
    """

    name = "lab-vla"
    needs = ObservationNeeds(image=True)

    def __init__(
        self,
        path: str,
        replan_steps: int | None = None,
        perturb: Perturbation = "none",
        threads: int = 1,
    ) -> None:
        from act2answer.lab.checkpoint import load_checkpoint

        self._torch = import_torch()
        self._torch.set_num_threads(threads)
        self.checkpoint = load_checkpoint(path)
        if self.checkpoint.kind != "vla":
            raise PolicyError(f"{path}: a {self.checkpoint.kind} checkpoint cannot act")
        self.replan_steps = replan_steps or int(self.checkpoint.config.get("replan_steps", 1))
        self.perturb = perturb
        self._state_norm = self.checkpoint.normaliser("state")
        self._action_norm = self.checkpoint.normaliser("action")
        self._text: Any = None
        self._queue: deque[np.ndarray] = deque()

    def reset(self, start: EpisodeStart) -> None:
        """Tokenise the instruction and forget the previous chunk."""
        length = self.checkpoint.model.config.text_length
        self._text = self._torch.from_numpy(
            self.checkpoint.tokenizer.encode(start.instruction, length)[None]
        )
        self._queue.clear()

    def chunk(self, observation: Observation) -> np.ndarray:
        """The model's action chunk ``(horizon, 7)`` for one observation (un-normalised)."""
        from act2answer.lab.train import frames_to_tensor

        if self._text is None or observation.image is None:
            raise PolicyError("lab-vla: act() before reset(), or no camera image")
        torch = self._torch
        mean, std = self._state_norm
        state = torch.from_numpy(((observation.state - mean) / std)[None].astype(np.float32))
        if not self.checkpoint.config.get("use_state", True):
            state = torch.zeros_like(state)
        image = frames_to_tensor(perturb_image(observation.image, self.perturb)[None])
        with torch.no_grad():
            normalised = self.checkpoint.model.actions(image, self._text, state)[0].numpy()
        action_mean, action_std = self._action_norm
        actions = normalised * action_std + action_mean
        actions[:, 6] = np.where(actions[:, 6] > 0.0, GRIPPER_OPEN, GRIPPER_CLOSE)
        return actions.astype(np.float64)

    def act(self, observation: Observation) -> np.ndarray:
        """The next action (a new chunk every ``replan_steps`` steps)."""
        if not self._queue:
            self._queue.extend(self.chunk(observation)[: self.replan_steps])
        action = np.zeros(ACTION_DIM)
        action[:] = self._queue.popleft()
        return action


class LabVLMBackend:
    """Letter scores of a lab checkpoint's VLM head (frame-mode questions).

    Args:
        model: Checkpoint folder (VLM, or VLA: its backbone answers).
        threads: torch CPU threads.
    """

    def __init__(self, model: str, threads: int = 1) -> None:
        from act2answer.lab.checkpoint import load_checkpoint
        from act2answer.lab.train import letter_ids

        self._torch = import_torch()
        self._torch.set_num_threads(threads)
        self.checkpoint = load_checkpoint(model)
        self._letters = letter_ids(self.checkpoint.tokenizer)

    def answer(self, questions: Sequence[Any]) -> list[Any]:
        """Log-softmax scores of the letters ``A`` and ``B`` at the answer position."""
        from act2answer.lab.train import frames_to_tensor
        from act2answer.vlm.scoring import LetterScores, ScoreMethod

        if not questions:
            return []
        if any(len(question.images) != 1 for question in questions):
            return [
                LetterScores(
                    None, None, ScoreMethod.NONE, error="lab models answer frame-mode questions"
                )
                for _ in questions
            ]
        torch = self._torch
        vlm = self.checkpoint.vlm
        length = vlm.config.text_length
        tokenizer = self.checkpoint.tokenizer
        text = torch.from_numpy(tokenizer.encode_many([q.prompt for q in questions], length))
        images = frames_to_tensor(np.stack([np.asarray(q.images[0]) for q in questions]))
        with torch.no_grad():
            logprobs = torch.log_softmax(vlm(images, text), dim=-1)[:, self._letters].numpy()
        return [
            LetterScores(float(a), float(b), ScoreMethod.LOGPROBS) for a, b in logprobs.tolist()
        ]

    def close(self) -> None:
        """Nothing to release."""


class LabProbe:
    """A lab checkpoint as a probe model (prefix and, for a VLA, action layers).

    Args:
        path: Checkpoint folder.
        perturb: ``none``, ``hflip`` or ``bgr``.
    """

    name = "lab"

    def __init__(self, path: str, perturb: Perturbation = "none") -> None:
        from act2answer.lab.checkpoint import load_checkpoint

        self._torch = import_torch()
        self.checkpoint = load_checkpoint(path)
        self.path = str(Path(path))
        self.perturb = perturb

    def probe_root(self) -> Any:
        return self.checkpoint.model

    def probe_patterns(self) -> Mapping[str, Any]:
        from act2answer.probing import PartPattern

        patterns = {"prefix": PartPattern(r"(vlm\.)?backbone\.layers\.\d+")}
        if self.checkpoint.kind == "vla":
            patterns["action"] = PartPattern(r"expert\.layers\.\d+")
        return patterns

    def probe_forward(self, request: Any, token_masks: dict[str, Any]) -> None:
        from act2answer.lab.train import frames_to_tensor

        torch = self._torch
        model = self.checkpoint.model
        vlm = self.checkpoint.vlm
        text_ids = self.checkpoint.tokenizer.encode(request.instruction, vlm.config.text_length)
        text = torch.from_numpy(text_ids[None])
        image = frames_to_tensor(perturb_image(request.image, self.perturb)[None])
        token_masks["prefix"] = torch.from_numpy(
            np.concatenate([np.ones(vlm.n_patches, dtype=bool), text_ids != 0])
        )
        if self.checkpoint.kind == "vla":
            mean, std = self.checkpoint.normaliser("state")
            state = torch.from_numpy(((request.state - mean) / std)[None].astype(np.float32))
            if not self.checkpoint.config.get("use_state", True):
                state = torch.zeros_like(state)
            model.actions(image, text, state)
        else:
            vlm(image, text)
