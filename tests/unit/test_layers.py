"""Data flows one way: files → ingest → warehouse → metrics → analysis → reports / delivery → cli. Nothing imports upward."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "shopops"

# Which stages each stage may import (besides itself and the foundation modules).
ALLOWED = {
    "warehouse": set(),
    "ingest": {"warehouse"},
    "metrics": {"warehouse"},
    "analysis": {"metrics", "warehouse"},
    "reports": {"metrics", "ingest", "analysis"},
    "delivery": set(),
    "demo": {"ingest", "metrics", "analysis", "reports", "warehouse", "workspace"},
    "web": {"metrics", "analysis", "reports", "ingest", "warehouse", "workspace", "inbox", "health"},
    "cli": {
        "web",
        "ingest",
        "metrics",
        "analysis",
        "reports",
        "delivery",
        "warehouse",
        "workspace",
        "inbox",
        "health",
        "operations",
        "demo",
    },
    "operations": {"warehouse", "workspace"},
}
FOUNDATION = {"errors", "settings", "channels", "platforms", "holiday_settings", "proxy_settings", "__init__"}


def stage_of(module: str) -> str:
    return module.split(".")[1] if module.count(".") >= 1 else ""


def test_no_module_imports_a_later_stage() -> None:
    problems = []
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE)
        stage = relative.parts[0].removesuffix(".py") if len(relative.parts) > 1 else relative.stem
        if stage in FOUNDATION or stage not in ALLOWED:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            for name in names:
                if not name.startswith("shopops."):
                    continue
                target = name.split(".")[1]
                if target in FOUNDATION or target == stage:
                    continue
                if target not in ALLOWED[stage]:
                    problems.append(f"{relative}: imports {name} ({stage} may not import {target})")
    assert problems == []


def test_foundation_modules_import_no_stage() -> None:
    for name in FOUNDATION - {"__init__"}:
        tree = ast.parse((PACKAGE / f"{name}.py").read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("shopops."):
                assert node.module.split(".")[1] in FOUNDATION, f"{name}.py imports {node.module}"


def test_no_module_is_too_long() -> None:
    long = [
        f"{p.relative_to(PACKAGE)}: {n}"
        for p in PACKAGE.rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > 500
    ]
    assert long == []
