"""Settings in one place: read from the environment (or a .env file), nowhere else."""

from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    # One URL, or a cluster's nodes comma-separated: the client spreads requests over them and
    # goes on with the others when one dies (make cluster-test).
    es_url: str = "http://127.0.0.1:9200"
    es_index_prefix: str = "budget"
    es_api_key: str | None = None
    es_username: str | None = None
    es_password: str | None = None
    es_ca_certs: str | None = None
    es_timeout: float = 10.0
    # Index layout for a new index (mappings/ holds the single-node defaults: 1 shard, no
    # replica); a cluster sets e.g. ES_SHARDS=3 ES_REPLICAS=1 (docker-compose.cluster.yml).
    es_shards: int | None = None
    es_replicas: int | None = None

    api_host: str = "127.0.0.1"
    api_port: int = 8000
    # The admin endpoints (/api/admin/...) answer only to "Authorization: Bearer <token>";
    # without a token set they are switched off. Never commit one: set it in the environment.
    admin_token: str | None = None
    # Origins allowed to call the API from a browser, comma-separated; none by default (the
    # page is served by the API itself and needs none).
    cors_origins: str = ""
    # Requests per second each client may make to /api/..., with bursts of rate_burst;
    # 0 switches the limit off (the load test does, since all its clients share one address).
    rate_limit: float = 20.0
    rate_burst: int = 60
    # Clients on this machine (127.0.0.1, ::1: scripts, the page opened locally) are not
    # limited unless this is set. Behind a reverse proxy on this machine, have the proxy send
    # X-Forwarded-For (uvicorn takes the client's address from it), or set this.
    rate_limit_loopback: bool = False
    # The API's log: DEBUG, INFO (a line per request), WARNING (Elasticsearch errors), ERROR.
    log_level: str = "INFO"
    # Pages rendered for /api/documents/{id}/pages/{n}.png are kept here, up to this size.
    page_cache_dir: str = ".cache/pages"
    page_cache_mb: int = 200
    # The indexer's progress, which /api/status reports (the page shows it while indexing).
    index_status_file: str = ".cache/indexing.json"
    # The index holds the synthetic demo (`make run` without ../shared sets it): /api/status
    # says so and the page marks every view as made-up data.
    synthetic_demo: bool = False

    @property
    def alias(self) -> str:
        """The name searches use; it points at the current versioned index."""
        return f"{self.es_index_prefix}-records"


@lru_cache
def get_settings() -> Settings:
    return Settings()
