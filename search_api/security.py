"""Who may do what: a read-only public API, admin endpoints behind a token, and a request
rate per client (a token bucket per client address, answered with 429 beyond it)."""

import ipaddress
import json
import math
import secrets
import time
from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from indexer.settings import Settings
from search_api.deps import api_settings
from search_api.errors import AdminDisabled, Unauthorized, error_body

LIMITED_PREFIX = "/api/"  # the page, its static files and the health checks are not limited
MAX_CLIENTS = 10_000  # buckets kept; the oldest are dropped beyond it


bearer = HTTPBearer(auto_error=False, description="the ADMIN_TOKEN of the settings")


def require_admin(
    settings: Annotated[Settings, Depends(api_settings)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> None:
    """Admin endpoints need ``Authorization: Bearer <ADMIN_TOKEN>``; with no token set they
    are switched off."""
    if not settings.admin_token:
        raise AdminDisabled("admin endpoints are switched off: set ADMIN_TOKEN to use them")
    given = credentials.credentials if credentials else ""
    if not secrets.compare_digest(given.encode(), settings.admin_token.encode()):
        raise Unauthorized("a valid 'Authorization: Bearer <token>' header is required")


class RateLimiter:
    """Token buckets by client: ``rate`` requests per second, bursts of ``burst``; clients on
    this machine only if ``loopback``."""

    def __init__(self, rate: float, burst: int, loopback: bool = False):
        self.rate, self.burst, self.loopback = rate, max(1, burst), loopback
        self.buckets: dict[str, tuple[float, float]] = {}  # client: (tokens, when)

    def applies_to(self, client: str) -> bool:
        return self.loopback or not _is_loopback(client)

    def wait(self, client: str) -> float:
        """0 when the request may go ahead (and it is counted), else the seconds until it may."""
        now = time.monotonic()
        tokens, then = self.buckets.pop(client, (self.burst, now))
        tokens = min(self.burst, tokens + (now - then) * self.rate)
        if len(self.buckets) >= MAX_CLIENTS:
            del self.buckets[next(iter(self.buckets))]
        if tokens >= 1:
            self.buckets[client] = (tokens - 1, now)
            return 0.0
        self.buckets[client] = (tokens, now)
        return (1 - tokens) / self.rate


def _is_loopback(client: str) -> bool:
    try:
        return ipaddress.ip_address(client).is_loopback
    except ValueError:  # not an address ("unknown", a test client's name)
        return False


def limiter_from(settings: Settings) -> RateLimiter | None:
    if settings.rate_limit <= 0:
        return None
    return RateLimiter(settings.rate_limit, settings.rate_burst, settings.rate_limit_loopback)


class RateLimitMiddleware:
    """Plain ASGI (no per-request task, unlike BaseHTTPMiddleware): a 429 JSON error with
    Retry-After for a client over its rate. The limiter lives on ``app.state.limiter`` (None
    switches it off), read on every request."""

    def __init__(self, app, state):
        self.app, self.state = app, state

    async def __call__(self, scope, receive, send):
        limiter = getattr(self.state, "limiter", None)
        if (
            limiter is None
            or scope["type"] != "http"
            or not scope["path"].startswith(LIMITED_PREFIX)
        ):
            return await self.app(scope, receive, send)
        client = scope["client"][0] if scope.get("client") else "unknown"
        wait = limiter.wait(client) if limiter.applies_to(client) else 0.0
        if not wait:
            return await self.app(scope, receive, send)
        body = error_body(
            "rate_limited", f"too many requests; at most {limiter.rate:g} per second per client"
        )
        payload = json.dumps(body, ensure_ascii=False).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 429,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"retry-after", str(math.ceil(wait)).encode()),
                    (b"content-length", str(len(payload)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": payload})
