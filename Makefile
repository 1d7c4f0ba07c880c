# Quickstart targets. Each one creates/reuses .venv and installs what it needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
VLM_STAMP := $(VENV)/.installed-vlm
DOCS_STAMP := $(VENV)/.installed-docs
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
export NO_MKDOCS_2_WARNING ?= 1
DEMO_OUT ?= demo_out

.PHONY: demo test test-fast lint bench clean test-models serve-venv docs

# The model stack (LeRobot 0.4.4 pins torch<2.11, transformers<5) lives in its own venv,
# with act2answer installed too; tests_models/ runs there (tiny SmolVLA, remote-code stand-ins).
MODELS_VENV := .venv-lerobot
MODELS_STAMP := $(MODELS_VENV)/.installed

$(MODELS_STAMP): pyproject.toml requirements/lerobot-constraints.txt
	$(PYTHON) -m venv $(MODELS_VENV)
	$(MODELS_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(MODELS_VENV)/bin/python -m pip install --quiet -c requirements/lerobot-constraints.txt -e '.[dev,lerobot,analysis]'
	touch $(MODELS_STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,all]'
	# Test-only: the official openpi client (it pins numpy<2 but runs on numpy 2; its deps are ours).
	$(BIN)/python -m pip install --quiet --no-deps 'openpi-client==0.1.2'
	touch $(STAMP)

# The vlm extra (torch 2.14.1 + torchvision 0.29.1 + transformers 5.24.0, ~5.5 GB) for the VLM tests.
$(VLM_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,vlm,lab]'
	touch $(VLM_STAMP)

demo: $(STAMP)
	$(BIN)/act2answer demo --out $(DEMO_OUT)

test: $(STAMP) $(VLM_STAMP) $(MODELS_STAMP) $(DOCS_STAMP)
	$(BIN)/ruff check src tests tests_models benchmarks
	$(BIN)/python -m mypy
	$(BIN)/mkdocs build --strict --quiet --site-dir site
	$(BIN)/python -m pytest -q
	$(MODELS_VENV)/bin/python -m pytest -q tests_models

# The fast tier: no torch, Ray, browser, LeRobot or slow tests (markers: tests/helpers/tiers.py).
test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m "not (torch or ray or browser or models or slow)"

test-models: $(MODELS_STAMP)
	$(MODELS_VENV)/bin/python -m pytest -q tests_models

lint: $(STAMP)
	$(BIN)/ruff check src tests tests_models benchmarks
	$(BIN)/python -m mypy

# The light server side (remote client + `act2answer serve`, no MuJoCo) for a model's own
# environment: `make serve-venv SERVE_VENV=/path/to/model-venv` installs it there.
SERVE_VENV ?= .venv-serve
serve-venv:
	[ -x $(SERVE_VENV)/bin/python ] || $(PYTHON) -m venv $(SERVE_VENV)
	$(SERVE_VENV)/bin/python -m pip install ./packages/act2answer-core

# The documentation site (mkdocs-material + mkdocstrings), built into site/; broken links fail.
$(DOCS_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[docs]'
	touch $(DOCS_STAMP)

docs: $(DOCS_STAMP)
	$(BIN)/mkdocs build --strict --site-dir site

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_core.py
	$(BIN)/python benchmarks/bench_batching.py
	$(BIN)/python benchmarks/bench_reference.py
	$(BIN)/python benchmarks/bench_throughput.py --episodes 400

clean:
	rm -rf $(VENV) $(MODELS_VENV) .venv-serve $(DEMO_OUT)
