# Two commands: `make run` and `make test`. Both create/refresh .venv first.
PYTHON ?= python3
VENV   := .venv
ifeq ($(OS),Windows_NT)
PY     := $(VENV)/Scripts/python.exe
BIN    := $(VENV)/Scripts
else
PY     := $(VENV)/bin/python
BIN    := $(VENV)/bin
endif
STAMP  := $(VENV)/.installed

.PHONY: run serve test lint preflight bench package package-test clean

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
	$(BIN)/parley-server serve

# What the suite needs from the machine (Qt libraries, ffmpeg, nginx, PostgreSQL, Redis), checked first:
# installed with apt when root, otherwise named at once with the command that installs them.
preflight:
	@$(PYTHON) .ci/preflight.py

test: preflight $(STAMP)
	$(PY) -m pytest -n $${PYTEST_WORKERS:-4} --dist loadfile --ignore=tests/packaging $(PYTEST_ARGS)

# Static checks: ruff everywhere; mypy strict on the Qt-free desktop layers and the server's
# business rules (pyproject.toml [tool.mypy] holds the strictness).
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy desktop/core desktop/net server/services --follow-imports=silent

# Benchmarks print their figures; they are not part of the test suite.
bench: $(STAMP)
	$(PY) benchmarks/accounts.py
	$(PY) benchmarks/messaging.py
	$(PY) benchmarks/uploads.py

# A one-folder bundle of the desktop app (with the bundled server) for this OS: dist/Parley/
package: $(STAMP)
	$(PY) -m pip install --quiet "pyinstaller>=6.10"
	$(PY) packaging/make_icons.py build/icons
	$(PY) -m PyInstaller --noconfirm --log-level WARN --distpath dist --workpath build/pyinstaller packaging/parley.spec
	$(PY) packaging/finish_bundle.py

# Builds the bundle, then starts it from a clean environment (no Python) against a live server.
package-test: package
	$(PY) -m pytest tests/packaging -q -p no:cacheprovider

clean:
	rm -rf $(VENV) build dist *.egg-info
