"""Review UI: the JSON API, atomic writes under SIGKILL, and an end-to-end run in Chromium."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from act2answer.quality.check import check_suite
from act2answer.review import make_server
from act2answer.suite import load_suite
from act2answer.suite.review import load_reviews
from tests.conftest import make_colour_suite
from tests.helpers.tiers import CHROMIUM

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def server_url(tmp_path: Path) -> Iterator[str]:
    make_colour_suite(tmp_path / "suite", n=4)
    server = make_server(tmp_path / "suite", "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def post(url: str, payload: dict[str, object]) -> tuple[int, dict[str, object]]:
    request = urllib.request.Request(
        f"{url}/api/decision", data=json.dumps(payload).encode(), method="POST",
        headers={"Content-Type": "application/json"},
    )  # fmt: skip
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_api_validates_and_writes(server_url: str, tmp_path: Path) -> None:
    suite = tmp_path / "suite"
    assert post(server_url, {"id": "item-0", "action": "reject"})[0] == 400  # no reason
    assert post(server_url, {"id": "nope", "action": "approve"})[0] == 404
    assert post(server_url, {"id": "item-0", "action": "edit", "instruction": " "})[0] == 400
    assert post(server_url, {"id": "item-0", "action": "delete"})[0] == 400
    form = urllib.request.Request(f"{server_url}/api/decision", method="POST",
                                  data=b'{"id": "item-0", "action": "approve"}',
                                  headers={"Content-Type": "text/plain"})  # fmt: skip
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(form, timeout=10)
    assert refused.value.code == 415
    status, item = post(server_url, {"id": "item-0", "action": "swap"})
    assert status == 200 and item["answer"] == 1
    assert load_suite(suite).item("item-0").answer == 1
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(f"{server_url}/img/../../etc/passwd", timeout=10)
    assert info.value.code == 404
    with urllib.request.urlopen(f"{server_url}/img/img/0_a.png", timeout=10) as response:
        assert response.read()[:4] == b"\x89PNG"


def test_killed_server_keeps_every_acknowledged_decision(tmp_path: Path) -> None:
    make_colour_suite(tmp_path / "suite", n=4)
    process = subprocess.Popen(
        [sys.executable, "-m", "act2answer.cli.main", "review", str(tmp_path / "suite"),
         "--port", "0"],
        stdout=subprocess.PIPE, text=True, env={**os.environ, "COLUMNS": "200"},
    )  # fmt: skip
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        url = line.split(" at ")[1].split()[0].rstrip("/")
        assert url.startswith("http://127.0.0.1:")
        for index in range(4):
            action = {"id": f"item-{index}", "action": "approve"}
            if index == 2:
                action = {"id": "item-2", "action": "edit", "instruction": "put the cube on X"}
            assert post(url, action)[0] == 200
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    reviews = load_reviews(tmp_path / "suite")
    assert [reviews[f"item-{i}"].decision for i in (0, 1, 3)] == ["approved"] * 3
    assert reviews["item-2"].original_instruction is not None
    assert load_suite(tmp_path / "suite").item("item-2").instruction == "put the cube on X"
    assert not list((tmp_path / "suite").glob(".*.tmp"))


@pytest.mark.browser
def test_review_in_headless_chromium(server_url: str, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    suite = tmp_path / "suite"
    before = load_suite(suite)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_FLAGS
        )
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 820})
            page.goto(server_url + "/")
            page.wait_for_selector("body[data-ready=true]")
            assert page.inner_text("#item-id") == "item-0"
            page.keyboard.press("a")  # approve item-0, move on
            page.wait_for_function("document.getElementById('item-id').textContent === 'item-1'")
            page.keyboard.press("e")  # edit item-1's instruction
            page.fill("#instruction-input", "put the cube on the blue square")
            page.keyboard.press("Enter")
            page.wait_for_function(
                "document.getElementById('instruction-text').textContent.includes('blue square')"
            )
            page.keyboard.press("s")  # swap its answer
            page.wait_for_function("document.getElementById('answer').textContent"
                                   ".includes('swapped')")  # fmt: skip
            page.keyboard.press("r")  # reject it with a reason
            page.fill("#reason-input", "both patches look alike")
            page.keyboard.press("k")  # typing in the box must not navigate
            page.keyboard.press("Enter")
            page.wait_for_function("document.getElementById('item-id').textContent === 'item-2'")
            page.keyboard.press("k")
            page.wait_for_function("document.getElementById('decision').textContent "
                                   "=== 'rejected'")  # fmt: skip
            screenshot = tmp_path / "review.png"
            page.screenshot(path=str(screenshot))
            assert "1 approved, 1 rejected" in page.inner_text("#progress")
        finally:
            browser.close()
    if target := os.environ.get("ACT2ANSWER_REVIEW_SCREENSHOT"):
        shutil.copy(screenshot, target)
    assert screenshot.stat().st_size > 10_000
    after = load_suite(suite)
    edited = after.item("item-1")
    assert edited.instruction == "put the cube on the blue square"
    assert edited.answer == 1 - before.item("item-1").answer
    reviews = load_reviews(suite)
    assert reviews["item-0"].decision == "approved"
    assert reviews["item-1"].decision == "rejected"
    assert reviews["item-1"].reason == "both patches look alikek"
    assert reviews["item-1"].original_instruction == before.item("item-1").instruction
    assert reviews["item-1"].swapped
    coverage = check_suite(suite, hash_duplicates=False).review
    assert coverage is not None and (coverage.approved, coverage.rejected) == (1, 1)
    assert coverage.unreviewed == 2
