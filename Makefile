# Two commands for a newcomer: `make run` and `make test`. Everything else is a habit.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)
export HF_HUB_OFFLINE := 1

.PHONY: setup index run dev test unit lint eval bench loadtest clean

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt -r requirements-dev.txt
	rm -f $(VENV)/.installed-* && touch $(STAMP)

setup: $(STAMP)

index: setup
	$(BIN)/python -m bot build --if-stale

run: index
	$(BIN)/python -m bot ask

test: setup
	$(BIN)/python -m bot lint
	$(BIN)/python -m pytest

unit: setup
	$(BIN)/python -m pytest -m "not integration and not browser"

lint: setup
	$(BIN)/ruff check bot web tests

eval: index
	$(BIN)/python -m bot eval

clean:
	rm -rf $(VENV) .cache index/*.json index/*.faiss index/*.npz index/*.npy
