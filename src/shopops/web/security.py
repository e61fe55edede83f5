"""Login rate limiting, CSRF checks and the serve file (how CLI commands find a running server)."""

from __future__ import annotations

import json
import os
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path

SERVE_FILE = ".shopops-serve.json"
LOCAL_HEADER = "X-ShopOps-Local-Secret"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
SESSION_COOKIE = "shopops_session"
LANG_COOKIE = "lang"


class LoginLimiter:
    """At most ``attempts`` wrong passwords per user name and per client address in ``window`` seconds."""

    def __init__(self, attempts: int = 5, window: float = 300.0) -> None:
        self.attempts = attempts
        self.window = window
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        found = self._failures.setdefault(key, deque())
        while found and now - found[0] > self.window:
            found.popleft()
        return found

    def blocked(self, client: str, name: str) -> bool:
        now = time.monotonic()
        with self._lock:
            by_name = self._recent("user:" + name.lower(), now)
            by_client = self._recent("client:" + client, now)
            return len(by_name) >= self.attempts or len(by_client) >= self.attempts * 4

    def failed(self, client: str, name: str) -> None:
        now = time.monotonic()
        with self._lock:
            self._recent("user:" + name.lower(), now).append(now)
            self._recent("client:" + client, now).append(now)

    def succeeded(self, name: str) -> None:
        with self._lock:
            self._failures.pop("user:" + name.lower(), None)


def same_token(given: str | None, expected: str) -> bool:
    return bool(given) and secrets.compare_digest(str(given), expected)


@dataclass(frozen=True)
class ServeInfo:
    pid: int
    host: str
    port: int
    secret: str

    @property
    def local_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def write_serve_file(root: Path, host: str, port: int) -> ServeInfo:
    """Record the running server (pid, port, a local secret) in the workspace, readable by its owner only."""
    info = ServeInfo(os.getpid(), host, port, secrets.token_urlsafe(32))
    path = root / SERVE_FILE
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump(info.__dict__, handle)
    return info


def read_serve_file(root: Path) -> ServeInfo | None:
    """The running server of the workspace, or None (no file, or its process is gone)."""
    path = root / SERVE_FILE
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        info = ServeInfo(int(raw["pid"]), str(raw["host"]), int(raw["port"]), str(raw["secret"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    try:
        os.kill(info.pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        pass
    return info


def remove_serve_file(root: Path, info: ServeInfo) -> None:
    current = read_serve_file(root)
    if current is not None and current.secret == info.secret:
        (root / SERVE_FILE).unlink(missing_ok=True)
