"""Fixtures. Tests that need Elasticsearch use the real node `make test` started (ES_URL);
each session writes to indexes under a prefix of its own and deletes them afterwards."""

import io
import shutil
import uuid
from functools import cache
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from indexer.admin import drop_index
from indexer.cli import ingest
from indexer.es import is_reachable, make_client
from indexer.extract import extractor_for
from indexer.settings import Settings, get_settings
from indexer.sources import find_sources
from search_api.app import create_app

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SAMPLES = ROOT / "samples"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that uses the node (the ``es`` fixture, however indirectly) is marked ``es``, so
    that `make test-unit` (-m "not es") runs only what needs no Elasticsearch."""
    for item in items:
        if "es" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.es)


@pytest.fixture(scope="session")
def shared() -> Path:
    if not (SHARED / "corpus").is_dir():
        pytest.skip(f"the shared corpus is absent ({SHARED / 'corpus'}); these tests read it")
    return SHARED


@pytest.fixture(scope="session")
def seed_files(shared: Path) -> list[Path]:
    return sorted((shared / "corpus").glob("*.txt"))


@cache
def extracted(path: Path):
    """A file's extraction, once per session (the real PDFs take seconds each)."""
    return extractor_for(path).extract(path)


def _settings(prefix: str) -> Settings:
    """The settings of an index of the suite's own. The suite sends hundreds of requests a
    second as one client, so its APIs have no rate limit (test_security.py tests the limit)."""
    return Settings(es_index_prefix=prefix, rate_limit=0)


@pytest.fixture(scope="session")
def es():
    client = make_client(get_settings())
    if not is_reachable(client):
        pytest.fail(
            f"Elasticsearch does not answer at {get_settings().es_url}: run the tests with "
            "'make test', which starts a local node (or start one with 'make es-up')."
        )
    return client


@pytest.fixture
def fresh_settings(es):
    """Settings pointing at a fresh, empty index of this test's own."""
    settings = _settings(f"test-{uuid.uuid4().hex[:10]}")
    yield settings
    drop_index(es, settings)


def quiet_ingest(paths, settings, es):
    return ingest(find_sources(map(str, paths)), settings, es, out=io.StringIO())


@pytest.fixture(scope="session")
def seed_index(es, seed_files):
    """The five seed budgets, ingested once for the read-only tests of the session."""
    settings = _settings(f"test-seed-{uuid.uuid4().hex[:8]}")
    report = quiet_ingest(seed_files, settings, es)
    assert not report.failed, report.summary()
    yield settings, report
    drop_index(es, settings)


CITED_PDF = "realpdfs/shenzhen-2026/2026年深圳市审计局部门预算.pdf"


@pytest.fixture(scope="session")
def cited_index(es, shared, tmp_path_factory):
    """A real budget PDF (as audit.pdf) and a seed text (seed.txt) in a folder, indexed: the
    files the API serves and renders pages of."""
    folder = tmp_path_factory.mktemp("cited")
    shutil.copy(shared / CITED_PDF, folder / "audit.pdf")
    shutil.copy(sorted((shared / "corpus").glob("*.txt"))[0], folder / "seed.txt")
    settings = _settings(f"test-cited-{uuid.uuid4().hex[:8]}")
    report = quiet_ingest([folder], settings, es)
    assert not report.failed, report.summary()
    yield folder, settings
    drop_index(es, settings)


def client_for(settings: Settings) -> TestClient:
    """A client of the API built over these settings."""
    return TestClient(create_app(settings))


@pytest.fixture
def seed_api(seed_index):
    settings, _ = seed_index
    return client_for(settings)
