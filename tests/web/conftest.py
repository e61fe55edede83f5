"""A demo workspace with users, served by the dashboard app (TestClient, or a real uvicorn server)."""

from __future__ import annotations

import datetime as dt
import json
import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from shopops.analysis.targets import Scope, parse_period, set_target
from shopops.demo.planting import Plant
from shopops.demo.run import configure, generate
from shopops.web import accounts, cache
from shopops.web.app import create_app
from shopops.web.security import remove_serve_file, write_serve_file
from shopops.workspace import Workspace
from tests.conftest import DEMO_DAYS, DEMO_END, DemoWorkspace, run_cli

SHOP_A = "云朵旗舰店"
SHOP_B = "小野家居"
PASSWORD = "correct-horse-1"
HELD_BACK = "退款管理_云朵旗舰店.csv"  # not imported up front: the upload tests import it


@dataclass
class WebDemo:
    root: Path
    exports: Path
    held_back: Path
    workspace: Workspace
    app: FastAPI
    tokens: dict[str, str]


PLANTS = (
    Plant(DEMO_END, SHOP_A, "affiliate_spike"),
    Plant(DEMO_END, SHOP_A, "traffic_loss"),
    Plant(DEMO_END - dt.timedelta(days=1), SHOP_B, "refund_surge"),
)


def build_demo_with_findings(base: Path) -> DemoWorkspace:
    """The test demo with anomalies planted on its last days, so findings pages have something."""
    exports = base / "exports"
    generated = generate(exports, days=DEMO_DAYS, end=DEMO_END, seed=7, plants=PLANTS)
    root = base / "ws"
    with Workspace.init(root) as workspace:
        configure(workspace)
    manifest = json.loads(generated.manifest.read_text(encoding="utf-8"))
    return DemoWorkspace(root, exports, generated.files, manifest)


def build_web_demo(base: Path) -> WebDemo:
    demo = build_demo_with_findings(base)
    held = next(f for f in demo.files if f.name == HELD_BACK)
    result = run_cli("--workspace", demo.root, "import", *[f for f in demo.files if f != held])
    assert result.exit_code == 0, result.output
    workspace = Workspace.open(demo.root)
    con = workspace.connection
    accounts.add_user(con, "admin", PASSWORD, "admin", None)
    accounts.add_user(con, "alice", PASSWORD, "operator", [SHOP_A])
    accounts.add_user(con, "viewer", PASSWORD, "viewer", [SHOP_A])
    tokens = {name: accounts.create_token(con, name) for name in ("admin", "alice", "viewer")}
    november = parse_period("2026-11")
    assert november is not None
    for scope, amount in (
        (Scope("shop", SHOP_A), "900000"),
        (Scope("shop", SHOP_B), "300000"),
        (Scope("all"), "1200000"),
    ):
        set_target(con, november, scope, "gmv", Decimal(amount))
    set_target(con, november, Scope("shop", SHOP_A), "ad_roi", Decimal("2.5"))
    return WebDemo(demo.root, demo.exports, held, workspace, create_app(workspace), tokens)


@pytest.fixture(scope="session")
def web_demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebDemo]:
    demo = build_web_demo(tmp_path_factory.mktemp("web"))
    yield demo
    cache.wait_idle()
    demo.workspace.close()


@pytest.fixture
def fresh_web(tmp_path: Path) -> Iterator[WebDemo]:
    demo = build_web_demo(tmp_path)
    yield demo
    cache.wait_idle()
    demo.workspace.close()


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF token on the page"
    return found.group(1)


def logged_in(app: FastAPI, name: str) -> tuple[TestClient, str]:
    """A client logged in as ``name`` and the session's CSRF token."""
    client = TestClient(app)
    response = client.post("/login", data={"name": name, "password": PASSWORD}, follow_redirects=False)
    assert response.status_code == 303, response.text
    return client, csrf_of(client.get("/metrics").text)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class LiveServer:
    url: str
    demo: WebDemo


@contextmanager
def serving(web: WebDemo, *, local_cli: bool = False) -> Iterator[LiveServer]:
    """``shopops serve`` as it runs: a real uvicorn server on 127.0.0.1 in a thread and the serve file
    the CLI looks for; ``local_cli`` also lets it run handed-over CLI commands."""
    from shopops.cli.serve import attach_local_cli

    port = free_port()
    info = write_serve_file(web.root, "127.0.0.1", port)
    app = create_app(web.workspace, local_secret=info.secret)
    if local_cli:
        attach_local_cli(app, web.workspace)
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", proxy_headers=False)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    try:
        yield LiveServer(f"http://127.0.0.1:{port}", web)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        remove_serve_file(web.root, info)


@pytest.fixture
def live_server(fresh_web: WebDemo) -> Iterator[LiveServer]:
    """A real uvicorn server on 127.0.0.1 in a thread, with the serve file CLI imports look for."""
    with serving(fresh_web) as server:
        yield server
