# The two commands a reader needs: `make book` and `make test`.
# Every target installs what it needs (venv, pip packages, npm assets, the
# Debian Fashion-MNIST package when run as root) and can be run again safely.

PYTHON  ?= python3
VENV    ?= .venv
PY      := $(VENV)/bin/python
PROFILE ?=
SET     ?=
TESTS_PROCESSES ?= 2
FM_DIR  := /usr/share/datasets/fashion-mnist

.PHONY: help install lock data browser assets book run test unit lab clean

help:
	@echo "make book      build _build/site/: each page's recorded full run (records/), the quick run where there is none"
	@echo "               (PROFILE=quick: every page's quick run; PROFILE=full: run and record the full runs first)"
	@echo "make test      the quick runs and the site, then the unit, notebook (nbval), site and browser tests"
	@echo "make unit      only the unit tests of hwlib"
	@echo "make install   create $(VENV) and install hwlib, its dependencies (requirements.lock) and the web assets"
	@echo "make lab       JupyterLab on the notebooks (LANG=fa or LANG=en: one language, in scratch copies;"
	@echo "               LANG=fa STUDENT=1: the student notebooks, exercises left to write)"
	@echo "make lock      re-resolve requirements.lock after a change of pyproject.toml (UPGRADE=1: newest)"
	@echo "make clean     remove _build/ (executed notebooks, results, site)"
	@echo "Options: PROFILE=quick|full  SET='epochs=3 seed=1' (parameter overrides of the runs executed)"

# On Linux x86-64 the exact versions of requirements.lock (with their hashes), so that a fresh machine
# next month gets the library versions the reference outputs came from; elsewhere pyproject.toml's ranges.
$(VENV)/.installed: pyproject.toml requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@if [ "$$(uname -sm)" = "Linux x86_64" ]; then \
	  echo "$(PY) -m pip install --require-hashes -r requirements.lock"; \
	  $(PY) -m pip install --quiet --require-hashes -r requirements.lock && \
	  $(PY) -m pip install --quiet --no-deps -e .; \
	else \
	  echo "note: requirements.lock is for Linux x86-64; installing the version ranges of pyproject.toml"; \
	  $(PY) -m pip install --quiet -e '.[book,test,lab]'; \
	fi
	touch $@

# Re-resolve requirements.lock after a change of pyproject.toml (keeps the pins that still fit;
# UPGRADE=1 takes the newest versions the ranges allow). Then run make test and commit both files.
lock: $(VENV)/.installed
	$(PY) -m pip install --quiet uv
	$(VENV)/bin/uv pip compile pyproject.toml --extra book --extra test --extra lab --generate-hashes \
	  --python-platform x86_64-manylinux_2_28 --python-version $$($(PY) -c 'import platform; print(platform.python_version())') \
	  --annotation-style line --custom-compile-command "make lock" $(if $(UPGRADE),--upgrade) -o requirements.lock

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

data:
	@if [ -d $(FM_DIR) ] || [ -n "$$HWLIB_DATA" ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dataset-fashion-mnist; \
	else \
	  echo "note: Fashion-MNIST not found in $(FM_DIR); run 'sudo apt-get install dataset-fashion-mnist'"; \
	  echo "      or set HWLIB_DATA to a folder with the four *-ubyte.gz files (else hwlib downloads them)"; \
	fi

assets: node_modules/.package-lock.json

# Debian's Chromium for the browser tests (tests/test_browser.py); Playwright drives it, no download.
browser:
	@if command -v chromium >/dev/null || [ -x "$$HWLIB_CHROMIUM" ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	else \
	  echo "note: the browser tests need Chromium: run 'sudo apt-get install chromium'"; \
	  echo "      (or set HWLIB_CHROMIUM to a Chromium binary); without it make test fails"; \
	fi

install: $(VENV)/.installed assets data

book: install
	$(PY) -m hwlib book $(if $(PROFILE),--profile $(PROFILE)) $(addprefix --set ,$(SET))

# The quick runs of every page (nbval and the claims' tests check them), then the site as make book builds it.
# nbval executes the notebooks again: on a copy of what the book's run saved (results, tuner trials),
# so that later pages find their inputs, tuners resume, and the book's own outputs stay as they are.
# Two pytest processes (pytest-xdist, each test file and each notebook kept whole in one of them):
# a notebook trains in one while the other runs a notebook or the browser tests (TESTS_PROCESSES=1: one).
test: install browser
	$(PY) -m hwlib run --all --profile quick
	$(PY) -m hwlib book
	rm -rf _build/nbval-outputs && cp -r _build/outputs/quick _build/nbval-outputs
	HWLIB_OUTPUTS=$(CURDIR)/_build/nbval-outputs HWLIB_BROWSER_TESTS=require $(PY) -m pytest \
	  -n $(TESTS_PROCESSES) --dist loadscope \
	  --nbval-lax --nbval-current-env -p no:cacheprovider tests _build/executed/quick

# LANG is also the locale: only a LANG given on make's command line chooses the language,
# and then the command runs with a UTF-8 locale instead of LANG=fa.
LAB_LANG := $(if $(filter command line,$(origin LANG)),$(LANG))

lab: $(VENV)/.installed assets
	$(if $(LAB_LANG),LANG=C.UTF-8 )$(PY) -m hwlib lab $(if $(LAB_LANG),--lang $(LAB_LANG)) $(if $(STUDENT),--student) $(if $(PORT),--port $(PORT))

unit: $(VENV)/.installed
	$(PY) -m pytest -q tests --ignore=tests/test_site.py --ignore=tests/test_browser.py

clean:
	rm -rf _build
