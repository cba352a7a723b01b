"""The API's HTTP connections to Elasticsearch: a lean node for the asyncio client.

The client's default node sends each request through aiohttp, which cost about a third of the
API's CPU per cached search (BENCHMARKS.md, "Issue 14"). ``LeanNode`` keeps everything else of
the client (its methods, retries, errors, serializers) and of aiohttp's node (the headers, the
TLS context from the same options) and replaces only the request itself: HTTP/1.1 over kept-
alive asyncio connections, the answers parsed by httptools (uvicorn's parser).

Only what the API's settings can ask for is supported: plain HTTP or TLS (with ``ca_certs``),
API key or basic authentication (headers), gzip if a caller turns compression on. A request
that fails or is cancelled closes its connection, so no answer is ever read by another request.
"""

import asyncio
import gzip
import ssl

import httptools
from elastic_transport import (
    AiohttpHttpNode,
    ApiResponseMeta,
    ConnectionError,
    ConnectionTimeout,
    HttpHeaders,
    NodeConfig,
    TlsError,
)
from elastic_transport._node._base import BUILTIN_EXCEPTIONS, NodeApiResponse
from elastic_transport.client_utils import DEFAULT, DefaultType


class _Connection(asyncio.Protocol):
    """One kept-alive connection; one request at a time."""

    def __init__(self) -> None:
        self.parser = httptools.HttpResponseParser(self)
        self.transport: asyncio.Transport | None = None
        self.answer: asyncio.Future | None = None
        self.lost = False
        self.keep_alive = False
        self.headers: dict[str, str] = {}
        self.chunks: list[bytes] = []

    # asyncio's callbacks
    def connection_made(self, transport) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as exc:
            self._fail(ConnectionError(f"Elasticsearch sent a malformed answer: {exc}"))

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = True
        self._fail(ConnectionError(f"the connection was closed: {exc or 'by Elasticsearch'}"))

    # httptools' callbacks
    def on_message_begin(self) -> None:
        self.headers, self.chunks = {}, []

    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers[name.decode("latin-1").lower()] = value.decode("latin-1")

    def on_body(self, body: bytes) -> None:
        self.chunks.append(body)

    def on_message_complete(self) -> None:
        self.keep_alive = self.parser.should_keep_alive()  # while the parser still knows
        if self.answer is not None and not self.answer.done():
            self.answer.set_result((self.parser.get_status_code(), b"".join(self.chunks)))

    def _fail(self, error: Exception) -> None:
        if self.answer is not None and not self.answer.done():
            self.answer.set_exception(error)

    @property
    def reusable(self) -> bool:
        """A whole answer came, the server lets the connection stay open, and it is."""
        open_ = self.transport is not None and not self.transport.is_closing()
        return self.keep_alive and not self.lost and open_

    async def exchange(self, request: bytes) -> tuple[int, bytes]:
        assert self.transport is not None
        self.answer = asyncio.get_running_loop().create_future()
        self.transport.write(request)
        return await self.answer

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()


class LeanNode(AiohttpHttpNode):
    """An Elasticsearch node for ``AsyncElasticsearch(node_class=LeanNode)``; see the module."""

    _CLIENT_META_HTTP_CLIENT = ("ht", httptools.__version__)

    def __init__(self, config: NodeConfig):
        if config.ssl_assert_fingerprint:
            raise ValueError("LeanNode does not check certificate fingerprints")
        super().__init__(config)  # the headers and the TLS context, as aiohttp's node has them
        self._idle: list[_Connection] = []
        self._slots = asyncio.Semaphore(self._connections_per_node)  # bound to a loop on first wait
        self._host_header = f"{config.host}:{config.port}"

    async def perform_request(  # type: ignore[override]
        self,
        method: str,
        target: str,
        body: bytes | None = None,
        headers: HttpHeaders | None = None,
        request_timeout: DefaultType | float | None = DEFAULT,
    ) -> NodeApiResponse:
        timeout = self.config.request_timeout if request_timeout is DEFAULT else request_timeout
        request_headers = self._headers.copy()
        if headers:
            request_headers.update(headers)
        if body and self._http_compress:
            body = gzip.compress(body)
            request_headers["content-encoding"] = "gzip"
        # HEAD is sent as GET: an answer to HEAD has a length and no body, which the parser
        # would wait for (the same status either way; elastic-transport did so for old aiohttp)
        request = self._request(
            "GET" if method == "HEAD" else method, target, request_headers, body or b""
        )
        loop = asyncio.get_running_loop()
        start = loop.time()
        try:
            async with self._slots, asyncio.timeout(timeout):
                status, response_headers, data = await self._send(request)
        except (asyncio.CancelledError, RecursionError):
            raise
        except Exception as exc:
            # a bug is let through, as aiohttp's node does; not a certificate's failure, which
            # is also a ValueError
            if isinstance(exc, BUILTIN_EXCEPTIONS) and not isinstance(exc, ssl.SSLError):
                raise
            error = _transport_error(exc)
            self._log_request(
                method=method, target=target, headers=request_headers, body=body, exception=error
            )
            raise error from None
        meta = ApiResponseMeta(
            node=self.config,
            duration=loop.time() - start,
            http_version="1.1",
            status=status,
            headers=HttpHeaders(response_headers),
        )
        if meta.headers.get("content-encoding") == "gzip":
            data = gzip.decompress(data)
        self._log_request(
            method=method,
            target=target,
            headers=request_headers,
            body=body,
            meta=meta,
            response=data,
        )
        return NodeApiResponse(meta, b"" if method == "HEAD" else data)

    def _request(self, method: str, target: str, headers: HttpHeaders, body: bytes) -> bytes:
        lines = [f"{method} {self.config.path_prefix}{target} HTTP/1.1"]
        lines.append(f"host: {self._host_header}")
        lines.extend(f"{name}: {value}" for name, value in headers.items())
        lines.append(f"content-length: {len(body)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body

    async def _send(self, request: bytes) -> tuple[int, dict[str, str], bytes]:
        """The request on an idle connection (or a new one); the connection goes back to the
        idle ones only after a whole answer that lets it stay open."""
        connection = await self._connection()
        try:
            status, data = await connection.exchange(request)
        except BaseException:
            connection.close()
            raise
        if connection.reusable:
            self._idle.append(connection)
        else:
            connection.close()
        return status, connection.headers, data

    async def _connection(self) -> _Connection:
        while self._idle:
            connection = self._idle.pop()
            if connection.reusable:
                return connection
        _, connection = await asyncio.get_running_loop().create_connection(
            _Connection,
            self.config.host,
            self.config.port,
            ssl=self._ssl_context,
            server_hostname=self.config.host if self._ssl_context else None,
        )
        return connection

    async def close(self) -> None:  # type: ignore[override]
        while self._idle:
            self._idle.pop().close()


def _transport_error(exc: Exception) -> Exception:
    """elastic-transport's error for a failed request, as its aiohttp node raises them."""
    if isinstance(exc, TimeoutError):
        return ConnectionTimeout("Connection timed out during request", errors=(exc,))
    if isinstance(exc, ssl.SSLError):
        return TlsError(str(exc), errors=(exc,))
    if isinstance(exc, ConnectionError):
        return exc
    return ConnectionError(str(exc), errors=(exc,))
