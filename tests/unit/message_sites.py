"""Every message template ShopOps can raise to a user, found in the source by its AST.

A *site* is a call of one of the user-error classes (``UserError`` and every class deriving from it,
wherever it is defined): its message argument — for an ``InputError`` the problem and the hint, for
a ``DiskFullError`` what to do then, for any other the first argument — read as a template, each
f-string hole a ``{placeholder}`` named after its expression. ``a if c else b`` and ``x + y`` give
one template per combination; an argument that is only a variable gives none (it is a message made
elsewhere). ``python -m tests.unit.message_sites`` prints the templates the catalog lacks.
"""

from __future__ import annotations

import ast
import itertools
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from shopops.cli.messages import catalog, shape

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "shopops"
ROOTS = {"UserError"}
INPUT_ROOT = "InputError"
# Calls whose name says what the expression is, not how it is spelled: f"{len(rows)}" is a count.
_WRAPPERS = {"str", "repr", "escape", "_shorten", "int", "float", "sorted", "list", "tuple", "set"}


@dataclass(frozen=True)
class Site:
    path: str
    line: int
    template: str

    @property
    def shape(self) -> str:
        return shape(self.template)


def has_words(template: str) -> bool:
    """Whether the template says something besides its placeholders (``{label}: {problem}`` does not)."""
    literal = re.sub(r"\{[^{}]*\}", "", template)
    return re.search(r"[A-Za-z\u4e00-\u9fff]{2,}", literal) is not None


def error_classes(trees: dict[Path, ast.Module]) -> tuple[set[str], set[str]]:
    """The names of the user-error classes, and of those among them that are input errors."""
    bases: dict[str, set[str]] = {}
    for tree in trees.values():
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                names = {b.id if isinstance(b, ast.Name) else getattr(b, "attr", "") for b in node.bases}
                bases.setdefault(node.name, set()).update(names)

    def below(roots: set[str]) -> set[str]:
        found = set(roots)
        while True:
            more = {name for name, parents in bases.items() if parents & found} - found
            if not more:
                return found
            found |= more

    return below(ROOTS), below({INPUT_ROOT})


def placeholder(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id.strip("_") or "value"
    if isinstance(node, ast.Attribute):
        return node.attr.strip("_") or "value"
    if isinstance(node, ast.Subscript):
        return placeholder(node.value)
    if isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "join" and node.args:
            return placeholder(node.args[0])
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        if name in _WRAPPERS and node.args:
            return placeholder(node.args[0])
        if name == "len" and node.args:
            return "count"
        return name.strip("_") or "value"
    if isinstance(node, (ast.GeneratorExp, ast.ListComp)):
        return placeholder(node.elt)
    return "value"


def templates(node: ast.expr) -> list[str]:
    """The templates an expression can produce (one per branch of its conditionals)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value.replace("{", "{{").replace("}", "}}")]
    if isinstance(node, ast.JoinedStr):
        pieces: list[list[str]] = []
        for part in node.values:
            if isinstance(part, ast.Constant) and isinstance(part.value, str):
                pieces.append([part.value.replace("{", "{{").replace("}", "}}")])
            elif isinstance(part, ast.FormattedValue):
                inner = part.value
                if isinstance(inner, ast.IfExp) and all(_is_text(b) for b in (inner.body, inner.orelse)):
                    pieces.append(templates(inner.body) + templates(inner.orelse))
                else:
                    pieces.append(["{" + placeholder(inner) + "}"])
        return ["".join(combo) for combo in itertools.product(*pieces)]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return [a + b for a in templates(node.left) for b in templates(node.right)]
    if isinstance(node, ast.IfExp):
        return templates(node.body) + templates(node.orelse)
    return ["{" + placeholder(node) + "}"]


def _is_text(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def _message_arguments(call: ast.Call, name: str, inputs: set[str]) -> list[ast.expr]:
    keywords = {k.arg: k.value for k in call.keywords if k.arg}
    if name in inputs:
        found = call.args[1:2] or [keywords[k] for k in ("problem",) if k in keywords]
        return found + [keywords[k] for k in ("hint",) if k in keywords]
    if name == "DiskFullError":
        return call.args[1:2] or [keywords[k] for k in ("then",) if k in keywords]
    return call.args[:1]


# Helpers that build a user error from parts: the positions of their message arguments.
HELPERS = {"ValueType": (2, 3), "over_limit": (2, 5)}
# Module constants that hold a message or a hint (``_DATE_HINT = "use a date such as …"``).
CONSTANT = re.compile(r"(HINT|PROBLEM|MESSAGE|REFUSED|NOT_FOUND|NO_DATA|NO_STAFF|NO_FEED|^_?HOW)$")


def sites() -> list[Site]:
    trees = {p: ast.parse(p.read_text(encoding="utf-8")) for p in sorted(PACKAGE.rglob("*.py"))}
    classes, inputs = error_classes(trees)
    found: list[Site] = []
    for path, tree in trees.items():
        for node in ast.walk(tree):
            arguments: list[ast.expr] = []
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and _is_text(node.value):
                target = node.targets[0]
                if isinstance(target, ast.Name) and CONSTANT.search(target.id):
                    arguments = [node.value]
            elif isinstance(node, ast.Call):
                func = node.func
                name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
                if name in classes:
                    arguments = _message_arguments(node, name, inputs)
                elif name in HELPERS:
                    arguments = [node.args[i] for i in HELPERS[name] if i < len(node.args)]
            for argument in arguments:
                for template in templates(argument):
                    if has_words(template):
                        where = str(path.relative_to(PACKAGE.parent))
                        found.append(Site(where, node.lineno, template))
    return found


# The texts of `shopops doctor`: shopops.health's checks (and the server check of its command).
CHECK_MODULES = ("health.py", "cli/doctor.py")


def check_sites() -> list[Site]:
    """Every result and fix a check can say: the message and fix of each ``Check(…)``, every text a
    local name is given there (``text = f"…"``, ``fix = "…"``, a fragment such as ``"; checkpoint done"``)
    and every f-string inside a call of them (``"; ".join(f"{e[0]} {e[1]} days" …)``)."""
    found: list[Site] = []
    for name in CHECK_MODULES:
        path = PACKAGE / name
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            arguments: list[ast.expr] = []
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", getattr(node.func, "attr", "")) == "Check"
            ):
                arguments = node.args[2:4] + [k.value for k in node.keywords if k.arg in ("message", "fix")]
            elif isinstance(node, ast.Assign) and len(node.targets) == 1:
                target = node.targets[0]
                if isinstance(target, ast.Name) and target.id.islower():
                    arguments = [node.value]
            for argument in arguments:
                inner = [
                    part
                    for call in ast.walk(argument)
                    if isinstance(call, ast.Call) and call is not argument
                    for part in ast.walk(call)
                    if isinstance(part, ast.JoinedStr)
                ]
                for template in templates(argument) + [t for part in inner for t in templates(part)]:
                    if has_words(template) and not template.lstrip().startswith("SELECT"):
                        where = str(path.relative_to(PACKAGE.parent))
                        found.append(Site(where, argument.lineno, template))
    return found


def main() -> None:
    known = catalog().shapes()
    missing: dict[str, Site] = {}
    for site in sites() + check_sites():
        if site.shape not in known:
            missing.setdefault(site.template, site)
    for template, site in missing.items():
        sys.stdout.write(f"# {site.path}:{site.line}\n{template!r}\n")
    sys.stdout.write(f"# {len(missing)} missing\n")


if __name__ == "__main__":
    main()
