"""The options every command spells the same way: ``--shop/-s`` (repeatable, and a comma list:
``-s A -s B`` or ``-s A,B``) and ``--date/-d`` (2026-11-24; default the latest complete day)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeVar

import click

from shopops.cli.context import parse_day

F = TypeVar("F", bound=Callable[..., Any])
SHOP_HELP = "Only this shop; repeat or comma-separate for several (-s A -s B, -s A,B). Default: all shops."
DATE_HELP = "The day, like 2026-11-24 (default: the latest complete day)."
_SEPARATORS = re.compile(r"[,，]")


def split_shops(_: click.Context | None, __: click.Parameter | None, value: Any) -> tuple[str, ...]:
    """Click callback: the shop names of repeated and comma-separated ``--shop`` values, in order,
    each once (a shop name never holds a comma: ``shopops shop add`` refuses one)."""
    if value is None:
        return ()
    items = [value] if isinstance(value, str) else list(value)
    names: list[str] = []
    for item in items:
        for name in _SEPARATORS.split(item):
            if name.strip() and name.strip() not in names:
                names.append(name.strip())
    return tuple(names)


def shop_option(help_text: str = SHOP_HELP) -> Callable[[F], F]:
    """``--shop/-s`` into the parameter ``shops`` (a tuple of names, empty for all)."""
    return click.option("--shop", "-s", "shops", multiple=True, callback=split_shops, help=help_text)


def date_option(help_text: str = DATE_HELP) -> Callable[[F], F]:
    """``--date/-d`` into the parameter ``day`` (a date, or None for the command's default)."""
    return click.option("--date", "-d", "day", callback=parse_day, help=help_text)
