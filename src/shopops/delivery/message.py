"""What is sent (a message) and what came of it (one verdict per attempt, one result per channel)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Message:
    """A title, the plain text, and optionally the same content as Markdown for the bots that render it."""

    title: str
    text: str
    markdown: str | None = None


@dataclass(frozen=True)
class Verdict:
    """The outcome of one attempt: delivered, or failed and whether trying again may help."""

    ok: bool
    detail: str
    retryable: bool = False

    @classmethod
    def delivered(cls, detail: str = "ok") -> Verdict:
        return cls(ok=True, detail=detail)

    @classmethod
    def failed(cls, detail: str, *, retryable: bool = False) -> Verdict:
        return cls(ok=False, detail=detail, retryable=retryable)


@dataclass(frozen=True)
class Attempt:
    number: int
    verdict: Verdict
    seconds: float


@dataclass
class ChannelResult:
    """Everything that happened when sending to one channel."""

    channel: str
    kind: str
    attempts: list[Attempt] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.attempts) and self.attempts[-1].verdict.ok

    @property
    def retries(self) -> int:
        return max(0, len(self.attempts) - 1)

    @property
    def detail(self) -> str:
        return self.attempts[-1].verdict.detail if self.attempts else "not sent"


class ChannelConfigError(Exception):
    """A channel that cannot be tried at all (e.g. an environment variable it names is not set)."""
