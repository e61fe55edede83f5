"""Login throttling: wrong passwords slow down whoever makes them, never the real user elsewhere, and
``X-Forwarded-For`` counts only when it comes from a proxy named in shopops.yaml (``web.trusted_proxies``).

Two real servers on 127.0.0.1: ``shopops serve`` itself (a subprocess, told by FORWARDED_ALLOW_IPS to
believe every proxy header — ShopOps must not), and the same app in a uvicorn thread whose throttle
waits 30 s instead of 1 s, so that a loaded machine cannot make a wait run out between two requests.
Clients are real sockets bound to other loopback addresses (127.0.0.2 …): each has its own peer address.
"""

from __future__ import annotations

import ipaddress
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
import uvicorn

from shopops.errors import WorkspaceError
from shopops.settings import CONFIG_NAME, DEFAULT_CONFIG, load_settings
from shopops.web import accounts
from shopops.web.app import create_app
from shopops.web.security import LoginLimiter, client_address
from shopops.workspace import Workspace
from tests.web.conftest import free_port

PASSWORD = "correct-horse-1"
USERS = ("alice", "bob", "carol", "dave", "erin")
TRUSTED_PROXY = "127.0.0.5"  # named in shopops.yaml
UNTRUSTED_PEER = "127.0.0.6"  # not named: its X-Forwarded-For is ignored


def workspace_with_users(root: Path) -> Path:
    with Workspace.init(root) as workspace:
        for name in USERS:
            accounts.add_user(workspace.connection, name, PASSWORD, "viewer", None)
    config = root / CONFIG_NAME
    config.write_text(
        config.read_text(encoding="utf-8") + f"\nweb:\n  trusted_proxies: [{TRUSTED_PROXY}, 10.0.0.0/8]\n",
        encoding="utf-8",
    )
    return root


def wait_until_up(url: str, alive: object) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and alive():  # type: ignore[operator]
        try:
            if httpx.get(f"{url}/health").status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError("the server did not start")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`shopops serve` as a user starts it."""
    root = workspace_with_users(tmp_path_factory.mktemp("served") / "ws")
    port = free_port()
    command = [sys.executable, "-c", "from shopops.cli.main import main; main()"]
    process = subprocess.Popen(
        [*command, "--workspace", str(root), "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "FORWARDED_ALLOW_IPS": "*"},  # whatever uvicorn is told, ShopOps decides
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url, lambda: process.poll() is None)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture(scope="module")
def slow(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The same app in a uvicorn thread, configured as `shopops serve` runs it, with 30-second waits."""
    root = workspace_with_users(tmp_path_factory.mktemp("slow") / "ws")
    workspace = Workspace.open(root)
    app = create_app(workspace)
    app.state.shopops.limiter = LoginLimiter(base=30)
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", proxy_headers=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url, thread.is_alive)
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        workspace.close()


def client_from(address: str, url: str) -> httpx.Client:
    """A client whose connections come from ``address`` (any 127.x address is this machine)."""
    transport = httpx.HTTPTransport(local_address=address)
    return httpx.Client(base_url=url, transport=transport, timeout=120)


def login(client: httpx.Client, name: str, password: str, forwarded: str | None = None) -> httpx.Response:
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    return client.post("/login", data={"name": name, "password": password}, headers=headers)


def test_wrong_passwords_elsewhere_do_not_lock_the_real_user_out(slow: str) -> None:
    attacker, user = client_from("127.0.0.2", slow), client_from("127.0.0.3", slow)
    for _ in range(5):
        assert login(attacker, "alice", "wrong-password").status_code == 401
    refused = login(attacker, "alice", PASSWORD)  # the attacker's address waits, even with the right password
    assert refused.status_code == 429
    assert 25 <= int(refused.headers["Retry-After"]) <= 30
    assert "密码错误次数过多，请稍后再试 (" in refused.text
    # the real user, from another address, logs in at once
    assert login(user, "alice", PASSWORD).status_code == 303
    assert login(attacker, "alice", "wrong-password").status_code == 429  # refused tries do not count


def test_after_the_wait_the_right_password_works_again(served: str) -> None:
    attacker, user = client_from("127.0.0.2", served), client_from("127.0.0.3", served)
    for _ in range(5):
        assert login(attacker, "alice", "wrong-password").status_code == 401
    assert login(user, "alice", PASSWORD).status_code == 303
    answer = login(attacker, "alice", PASSWORD)
    if answer.status_code == 429:  # a loaded machine may take longer than the 1-second wait
        assert int(answer.headers["Retry-After"]) == 1
        time.sleep(1.1)
        answer = login(attacker, "alice", PASSWORD)
    assert answer.status_code == 303


def test_rotating_forwarded_for_from_an_untrusted_peer_does_not_escape(served: str, slow: str) -> None:
    for url in (served, slow):
        peer = client_from(UNTRUSTED_PEER, url)
        answers = [
            login(peer, "bob", "wrong-password", forwarded=f"198.51.100.{i}").status_code
            for i in range(1, 61)
        ]
        assert answers[:5] == [401] * 5
        # 1 s, 2 s, 4 s … (served): a wait may run out between two tries; 30 s (slow): none does
        assert answers.count(401) <= (8 if url == served else 5) and answers[-1] == 429, answers
        # the real bob, from another address, is not locked out
        assert login(client_from("127.0.0.4", url), "bob", PASSWORD).status_code == 303


def test_forwarded_for_from_a_trusted_proxy_is_honoured(slow: str) -> None:
    proxy = client_from(TRUSTED_PROXY, slow)
    for _ in range(5):
        assert login(proxy, "carol", "wrong-password", forwarded="203.0.113.9").status_code == 401
    assert login(proxy, "carol", PASSWORD, forwarded="203.0.113.9").status_code == 429
    # a forged left part does not help: the right-most untrusted address is the client
    assert login(proxy, "carol", PASSWORD, forwarded="192.0.2.77, 203.0.113.9").status_code == 429
    # behind a second trusted proxy (10.0.0.0/8), the client is the address before it
    assert login(proxy, "carol", PASSWORD, forwarded="203.0.113.9, 10.1.2.3").status_code == 429
    # carol from another address behind the same proxy logs in
    assert login(proxy, "carol", PASSWORD, forwarded="203.0.113.10").status_code == 303


def test_password_spraying_from_one_address_is_capped(served: str, slow: str) -> None:
    for url, address in ((served, "127.0.0.7"), (slow, "127.0.0.8")):
        sprayer = client_from(address, url)
        free = LoginLimiter().client_free
        answers = [
            login(sprayer, f"nobody{i}", "guess-123", forwarded=f"192.0.2.{i}").status_code
            for i in range(free + 3)
        ]
        assert answers[:free] == [401] * free  # one guess per name, each "from" another address
        assert 429 in answers[free:], answers
        if url == slow:
            refused = login(sprayer, "dave", PASSWORD, forwarded="192.0.2.200")
            assert refused.status_code == 429 and 25 <= int(refused.headers["Retry-After"]) <= 30
        assert login(client_from("127.0.0.9", url), "dave", PASSWORD).status_code == 303


def test_tries_sent_at_the_same_moment_do_not_slip_past_the_count(slow: str) -> None:
    def wrong(_: int) -> int:
        with client_from("127.0.0.10", slow) as client:
            return login(client, "erin", "wrong-password").status_code

    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(wrong, range(20)))
    assert sorted(answers) == [401] * 5 + [429] * 15


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_backoff_doubles_after_five_failures_up_to_fifteen_minutes() -> None:
    clock = Clock()
    limiter = LoginLimiter(clock=clock)
    waits = []
    for _ in range(5):
        assert limiter.retry_after("a", "alice") == 0
        limiter.failed("a", "alice")
    for _ in range(14):
        wait = limiter.retry_after("a", "alice")
        waits.append(wait)
        clock.now += wait
        assert limiter.retry_after("a", "alice") == 0
        limiter.failed("a", "alice")
    assert waits == [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900, 900, 900]
    assert limiter.retry_after("b", "alice") == 0  # another client is not affected
    limiter.succeeded("a", "alice")
    assert limiter.retry_after("a", "alice") == 0
    # failures are forgotten after an hour without one
    for _ in range(5):
        limiter.failed("c", "alice")
    assert limiter.retry_after("c", "alice") == 1
    clock.now += 3601
    assert limiter.retry_after("c", "alice") == 0
    limiter.failed("c", "alice")
    assert limiter.retry_after("c", "alice") == 0


def test_a_try_counts_until_the_password_proves_right() -> None:
    clock = Clock()
    limiter = LoginLimiter(clock=clock)
    assert [limiter.attempt("a", "alice") for _ in range(6)] == [0, 0, 0, 0, 0, 1]
    clock.now += 1
    assert limiter.attempt("a", "Alice ") == 0  # names are counted case- and space-blind
    limiter.succeeded("a", "alice")
    assert limiter.retry_after("a", "alice") == 0
    assert limiter.attempt("b", "bob") == 0
    limiter.succeeded("b", "bob")  # a right password takes its own try back from the wider counts
    assert limiter.entries() == 2  # the counts of client a and of alice remain
    assert (limiter.retry_after("b", "bob"), limiter.retry_after("a", "carol")) == (0, 0)


def test_the_wait_runs_from_the_end_of_a_slow_check() -> None:
    clock = Clock()
    limiter = LoginLimiter(clock=clock)
    for _ in range(5):
        assert limiter.attempt("a", "alice") == 0
        clock.now += 0.9  # a busy server takes 0.9 s to check the password
        limiter.rejected("a", "alice")
    assert limiter.attempt("a", "alice") == 1  # not 0.1 s, rounded up to 1


def test_a_distributed_guess_slows_new_addresses_but_not_the_users_own() -> None:
    clock = Clock()
    limiter = LoginLimiter(clock=clock)
    limiter.succeeded("office", "alice")  # alice logged in from her office before
    for i in range(limiter.user_free):
        clock.now += 1
        limiter.failed(f"bot{i}", "alice")  # each bot address alone stays far below its own limit
    assert limiter.retry_after("bot-new", "alice") >= 1
    assert limiter.retry_after("office", "alice") == 0
    assert limiter.retry_after("bot-new", "bob") == 0


def test_the_tables_of_failures_stay_bounded() -> None:
    clock = Clock()
    limiter = LoginLimiter(clock=clock, max_entries=1000)
    for i in range(5000):
        limiter.failed(f"10.0.{i // 250}.{i % 250}", f"user{i}")
        clock.now += 0.01
    assert limiter.entries() <= 3 * 1000


@pytest.mark.parametrize(
    ("peer", "forwarded", "expected"),
    [
        ("203.0.113.5", ["1.2.3.4"], "203.0.113.5"),  # not a trusted proxy: its header is ignored
        ("127.0.0.1", ["1.2.3.4"], "1.2.3.4"),
        ("127.0.0.1", ["6.6.6.6, 1.2.3.4"], "1.2.3.4"),  # the left part is the client's own claim
        ("127.0.0.1", ["1.2.3.4, 10.0.0.9"], "1.2.3.4"),  # a trusted hop is skipped
        ("127.0.0.1", ["6.6.6.6", "1.2.3.4, 10.0.0.9"], "1.2.3.4"),  # several header lines
        ("127.0.0.1", ["10.0.0.8, 10.0.0.9"], "10.0.0.8"),  # only proxies: the farthest one
        ("127.0.0.1", ["not-an-address"], "127.0.0.1"),  # garbage: the proxy itself
        ("127.0.0.1", ["1.2.3.4, garbage"], "127.0.0.1"),
        ("127.0.0.1", [], "127.0.0.1"),
        ("::1", ["2001:db8::7"], "2001:db8::7"),
        ("testclient", ["1.2.3.4"], "testclient"),
    ],
)
def test_the_client_address(peer: str, forwarded: list[str], expected: str) -> None:
    trusted = [ipaddress.ip_network(n) for n in ("127.0.0.1/32", "::1/128", "10.0.0.0/8")]
    assert client_address(peer, forwarded, trusted) == expected


def test_trusted_proxies_setting(tmp_path: Path) -> None:
    assert "trusted_proxies" in DEFAULT_CONFIG
    path = tmp_path / CONFIG_NAME
    path.write_text(DEFAULT_CONFIG, encoding="utf-8")
    assert load_settings(path).trusted_proxies == ()
    path.write_text(DEFAULT_CONFIG + "web:\n  trusted_proxies: [127.0.0.1, 10.0.0.0/8, '::1']\n", "utf-8")
    assert load_settings(path).trusted_proxies == ("127.0.0.1/32", "10.0.0.0/8", "::1/128")
    path.write_text(DEFAULT_CONFIG + "web:\n  trusted_proxies: [127.0.0.1, nginx]\n", "utf-8")
    with pytest.raises(WorkspaceError) as raised:
        load_settings(path)
    assert str(raised.value) == (
        "shopops.yaml: web.trusted_proxies: 'nginx' is not an IP address or network"
        " — write addresses such as 127.0.0.1 or 10.0.0.0/8"
    )
