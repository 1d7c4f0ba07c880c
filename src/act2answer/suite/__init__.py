"""Suite format: a folder with ``suite.jsonl`` (one binary item per line) and images."""

from act2answer.suite._io import MANIFEST_FILE, SUITE_FILE, load_suite, save_suite
from act2answer.suite._model import Suite, SuiteItem

__all__ = ["MANIFEST_FILE", "SUITE_FILE", "Suite", "SuiteItem", "load_suite", "save_suite"]
