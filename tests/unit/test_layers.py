"""Data flows one way: files → ingest → warehouse → metrics → analysis → reports / delivery → cli. Nothing imports upward.

Domains (DESIGN §7, ``src/shopops/domains/<name>/``) are vertical slices over the same flow:

- the registry (``shopops.domains``, the package's ``__init__``) is importable by every stage, so it
  imports no stage itself; the core (every stage, demo included) never imports ``shopops.domains.<name>``:
  it asks the registry;
- a domain imports the core, never another domain (shared data goes through the warehouse);
- inside a domain each module has the stage of its name — ``feed*`` ingest (a feed the domain reads
  itself), ``sheet*`` reports, ``page*`` and ``runtime*`` web (a runtime runs inside the server),
  ``cli*`` cli, any other analysis — and imports the core and its sibling modules as that stage may
  (its analysis does not import its page or its sheet); its ``__init__`` (the ``DOMAIN`` object)
  imports only the registry: parts are named ``"module:attribute"`` and imported when wanted.
"""

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
    # delivery: the server pushes what it finds while it runs (a live room's alerts)
    "web": {
        "metrics",
        "analysis",
        "reports",
        "ingest",
        "delivery",
        "warehouse",
        "workspace",
        "inbox",
        "health",
    },
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
FOUNDATION = {
    "errors",
    "settings",
    "channels",
    "platforms",
    "holiday_settings",
    "proxy_settings",
    "warehouse_settings",
    "__init__",
}
REGISTRY = "shopops.domains"  # the domain registry: every stage may import it


def stage_of(module: str) -> str:
    return module.split(".")[1] if module.count(".") >= 1 else ""


def imported(path: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
        elif isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
    return [name for name in names if name.startswith("shopops.")]


def domain_stage(module: str) -> str:
    """The stage of a module inside a domain, by its name (``__init__``: the registry's)."""
    if module == "__init__":
        return "registry"
    prefixes = (("feed", "ingest"), ("sheet", "reports"), ("page", "web"), ("runtime", "web"), ("cli", "cli"))
    for prefix, stage in prefixes:
        if module.startswith(prefix):
            return stage
    return "analysis"


def core_problem(stage: str, name: str) -> str | None:
    """Why a module of ``stage`` may not import the core module ``name`` (None: it may)."""
    target = name.split(".")[1]
    if target in FOUNDATION or target == stage or name == REGISTRY:
        return None
    if target == "domains":
        return "the core asks the registry, it never imports a domain by name"
    if stage == "registry" or target not in ALLOWED.get(stage, set()):
        return f"{stage} may not import {target}"
    return None


def test_no_module_imports_a_later_stage() -> None:
    problems = []
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE)
        stage = relative.parts[0].removesuffix(".py") if len(relative.parts) > 1 else relative.stem
        if stage in FOUNDATION or stage not in ALLOWED:
            continue
        for name in imported(path):
            if problem := core_problem(stage, name):
                problems.append(f"{relative}: imports {name} ({problem})")
    assert problems == []


def test_the_registry_imports_no_stage() -> None:
    assert [
        n for n in imported(PACKAGE / "domains" / "__init__.py") if n.split(".")[1] not in FOUNDATION
    ] == []


def test_domains_import_the_core_as_their_stage_and_no_other_domain() -> None:
    problems = []
    for path in (PACKAGE / "domains").glob("*/**/*.py"):
        relative = path.relative_to(PACKAGE)
        domain, module = relative.parts[1], path.stem
        stage = domain_stage(module)
        for name in imported(path):
            parts = name.split(".")
            if parts[1] != "domains" or name == REGISTRY:
                if problem := core_problem(stage, name):
                    problems.append(f"{relative}: imports {name} ({problem})")
            elif parts[2] != domain:
                problems.append(f"{relative}: imports {name} (a domain never imports another domain)")
            elif len(parts) > 3:
                sibling = domain_stage(parts[3])
                if stage == "registry" or (sibling != stage and sibling not in ALLOWED[stage]):
                    problems.append(f"{relative}: imports {name} ({stage} may not import its {sibling})")
    assert problems == []


def test_the_layer_rules_catch_what_they_forbid() -> None:
    assert core_problem("reports", "shopops.domains.rivals.sheet") is not None
    assert core_problem("demo", "shopops.domains.rivals.analysis") is not None
    assert core_problem("warehouse", "shopops.domains") is None
    assert core_problem("analysis", "shopops.web.app") is not None
    assert core_problem("registry", "shopops.warehouse") is not None
    assert [domain_stage(m) for m in ("facts", "sheet", "page", "cli", "__init__")] == [
        "analysis",
        "reports",
        "web",
        "cli",
        "registry",
    ]


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
