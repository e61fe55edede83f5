"""One language per run: the message catalog and the language of the command.

ShopOps raises its user errors in English (most) or Chinese (the newer domains), and the CLI says
its own lines in Chinese. The catalog (``messages_errors.yaml``, ``messages_output.yaml``) pairs
each message template with its translation — ``en``, ``zh`` and, for a message raised in both
languages at once, the ``src`` text as raised — with named placeholders:

    - en: shop {shop} is not registered (shops: {shops}) — see `shopops shop list`
      zh: 店铺 {shop} 未登记（已有：{shops}）— 见 `shopops shop list`

:meth:`Catalog.translate` turns a whole message into the run's language: a template matches the
whole text (its placeholders keep the user's values as they are, except a value that is itself a
whole message, which is translated too); an import error's "file, row 3, column "x": value "v" …"
frame, messages joined by " — ", "; " or lines are translated part by part. A text that matches
nothing is returned unchanged (``None`` from :meth:`Catalog.translate`).

The language: ``--lang zh|en``, else ``SHOPOPS_LANG``, else the POSIX locale (``LC_ALL``,
``LC_MESSAGES``, ``LANG``: one starting with "en" is English); Chinese by default (C, POSIX, unset).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

import yaml

Language = Literal["zh", "en"]
LANGUAGES: tuple[Language, ...] = ("zh", "en")
CATALOG_FILES = ("messages_errors.yaml", "messages_output.yaml", "messages_health.yaml")
_SIDES = ("en", "zh", "src")
_chosen: ContextVar[Language | None] = ContextVar("shopops_language", default=None)
_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*)\}")
_WORDS = re.compile(r"[A-Za-z\u4e00-\u9fff]{2}")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_MAX_DEPTH = 4
_NUMBER = r"-?\d[\d,.]*"
# Placeholders whose name says what they hold match only that (so "{count} rows" is no catch-all).
_KINDS = {
    **dict.fromkeys(
        ("count", "total", "failed", "imported", "rejected", "found", "targets", "keep"), _NUMBER
    ),
    "key": r"[\w.-]+",
    "export": r"[^;\n]+?",  # one of a list joined by "; " (shopops.health)
    "rows": r"[\d,]+ (?:earlier |duplicate )?rows?",
    "extras": r"(?:replaced |skipped |[\d,]+ (?:duplicate rows?|rows? without|rows? still)).*?",
}


def language_from_environment(environ: Mapping[str, str] | None = None) -> Language:
    """``SHOPOPS_LANG``, else the first set of ``LC_ALL``, ``LC_MESSAGES``, ``LANG``: "en…" is English."""
    environ = os.environ if environ is None else environ
    for name in ("SHOPOPS_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name, "").strip()
        if value:
            return "en" if value.lower().startswith("en") else "zh"
    return "zh"


def set_language(chosen: str | None) -> Language:
    """Fix the language of this command (``None``: from the environment); returns it."""
    resolved: Language = "en" if chosen == "en" else "zh" if chosen == "zh" else language_from_environment()
    _chosen.set(resolved)
    return resolved


def language() -> Language:
    return _chosen.get() or language_from_environment()


def shape(template: str) -> str:
    """A template with each run of placeholders as one ``{}``: how templates are compared."""
    return re.sub(r"(?:(?<!\{)\{[^{}]*\}(?!\}))+", "{}", template)


@dataclass(frozen=True)
class Template:
    text: str
    names: tuple[str, ...]
    literals: tuple[str, ...]
    pattern: re.Pattern[str]

    @classmethod
    def parse(cls, text: str) -> Template:
        regex, names, literals, at = [], [], [], 0
        for match in _PLACEHOLDER.finditer(text):
            literal = text[at : match.start()]
            at = match.end()
            if match.group(1) is None:  # {{ or }}
                literal += match.group(0)[0]
                regex.append(re.escape(literal))
                literals.append(literal)
                continue
            regex.append(re.escape(literal))
            literals.append(literal)
            name = match.group(1)
            if name in names:
                regex.append(f"(?P={name})")
            else:  # a placeholder right after another takes nothing: the first takes both values
                adjacent = not literal and match.start() > 0 and text[match.start() - 1] == "}"
                kind = _KINDS.get(re.sub(r"_?\d+$", "", name), ".+?")
                regex.append(f"(?P<{name}>)" if adjacent else f"(?P<{name}>{kind})")
            names.append(name)
        regex.append(re.escape(text[at:]))
        literals.append(text[at:])
        pattern = re.compile("".join(regex), re.DOTALL)
        return cls(text, tuple(names), tuple(lit for lit in literals if lit), pattern)

    @property
    def weight(self) -> int:
        return sum(len(lit) for lit in self.literals)

    def match(self, text: str) -> dict[str, str] | None:
        if not all(lit in text for lit in self.literals):
            return None
        found = self.pattern.fullmatch(text)
        return found.groupdict() if found else None

    def fill(self, values: Mapping[str, str]) -> str:
        def one(match: re.Match[str]) -> str:
            name = match.group(1)
            if name is None:
                return match.group(0)[0]
            return values.get(name, values.get(re.sub(r"_\d+$", "", name), ""))

        return _PLACEHOLDER.sub(one, self.text)


@dataclass(frozen=True)
class Entry:
    sides: dict[str, Template]

    def targets(self, lang: Language) -> Template:
        return self.sides[lang]


class Catalog:
    """The message pairs, and translation of whole messages into one language."""

    def __init__(self, entries: list[Entry]) -> None:
        self.entries = sorted(entries, key=lambda e: -max(t.weight for t in e.sides.values()))

    @classmethod
    def from_pairs(cls, pairs: list[dict[str, str]]) -> Catalog:
        entries = []
        for pair in pairs:
            sides = {side: Template.parse(str(pair[side])) for side in _SIDES if side in pair}
            entries.append(Entry(sides))
        return cls(entries)

    def shapes(self) -> set[str]:
        return {shape(t.text) for e in self.entries for t in e.sides.values()}

    def translate(self, text: str, lang: Language, depth: int = 0) -> str | None:
        """The whole of ``text`` in ``lang`` (surrounding spaces kept), or None if it is not all known."""
        core = text.strip()
        if not core or depth > _MAX_DEPTH:
            return None
        if core != text:
            inner = self.translate(core, lang, depth)
            if inner is None:
                return None
            start = text.index(core[0])
            return text[:start] + inner + text[start + len(core) :]
        for method in (self._by_template, self._by_lines, self._by_frame, self._by_parts, self._by_whole):
            found = method(core, lang, depth)
            if found is not None:
                return found
        return None

    def _by_whole(self, text: str, lang: Language, depth: int) -> str | None:
        return self._by_template(text, lang, depth, strict=False)

    def _by_template(self, text: str, lang: Language, depth: int, strict: bool = True) -> str | None:
        """A template that matches all of ``text``; ``strict``: no value spans a " — " (a hint after it)."""
        for entry in self.entries:
            for template in entry.sides.values():  # its own language too: its values may be foreign
                values = template.match(text)
                if values is None or (strict and any(" — " in v for v in values.values())):
                    continue
                target = entry.targets(lang)
                return target.fill({k: self._value(v, lang, depth) for k, v in values.items()})
        return None

    def _value(self, value: str, lang: Language, depth: int) -> str:
        """A placeholder's value: as it is, unless it is itself a whole message (or a list of them)."""
        if not _WORDS.search(value):
            return value
        whole = self.translate(value, lang, depth + 1)
        if whole is not None:
            return whole
        for separator in ("; ", "；", "、", "\n"):
            if separator in value:
                parts = value.split(separator)
                done = [self.translate(p, lang, depth + 1) for p in parts]
                if any(d is not None for d in done):
                    return separator.join(d if d is not None else p for d, p in zip(done, parts, strict=True))
        return value

    def _by_lines(self, text: str, lang: Language, depth: int) -> str | None:
        if "\n" not in text:
            return None
        lines = text.split("\n")
        done = [self.translate(line, lang, depth + 1) if _WORDS.search(line) else line for line in lines]
        if any(d is None for d in done):
            return None
        return "\n".join(d or "" for d in done)

    def _by_frame(self, text: str, lang: Language, depth: int) -> str | None:
        """An import error: ``file.csv, row 3, column "x": value "v" problem — hint`` (a file's name first)."""
        for colon in _positions(text, ": "):
            where = _WHERE.fullmatch(text[:colon])
            if where is None:
                continue
            rest = text[colon + 2 :]
            value = None
            valued = _VALUE.fullmatch(rest)
            if valued is not None:
                value, rest = valued.group("value"), valued.group("problem")
            problem = self.translate(rest, lang, depth + 1)
            if problem is None:
                continue
            return frame(
                where.group("label"), where.group("row"), where.group("column"), value, problem, lang
            )
        return None

    def _by_parts(self, text: str, lang: Language, depth: int) -> str | None:
        for separator in (" — ", "; ", "；"):
            for at in _positions(text, separator):
                head = self.translate(text[:at], lang, depth + 1)
                if head is None:
                    continue
                tail = self.translate(text[at + len(separator) :], lang, depth + 1)
                if tail is not None:
                    return head + separator + tail
        return None


_WHERE = re.compile(
    r'(?P<label>[^\n]+?\.[A-Za-z0-9]{1,5})(?:, row (?P<row>\d+))?(?:, column "(?P<column>[^\n]*)")?',
    re.DOTALL,
)
_VALUE = re.compile(r'value "(?P<value>.*?)" (?P<problem>.+)', re.DOTALL)


def frame(
    label: str, row: str | None, column: str | None, value: str | None, problem: str, lang: Language
) -> str:
    """Where an import error is, then its problem, in ``lang`` (English as ``InputError.render``)."""
    if lang == "en":
        where = [label] + ([f"row {row}"] if row else []) + ([f'column "{column}"'] if column else [])
        shown = f'value "{value}" ' if value is not None else ""
        return ", ".join(where) + ": " + shown + problem
    text = label + (f" 第 {row} 行" if row else "") + (f"「{column}」列" if column else "") + "："
    return text + (f"值 “{value}” " if value is not None else "") + problem


def _positions(text: str, separator: str) -> Iterator[int]:
    at = text.find(separator)
    while at != -1:
        yield at
        at = text.find(separator, at + 1)


@cache
def catalog() -> Catalog:
    pairs: list[dict[str, str]] = []
    for name in CATALOG_FILES:
        loaded = yaml.safe_load(resources.files("shopops.cli").joinpath(name).read_text(encoding="utf-8"))
        pairs.extend(loaded or [])
    return Catalog.from_pairs(pairs)


def localize(text: str, lang: Language | None = None) -> str:
    """``text`` in the run's language where the catalog knows it, else unchanged."""
    chosen = lang or language()
    if chosen == "zh" and not re.search(r"[A-Za-z]{2}", text):
        return text
    if chosen == "en" and not _CJK.search(text):
        return text
    return catalog().translate(text, chosen) or text


def error_prefix(lang: Language | None = None) -> str:
    return "Error" if (lang or language()) == "en" else "错误"
