"""Suite format: a folder with ``suite.jsonl`` (one binary item per line) and images."""

from act2answer.suite._io import MANIFEST_FILE, SUITE_FILE, load_suite, save_suite
from act2answer.suite._model import Suite, SuiteItem
from act2answer.suite.images import read_rgb, read_rgb_bytes, verify_image

__all__ = [
    "MANIFEST_FILE",
    "SUITE_FILE",
    "Suite",
    "SuiteItem",
    "load_suite",
    "read_rgb",
    "read_rgb_bytes",
    "save_suite",
    "verify_image",
]
