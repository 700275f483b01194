# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
# Test processes: most tests wait on the sandbox's Telegram pace, not on the CPU.
TEST_WORKERS ?= 3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck contracts pytest bench i18n clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

## run: the bot against Telegram when BOT_TOKEN is set, else against the local sandbox demo
run: $(STAMP)
	@if [ -n "$$BOT_TOKEN" ] || grep -qs '^BOT_TOKEN=.\+' .env; then \
		$(BIN)/python -m bot run; \
	else \
		$(BIN)/python -m bot demo; \
	fi

## test: lint, types, import contracts and the whole suite (PostgreSQL too when TEST_DATABASE_URL is set)
test: lint typecheck contracts pytest

lint: $(STAMP)
	$(BIN)/ruff check .

typecheck: $(STAMP)
	$(BIN)/mypy

contracts: $(STAMP)
	$(BIN)/lint-imports

pytest: $(STAMP)
	$(BIN)/pytest -p no:cacheprovider -n $(TEST_WORKERS)

## bench: measure speed (prints figures; asserts nothing)
bench: $(STAMP)
	$(BIN)/python -m bench

## i18n: list messages the catalogs do not translate yet
i18n: $(STAMP)
	$(BIN)/python -m bot i18n

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
