"""Delivery against local fakes of the DingTalk, WeCom and Feishu webhooks (a real HTTP server on 127.0.0.1).

Each fake checks what the platform checks — the key or token, the payload shape, the signature
(recomputed with HMAC) and its age — and answers with the platform's own reply bodies, so the
tests see exactly what a real robot would say. Scripted replies (500, rate limits) test retries.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import shutil
import socket
import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from shopops.delivery import Message, send_all
from shopops.settings import PushChannel, PushSettings
from tests.conftest import DemoWorkspace, run_cli

DING_TOKEN = "d1ngAccessToken0123456789abcdef"
DING_SECRET = "SECd1ngS1gn1ngSecret0123456789abcdef"
WECOM_KEY = "693a91f6-7aaa-4bc4-97a0-0ec2sifa5aaa"
FEISHU_TOKEN = "f31shuHookToken-0123456789abcdef"
FEISHU_SECRET = "f31shuS1gn1ngSecret01"
MESSAGE = Message(
    title="店铺日报 2026-11-24（周二）",
    text="店铺日报 2026-11-24（周二）\n【合计】支付金额 ¥13,343.50，环比 −21.0%\n  访客数 —",
    markdown="#### 店铺日报 2026-11-24（周二）\n\n【合计】支付金额 ¥13,343.50，环比 −21.0%\n\n- 访客数 —",
)

Reply = tuple[int, dict[str, Any] | bytes]


@dataclass
class Received:
    platform: str
    query: dict[str, str]
    body: dict[str, Any]
    content_type: str


def _check_dingtalk(query: dict[str, str], body: dict[str, Any]) -> Reply:
    if query.get("access_token") != DING_TOKEN:
        return 200, {"errcode": 300001, "errmsg": "token is not exist"}
    timestamp, sign = query.get("timestamp", ""), query.get("sign", "")
    if not timestamp.isdigit() or abs(time.time() * 1000 - int(timestamp)) > 3_600_000:
        return 200, {"errcode": 310000, "errmsg": "sign not match, more: [invalid timestamp]"}
    expected = hmac.new(DING_SECRET.encode(), f"{timestamp}\n{DING_SECRET}".encode(), hashlib.sha256).digest()
    if sign != base64.b64encode(expected).decode():
        return 200, {"errcode": 310000, "errmsg": "sign not match, more: [https://ding-doc.dingtalk.com]"}
    kind = body.get("msgtype")
    ok = (kind == "text" and isinstance(body.get("text", {}).get("content"), str)) or (
        kind == "markdown"
        and isinstance(body.get("markdown", {}).get("title"), str)
        and isinstance(body.get("markdown", {}).get("text"), str)
    )
    return (
        (200, {"errcode": 0, "errmsg": "ok"}) if ok else (200, {"errcode": 40035, "errmsg": "缺少参数 json"})
    )


def _check_wecom(query: dict[str, str], body: dict[str, Any]) -> Reply:
    if query.get("key") != WECOM_KEY:
        return 200, {"errcode": 93000, "errmsg": "invalid webhook url, hint: [1700000000_1]"}
    kind = body.get("msgtype")
    content = body.get(kind, {}).get("content") if kind in ("text", "markdown") else None
    if not isinstance(content, str):
        return 200, {"errcode": 40008, "errmsg": "invalid message type"}
    if len(content.encode()) > (2048 if kind == "text" else 4096):
        return 200, {"errcode": 40058, "errmsg": "content exceed max length"}
    return 200, {"errcode": 0, "errmsg": "ok"}


def _check_feishu(token: str, body: dict[str, Any], secret: str | None) -> Reply:
    if token != FEISHU_TOKEN:
        return 200, {"code": 19001, "msg": "param invalid: incoming webhook access token invalid", "data": {}}
    if secret is not None:
        timestamp, sign = str(body.get("timestamp", "")), body.get("sign")
        expected = hmac.new(f"{timestamp}\n{secret}".encode(), b"", hashlib.sha256).digest()
        fresh = timestamp.isdigit() and abs(time.time() - int(timestamp)) < 3600
        if not fresh or sign != base64.b64encode(expected).decode():
            message = "sign match fail or timestamp is not within one hour from current time"
            return 200, {"code": 19021, "msg": message, "data": {}}
    kind, content = body.get("msg_type"), body.get("content", {})
    if kind == "text":
        ok = isinstance(content.get("text"), str)
    elif kind == "post":
        post = content.get("post", {}).get("zh_cn", {})
        ok = isinstance(post.get("title"), str) and all(
            isinstance(line, list) and all(part.get("tag") == "text" for part in line)
            for line in post.get("content", [None])
        )
    else:
        ok = False
    if not ok:
        return 200, {"code": 9499, "msg": "Bad Request", "data": {}}
    return 200, {"code": 0, "msg": "success", "data": {}, "StatusCode": 0, "StatusMessage": "success"}


class FakePlatforms:
    """One local server for the three platforms; ``script`` queues replies that come before the checks."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.scripts: dict[str, list[Reply]] = defaultdict(list)
        self.delay = 0.0
        self.feishu_secret: str | None = FEISHU_SECRET
        platforms = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length).decode("utf-8"))
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                platform = parts.path.strip("/").split("/")[0]
                platforms.received.append(
                    Received(platform, query, body, self.headers.get("Content-Type", ""))
                )
                time.sleep(platforms.delay)
                if platforms.scripts[platform]:
                    status, reply = platforms.scripts[platform].pop(0)
                elif parts.path == "/dingtalk/robot/send":
                    status, reply = _check_dingtalk(query, body)
                elif parts.path == "/wecom/cgi-bin/webhook/send":
                    status, reply = _check_wecom(query, body)
                elif parts.path.startswith("/feishu/open-apis/bot/v2/hook/"):
                    status, reply = _check_feishu(parts.path.rsplit("/", 1)[1], body, platforms.feishu_secret)
                else:
                    status, reply = 404, b"not found"
                data = reply if isinstance(reply, bytes) else json.dumps(reply, ensure_ascii=False).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json; charset=utf-8")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass  # the client gave up (timeout test)

            def log_message(self, *_: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    def url(self, platform: str) -> str:
        return {
            "dingtalk": f"{self.base}/dingtalk/robot/send?access_token={DING_TOKEN}",
            "wecom": f"{self.base}/wecom/cgi-bin/webhook/send?key={WECOM_KEY}",
            "feishu": f"{self.base}/feishu/open-apis/bot/v2/hook/{FEISHU_TOKEN}",
        }[platform]

    def channel(self, name: str, platform: str, **changes: Any) -> PushChannel:
        secret = {"dingtalk": DING_SECRET, "feishu": FEISHU_SECRET}.get(platform)
        fields: dict[str, Any] = {"webhook": self.url(platform), "secret": secret, **changes}
        return PushChannel(name=name, kind=platform, **fields)

    def script(self, platform: str, *replies: Reply) -> None:
        self.scripts[platform].extend(replies)


def settings(*channels: PushChannel, retries: int = 3, timeout: float = 5.0) -> PushSettings:
    return PushSettings(timeout=timeout, retries=retries, backoff=0.5, channels={c.name: c for c in channels})


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def test_dingtalk_signed_markdown_and_text_are_accepted(platforms: FakePlatforms) -> None:
    push = settings(
        platforms.channel("运营群", "dingtalk"), platforms.channel("钉钉文本", "dingtalk", format="text")
    )
    results = send_all(push, MESSAGE)
    assert [(r.ok, r.detail, r.retries) for r in results] == [(True, "errcode 0 ok", 0)] * 2
    markdown, text = platforms.received
    assert markdown.body == {
        "msgtype": "markdown",
        "markdown": {"title": MESSAGE.title, "text": MESSAGE.markdown},
    }
    assert text.body == {"msgtype": "text", "text": {"content": MESSAGE.text}}
    assert markdown.content_type.startswith("application/json")
    assert set(markdown.query) == {"access_token", "timestamp", "sign"}


def test_dingtalk_wrong_secret_is_refused_once_and_not_retried(platforms: FakePlatforms) -> None:
    sleeps = Sleeps()
    push = settings(platforms.channel("运营群", "dingtalk", secret="SECwrong0123456789"))
    [result] = send_all(push, MESSAGE, sleep=sleeps)
    assert not result.ok and result.retries == 0 and sleeps == []
    assert result.detail.startswith("errcode 310000: sign not match")


def test_wecom_text_markdown_and_a_text_too_long_for_the_text_type(platforms: FakePlatforms) -> None:
    long = Message(
        title="店铺日报", text="店铺日报\n" + "支付金额" * 200
    )  # 2,413 bytes: over the 2,048 of text
    push = settings(
        platforms.channel("企微群", "wecom"), platforms.channel("企微文本", "wecom", format="text")
    )
    assert all(r.ok for r in send_all(push, MESSAGE))
    assert all(r.ok for r in send_all(push, long, names=["企微文本"]))
    bodies = [r.body for r in platforms.received]
    assert bodies[0] == {"msgtype": "markdown", "markdown": {"content": MESSAGE.markdown}}
    assert bodies[1] == {"msgtype": "text", "text": {"content": MESSAGE.text}}
    assert bodies[2] == {"msgtype": "markdown", "markdown": {"content": long.text}}
    assert platforms.received[0].query == {"key": WECOM_KEY}


def test_wecom_wrong_key_names_the_platform_error(platforms: FakePlatforms) -> None:
    channel = platforms.channel("企微群", "wecom", webhook=platforms.url("wecom").replace(WECOM_KEY, "nokey"))
    [result] = send_all(settings(channel), MESSAGE)
    assert not result.ok and result.retries == 0
    assert result.detail.startswith("errcode 93000: invalid webhook url")


def test_feishu_signed_post_and_unsigned_text(platforms: FakePlatforms) -> None:
    signed = platforms.channel("飞书群", "feishu")
    [result] = send_all(settings(signed), MESSAGE)
    assert result.ok and result.detail == "code 0 success"
    body = platforms.received[0].body
    assert body["msg_type"] == "post" and body["timestamp"].isdigit()
    assert body["content"]["post"]["zh_cn"] == {
        "title": MESSAGE.title,
        "content": [
            [{"tag": "text", "text": "【合计】支付金额 ¥13,343.50，环比 −21.0%"}],
            [{"tag": "text", "text": "  访客数 —"}],
        ],
    }
    platforms.feishu_secret = None
    unsigned = platforms.channel("飞书文本", "feishu", secret=None, format="text")
    assert send_all(settings(unsigned), MESSAGE)[0].ok
    assert platforms.received[1].body == {"msg_type": "text", "content": {"text": MESSAGE.text}}


def test_feishu_signature_mismatch_is_reported(platforms: FakePlatforms) -> None:
    channel = platforms.channel("飞书群", "feishu", secret="another-secret")
    [result] = send_all(settings(channel), MESSAGE)
    assert not result.ok and result.retries == 0
    assert result.detail.startswith("code 19021: sign match fail")


def test_server_errors_and_rate_limits_are_retried_with_backoff(platforms: FakePlatforms) -> None:
    platforms.script(
        "dingtalk",
        (500, b"<html>502 Bad Gateway</html>"),
        (200, {"errcode": 130101, "errmsg": "send too fast, exceed 20 times per minute"}),
    )
    platforms.script("wecom", (200, {"errcode": 45009, "errmsg": "api freq out of limit"}))
    platforms.script(
        "feishu",
        (503, {"code": 11232, "msg": "frequency limited"}),
        (200, {"code": 11232, "msg": "frequency limited"}),
    )
    sleeps = Sleeps()
    push = settings(
        platforms.channel("钉钉", "dingtalk"),
        platforms.channel("企微", "wecom"),
        platforms.channel("飞书", "feishu"),
    )
    results = send_all(push, MESSAGE, sleep=sleeps)
    assert [(r.ok, r.retries) for r in results] == [(True, 2), (True, 1), (True, 2)]
    assert sleeps == [0.5, 1.0, 0.5, 0.5, 1.0]
    ding = [a.verdict.detail for a in results[0].attempts]
    assert ding[:2] == [
        "HTTP 500",
        "errcode 130101: send too fast, exceed 20 times per minute (rate limited)",
    ]
    assert len(platforms.received) == 8


def test_a_failing_endpoint_is_logged_and_never_raises(
    platforms: FakePlatforms, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    platforms.script("dingtalk", *[(500, {"errcode": -1, "errmsg": "系统繁忙"})] * 4)
    log = tmp_path / "logs" / "push.log"
    push = settings(platforms.channel("运营群", "dingtalk"), platforms.channel("企微群", "wecom"))
    with caplog.at_level(logging.INFO, logger="shopops.delivery"):
        failed, sent = send_all(push, MESSAGE, log_path=log, sleep=Sleeps())
    assert not failed.ok and failed.retries == 3 and failed.detail == "HTTP 500, errcode -1: 系统繁忙"
    assert sent.ok
    lines = log.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 5
    assert lines[0].endswith(
        "运营群 (dingtalk) attempt 1/4: failed, retry in 0.5s — HTTP 500, errcode -1: 系统繁忙"
    )
    assert lines[3].endswith("运营群 (dingtalk) attempt 4/4: failed — HTTP 500, errcode -1: 系统繁忙")
    assert lines[4].endswith("企微群 (wecom) attempt 1/4: ok — errcode 0 ok")
    logged = log.read_text(encoding="utf-8") + caplog.text
    assert [r.levelname for r in caplog.records] == ["WARNING"] * 3 + ["ERROR", "INFO"]
    for secret in (DING_TOKEN, DING_SECRET, WECOM_KEY, platforms.base):
        assert secret not in logged


def test_connection_refused_and_timeouts_are_retried_then_given_up(platforms: FakePlatforms) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    refused = PushChannel(
        name="关闭的", kind="wecom", webhook=f"http://127.0.0.1:{port}/cgi-bin/webhook/send?key=k"
    )
    [result] = send_all(settings(refused, retries=2), MESSAGE, sleep=Sleeps())
    assert not result.ok and result.retries == 2
    assert result.detail.startswith("network error:")
    assert all(a.verdict.retryable for a in result.attempts)
    platforms.delay = 0.6
    slow = platforms.channel("慢的", "wecom")
    [result] = send_all(settings(slow, retries=1, timeout=0.2), MESSAGE, sleep=Sleeps())
    assert not result.ok and result.retries == 1 and result.detail == "no answer within 0.2s"


def test_secrets_from_the_environment(platforms: FakePlatforms, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEST_DING_WEBHOOK", platforms.url("dingtalk"))
    monkeypatch.setenv("TEST_DING_SECRET", DING_SECRET)
    from_env = PushChannel(
        name="运营群", kind="dingtalk", webhook_env="TEST_DING_WEBHOOK", secret_env="TEST_DING_SECRET"
    )
    missing = PushChannel(name="缺变量", kind="feishu", webhook_env="TEST_NOT_SET_ANYWHERE")
    sleeps = Sleeps()
    ok, broken = send_all(settings(from_env, missing), MESSAGE, sleep=sleeps)
    assert ok.ok
    assert not broken.ok and broken.retries == 0 and sleeps == []
    assert broken.detail == "environment variable TEST_NOT_SET_ANYWHERE (the webhook URL) is not set"


def test_an_unknown_channel_name_is_a_result_not_an_exception(platforms: FakePlatforms) -> None:
    [result] = send_all(settings(platforms.channel("运营群", "dingtalk")), MESSAGE, names=["没有这个"])
    assert not result.ok and result.detail == "no such channel in push.channels"
    assert platforms.received == []


# -- the command line, on a copy of the demo workspace ---------------------------------------------


@pytest.fixture
def pushing_workspace(imported_demo: DemoWorkspace, platforms: FakePlatforms, tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    root.mkdir()
    for name in ("shopops.yaml", "warehouse.duckdb", "warehouse.duckdb.wal"):
        if (imported_demo.root / name).exists():
            shutil.copy2(imported_demo.root / name, root / name)
    config = root / "shopops.yaml"
    text = config.read_text(encoding="utf-8")
    assert "  backoff: 2 " in text and "  channels: {}\n" in text
    channels = f"""  channels:
    运营群: {{kind: dingtalk, webhook: "{platforms.url("dingtalk")}", secret: {DING_SECRET}}}
    企微群: {{kind: wecom, webhook: "{platforms.url("wecom")}"}}
    飞书群: {{kind: feishu, webhook: "{platforms.url("feishu")}", secret_env: TEST_FEISHU_SECRET, format: text}}
"""
    text = text.replace("  backoff: 2 ", "  backoff: 0 ").replace("  channels: {}\n", channels)
    config.write_text(text, encoding="utf-8")
    return root


def test_push_dry_run_prints_the_summary_and_sends_nothing(
    pushing_workspace: Path, platforms: FakePlatforms
) -> None:
    result = run_cli("-w", pushing_workspace, "push", "--dry-run", "--date", "2026-11-24")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("店铺日报 2026-11-24（周二）\n【合计】支付金额 ¥13,343.50")
    assert "未发送；将发送到：运营群（钉钉）、企微群（企业微信）、飞书群（飞书）" in result.output
    assert platforms.received == []


def test_push_sends_to_every_channel_and_a_failure_is_a_warning(
    pushing_workspace: Path, platforms: FakePlatforms, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEST_FEISHU_SECRET", FEISHU_SECRET)
    result = run_cli("-w", pushing_workspace, "push")
    assert result.exit_code == 0, result.output
    assert "✓ 运营群（钉钉） 已发送" in result.output and "✓ 飞书群（飞书） 已发送" in result.output
    assert [r.platform for r in platforms.received] == ["dingtalk", "wecom", "feishu"]
    sent = platforms.received[2].body["content"]["text"]
    assert sent.startswith("店铺日报 2026-11-24（周二）") and len(sent) <= 800

    platforms.script("dingtalk", *[(502, b"Bad Gateway")] * 4)
    monkeypatch.delenv("TEST_FEISHU_SECRET")
    result = run_cli("-w", pushing_workspace, "push")
    assert result.exit_code == 0, result.output
    assert "⚠ 运营群（钉钉） 发送失败：HTTP 502，已重试 3 次（详见 logs/push.log）" in result.output
    assert "⚠ 飞书群（飞书） 发送失败：environment variable TEST_FEISHU_SECRET" in result.output
    assert "✓ 企微群（企业微信） 已发送" in result.output
    log = (pushing_workspace / "logs" / "push.log").read_text(encoding="utf-8")
    assert log.count("运营群 (dingtalk) attempt") == 5 and "attempt 4/4: failed — HTTP 502" in log
    for secret in (DING_TOKEN, DING_SECRET, WECOM_KEY, FEISHU_TOKEN, FEISHU_SECRET):
        assert secret not in log


def test_push_test_sends_a_short_message_and_exits_1_when_it_fails(
    pushing_workspace: Path, platforms: FakePlatforms
) -> None:
    result = run_cli("-w", pushing_workspace, "push", "test", "--channel", "企微群")
    assert result.exit_code == 0, result.output
    [received] = platforms.received
    assert received.body["markdown"]["content"].startswith("#### 店铺日报 · 推送测试")
    assert "「企微群」（企业微信）配置正确" in received.body["markdown"]["content"]
    platforms.script("dingtalk", (200, {"errcode": 310000, "errmsg": "keywords not in content"}))
    result = run_cli("-w", pushing_workspace, "push", "test", "-c", "运营群")
    assert result.exit_code == 1
    assert "发送失败：errcode 310000: keywords not in content" in result.output


def test_push_names_unknown_channels_and_missing_configuration(
    pushing_workspace: Path, imported_demo: DemoWorkspace
) -> None:
    result = run_cli("-w", pushing_workspace, "push", "--channel", "老板群")
    assert result.exit_code == 1
    assert (
        result.output == "错误 没有名为 '老板群' 的推送渠道 — shopops.yaml 中的渠道：运营群, 企微群, 飞书群\n"
    )
    result = imported_demo.cli("push")
    assert result.exit_code == 1 and result.output == (
        "错误 shopops.yaml 中没有推送渠道 — 在 push.channels 下添加一个（参考其中注释掉的示例），或用 --dry-run 只打印简报\n"
    )
