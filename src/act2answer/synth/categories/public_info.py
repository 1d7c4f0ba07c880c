"""Public Info: public-information pictograms (toilets, no smoking, emergency exit, ...)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from act2answer.synth._base import GeneratedItem
from act2answer.synth.categories._pictograms import (
    INK,
    SIGN_BLUE,
    SIGN_GREEN,
    SIGN_RED,
    WHITE,
    Pen,
    arrow,
    cup,
    darker,
    jitter_color,
    person,
    pick,
    prohibition,
    regular_polygon,
    render,
    rotate_pts,
)

Color = tuple[int, int, int]
IconFn = Callable[[Pen, Color, Color], None]


def _toilets(q: Pen, fg: Color, bg: Color) -> None:
    person(q, -0.48, 0.0, 1.65, fg, pose="stand")
    person(q, 0.48, 0.0, 1.65, fg, dress=True)
    q.line([(0.0, -0.85), (0.0, 0.85)], fg, 0.07)


def _wheelchair(q: Pen, fg: Color, bg: Color) -> None:
    person(q, 0.05, -0.2, 1.5, fg, pose="sit")
    q.arc(-0.05, 0.4, 0.48, 0.48, -60, 215, fg, 0.14)


def _exit(q: Pen, fg: Color, bg: Color) -> None:
    q.rect(0.35, -0.85, 0.95, 0.85, outline=fg, width=0.12)
    q.rect(0.35, -0.85, 0.62, 0.85, fill=fg)
    person(q, -0.25, 0.0, 1.6, fg, pose="run")
    arrow(q, [(-0.95, 0.82), (-0.45, 0.82)], fg, 0.1, 0.16)


def _recycling(q: Pen, fg: Color, bg: Color) -> None:
    verts = regular_polygon(0, 0.08, 0.95, 3)
    for k in range(3):
        (x0, y0), (x1, y1) = verts[k], verts[(k + 1) % 3]
        a = (x0 + (x1 - x0) * 0.14, y0 + (y1 - y0) * 0.14)
        b = (x0 + (x1 - x0) * 0.86, y0 + (y1 - y0) * 0.86)
        arrow(q, [a, b], fg, 0.2, 0.38)


def _first_aid(q: Pen, fg: Color, bg: Color) -> None:
    q.rect(-0.25, -0.8, 0.25, 0.8, fill=fg, radius=0.04)
    q.rect(-0.8, -0.25, 0.8, 0.25, fill=fg, radius=0.04)


def _information(q: Pen, fg: Color, bg: Color) -> None:
    q.circle(0.02, -0.62, 0.19, fill=fg)
    q.rect(-0.16, -0.28, 0.18, 0.72, fill=fg, radius=0.03)
    q.rect(-0.32, -0.28, 0.18, -0.14, fill=fg)
    q.rect(-0.32, 0.6, 0.36, 0.78, fill=fg, radius=0.03)


def _parking(q: Pen, fg: Color, bg: Color) -> None:
    q.text(0.0, 0.05, "P", 1.9, fg, stroke=0.05, stroke_fill=fg)


def _elevator(q: Pen, fg: Color, bg: Color) -> None:
    q.rect(-0.6, -0.45, 0.6, 0.92, outline=fg, width=0.1)
    person(q, 0.0, 0.27, 1.05, fg)
    q.poly([(-0.35, -0.6), (-0.15, -0.92), (0.05, -0.6)], fill=fg)
    q.poly([(0.15, -0.92), (0.55, -0.92), (0.35, -0.6)], fill=fg)


def _stairs(q: Pen, fg: Color, bg: Color) -> None:
    q.poly(
        [
            (-0.92, 0.9),
            (-0.92, 0.5),
            (-0.46, 0.5),
            (-0.46, 0.1),
            (0.0, 0.1),
            (0.0, -0.3),
            (0.46, -0.3),
            (0.46, -0.7),
            (0.92, -0.7),
            (0.92, 0.9),
        ],
        fill=fg,
    )
    person(q, -0.45, -0.3, 0.9, fg, pose="walk")


def _wifi(q: Pen, fg: Color, bg: Color) -> None:
    for rad in (0.38, 0.75, 1.12):
        q.arc(0, 0.6, rad, rad, 225, 315, fg, 0.17)
    q.circle(0, 0.6, 0.15, fill=fg)


def _water(q: Pen, fg: Color, bg: Color) -> None:
    q.rect(-0.95, -0.75, 0.12, -0.5, fill=fg, radius=0.05)
    q.rect(-0.1, -0.6, 0.12, -0.3, fill=fg)
    q.rect(-0.45, -0.95, -0.3, -0.72, fill=fg)
    q.line([(-0.65, -0.92), (-0.1, -0.92)], fg, 0.1)
    q.poly([(0.01, -0.18), (-0.1, 0.02), (0.12, 0.02)], fill=fg)
    q.circle(0.01, 0.04, 0.11, fill=fg)
    q.poly([(-0.45, 0.3), (0.45, 0.3), (0.35, 0.92), (-0.35, 0.92)], outline=fg, width=0.1)
    q.poly([(-0.4, 0.55), (0.41, 0.55), (0.35, 0.92), (-0.35, 0.92)], fill=fg)


def _extinguisher(q: Pen, fg: Color, bg: Color) -> None:
    q.rect(-0.28, -0.35, 0.32, 0.92, fill=fg, radius=0.18)
    q.rect(-0.1, -0.6, 0.14, -0.3, fill=fg)
    q.line([(-0.3, -0.62), (0.45, -0.72)], fg, 0.1)
    q.line([(-0.05, -0.55), (-0.55, -0.45), (-0.7, 0.1)], fg, 0.09)
    q.poly([(-0.7, 0.05), (-0.85, 0.35), (-0.55, 0.35)], fill=fg)


def _restaurant(q: Pen, fg: Color, bg: Color) -> None:
    q.line([(-0.4, -0.1), (-0.4, 0.9)], fg, 0.15)
    q.rect(-0.65, -0.35, -0.15, -0.05, fill=fg, radius=0.12)
    for x in (-0.62, -0.4, -0.18):
        q.line([(x, -0.9), (x, -0.2)], fg, 0.08)
    q.poly(
        [
            (0.3, -0.9),
            (0.52, -0.9),
            (0.52, 0.9),
            (0.38, 0.9),
            (0.38, 0.1),
            (0.25, 0.0),
            (0.2, -0.55),
        ],
        fill=fg,
    )


def _cafe(q: Pen, fg: Color, bg: Color) -> None:
    cup(q.sub(-0.05, 0.35, 0.95), fg, outline=fg)
    for x in (-0.35, 0.0, 0.35):
        pts = [(x + 0.1 * math.sin(t * 2.4), -0.25 - 0.25 * t) for t in np.linspace(0, 2.6, 20)]
        q.line(pts, fg, 0.09)


def _bus(q: Pen, fg: Color, bg: Color) -> None:
    q.rect(-0.72, -0.9, 0.72, 0.72, fill=fg, radius=0.16)
    q.rect(-0.58, -0.62, 0.58, 0.05, fill=bg, radius=0.06)
    q.rect(-0.4, -0.82, 0.4, -0.7, fill=bg, radius=0.03)
    for x in (-0.45, 0.45):
        q.circle(x, 0.35, 0.11, fill=bg)
        q.rect(x - 0.16, 0.6, x + 0.16, 0.95, fill=fg, radius=0.05)


def _airport(q: Pen, fg: Color, bg: Color) -> None:
    plane = [
        (0.0, -0.95),
        (0.1, -0.8),
        (0.1, -0.25),
        (0.9, 0.2),
        (0.9, 0.35),
        (0.1, 0.1),
        (0.1, 0.55),
        (0.35, 0.75),
        (0.35, 0.88),
        (0.0, 0.78),
        (-0.35, 0.88),
        (-0.35, 0.75),
        (-0.1, 0.55),
        (-0.1, 0.1),
        (-0.9, 0.35),
        (-0.9, 0.2),
        (-0.1, -0.25),
        (-0.1, -0.8),
    ]
    q.poly(rotate_pts(plane, 45), fill=fg)


def _trash(q: Pen, fg: Color, bg: Color) -> None:
    person(q, -0.45, 0.0, 1.6, fg, pose="stand")
    q.line([(-0.4, -0.35), (0.05, -0.4)], fg, 0.14)
    q.poly([(0.25, 0.0), (0.9, 0.0), (0.8, 0.82), (0.35, 0.82)], fill=fg)
    q.rect(0.2, -0.12, 0.95, -0.02, fill=fg)
    q.rect(0.3, -0.55, 0.5, -0.35, fill=fg)


def _dog(q: Pen, fg: Color, bg: Color) -> None:
    # A dog, not a cat: long muzzle, a floppy ear hanging down, tail raised.
    q.ellipse(-0.7, -0.2, 0.4, 0.3, fill=fg)
    for x in (-0.58, -0.36, 0.14, 0.32):
        q.line([(x, 0.1), (x, 0.74)], fg, 0.14)
    q.line([(0.25, 0.0), (0.45, -0.38)], fg, 0.3)
    q.circle(0.5, -0.45, 0.22, fill=fg)
    q.rect(0.5, -0.56, 0.98, -0.32, fill=fg, radius=0.08)
    q.ellipse(0.3, -0.55, 0.48, -0.05, fill=fg)
    q.circle(0.58, -0.5, 0.045, fill=bg)
    q.line([(-0.66, -0.1), (-0.88, -0.5), (-0.78, -0.62)], fg, 0.1)


def _cigarette(q: Pen, fg: Color, bg: Color) -> None:
    q.rect(-0.9, 0.15, 0.55, 0.45, fill=WHITE, outline=fg, width=0.08)
    q.rect(0.55, 0.15, 0.85, 0.45, fill=fg)
    q.rect(-0.9, 0.15, -0.55, 0.45, fill=(240, 150, 60), outline=fg, width=0.08)
    for x in (0.45, 0.7):
        pts = [(x + 0.08 * math.sin(t * 2.5), -0.05 - 0.3 * t) for t in np.linspace(0, 2.2, 16)]
        q.line(pts, fg, 0.08)


def _phone(q: Pen, fg: Color, bg: Color) -> None:
    q.rect(-0.42, -0.85, 0.42, 0.85, fill=fg, radius=0.12)
    q.rect(-0.3, -0.62, 0.3, 0.5, fill=WHITE)
    q.circle(0, 0.68, 0.08, fill=WHITE)


def _camera(q: Pen, fg: Color, bg: Color) -> None:
    q.rect(-0.85, -0.4, 0.85, 0.6, fill=fg, radius=0.12)
    q.rect(-0.3, -0.62, 0.3, -0.35, fill=fg, radius=0.05)
    q.circle(0, 0.1, 0.36, fill=WHITE)
    q.circle(0, 0.1, 0.22, fill=fg)
    q.rect(0.45, -0.3, 0.7, -0.15, fill=WHITE)


BLUE = [(SIGN_BLUE, WHITE), ((55, 60, 70), WHITE), ((250, 250, 250), INK), ((30, 110, 190), WHITE)]
GREEN = [(SIGN_GREEN, WHITE), ((20, 150, 90), WHITE)]
RED = [(SIGN_RED, WHITE)]

#: concept -> (icon, family, verb phrases, noun phrases, "if you ..." needs)
CONCEPTS: dict[str, tuple[IconFn, str, list[str], list[str], list[str]]] = {
    "toilets": (
        _toilets,
        "blue",
        ["shows where the toilets are", "points to the restrooms"],
        ["the toilet sign", "the restroom sign"],
        ["needed the toilet"],
    ),
    "wheelchair": (
        _wheelchair,
        "blue",
        ["shows wheelchair access", "marks a place for people who use a wheelchair"],
        ["the wheelchair access sign", "the accessibility sign"],
        ["used a wheelchair"],
    ),
    "information": (
        _information,
        "blue",
        ["shows where to get information", "marks the information desk"],
        ["the information sign"],
        ["had a question and needed help"],
    ),
    "parking": (
        _parking,
        "blue",
        ["shows where cars can park", "marks a car park"],
        ["the parking sign"],
        ["needed to park a car"],
    ),
    "elevator": (
        _elevator,
        "blue",
        ["shows where the lift is", "points to the elevator"],
        ["the elevator sign", "the lift sign"],
        [],
    ),
    "stairs": (
        _stairs,
        "blue",
        ["shows where the stairs are", "points to the staircase"],
        ["the stairs sign"],
        [],
    ),
    "wifi": (
        _wifi,
        "blue",
        ["means wireless internet is available", "shows free wifi"],
        ["the wifi sign"],
        ["wanted to connect to the internet"],
    ),
    "drinking_water": (
        _water,
        "blue",
        ["shows where to get drinking water", "marks a drinking water tap"],
        ["the drinking water sign"],
        ["were thirsty and wanted water"],
    ),
    "restaurant": (
        _restaurant,
        "blue",
        ["shows where you can eat a meal", "points to the restaurant"],
        ["the restaurant sign"],
        ["were hungry"],
    ),
    "cafe": (
        _cafe,
        "blue",
        ["shows where to get a coffee", "points to the cafe"],
        ["the cafe sign", "the coffee shop sign"],
        ["wanted a hot coffee"],
    ),
    "bus_stop": (
        _bus,
        "blue",
        ["shows where the bus stops", "marks a bus stop"],
        ["the bus stop sign"],
        ["wanted to catch a bus"],
    ),
    "airport": (
        _airport,
        "blue",
        ["points to the airport", "shows the way to the planes"],
        ["the airport sign"],
        ["had a flight to catch"],
    ),
    "emergency_exit": (
        _exit,
        "green",
        ["shows the emergency exit", "shows the way out in an emergency"],
        ["the emergency exit sign", "the fire exit sign"],
        ["had to leave the building quickly in an emergency"],
    ),
    "first_aid": (
        _first_aid,
        "green",
        ["shows where first aid is", "marks the first aid point"],
        ["the first aid sign"],
        ["were hurt and needed first aid"],
    ),
    "recycling": (
        _recycling,
        "green",
        ["means recycling", "shows where to recycle"],
        ["the recycling sign"],
        ["wanted to recycle an empty bottle"],
    ),
    "litter": (
        _trash,
        "green",
        ["asks you to put litter in the bin", "shows where to throw rubbish away"],
        ["the litter bin sign"],
        ["had a sweet wrapper to throw away"],
    ),
    "fire_extinguisher": (
        _extinguisher,
        "red",
        ["shows where the fire extinguisher is", "marks fire-fighting equipment"],
        ["the fire extinguisher sign"],
        ["had to put out a small fire"],
    ),
    "no_smoking": (
        _cigarette,
        "prohibition",
        ["means smoking is not allowed", "tells people not to smoke"],
        ["the no smoking sign"],
        [],
    ),
    "no_dogs": (
        _dog,
        "prohibition",
        ["means dogs are not allowed", "tells people not to bring dogs"],
        ["the no dogs sign"],
        [],
    ),
    "no_phones": (
        _phone,
        "prohibition",
        ["means mobile phones are not allowed", "tells people not to use their phones"],
        ["the no phones sign"],
        [],
    ),
    "no_photography": (
        _camera,
        "prohibition",
        ["means taking photos is not allowed", "tells people not to use cameras"],
        ["the no photography sign"],
        [],
    ),
}

#: Pairs where the distractor would also answer the question.
CONFLICTS = [
    {"restaurant", "cafe"},
    {"cafe", "drinking_water"},
    {"restaurant", "drinking_water"},
    {"litter", "recycling"},
    {"elevator", "stairs"},
    {"elevator", "wheelchair"},
]

PALETTES = {"blue": BLUE, "green": GREEN, "red": RED}

TEMPLATES = [
    "put the cube on the sign that {vp}",
    "put the cube on the symbol which {vp}",
    "put the cube on {np}",
    "put the cube on the pictogram that {vp}",
    "put the cube on the sign you would look for if you {need}",
]


def _board(rng: np.random.Generator, family: str) -> dict[str, Any]:
    if family == "prohibition":
        return {"shape": "prohibition"}
    board, fg = pick(rng, PALETTES[family])
    shape = pick(rng, ["square", "square", "circle"]) if family == "blue" else "square"
    return {
        "shape": shape,
        "board": list(jitter_color(rng, board, 8)),
        "fg": list(fg),
        "radius": float(rng.uniform(0.05, 0.22)),
    }


def _draw(pen: Pen, icon: IconFn, b: dict[str, Any]) -> None:
    if b["shape"] == "prohibition":
        prohibition(pen, lambda q: icon(q, INK, WHITE))
        return
    board, fg = tuple(b["board"]), tuple(b["fg"])
    edge = darker(board, 0.75) if sum(board) < 600 else (60, 60, 65)
    if b["shape"] == "circle":
        pen.circle(0, 0, 0.97, fill=board, outline=edge, width=0.04)
    else:
        pen.rect(-0.95, -0.95, 0.95, 0.95, fill=board, outline=edge, width=0.04, radius=b["radius"])
    icon(pen.sub(0, 0, 0.66 if b["shape"] == "circle" else 0.74), fg, board)


class Generator:
    """Public Info: public-information pictograms; the cube goes on the one with the asked use.

    Pictograms are white on coloured boards (blue information, green safety, red fire) or
    black in a red prohibition ring; board colour, shape and corner radius vary.
    """

    name = "Public Info"

    def generate(self, rng: np.random.Generator) -> GeneratedItem:
        """Make one Public Info item from ``rng``."""
        names = list(CONCEPTS)
        target = pick(rng, names)
        icon, family, vps, nps, needs = CONCEPTS[target]
        same = rng.random() < 0.45
        pool = [
            n
            for n in names
            if n != target
            and {n, target} not in CONFLICTS
            and (not same or CONCEPTS[n][1] == family)
        ]
        if not pool:
            pool = [n for n in names if n != target and {n, target} not in CONFLICTS]
        other = pick(rng, pool)
        vp, np_ = pick(rng, vps), pick(rng, nps)
        n_t = len(TEMPLATES) if needs else len(TEMPLATES) - 1
        t = int(rng.integers(n_t))
        need = pick(rng, needs) if needs else ""
        instruction = TEMPLATES[t].format(vp=vp, np=np_, need=need)
        question = f"Which sign {vp}?"
        if t == len(TEMPLATES) - 1:
            question = f"Which sign would you look for if you {need}?"
        other_family = CONCEPTS[other][1]
        if other_family == family:
            difficulty = "hard" if family == "prohibition" else "medium"
        else:
            difficulty = "easy"
        b_c, b_d = _board(rng, family), _board(rng, other_family)
        correct = render(lambda p: _draw(p, icon, b_c), rng, max_rot=6.0)
        distractor = render(lambda p: _draw(p, CONCEPTS[other][0], b_d), rng, max_rot=6.0)
        meta = {
            "concept": target,
            "distractor_concept": other,
            "family": family,
            "distractor_family": other_family,
            "board": b_c,
            "distractor_board": b_d,
            "template": t,
        }
        return GeneratedItem(question, instruction, correct, distractor, difficulty, meta)
