"""E-mail delivery against a small SMTP server on 127.0.0.1 written here (EHLO, AUTH PLAIN, MAIL, RCPT, DATA)."""

from __future__ import annotations

import base64
import socket
import socketserver
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest

from shopops.delivery import Message, send_all
from shopops.settings import PushChannel, PushSettings

USER, PASSWORD = "ops@example.com", "smtp-pa55word-xyz"
MESSAGE = Message(
    title="店铺日报 2026-11-24（周二）",
    text="店铺日报 2026-11-24（周二）\n【合计】支付金额 ¥13,343.50，环比 −21.0%",
)


@dataclass
class Mail:
    sender: str
    recipients: list[str]
    data: bytes

    def parsed(self) -> EmailMessage:
        message = message_from_bytes(self.data.replace(b"\r\n", b"\n"), policy=policy.default)
        assert isinstance(message, EmailMessage)
        return message


@dataclass
class SmtpState:
    mails: list[Mail] = field(default_factory=list)
    logins: list[tuple[str, str]] = field(default_factory=list)
    temporary_failures: int = 0  # answer MAIL FROM with 451 this many times


class SmtpHandler(socketserver.StreamRequestHandler):
    server: SmtpServer

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        state = self.server.state
        self.reply("220 127.0.0.1 test SMTP ready")
        sender, recipients, authorised = "", [], False
        while raw := self.rfile.readline():
            verb, _, argument = raw.decode("utf-8", "replace").strip().partition(" ")
            verb = verb.upper()
            if verb == "EHLO":
                self.wfile.write(b"250-127.0.0.1\r\n250-AUTH PLAIN\r\n250 8BITMIME\r\n")
            elif verb == "AUTH":
                _, user, password = base64.b64decode(argument.split(" ", 1)[1]).decode().split("\0")
                state.logins.append((user, password))
                authorised = (user, password) == (USER, PASSWORD)
                self.reply(
                    "235 2.7.0 Authentication successful" if authorised else "535 5.7.8 Bad credentials"
                )
            elif verb == "MAIL":
                if not authorised:
                    self.reply("530 5.7.0 Authentication required")
                elif state.temporary_failures:
                    state.temporary_failures -= 1
                    self.reply("451 4.3.0 Try again later")
                else:
                    sender, recipients = argument.split(":", 1)[1].split()[0].strip("<>"), []
                    self.reply("250 OK")
            elif verb == "RCPT":
                recipients.append(argument.split(":", 1)[1].strip().strip("<>"))
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                lines = []
                while (line := self.rfile.readline()) not in (b".\r\n", b""):
                    lines.append(line[1:] if line.startswith(b"..") else line)
                state.mails.append(Mail(sender, recipients, b"".join(lines)))
                self.reply("250 OK queued")
            elif verb in ("RSET", "NOOP"):
                self.reply("250 OK")
            elif verb == "QUIT":
                self.reply("221 Bye")
                return
            else:
                self.reply("502 5.5.2 Command not recognised")


class SmtpServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), SmtpHandler)
        self.state = SmtpState()


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def mailbox(port: int, **changes: object) -> PushChannel:
    fields: dict[str, object] = {
        "host": "127.0.0.1",
        "port": port,
        "security": "none",
        "user": USER,
        "password_env": "TEST_SMTP_PASSWORD",
        "sender": USER,
        "recipients": ("boss@example.com", "shop-owner@example.cn"),
        **changes,
    }
    return PushChannel(name="老板邮箱", kind="email", **fields)  # type: ignore[arg-type]


def settings(channel: PushChannel) -> PushSettings:
    return PushSettings(timeout=5, retries=2, backoff=0, channels={channel.name: channel})


@pytest.fixture(autouse=True)
def password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEST_SMTP_PASSWORD", PASSWORD)


def test_the_summary_arrives_with_its_subject_and_utf8_body(smtp: SmtpServer, tmp_path: Path) -> None:
    log = tmp_path / "push.log"
    [result] = send_all(settings(mailbox(smtp.server_address[1])), MESSAGE, log_path=log)
    assert result.ok and result.detail == "sent to 2 recipient(s)"
    [mail] = smtp.state.mails
    assert smtp.state.logins == [(USER, PASSWORD)]
    assert mail.sender == USER and mail.recipients == ["boss@example.com", "shop-owner@example.cn"]
    parsed = mail.parsed()
    assert parsed["Subject"] == MESSAGE.title
    assert parsed["From"] == USER and parsed["To"] == "boss@example.com, shop-owner@example.cn"
    assert parsed.get_content_type() == "text/plain" and parsed.get_content_charset() == "utf-8"
    assert parsed.get_content().rstrip("\n") == MESSAGE.text
    assert PASSWORD not in log.read_text(encoding="utf-8")


def test_a_wrong_password_is_not_retried(smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEST_SMTP_PASSWORD", "wrong")
    [result] = send_all(settings(mailbox(smtp.server_address[1])), MESSAGE)
    assert not result.ok and result.retries == 0
    assert result.detail == "login refused (535) — check user and the password variable"
    assert smtp.state.mails == []


def test_a_missing_password_variable_is_said(smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TEST_SMTP_PASSWORD")
    [result] = send_all(settings(mailbox(smtp.server_address[1])), MESSAGE)
    assert not result.ok and result.retries == 0
    assert result.detail == "environment variable TEST_SMTP_PASSWORD (the SMTP password) is not set"


def test_a_temporary_refusal_is_retried(smtp: SmtpServer) -> None:
    smtp.state.temporary_failures = 1
    [result] = send_all(settings(mailbox(smtp.server_address[1])), MESSAGE, sleep=lambda _: None)
    assert result.ok and result.retries == 1
    assert result.attempts[0].verdict.detail.startswith("SMTP 451")
    assert len(smtp.state.mails) == 1


def test_starttls_against_a_server_without_it_fails_clearly(smtp: SmtpServer) -> None:
    channel = mailbox(smtp.server_address[1], security="starttls")
    [result] = send_all(settings(channel), MESSAGE)
    assert not result.ok and result.retries == 0
    assert result.detail == "the server does not offer STARTTLS — use security: ssl or none"


def test_ssl_against_a_plain_server_fails_and_a_closed_port_is_retried(smtp: SmtpServer) -> None:
    [tls] = send_all(settings(mailbox(smtp.server_address[1], security="ssl")), MESSAGE, sleep=lambda _: None)
    assert not tls.ok and tls.retries == 0 and smtp.state.mails == []
    assert tls.detail.startswith("TLS failed:") and tls.detail.endswith("or starttls (usually port 587)")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    [closed] = send_all(settings(mailbox(port)), MESSAGE, sleep=lambda _: None)
    assert not closed.ok and closed.retries == 2 and closed.detail.startswith("network error")


def test_a_chinese_address_needs_a_server_with_smtputf8(smtp: SmtpServer) -> None:
    channel = mailbox(smtp.server_address[1], recipients=("老板@example.cn",))
    [result] = send_all(settings(channel), MESSAGE)
    assert not result.ok and result.retries == 0
    assert result.detail.startswith("not supported by the server:") and "SMTPUTF8" in result.detail
