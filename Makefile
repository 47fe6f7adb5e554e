# Two commands: `make run` and `make test`. Both create/refresh .venv first.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: run serve test bench lint clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Parley needs Python 3.11 or newer")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

# The bundled server on its embedded defaults, and the desktop app pointed at it.
run: $(STAMP)
	$(PY) -m desktop.launcher

# Only the server (no desktop app).
serve: $(STAMP)
	$(VENV)/bin/parley-server serve

test: $(STAMP)
	$(PY) -m pytest -n $${PYTEST_WORKERS:-4} --dist loadfile $(PYTEST_ARGS)

bench: $(STAMP)
	$(PY) benchmarks/accounts.py

clean:
	rm -rf $(VENV) build *.egg-info
