"""One preset table: every preset is data in PRESET_TABLE, the docs page is generated from it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from act2answer.errors import PolicyError
from act2answer.policies.presets import PRESET_TABLE, get_preset, preset_names, presets_markdown

DOCS_PAGE = Path(__file__).resolve().parents[2] / "docs" / "reference" / "presets.md"


def test_docs_page_is_generated_from_the_table():
    assert DOCS_PAGE.read_text(encoding="utf-8") == presets_markdown(), (
        "docs/reference/presets.md is out of date: run "
        "`python -m act2answer.policies.presets > docs/reference/presets.md`"
    )
    for preset in PRESET_TABLE:
        assert f"`{preset.name}`" in DOCS_PAGE.read_text(encoding="utf-8")


def test_every_table_entry_is_known_by_name_without_importing_adapters():
    names = [preset.name for preset in PRESET_TABLE]
    assert len(set(names)) == len(names)
    assert set(names) <= set(preset_names())
    code = (
        "import sys\n"
        "from act2answer.policies.presets import preset_names\n"
        "assert 'pi05-libero' in preset_names()\n"
        "print(sorted(m for m in sys.modules if m.startswith('act2answer.adapters')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_unknown_names_get_a_suggestion_in_every_registry():
    from act2answer.errors import SynthError
    from act2answer.policies import make_policy
    from act2answer.synth.categories import get_generator
    from act2answer.vlm.backends import BACKENDS

    with pytest.raises(PolicyError, match="did you mean 'bridge-magma'"):
        get_preset("bridge-magm")
    with pytest.raises(PolicyError, match="did you mean 'oracle'"):
        make_policy("oracel")
    with pytest.raises(SynthError, match="unknown category 'colr'; did you mean"):
        get_generator("colr")
    with pytest.raises(Exception, match="did you mean 'openai'"):
        BACKENDS.get("opena")
