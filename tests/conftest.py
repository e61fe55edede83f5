"""Shared fixtures: a demo export set with its manifest, imported into a real workspace."""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

# pytest-xdist workers start with COLUMNS=80, and rich fixes a console's width when it is built (at
# import): without this, a test's COLUMNS would be ignored on a worker. Tests set it when they care.
os.environ.pop("COLUMNS", None)
# One language per run (src/shopops/cli/messages.py): Chinese, the product's default, unless a run asks
# otherwise — a CI machine's LANG=en_US.UTF-8 would otherwise make the CLI speak English.
os.environ.setdefault("SHOPOPS_LANG", "zh")

from shopops.cli.main import cli
from shopops.demo.run import configure, generate
from shopops.workspace import Workspace

DEMO_END = dt.date(2026, 11, 24)
DEMO_DAYS = 21
DATASETS = Path(__file__).resolve().parents[2] / "shared" / "datasets"


def run_cli(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


@dataclass
class DemoWorkspace:
    root: Path
    exports: Path
    files: list[Path]
    manifest: dict[str, Any]

    def cli(self, *args: str | Path) -> Result:
        return run_cli("--workspace", self.root, *args)


def build_demo_workspace(base: Path) -> DemoWorkspace:
    exports = base / "exports"
    generated = generate(exports, days=DEMO_DAYS, end=DEMO_END, seed=7)
    root = base / "ws"
    with Workspace.init(root) as workspace:
        configure(workspace)
    manifest = json.loads(generated.manifest.read_text(encoding="utf-8"))
    return DemoWorkspace(root, exports, generated.files, manifest)


def build_platforms_demo(base: Path, seed: int = 7) -> DemoWorkspace:
    """The demo with its JD and Douyin shops beside the Taobao ones, imported through the CLI."""
    generated = generate(base / "exports", days=DEMO_DAYS, end=DEMO_END, seed=seed, platforms=True)
    root = base / "ws"
    with Workspace.init(root) as workspace:
        configure(workspace, platforms=True)
    manifest = json.loads(generated.manifest.read_text(encoding="utf-8"))
    demo = DemoWorkspace(root, base / "exports", generated.files, manifest)
    result = demo.cli("import", *demo.files)
    assert result.exit_code == 0, result.output
    return demo


@pytest.fixture(scope="session")
def imported_demo(tmp_path_factory: pytest.TempPathFactory) -> DemoWorkspace:
    """The demo exports imported once through the CLI (read-only use in tests)."""
    demo = build_demo_workspace(tmp_path_factory.mktemp("demo"))
    result = demo.cli("import", *demo.files)
    assert result.exit_code == 0, result.output
    return demo


@pytest.fixture
def fresh_demo(tmp_path: Path) -> DemoWorkspace:
    """Demo exports and an empty configured workspace, for tests that import themselves."""
    return build_demo_workspace(tmp_path)


# `shopops demo`'s workspace behind the dashboard, built once a session (README screenshots, page languages).
from tests.web.demo_site import demo_site  # noqa: E402

__all__ = ["demo_site"]
