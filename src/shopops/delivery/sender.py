"""Sending to every configured channel with retries, a timeout per request, and a log of each attempt.

Each attempt is logged through Python logging (logger ``shopops.delivery``) and, when a log file
is given, as one line in it (the workspace's ``logs/push.log``). Webhook URLs, keys, signing
secrets and passwords never appear in either: every line is scrubbed of the channel's secrets.
"""

from __future__ import annotations

import datetime as dt
import http.client
import logging
import os
import time
import urllib.error
import urllib.parse
from collections.abc import Callable, Iterable
from pathlib import Path

from shopops.delivery import dingtalk, email, feishu, wecom
from shopops.delivery.message import Attempt, ChannelConfigError, ChannelResult, Message, Verdict
from shopops.delivery.webhook import HttpReply, WebhookRequest, post_json
from shopops.settings import PushChannel, PushSettings

logger = logging.getLogger("shopops.delivery")
logger.addHandler(logging.NullHandler())  # the CLI prints its own lines; no stray stderr output

KIND_LABELS = {"dingtalk": "钉钉", "wecom": "企业微信", "feishu": "飞书", "email": "邮件"}
MAX_BACKOFF = 60.0
TOKEN_LENGTH = 12  # shorter URL parts ("send", "hook") are not secrets

Builder = Callable[[PushChannel, Message, float], WebhookRequest]
Judge = Callable[[HttpReply], Verdict]
WEBHOOKS: dict[str, tuple[Builder, Judge]] = {
    "dingtalk": (dingtalk.build_request, dingtalk.verdict),
    "wecom": (wecom.build_request, wecom.verdict),
    "feishu": (feishu.build_request, feishu.verdict),
}


def send_all(
    push: PushSettings,
    message: Message,
    *,
    names: Iterable[str] | None = None,
    log_path: Path | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> list[ChannelResult]:
    """Send to each channel (all, or those named) in turn; one result per channel, never an exception."""
    chosen = list(push.channels) if names is None else list(names)
    results = []
    for name in chosen:
        channel = push.channels.get(name)
        if channel is None:
            result = ChannelResult(name, "?")
            result.attempts.append(Attempt(1, Verdict.failed("no such channel in push.channels"), 0.0))
            results.append(result)
            continue
        results.append(send_one(push, channel, message, log_path=log_path, sleep=sleep))
    return results


def send_one(
    push: PushSettings,
    channel: PushChannel,
    message: Message,
    *,
    log_path: Path | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> ChannelResult:
    result = ChannelResult(channel.name, channel.kind)
    secrets = _secrets(channel)
    total = 1 + push.retries
    for number in range(1, total + 1):
        began = time.monotonic()
        try:
            verdict = _attempt(channel, message, push.timeout)
        except ChannelConfigError as error:
            verdict = Verdict.failed(str(error))
        except Exception as error:  # a bug or an unforeseen library error must not stop the run
            # no traceback: its text could hold the webhook URL
            verdict = Verdict.failed(f"unexpected error: {type(error).__name__}: {error}")
        verdict = Verdict(verdict.ok, _scrub(verdict.detail, secrets), verdict.retryable)
        result.attempts.append(Attempt(number, verdict, time.monotonic() - began))
        wait = min(MAX_BACKOFF, push.backoff * 2 ** (number - 1))
        again = not verdict.ok and verdict.retryable and number < total
        outcome = "ok" if verdict.ok else ("failed, retry in " + f"{wait:g}s" if again else "failed")
        line = f"{channel.name} ({channel.kind}) attempt {number}/{total}: {outcome} — {verdict.detail}"
        level = logging.INFO if verdict.ok else (logging.WARNING if again else logging.ERROR)
        _log(_scrub(line, secrets), level, log_path)
        if not again:
            break
        sleep(wait)
    return result


def _attempt(channel: PushChannel, message: Message, timeout: float) -> Verdict:
    if channel.kind == "email":
        return email.send(channel, message, timeout)
    build, judge = WEBHOOKS[channel.kind]
    request = build(channel, message, time.time())
    try:
        reply = post_json(request.url, request.payload, timeout)
    except TimeoutError:
        return Verdict.failed(f"no answer within {timeout:g}s", retryable=True)
    except urllib.error.URLError as error:
        reason = error.reason
        if isinstance(reason, TimeoutError):
            return Verdict.failed(f"no answer within {timeout:g}s", retryable=True)
        text = reason.strerror if isinstance(reason, OSError) and reason.strerror else str(reason)
        return Verdict.failed(f"network error: {text}", retryable=True)
    except (OSError, http.client.HTTPException) as error:
        return Verdict.failed(f"network error: {type(error).__name__} {error}".rstrip(), retryable=True)
    return judge(reply)


def _secrets(channel: PushChannel) -> list[str]:
    """Every value that must not be logged: URLs, their query values and last path part, secrets, password."""
    values: list[str | None] = [channel.secret, channel.webhook]
    for variable in (channel.webhook_env, channel.secret_env, channel.password_env):
        if variable:
            values.append(os.environ.get(variable))
    found = [v for v in values if v]
    for url in [channel.webhook, os.environ.get(channel.webhook_env or "")]:
        if url:
            parts = urllib.parse.urlsplit(url)
            tokens = [v for _, v in urllib.parse.parse_qsl(parts.query)]
            tokens.append(parts.path.rstrip("/").rpartition("/")[2])  # Feishu's hook token
            found += [token for token in tokens if len(token) >= TOKEN_LENGTH]
    return sorted(set(found), key=len, reverse=True)


def _scrub(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, "***")
    return text


def _log(line: str, level: int, log_path: Path | None) -> None:
    logger.log(level, "push: %s", line)
    if log_path is None:
        return
    try:
        log_path.parent.mkdir(parents=True, exist_ok=True)
        stamp = dt.datetime.now().replace(microsecond=0).isoformat(sep=" ")
        with log_path.open("a", encoding="utf-8") as handle:
            handle.write(f"{stamp} {line}\n")
    except OSError as error:
        logger.warning("cannot write %s: %s", log_path, error)
