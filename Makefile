# Two commands on a fresh machine: `make demo` and `make test`. Each sets up .venv itself.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test check serve bench clean setup train

setup: $(STAMP)

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "needs $(PYTHON)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip setuptools wheel
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/alignbot demo

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

check: $(STAMP)
	$(BIN)/ruff check bot handlers knowledge drafting scheduler core tests bench
	$(BIN)/ruff format --check bot handlers knowledge drafting scheduler core tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

serve: $(STAMP)
	$(BIN)/alignbot serve

clean:
	rm -rf $(VENV) .alignbot .pytest_cache .mypy_cache .ruff_cache

# Retrain the statement classifier on knowledge/training/corpus (fixed seed, held-out report).
train: $(STAMP)
	$(BIN)/python -m knowledge.train_statements
