"""docker-compose.yml cannot be run here (no Docker engine); check it is valid and agrees
with the Elasticsearch version the local node pins."""

import re
import subprocess

import yaml

from tests.conftest import ROOT


def pinned_version() -> str:
    out = subprocess.run(
        [str(ROOT / "scripts" / "es-local.sh"), "version"],
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip()


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def test_compose_uses_the_pinned_elasticsearch_image():
    image = compose()["services"]["elasticsearch"]["image"]
    assert image == f"docker.elastic.co/elasticsearch/elasticsearch:{pinned_version()}"


def test_client_major_version_matches_the_server():
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    client = re.search(r'"elasticsearch(?:\[async\])?==(\d+)\.', text).group(1)
    assert client == pinned_version().split(".")[0]


def test_compose_services_and_wiring():
    services = compose()["services"]
    assert {"elasticsearch", "api", "indexer"} <= set(services)
    es_env = services["elasticsearch"]["environment"]
    assert es_env["discovery.type"] == "single-node"
    assert "healthcheck" in services["elasticsearch"]
    for name in ("api", "indexer"):
        svc = services[name]
        assert svc["environment"]["ES_URL"] == "http://elasticsearch:9200"
        assert svc["depends_on"]["elasticsearch"]["condition"] == "service_healthy"
    # the one-shot indexer runs once and exits
    assert services["indexer"]["restart"] == "no"
    assert services["api"]["command"][:3] == ["python", "-m", "search_api"]
    # the API serves the files indexed from where the indexer saw them
    assert services["api"]["volumes"] == services["indexer"]["volumes"]
    # Ports are published on loopback only: the node has security off.
    for name in ("elasticsearch", "api"):
        assert all(str(p).startswith("127.0.0.1:") for p in services[name]["ports"])


def test_the_cluster_variant_has_three_nodes_on_the_pinned_version():
    cluster = yaml.safe_load((ROOT / "docker-compose.cluster.yml").read_text(encoding="utf-8"))
    nodes = [n for n in cluster["services"] if n.startswith("es")]
    assert nodes == ["es01", "es02", "es03"]
    for name in nodes:
        node = cluster["services"][name]
        assert node["image"] == f"docker.elastic.co/elasticsearch/elasticsearch:{pinned_version()}"
        assert node["environment"]["discovery.seed_hosts"] == "es01,es02,es03"
        assert node["environment"]["node.name"] == name
    assert cluster["services"]["api"]["environment"]["ES_REPLICAS"] == "1"


def test_the_secured_variant_has_security_on_and_takes_secrets_from_the_environment():
    secure = yaml.safe_load((ROOT / "docker-compose.secure.yml").read_text(encoding="utf-8"))
    services = secure["services"]
    image = f"docker.elastic.co/elasticsearch/elasticsearch:{pinned_version()}"
    assert services["elasticsearch"]["image"] == services["certs"]["image"] == image
    es_env = services["elasticsearch"]["environment"]
    assert es_env["xpack.security.enabled"] == es_env["xpack.security.http.ssl.enabled"] == "true"
    assert es_env["ELASTIC_PASSWORD"].startswith("${ELASTIC_PASSWORD:?")
    for name in ("api", "indexer"):
        env = services[name]["environment"]
        assert env["ES_URL"] == "https://elasticsearch:9200"
        assert env["ES_CA_CERTS"] == "/certs/ca/ca.crt"
        assert env["ES_PASSWORD"].startswith("${ELASTIC_PASSWORD:?")
    assert services["api"]["environment"]["ADMIN_TOKEN"].startswith("${ADMIN_TOKEN:?")


def test_the_api_services_have_a_health_check():
    for name in ("docker-compose.yml", "docker-compose.cluster.yml", "docker-compose.secure.yml"):
        api = yaml.safe_load((ROOT / name).read_text(encoding="utf-8"))["services"]["api"]
        check = " ".join(api["healthcheck"]["test"])
        assert "/healthz" in check and f":{api['environment']['API_PORT']}/" in check, name


def test_the_image_installs_the_wheel_and_runs_without_privileges():
    lines = [
        line.strip()
        for line in (ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    users = [line.split()[1] for line in lines if line.startswith("USER ")]
    assert users and users[-1] not in ("root", "0")
    assert not any("pip install" in line and " -e " in line for line in lines)
    assert any(line.startswith("RUN pip wheel") for line in lines)
    assert any(line.startswith("HEALTHCHECK") for line in lines)
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert {".env", ".venv", ".es", ".bench", "dist"} <= set(ignored)
