"""The ad-channel vocabulary shared by ingest (mapping report names) and metrics (one column per channel)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml


@dataclass(frozen=True)
class Channel:
    key: str
    label: str
    aliases: tuple[str, ...]
    label_en: str = ""  # the label in the English dashboard


@cache
def ad_channels() -> tuple[Channel, ...]:
    data = yaml.safe_load(resources.files("shopops").joinpath("channels.yaml").read_text(encoding="utf-8"))
    return tuple(
        Channel(
            key=key,
            label=spec["label"],
            aliases=tuple(spec.get("aliases", ())),
            label_en=str(spec.get("label_en", "")),
        )
        for key, spec in data.items()
    )


def channel_case_sql(cell: str, extra_aliases: Mapping[str, list[str]]) -> str:
    """SQL mapping a cleaned channel name (场景名称) to its key; NULL when unknown. Longest alias wins."""
    pairs = sorted(
        (
            (alias.replace("'", "''"), channel.key)
            for channel in ad_channels()
            for alias in (channel.key, *channel.aliases, *extra_aliases.get(channel.key, []))
        ),
        key=lambda pair: -len(pair[0]),
    )
    arms = " ".join(f"WHEN contains({cell}, '{alias}') THEN '{key}'" for alias, key in pairs)
    return f"(CASE {arms} END)"
