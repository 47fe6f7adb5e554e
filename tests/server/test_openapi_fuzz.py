"""Schemathesis, with every check, against a live server's own OpenAPI document.

Runs the schemathesis command line (its pytest plugin does not load under
pytest 9 here), so every phase runs as it does for anyone checking the API:
examples, coverage (boundary and invalid values), fuzzing and stateful
sequences (create, read, delete, read again). `--checks all` includes the
conformance checks: schema-valid requests must be accepted, schema-violating
ones rejected, answers must match their documented schema, content type and
headers, a missing token must be 401, `Allow` must list only documented
methods, a deleted resource must be gone.

Every operation runs, with every check: the document states what the server
enforces (body or media_id when sending, the configured upload size as ``maximum``)
and state-dependent refusals of schema-valid requests answer documented 404/409
(a part number above the upload's part count, missing parts, a cancelled upload,
the quota), see docs/media.md.

The suite runs a bounded number of examples per operation (``PARLEY_FUZZ_EXAMPLES``,
default 25) with the fixed seed 777; the full check is the same command with 200
(see docs/security.md).
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import LiveServer

EXAMPLES = int(os.environ.get("PARLEY_FUZZ_EXAMPLES", "25"))



@pytest.fixture(scope="module")
def fuzz_server(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    srv = LiveServer(tmp_path_factory.mktemp("fuzz")).start()
    srv.user = srv.register_verified("Fuzzer")  # type: ignore[attr-defined]
    yield srv
    srv.stop()


def test_api_never_fails_and_matches_its_schema(fuzz_server: LiveServer, tmp_path: Path) -> None:
    token = fuzz_server.user["tokens"]["access_token"]  # type: ignore[attr-defined]
    cli = Path(sys.executable).with_name("schemathesis")
    cmd = [str(cli), "run", f"{fuzz_server.url}/api/openapi.json", "--checks", "all", "--seed", "777",
           "--max-examples", str(EXAMPLES), "--workers", "2", "--header", f"Authorization: Bearer {token}"]
    # its own working dir: no schemathesis.toml or reports from elsewhere apply
    run = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, timeout=280,
                         env={**os.environ, "NO_COLOR": "1", "SCHEMATHESIS_HOOKS": ""})
    out = run.stdout + run.stderr
    summary = out[out.find("SUMMARY"):] if "SUMMARY" in out else out[-3000:]
    print(summary)
    assert run.returncode == 0, out[-12000:]
    assert "Tested: " in out, summary
