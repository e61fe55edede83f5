"""`shopops demo`'s workspace behind the dashboard: the same generator, the same shops and files
(JD, Douyin, the apparel shop, 客服, 绩效, 直播, 竞品, 目标), imported the way `shopops demo` does it
(:func:`shopops.demo.run.run_demo`) — only fewer days (DAYS, enough for every page) and a fixed end.

The README's screenshots and the language test of every page use it. The demo admin is ``admin``.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import io
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from rich.console import Console

from shopops.demo.run import run_demo
from shopops.web import accounts, cache
from shopops.web.app import create_app
from shopops.workspace import Workspace

if TYPE_CHECKING:  # tests/conftest.py imports this module, before tests/web/conftest.py is loaded
    from tests.web.conftest import WebDemo

END = dt.date(2026, 11, 30)
DAYS = 90  # the apparel shop needs 60; 90 give the trends and the 绩效 quarter some history
SEED = 20261125  # `shopops demo`'s default seed


def build_demo_site(base: Path) -> WebDemo:
    """The demo workspace under ``base``, built once per test run and copied for each xdist worker
    (the build takes a minute or two; each worker needs its own warehouse file)."""
    from tests.web.conftest import PASSWORD, WebDemo

    # Workers of one run share the parent of their base folders; a run without xdist has its own.
    shared = (
        base.parent.parent if os.environ.get("PYTEST_XDIST_WORKER") else base.parent
    ) / "demo-site-built"
    shared.mkdir(exist_ok=True)
    with (shared / "lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # the first worker builds, the others wait for it
        if not (shared / "done").exists():
            built = shared / "shopops-demo"
            run_demo(built, days=DAYS, end=END, seed=SEED, console=Console(file=io.StringIO(), width=120))
            with Workspace.open(built) as workspace:
                accounts.add_user(workspace.connection, "admin", PASSWORD, "admin", None)
            (shared / "done").touch()
    root = base / "shopops-demo"
    shutil.copytree(shared / "shopops-demo", root)
    workspace = Workspace.open(root)
    return WebDemo(
        root, root / "exports", root / "exports" / "manifest.json", workspace, create_app(workspace), {}
    )


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebDemo]:
    site = build_demo_site(tmp_path_factory.mktemp("demo-site"))
    yield site
    cache.wait_idle()
    site.workspace.close()
