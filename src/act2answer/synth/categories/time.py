"""Time: analog clocks; "the clock that shows half past three"."""

from __future__ import annotations

import math

import numpy as np
from PIL import Image

from act2answer.synth._base import GeneratedItem
from act2answer.synth._draw import RGB, Canvas, choice

HOUR_WORDS = ("twelve", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
              "ten", "eleven", "twelve")  # fmt: skip
MINUTE_WORDS = {5: "five", 10: "ten", 15: "quarter", 20: "twenty", 25: "twenty-five", 30: "half"}

#: Clock geometry as fractions of the face radius (checks rely on the bands between them).
HOUR_HAND = 0.44
MINUTE_HAND = 0.8
HOUR_WIDTH = 0.11
MINUTE_WIDTH = 0.065

BACKGROUNDS: tuple[RGB, ...] = ((212, 226, 242), (236, 222, 200), (214, 236, 214), (238, 216, 232))
FACES: tuple[RGB, ...] = ((255, 255, 255), (255, 251, 236))
RIMS: tuple[RGB, ...] = ((25, 50, 120), (170, 30, 40), (30, 30, 30), (20, 110, 60), (120, 70, 30))
HANDS: tuple[RGB, ...] = ((20, 20, 20), (25, 40, 90))

TEMPLATES = (
    "put the cube on the clock that shows {t}",
    "place the cube on the clock showing {t}",
    "put the cube on the clock that reads {t}",
    "move the cube onto the clock where it is {t}",
)
QUESTIONS = ("Which clock shows {t}?", "On which clock is it {t}?")


def time_words(hour: int, minute: int) -> str:
    """English wording of a 5-minute time: ``(3, 30)`` -> ``"half past three"``."""
    if minute == 0:
        return f"{HOUR_WORDS[hour]} o'clock"
    if minute <= 30:
        return f"{MINUTE_WORDS[minute]} past {HOUR_WORDS[hour]}"
    return f"{MINUTE_WORDS[60 - minute]} to {HOUR_WORDS[hour % 12 + 1]}"


def hand_angles(hour: int, minute: int) -> tuple[float, float]:
    """Clockwise angles from 12 o'clock (degrees) of the hour and minute hands."""
    return ((hour % 12) * 30 + minute * 0.5) % 360, minute * 6.0


class Generator:
    """Time category generator."""

    name = "Time"
    version = "1"

    def generate(self, rng: np.random.Generator) -> GeneratedItem:
        level = choice(rng, ("easy", "easy", "medium", "hard"))
        hour = int(rng.integers(1, 13))
        if level == "easy":
            minute = int(choice(rng, (0, 30)))
        elif level == "medium":
            minute = int(choice(rng, (15, 45)))
        else:
            minute = int(rng.integers(0, 12)) * 5
        d_hour, d_minute, mode = _distractor(rng, hour, minute, level)
        style = _style(rng)
        correct = draw_clock(hour, minute, style)
        distractor = draw_clock(d_hour, d_minute, style)
        t = f"{hour}:{minute:02d}" if rng.random() < 0.5 else time_words(hour, minute)
        return GeneratedItem(
            question=choice(rng, QUESTIONS).format(t=t),
            instruction=choice(rng, TEMPLATES).format(t=t),
            correct=correct,
            distractor=distractor,
            difficulty="hard" if mode in ("swapped", "hour_off_by_one") else level,
            meta={
                "hour": hour,
                "minute": minute,
                "distractor_hour": d_hour,
                "distractor_minute": d_minute,
                "distractor_mode": mode,
                "time_text": t,
                "style": style,
            },
        )


def _distractor(
    rng: np.random.Generator, hour: int, minute: int, level: str
) -> tuple[int, int, str]:
    if level == "hard":
        # Read the hands the wrong way round: minute hand as hour, hour hand as minute.
        hour_angle, minute_angle = hand_angles(hour, minute)
        s_hour = round(minute_angle / 30) % 12 or 12
        s_minute = round(hour_angle / 30) * 5 % 60
        if (s_hour, s_minute) != (hour, minute) and rng.random() < 0.6:
            return s_hour, s_minute, "swapped"
        return (hour % 12) + 1, minute, "hour_off_by_one"
    if rng.random() < 0.5:  # same minutes, hour at least 2 away
        shift = int(rng.integers(2, 11))
        return (hour - 1 + shift) % 12 + 1, minute, "other_hour"
    other_minutes = [m for m in (0, 15, 30, 45) if m != minute]
    shift = int(rng.integers(0, 12))
    return (hour - 1 + shift) % 12 + 1, int(choice(rng, other_minutes)), "other_time"


def _style(rng: np.random.Generator) -> dict[str, object]:
    return {
        "numerals": choice(rng, ("all", "all", "quarters", "none")),
        "background": list(choice(rng, BACKGROUNDS)),
        "face": list(choice(rng, FACES)),
        "rim": list(choice(rng, RIMS)),
        "hands": list(choice(rng, HANDS)),
        "radius": float(rng.uniform(205, 235)),
        "square": bool(rng.random() < 0.2),
    }


def draw_clock(hour: int, minute: int, style: dict[str, object]) -> Image.Image:
    """Draw an analog clock face showing ``hour:minute``."""
    bg, face, rim, hands = (tuple(style[k]) for k in ("background", "face", "rim", "hands"))  # type: ignore[call-overload]
    radius = float(style["radius"])  # type: ignore[arg-type]
    cx = cy = 256.0
    canvas = Canvas(bg=bg)  # type: ignore[arg-type]
    rim_width = radius * 0.08
    if style["square"]:
        r = radius
        canvas.rectangle((cx - r, cy - r, cx + r, cy + r), fill=rim)  # type: ignore[arg-type]
        canvas.circle((cx, cy), r - rim_width * 0.6, fill=face)  # type: ignore[arg-type]
    else:
        canvas.circle((cx, cy), radius, fill=rim)  # type: ignore[arg-type]
        canvas.circle((cx, cy), radius - rim_width, fill=face)  # type: ignore[arg-type]
    inner = radius - rim_width
    for k in range(12):
        a = math.radians(k * 30)
        sx, sy = math.sin(a), -math.cos(a)
        major = k % 3 == 0
        r0 = inner * (0.86 if major else 0.9)
        canvas.line((cx + sx * r0, cy + sy * r0), (cx + sx * inner * 0.97, cy + sy * inner * 0.97),
                    hands, inner * (0.035 if major else 0.022))  # type: ignore[arg-type]  # fmt: skip
    numerals = style["numerals"]
    if numerals != "none":
        for k in range(1, 13):
            if numerals == "quarters" and k % 3:
                continue
            a = math.radians(k * 30)
            rr = inner * 0.72
            canvas.text((cx + math.sin(a) * rr, cy - math.cos(a) * rr), str(k),
                        size=inner * (0.21 if numerals == "quarters" else 0.18),
                        fill=hands)  # type: ignore[arg-type]  # fmt: skip
    hour_angle, minute_angle = hand_angles(hour, minute)
    for angle, length, width in (
        (hour_angle, HOUR_HAND, HOUR_WIDTH),
        (minute_angle, MINUTE_HAND, MINUTE_WIDTH),
    ):
        a = math.radians(angle)
        tip = (cx + math.sin(a) * inner * length, cy - math.cos(a) * inner * length)
        tail = (cx - math.sin(a) * inner * 0.08, cy + math.cos(a) * inner * 0.08)
        canvas.line(tail, tip, hands, inner * width)  # type: ignore[arg-type]
    canvas.circle((cx, cy), inner * 0.07, fill=hands)  # type: ignore[arg-type]
    return canvas.finish()
