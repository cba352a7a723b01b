"""The load test's short version: 32 concurrent clients for a few seconds against the API as
users run it (a process of its own), with no errors. `make soak` runs it for 60 s over the
real PDFs (bench/load.py) and BENCHMARKS.md records the latencies."""

import asyncio

import pytest

from bench.load import load, request_mix
from bench.run import start_api

pytestmark = pytest.mark.es


def test_32_clients_get_answers_and_no_errors(es, seed_index):
    settings, _ = seed_index
    process, url, _ = start_api(settings)
    try:
        requests = request_mix(es, settings.alias)
        result = asyncio.run(load(url, requests, clients=32, seconds=3))
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert result.errors == []
    assert len(result.latencies) > 32  # more requests than clients: they kept sending
