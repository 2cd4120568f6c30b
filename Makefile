# Two commands (see README.md): `make book` and `make test`. Each sets up what a fresh clone lacks.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
VENDOR := _vendor/static
VENDORED := $(VENDOR)/.copied
# Warnings are errors; -n reports every broken cross-reference; --keep-going lists them all at once.
BOOK_FLAGS := -W -n --keep-going

.PHONY: book test setup browser clean

book: setup
	$(VENV)/bin/jupyter-book build . $(BOOK_FLAGS)

# The book is built first, with the whole machine to itself; the browser test then finds it in the
# execution cache. nbval executes every chapter and lab solution once more, as tests.
test: book browser
	$(PY) -m pytest -n 2 --dist loadfile -p no:cacheprovider --nbval-lax tests chapters solutions; \
	rc=$$?; if [ $$rc -eq 5 ]; then echo "pytest collected no tests"; rc=0; fi; exit $$rc

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

# Headless Chromium for tests/test_browser.py, from Debian's packages when missing.
browser:
	command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

clean:
	rm -rf _build _vendor
