"""A real cluster of three nodes (scripts/es-cluster.sh, which `make cluster-test` runs): an
index of three primary shards with a replica each loses no record when a node is killed
mid-ingest, and the API goes on answering, in full, while a node is down (health yellow) and
through a rolling restart of every node.

Skipped unless ES_CLUSTER_URLS names the cluster's nodes; not part of `make test` (minutes:
every node restart waits for the cluster to be green again).
"""

import json
import os
import signal
import subprocess
import sys
import threading
import uuid
from collections import Counter
from pathlib import Path

import httpx
import pytest
from elasticsearch import Elasticsearch, helpers

from bench.run import free_port
from indexer.admin import drop_index
from indexer.es import make_client
from indexer.settings import Settings
from tests.conftest import ROOT
from tests.servers import api_server

CLUSTER_URLS = os.environ.get("ES_CLUSTER_URLS", "")
NODES = (0, 1, 2)
QUERIES = ("民意速办", "政务热线", "满意度")

pytestmark = pytest.mark.cluster


def cluster(command: str, node: int) -> None:
    """Starts or stops one node with the script that started the cluster."""
    subprocess.run([ROOT / "scripts" / "es-cluster.sh", command, str(node)], check=True)


def kill(node: int) -> None:
    pid = int((ROOT / ".es" / "cluster" / f"node-{node}" / "es.pid").read_text())
    os.kill(pid, signal.SIGKILL)


def wait_for(es: Elasticsearch, nodes: int, status: str) -> dict:
    """Cluster health once it has ``nodes`` nodes and at least ``status``; fails after 3 min."""
    health = es.options(request_timeout=190).cluster.health(
        wait_for_nodes=str(nodes), wait_for_status=status, timeout="180s"
    )
    assert not health["timed_out"], health
    return dict(health)


def restart(es: Elasticsearch, node: int) -> None:
    cluster("start", node)
    wait_for(es, 3, "green")


def node_with_a_primary(es: Elasticsearch, index: str) -> int:
    shards = es.cat.shards(index=index, format="json", h="prirep,state,node")
    return min(int(s["node"].removeprefix("node-")) for s in shards if s["prirep"] == "p")


def record_ids(es: Elasticsearch, index: str) -> set[str]:
    es.indices.refresh(index=index)
    hits = helpers.scan(es, index=index, query={"query": {"match_all": {}}}, _source=False)
    return {hit["_id"] for hit in hits}


def index_env(settings: Settings, status_file: Path) -> dict:
    return {
        **os.environ,
        "ES_URL": CLUSTER_URLS,
        "ES_INDEX_PREFIX": settings.es_index_prefix,
        "ES_SHARDS": "3",
        "ES_REPLICAS": "1",
        "INDEX_STATUS_FILE": str(status_file),
    }


def start_indexer(settings: Settings, status_file: Path, paths: list[Path]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "indexer", *map(str, paths)],
        env=index_env(settings, status_file),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def finish(indexer: subprocess.Popen) -> str:
    out, _ = indexer.communicate(timeout=900)
    assert indexer.returncode == 0, out  # every file indexed, none failed
    return out


@pytest.fixture(scope="module")
def es() -> Elasticsearch:
    if not CLUSTER_URLS:
        pytest.skip("ES_CLUSTER_URLS is not set: `make cluster-test` starts the cluster")
    client = make_client(Settings(es_url=CLUSTER_URLS))
    wait_for(client, 3, "green")
    return client


@pytest.fixture(scope="module")
def corpus(shared: Path) -> list[Path]:
    """Enough budgets that indexing them takes a while: the seed texts and the real PDFs."""
    return [shared / "corpus", shared / "realpdfs"]


@pytest.fixture(scope="module")
def reference(es, corpus, tmp_path_factory):
    """The corpus indexed undisturbed into the cluster: its settings and its record ids."""
    settings = Settings(es_index_prefix=f"cluster-ref-{uuid.uuid4().hex[:8]}")
    status = tmp_path_factory.mktemp("reference") / "status.json"
    finish(start_indexer(settings, status, corpus))
    index = settings.alias
    yield settings, record_ids(es, index)
    drop_index(es, settings)


def test_a_node_killed_mid_ingest_loses_no_record(es, corpus, reference, tmp_path):
    _, expected = reference
    settings = Settings(es_index_prefix=f"cluster-kill-{uuid.uuid4().hex[:8]}")
    status = tmp_path / "status.json"
    indexer = start_indexer(settings, status, corpus)
    try:
        while indexed_records(status) == 0:  # until the first file's records are in
            assert indexer.poll() is None, indexer.communicate()[0]
            threading.Event().wait(0.05)
        victim = node_with_a_primary(es, settings.alias)
        kill(victim)
        try:
            assert indexer.poll() is None, "indexing ended before the node was killed"
            out = finish(indexer)
            health = wait_for(es, 2, "yellow")  # the lost shards' replicas took over
            assert health["number_of_nodes"] == 2, health
            assert record_ids(es, settings.alias) == expected, out
        finally:
            restart(es, victim)
    finally:
        if indexer.poll() is None:
            indexer.kill()
        drop_index(es, settings)


def indexed_records(status_file: Path) -> int:
    """How many records the indexer has had acknowledged so far (its status file)."""
    return json.loads(status_file.read_text())["records"] if status_file.exists() else 0


class Searcher(threading.Thread):
    """Searches through the API in a loop, counting each answer by the phase it came in and
    keeping every answer that was not the full one."""

    def __init__(self, url: str, expected: dict[str, int]):
        super().__init__(daemon=True)
        self.url, self.expected = url, expected
        self.phase = "start"
        self.answers: Counter = Counter()
        self.wrong: list[str] = []
        self.stop = threading.Event()

    def run(self) -> None:
        with httpx.Client(base_url=self.url, timeout=30) as client:
            while not self.stop.is_set():
                for q in QUERIES:
                    phase = self.phase
                    try:
                        response = client.get("/api/search", params={"q": q})
                        total = response.json().get("total")
                    except (httpx.HTTPError, ValueError) as exc:
                        self.wrong.append(f"{phase} {q}: {exc!r}")
                        continue
                    if response.status_code != 200 or total != self.expected[q]:
                        self.wrong.append(f"{phase} {q}: {response.status_code} {response.text}")
                    self.answers[phase] += 1

    def wait_for_answers(self, count: int) -> None:
        """Until ``count`` answers of the current phase are in (or something went wrong)."""
        while self.answers[self.phase] < count and not self.wrong:
            assert self.is_alive()
            threading.Event().wait(0.05)


@pytest.fixture
def api(reference, tmp_path):
    settings, _ = reference
    port = free_port()
    env = {
        **os.environ,
        "ES_URL": CLUSTER_URLS,
        "ES_INDEX_PREFIX": settings.es_index_prefix,
        "API_PORT": str(port),
        "RATE_LIMIT": "0",
    }
    command = [sys.executable, "-m", "search_api"]
    with api_server(command, env, tmp_path / "api.log", cwd=tmp_path) as url:
        yield url


def test_searches_answer_while_a_node_is_down_and_through_a_rolling_restart(es, reference, api):
    settings, _ = reference
    expected = {q: httpx.get(f"{api}/api/search", params={"q": q}).json()["total"] for q in QUERIES}
    assert all(expected.values()), expected
    searcher = Searcher(api, expected)
    searcher.start()
    try:
        searcher.wait_for_answers(30)

        victim = node_with_a_primary(es, settings.alias)
        searcher.phase = f"node-{victim} killed"
        kill(victim)
        assert wait_for(es, 2, "yellow")["status"] == "yellow"
        searcher.wait_for_answers(30)
        assert es.cluster.health()["status"] == "yellow"  # answered in full while yellow
        restart(es, victim)

        for node in NODES:
            searcher.phase = f"node-{node} restarting"
            cluster("stop", node)
            wait_for(es, 2, "yellow")
            searcher.wait_for_answers(10)
            cluster("start", node)
            wait_for(es, 3, "green")
    finally:
        searcher.stop.set()
        searcher.join(timeout=60)
    assert not searcher.wrong, searcher.wrong[:10]
    phases = ["start", f"node-{victim} killed", *(f"node-{n} restarting" for n in NODES)]
    assert all(searcher.answers[phase] >= 10 for phase in phases), searcher.answers
