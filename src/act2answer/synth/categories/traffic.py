"""Traffic: road signs and lights drawn to their real shapes and colours."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

import numpy as np

from act2answer.synth._base import GeneratedItem
from act2answer.synth.categories._pictograms import (
    INK,
    SIGN_BLUE,
    SIGN_RED,
    WHITE,
    Pen,
    arc_points,
    arrow,
    bicycle,
    car_side,
    darker,
    jitter_color,
    lighter,
    person,
    pick,
    prohibition,
    regular_polygon,
    render,
    square_sign,
)

Params = dict[str, Any]
SPEEDS = [20, 30, 40, 50, 60, 70, 80, 90, 100, 120]


def _disc(pen: Pen, fill: Any, ring: Any = None) -> None:
    pen.circle(0, 0, 0.97, fill=WHITE)
    pen.circle(0, 0, 0.92, fill=fill)
    if ring is not None:
        pen.circle(0, 0, 0.82, outline=ring, width=0.2)
    pen.circle(0, 0, 0.97, outline=darker((120, 120, 120), 0.8), width=0.02)


def _triangle(pen: Pen, inner: Callable[[Pen], None] | None = None, down: bool = False) -> None:
    s = -1 if down else 1
    outer = [(0, -0.95 * s), (0.98, 0.78 * s), (-0.98, 0.78 * s)]
    pen.poly(outer, fill=SIGN_RED, outline=SIGN_RED, width=0.12)
    pen.poly(
        [(0, -0.6 * s), (0.66, 0.57 * s), (-0.66, 0.57 * s)], fill=WHITE, outline=WHITE, width=0.05
    )
    if inner is not None:
        inner(pen.sub(0, 0.2 * s, 0.5))


def _stop(pen: Pen, p: Params) -> None:
    pen.poly(regular_polygon(0, 0, 0.98, 8, 22.5), fill=WHITE, outline=(150, 150, 150), width=0.02)
    pen.poly(regular_polygon(0, 0, 0.9, 8, 22.5), fill=SIGN_RED)
    pen.text(0, 0.02, "STOP", 0.5, WHITE, stroke=0.025, stroke_fill=WHITE)


def _yield(pen: Pen, p: Params) -> None:
    _triangle(pen, down=True)
    if p["text"]:
        pen.text(0, -0.25, "YIELD", 0.26, SIGN_RED, stroke=0.015, stroke_fill=SIGN_RED)


def _no_entry(pen: Pen, p: Params) -> None:
    _disc(pen, SIGN_RED)
    pen.rect(-0.66, -0.17, 0.66, 0.17, fill=WHITE, radius=0.02)


def _speed(pen: Pen, p: Params) -> None:
    _disc(pen, WHITE, SIGN_RED)
    n = str(p["speed"])
    pen.text(0, 0.03, n, 0.72 if len(n) == 2 else 0.56, INK, stroke=0.03, stroke_fill=INK)


def _ped_crossing(pen: Pen, p: Params) -> None:
    square_sign(pen, SIGN_BLUE)
    pen.poly([(0, -0.78), (0.8, 0.66), (-0.8, 0.66)], fill=WHITE)
    for k in range(4):
        x = -0.44 + k * 0.25
        pen.rect(x, 0.44, x + 0.14, 0.56, fill=INK)
    person(pen, 0.0, 0.05, 0.78, INK, pose="walk", flip=p["flip"])


def _no_parking(pen: Pen, p: Params) -> None:
    _disc(pen, SIGN_BLUE, SIGN_RED)
    pen.line([(-0.55, -0.55), (0.55, 0.55)], SIGN_RED, 0.2, caps=False)


def _no_stopping(pen: Pen, p: Params) -> None:
    _no_parking(pen, p)
    pen.line([(0.55, -0.55), (-0.55, 0.55)], SIGN_RED, 0.2, caps=False)


def _parking(pen: Pen, p: Params) -> None:
    square_sign(pen, SIGN_BLUE)
    pen.text(0, 0.04, "P", 1.35, WHITE, stroke=0.04, stroke_fill=WHITE)


def _hospital(pen: Pen, p: Params) -> None:
    square_sign(pen, SIGN_BLUE)
    pen.text(0, 0.04, "H", 1.25, WHITE, stroke=0.04, stroke_fill=WHITE)


def _roundabout(pen: Pen, p: Params) -> None:
    _disc(pen, SIGN_BLUE)
    for k in range(3):
        a0 = k * 120 - 60
        pts = arc_points(0, 0, 0.5, 0.5, a0 + 10, a0 + 85, 16)
        arrow(pen, pts, WHITE, 0.15, 0.22)


def _direction(pen: Pen, p: Params) -> None:
    _disc(pen, SIGN_BLUE)
    d = p["dir"]
    if d == "ahead":
        arrow(pen, [(0, 0.65), (0, -0.65)], WHITE, 0.2, 0.38)
    else:
        s = -1 if d == "left" else 1
        arrow(pen, [(-0.25 * s, 0.65), (-0.25 * s, -0.2), (0.65 * s, -0.2)], WHITE, 0.2, 0.38)


def _bent_arrow(pen: Pen, d: str) -> None:
    if d == "u":
        pts = [
            (0.3, 0.6),
            (0.3, -0.15),
            *arc_points(0.0, -0.15, 0.3, 0.35, 0, -180, 14)[1:],
            (-0.3, 0.3),
        ]
        arrow(pen, pts, INK, 0.2, 0.34)
    else:
        s = -1 if d == "left" else 1
        arrow(pen, [(-0.2 * s, 0.7), (-0.2 * s, -0.15), (0.7 * s, -0.15)], INK, 0.22, 0.38)


def _no_turn(pen: Pen, p: Params) -> None:
    prohibition(pen, lambda q: _bent_arrow(q, p["dir"]))


def _one_way(pen: Pen, p: Params) -> None:
    s = -1 if p["dir"] == "left" else 1
    pen.rect(-0.98, -0.45, 0.98, 0.45, fill=INK, radius=0.08)
    pen.rect(-0.93, -0.4, 0.93, 0.4, outline=WHITE, width=0.03, radius=0.06)
    body = [
        (-0.8, -0.17),
        (0.4, -0.17),
        (0.4, -0.32),
        (0.82, 0.0),
        (0.4, 0.32),
        (0.4, 0.17),
        (-0.8, 0.17),
    ]
    pen.poly([(s * x, y) for x, y in body], fill=WHITE)
    pen.text(-0.1 * s, 0.0, "ONE WAY", 0.2, INK, stroke=0.01, stroke_fill=INK)


def _danger(pen: Pen, p: Params) -> None:
    _triangle(pen)
    pen.rect(-0.07, -0.35, 0.07, 0.25, fill=INK, radius=0.05)
    pen.circle(0, 0.42, 0.09, fill=INK)


def _children(pen: Pen, p: Params) -> None:
    def inner(q: Pen) -> None:
        person(q, -0.3, -0.05, 1.3, INK, pose="walk")
        person(q, 0.45, 0.2, 0.9, INK, pose="walk", dress=p["dress"])

    _triangle(pen, inner)


def _railway(pen: Pen, p: Params) -> None:
    if p["style"] == "crossbuck":
        board = [(-1.0, -0.19), (1.0, -0.19), (1.0, 0.19), (-1.0, 0.19)]
        for ang in (40, -40):
            a = math.radians(ang)
            pts = [
                (x * math.cos(a) - y * math.sin(a), x * math.sin(a) + y * math.cos(a))
                for x, y in board
            ]
            pen.poly(pts, fill=SIGN_RED)
            inner = [(x * 0.92, y * 0.45) for x, y in board]
            pts = [
                (x * math.cos(a) - y * math.sin(a), x * math.sin(a) + y * math.cos(a))
                for x, y in inner
            ]
            pen.poly(pts, fill=WHITE)
        return

    def train(q: Pen) -> None:
        q.rect(-0.9, -0.35, 0.5, 0.35, fill=INK, radius=0.05)
        q.rect(0.1, -0.7, 0.6, 0.35, fill=INK, radius=0.05)
        q.rect(-0.75, -0.6, -0.5, -0.35, fill=INK)
        q.rect(0.2, -0.6, 0.5, -0.25, fill=WHITE)
        for x in (-0.6, -0.1, 0.4):
            q.circle(x, 0.42, 0.17, fill=INK)
        q.line([(-1.0, 0.62), (0.8, 0.62)], INK, 0.08)

    _triangle(pen, train)


def _no_bicycles(pen: Pen, p: Params) -> None:
    prohibition(pen, lambda q: bicycle(q.sub(0, 0.05, 0.85), INK, 0.1))


def _bicycle_path(pen: Pen, p: Params) -> None:
    _disc(pen, SIGN_BLUE)
    bicycle(pen.sub(0, 0.05, 0.68), WHITE, 0.11)


def _no_overtaking(pen: Pen, p: Params) -> None:
    def cars(q: Pen) -> None:
        car_side(q.sub(-0.45, 0.0, 0.5), SIGN_RED, outline=INK)
        car_side(q.sub(0.5, 0.0, 0.5), INK, window=(200, 200, 200), outline=INK)

    prohibition(pen, cars, slash=False)


def _light(pen: Pen, p: Params) -> None:
    lit = p["lit"]
    house = p["housing"]
    pen.rect(-0.08, 0.9, 0.08, 1.05, fill=(110, 110, 115))
    pen.rect(-0.5, -0.98, 0.5, 0.95, fill=house, outline=INK, width=0.04, radius=0.16)
    colors = {"red": (235, 30, 30), "yellow": (255, 190, 0), "green": (20, 205, 80)}
    for y, c in ((-0.62, "red"), (0.0, "yellow"), (0.62, "green")):
        on = c == lit
        col = colors[c]
        if on:
            pen.circle(0, y, 0.36, fill=(*lighter(col, 0.4), 200))
            pen.circle(0, y, 0.29, fill=col)
            pen.circle(-0.08, y - 0.08, 0.08, fill=lighter(col, 0.6))
        else:
            pen.circle(0, y, 0.29, fill=(70, 70, 72))


def _ped_light(pen: Pen, p: Params) -> None:
    walk = p["lit"] == "walk"
    pen.rect(-0.62, -0.98, 0.62, 0.98, fill=p["housing"], outline=INK, width=0.04, radius=0.1)
    for y, on, col, pose in (
        (-0.48, not walk, (235, 35, 35), "stand"),
        (0.48, walk, (30, 215, 90), "walk"),
    ):
        pen.rect(-0.5, y - 0.43, 0.5, y + 0.43, fill=(25, 25, 28), radius=0.05)
        person(pen, 0, y, 0.78, col if on else (70, 70, 72), pose=pose)


#: concept -> spec (kind, verb phrases, noun phrases, family, draw, params sampler)
def _p_none(rng: np.random.Generator) -> Params:
    return {}


def _spec(
    kind: str,
    vps: list[str],
    nps: list[str],
    family: str,
    draw: Callable[[Pen, Params], None],
    params: Callable[[np.random.Generator], Params] = _p_none,
) -> dict[str, Any]:
    return {"kind": kind, "vps": vps, "nps": nps, "family": family, "draw": draw, "params": params}


def _housing(rng: np.random.Generator) -> tuple[int, int, int]:
    return jitter_color(rng, pick(rng, [(40, 40, 44), (35, 55, 40), (60, 60, 66), (30, 40, 60)]), 6)


CONCEPTS: dict[str, dict[str, Any]] = {
    "stop": _spec(
        "sign",
        [
            "means stop",
            "tells drivers to stop completely",
            "tells drivers to come to a complete halt",
            "means you must halt before going on",
        ],
        ["the stop sign", "the halt sign"],
        "priority",
        _stop,
    ),
    "yield": _spec(
        "sign",
        ["means give way", "tells drivers to yield to other traffic"],
        ["the give way sign", "the yield sign"],
        "priority",
        _yield,
        lambda r: {"text": bool(r.random() < 0.3)},
    ),
    "no_entry": _spec(
        "sign",
        ["means no entry", "tells drivers they must not enter"],
        ["the no entry sign"],
        "prohibition",
        _no_entry,
    ),
    "speed_limit": _spec(
        "sign",
        ["sets a speed limit of {n}", "means you must not drive faster than {n}"],
        ["the {n} speed limit sign"],
        "speed",
        _speed,
        lambda r: {"speed": int(pick(r, SPEEDS))},
    ),
    "pedestrian_crossing": _spec(
        "sign",
        ["marks a pedestrian crossing", "shows where people can cross the road"],
        ["the pedestrian crossing sign", "the zebra crossing sign"],
        "info",
        _ped_crossing,
        lambda r: {"flip": bool(r.random() < 0.5)},
    ),
    "no_parking": _spec(
        "sign",
        ["means no parking", "tells drivers they must not park here"],
        ["the no parking sign"],
        "prohibition_blue",
        _no_parking,
    ),
    "no_stopping": _spec(
        "sign",
        ["means no stopping at all", "tells drivers they must not stop here, even briefly"],
        ["the no stopping sign", "the clearway sign"],
        "prohibition_blue",
        _no_stopping,
    ),
    "parking": _spec(
        "sign",
        ["shows where you may park", "means parking is allowed here"],
        ["the parking sign"],
        "info",
        _parking,
    ),
    "hospital": _spec(
        "sign",
        ["shows that a hospital is nearby", "points drivers to a hospital"],
        ["the hospital sign"],
        "info",
        _hospital,
    ),
    "roundabout": _spec(
        "sign",
        ["means there is a roundabout", "tells drivers to go around the roundabout"],
        ["the roundabout sign"],
        "mandatory",
        _roundabout,
    ),
    "ahead_only": _spec(
        "sign",
        ["means you must go straight ahead", "tells drivers to go straight on only"],
        ["the ahead only sign"],
        "mandatory",
        _direction,
        lambda r: {"dir": "ahead"},
    ),
    "turn_left": _spec(
        "sign",
        ["means you must turn left", "tells drivers to turn left"],
        ["the turn left sign"],
        "mandatory",
        _direction,
        lambda r: {"dir": "left"},
    ),
    "turn_right": _spec(
        "sign",
        ["means you must turn right", "tells drivers to turn right"],
        ["the turn right sign"],
        "mandatory",
        _direction,
        lambda r: {"dir": "right"},
    ),
    "one_way": _spec(
        "sign",
        [
            "means the street is one way",
            "marks a one-way street",
            "means traffic may only go in the direction of the arrow",
            "tells drivers all traffic here flows in a single direction",
        ],
        ["the one-way sign", "the single-direction street sign"],
        "info",
        _one_way,
        lambda r: {"dir": pick(r, ["left", "right"])},
    ),
    "no_u_turn": _spec(
        "sign",
        ["means no U-turns", "tells drivers they must not make a U-turn"],
        ["the no U-turn sign"],
        "prohibition",
        _no_turn,
        lambda r: {"dir": "u"},
    ),
    "no_left_turn": _spec(
        "sign",
        ["means no left turn", "tells drivers they must not turn left"],
        ["the no left turn sign"],
        "prohibition",
        _no_turn,
        lambda r: {"dir": "left"},
    ),
    "no_right_turn": _spec(
        "sign",
        ["means no right turn", "tells drivers they must not turn right"],
        ["the no right turn sign"],
        "prohibition",
        _no_turn,
        lambda r: {"dir": "right"},
    ),
    "danger": _spec(
        "sign",
        ["warns of danger ahead", "means take care, there is a hazard"],
        ["the general warning sign"],
        "warning",
        _danger,
    ),
    "railway_crossing": _spec(
        "sign",
        ["warns of a railway crossing", "means a train line crosses the road"],
        ["the railway crossing sign", "the level crossing sign"],
        "warning",
        _railway,
        lambda r: {"style": pick(r, ["crossbuck", "triangle"])},
    ),
    "children": _spec(
        "sign",
        ["warns that children may be crossing", "means watch out for children"],
        ["the children crossing sign"],
        "warning",
        _children,
        lambda r: {"dress": bool(r.random() < 0.5)},
    ),
    "no_bicycles": _spec(
        "sign",
        ["means bicycles are not allowed", "tells cyclists they must not ride here"],
        ["the no cycling sign"],
        "prohibition",
        _no_bicycles,
    ),
    "bicycle_path": _spec(
        "sign",
        ["marks a path for bicycles", "shows a cycle lane"],
        ["the cycle path sign"],
        "mandatory",
        _bicycle_path,
    ),
    "no_overtaking": _spec(
        "sign",
        ["means no overtaking", "tells drivers they must not overtake"],
        ["the no overtaking sign"],
        "prohibition",
        _no_overtaking,
    ),
    "light_red": _spec(
        "traffic light",
        ["means stop", "tells cars to stop"],
        [],
        "light",
        _light,
        lambda r: {"lit": "red", "housing": _housing(r)},
    ),
    "light_yellow": _spec(
        "traffic light",
        ["means get ready to stop", "warns that the light is about to turn red"],
        [],
        "light",
        _light,
        lambda r: {"lit": "yellow", "housing": _housing(r)},
    ),
    "light_green": _spec(
        "traffic light",
        ["means go", "tells cars they may drive on"],
        [],
        "light",
        _light,
        lambda r: {"lit": "green", "housing": _housing(r)},
    ),
    "ped_walk": _spec(
        "pedestrian light",
        ["tells pedestrians they may cross", "means walk"],
        [],
        "light",
        _ped_light,
        lambda r: {"lit": "walk", "housing": _housing(r)},
    ),
    "ped_wait": _spec(
        "pedestrian light",
        ["tells pedestrians to wait", "means don't walk"],
        [],
        "light",
        _ped_light,
        lambda r: {"lit": "wait", "housing": _housing(r)},
    ),
}

#: Pairs where the distractor would also satisfy the question.
CONFLICTS = [
    {"stop", "light_red"},
    {"stop", "ped_wait"},
    {"light_red", "ped_wait"},
    {"light_green", "ped_walk"},
    {"no_parking", "no_stopping"},
    {"pedestrian_crossing", "children"},
    {"pedestrian_crossing", "ped_walk"},
    {"children", "ped_walk"},
    {"ahead_only", "one_way"},
    {"no_left_turn", "turn_right"},
    {"no_right_turn", "turn_left"},
    {"no_left_turn", "ahead_only"},
    {"no_right_turn", "ahead_only"},
    {"no_u_turn", "ahead_only"},
    {"no_u_turn", "turn_left"},
    {"no_u_turn", "turn_right"},
    {"danger", "children"},
    {"danger", "railway_crossing"},
]

KIND_SYNONYMS = {
    "sign": ["road sign", "traffic sign"],
    "traffic light": ["signal", "light"],
    "pedestrian light": ["crossing signal", "walk signal"],
}

TEMPLATES = [
    "put the cube on the {kind} that {vp}",
    "put the cube on the {kind} which {vp}",
    "put the cube on the {kind2} that {vp}",
    "put the cube on {np}",
    "put the cube on the picture of {np}",
]


def printed_words(concept: str, params: Params) -> set[str]:
    """Words printed on a sign (lower case): the text a policy could match without knowing."""
    if concept == "stop":
        return {"stop"}
    if concept == "yield" and params.get("text"):
        return {"yield"}
    if concept == "speed_limit":
        return {str(params["speed"])}
    if concept == "one_way":
        return {"one", "way"}
    return set()


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", text.lower()))


def _meaning_only(phrases: list[str], leaks: set[str], fmt: dict[str, str]) -> list[str]:
    """The phrases that do not name a word printed only on the correct sign."""
    return [ph for ph in phrases if not (_words(ph.format(**fmt)) & leaks)]


class Generator:
    """Traffic: road signs and traffic lights; the cube goes on the one with the asked meaning.

    Signs are drawn to their real shapes and colours (stop octagon, give way triangle,
    red-ringed prohibitions, blue mandatory discs, warning triangles). A traffic light is
    always paired with another light of the same kind so the lit lamp decides.

    Words printed on a sign (STOP, YIELD, ONE WAY, a speed) never appear in the
    instruction unless the distractor prints the same word: a speed-limit sign is
    always paired with another speed limit (reading the number is the concept),
    and the others are asked for by meaning ("come to a complete halt").
    """

    name = "Traffic"

    def generate(self, rng: np.random.Generator) -> GeneratedItem:
        """Make one Traffic item from ``rng``."""
        names = list(CONCEPTS)
        target = pick(rng, names)
        spec = CONCEPTS[target]
        p_c = spec["params"](rng)
        if spec["family"] == "light":
            pool = [n for n in names if CONCEPTS[n]["kind"] == spec["kind"]]
        elif target == "speed_limit":
            pool = ["speed_limit"]
        else:
            same = rng.random() < 0.45
            pool = [
                n
                for n in names
                if CONCEPTS[n]["family"] != "light"
                and (not same or CONCEPTS[n]["family"] == spec["family"])
            ]
        pool = [
            n
            for n in pool
            if {n, target} not in CONFLICTS and (n != target or target == "speed_limit")
        ]
        if not pool:
            pool = [
                n
                for n in names
                if CONCEPTS[n]["family"] != "light" and n != target and {n, target} not in CONFLICTS
            ]
        other = pick(rng, pool)
        p_d = CONCEPTS[other]["params"](rng)
        if other == "speed_limit" and target == "speed_limit":
            p_d["speed"] = int(pick(rng, [s for s in SPEEDS if s != p_c["speed"]]))
        fmt = {"n": str(p_c.get("speed", ""))}
        # Two speed limits both print a number: reading it is the concept, not a shortcut.
        leaks = set() if other == target else printed_words(target, p_c)
        vps = _meaning_only(spec["vps"], leaks, fmt)
        nps = _meaning_only(spec["nps"], leaks, fmt)
        vp = pick(rng, vps).format(**fmt)
        kind = spec["kind"]
        n_t = len(TEMPLATES) if nps else 3
        t = int(rng.integers(n_t))
        np_ = pick(rng, nps).format(**fmt) if nps else ""
        instruction = TEMPLATES[t].format(
            kind=kind, vp=vp, np=np_, kind2=pick(rng, KIND_SYNONYMS[kind])
        )
        question = f"Which {kind} {vp}?"
        same_family = CONCEPTS[other]["family"] == spec["family"]
        difficulty = "hard" if same_family else "medium"
        if spec["family"] == "light":
            difficulty = "easy"
        correct = render(lambda p: spec["draw"](p, p_c), rng, max_rot=8.0)
        distractor = render(lambda p: CONCEPTS[other]["draw"](p, p_d), rng, max_rot=8.0)
        meta = {
            "concept": target,
            "distractor_concept": other,
            "kind": kind,
            "family": spec["family"],
            "distractor_family": CONCEPTS[other]["family"],
            "params": _plain(p_c),
            "distractor_params": _plain(p_d),
            "template": t,
            "printed_words": sorted(printed_words(target, p_c)),
            "distractor_printed_words": sorted(printed_words(other, p_d)),
        }
        return GeneratedItem(question, instruction, correct, distractor, difficulty, meta)


def _plain(p: Params) -> Params:
    return {k: (list(v) if isinstance(v, tuple) else v) for k, v in p.items()}
