"""Size and opening time of the HTML study report for 10 models x 12 categories x 2 probe runs.

Usage::

    .venv/bin/python benchmarks/bench_report.py [--models 10] [--keep DIR]

Writes synthetic run folders through the real store (see
``tests/helpers/study_fixtures.py``), builds the page with ``write_html_report``,
opens it in headless Chromium (``/usr/bin/chromium``) and prints the page
size, the time to build it, the time from navigation start to the first
frame painted after load, and the main-thread CPU time Chromium spent on the
page (best of five each; the CPU time does not grow when other processes
share the machine). Targets (issue #8): < 5 MB, < 2 s.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.helpers.study_fixtures import (
    write_synthetic_probe,
    write_synthetic_run,
    write_synthetic_vlm_run,
)
from tests.report.test_report_browser import CHROMIUM, CHROMIUM_ARGS, timed_open

from act2answer.report.html import write_html_report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=10)
    parser.add_argument("--keep", type=Path, default=None, help="write the folders here")
    args = parser.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="bench_report_"))
    # One VLM and models - 1 VLAs, as in tests/report/test_report_browser.py.
    runs = [write_synthetic_vlm_run(root / "vlm", model="vlm", skill=[0.9], items_per_category=25)]
    runs += [
        write_synthetic_run(root / f"model-{i:02d}", policy=f"model-{i}", seed=i,
                            skill=[0.5 + 0.045 * ((i + c) % 11) for c in range(12)],
                            items_per_category=25)
        for i in range(args.models - 1)
    ]  # fmt: skip
    probes = [
        write_synthetic_probe(root / f"probe-{i}", retention=r, seed=i, prefix_layers=32)
        for i, r in enumerate((0.3, 0.7))
    ]
    start = time.perf_counter()
    html = write_html_report([*runs, *probes], root / "study.html")
    build_s = time.perf_counter() - start
    size_mb = html.stat().st_size / 1e6
    print(f"page: {html}")
    print(f"{args.models} models (1 VLM) x 12 categories x 2 probe runs")
    print(f"size: {size_mb:.2f} MB (target < 5 MB)")
    print(f"build (read runs, statistics, figures, template): {build_s:.1f} s")
    from playwright.sync_api import sync_playwright

    messages: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        runs = [timed_open(browser, html, messages) for _ in range(5)]
        browser.close()
    walls, cpus = zip(*runs, strict=True)
    print(f"open, first frame painted after load: best {min(walls):.0f} ms "
          f"(all: {', '.join(f'{t:.0f}' for t in walls)}; target < 2000 ms)")  # fmt: skip
    print(f"open, main-thread CPU time (parse, style, layout, paint): best {min(cpus):.0f} ms "
          f"(all: {', '.join(f'{t:.0f}' for t in cpus)})")  # fmt: skip
    if messages:
        print("console:", *messages, sep="\n  ")


if __name__ == "__main__":
    main()
