"""The API's lean HTTP node (indexer/es_node.py), on the real node: the same answers as the
client's own aiohttp node, connections kept and bounded, and failures turned into the client's
errors without a half-read answer left on a connection."""

import asyncio
import socket
from contextlib import closing

import pytest
from elastic_transport import ConnectionError, ConnectionTimeout
from elasticsearch import AsyncElasticsearch, NotFoundError

from indexer.es import _options, make_async_client
from indexer.es_node import LeanNode
from indexer.settings import get_settings


def _node(es: AsyncElasticsearch) -> LeanNode:
    node = es.transport.node_pool.get()
    assert isinstance(node, LeanNode)
    return node


def _run(test) -> None:
    """Runs ``test(es)`` with the API's client, closed afterwards."""

    async def main():
        es = make_async_client(get_settings())
        try:
            await test(es)
        finally:
            await es.close()

    asyncio.run(main())


def test_answers_match_the_aiohttp_node(seed_index):
    settings, _ = seed_index
    # a large answer: Elasticsearch sends it in chunks
    body = {"query": {"match_all": {}}, "size": 200, "aggs": {"k": {"terms": {"field": "kind"}}}}

    async def both():
        lean = make_async_client(settings)
        stock = AsyncElasticsearch(**_options(settings))
        try:
            ours = await lean.search(index=settings.alias, **body)
            theirs = await stock.search(index=settings.alias, **body)
        finally:
            await lean.close()
            await stock.close()
        assert "chunked" in ours.meta.headers.get("transfer-encoding", "")
        ours, theirs = ours.body, theirs.body
        assert len(ours["hits"]["hits"]) == 200
        assert ours["hits"]["hits"] == theirs["hits"]["hits"]
        assert ours["aggregations"] == theirs["aggregations"]

    asyncio.run(both())


def test_head_requests_and_errors(seed_index):
    settings, _ = seed_index

    async def test(es):
        assert await es.indices.exists_alias(name=settings.alias)
        assert not await es.indices.exists_alias(name="no-such-alias-anywhere")
        with pytest.raises(NotFoundError):
            await es.search(index="no-such-index-anywhere")
        # the connection still works after the answers above
        assert (await es.count(index=settings.alias))["count"] > 0

    _run(test)


def test_keeps_connections_and_bounds_them(seed_index):
    settings, _ = seed_index

    async def test(es):
        for _ in range(5):
            await es.count(index=settings.alias)
        node = _node(es)
        first = node._idle[0]
        assert len(node._idle) == 1  # one request at a time: one connection, kept
        await es.count(index=settings.alias)
        assert node._idle == [first]

        counts = await asyncio.gather(*(es.count(index=settings.alias) for _ in range(40)))
        assert len({c["count"] for c in counts}) == 1
        assert 1 <= len(node._idle) <= node._connections_per_node

    _run(test)


def test_compressed_requests_and_answers(seed_index):
    settings, _ = seed_index

    async def test():
        es = AsyncElasticsearch(node_class=LeanNode, http_compress=True, **_options(settings))
        try:
            answer = await es.search(index=settings.alias, size=50, query={"match_all": {}})
        finally:
            await es.close()
        assert answer.meta.headers.get("content-encoding") == "gzip"
        assert len(answer["hits"]["hits"]) == 50

    asyncio.run(test())


def test_a_cancelled_request_leaves_no_answer_behind(seed_index):
    settings, _ = seed_index

    async def test(es):
        await es.count(index=settings.alias)
        node = _node(es)
        task = asyncio.create_task(es.search(index=settings.alias, size=100))
        while node._idle:  # until the search has taken the connection
            await asyncio.sleep(0)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert node._idle == []  # its connection was closed, not kept with an answer unread
        assert (await es.count(index=settings.alias))["count"] > 0

    _run(test)


@pytest.fixture
def silent_port():
    """A port that accepts connections and never answers."""
    with closing(socket.socket()) as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        yield server.getsockname()[1]


@pytest.fixture
def closed_port():
    with closing(socket.socket()) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_timeouts_and_refusals_are_the_clients_errors(silent_port, closed_port):
    async def test():
        silent = AsyncElasticsearch(
            f"http://127.0.0.1:{silent_port}", node_class=LeanNode, max_retries=0
        )
        refused = AsyncElasticsearch(
            f"http://127.0.0.1:{closed_port}", node_class=LeanNode, max_retries=0
        )
        try:
            with pytest.raises(ConnectionTimeout):
                await silent.options(request_timeout=0.2).count()
            with pytest.raises(ConnectionError):
                await refused.count()
            assert _node(silent)._idle == [] and _node(refused)._idle == []
        finally:
            await silent.close()
            await refused.close()

    asyncio.run(test())
