"""Dashboard latency: page and API p50/p95 for N concurrent users on the demo workspace while
imports run.

Builds the demo workspace (``run_demo``, default 400 days, five shops), adds a user, starts
``shopops serve`` in a subprocess on a free 127.0.0.1 port, then:

* ``--users`` threads (default 20) each log in and walk the pages and API routes ``--rounds``
  times, pausing ``--think`` seconds (default 1) after each page as a person reading it would
  (``--think 0``: back-to-back requests, the worst case) (总览, 总表, 趋势, 异常, 导入, /api/overview, /api/master, /api/findings);
* meanwhile ``shopops import`` runs in a loop (it hands the files to the server — the server owns
  the writer), alternating two different order exports so every import really replaces rows
  (and the server's caches go stale, as they do in real use).

Every request is bounded (timeout 60 s) and the run stops by itself. Only 127.0.0.1 is contacted.

    python benchmarks/web_latency.py                       # full size (about a minute or two)
    python benchmarks/web_latency.py --days 60 --rounds 3  # quick run

See docs/benchmarks.md for the measured figures (goal: 总览 p95 < 300 ms).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

import httpx
from rich.console import Console

from shopops.demo.run import generate, run_demo
from shopops.web import accounts
from shopops.workspace import Workspace

PASSWORD = "bench-password-1"
SHOPOPS = [sys.executable, "-c", "from shopops.cli.main import main; main()"]
ROUTES = (
    ("总览 /", "/"),
    ("总表 /table", "/table"),
    ("趋势 /trends", "/trends"),
    ("异常 /findings", "/findings"),
    ("导入 /imports", "/imports"),
    ("API /api/overview", "/api/overview"),
    ("API /api/master", "/api/master?grain=week"),
    ("API /api/findings", "/api/findings"),
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def user_loop(
    url: str, rounds: int, think: float, timings: dict[str, list[float]], errors: list[str]
) -> None:
    with httpx.Client(base_url=url, timeout=60, follow_redirects=True) as client:
        login = client.post("/login", data={"name": "bench", "password": PASSWORD})
        if login.status_code != 200:
            errors.append(f"login {login.status_code}")
            return
        for _ in range(rounds):
            for label, path in ROUTES:
                began = time.perf_counter()
                response = client.get(path)
                timings[label].append(time.perf_counter() - began)
                if response.status_code != 200:
                    errors.append(f"{path} {response.status_code}")
                time.sleep(think)


def import_loop(root: Path, files: list[Path], stop: threading.Event, counts: list[float]) -> None:
    index = 0
    while not stop.is_set():
        began = time.perf_counter()
        done = subprocess.run(
            [*SHOPOPS, "--workspace", str(root), "import", str(files[index % 2])],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if done.returncode == 0 and "via shopops serve" in done.stdout:
            counts.append(time.perf_counter() - began)
        index += 1


def prepare(base: Path, days: int, end: dt.date) -> tuple[Path, list[Path]]:
    """The demo workspace with a user, and two different order exports to import in turn."""
    root = base / "demo"
    run_demo(root, days=days, end=end, seed=20261125, console=Console(quiet=True))
    with Workspace.open(root) as workspace:
        accounts.add_user(workspace.connection, "bench", PASSWORD, "operator", None)
    other = generate(base / "other", days=days, end=end, seed=99)
    order_files = [
        next(p for p in (root / "exports").iterdir() if p.name.startswith("ExportOrderList")),
        next(p for p in other.files if p.name.startswith("ExportOrderList")),
    ]
    return root, order_files


def report(
    console: Console,
    args: argparse.Namespace,
    timings: dict[str, list[float]],
    wall: float,
    imports: list[float],
) -> None:
    total = sum(len(v) for v in timings.values())
    console.print(
        f"think time {args.think:g} s; {args.users} users × {args.rounds} rounds × {len(ROUTES)} routes = {total} requests in {wall:.1f} s"
        f" ({total / wall:.1f} req/s); {len(imports)} imports ran meanwhile"
        + (f" (median {statistics.median(imports):.1f} s each)" if imports else "")
    )
    console.print(f"{'route':<22} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for label, _ in ROUTES:
        values = timings[label]
        if values:
            console.print(
                f"{label:<22} {percentile(values, 0.5) * 1000:>8.0f} {percentile(values, 0.95) * 1000:>8.0f}"
                f" {max(values) * 1000:>8.0f}"
            )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--days", type=int, default=400)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--think", type=float, default=1.0, help="Seconds a user looks at a page before the next (0: none)."
    )
    parser.add_argument("--keep", action="store_true", help="Keep the temporary workspace.")
    args = parser.parse_args()
    console = Console()
    base = Path(tempfile.mkdtemp(prefix="shopops-web-bench-"))
    end = dt.date(2026, 11, 24)
    server: subprocess.Popen[bytes] | None = None
    try:
        root, order_files = prepare(base, args.days, end)
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [*SHOPOPS, "--workspace", str(root), "serve", "--port", str(port)],
            stdout=subprocess.DEVNULL,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(url + "/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        timings: dict[str, list[float]] = defaultdict(list)
        errors: list[str] = []
        user_loop(url, 1, 0, defaultdict(list), errors)  # one unmeasured walk: the server is warm
        stop = threading.Event()
        imports: list[float] = []
        importer = threading.Thread(target=import_loop, args=(root, order_files, stop, imports))
        importer.start()
        time.sleep(0.5)
        began = time.perf_counter()
        users = [
            threading.Thread(target=user_loop, args=(url, args.rounds, args.think, timings, errors))
            for _ in range(args.users)
        ]
        for thread in users:
            thread.start()
        for thread in users:
            thread.join()
        wall = time.perf_counter() - began
        stop.set()
        importer.join()
        report(console, args, timings, wall, imports)
        if errors:
            console.print(f"[red]{len(errors)} errors[/], e.g. {errors[:3]}")
            return 1
        return 0
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        if args.keep:
            console.print(f"workspace kept in {base}")
        else:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
