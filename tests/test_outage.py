"""Elasticsearch going away and coming back, on a second real node that `make test` starts
(ES_OUTAGE_URL) and that these tests stop and restart.

The order matters, so it is one test: index, lose the node mid-run, see the API answer 503
everywhere, bring the node back while the indexer is retrying, see the API recover.
"""

import io
import os
import subprocess
import threading
import uuid
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute

from indexer import bulk, cli
from indexer.admin import drop_index
from indexer.bulk import Retry, index_prepared
from indexer.es import is_reachable, make_client
from indexer.settings import Settings
from indexer.sources import find_sources
from indexer.workers import prepared_files
from tests.conftest import ROOT, SAMPLES, client_for

pytestmark = pytest.mark.es
OUTAGE_URL = os.environ.get("ES_OUTAGE_URL")
OUTAGE_DIR = os.environ.get("ES_OUTAGE_NODE_DIR")
ADMIN_TOKEN = "outage-test-token"
PATH_VALUES = {
    "department": "示例市数据管理局",
    "document_id": "0123456789abcdef",
    "fmt": "csv",
    "number": 1,
}


def node(command: str) -> None:
    """Starts or stops the outage node with the same script `make test` used."""
    env = {**os.environ, "ES_URL": OUTAGE_URL, "ES_NODE_DIR": OUTAGE_DIR, "ES_HEAP": "512m"}
    subprocess.run([str(ROOT / "scripts" / "es-local.sh"), command], env=env, check=True)


@pytest.fixture(scope="module")
def outage_settings():
    if not (OUTAGE_URL and OUTAGE_DIR):
        pytest.skip("ES_OUTAGE_URL is not set: `make test` starts the second node this needs")
    settings = Settings(
        es_url=OUTAGE_URL,
        es_index_prefix=f"outage-{uuid.uuid4().hex[:8]}",
        admin_token=ADMIN_TOKEN,  # so the admin endpoints get as far as Elasticsearch too
        rate_limit=0,  # every endpoint, twice over, from one client
    )
    if not is_reachable(make_client(settings)):
        node("up")
    pid_file = Path(OUTAGE_DIR) / "es.pid"
    if not pid_file.is_file() or not Path(f"/proc/{pid_file.read_text().strip()}").exists():
        pytest.fail(
            f"the node answering at {OUTAGE_URL} was not started from {OUTAGE_DIR}, so this "
            "test cannot stop it: stop that node (an earlier checkout's?) and run `make test`"
        )
    yield settings
    es = make_client(settings)
    if not is_reachable(es):
        node("up")  # leave it as we found it
    drop_index(es, settings)


def api_paths(app: FastAPI) -> list[str]:
    """Every GET endpoint of the API, its path parameters filled in."""
    paths = ["/readyz"]
    for route in app.routes:
        if (
            isinstance(route, APIRoute)
            and "GET" in route.methods
            and route.path.startswith("/api/")
        ):
            paths.append(route.path.format(**PATH_VALUES))
    return paths


def statuses(client) -> dict[str, int]:
    headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    return {
        path: client.get(path, params={"q": "民意速办"}, headers=headers).status_code
        for path in api_paths(client.app)
    }


def test_the_indexer_and_the_api_through_an_outage(outage_settings, monkeypatch):
    es = make_client(outage_settings)
    files = find_sources([str(SAMPLES)])
    assert len(files) == 3
    report = cli.ingest(files[:1], outage_settings, es, out=io.StringIO())
    assert not report.failed

    # The node stops after the first file: that one is indexed, the other two are reported.
    def stop_after_first(paths, workers, limits):
        for n, prepared in enumerate(prepared_files(paths, workers, limits)):
            if n == 1:
                node("down")
            yield prepared

    monkeypatch.setattr(cli, "prepared_files", stop_after_first)
    monkeypatch.setattr(bulk, "CHUNK_SIZE", 1)  # so a file's records leave before the next
    out = io.StringIO()
    retry = Retry(budget=3, first=0.5)
    # (force: the first file, unchanged, would be skipped; it is the one that gets through)
    report = cli.ingest(files, outage_settings, es, out=out, workers=1, retry=retry, force=True)
    assert [f.source for f in report.failed] == files[1:]
    assert all("not indexed: Elasticsearch is unreachable" in f.error for f in report.failed)
    assert "gave up after retrying for" in report.failed[0].error
    assert report.records > 0

    # While it is down: every endpoint answers 503 with a JSON error, and so does /readyz;
    # all but the indexing status, which is the indexer's file and needs no Elasticsearch.
    client = client_for(outage_settings)
    down = statuses(client)
    assert down.pop("/api/status") == 200
    assert set(down.values()) == {503}, down
    body = client.get("/api/search", params={"q": "民意速办"}).json()
    assert body["error"]["code"] == "search_unavailable"
    monkeypatch.setattr(cli, "get_settings", lambda: outage_settings)
    assert cli.main([str(SAMPLES)]) == 2  # not reachable at the start: nothing attempted

    # The indexer, retrying, gets through once the node is back.
    indexed: list = []
    retrying = threading.Thread(
        target=index_prepared,
        args=(es, outage_settings.alias, prepared_files(files[1:], 1), indexed.append),
        kwargs={"retry": Retry(budget=180, first=1, longest=5)},
    )
    retrying.start()
    node("up")
    retrying.join(timeout=200)
    assert not retrying.is_alive()
    assert [o.source for o in indexed] == files[1:]
    assert all(o.error is None and o.records > 0 for o in indexed)

    # The API recovers without a restart (an unknown document is still a 404).
    recovered = statuses(client)
    assert recovered["/readyz"] == recovered["/api/search"] == 200
    assert all(status < 500 for status in recovered.values()), recovered
    es.indices.refresh(index=outage_settings.alias)
    kinds = {"term": {"kind": "document"}}
    assert es.count(index=outage_settings.alias, query=kinds)["count"] == 3
