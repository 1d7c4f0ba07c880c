"""mkdocs hook: keep Python subscripts in generated prose (``x['actions'][0]``) from reading as
reference-style links, which mkdocs-autorefs would report as unknown cross-references.

docs/reference/presets.md is generated from ``PRESET_TABLE`` (``python -m act2answer.policies.presets``)
and its source strings quote code such as ``decode_actions(...)['actions'][0]``.
"""

from __future__ import annotations

import re

_SUBSCRIPT = re.compile(r"\]\[(\d+)\]")


def on_page_markdown(markdown: str, **kwargs: object) -> str:
    return _SUBSCRIPT.sub(r"]\\[\1]", markdown)
