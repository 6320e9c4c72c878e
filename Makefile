# The two commands a reader needs: `make book` and `make test`.
# Every target installs what it needs (venv, pip packages, npm assets, the
# Debian Fashion-MNIST package when run as root) and can be run again safely.

PYTHON  ?= python3
VENV    ?= .venv
PY      := $(VENV)/bin/python
PROFILE ?= quick
SET     ?=
FM_DIR  := /usr/share/datasets/fashion-mnist

.PHONY: help install data browser assets book run test unit clean

help:
	@echo "make book      execute the notebooks (PROFILE=$(PROFILE)) and build _build/site/"
	@echo "make test      build the quick book, then run the unit, notebook (nbval), site and browser tests"
	@echo "make unit      only the unit tests of hwlib"
	@echo "make install   create $(VENV) and install hwlib, its dependencies and the web assets"
	@echo "make clean     remove _build/ (executed notebooks, results, site)"
	@echo "Options: PROFILE=quick|full  SET='epochs=3 seed=1' (parameter overrides)"

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[book,test]'
	touch $@

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
	$(PY) -m hwlib book --profile $(PROFILE) $(addprefix --set ,$(SET))

# nbval executes the notebooks again: on a copy of what the book's run saved (results, tuner trials),
# so that later pages find their inputs, tuners resume, and the book's own outputs stay as they are.
test: install browser
	$(PY) -m hwlib book --profile quick
	rm -rf _build/nbval-outputs && cp -r _build/outputs/quick _build/nbval-outputs
	HWLIB_OUTPUTS=$(CURDIR)/_build/nbval-outputs HWLIB_BROWSER_TESTS=require $(PY) -m pytest \
	  --nbval-lax --nbval-current-env -p no:cacheprovider tests _build/executed/quick

unit: $(VENV)/.installed
	$(PY) -m pytest -q tests --ignore=tests/test_site.py --ignore=tests/test_browser.py

clean:
	rm -rf _build
