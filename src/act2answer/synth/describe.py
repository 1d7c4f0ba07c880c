"""Control instructions of the procedural suite (instruction conditions, issue #12).

``explicit_object`` names what the correct image shows in plain visual terms,
so a policy needs no knowledge, only grounding; it is written only where the
generating parameters allow a description that does not give the knowledge
question away trivially or need it (categories without one are skipped by an
``explicit_object`` run). ``explicit_spatial`` is a template filled with the
side at task time.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

SPATIAL_TEMPLATE = "put the cube on the {side} picture"


def _article(noun: str) -> str:
    return ("an " if noun[:1].lower() in "aeiou" else "a ") + noun


def _color(meta: Mapping[str, Any]) -> str:
    return f"put the cube on the {meta['target_color']} one"


def _shape(meta: Mapping[str, Any]) -> str:
    return f"put the cube on the {meta['target_shape']}"


def _counting(meta: Mapping[str, Any]) -> str:
    count, noun = int(meta["count"]), str(meta["object"])
    return f"put the cube on the picture with {count} {noun}{'' if count == 1 else 's'}"


def _time(meta: Mapping[str, Any]) -> str:
    minute_mark = int(meta["minute"]) // 5 or 12
    return (
        f"put the cube on the clock whose short hand is near {int(meta['hour'])} "
        f"and whose long hand points at {minute_mark}"
    )


def _state(meta: Mapping[str, Any]) -> str:
    return f"put the cube on the {meta['target_state']} {meta['object']}"


def _living_world(meta: Mapping[str, Any]) -> str:
    return f"put the cube on the picture of {_article(str(meta['correct_entity']))}"


_DESCRIBERS: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "Color": _color,
    "Shape": _shape,
    "Counting": _counting,
    "Time": _time,
    "State": _state,
    "Living World": _living_world,
}


def explicit_object(category: str, meta: Mapping[str, Any]) -> str | None:
    """The ``explicit_object`` instruction of a generated item, or None for this category."""
    describe = _DESCRIBERS.get(category)
    if describe is None:
        return None
    try:
        return describe(meta)
    except (KeyError, TypeError, ValueError):  # a generator changed its meta: no description
        return None
