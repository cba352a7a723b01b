"""The offline install bundle (make bundle), installed as on a machine with no network: pip's
index on a closed port and a Maven that fails, then its own Elasticsearch node and API
serving a search. `make bundle-test` builds the bundle and runs this (part of `make soak`)."""

import os
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

import httpx
import pytest

from bench.run import free_port
from tests.conftest import SAMPLES
from tests.servers import api_server

BUNDLE = os.environ.get("BUDGET_BUNDLE", "")
CLOSED = "http://127.0.0.1:9/simple"  # nothing listens on port 9


def run(command: list, env: dict, timeout: float = 600) -> str:
    done = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert done.returncode == 0, f"{command}: {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


@pytest.fixture(scope="module")
def offline(tmp_path_factory) -> dict:
    """An environment with no way to download: every index URL on a closed port, and a `mvn`
    first on the PATH that records being called and fails."""
    if not BUNDLE:
        pytest.skip("BUDGET_BUNDLE is not set: `make bundle-test` builds the bundle and runs this")
    tools = tmp_path_factory.mktemp("offline-tools")
    (tools / "mvn").write_text(f"#!/bin/sh\ntouch {tools}/mvn-was-called\nexit 1\n")
    (tools / "mvn").chmod(0o755)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "ES_", "VIRTUAL_ENV"))}
    return {
        **env,
        "PATH": f"{tools}:{env['PATH']}",
        "PIP_INDEX_URL": CLOSED,
        "PIP_EXTRA_INDEX_URL": CLOSED,
        "PIP_TRUSTED_HOST": "",
        "MVN_MARKER": str(tools / "mvn-was-called"),
    }


@pytest.fixture(scope="module")
def installed(offline):
    # Not pytest's tmp_path: Elasticsearch runs as an unprivileged user when we are root, and
    # pytest's temporary folders are closed to other users.
    folder = Path(tempfile.mkdtemp(prefix="budget-bundle-"))
    folder.chmod(0o755)
    try:
        with tarfile.open(BUNDLE) as archive:
            archive.extractall(folder / "unpacked", filter="tar")
        target = folder / "budget-search"
        run([folder / "unpacked" / "budget-search-bundle" / "install.sh", target], offline)
        yield target
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_the_bundle_installs_offline_and_serves_a_search(installed, offline, tmp_path):
    es_port, api_port = free_port(), free_port()
    env = {**offline, "ES_URL": f"http://127.0.0.1:{es_port}", "ES_HEAP": "512m"}
    started = run([installed / "bin" / "budget-es", "up"], env)
    assert f"(Java: {installed / 'jdk'}," in started, started  # the bundle's JDK
    try:
        env = {**env, "ES_INDEX_PREFIX": "bundle", "API_PORT": str(api_port)}
        shutil.copytree(SAMPLES, tmp_path / "budgets")
        run([installed / "bin" / "budget-index", tmp_path / "budgets"], env)
        command = [installed / "bin" / "budget-search"]
        with api_server(command, env, tmp_path / "api.log", cwd=tmp_path) as url:
            body = httpx.get(f"{url}/api/search", params={"q": "民意速办"}, timeout=30).json()
            assert any("<mark>民意速办</mark>" in hit["snippet"] for hit in body["hits"]), body
    finally:
        run([installed / "bin" / "budget-es", "down"], env)
    assert not Path(offline["MVN_MARKER"]).exists()  # Elasticsearch came from the bundle
