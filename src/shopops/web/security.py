"""Login throttling, the client address behind trusted proxies, CSRF checks and the serve file (how CLI
commands find a running server)."""

from __future__ import annotations

import ipaddress
import json
import math
import os
import secrets
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeAlias, TypeVar

SERVE_FILE = ".shopops-serve.json"
LOCAL_HEADER = "X-ShopOps-Local-Secret"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
SESSION_COOKIE = "shopops_session"
LANG_COOKIE = "lang"


Network: TypeAlias = ipaddress.IPv4Network | ipaddress.IPv6Network
K = TypeVar("K")


@dataclass
class _Strikes:
    count: int = 0
    last: float = 0.0  # clock time of the latest failure


class LoginLimiter:
    """Wrong passwords slow down whoever makes them, never the real user somewhere else.

    Failures are counted per (user name, client address): after ``pair_free`` of them each further
    try waits ``base`` seconds after the latest failure, doubling with every failure, at most ``cap``
    (1 s, 2 s, 4 s … 15 min). Two wider counts catch what rotating one of the two would escape:
    per client over every name (password spraying, after ``client_free`` failures) and per user
    over every client (a guess spread over many addresses, after ``user_free``) — the latter does
    not hold back a client that has logged in as that user before, so an attacker elsewhere cannot
    lock the real user out. A count is forgotten ``forget`` seconds after its latest failure; a
    successful login clears its (user, client) count. Kept in memory: a restart forgets everything.
    """

    def __init__(
        self,
        *,
        pair_free: int = 5,
        client_free: int = 20,
        user_free: int = 100,
        base: float = 1.0,
        cap: float = 900.0,
        forget: float = 3600.0,
        max_entries: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.pair_free, self.client_free, self.user_free = pair_free, client_free, user_free
        self.base, self.cap, self.forget = base, cap, forget
        self.max_entries = max_entries
        self._clock = clock
        self._pairs: dict[tuple[str, str], _Strikes] = {}
        self._clients: dict[str, _Strikes] = {}
        self._users: dict[str, _Strikes] = {}
        self._known: dict[tuple[str, str], float] = {}  # (user, client) that logged in → when
        self._lock = threading.Lock()

    @staticmethod
    def _name(name: str) -> str:
        return name.strip().lower()[:200]

    def _wait(self, strikes: _Strikes | None, free: int, now: float) -> float:
        if strikes is None or now - strikes.last > self.forget or strikes.count < free:
            return 0.0
        delay = min(self.base * 2.0 ** (strikes.count - free), self.cap)
        return max(0.0, strikes.last + delay - now)

    def retry_after(self, client: str, name: str) -> int:
        """Whole seconds ``client`` must wait before trying ``name`` again; 0: it may try now."""
        now, user = self._clock(), self._name(name)
        with self._lock:
            return self._retry_after(client, user, now)

    def _retry_after(self, client: str, user: str, now: float) -> int:
        waits = [
            self._wait(self._pairs.get((user, client)), self.pair_free, now),
            self._wait(self._clients.get(_block_of(client)), self.client_free, now),
        ]
        if (user, client) not in self._known:
            waits.append(self._wait(self._users.get(user), self.user_free, now))
        return math.ceil(max(waits))

    def attempt(self, client: str, name: str) -> int:
        """A login try: the seconds to wait (the password must not be checked), or 0 — then the try
        counts as a failure until ``succeeded`` takes it back, so tries sent at the same moment
        cannot all slip in before the first failure is counted."""
        now, user = self._clock(), self._name(name)
        with self._lock:
            wait = self._retry_after(client, user, now)
            if not wait:
                self._fail(client, user, now)
            return wait

    def rejected(self, client: str, name: str) -> None:
        """The password of a try ``attempt`` let through was wrong: its wait runs from now (checking
        a password takes a moment, longer on a busy server)."""
        now, user = self._clock(), self._name(name)
        with self._lock:
            for strikes in (
                self._pairs.get((user, client)),
                self._clients.get(_block_of(client)),
                self._users.get(user),
            ):
                if strikes is not None:
                    strikes.last = max(strikes.last, now)

    def failed(self, client: str, name: str) -> None:
        """A wrong password (``attempt`` already counts one)."""
        now, user = self._clock(), self._name(name)
        with self._lock:
            self._fail(client, user, now)

    def _fail(self, client: str, user: str, now: float) -> None:
        self._strike(self._pairs, (user, client), now)
        self._strike(self._clients, _block_of(client), now)
        self._strike(self._users, user, now)

    def _strike(self, table: dict[K, _Strikes], key: K, now: float) -> None:
        strikes = table.get(key)
        if strikes is None or now - strikes.last > self.forget:
            strikes = table[key] = _Strikes()
        strikes.count += 1
        strikes.last = now
        if len(table) > self.max_entries:
            self._trim(table, now)

    def succeeded(self, client: str, name: str) -> None:
        """The right password: the (user, client) count is cleared, the try ``attempt`` counted is
        taken back from the wider counts, and the client is one the user logs in from."""
        now, user = self._clock(), self._name(name)
        with self._lock:
            pair = self._pairs.pop((user, client), None)
            if pair is not None:
                self._take_back(self._clients, _block_of(client))
                self._take_back(self._users, user)
            self._known[(user, client)] = now
            if len(self._known) > self.max_entries:
                for key, _ in sorted(self._known.items(), key=lambda item: item[1])[: len(self._known) // 2]:
                    del self._known[key]

    @staticmethod
    def _take_back(table: dict[K, _Strikes], key: K) -> None:
        strikes = table.get(key)
        if strikes is not None:
            strikes.count -= 1
            if strikes.count <= 0:
                del table[key]

    def entries(self) -> int:
        """How many counts are held (they stay bounded by ``max_entries`` per kind)."""
        with self._lock:
            return len(self._pairs) + len(self._clients) + len(self._users)

    def _trim(self, table: dict[K, _Strikes], now: float) -> None:
        """Drop forgotten counts; if that is not enough, the smaller (then older) half."""
        for key in [key for key, strikes in table.items() if now - strikes.last > self.forget]:
            del table[key]
        if len(table) > self.max_entries:
            ranked = sorted(table.items(), key=lambda item: (item[1].count, item[1].last))
            for key, _ in ranked[: len(table) // 2]:
                del table[key]


def _block_of(client: str) -> str:
    """The key of a client for the count over every name: its address, or its /64 for IPv6
    (one subscriber holds a whole /64, so rotating inside it must not escape the count)."""
    try:
        address = ipaddress.ip_address(client)
    except ValueError:
        return client
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is None:
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return client


def client_address(peer: str, forwarded_for: Sequence[str], trusted_proxies: Sequence[Network]) -> str:
    """The address a request comes from: the socket peer, unless the peer is one of
    ``trusted_proxies`` (``web.trusted_proxies`` in shopops.yaml); then the right-most address of
    ``X-Forwarded-For`` that is not a trusted proxy (the left part is whatever the client claimed).
    A value that is not an address stops the walk at the nearest trusted proxy."""

    def is_trusted(address: str) -> bool | None:
        try:
            parsed = ipaddress.ip_address(address)
        except ValueError:
            return None
        if isinstance(parsed, ipaddress.IPv6Address) and parsed.ipv4_mapped is not None:
            parsed = parsed.ipv4_mapped  # ::ffff:127.0.0.1 from a dual-stack socket
        return any(parsed in network for network in trusted_proxies)

    if not trusted_proxies or not is_trusted(peer):
        return peer
    hops = [hop.strip() for line in forwarded_for for hop in line.split(",")]
    nearest = peer
    for hop in reversed([hop for hop in hops if hop]):
        trusted = is_trusted(hop)
        if trusted is None:
            return nearest
        if not trusted:
            return hop
        nearest = hop
    return nearest


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


def load_serve_file(root: Path) -> ServeInfo | None:
    """What the workspace's serve file says, or None (no file, or not a serve file)."""
    path = root / SERVE_FILE
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return ServeInfo(int(raw["pid"]), str(raw["host"]), int(raw["port"]), str(raw["secret"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def read_serve_file(root: Path) -> ServeInfo | None:
    """The running server of the workspace, or None (no file, or its process is gone).

    A live pid is not proof: the pid of a killed server may have been reused (see
    ``shopops.cli.context.running_server``, which also asks the server)."""
    info = load_serve_file(root)
    if info is None:
        return None
    try:
        os.kill(info.pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        pass
    return info


def remove_serve_file(root: Path, info: ServeInfo) -> None:
    """Remove the serve file if it is still the one ``info`` was read from (not a newer server's)."""
    current = load_serve_file(root)
    if current is not None and current.secret == info.secret:
        (root / SERVE_FILE).unlink(missing_ok=True)
