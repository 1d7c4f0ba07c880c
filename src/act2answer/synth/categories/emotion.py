"""Emotion: two drawn faces with different expressions; the cube goes on the asked one."""

from __future__ import annotations

from typing import Any

import numpy as np

from act2answer.synth._base import GeneratedItem
from act2answer.synth.categories._pictograms import (
    INK,
    Pen,
    article,
    darker,
    jitter_color,
    lighter,
    pick,
    render,
)

#: expression -> (verb phrases, attributive adjectives, noun, valence)
EXPRESSIONS: dict[str, tuple[list[str], list[str], str, int]] = {
    "happy": (
        ["looks happy", "looks cheerful", "is smiling"],
        ["happy", "smiling"],
        "happiness",
        1,
    ),
    "sad": (["looks sad", "looks unhappy"], ["sad", "unhappy"], "sadness", -1),
    "angry": (["looks angry", "looks cross", "is furious"], ["angry", "cross"], "anger", -1),
    "surprised": (
        ["looks surprised", "looks astonished"],
        ["surprised", "astonished"],
        "surprise",
        0,
    ),
    "scared": (
        ["looks scared", "looks frightened", "is afraid"],
        ["scared", "frightened"],
        "fear",
        -1,
    ),
    "neutral": (
        ["shows no emotion", "looks neutral"],
        ["neutral", "expressionless"],
        "no emotion",
        0,
    ),
    "laughing": (["is laughing", "is laughing out loud"], ["laughing"], "laughter", 1),
    "sleepy": (["looks sleepy", "looks tired"], ["sleepy", "tired"], "tiredness", 0),
    "crying": (["is crying", "is in tears"], ["crying"], "tears", -1),
}

#: Pairs too close to ask about (both answers would be defensible).
EXCLUDED = [{"happy", "laughing"}, {"sad", "crying"}]
#: Every unordered pair of expressions that may be asked about.
PAIRS = [
    (a, b)
    for i, a in enumerate(EXPRESSIONS)
    for b in list(EXPRESSIONS)[i + 1 :]
    if {a, b} not in EXCLUDED
]
#: Words that also describe every expression of the same valence ("unhappy" fits an
#: angry or scared face too): used only when the distractor's valence differs.
VALENCE_WORDS = ("unhappy", "cheerful")

FACE_COLORS = [
    (255, 205, 50),
    (250, 215, 80),
    (245, 205, 170),
    (225, 170, 125),
    (180, 120, 80),
    (120, 80, 50),
    (170, 210, 240),
    (190, 230, 170),
    (240, 180, 200),
]

TEMPLATES = [
    "put the cube on the face that {vp}",
    "put the cube on the {adj} face",
    "put the cube on the person who {vp}",
    "put the cube on the face showing {noun}",
    "put the cube on the picture of {a_adj} face",
]


def _style(rng: np.random.Generator) -> dict[str, Any]:
    return {
        "face": jitter_color(rng, pick(rng, FACE_COLORS), 10),
        "aspect": float(rng.uniform(0.88, 1.05)),
        "accessory": pick(rng, ["none", "none", "glasses", "hat", "bow", "hair", "cap"]),
        "acc_color": jitter_color(
            rng,
            pick(rng, [(200, 40, 40), (40, 90, 200), (40, 140, 70), (150, 60, 170), (60, 50, 40)]),
        ),
        "blush": bool(rng.random() < 0.3),
        "eye_dx": float(rng.uniform(0.26, 0.33)),
        "variant": int(rng.integers(2)),
    }


def _brows(pen: Pen, dx: float, inner: float, outer: float, curve: float = 0.0) -> None:
    for s in (-1, 1):
        xi, xo = s * (dx - 0.15), s * (dx + 0.15)
        mid = ((xi + xo) / 2, (inner + outer) / 2 - curve)
        pen.line([(xi, inner), mid, (xo, outer)], INK, 0.095)


def _eyes(pen: Pen, kind: str, dx: float, y: float) -> None:
    for s in (-1, 1):
        x = s * dx
        if kind == "dot":
            pen.ellipse(x - 0.1, y - 0.14, x + 0.1, y + 0.14, fill=INK)
            pen.circle(x + 0.035, y - 0.06, 0.035, fill=(255, 255, 255))
        elif kind == "wide":  # surprised: round eyes, big centred pupils
            pen.circle(x, y, 0.16, fill=(255, 255, 255), outline=INK, width=0.045)
            pen.circle(x, y + 0.02, 0.09, fill=INK)
        elif kind == "fearful":  # scared: tall white eyes, tiny pupils glancing sideways
            pen.ellipse(x - 0.13, y - 0.2, x + 0.13, y + 0.14, fill=(255, 255, 255), outline=INK,
                        width=0.045)  # fmt: skip
            pen.circle(x - 0.06, y + 0.04, 0.045, fill=INK)
        elif kind == "smile":
            pen.arc(x, y + 0.05, 0.13, 0.12, 190, 350, INK, 0.085)
        elif kind == "closed":
            pen.arc(x, y - 0.02, 0.13, 0.08, 20, 160, INK, 0.085)


def _face(pen: Pen, expr: str, st: dict[str, Any]) -> None:
    pen = pen.sub(0, 0.03, 1.1)
    # Every expression uses the drawn face colour: angry faces were once red, which
    # let "the red face" answer "angry" (issue #23).
    face = st["face"]
    ax = st["aspect"]
    acc, ac = st["accessory"], st["acc_color"]
    if acc == "hair":
        for k in range(-3, 4):
            pen.circle(0.2 * k, -0.72 + 0.03 * abs(k) ** 2, 0.2, fill=ac)
    pen.ellipse(-0.8 * ax, -0.78, 0.8 * ax, 0.88, fill=face, outline=INK, width=0.06)
    dx, ey = st["eye_dx"], -0.08
    if st["blush"]:
        for s in (-1, 1):
            pen.ellipse(
                s * 0.5 - 0.12, 0.12, s * 0.5 + 0.12, 0.24, fill=lighter((240, 90, 110), 0.3)
            )
    if expr == "happy":
        _brows(pen, dx, -0.36, -0.38, 0.05)
        _eyes(pen, "dot", dx, ey)
        if st["variant"] == 0:
            pen.arc(0, 0.22, 0.38, 0.28, 20, 160, INK, 0.1)
        else:
            pen.chord(-0.38, 0.0, 0.38, 0.55, 0, 180, darker((200, 50, 60), 0.8))
            pen.chord(-0.38, 0.0, 0.38, 0.55, 0, 180, None)
            pen.rect(-0.3, 0.27, 0.3, 0.33, fill=(255, 255, 255))
            pen.arc(0, 0.275, 0.38, 0.275, 0, 180, INK, 0.05)
            pen.line([(-0.38, 0.275), (0.38, 0.275)], INK, 0.05)
    elif expr == "laughing":
        _brows(pen, dx, -0.42, -0.44, 0.06)
        _eyes(pen, "smile", dx, ey)
        pen.chord(-0.45, -0.05, 0.45, 0.7, 0, 180, (150, 30, 40))
        pen.chord(-0.3, 0.4, 0.3, 0.66, 180, 360, (240, 100, 110))
        pen.rect(-0.38, 0.32, 0.38, 0.4, fill=(255, 255, 255))
        pen.arc(0, 0.325, 0.45, 0.375, 0, 180, INK, 0.05)
        pen.line([(-0.45, 0.325), (0.45, 0.325)], INK, 0.05)
    elif expr == "sad":
        _brows(pen, dx, -0.44, -0.3)
        _eyes(pen, "dot", dx, ey + 0.02)
        pen.arc(0, 0.62, 0.3, 0.22, 205, 335, INK, 0.1)
    elif expr == "crying":
        _brows(pen, dx, -0.44, -0.3)
        _eyes(pen, "closed", dx, ey)
        pen.arc(0, 0.62, 0.3, 0.22, 205, 335, INK, 0.1)
        for s in (-1, 1):
            x = s * dx
            pen.poly(
                [(x - 0.07, ey + 0.08), (x + 0.07, ey + 0.08), (x + 0.1, 0.5), (x - 0.1, 0.5)],
                fill=(60, 150, 240),
            )
            pen.circle(x, 0.5, 0.1, fill=(60, 150, 240))
    elif expr == "angry":
        _brows(pen, dx, -0.2, -0.42)
        _eyes(pen, "dot", dx, ey + 0.04)
        if st["variant"] == 0:
            pen.arc(0, 0.6, 0.28, 0.16, 200, 340, INK, 0.1)
        else:
            pen.rect(
                -0.32, 0.3, 0.32, 0.52, fill=(255, 255, 255), outline=INK, width=0.06, radius=0.05
            )
            pen.line([(-0.32, 0.41), (0.32, 0.41)], INK, 0.04)
            for x in (-0.16, 0.0, 0.16):
                pen.line([(x, 0.3), (x, 0.52)], INK, 0.04)
    elif expr == "surprised":
        _brows(pen, dx, -0.46, -0.46, 0.08)
        _eyes(pen, "wide", dx, ey)
        pen.ellipse(-0.16, 0.22, 0.16, 0.62, fill=(110, 30, 40), outline=INK, width=0.06)
    elif expr == "scared":
        _brows(pen, dx, -0.52, -0.3)
        _eyes(pen, "fearful", dx, ey)
        pen.rect(-0.36, 0.28, 0.36, 0.56, fill=(255, 255, 255), outline=INK, width=0.06, radius=0.1)
        pen.line([(-0.36, 0.42), (0.36, 0.42)], INK, 0.04)
        for x in (-0.18, 0.0, 0.18):
            pen.line([(x, 0.28), (x, 0.56)], INK, 0.04)
        s = -1 if st["variant"] else 1
        x0 = s * 0.62
        pen.poly([(x0, -0.48), (x0 + 0.08, -0.32), (x0 - 0.08, -0.32)], fill=(80, 170, 240))
        pen.circle(x0, -0.3, 0.085, fill=(80, 170, 240))
    elif expr == "neutral":
        _brows(pen, dx, -0.37, -0.37)
        _eyes(pen, "dot", dx, ey)
        pen.line([(-0.26, 0.4), (0.26, 0.4)], INK, 0.1)
    elif expr == "sleepy":
        _brows(pen, dx, -0.3, -0.3)
        _eyes(pen, "closed", dx, ey + 0.04)
        pen.ellipse(-0.1, 0.33, 0.1, 0.5, fill=(110, 30, 40), outline=INK, width=0.04)
        # Kept inside the unit square so rotation and scaling never clip them.
        pen.text(0.6, -0.62, "Z", 0.3, (60, 90, 200))
        pen.text(0.8, -0.82, "z", 0.22, (60, 90, 200))
    if acc == "glasses":
        for s in (-1, 1):
            pen.circle(s * dx, ey, 0.2, outline=INK, width=0.045)
        pen.line([(-dx + 0.2, ey), (dx - 0.2, ey)], INK, 0.045)
    elif acc == "hat":
        pen.rect(-0.75, -0.74, 0.75, -0.62, fill=ac, outline=INK, width=0.04, radius=0.04)
        pen.rect(-0.45, -1.0, 0.45, -0.7, fill=ac, outline=INK, width=0.04)
    elif acc == "cap":
        pen.chord(-0.72, -0.98, 0.72, -0.3, 180, 360, ac)
        pen.rect(-0.1, -0.66, 0.98, -0.56, fill=darker(ac, 0.8), radius=0.04)
    elif acc == "bow":
        pen.poly([(0.45, -0.7), (0.25, -0.95), (0.2, -0.55)], fill=ac, outline=INK, width=0.03)
        pen.poly([(0.45, -0.7), (0.7, -0.92), (0.78, -0.5)], fill=ac, outline=INK, width=0.03)
        pen.circle(0.45, -0.7, 0.08, fill=darker(ac, 0.8))


def _difficulty(a: str, b: str) -> str:
    if {a, b} == {"scared", "surprised"}:
        return "hard"
    va, vb = EXPRESSIONS[a][3], EXPRESSIONS[b][3]
    if va * vb < 0:
        return "easy"
    if va == vb:
        return "hard"
    return "medium"


class Generator:
    """Emotion: two faces with distinct expressions (happy, sad, angry, ...).

    Faces vary in colour, aspect, accessories (glasses, hats, bows, hair) and mouth
    variant; each face's style is drawn independently, so only the expression answers.
    """

    name = "Emotion"

    def generate(self, rng: np.random.Generator) -> GeneratedItem:
        """Make one Emotion item from ``rng``."""
        # Draw an allowed pair, then which of the two is asked for: every expression is
        # then the answer in exactly half the items it appears in (no image-only prior).
        pair = pick(rng, PAIRS)
        target, other = pair if rng.random() < 0.5 else pair[::-1]
        vps, adjs, noun, valence = EXPRESSIONS[target]
        if EXPRESSIONS[other][3] == valence:
            vps = [v for v in vps if not any(w in v for w in VALENCE_WORDS)]
            adjs = [a for a in adjs if a not in VALENCE_WORDS]
        vp, adj = pick(rng, vps), pick(rng, adjs)
        t = int(rng.integers(len(TEMPLATES)))
        instruction = TEMPLATES[t].format(vp=vp, adj=adj, noun=noun, a_adj=article(adj))
        question = f"Which face {vp}?"
        st_c, st_d = _style(rng), _style(rng)
        correct = render(lambda p: _face(p, target, st_c), rng, max_rot=12.0, scale=(0.8, 1.0))
        distractor = render(lambda p: _face(p, other, st_d), rng, max_rot=12.0, scale=(0.8, 1.0))
        meta = {
            "concept": target,
            "distractor_concept": other,
            "phrase": vp,
            "template": t,
            "correct_style": {k: (list(v) if isinstance(v, tuple) else v) for k, v in st_c.items()},
            "distractor_style": {
                k: (list(v) if isinstance(v, tuple) else v) for k, v in st_d.items()
            },
        }
        return GeneratedItem(
            question, instruction, correct, distractor, _difficulty(target, other), meta
        )
