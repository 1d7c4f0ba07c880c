# Quickstart targets. Each one creates/reuses .venv and installs what it needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SHARED_MENAGERIE := $(abspath ../shared/menagerie)
# Use the offline Menagerie copy when it exists; otherwise mujoco-menagerie downloads as usual.
ifneq ($(wildcard $(SHARED_MENAGERIE)),)
export MENAGERIE_ROOT ?= $(SHARED_MENAGERIE)
endif
SHARED_BACKGROUNDS := $(abspath ../shared/backgrounds)
# Offline copies of the visual-matching photos; otherwise they are fetched once into a cache.
ifneq ($(wildcard $(SHARED_BACKGROUNDS)),)
export ACT2ANSWER_BACKGROUNDS ?= $(SHARED_BACKGROUNDS)
endif
export MUJOCO_GL ?= egl
export PYOPENGL_PLATFORM ?= egl
DEMO_OUT ?= demo_out

.PHONY: demo test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/act2answer demo --out $(DEMO_OUT)

test: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_core.py
	$(BIN)/python benchmarks/bench_reference.py

clean:
	rm -rf $(VENV) $(DEMO_OUT)
