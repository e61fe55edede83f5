"""What the three group bots share: one JSON POST, reading secrets from the environment, judging replies.

Each bot answers HTTP 200 with a JSON body whose code says whether the message was accepted
(``errcode`` for DingTalk and WeCom, ``code`` for Feishu); 0 is success.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from shopops.delivery.message import ChannelConfigError, Verdict
from shopops.settings import PushChannel

USER_AGENT = "shopops-push/1"


@dataclass(frozen=True)
class HttpReply:
    status: int
    body: bytes

    def json(self) -> dict[str, Any] | None:
        try:
            value = json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return None
        return value if isinstance(value, dict) else None


@dataclass(frozen=True)
class WebhookRequest:
    url: str
    payload: dict[str, Any]


def post_json(url: str, payload: dict[str, Any], timeout: float) -> HttpReply:
    """POST ``payload`` as UTF-8 JSON. Network errors (refused, timeout, reset) are raised as OSError."""
    data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(
        url,
        data=data,
        method="POST",
        headers={"Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return HttpReply(int(response.status), response.read())
    except urllib.error.HTTPError as error:
        with error:
            return HttpReply(int(error.code), error.read())


def from_env(value: str | None, variable: str | None, what: str) -> str | None:
    """A setting written in the file, else read from the environment variable it names."""
    if value is not None:
        return value
    if variable is None:
        return None
    found = os.environ.get(variable, "").strip()
    if not found:
        raise ChannelConfigError(f"environment variable {variable} (the {what}) is not set")
    return found


def webhook_url(channel: PushChannel) -> str:
    url = from_env(channel.webhook, channel.webhook_env, "webhook URL")
    if url is None:
        raise ChannelConfigError("no webhook URL configured")
    if not url.startswith(("https://", "http://")):
        raise ChannelConfigError("the webhook URL must start with https://")
    return url


def judge(
    reply: HttpReply,
    *,
    code_keys: tuple[str, ...],
    message_keys: tuple[str, ...],
    rate_limited: Collection[int],
) -> Verdict:
    """Success only for a JSON body whose code is 0; HTTP 5xx/429 and rate-limit codes may be retried."""
    body = reply.json()
    if reply.status >= 500 or reply.status == 429:
        return Verdict.failed(
            f"HTTP {reply.status}{_described(body, code_keys, message_keys)}", retryable=True
        )
    if body is None:
        snippet = reply.body[:80].decode("utf-8", "replace").replace("\n", " ")
        return Verdict.failed(f"HTTP {reply.status}, not a JSON reply: {snippet!r}")
    code = next((body[key] for key in code_keys if key in body), None)
    text = next((str(body[key]) for key in message_keys if key in body), "")
    if reply.status == 200 and code == 0 and not isinstance(code, bool):
        return Verdict.delivered(f"{code_keys[0]} 0 {text}".rstrip())
    described = f"{code_keys[0]} {code}: {text}" if code is not None else f"no {code_keys[0]} in the reply"
    retryable = isinstance(code, int) and code in rate_limited
    status = "" if reply.status == 200 else f"HTTP {reply.status}, "
    return Verdict.failed(status + described + (" (rate limited)" if retryable else ""), retryable=retryable)


def _described(body: dict[str, Any] | None, code_keys: tuple[str, ...], message_keys: tuple[str, ...]) -> str:
    if body is None:
        return ""
    code = next((body[key] for key in code_keys if key in body), None)
    text = next((str(body[key]) for key in message_keys if key in body), "")
    return f", {code_keys[0]} {code}: {text}" if code is not None else ""
