"""The API's lean HTTP node (indexer/es_node.py), on the real node: the same answers as the
client's own aiohttp node, connections kept and bounded, and failures turned into the client's
errors without a half-read answer left on a connection."""

import asyncio
import socket
import ssl
from contextlib import closing

import pytest
from elastic_transport import ConnectionError, ConnectionTimeout, TlsError
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


def _self_signed(folder) -> tuple[str, str]:
    """A certificate for localhost, signed by its own key: its (cert, key) files."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return str(cert_file), str(key_file)


def test_tls_with_the_clusters_ca(tmp_path):
    """TLS as docker-compose.secure.yml runs it (ES_URL https, ES_CA_CERTS). The local node
    has no TLS (the integration-test distribution lacks it), so a TLS socket stands in for
    one answer: a count, with the header the client checks for."""
    cert, key = _self_signed(tmp_path)
    answer = b'{"count":7,"_shards":{"total":1,"successful":1,"skipped":0,"failed":0}}'
    reply = (
        b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
        b"x-elastic-product: Elasticsearch\r\ncontent-length: %d\r\n\r\n%s" % (len(answer), answer)
    )

    handlers = set()

    async def serve(reader, writer):
        handlers.add(asyncio.current_task())
        try:
            while True:  # each request (a GET: no body) answered in turn
                await reader.readuntil(b"\r\n\r\n")
                writer.write(reply)
        except (asyncio.IncompleteReadError, OSError):  # the client closed, or refused us
            writer.close()

    async def test():
        server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        server_tls.load_cert_chain(cert, key)
        server = await asyncio.start_server(serve, "localhost", 0, ssl=server_tls)
        port = server.sockets[0].getsockname()[1]
        trusting = AsyncElasticsearch(
            f"https://localhost:{port}", ca_certs=cert, node_class=LeanNode, max_retries=0
        )
        doubting = AsyncElasticsearch(
            f"https://localhost:{port}", node_class=LeanNode, max_retries=0
        )
        try:
            assert (await trusting.count())["count"] == 7
            assert (await trusting.count())["count"] == 7  # on the same connection
            assert len(_node(trusting)._idle) == 1
            with pytest.raises(TlsError):  # the system's CAs do not know this certificate
                await doubting.count()
        finally:
            await trusting.close()
            await doubting.close()
            server.close()
            await asyncio.gather(*handlers)  # each saw its client go

    asyncio.run(test())
