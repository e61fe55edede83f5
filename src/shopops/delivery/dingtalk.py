"""DingTalk (钉钉) custom robot: ``msgtype`` text or markdown, optionally in signed-secret (加签) mode.

Signed mode appends ``timestamp`` (milliseconds) and ``sign`` to the webhook URL, where sign is
Base64(HmacSHA256(key=secret, msg="timestamp\\nsecret")), URL-encoded. The reply is
``{"errcode": 0, "errmsg": "ok"}``; 310000 is a failed security check (keyword, sign, IP),
130101 "send too fast, exceed 20 times per minute" a rate limit worth retrying.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import urllib.parse
from typing import Any

from shopops.delivery.message import Message, Verdict
from shopops.delivery.webhook import HttpReply, WebhookRequest, from_env, judge, webhook_url
from shopops.settings import PushChannel

RATE_LIMITED = frozenset({130101})


def signature(secret: str, timestamp_ms: int) -> str:
    """Base64 of HmacSHA256 over "timestamp\\nsecret" keyed with the secret (not yet URL-encoded)."""
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def signed_url(url: str, secret: str, timestamp_ms: int) -> str:
    separator = "&" if "?" in url else "?"
    sign = urllib.parse.quote_plus(signature(secret, timestamp_ms))
    return f"{url}{separator}timestamp={timestamp_ms}&sign={sign}"


def payload(channel: PushChannel, message: Message) -> dict[str, Any]:
    if channel.format == "markdown":
        return {
            "msgtype": "markdown",
            "markdown": {"title": message.title, "text": message.markdown or message.text},
        }
    return {"msgtype": "text", "text": {"content": message.text}}


def build_request(channel: PushChannel, message: Message, now: float) -> WebhookRequest:
    url = webhook_url(channel)
    secret = from_env(channel.secret, channel.secret_env, "加签 secret")
    if secret is not None:
        url = signed_url(url, secret, int(now * 1000))
    return WebhookRequest(url, payload(channel, message))


def verdict(reply: HttpReply) -> Verdict:
    return judge(reply, code_keys=("errcode",), message_keys=("errmsg",), rate_limited=RATE_LIMITED)
