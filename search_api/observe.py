"""What operators watch: a log line per request with its latency, and Prometheus metrics
(``/metrics``): requests by route and status, their latencies, and Elasticsearch errors.

The log goes through ``logging`` (level from LOG_LEVEL): ``search_api.access`` has the request
lines, ``search_api`` the Elasticsearch errors with their cause.
"""

import logging
import time

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest

log = logging.getLogger("search_api")
access = logging.getLogger("search_api.access")

REQUESTS = Counter(
    "budget_api_requests_total", "HTTP requests answered", ["method", "route", "status"]
)
LATENCY = Histogram(
    "budget_api_request_seconds",
    "Time from a request's arrival to the end of its response",
    ["route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
ES_ERRORS = Counter(
    "budget_api_elasticsearch_errors_total", "Elasticsearch failures, by kind", ["kind"]
)
METRICS_TYPE = CONTENT_TYPE_LATEST


def _one_line(record: logging.LogRecord) -> bool:
    """A record without its traceback."""
    record.exc_info = record.exc_text = None
    return True


def configure_logging(level: str) -> None:
    logging.basicConfig(
        format="%(asctime)s %(levelname)s %(name)s: %(message)s", level=level.upper()
    )
    # The Elasticsearch client logs each request it sends at INFO: a second line per search
    # beside the access log's, and a sixth of the API's CPU per search went to the two
    # (BENCHMARKS.md). Its lines show at DEBUG; Elasticsearch's failures are logged here.
    debug = level.upper() == "DEBUG"
    logging.getLogger("elastic_transport").setLevel(logging.NOTSET if debug else logging.WARNING)
    # Its warning on each retry carries the failure's traceback, a dozen lines per request
    # while Elasticsearch is down; the API logs the failure's cause itself (elasticsearch_failed).
    transport = logging.getLogger("elastic_transport.transport")
    if debug:
        transport.removeFilter(_one_line)
    else:
        transport.addFilter(_one_line)  # once: a logger keeps no filter twice
    # What the format does not show is not gathered for each line (the caller's file and
    # line, the thread and process): the "Optimization" section of Python's logging HOWTO.
    logging._srcfile = None
    logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False


def metrics_text() -> bytes:
    return generate_latest()


def elasticsearch_failed(kind: str, exc: Exception) -> None:
    """Counts an Elasticsearch failure and logs it with its cause."""
    ES_ERRORS.labels(kind=kind).inc()
    log.warning("Elasticsearch %s: %r", kind.replace("_", " "), exc)


class RequestLogMiddleware:
    """Plain ASGI: one log line and the metrics for each HTTP request."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = time.perf_counter()
        status = 500  # unless the response says otherwise (an error before it started)

        async def sending(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            seconds = time.perf_counter() - started
            route = getattr(scope.get("route"), "path", "unmatched")
            REQUESTS.labels(scope["method"], route, str(status)).inc()
            LATENCY.labels(route).observe(seconds)
            if access.isEnabledFor(logging.INFO):
                query = scope.get("query_string", b"").decode("latin-1")
                client = scope["client"][0] if scope.get("client") else "-"
                access.info(
                    "%s %s %s%s %d %.1f ms",
                    client,
                    scope["method"],
                    scope["path"],
                    f"?{query}" if query else "",
                    status,
                    1000 * seconds,
                )
