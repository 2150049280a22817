# Two commands for a newcomer: `make run` and `make test`. Everything else is a habit.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)
export HF_HUB_OFFLINE := 1

# Debian packages the tests drive (browser tests: chromium; QR-code decoding: zbar-tools). `make test` installs them when run as
# root (as CI does), and otherwise says in one line how.
DEBIAN_PACKAGES := chromium zbar-tools

.PHONY: setup debian-packages index run dev test unit lint eval bench loadtest soak screenshots clean

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt -r requirements-dev.txt
	rm -f $(VENV)/.installed-* && touch $(STAMP)

setup: $(STAMP)

index: setup
	$(BIN)/python -m bot build --if-stale

# The web app under gunicorn (web/gunicorn.conf.py): BOT_HOST, BOT_PORT, BOT_WORKERS, BOT_MODE, BOT_LOCALE.
run: index
	@echo "Starting the chatbot on http://$${BOT_HOST:-127.0.0.1}:$${BOT_PORT:-8000} (Ctrl+C stops it)"
	$(BIN)/gunicorn --config web/gunicorn.conf.py

# Flask's development server with reloading, for working on web/ only.
dev: index
	$(BIN)/flask --app web run --debug --host $${BOT_HOST:-127.0.0.1} --port $${BOT_PORT:-8000}

debian-packages:
	@missing=$$(for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; \
	  else echo "The tests need Debian packages: sudo apt-get install -y $$missing" >&2; exit 1; fi; \
	fi

# ruff, the layer contracts (lint-imports, pyproject.toml), the knowledge lint, then every test.
test: setup debian-packages
	$(BIN)/ruff check bot web tests
	$(BIN)/lint-imports
	$(BIN)/python -m bot lint
	$(BIN)/python -m pytest

unit: setup
	$(BIN)/python -m pytest -m "not integration and not browser and not live"

lint: setup
	$(BIN)/ruff check bot web tests
	$(BIN)/lint-imports

eval: index
	$(BIN)/python -m bot eval

bench: index
	$(BIN)/python -m bot bench

# wrk against gunicorn on loopback, 16 connections for 20 s, half repeated and half unique questions.
loadtest: index
	command -v wrk >/dev/null || (apt-get update -q && apt-get install -y -q wrk)
	$(BIN)/python -m bot loadtest

# Five minutes of steady traffic (50 requests/s) against gunicorn on loopback: errors, latency and
# worker memory at start and end (docs/security.md has the last figures). Exit 1 on any error.
soak: index
	$(BIN)/python -m tests.soak --seconds 300 --rate 50

# Refresh the README screenshots in docs/screenshots from the real-knowledge browser test.
screenshots: setup
	BOT_UPDATE_SCREENSHOTS=1 $(BIN)/python -m pytest -q tests/browser/test_real_knowledge.py

clean:
	rm -rf $(VENV) .cache index/*.json index/*.faiss index/*.npz index/*.npy
