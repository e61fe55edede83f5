"""The ``web: {trusted_proxies: […]}`` key of shopops.yaml: the reverse proxies (nginx, caddy …) whose
``X-Forwarded-For`` the dashboard believes. Read by the settings (one-line errors); used by the login
throttle (``shopops.web.security.client_address``) and the HTTPS check of the security headers."""

from __future__ import annotations

import ipaddress
from typing import Any


def trusted_proxies(web: Any, problems: list[str]) -> tuple[str, ...]:
    """The networks of ``web.trusted_proxies`` written out (127.0.0.1 → 127.0.0.1/32); each
    mistake is added to ``problems`` as one line naming the key. None named: trust no header."""
    if web is None:
        return ()
    if not isinstance(web, dict):
        problems.append("web must be a mapping such as {trusted_proxies: [127.0.0.1]}")
        return ()
    listed = web.get("trusted_proxies") or []
    if isinstance(listed, str):
        listed = [listed]
    if not isinstance(listed, list):
        problems.append("web.trusted_proxies must be a list such as [127.0.0.1, 10.0.0.0/8]")
        return ()
    found: list[str] = []
    for value in listed:
        try:
            found.append(str(ipaddress.ip_network(str(value).strip(), strict=False)))
        except ValueError:
            problems.append(
                f"web.trusted_proxies: {str(value)!r} is not an IP address or network"
                " — write addresses such as 127.0.0.1 or 10.0.0.0/8"
            )
    return tuple(found)
