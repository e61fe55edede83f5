"""Security headers on every answer, and ``Secure`` cookies when the dashboard is reached over HTTPS.

- Content-Security-Policy: scripts, styles, images and connections from the dashboard itself only
  (``/static``: app.js, the page scripts and the vendored Chart.js) — no inline script or style, no
  ``eval``, no plugin, never inside a frame, forms post back to the dashboard only.
- X-Frame-Options DENY (older browsers' frame-ancestors), X-Content-Type-Options nosniff,
  Referrer-Policy same-origin (query strings with shop names never leave the dashboard).
- Cookies are ``Secure`` when the request came over HTTPS: directly, or through a reverse proxy
  listed in ``web.trusted_proxies`` of shopops.yaml that sends ``X-Forwarded-Proto: https``
  (``shopops serve`` runs uvicorn without its own proxy-header handling).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Collection

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode("ascii")),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
)


def trusted(client: str, proxies: Collection[str]) -> bool:
    """``client`` is one of ``proxies`` (addresses or networks such as 10.0.0.0/8)."""
    try:
        address = ipaddress.ip_address(client)
    except ValueError:
        return client in proxies
    for proxy in proxies:
        try:
            if address in ipaddress.ip_network(proxy, strict=False):
                return True
        except ValueError:
            continue
    return False


def is_https(scope: Scope, trusted_proxies: Collection[str] = ()) -> bool:
    """The browser reached us over HTTPS: directly, or through a proxy we trust that says so."""
    if scope.get("scheme") == "https":
        return True
    client = scope.get("client")
    if not client or not trusted_proxies or not trusted(str(client[0]), trusted_proxies):
        return False
    headers: list[tuple[bytes, bytes]] = scope.get("headers", [])
    proto = next((value for name, value in headers if name == b"x-forwarded-proto"), b"")
    return proto.split(b",")[0].strip().lower() == b"https"


def secure_cookie(value: bytes) -> bytes:
    """A Set-Cookie value with the ``Secure`` attribute (unchanged if it has one)."""
    attributes = [part.strip().lower() for part in value.split(b";")[1:]]
    return value if b"secure" in attributes else value + b"; Secure"


class SecurityHeaders:
    """ASGI middleware: the headers above on every HTTP answer (a route may set its own)."""

    def __init__(self, app: ASGIApp, trusted_proxies: Collection[str] = ()) -> None:
        self.app = app
        self.trusted_proxies = frozenset(trusted_proxies)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        https = is_https(scope, self.trusted_proxies)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers: list[tuple[bytes, bytes]] = list(message.get("headers", ()))
                present = {name.lower() for name, _ in headers}
                headers += [(name, value) for name, value in SECURITY_HEADERS if name not in present]
                if https:
                    headers = [
                        (name, secure_cookie(value) if name.lower() == b"set-cookie" else value)
                        for name, value in headers
                    ]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
