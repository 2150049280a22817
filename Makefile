# Two commands for a newcomer: `make run` and `make test`. Everything else is a habit.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)
export HF_HUB_OFFLINE := 1

# Debian packages the tests drive (browser tests: chromium; QR-code decoding: zbar-tools; serving
# tests: nginx and redis-server, whose own instances the tests start on free loopback ports).
# `make test` installs them when run as root (as CI does), and otherwise says in one line how.
DEBIAN_PACKAGES := chromium zbar-tools nginx redis-server

.PHONY: setup debian-packages index run serve dev test unit lint eval bench loadtest loadtest-proxy slowclients soak screenshots clean

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt -r requirements-dev.txt
	rm -f $(VENV)/.installed-* && touch $(STAMP)

setup: $(STAMP)

# make run and make serve first check the settings (one line and exit 2 on a bad value, or on a
# BOT_HOST other than loopback), before anything is built.
index: setup
	@$(if $(filter run serve,$(MAKECMDGOALS)),$(BIN)/python web/gunicorn.conf.py)
	$(BIN)/python -m bot build --if-stale

# The web app under gunicorn on loopback (web/gunicorn.conf.py): BOT_HOST (loopback only), BOT_PORT,
# BOT_WORKERS, BOT_MODE, BOT_LOCALE. For this machine only; `make serve` for anything others reach.
run: index
	@echo "Starting the chatbot on http://$${BOT_HOST:-127.0.0.1}:$${BOT_PORT:-8000} (Ctrl+C stops it)"
	$(BIN)/gunicorn --config web/gunicorn.conf.py

# nginx (Debian's) in front of gunicorn, for a kiosk or clinic network (deploy/nginx.conf, docs/deploy.md):
# nginx on BOT_PROXY_HOST:BOT_PROXY_PORT (127.0.0.1:8080; BOT_PROXY_HOST=0.0.0.0 for the network),
# gunicorn on loopback behind it. Ctrl+C stops both.
serve: index
	command -v nginx >/dev/null || (apt-get update -q && apt-get install -y -q nginx)
	$(BIN)/python -m deploy.serve

# Flask's development server with reloading, for working on web/ only.
dev: index
	$(BIN)/flask --app web run --debug --host $${BOT_HOST:-127.0.0.1} --port $${BOT_PORT:-8000}

# The packages' own services are kept from starting while they install (policy-rc.d): port 80 may be
# taken and there may be no init system; the tests start their own nginx and redis-server.
debian-packages:
	@missing=$$(for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    blocker=; if [ ! -e /usr/sbin/policy-rc.d ]; then \
	      printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && blocker=1; fi; \
	    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; status=$$?; \
	    [ -z "$$blocker" ] || rm -f /usr/sbin/policy-rc.d; [ $$status = 0 ] || exit $$status; \
	  else echo "The tests need Debian packages: sudo apt-get install -y $$missing" >&2; exit 1; fi; \
	fi

# ruff, the layer contracts (lint-imports, pyproject.toml), the knowledge lint, then every test.
test: setup debian-packages
	$(BIN)/ruff check bot web tests deploy
	$(BIN)/lint-imports
	$(BIN)/python -m bot lint
	$(BIN)/python -m pytest

unit: setup
	$(BIN)/python -m pytest -m "not integration and not browser and not live"

lint: setup
	$(BIN)/ruff check bot web tests deploy
	$(BIN)/lint-imports

eval: index
	$(BIN)/python -m bot eval

bench: index
	$(BIN)/python -m bot bench

# wrk against gunicorn on loopback, 16 connections for 20 s, half repeated and half unique questions.
loadtest: index
	command -v wrk >/dev/null || (apt-get update -q && apt-get install -y -q wrk)
	$(BIN)/python -m bot loadtest

# The same gunicorn driven by wrk directly and through nginx, alternately (docs/deploy.md).
loadtest-proxy: index
	command -v wrk >/dev/null || (apt-get update -q && apt-get install -y -q wrk)
	$(BIN)/python -m bot.measure.loadtest --compare

# A normal client's answers through nginx while 256 slow sockets are held open (docs/deploy.md).
slowclients: index
	$(BIN)/python -m bot.measure.loadtest --slow 256

# Five minutes of steady traffic (50 requests/s) through nginx to gunicorn on loopback: errors, latency
# and the memory of gunicorn's workers and nginx at start and end (docs/deploy.md has the last
# figures). Exit 1 on any error or on memory growing by more than 10%.
soak: index
	$(BIN)/python -m tests.soak --seconds 300 --rate 50 --proxy

# Refresh the README screenshots in docs/screenshots from the real-knowledge browser test.
screenshots: setup
	BOT_UPDATE_SCREENSHOTS=1 $(BIN)/python -m pytest -q tests/browser/test_real_knowledge.py

clean:
	rm -rf $(VENV) .cache index/generations index/current index/previous index/set-aside.json index/.*.lock \
		index/*.json index/*.faiss index/*.npz index/*.npy
