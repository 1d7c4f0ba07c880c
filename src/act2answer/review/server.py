"""A local HTTP server for reviewing a suite: one page, a small JSON API, atomic writes.

Routes: ``GET /`` (the page), ``GET /api/items``, ``GET /img/<option path>``,
``POST /api/decision`` with ``{"id", "action": "approve" | "reject" | "edit" |
"swap", "reason"?, "instruction"?}``. Each accepted decision is on disk
(``suite.jsonl`` and ``review.json``, both replaced atomically) before the
reply is sent.
"""

from __future__ import annotations

import json
import mimetypes
import threading
from collections.abc import Callable
from datetime import datetime, timezone
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from pydantic import ValidationError

from act2answer.errors import Act2AnswerError
from act2answer.suite import SUITE_FILE, SuiteItem, load_suite
from act2answer.suite.review import (
    ReviewDecision,
    atomic_write_text,
    load_reviews,
    save_reviews,
)

MAX_BODY = 64 * 1024


class ReviewStore:
    """The suite folder as the server sees it; all changes go through :meth:`apply`."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root).resolve()
        load_suite(self.root)  # refuse a broken suite before serving it
        self.lock = threading.Lock()

    def _lines(self) -> list[str]:
        return (self.root / SUITE_FILE).read_text(encoding="utf-8").splitlines()

    def items(self) -> list[dict[str, Any]]:
        reviews = load_reviews(self.root)
        out = []
        for line in self._lines():
            if not line.strip():
                continue
            item = SuiteItem.model_validate_json(line)
            review = reviews.get(item.id, ReviewDecision())
            out.append({**item.model_dump(mode="json"), "review": review.model_dump()})
        return out

    def apply(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Apply one reviewer action and return the updated item (with its review)."""
        item_id, action = payload.get("id"), payload.get("action")
        if not isinstance(item_id, str) or action not in ("approve", "reject", "edit", "swap"):
            raise ValueError("need an item id and action approve | reject | edit | swap")
        with self.lock:
            lines = self._lines()
            index = next(
                (n for n, line in enumerate(lines)
                 if line.strip() and json.loads(line).get("id") == item_id),
                None,
            )  # fmt: skip
            if index is None:
                raise KeyError(item_id)
            data = json.loads(lines[index])
            reviews = load_reviews(self.root)
            review = reviews.get(item_id, ReviewDecision())
            if action == "edit":
                instruction = str(payload.get("instruction") or "").strip()
                if not instruction:
                    raise ValueError("the instruction is empty")
                if review.original_instruction is None:
                    review.original_instruction = data["instruction"]
                data["instruction"] = instruction
            elif action == "swap":
                data["answer"] = 1 - int(data["answer"])
                review.swapped = not review.swapped
            elif action == "approve":
                review.decision, review.reason = "approved", ""
            else:
                reason = str(payload.get("reason") or "").strip()
                if not reason:
                    raise ValueError("a rejection needs a reason")
                review.decision, review.reason = "rejected", reason
            item = SuiteItem.model_validate(data)  # never write an invalid line
            if action in ("edit", "swap"):
                lines[index] = json.dumps(item.model_dump(mode="json"), ensure_ascii=False)
                atomic_write_text(self.root / SUITE_FILE, "\n".join(lines) + "\n")
            review.updated = datetime.now(timezone.utc).isoformat(timespec="seconds")
            reviews[item_id] = review
            save_reviews(self.root, reviews)
            return {**item.model_dump(mode="json"), "review": review.model_dump()}

    def image(self, relative: str) -> Path | None:
        path = (self.root / relative).resolve()
        if not path.is_relative_to(self.root) or not path.is_file():
            return None
        return path


def _page() -> bytes:
    return resources.files("act2answer.review").joinpath("page.html").read_bytes()


def make_handler(store: ReviewStore) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "act2answer-review"

        def log_message(self, format: str, *args: Any) -> None:  # quiet by default
            pass

        def _send(self, status: int, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def _json(self, status: int, value: Any) -> None:
            self._send(status, json.dumps(value).encode(), "application/json")

        def do_GET(self) -> None:
            path = unquote(urlparse(self.path).path)
            if path in ("/", "/index.html"):
                self._send(HTTPStatus.OK, _page(), "text/html; charset=utf-8")
            elif path == "/api/items":
                self._json(HTTPStatus.OK, {"suite": store.root.name, "items": store.items()})
            elif path.startswith("/img/") and (image := store.image(path[5:])) is not None:
                kind = mimetypes.guess_type(image.name)[0] or "application/octet-stream"
                self._send(HTTPStatus.OK, image.read_bytes(), kind)
            else:
                self._json(HTTPStatus.NOT_FOUND, {"error": "not found"})

        def do_POST(self) -> None:
            if urlparse(self.path).path != "/api/decision":
                self._json(HTTPStatus.NOT_FOUND, {"error": "not found"})
                return
            # JSON only: a cross-site form or text/plain POST from another page in the
            # reviewer's browser needs a CORS preflight for this type, which we never grant.
            if not (self.headers.get("Content-Type") or "").startswith("application/json"):
                self._json(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, {"error": "send application/json"})
                return
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                self._json(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, {"error": "body too large"})
                return
            try:
                payload = json.loads(self.rfile.read(length) or b"{}")
                if not isinstance(payload, dict):
                    raise ValueError("body must be a JSON object")
                self._json(HTTPStatus.OK, store.apply(payload))
            except KeyError as exc:
                self._json(HTTPStatus.NOT_FOUND, {"error": f"no item {exc.args[0]!r}"})
            except (ValueError, ValidationError, Act2AnswerError) as exc:
                message = str(exc).splitlines()[0]
                self._json(HTTPStatus.BAD_REQUEST, {"error": message})

    return Handler


def make_server(root: Path | str, host: str = "127.0.0.1", port: int = 0) -> ThreadingHTTPServer:
    """A review server for ``root`` (not yet serving; call ``serve_forever``)."""
    server = ThreadingHTTPServer((host, port), make_handler(ReviewStore(root)))
    server.daemon_threads = True
    return server


def serve(
    root: Path | str,
    *,
    host: str = "127.0.0.1",
    port: int = 8765,
    announce: Callable[[str], None] = print,
) -> None:
    """Serve the review page until Ctrl-C."""
    server = make_server(root, host, port)
    announce(f"http://{host}:{server.server_address[1]}/")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
