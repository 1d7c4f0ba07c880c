"""Time: analog and digital clocks; "the clock that shows half past three".

Digital clocks copy the reference study's items (an alarm clock with an LCD
showing "9:30", "put cube on clock shows nine thirty"); both options of an item
are the same kind of clock in the same style, so only the time differs.
"""

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
MINUTE_HAND = 0.86
#: Hands at least ~1.2 px wide on the far tile of a 224 px frame (issue #23: the minute
#: hand was 0.065 of the radius, ~0.7 px there).
HOUR_WIDTH = 0.17
MINUTE_WIDTH = 0.12

BACKGROUNDS: tuple[RGB, ...] = ((212, 226, 242), (236, 222, 200), (214, 236, 214), (238, 216, 232))
FACES: tuple[RGB, ...] = ((255, 255, 255), (255, 251, 236))
RIMS: tuple[RGB, ...] = ((25, 50, 120), (170, 30, 40), (30, 30, 30), (20, 110, 60), (120, 70, 30))
HANDS: tuple[RGB, ...] = ((20, 20, 20), (25, 40, 90))

#: Share of items drawn as digital clocks.
DIGITAL_SHARE = 0.5
#: Seven-segment digit geometry (512 px image pixels): digit width, height, stroke, gap.
#: The stroke is ~1.3 px on the far tile of a 224 px frame (it was 20 px, ~1.1 px there).
DIGIT_W, DIGIT_H, SEGMENT, DIGIT_GAP, COLON_W = 78.0, 150.0, 24.0, 14.0, 26.0
#: Segments lit per digit (a top, b top right, c bottom right, d bottom, e bottom left,
#: f top left, g middle).
SEGMENTS = {
    "0": "abcdef", "1": "bc", "2": "abdeg", "3": "abcdg", "4": "bcfg",
    "5": "acdfg", "6": "acdefg", "7": "abc", "8": "abcdefg", "9": "abcdfg",
}  # fmt: skip
BODIES: tuple[RGB, ...] = ((60, 160, 220), (120, 100, 210), (235, 140, 60), (200, 80, 200),
                           (50, 170, 150), (220, 70, 80))  # fmt: skip
SCREENS: tuple[RGB, ...] = ((214, 220, 210), (226, 226, 222), (200, 214, 200))
DIGIT_INK: RGB = (28, 30, 34)
NUMBER_WORDS = ("oh", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
                "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
                "seventeen", "eighteen", "nineteen")  # fmt: skip
TENS_WORDS = {2: "twenty", 3: "thirty", 4: "forty", 5: "fifty"}

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


def digital_words(hour: int, minute: int) -> str:
    """A digital time read aloud: ``(9, 30)`` -> "nine thirty", ``(3, 5)`` -> "three oh five"."""
    if minute == 0:
        return f"{HOUR_WORDS[hour]} o'clock"
    if minute < 10:
        return f"{HOUR_WORDS[hour]} oh {NUMBER_WORDS[minute]}"
    if minute < 20:
        return f"{HOUR_WORDS[hour]} {NUMBER_WORDS[minute]}"
    tens, ones = divmod(minute, 10)
    words = TENS_WORDS[tens] + (f"-{NUMBER_WORDS[ones]}" if ones else "")
    return f"{HOUR_WORDS[hour]} {words}"


def hand_angles(hour: int, minute: int) -> tuple[float, float]:
    """Clockwise angles from 12 o'clock (degrees) of the hour and minute hands."""
    return ((hour % 12) * 30 + minute * 0.5) % 360, minute * 6.0


class Generator:
    """Time category generator."""

    name = "Time"
    version = "2"

    def generate(self, rng: np.random.Generator) -> GeneratedItem:
        level = choice(rng, ("easy", "easy", "medium", "hard"))
        hour = int(rng.integers(1, 13))
        if level == "easy":
            minute = int(choice(rng, (0, 30)))
        elif level == "medium":
            minute = int(choice(rng, (15, 45)))
        else:
            minute = int(rng.integers(0, 12)) * 5
        digital = bool(rng.random() < DIGITAL_SHARE)
        if digital:
            d_hour, d_minute, mode = _digital_distractor(rng, hour, minute, level)
            style = _digital_style(rng)
            correct = draw_digital_clock(hour, minute, style)
            distractor = draw_digital_clock(d_hour, d_minute, style)
            words = digital_words(hour, minute) if rng.random() < 0.5 else time_words(hour, minute)
        else:
            d_hour, d_minute, mode = _distractor(rng, hour, minute, level)
            style = _style(rng)
            correct = draw_clock(hour, minute, style)
            distractor = draw_clock(d_hour, d_minute, style)
            words = time_words(hour, minute)
        t = f"{hour}:{minute:02d}" if rng.random() < 0.5 else words
        return GeneratedItem(
            question=choice(rng, QUESTIONS).format(t=t),
            instruction=choice(rng, TEMPLATES).format(t=t),
            correct=correct,
            distractor=distractor,
            difficulty="hard" if mode in ("swapped", "hour_off_by_one", "minute_digits") else level,
            meta={
                "display": "digital" if digital else "analog",
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
        return _hour_off_by_one(rng, hour), minute, "hour_off_by_one"
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


def _hour_off_by_one(rng: np.random.Generator, hour: int) -> int:
    """An hour before or after ``hour`` (1-12), either way equally often.

    Always the next hour (version 1) let "the earlier clock" answer every
    hour-off-by-one item without the instruction (the per-mode audit,
    ``suite audit --by-meta distractor_mode``, found it: 82% on 20 items).
    """
    step = 1 if rng.random() < 0.5 else -1
    return (hour - 1 + step) % 12 + 1


# ----------------------------------------------------------------------------- digital


def _digital_distractor(
    rng: np.random.Generator, hour: int, minute: int, level: str
) -> tuple[int, int, str]:
    if level == "hard":
        flipped = (minute % 10) * 10 + minute // 10  # 3:45 vs 3:54: the same digits moved
        if flipped < 60 and flipped != minute and rng.random() < 0.6:
            return hour, flipped, "minute_digits"
        return _hour_off_by_one(rng, hour), minute, "hour_off_by_one"
    return _distractor(rng, hour, minute, level)


def _digital_style(rng: np.random.Generator) -> dict[str, object]:
    return {
        "background": list(choice(rng, BACKGROUNDS)),
        "body": list(choice(rng, BODIES)),
        "screen": list(choice(rng, SCREENS)),
        "dx": float(rng.uniform(-12, 12)),
        "dy": float(rng.uniform(-12, 12)),
    }


def draw_digital_clock(hour: int, minute: int, style: dict[str, object]) -> Image.Image:
    """Draw an alarm clock whose seven-segment LCD shows ``hour:minute`` (12-hour, "9:30")."""
    bg, body, screen = (tuple(style[k]) for k in ("background", "body", "screen"))  # type: ignore[call-overload]
    dx, dy = float(style["dx"]), float(style["dy"])  # type: ignore[arg-type]
    canvas = Canvas(bg=bg)  # type: ignore[arg-type]
    cx, cy = 256 + dx, 256 + dy
    dark = tuple(round(c * 0.55) for c in body)
    for side in (-1, 1):  # bells and feet
        canvas.circle((cx + side * 150, cy - 150), 42, fill=dark)  # type: ignore[arg-type]
        canvas.rectangle((cx + side * 170 - 18, cy + 140, cx + side * 170 + 18, cy + 178),
                         fill=dark)  # type: ignore[arg-type]  # fmt: skip
    canvas.draw.rounded_rectangle(
        [v * canvas.ss for v in (cx - 236, cy - 150, cx + 236, cy + 160)],
        radius=40 * canvas.ss, fill=body, outline=dark, width=8 * canvas.ss,
    )  # type: ignore[arg-type]  # fmt: skip
    canvas.rectangle((cx - 214, cy - 112, cx + 214, cy + 122), fill=screen, outline=(40, 40, 45),
                     width=8)  # type: ignore[arg-type]  # fmt: skip
    text = f"{hour}:{minute:02d}"
    widths = [COLON_W if ch == ":" else DIGIT_W for ch in text]
    total = sum(widths) + DIGIT_GAP * (len(text) - 1)
    x = cx - total / 2
    top = cy + 5 - DIGIT_H / 2
    for ch, w in zip(text, widths, strict=True):
        if ch == ":":
            for fy in (0.3, 0.7):
                y = top + DIGIT_H * fy
                canvas.rectangle((x + 3, y - 12, x + w - 3, y + 12), fill=DIGIT_INK)
        else:
            _digit(canvas, ch, x, top)
        x += w + DIGIT_GAP
    return canvas.finish()


def _digit(canvas: Canvas, digit: str, x: float, y: float) -> None:
    """One seven-segment digit with its top-left corner at ``(x, y)``."""
    w, h, t = DIGIT_W, DIGIT_H, SEGMENT
    gap = 3.0
    mid = y + h / 2
    boxes = {
        "a": (x + t / 2 + gap, y, x + w - t / 2 - gap, y + t),
        "g": (x + t / 2 + gap, mid - t / 2, x + w - t / 2 - gap, mid + t / 2),
        "d": (x + t / 2 + gap, y + h - t, x + w - t / 2 - gap, y + h),
        "f": (x, y + t / 2 + gap, x + t, mid - gap),
        "b": (x + w - t, y + t / 2 + gap, x + w, mid - gap),
        "e": (x, mid + gap, x + t, y + h - t / 2 - gap),
        "c": (x + w - t, mid + gap, x + w, y + h - t / 2 - gap),
    }
    for segment in SEGMENTS[digit]:
        canvas.rectangle(boxes[segment], fill=DIGIT_INK)
