"""A log line per request with its latency, Elasticsearch errors logged with their cause, and
the Prometheus metrics."""

import logging
import re

import pytest

from indexer.settings import Settings
from search_api.observe import configure_logging
from tests.conftest import client_for


def counter(text: str, name: str, **labels: str) -> float:
    """A sample's value in Prometheus text (0 when absent)."""
    for line in text.splitlines():
        if line.startswith(name + "{") and all(f'{k}="{v}"' in line for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


@pytest.mark.es
def test_each_request_is_logged_with_its_latency_and_counted(seed_api, caplog):
    before = counter(
        seed_api.get("/metrics").text, "budget_api_requests_total", route="/api/search"
    )
    with caplog.at_level(logging.INFO, logger="search_api.access"):
        assert seed_api.get("/api/search", params={"q": "民意速办"}).status_code == 200
        assert seed_api.get("/api/nothing-here").status_code == 404
    lines = [r.getMessage() for r in caplog.records if r.name == "search_api.access"]
    assert len(lines) == 2, lines
    assert re.fullmatch(r"\S+ GET /api/search\?q=\S+ 200 \d+\.\d ms", lines[0]), lines[0]
    assert re.fullmatch(r"\S+ GET /api/nothing-here 404 \d+\.\d ms", lines[1]), lines[1]
    response = seed_api.get("/metrics")
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    searched = counter(text, "budget_api_requests_total", route="/api/search", status="200")
    assert searched >= 1 and searched == before + 1
    assert counter(text, "budget_api_requests_total", route="unmatched", status="404") >= 1
    assert counter(text, "budget_api_request_seconds_count", route="/api/search") >= 1


def test_an_elasticsearch_failure_is_logged_with_its_cause_and_counted(caplog):
    client = client_for(Settings(es_url="http://127.0.0.1:9", es_timeout=2))
    errors = "budget_api_elasticsearch_errors_total"
    before = counter(client.get("/metrics").text, errors, kind="unavailable")
    with caplog.at_level(logging.WARNING, logger="search_api"):
        assert client.get("/api/search", params={"q": "民意速办"}).status_code == 503
    warnings = [r.getMessage() for r in caplog.records if r.name == "search_api"]
    assert len(warnings) == 1 and warnings[0].startswith("Elasticsearch unavailable: ")
    assert "Connection" in warnings[0]  # the cause, as the client raised it
    assert counter(client.get("/metrics").text, errors, kind="unavailable") == before + 1


@pytest.mark.parametrize(("level", "client_lines"), [("INFO", False), ("DEBUG", True)])
def test_the_clients_own_request_lines_show_only_at_debug(level, client_lines, monkeypatch):
    client_log = logging.getLogger("elastic_transport.transport")
    root = logging.getLogger()
    root_level = root.level
    monkeypatch.setattr(logging, "_srcfile", logging._srcfile)  # restored afterwards
    try:
        configure_logging(level)
        root.setLevel(level)  # basicConfig leaves a root that has handlers (pytest's) alone
        assert client_log.isEnabledFor(logging.INFO) is client_lines
        assert client_log.isEnabledFor(logging.WARNING)
    finally:
        logging.getLogger("elastic_transport").setLevel(logging.NOTSET)
        root.setLevel(root_level)


@pytest.mark.parametrize(("level", "tracebacks"), [("INFO", False), ("DEBUG", True)])
def test_the_clients_retry_warnings_carry_no_traceback_but_at_debug(level, tracebacks, caplog):
    transport = logging.getLogger("elastic_transport.transport")
    filters = list(transport.filters)
    client = client_for(Settings(es_url="http://127.0.0.1:9", es_timeout=2))
    try:
        configure_logging(level)
        with caplog.at_level(logging.WARNING, logger="elastic_transport"):
            assert client.get("/api/search", params={"q": "民意速办"}).status_code == 503
    finally:
        transport.filters[:] = filters
        logging.getLogger("elastic_transport").setLevel(logging.NOTSET)
    retries = [r for r in caplog.records if r.name == "elastic_transport.transport"]
    assert retries and all(r.getMessage().startswith("Retrying request") for r in retries)
    assert all(bool(r.exc_info) is tracebacks for r in retries)
    assert "Traceback" in caplog.text if tracebacks else "Traceback" not in caplog.text
