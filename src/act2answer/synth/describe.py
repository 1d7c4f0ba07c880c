"""Control instructions of the procedural suite (instruction conditions, issue #12).

``explicit_object`` names what the correct image shows in plain visual terms,
so a policy needs no knowledge, only grounding: colours, shapes, symbols,
letters and counts instead of what they mean (a traffic light "with the green
lamp lit", not "that means go"). Every procedural category has one, built from
the item's stored ``meta``; it never names a side. Where the category's
knowledge is itself perceptual (Attribute, Symmetry) the description restates
the visible property in plain terms (a tower's block count, a pattern's look,
where the dashed line runs). A generator whose meta lacks a field gives no
description (skipped by an ``explicit_object`` run). ``explicit_spatial`` is a
template filled with the side at task time.
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
    if meta.get("display") == "digital":
        shown = f"{int(meta['hour'])}:{int(meta['minute']):02d}"
        return f"put the cube on the clock whose display shows {shown}"
    minute_mark = int(meta["minute"]) // 5 or 12
    return (
        f"put the cube on the clock whose short hand is close to {int(meta['hour'])} "
        f"and whose long hand points at {minute_mark}"
    )


def _state(meta: Mapping[str, Any]) -> str:
    return f"put the cube on the {meta['target_state']} {meta['object']}"


def _living_world(meta: Mapping[str, Any]) -> str:
    return f"put the cube on the picture of {_article(str(meta['correct_entity']))}"


_SYMMETRY_FIGURES = {"mirror": "shape"}


def _symmetry(meta: Mapping[str, Any]) -> str:
    figure = _SYMMETRY_FIGURES.get(str(meta["figure"]), str(meta["figure"]))
    if meta.get("colour"):  # both options share it (generator version 6 on)
        figure = f"{meta['colour']} {figure}"
    return (
        f"put the cube on the {figure} whose two halves on either side of the dashed line "
        "are mirror images"
    )


_PATTERN_LOOKS = {
    "striped": "covered in stripes",
    "dotted": "covered in dots",
    "checkered": "covered in a checkerboard of squares",
}


def _attribute(meta: Mapping[str, Any]) -> str:
    attribute, adjective = str(meta["attribute"]), str(meta.get("adjective"))
    if attribute == "pattern":
        return f"put the cube on the {meta['noun']} {_PATTERN_LOOKS[str(meta['pattern'])]}"
    if attribute == "height":
        tall, short = (int(k) for k in meta["blocks"])
        blocks = tall if adjective == "taller" else short
        return f"put the cube on the tower made of {blocks} block{'' if blocks == 1 else 's'}"
    noun = {"size": meta.get("noun"), "length": "pencil", "thickness": "line"}[attribute]
    return f"put the cube on the picture with the {adjective} {noun}"


_FACES = {
    "happy": "a smiling mouth and open eyes",
    "laughing": "curved closed eyes and a wide open mouth",
    "sad": "a downturned mouth and brows raised in the middle",
    "crying": "closed eyes, blue tears and a downturned mouth",
    "angry": "brows pulled down towards the nose",
    "surprised": "wide round eyes, high brows and a round open mouth",
    "scared": "tall eyes, raised inner brows, clenched teeth and a drop of sweat",
    "neutral": "a straight flat mouth",
    "sleepy": "closed eyes, a small round mouth and the letters Zz",
}


def _emotion(meta: Mapping[str, Any]) -> str:
    return f"put the cube on the face with {_FACES[str(meta['concept'])]}"


_RED_RING = "the white sign with a red ring"
_TRAFFIC = {
    "stop": "the red eight-sided sign",
    "yield": "the upside-down red and white triangle",
    "no_entry": "the red disc with a white horizontal bar",
    "speed_limit": "the white sign with a red ring and the number {speed}",
    "pedestrian_crossing": "the blue square sign with a person walking over stripes",
    "no_parking": "the blue disc with a red ring and one red diagonal stroke",
    "no_stopping": "the blue disc with a red ring and a red X",
    "parking": "the blue square sign with a white letter P",
    "hospital": "the blue square sign with a white letter H",
    "roundabout": "the blue disc with three white arrows going round in a circle",
    "ahead_only": "the blue disc with a white arrow pointing straight up",
    "turn_left": ("the blue disc with a white arrow that goes up and turns anticlockwise"),
    "turn_right": "the blue disc with a white arrow that goes up and turns clockwise",
    "one_way": "the black oblong sign with a long white arrow",
    "no_u_turn": f"{_RED_RING} and slash over a U-shaped arrow",
    "no_left_turn": f"{_RED_RING} and slash over an arrow turning anticlockwise",
    "no_right_turn": f"{_RED_RING} and slash over an arrow turning clockwise",
    "danger": "the red triangle with an exclamation mark",
    "railway_crossing": "the red triangle with a train",
    "children": "the red triangle with two walking children",
    "no_bicycles": f"{_RED_RING} and slash over a bicycle",
    "bicycle_path": "the blue disc with a white bicycle",
    "no_overtaking": f"{_RED_RING} with a red car beside a black car",
    "light_red": "the traffic light with its red lamp lit",
    "light_yellow": "the traffic light with its yellow lamp lit",
    "light_green": "the traffic light with its green lamp lit",
    "ped_walk": "the pedestrian light with the green walking figure lit",
    "ped_wait": "the pedestrian light with the red standing figure lit",
}


def _traffic(meta: Mapping[str, Any]) -> str:
    concept, params = str(meta["concept"]), dict(meta.get("params") or {})
    if concept == "railway_crossing" and params.get("style") == "crossbuck":
        return "put the cube on the sign of two crossed red and white boards"
    return "put the cube on " + _TRAFFIC[concept].format(**params)


_PICTOGRAMS = {
    "toilets": "a man and a woman figure side by side",
    "wheelchair": "a person sitting in a wheelchair",
    "information": "a letter i",
    "parking": "a letter P",
    "elevator": "a person in a box under an up and a down triangle",
    "stairs": "a person walking up steps",
    "wifi": "a dot under three curved bands",
    "drinking_water": "a tap dripping into a glass",
    "restaurant": "a fork and a knife",
    "cafe": "a steaming cup",
    "bus_stop": "the front of a bus",
    "airport": "an aeroplane",
    "emergency_exit": "a running person next to a door",
    "first_aid": "a cross",
    "recycling": "three arrows in a triangle",
    "litter": "a person dropping something into a bin",
    "fire_extinguisher": "a fire extinguisher",
    "no_smoking": "a cigarette",
    "no_dogs": "a dog",
    "no_phones": "a mobile phone",
    "no_photography": "a camera",
}


def _public_info(meta: Mapping[str, Any]) -> str:
    icon = _PICTOGRAMS[str(meta["concept"])]
    board = meta.get("board") or {}
    crossed = " crossed out by a red ring and slash" if board.get("shape") == "prohibition" else ""
    return f"put the cube on the pictogram of {icon}{crossed}"


_DESCRIBERS: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "Color": _color,
    "Shape": _shape,
    "Counting": _counting,
    "Time": _time,
    "State": _state,
    "Living World": _living_world,
    "Symmetry": _symmetry,
    "Attribute": _attribute,
    "Emotion": _emotion,
    "Traffic": _traffic,
    "Public Info": _public_info,
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
