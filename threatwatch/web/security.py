"""The server's guard, one ASGI middleware in front of everything: Host check, request size
limits, a per-client rate limit, the access token, and security headers on every response.

Written as plain ASGI rather than per-route dependencies so that nothing (static files, 404s,
/openapi.json) can slip past it, and cheap enough to sit in front of every request.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

TOKEN_ENV = "THREATWATCH_TOKEN"
TOKEN_COOKIE = "threatwatch_token"
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})

# No inline script or style anywhere: every script and stylesheet is a file under /static.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
SECURITY_HEADERS: list[tuple[bytes, bytes]] = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]


def is_loopback(host: str) -> bool:
    """True for addresses only this machine can reach (127.0.0.0/8, ::1, localhost)."""
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True, slots=True)
class Limits:
    max_body_bytes: int = 16 * 1024  # the API reads no bodies; anything big is a mistake or an attack
    max_target_bytes: int = 4096  # path + query string
    rate_per_minute: int = 600  # per client address; 0 turns the limit off
    burst: int = 120


class RateLimiter:
    """Token bucket per client address: `burst` requests at once, refilled at `per_minute`."""

    def __init__(self, per_minute: int, burst: int, max_clients: int = 10_000) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self.max_clients = max_clients
        self.buckets: dict[str, tuple[float, float]] = {}  # client -> (tokens, last seen)

    def allow(self, client: str, now: float | None = None) -> float:
        """0 when the request may go ahead, else the seconds to wait."""
        now = time.monotonic() if now is None else now
        tokens, last = self.buckets.get(client, (self.burst, now))
        tokens = min(self.burst, tokens + (now - last) * self.rate)
        if tokens < 1:
            self.buckets[client] = (tokens, now)
            return (1 - tokens) / self.rate
        if len(self.buckets) >= self.max_clients and client not in self.buckets:
            self._forget_idle(now)
        self.buckets[client] = (tokens - 1, now)
        return 0.0

    def _forget_idle(self, now: float) -> None:
        full_after = self.burst / self.rate
        self.buckets = {c: v for c, v in self.buckets.items() if now - v[1] < full_after}


class Guard:
    """Checks each HTTP request, in order: Host, size, rate, token; adds the security headers."""

    def __init__(self, app: ASGIApp, token: str | None, allowed_hosts: frozenset[str] | None, limits: Limits) -> None:
        self.app = app
        self.token = token.encode() if token else None
        self.allowed_hosts = allowed_hosts
        self.limits = limits
        self.limiter = RateLimiter(limits.rate_per_minute, limits.burst) if limits.rate_per_minute > 0 else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = list(message.get("headers", [])) + SECURITY_HEADERS
            await send(message)

        refusal = self._refusal(scope)
        if refusal is not None:
            status, detail, extra = refusal
            await _reply(send_with_headers, status, detail, extra)
            return
        offered = _query_token(scope)
        if self.token and offered and _cookie_token(scope) != offered and self._matches(offered.encode()):
            await self.app(scope, receive, _setting_cookie(send_with_headers, offered))
            return
        await self.app(scope, receive, send_with_headers)

    def _refusal(self, scope: Scope) -> tuple[int, str, list[tuple[bytes, bytes]]] | None:
        headers = {k.lower(): v for k, v in scope.get("headers", [])}
        if self.allowed_hosts is not None and _host_name(headers.get(b"host", b"")) not in self.allowed_hosts:
            # A page on another site must not reach this server through DNS rebinding.
            return 400, "unexpected Host header: open the server as http://127.0.0.1:PORT/", []
        target = len(scope.get("raw_path") or scope["path"].encode()) + len(scope.get("query_string", b""))
        if target > self.limits.max_target_bytes:
            return 414, f"request target longer than {self.limits.max_target_bytes} bytes", []
        length = headers.get(b"content-length", b"0").strip() or b"0"
        if b"transfer-encoding" in headers or not length.isdigit() or int(length) > self.limits.max_body_bytes:
            return 413, f"request body over {self.limits.max_body_bytes} bytes: this server only answers GET", []
        if self.limiter is not None:
            client = (scope.get("client") or ("?", 0))[0]
            wait = self.limiter.allow(client)
            if wait:
                return 429, "too many requests: slow down", [(b"retry-after", str(int(wait) + 1).encode())]
        if self.token and not self._authorised(scope, headers):
            return 401, "a token is required: send 'Authorization: Bearer TOKEN' or open ?token=TOKEN once", [
                (b"www-authenticate", b'Bearer realm="threatwatch"')]
        return None

    def _authorised(self, scope: Scope, headers: dict[bytes, bytes]) -> bool:
        offered: list[bytes] = []
        auth = headers.get(b"authorization", b"")
        if auth[:7].lower() == b"bearer ":
            offered.append(auth[7:].strip())
        for value in (_cookie_token(scope), _query_token(scope)):
            if value:
                offered.append(value.encode())
        return any(self._matches(candidate) for candidate in offered)

    def _matches(self, candidate: bytes) -> bool:
        return self.token is not None and hmac.compare_digest(candidate, self.token)


def _host_name(host: bytes) -> str:
    text = host.decode("latin-1").strip().lower()
    if text.startswith("["):
        return text[1 : text.find("]")] if "]" in text else text
    return text.rsplit(":", 1)[0] if text.count(":") == 1 else text


def _query_token(scope: Scope) -> str | None:
    values = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("token")
    return values[0] if values else None


def _cookie_token(scope: Scope) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == b"cookie":
            cookie: SimpleCookie = SimpleCookie()
            try:
                cookie.load(value.decode("latin-1"))
            except Exception:  # noqa: BLE001 - a malformed cookie is no token
                return None
            if TOKEN_COOKIE in cookie:
                return cookie[TOKEN_COOKIE].value
    return None


def _setting_cookie(send: Send, token: str) -> Send:
    """After a good ?token=, the browser keeps it in a cookie so that links need no token."""
    cookie = SimpleCookie()
    cookie[TOKEN_COOKIE] = token
    cookie[TOKEN_COOKIE].update({"httponly": True, "samesite": "Strict", "path": "/"})
    header = cookie[TOKEN_COOKIE].OutputString().encode("latin-1")

    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            message["headers"] = list(message.get("headers", [])) + [(b"set-cookie", header)]
        await send(message)

    return wrapped


async def _reply(send: Send, status: int, detail: str, extra: list[tuple[bytes, bytes]]) -> None:
    body = json.dumps({"detail": detail}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), *extra]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
