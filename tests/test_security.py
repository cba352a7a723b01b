"""Read-only public API, admin token, CORS, rate limiting, the Elasticsearch client's
credentials, and no secrets in the repository."""

import base64
import os
import re
import subprocess
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
import yaml
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from bench.run import start_api
from indexer.admin import drop_index
from indexer.es import make_client
from indexer.settings import Settings, get_settings
from search_api.app import create_app
from search_api.security import RateLimiter, limiter_from
from tests.conftest import ROOT, SAMPLES, client_for, quiet_ingest

PUBLIC_METHODS = {"GET", "HEAD"}


def test_the_public_api_is_read_only():
    app = create_app(get_settings())
    writes = [
        (route.path, sorted(route.methods - PUBLIC_METHODS))
        for route in app.routes
        if isinstance(route, APIRoute) and route.methods - PUBLIC_METHODS
    ]
    assert writes and all(path.startswith("/api/admin/") for path, _ in writes), writes
    client = TestClient(app)
    for method in ("POST", "PUT", "DELETE", "PATCH"):
        response = client.request(method, "/api/search", params={"q": "x"})
        assert response.status_code == 405
        assert response.json()["error"]["code"] == "method_not_allowed"


@pytest.mark.es
def test_admin_endpoints_need_the_token(seed_index):
    settings, _ = seed_index
    off = client_for(settings)  # no ADMIN_TOKEN set: switched off
    response = off.get("/api/admin/generations")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "admin_disabled"
    assert off.post("/api/admin/rollback").status_code == 403

    client = client_for(settings.model_copy(update={"admin_token": "a-test-token"}))
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "a-test-token"}):
        response = client.get("/api/admin/generations", headers=headers)
        assert response.status_code == 401, headers
        assert response.json()["error"]["code"] == "unauthorized"
    good = {"Authorization": "Bearer a-test-token"}
    listing = client.get("/api/admin/generations", headers=good).json()
    assert listing["current"] == listing["generations"][-1]
    assert listing["current"].startswith(settings.alias)
    # a first ingest has no previous generation to go back to
    response = client.post("/api/admin/rollback", headers=good)
    assert response.status_code == 409
    assert "no previous generation" in response.json()["error"]["message"]


def test_cors_is_closed_by_default():
    assert get_settings().cors_origins == ""
    client = client_for(get_settings())
    response = client.get("/healthz", headers={"Origin": "https://elsewhere.example"})
    assert "access-control-allow-origin" not in response.headers


def test_the_rate_limiter_allows_bursts_then_refills():
    limiter = RateLimiter(rate=10, burst=3)
    assert [limiter.wait("a") for _ in range(3)] == [0, 0, 0]
    assert 0 < limiter.wait("a") <= 0.1
    assert limiter.wait("b") == 0  # per client
    time.sleep(0.15)
    assert limiter.wait("a") == 0
    assert limiter_from(Settings()) is not None  # on by default
    assert limiter_from(Settings(rate_limit=0)) is None


def test_clients_on_this_machine_are_not_limited_unless_asked():
    def statuses(settings: Settings, client: str) -> list[int]:
        api = TestClient(create_app(settings), client=(client, 5000))
        return [api.get("/api/nothing-here").status_code for _ in range(4)]

    strict = Settings(rate_limit=0.01, rate_burst=2)
    for local in ("127.0.0.1", "::1", "127.8.9.10"):
        assert 429 not in statuses(strict, local), local
    assert statuses(strict, "203.0.113.7") == [404, 404, 429, 429]  # elsewhere: limited
    loopback_too = strict.model_copy(update={"rate_limit_loopback": True})
    assert statuses(loopback_too, "127.0.0.1") == [404, 404, 429, 429]
    # no limit at all (the suite's own APIs: tests/conftest.py)
    assert statuses(strict.model_copy(update={"rate_limit": 0}), "203.0.113.7") == [404] * 4


@pytest.fixture(scope="module")
def configured_api(es, tmp_path_factory):
    """The API as a user runs it, over the samples, with CORS origins and a rate limit from the
    environment."""
    settings = Settings(es_index_prefix=f"test-security-{uuid.uuid4().hex[:8]}")
    quiet_ingest([SAMPLES], settings, es)
    env = {
        "CORS_ORIGINS": "https://newsroom.example, https://audit.example",
        "RATE_LIMIT": "0.01",  # a token per 100 s: none comes back during the test
        "RATE_BURST": "5",
        "RATE_LIMIT_LOOPBACK": "true",  # the test's client is on this machine
    }
    log = (tmp_path_factory.mktemp("api") / "api.log").open("w")
    process, url, _ = start_api(settings, log, env)
    try:
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()
        drop_index(es, settings)


@pytest.mark.es
def test_cors_origins_and_rate_limit_from_the_settings(configured_api):
    allowed = httpx.get(
        f"{configured_api}/api/suggest", headers={"Origin": "https://audit.example"}
    )
    assert allowed.headers["access-control-allow-origin"] == "https://audit.example"
    other = httpx.get(f"{configured_api}/api/suggest", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers

    statuses = [httpx.get(f"{configured_api}/api/suggest").status_code for _ in range(12)]
    assert 429 in statuses
    limited = httpx.get(f"{configured_api}/api/suggest")
    assert limited.status_code == 429
    assert limited.json()["error"]["code"] == "rate_limited"
    assert int(limited.headers["retry-after"]) >= 1
    assert httpx.get(f"{configured_api}/healthz").status_code == 200  # health is not limited


def test_client_credentials_for_a_secured_cluster(tmp_path):
    key = make_client(Settings(es_api_key="a2V5OnNlY3JldA=="))
    assert key._headers["authorization"] == "ApiKey a2V5OnNlY3JldA=="
    basic = make_client(Settings(es_username="search", es_password="pw"))
    assert basic._headers["authorization"] == "Basic c2VhcmNoOnB3"  # search:pw
    ca = tmp_path / "ca.crt"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-subj", "/CN=test-ca", "-keyout", str(tmp_path / "ca.key"), "-out", str(ca)],
        check=True,
        capture_output=True,
    )
    secured = make_client(Settings(es_url="https://es.example:9200", es_ca_certs=str(ca)))
    node = secured.transport.node_pool.get()
    assert node.config.ca_certs == str(ca)
    assert node.config.scheme == "https"


def test_es_url_may_name_every_node_of_a_cluster():
    """Comma-separated nodes are all in the client's pool (a request that fails on one goes on
    to another: tests/test_cluster.py); one URL is a pool of one."""
    urls = "http://es1:9200, http://es2:9200,http://es3:9200"
    pool = make_client(Settings(es_url=urls)).transport.node_pool
    assert sorted(node.config.host for node in pool.all()) == ["es1", "es2", "es3"]
    assert len(make_client(Settings(es_url="http://es1:9200")).transport.node_pool.all()) == 1


def test_the_local_node_script_reaches_a_secured_cluster_with_its_credentials(tmp_path):
    """scripts/es-local.sh probes ES_URL with the credentials of the environment or of .env
    (a fake cluster that wants Basic auth stands in for a secured one)."""
    password = 'p"a\\ss w'  # a quote, a backslash and a space: escaped for curl's config
    expected = "Basic " + base64.b64encode(f"search:{password}".encode()).decode()

    class Secured(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the http.server API
            ok = self.path.startswith("/_cluster/health")
            ok = ok and self.headers.get("Authorization") == expected
            self.send_response(200 if ok else 401)
            self.end_headers()
            self.wfile.write(b'{"status":"green"}' if ok else b"{}")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Secured)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    script = str(ROOT / "scripts" / "es-local.sh")
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ES_")}

    def status(env: dict) -> str:
        done = subprocess.run(
            [script, "status"], cwd=tmp_path, env={**clean, **env}, capture_output=True, text=True
        )
        return done.stdout.strip()

    try:
        assert status({"ES_URL": url}) == f"nothing answers at {url}"  # no credentials
        given = {"ES_URL": url, "ES_USERNAME": "search", "ES_PASSWORD": password}
        assert status(given) == f"Elasticsearch answers at {url}"
        (tmp_path / ".env").write_text(
            f"ES_URL={url}\nES_USERNAME='search'\nES_PASSWORD={password}\n", encoding="utf-8"
        )
        assert status({}) == f"Elasticsearch answers at {url}"  # from .env
        assert status({"ES_PASSWORD": "wrong"}) == f"nothing answers at {url}"  # env wins
    finally:
        server.shutdown()
        server.server_close()


def tracked_files() -> list[str]:
    out = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True)
    return out.stdout.split()


def test_no_secrets_in_the_repository():
    files = tracked_files()
    if not files:
        pytest.skip("not a git checkout")
    assert not [f for f in files if f == ".env" or f.endswith("/.env")]
    for name in [f for f in files if f.startswith("docker-compose")]:
        compose = yaml.safe_load((ROOT / name).read_text(encoding="utf-8"))
        for service in compose["services"].values():
            env = service.get("environment", {})
            for key, value in env.items() if isinstance(env, dict) else []:
                if re.search(r"PASSWORD|TOKEN|API_KEY", key):
                    # a secret comes from the user's environment, never written here
                    assert re.fullmatch(r"\$\{\w+(:\?[^}]*)?\}", str(value)), (name, key)


@pytest.mark.es
def test_markup_in_a_documents_text_comes_back_escaped_in_snippets(es, tmp_path):
    """A budget whose text holds markup: its snippet is escaped text with only <mark>s."""
    folder = tmp_path / "hostile"
    folder.mkdir()
    (folder / "hostile.txt").write_text(
        "2026年兰州市统计局部门预算\n第一部分 部门概况\n"
        '统计调查<img src=x onerror="window.__pwned=1">经费用于普查。\n',
        encoding="utf-8",
    )
    settings = Settings(es_index_prefix=f"test-hostile-{uuid.uuid4().hex[:8]}")
    quiet_ingest([folder], settings, es)
    try:
        body = client_for(settings).get("/api/search", params={"q": "统计调查"}).json()
        snippets = [h["snippet"] for h in body["hits"] if h["snippet"]]
        assert snippets
        for snippet in snippets:
            without_marks = snippet.replace("<mark>", "").replace("</mark>", "")
            assert "<" not in without_marks, snippet
        assert any("&lt;img" in s for s in snippets), snippets
    finally:
        drop_index(es, settings)
