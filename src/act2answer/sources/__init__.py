"""Build suites from the study's source benchmarks (and any VQA set in their formats).

One module per source reads a local copy of the published files and yields
binary candidates or counted skips; :func:`convert` curates them into a
suite folder with a curation report::

    from act2answer.sources import convert
    suite, report = convert("iconqa", "data/iconqa_data", "suites/iconqa", per_category=150)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from act2answer.sources import compbench, concepts, iconqa, mmbench, okvqa
from act2answer.sources._files import ImageRef, SourceFileError
from act2answer.sources._model import Candidate, CurationReport, Skipped
from act2answer.sources.curate import CurationConfig, build_suite
from act2answer.sources.rewrite import LLMRewriter, Rewriter, TemplateRewriter
from act2answer.suite import Suite


@dataclass(frozen=True)
class SourceSpec:
    """A registered converter: name, study categories, the files it expects, its reader."""

    name: str
    categories: tuple[str, ...]
    expected: str
    summary: str
    records: Callable[[Path, int], Iterator[Candidate | Skipped]]


SOURCES: dict[str, SourceSpec] = {
    module.NAME: SourceSpec(
        module.NAME,
        module.CATEGORIES,
        module.EXPECTED,
        (module.__doc__ or "").strip().splitlines()[0],
        module.records,
    )
    for module in (compbench, iconqa, mmbench, okvqa, concepts)
}


def convert(
    source: str,
    data: Path | str,
    out: Path | str,
    *,
    config: CurationConfig | None = None,
    rewriters: list[Rewriter] | None = None,
    name: str | None = None,
) -> tuple[Suite, CurationReport]:
    """Read ``data`` with the ``source`` converter and write a curated suite to ``out``."""
    if source not in SOURCES:
        raise SourceFileError(Path(str(data)), f"unknown source {source!r}; one of {list(SOURCES)}")
    config = config or CurationConfig()
    data = Path(data)
    if not data.exists():
        raise SourceFileError(data, "dataset folder does not exist")
    records = SOURCES[source].records(data, config.seed)
    return build_suite(
        records, out, source=source, config=config, rewriters=rewriters, name=name
    )


__all__ = [
    "SOURCES",
    "Candidate",
    "CurationConfig",
    "CurationReport",
    "ImageRef",
    "LLMRewriter",
    "Skipped",
    "SourceFileError",
    "SourceSpec",
    "TemplateRewriter",
    "build_suite",
    "convert",
]
