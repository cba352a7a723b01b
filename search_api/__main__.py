"""``budget-search`` (or ``python -m search_api``): serve the API and the page."""

import argparse

import uvicorn

from indexer import __version__, program_name
from indexer.settings import get_settings
from search_api.observe import configure_logging


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog=program_name("python -m search_api"),
        description="Serve the search API and its page. Where and over which cluster come from "
        "the settings: API_HOST, API_PORT, ES_URL, ES_INDEX_PREFIX and the rest, in the "
        "environment or a .env file (README, 'Using an existing Elasticsearch cluster').",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.parse_args(argv)
    settings = get_settings()
    configure_logging(settings.log_level)
    print(f"serving on http://{settings.api_host}:{settings.api_port} (API docs at /docs)")
    uvicorn.run(
        "search_api.app:create_app",  # built by uvicorn, over the same settings (get_settings)
        factory=True,
        host=settings.api_host,
        port=settings.api_port,
        log_level=settings.log_level.lower(),
        access_log=False,  # search_api.access has a line per request, with its latency
        # Idle connections are closed by the client (httpx after 5 s, browsers and proxies
        # after about a minute) rather than by us: closing one as a client reuses it is a race
        # the client loses (the 60-s load test saw a few such errors per run at uvicorn's 5 s).
        timeout_keep_alive=75,
    )


if __name__ == "__main__":
    main()
