"""A minimal OpenAI-compatible ``/v1/chat/completions`` server for tests (127.0.0.1 only).

It follows the published API: Bearer API key, messages with ``image_url`` data
URLs and text, ``logprobs`` / ``top_logprobs`` on the first generated token. Its
"model" looks at the images: it answers the letter naming the image with more
red (options mode) or the redder half of the frame (frame mode). Fault knobs:
fail the first N requests with 503, hang for a while, or leave out logprobs.
"""

from __future__ import annotations

import base64
import io
import json
import math
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
from PIL import Image


@dataclass
class ServerState:
    api_key: str = "test-key"
    fail_first: int = 0
    hang_s: float = 0.0
    logprobs: bool = True
    requests: int = 0
    images_seen: list[tuple[int, int]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _decode(url: str) -> np.ndarray:
    match = re.match(r"data:image/(png|jpeg);base64,(.*)", url, re.DOTALL)
    if not match:
        raise ValueError("image_url must be a base64 data URL")
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(match.group(2)))).convert("RGB"))


def _redness(image: np.ndarray) -> float:
    pixels = image.astype(float)
    return float((pixels[..., 0] - pixels[..., 1:].mean(axis=-1)).mean())


def _choose(images: list[np.ndarray], prompt: str) -> str:
    if len(images) == 2:
        redder_first = _redness(images[0]) > _redness(images[1])
    else:
        half = images[0].shape[1] // 2
        redder_first = _redness(images[0][:, :half]) > _redness(images[0][:, half:])
    a_is_first = re.search(r"A\. the (first image|picture on the left)", prompt) is not None
    return "A" if redder_first == a_is_first else "B"


def make_handler(state: ServerState) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def _send(self, code: int, body: dict) -> None:
            data = json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            with state.lock:
                state.requests += 1
                count = state.requests
            if self.path != "/v1/chat/completions":
                self._send(404, {"error": {"message": "not found"}})
                return
            if self.headers.get("Authorization") != f"Bearer {state.api_key}":
                self._send(401, {"error": {"message": "invalid api key"}})
                return
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            if count <= state.fail_first:
                self._send(503, {"error": {"message": "warming up"}})
                return
            if state.hang_s:
                threading.Event().wait(state.hang_s)
            content = body["messages"][0]["content"]
            images = [
                _decode(part["image_url"]["url"]) for part in content if part["type"] == "image_url"
            ]
            prompt = next(part["text"] for part in content if part["type"] == "text")
            if not images:
                self._send(400, {"error": {"message": "the request carries no image"}})
                return
            with state.lock:
                state.images_seen.extend(image.shape[:2] for image in images)
            letter = _choose(images, prompt)
            other = "B" if letter == "A" else "A"
            top = [
                {"token": letter, "logprob": math.log(0.6)},
                {"token": " " + letter, "logprob": math.log(0.2)},
                {"token": other, "logprob": math.log(0.15)},
                {"token": "The", "logprob": math.log(0.05)},
            ][: body.get("top_logprobs", 4)]
            choice: dict = {
                "index": 0,
                "message": {"role": "assistant", "content": letter},
                "finish_reason": "length",
                "logprobs": {
                    "content": [{"token": letter, "logprob": math.log(0.6), "top_logprobs": top}]
                }
                if state.logprobs and body.get("logprobs")
                else None,
            }
            self._send(
                200,
                {
                    "id": f"c{count}",
                    "object": "chat.completion",
                    "model": body["model"],
                    "choices": [choice],
                },
            )

    return Handler


class OpenAITestServer:
    """Context manager running the server on a free loopback port."""

    def __init__(self, state: ServerState | None = None) -> None:
        self.state = state or ServerState()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(self.state))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def __enter__(self) -> OpenAITestServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
