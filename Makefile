# Two commands: `make run` and `make test`. Both create/refresh .venv first.
# Python: 3.12 for development, CI and the bundle (docs/architecture.md, "Python and PySide6"), else 3.13,
# else python3 if it is 3.11 or newer (a fresh Debian 12). pyenv shims of versions that are not selected
# exist but fail when run, so every candidate is run, and pyenv's own install folders are tried too.
PYENV_ROOT_DIR := $(or $(shell pyenv root 2>/dev/null),$(PYENV_ROOT),$(HOME)/.pyenv)
ifndef PYTHON
PYTHON := $(shell for p in python3.12 $(PYENV_ROOT_DIR)/versions/3.12*/bin/python3.12 python3.13 \
                 $(PYENV_ROOT_DIR)/versions/3.13*/bin/python3.13 python3; do \
                 "$$p" -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1 && { echo "$$p"; break; }; \
               done)
endif
PYVER  := $(shell "$(PYTHON)" -c 'import sys; print(sys.version.split()[0])' 2>/dev/null)
VENV   := .venv
ifeq ($(OS),Windows_NT)
PY     := $(VENV)/Scripts/python.exe
BIN    := $(VENV)/Scripts
else
PY     := $(VENV)/bin/python
BIN    := $(VENV)/bin
endif
STAMP  := $(VENV)/.installed
# the interpreter the venv was made with: another one recreates the venv
PYUSED := $(VENV)/.python-version

.PHONY: run serve test lint preflight bench package package-test clean FORCE

$(PYUSED): FORCE
	@test -n "$(PYVER)" || { echo "Parley needs Python 3.11 or newer (3.12 preferred): none found"; exit 1; }
	@if [ "$$(cat $@ 2>/dev/null)" != "$(PYVER)" ]; then \
	  echo "Python $(PYVER) ($(PYTHON)): (re)creating $(VENV)"; rm -rf $(VENV); mkdir -p $(VENV); \
	  echo "$(PYVER)" > $@; fi

$(STAMP): pyproject.toml $(PYUSED)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip uv
	$(PY) -m uv pip install --quiet --python $(PY) -e ".[dev]"
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

# Two phases: everything in parallel, then the tests marked `serial` alone, since they bound the GUI
# event loop's latency (the player stress test) and other tests sharing the 2 cores would measure them.
# Both phases are also written to build/test-logs/: a heap error or a segfault printed outside any test
# (a worker's exit, after its tests passed) fails the run (HEAP_ERRORS; docs/architecture.md, "The heap
# message at the end of a run"); PARLEY_ALLOW_HEAP=1 reports it without failing.
HEAP_ERRORS := malloc_consolidate|malloc\(\)|free\(\): |double free|fastbin|corrupted size|corrupted double-linked|Segmentation fault|shared QObject was deleted directly
test: preflight $(STAMP)
	@mkdir -p build/test-logs
	bash -o pipefail -c '$(PY) -m pytest -n $${PYTEST_WORKERS:-4} --dist loadfile --ignore=tests/packaging -m "not serial" $(PYTEST_ARGS) 2>&1 | tee build/test-logs/parallel.log'
	bash -o pipefail -c '$(PY) -m pytest --ignore=tests/packaging -m serial $(PYTEST_ARGS) 2>&1 | tee build/test-logs/serial.log'
	@if grep -EnH '$(HEAP_ERRORS)' build/test-logs/parallel.log build/test-logs/serial.log; then \
	  echo "make test: FAILED: a heap error or crash was printed outside the tests (above), as a test"; \
	  echo "process exited (docs/architecture.md, \"The heap message at the end of a run\")."; \
	  test -n "$$PARLEY_ALLOW_HEAP" || exit 1; fi

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
