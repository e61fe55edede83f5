"""Sending a message to the configured channels: DingTalk, WeCom and Feishu group bots, and e-mail.

A channel that fails is retried (network errors, HTTP 5xx, platform rate limits) and then reported
in its result; :func:`send_all` never raises for a failing channel. Secrets are never logged.
"""

from __future__ import annotations

from shopops.delivery.message import Attempt, ChannelResult, Message, Verdict
from shopops.delivery.sender import KIND_LABELS, send_all, send_one

__all__ = ["KIND_LABELS", "Attempt", "ChannelResult", "Message", "Verdict", "send_all", "send_one"]
