"""Feishu (飞书) custom bot: ``msg_type`` text or post (富文本), optionally with signature verification.

With 签名校验 on, the body carries ``timestamp`` (seconds, as a string) and
``sign`` = Base64(HmacSHA256(key="timestamp\\nsecret", msg="")). The reply is
``{"code": 0, "msg": "success", …}`` (older bots: ``StatusCode`` 0); 19021 is a failed signature,
19024 a missing keyword, 9499 a malformed request and 11232 a rate limit worth retrying.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any

from shopops.delivery.message import Message, Verdict
from shopops.delivery.webhook import HttpReply, WebhookRequest, from_env, judge, webhook_url
from shopops.settings import PushChannel

RATE_LIMITED = frozenset({11232})


def signature(secret: str, timestamp: int) -> str:
    digest = hmac.new(f"{timestamp}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def payload(channel: PushChannel, message: Message) -> dict[str, Any]:
    if channel.format != "markdown":
        return {"msg_type": "text", "content": {"text": message.text}}
    lines = message.text.splitlines()
    if lines and lines[0].strip() == message.title.strip():
        lines = lines[1:]
    paragraphs = [[{"tag": "text", "text": line}] for line in lines]
    return {
        "msg_type": "post",
        "content": {"post": {"zh_cn": {"title": message.title, "content": paragraphs}}},
    }


def build_request(channel: PushChannel, message: Message, now: float) -> WebhookRequest:
    body = payload(channel, message)
    secret = from_env(channel.secret, channel.secret_env, "签名校验 secret")
    if secret is not None:
        timestamp = int(now)
        body = {"timestamp": str(timestamp), "sign": signature(secret, timestamp), **body}
    return WebhookRequest(webhook_url(channel), body)


def verdict(reply: HttpReply) -> Verdict:
    return judge(
        reply,
        code_keys=("code", "StatusCode"),
        message_keys=("msg", "StatusMessage"),
        rate_limited=RATE_LIMITED,
    )
