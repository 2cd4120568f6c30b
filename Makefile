# Two commands (see README.md): `make book` and `make test`. Each sets up what a fresh clone lacks.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
VENDOR := _vendor/static
VENDORED := $(VENDOR)/.copied
# Warnings are errors; -n reports every broken cross-reference; --keep-going lists them all at once.
BOOK_FLAGS := -W -n --keep-going

.PHONY: book test quick setup browser clean

book: setup
	$(VENV)/bin/jupyter-book build . $(BOOK_FLAGS)

# The book is built first, with the whole machine to itself; the browser test then finds it in the
# execution cache. nbval executes every chapter and solution notebook once more, as tests. What pytest
# collects (tests, chapters, solutions) and how (--nbval-lax) is set in pyproject.toml, so a bare
# `pytest` runs this same suite.
test: book browser
	$(PY) -m pytest -n 2 --dist loadfile; \
	rc=$$?; if [ $$rc -eq 5 ]; then echo "pytest collected no tests"; rc=0; fi; exit $$rc

# The maintainers' loop: the library's and the grader's fast tests, no book, no notebooks, no browser.
quick: $(INSTALLED)
	$(PY) -m pytest -n 2 --dist loadfile -m "not slow and not browser" tests

setup: $(INSTALLED) $(VENDORED)

$(INSTALLED): requirements.txt pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -e .
	touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts

# The book serves MathJax itself (no page needs a CDN), and axe-core for the browser test's
# accessibility check. Explorers need no widget manager: rnnbook.explorer draws them as plain HTML.
$(VENDORED): node_modules/.package-lock.json
	rm -rf $(VENDOR) && mkdir -p $(VENDOR)/axe
	cp -r node_modules/mathjax/es5 $(VENDOR)/mathjax
	cp node_modules/axe-core/axe.min.js $(VENDOR)/axe/axe.min.js
	touch $@

# Headless Chromium for tests/test_browser.py, from Debian's packages when it is missing and we may
# install it (root, apt-get). Elsewhere the browser test is skipped with a line saying how to install
# it -- except under CI (CI=true), where the browser test is required and a missing chromium fails.
browser:
	@command -v chromium >/dev/null && exit 0; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing Debian's chromium for the browser test"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	elif [ "$${CI:-}" = true ]; then \
	  echo "CI=true needs chromium for the browser test, and installing it needs root and apt-get"; exit 1; \
	else \
	  echo "chromium is missing: the browser test will be skipped. Install it with: sudo apt-get install chromium"; \
	fi

clean:
	rm -rf _build _vendor
