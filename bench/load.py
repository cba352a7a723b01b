"""A bounded load test on loopback: N concurrent clients for S seconds against the API as
users run it, over an index of the real PDFs.

    .venv/bin/python -m bench.load [--clients 32] [--seconds 60] [PATH...]

Indexes PATH (default ../shared/realpdfs) under an index of its own, starts the API with the
rate limit off (every client here shares one address), and has each client send searches
back to back: the realistic queries of bench/run.py, suggestions, document lists, and
searches for project names drawn from the index. Prints the request count, the errors (there
must be none) and the latency percentiles; deletes its index afterwards.
"""

import argparse
import asyncio
import io
import itertools
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench.run import QUERIES, SHARED, distinct_searches, percentiles, start_api
from indexer.admin import drop_index
from indexer.cli import ingest
from indexer.es import make_client
from indexer.settings import Settings
from indexer.sources import find_sources


@dataclass
class LoadResult:
    clients: int
    seconds: float
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def summary(self) -> str:
        p50, p95, p99 = percentiles(self.latencies)
        return (
            f"{self.clients} clients for {self.seconds:.0f} s: {len(self.latencies)} requests "
            f"({len(self.latencies) / self.seconds:.0f}/s), {len(self.errors)} errors; "
            f"latency ms p50 {p50:.1f}, p95 {p95:.1f}, p99 {p99:.1f}, "
            f"max {max(self.latencies) * 1000:.1f}"
        )


def request_mix(es, index: str) -> list[tuple[str, dict]]:
    """What the clients send, in turn: fixed queries and distinct searches interleaved."""
    fixed = [(path, params) for _, path, params in QUERIES]
    fixed += [
        ("/api/suggest", {"q": "民意"}),
        ("/api/documents", {"size": 20}),
        ("/api/search", {"q": "满意度", "page": 2}),
    ]
    searches = [("/api/search", s) for s in distinct_searches(es, index, 200)]
    return [r for pair in itertools.zip_longest(fixed * 20, searches) for r in pair if r]


async def load(url: str, requests: list[tuple[str, dict]], clients: int, seconds: float):
    """Each client sends the next request of the mix as soon as its last one is answered."""
    result = LoadResult(clients, seconds)
    mix = itertools.cycle(requests)
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async def client(http: httpx.AsyncClient) -> None:
        while time.perf_counter() < deadline:
            path, params = next(mix)
            started = time.perf_counter()
            try:
                response = await http.get(path, params=params)
                if response.status_code != 200:
                    result.errors.append(f"{response.status_code} {path} {response.text[:200]}")
            except httpx.HTTPError as exc:
                result.errors.append(f"{type(exc).__name__} {path}: {exc}")
            result.latencies.append(time.perf_counter() - started)

    async with httpx.AsyncClient(base_url=url, timeout=30, limits=limits) as http:
        await asyncio.gather(*(client(http) for _ in range(clients)))
    return result


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load")
    parser.add_argument("paths", nargs="*", default=[str(SHARED / "realpdfs")])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--api-log", type=Path, help="keep the API's log in this file")
    args = parser.parse_args(argv)
    settings = Settings(es_index_prefix=f"load-{uuid.uuid4().hex[:8]}")
    es = make_client(settings)
    try:
        report = ingest(find_sources(args.paths), settings, es, out=io.StringIO())
        print(f"indexed {report.records} records from {len(report.files)} files", file=sys.stderr)
        log = args.api_log.open("w") if args.api_log else subprocess.DEVNULL
        process, url, _ = start_api(settings, log)
        try:
            requests = request_mix(es, settings.alias)
            result = asyncio.run(load(url, requests, args.clients, args.seconds))
        finally:
            process.terminate()
            process.wait(timeout=10)
    finally:
        drop_index(es, settings)
    print(result.summary())
    for error in result.errors[:10]:
        print(f"  {error}")
    return 1 if result.errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
