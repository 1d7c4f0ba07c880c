"""Contact sheets of a suite: option tiles at policy size, and first simulator frames."""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from act2answer.errors import ImageFileError
from act2answer.suite._io import load_suite
from act2answer.suite._model import Suite, SuiteItem
from act2answer.suite.images import read_rgb

_BG = (255, 255, 255)
_CORRECT = (20, 170, 60)
_WRONG = (200, 200, 200)


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def _tile(suite: Suite, relative: str, tile_px: int) -> Image.Image:
    try:
        image = Image.fromarray(read_rgb(suite.image_path(relative)))
        return image.resize((tile_px, tile_px), Image.Resampling.LANCZOS)
    except ImageFileError:
        broken = Image.new("RGB", (tile_px, tile_px), (255, 230, 230))
        draw = ImageDraw.Draw(broken)
        draw.line((0, 0, tile_px, tile_px), fill=(200, 0, 0), width=3)
        draw.line((0, tile_px, tile_px, 0), fill=(200, 0, 0), width=3)
        return broken


def make_contact_sheet(
    root: Path | str, out_png: Path | str, per_category: int = 6, tile_px: int = 96
) -> Path:
    """Draw the first ``per_category`` items of each category as a grid.

    Each item shows both options side by side, downscaled to ``tile_px`` (the
    size a policy sees them at), the correct one framed in green, and the
    start of the instruction underneath.

    Args:
        root: Suite folder.
        out_png: Output PNG path.
        per_category: Items per category row.
        tile_px: Side of each option tile in pixels.

    Returns:
        The written path.
    """
    suite = load_suite(root, check_images=False)
    by_category: dict[str, list[SuiteItem]] = {}
    for item in suite.items:
        group = by_category.setdefault(item.category, [])
        if len(group) < per_category:
            group.append(item)
    label_w, pad, frame = 130, 14, 4
    pair_w = 2 * (tile_px + 2 * frame) + 4
    text_h = 30
    row_h = tile_px + 2 * frame + text_h + pad
    width = label_w + per_category * (pair_w + pad) + pad
    height = pad + len(by_category) * row_h + 24
    sheet = Image.new("RGB", (width, height), _BG)
    draw = ImageDraw.Draw(sheet)
    title_font, label_font, small = _font(16), _font(15), _font(10)
    draw.text((pad, 4), f"{suite.name}  ({len(suite.items)} items, tiles {tile_px} px)",
              fill=(0, 0, 0), font=title_font)  # fmt: skip
    chars = max(12, pair_w // 6)
    for row, (category, items) in enumerate(by_category.items()):
        y = 24 + pad + row * row_h
        draw.text((pad, y + tile_px // 2), category, fill=(0, 0, 0), font=label_font)
        for col, item in enumerate(items):
            x = label_w + col * (pair_w + pad)
            for side, option in enumerate(item.options):
                tx = x + side * (tile_px + 2 * frame + 4)
                color = _CORRECT if side == item.answer else _WRONG
                draw.rectangle((tx, y, tx + tile_px + 2 * frame - 1, y + tile_px + 2 * frame - 1),
                               fill=color)  # fmt: skip
                sheet.paste(_tile(suite, option, tile_px), (tx + frame, y + frame))
            caption = textwrap.wrap(item.instruction.removeprefix("put the cube on "), chars)[:2]
            for k, text in enumerate(caption):
                draw.text((x, y + tile_px + 2 * frame + 2 + k * 12), text, fill=(60, 60, 60),
                          font=small)  # fmt: skip
    out = Path(out_png)
    out.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(out)
    return out


def render_first_frames(
    root: Path | str, out_png: Path | str, n: int = 4, policy_px: int = 224
) -> Path:
    """Render the first simulator frame of ``n`` items spread over the suite.

    Each episode is shown twice: the 640x480 frame, and beside it the frame a
    policy sees, rendered at ``policy_px`` x ``policy_px`` (shown at 2x with
    nearest-neighbour scaling, so every policy pixel is visible). Options are
    shown correct-left for even and correct-right for odd frames. Needs the
    simulator (``act2answer.sim``, MuJoCo with an offscreen GL backend).

    Args:
        root: Suite folder.
        out_png: Output PNG path.
        n: Number of episodes.
        policy_px: Side of the policy-resolution frame (224; some policies use 256).

    Returns:
        The written path.
    """
    from act2answer.sim import SimConfig, make_env

    suite = load_suite(root)
    step = max(1, len(suite.items) // max(1, n))
    items = list(suite.items[::step])[:n]
    width, height = 640, 480
    env = make_env(SimConfig(camera_width=width, camera_height=height))
    frames = []
    try:
        for index, item in enumerate(items):
            correct = read_rgb(suite.image_path(item.options[item.answer]))
            wrong = read_rgb(suite.image_path(item.options[1 - item.answer]))
            left, right = (correct, wrong) if index % 2 == 0 else (wrong, correct)
            env.set_tiles(left, right)
            env.reset(seed=index, instruction=item.instruction)
            full = np.asarray(env.render(), dtype=np.uint8)
            small = np.asarray(env.render(width=policy_px, height=policy_px), dtype=np.uint8)
            frames.append((item, full, small))
    finally:
        env.close()
    small_w = 2 * policy_px + 8
    cols = 2
    rows = (len(frames) + cols - 1) // cols
    caption_h = 22
    cell_w = width + small_w
    sheet = Image.new("RGB", (cols * cell_w, rows * (height + caption_h)), _BG)
    draw = ImageDraw.Draw(sheet)
    for k, (item, frame, small) in enumerate(frames):
        x, y = (k % cols) * cell_w, (k // cols) * (height + caption_h)
        sheet.paste(Image.fromarray(frame), (x, y + caption_h))
        zoom = Image.fromarray(small).resize(
            (2 * policy_px, 2 * policy_px), Image.Resampling.NEAREST
        )
        sheet.paste(zoom, (x + width + 4, y + caption_h))
        draw.text((x + 6, y + 4), f"{item.id}: {item.instruction}  (right: {policy_px} px, 2x)",
                  fill=(0, 0, 0), font=_font(14))  # fmt: skip
    out = Path(out_png)
    out.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(out)
    return out
