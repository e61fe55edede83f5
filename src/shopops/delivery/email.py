"""E-mail over SMTP: implicit TLS (ssl, port 465), STARTTLS (port 587) or plain (none, port 25).

The subject is the message title, the body its plain text in UTF-8. The password is read from
the environment variable named by ``password_env``. Temporary problems (the connection, SMTP 4xx)
may be retried; a refused login, a refused recipient or a server without STARTTLS may not.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from shopops.delivery.message import ChannelConfigError, Message, Verdict
from shopops.delivery.webhook import from_env
from shopops.settings import PushChannel

TLS_HINT = " — check security: ssl (usually port 465) or starttls (usually port 587)"


def compose(channel: PushChannel, message: Message) -> EmailMessage:
    mail = EmailMessage()
    mail["Subject"] = message.title
    mail["From"] = channel.sender or channel.user or ""
    mail["To"] = ", ".join(channel.recipients)
    mail["Date"] = formatdate(localtime=True)
    mail["Message-ID"] = make_msgid(domain=(channel.sender or "shopops@localhost").rpartition("@")[2] or None)
    mail.set_content(message.text, charset="utf-8")
    return mail


def send(channel: PushChannel, message: Message, timeout: float) -> Verdict:
    """One attempt: connect, secure, log in, send. Returns the verdict; never raises for SMTP trouble."""
    if channel.host is None or not channel.recipients:
        raise ChannelConfigError("e-mail needs host and recipients")
    password = from_env(None, channel.password_env, "SMTP password")
    mail = compose(channel, message)
    try:
        client = _connect(channel, timeout)
    except ssl.SSLError as error:
        return Verdict.failed(f"TLS failed: {error.reason or error}{TLS_HINT}")
    except (OSError, smtplib.SMTPException) as error:
        return _verdict_for(error)
    try:
        with client:
            if channel.security == "starttls":
                client.ehlo()
                if not client.has_extn("starttls"):
                    return Verdict.failed("the server does not offer STARTTLS — use security: ssl or none")
                client.starttls(context=ssl.create_default_context())
            if channel.user and password is not None:
                client.login(channel.user, password)
            refused = client.send_message(mail)
    except smtplib.SMTPNotSupportedError as error:
        return Verdict.failed(f"not supported by the server: {error}")
    except ssl.SSLError as error:
        return Verdict.failed(f"TLS failed: {error.reason or error}{TLS_HINT}")
    except (OSError, smtplib.SMTPException) as error:
        return _verdict_for(error)
    if refused:
        return Verdict.failed(f"accepted, but refused for {', '.join(sorted(refused))}")
    return Verdict.delivered(f"sent to {len(channel.recipients)} recipient(s)")


def _connect(channel: PushChannel, timeout: float) -> smtplib.SMTP:
    host = channel.host or ""
    if channel.security == "ssl":
        return smtplib.SMTP_SSL(host, channel.port, timeout=timeout, context=ssl.create_default_context())
    return smtplib.SMTP(host, channel.port, timeout=timeout)


def _verdict_for(error: OSError | smtplib.SMTPException) -> Verdict:
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return Verdict.failed(f"login refused ({error.smtp_code}) — check user and the password variable")
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return Verdict.failed(f"recipients refused: {', '.join(sorted(error.recipients))}")
    if isinstance(error, smtplib.SMTPResponseException):
        reply = error.smtp_error.decode("utf-8", "replace") if isinstance(error.smtp_error, bytes) else ""
        return Verdict.failed(
            f"SMTP {error.smtp_code} {reply}".rstrip(), retryable=400 <= error.smtp_code < 500
        )
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return Verdict.failed(f"server disconnected: {error}", retryable=True)
    if isinstance(error, TimeoutError):
        return Verdict.failed("timed out", retryable=True)
    if isinstance(error, OSError):
        return Verdict.failed(f"network error: {error.strerror or error}", retryable=True)
    return Verdict.failed(f"SMTP error: {error}")
