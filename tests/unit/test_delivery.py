"""Delivery pieces: the push settings, signatures, payload shapes and how replies are judged."""

from __future__ import annotations

import base64
import hashlib
import hmac
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from shopops.delivery import Message, dingtalk, feishu, send_all, sender, wecom
from shopops.delivery.webhook import HttpReply
from shopops.errors import WorkspaceError
from shopops.settings import DEFAULT_CONFIG, PushChannel, PushSettings, load_settings

MESSAGE = Message(
    title="店铺日报", text="店铺日报\n支付金额 ¥1.00", markdown="#### 店铺日报\n\n支付金额 ¥1.00"
)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "shopops.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_template_has_a_push_section_with_defaults(tmp_path: Path) -> None:
    push = load_settings(write(tmp_path, DEFAULT_CONFIG)).push
    assert (push.timeout, push.retries, push.backoff, push.channels) == (10.0, 3, 2.0, {})


def test_the_commented_example_in_the_template_is_valid(tmp_path: Path) -> None:
    start = DEFAULT_CONFIG.index("#   channels:")
    end = DEFAULT_CONFIG.index("\n\n", start)  # the example ends at the next blank line
    example = "\n".join(line.removeprefix("# ") for line in DEFAULT_CONFIG[start:end].splitlines())
    text = DEFAULT_CONFIG[:start].replace("  channels: {}\n", "") + example + "\n"
    channels = load_settings(write(tmp_path, text)).push.channels
    assert {name: c.kind for name, c in channels.items()} == {
        "运营群": "dingtalk",
        "企微群": "wecom",
        "飞书群": "feishu",
        "老板邮箱": "email",
    }
    assert channels["运营群"].secret == "SEC…" and channels["企微群"].webhook_env == "WECOM_WEBHOOK"
    mail = channels["老板邮箱"]
    assert (mail.host, mail.port, mail.security, mail.sender) == (
        "smtp.exmail.qq.com",
        465,
        "ssl",
        "ops@example.com",
    )
    assert mail.recipients == ("boss@example.com",) and mail.password_env == "SHOPOPS_SMTP_PASSWORD"


def test_port_follows_the_security_mode(tmp_path: Path) -> None:
    text = """push:
  channels:
    a: {kind: email, host: smtp.example.com, security: starttls, user: a@example.com, recipients: b@example.com}
"""
    channel = load_settings(write(tmp_path, text)).push.channels["a"]
    assert (channel.port, channel.recipients) == (587, ("b@example.com",))


def test_every_push_problem_is_named_at_once(tmp_path: Path) -> None:
    text = """push:
  retries: -1
  channels:
    甲: {kind: slack, webhook: https://example.com}
    乙: {kind: dingtalk}
    丙: {kind: feishu, webhook: open.feishu.cn/hook/x, format: html}
    丁: {kind: email, host: smtp.example.com, password: hunter2, security: tls}
"""
    with pytest.raises(WorkspaceError) as caught:
        load_settings(write(tmp_path, text))
    message = str(caught.value)
    for expected in (
        "push.retries is -1",
        "push.channels.甲.kind is 'slack'; use one of dingtalk, wecom, feishu, email",
        "push.channels.乙 needs webhook",
        "push.channels.丙.format is 'html'",
        "push.channels.丙.webhook must be the full URL",
        "push.channels.丁.password: keep the password out of shopops.yaml",
        "push.channels.丁.security is 'tls'",
        "push.channels.丁 needs recipients",
    ):
        assert expected in message


def test_dingtalk_signature_is_url_encoded_base64_hmac() -> None:
    secret, timestamp = "SECabc", 1700000000123
    expected = base64.b64encode(
        hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    ).decode()
    url = dingtalk.signed_url("https://oapi.dingtalk.com/robot/send?access_token=t", secret, timestamp)
    raw_sign = url.rsplit("sign=", 1)[1]
    assert "+" not in raw_sign and "/" not in raw_sign and "=" not in raw_sign
    query = parse_qs(urlsplit(url).query)
    assert query == {"access_token": ["t"], "timestamp": [str(timestamp)], "sign": [expected]}


def test_feishu_signature_keys_hmac_with_timestamp_and_secret() -> None:
    expected = hmac.new(b"1599360473\nsecret", b"", hashlib.sha256).digest()
    assert feishu.signature("secret", 1599360473) == base64.b64encode(expected).decode()
    channel = PushChannel(name="f", kind="feishu", webhook="https://open.feishu.cn/x", secret="secret")
    body = feishu.build_request(channel, MESSAGE, 1599360473.9).payload
    assert (body["timestamp"], body["sign"]) == ("1599360473", feishu.signature("secret", 1599360473))


def test_wecom_markdown_is_cut_to_its_byte_limit() -> None:
    channel = PushChannel(name="w", kind="wecom", webhook="https://qyapi.weixin.qq.com/x")
    huge = Message(title="t", text="t", markdown="字" * 2000)
    content = wecom.payload(channel, huge)["markdown"]["content"]
    assert len(content.encode()) <= wecom.MARKDOWN_LIMIT and content.endswith("…")


@pytest.mark.parametrize(
    ("reply", "ok", "retryable", "detail"),
    [
        (HttpReply(200, b'{"errcode":0,"errmsg":"ok"}'), True, False, "errcode 0 ok"),
        (HttpReply(200, b'{"errcode":310000,"errmsg":"keywords not in content"}'), False, False, None),
        (HttpReply(200, b'{"errcode":130101,"errmsg":"send too fast"}'), False, True, None),
        (HttpReply(503, b"busy"), False, True, "HTTP 503"),
        (HttpReply(429, b""), False, True, "HTTP 429"),
        (HttpReply(404, b"<html>"), False, False, "HTTP 404, not a JSON reply: '<html>'"),
        (HttpReply(200, b'{"errcode":false}'), False, False, "errcode False: "),
        (HttpReply(200, b"{}"), False, False, "no errcode in the reply"),
    ],
)
def test_dingtalk_replies(reply: HttpReply, ok: bool, retryable: bool, detail: str | None) -> None:
    verdict = dingtalk.verdict(reply)
    assert (verdict.ok, verdict.retryable) == (ok, retryable)
    if detail is not None:
        assert verdict.detail == detail


def test_wecom_and_feishu_rate_limits_are_retryable_and_old_feishu_replies_count() -> None:
    assert wecom.verdict(HttpReply(200, b'{"errcode":45009,"errmsg":"api freq out of limit"}')).retryable
    assert feishu.verdict(HttpReply(200, b'{"code":11232,"msg":"frequency limited"}')).retryable
    assert feishu.verdict(HttpReply(200, b'{"StatusCode":0,"StatusMessage":"success"}')).ok
    refused = feishu.verdict(HttpReply(400, b'{"code":9499,"msg":"Bad Request","data":{}}'))
    assert (refused.ok, refused.retryable, refused.detail) == (
        False,
        False,
        "HTTP 400, code 9499: Bad Request",
    )


def test_an_unexpected_error_is_a_result_with_the_secrets_scrubbed(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def broken(url: str, payload: object, timeout: float) -> HttpReply:
        raise ValueError(f"cannot post to {url}")

    monkeypatch.setattr(sender, "post_json", broken)
    token = "a1b2c3d4e5f6g7h8i9j0"
    channel = PushChannel(
        name="飞书群",
        kind="feishu",
        webhook=f"https://open.feishu.cn/open-apis/bot/v2/hook/{token}",
        secret="s3cr3t",
    )
    push = PushSettings(retries=0, channels={channel.name: channel})
    [result] = send_all(push, MESSAGE, log_path=tmp_path / "push.log")
    assert result.detail == "unexpected error: ValueError: cannot post to ***"
    assert token not in (tmp_path / "push.log").read_text(encoding="utf-8")


def test_the_commented_alerts_and_calendar_examples_are_valid(tmp_path: Path) -> None:
    from shopops.analysis.anomalies import alert_settings

    start = DEFAULT_CONFIG.index("#   alerts:")
    lines = [
        line.removeprefix("#   ") for line in DEFAULT_CONFIG[start:].splitlines() if line.startswith("#   ")
    ]
    settings = load_settings(write(tmp_path, DEFAULT_CONFIG + "\n".join(lines) + "\n"))
    alerts = alert_settings(settings.raw)
    assert alerts.rule("gmv_change") == {"threshold": 0.30, "min_base": 3000.0, "respect_expected": 1.0}
    assert "店庆" in {promotion.label for promotion in alerts.calendar.promotions}
