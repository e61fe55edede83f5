"""Matching a header row to its export type by fingerprint."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from shopops.errors import UnknownSourceError, UserError
from shopops.ingest.readers import RawExport
from shopops.ingest.sources.spec import SourceSpec, normalize_header


@dataclass
class Detection:
    """A source matched to a header: which file column feeds each canonical column."""

    spec: SourceSpec
    mapping: dict[str, int]
    missing_required: list[str]
    score: float

    @property
    def eligible(self) -> bool:
        if self.missing_required:
            return False
        return all(any(c in self.mapping for c in group) for group in self.spec.required_any)


class SourceRegistry:
    def __init__(self, specs: Sequence[SourceSpec]) -> None:
        self.specs = {spec.key: spec for spec in specs}
        self._known = {normalize_header(a) for spec in specs for c in spec.columns for a in c.aliases}

    def get(self, key: str) -> SourceSpec:
        try:
            return self.specs[key]
        except KeyError:
            raise UserError(
                f"unknown source {key!r} — `shopops sources` lists the keys ({', '.join(self.specs)})"
            ) from None

    def header_score(self, cells: Sequence[str]) -> float:
        """How many cells of a row are known column names (used to find the header row). A bare number
        never counts: 赤兔 分时接待 names its hour columns 0 … 23, and a data row full of small counts
        would otherwise outscore the real header."""
        return float(
            sum(
                1
                for cell in cells
                if cell and not cell.strip().isdigit() and normalize_header(cell) in self._known
            )
        )

    def match(self, spec: SourceSpec, header: Sequence[str], context: str) -> Detection:
        normalized = [normalize_header(cell) for cell in header]
        mapping: dict[str, int] = {}
        for column in spec.columns:
            for alias in column.aliases:
                wanted = normalize_header(alias)
                if wanted in normalized:
                    mapping[column.name] = normalized.index(wanted)
                    break
        missing = [c.name for c in spec.columns if c.required and c.name not in mapping]
        width = sum(1 for cell in normalized if cell)
        dice = 2 * len(mapping) / (len(spec.columns) + width) if width else 0.0
        hint_bonus = 0.05 * sum(1 for hint in spec.hints if hint in context)
        return Detection(spec, mapping, missing, dice + hint_bonus)

    def detect(self, raw: RawExport, forced: str | None = None) -> Detection:
        context = " ".join([raw.display_name, *raw.title_lines])
        if forced:
            return self.match(self.get(forced), raw.header, context)
        matches = sorted(
            (self.match(spec, raw.header, context) for spec in self.specs.values()),
            key=lambda d: -d.score,
        )
        eligible = [m for m in matches if m.eligible]
        if not eligible:
            raise UnknownSourceError(raw.path, self._closest_text(raw, matches)).relabel(raw.display_name)
        tied = [m for m in eligible if abs(m.score - eligible[0].score) < 1e-9]
        if len(tied) > 1:
            # A custom source that only adds aliases ties with its base on the base's own files.
            builtin = [m for m in tied if not m.spec.custom]
            if len(builtin) == 1:
                return builtin[0]
            # The report's name in the file name or title breaks a tie, even a name such as
            # 万相台 that every tied source would take from the other's report.
            named = [m for m in tied if any(hint in context for hint in m.spec.hints)]
            if len(named) == 1:
                return named[0]
            raise UnknownSourceError(
                raw.path,
                f"matches several export types equally: {', '.join(f'{m.spec.key} ({m.spec.label})' for m in tied)}",
                hint=_tie_hint(tied, named),
            ).relabel(raw.display_name)
        return eligible[0]

    def _closest_text(self, raw: RawExport, matches: list[Detection]) -> str:
        shown = ", ".join(h for h in raw.header[:6] if h) + (" …" if len(raw.header) > 6 else "")
        # Matched headers minus what is still lacking: a source that explains every header but
        # lacks two columns is closer than one that explains a single header and lacks one.
        closest = sorted(
            matches, key=lambda d: (len(_lacking(d)) - len(d.mapping), -len(d.mapping), -d.score)
        )[:2]
        parts = []
        for match in closest:
            if not match.mapping:
                continue
            lacking = _lacking(match)
            names = ", ".join(
                match.spec.column(c).display if c in [x.name for x in match.spec.columns] else c
                for c in lacking
            )
            parts.append(f"{match.spec.key} (lacks {names})")
        text = f"headers ({shown}) match no known export type"
        if parts:
            text += "; closest: " + "; ".join(parts)
        text += (
            " — add the missing names as aliases in shopops.yaml, or import with "
            "--source KEY --map 源列=column (see `shopops sources`)"
        )
        return text


def _tie_hint(tied: list[Detection], named: list[Detection]) -> str:
    """How to settle a tie, without advising what the file already does."""
    keys = " or ".join(f"--source {m.spec.key}" for m in tied)
    if named:
        return f"its name or title names several of them; pass {keys}"
    examples = "、".join(m.spec.hints[0] for m in tied if m.spec.hints)
    return f"pass {keys}, or keep the report's name ({examples}) in the file name"


def _lacking(match: Detection) -> list[str]:
    """What keeps a match from being eligible: required columns, else unmet one-of groups."""
    return match.missing_required or [
        "/".join(group) for group in match.spec.required_any if not any(c in match.mapping for c in group)
    ]
