"""WeCom (企业微信) group robot: ``msgtype`` text or markdown, the robot's ``key`` in the webhook URL.

Text content may be at most 2048 bytes and Markdown 4096 bytes (UTF-8); a text too long for the
text type is sent as Markdown. The reply is ``{"errcode": 0, "errmsg": "ok"}``; 45009
"api freq out of limit" (20 messages a minute) is a rate limit worth retrying, 93000 a wrong key.
"""

from __future__ import annotations

from typing import Any

from shopops.delivery.message import Message, Verdict
from shopops.delivery.webhook import HttpReply, WebhookRequest, judge, webhook_url
from shopops.settings import PushChannel

RATE_LIMITED = frozenset({45009})
TEXT_LIMIT = 2048
MARKDOWN_LIMIT = 4096


def payload(channel: PushChannel, message: Message) -> dict[str, Any]:
    text_fits = len(message.text.encode("utf-8")) <= TEXT_LIMIT
    if channel.format == "markdown" or not text_fits:
        content = message.markdown if channel.format == "markdown" and message.markdown else message.text
        if len(content.encode("utf-8")) > MARKDOWN_LIMIT:
            content = _cut(content, MARKDOWN_LIMIT)
        return {"msgtype": "markdown", "markdown": {"content": content}}
    return {"msgtype": "text", "text": {"content": message.text}}


def build_request(channel: PushChannel, message: Message, now: float) -> WebhookRequest:
    del now
    return WebhookRequest(webhook_url(channel), payload(channel, message))


def verdict(reply: HttpReply) -> Verdict:
    return judge(reply, code_keys=("errcode",), message_keys=("errmsg",), rate_limited=RATE_LIMITED)


def _cut(text: str, limit: int) -> str:
    data = text.encode("utf-8")[: limit - len("…".encode())]
    return data.decode("utf-8", "ignore") + "…"
