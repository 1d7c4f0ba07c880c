"""What every stored record of a run offers the analysis: the shared record protocol."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from act2answer.eval.scoring import Outcome
from act2answer.interfaces import Side


@runtime_checkable
class RunRecord(Protocol):
    """One item in one layout, from any run kind (a VLA episode or a VLM answer).

    Metrics, consistency and comparisons read only these fields, so a VLM
    answer is analysed as what it is, not dressed up as an episode. Fields a
    kind adds (an episode's cube position, a VLM answer's letter) are read
    only by that kind's own report columns.
    """

    @property
    def item_id(self) -> str: ...

    @property
    def category(self) -> str: ...

    @property
    def answer_side(self) -> Side: ...

    @property
    def outcome(self) -> Outcome: ...

    @property
    def chosen_side(self) -> Side | None: ...

    @property
    def wall_time_s(self) -> float: ...

    @property
    def error(self) -> str | None: ...
