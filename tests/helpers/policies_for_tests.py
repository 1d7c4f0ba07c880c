"""Misbehaving policies, importable in workers as ``tests.helpers.policies_for_tests:Name``."""

from __future__ import annotations

import numpy as np

from act2answer.interfaces import EpisodeStart, Observation, ObservationNeeds


class _Base:
    needs = ObservationNeeds(image=False)

    def __init__(self, fail_at_step: int = 2) -> None:
        self.fail_at_step = fail_at_step
        self.instruction = ""

    def reset(self, start: EpisodeStart) -> None:
        self.instruction = start.instruction

    def healthy_action(self) -> np.ndarray:
        return np.array([0, 0, 0, 0, 0, 0, -1], dtype=np.float64)


class NaNPolicy(_Base):
    """Returns NaN in dx at ``fail_at_step`` for items whose instruction mentions red."""

    name = "nan"

    def act(self, observation: Observation) -> np.ndarray:
        action = self.healthy_action()
        if "red" in self.instruction and observation.step >= self.fail_at_step:
            action[0] = np.nan
        return action


class WrongShapePolicy(_Base):
    """Returns a 6-vector at ``fail_at_step``."""

    name = "wrong-shape"

    def act(self, observation: Observation) -> np.ndarray:
        if observation.step >= self.fail_at_step:
            return np.zeros(6)
        return self.healthy_action()


class RaisingPolicy(_Base):
    """Raises inside act."""

    name = "raising"

    def act(self, observation: Observation) -> np.ndarray:
        raise RuntimeError("model server said 500")


class SlowPolicy(_Base):
    """Sleeps a little every step so a run can be killed halfway."""

    name = "slow"

    def act(self, observation: Observation) -> np.ndarray:
        import time

        time.sleep(0.02)
        return self.healthy_action()


class HangingPolicy(_Base):
    """Never returns from ``act`` on red items while ``hang_file`` exists (a hung model)."""

    name = "hanging"

    def __init__(self, hang_file: str, fail_at_step: int = 2) -> None:
        super().__init__(fail_at_step)
        self.hang_file = hang_file

    def act(self, observation: Observation) -> np.ndarray:
        import os
        import time

        hang = "red" in self.instruction and observation.step >= self.fail_at_step
        if hang and os.path.exists(self.hang_file):
            time.sleep(3600)
        return self.healthy_action()


class DyingPolicy:
    """The random reference policy whose process SIGKILLs itself at ``die_at_step``.

    It dies in an episode whose instruction contains ``word``, at most ``times``
    times in all (counted with files in ``marker_dir``, shared by all workers):
    a simulator worker or Ray actor dying mid-episode.
    """

    name = "dying"

    def __init__(self, marker_dir: str, word: str = "red", times: int = 1, die_at_step: int = 3):
        from act2answer.policies import make_policy

        self.inner = make_policy("random")
        self.needs = self.inner.needs
        self.marker_dir, self.word = marker_dir, word
        self.times, self.die_at_step = times, die_at_step
        self.instruction = ""

    def reset(self, start: EpisodeStart) -> None:
        self.instruction = start.instruction
        self.inner.reset(start)

    def act(self, observation: Observation) -> np.ndarray:
        import os
        import signal
        from pathlib import Path

        if self.word in self.instruction and observation.step == self.die_at_step:
            markers = Path(self.marker_dir)
            markers.mkdir(parents=True, exist_ok=True)
            for death in range(self.times):  # exclusive creation: exactly `times` deaths in all
                try:
                    with (markers / f"death-{death}").open("x") as marker:
                        marker.write(str(os.getpid()))
                except FileExistsError:
                    continue
                os.kill(os.getpid(), signal.SIGKILL)
        return self.inner.act(observation)


class RandomNotInProcess:
    """The random reference policy, refusing to be created in process ``forbidden_pid``.

    Stands for a GPU model whose weights the Ray driver does not have.
    """

    name = "random-not-in-process"

    def __init__(self, forbidden_pid: int) -> None:
        import os

        from act2answer.policies import make_policy

        if os.getpid() == forbidden_pid:
            raise RuntimeError("this policy must not be created in the driver")
        self.inner = make_policy("random")
        self.needs = self.inner.needs

    def reset(self, start: EpisodeStart) -> None:
        self.inner.reset(start)

    def act(self, observation: Observation) -> np.ndarray:
        return self.inner.act(observation)


class StartLoggingPolicy(_Base):
    """Appends the wall-clock time of every episode start to ``log_file`` (any process)."""

    name = "start-logging"

    def __init__(self, log_file: str) -> None:
        super().__init__()
        self.log_file = log_file

    def reset(self, start: EpisodeStart) -> None:
        import time

        super().reset(start)
        with open(self.log_file, "a") as log:
            log.write(f"{time.time()}\n")

    def act(self, observation: Observation) -> np.ndarray:
        return self.healthy_action()


class InstructionLoggingPolicy(_Base):
    """Appends every episode's instruction, one a line, to ``log_file`` (any process)."""

    name = "instruction-logging"

    def __init__(self, log_file: str) -> None:
        super().__init__()
        self.log_file = log_file

    def reset(self, start: EpisodeStart) -> None:
        super().reset(start)
        with open(self.log_file, "a") as log:
            log.write(f"{start.instruction}\n")

    def act(self, observation: Observation) -> np.ndarray:
        return self.healthy_action()
