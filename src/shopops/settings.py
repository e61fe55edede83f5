"""Workspace settings: the ``shopops.yaml`` file a user edits by hand (aliases, shipping rule, display)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from shopops.errors import WorkspaceError

CONFIG_NAME = "shopops.yaml"

DEFAULT_CONFIG = """\
# ShopOps workspace settings (店铺运营驾驶舱 工作区配置)
# Edit by hand; `shopops` reads this file on every command.

display:
  money_unit: 元          # 元 or 万元 — how money is shown in reports

# Extra header names for an export type when a platform renames a column:
#   aliases:
#     sycm_shop_daily:          # source key, see `shopops sources`
#       visitors: [访问人数]      # canonical column: [别名, …]
aliases: {}

# Extra 场景名称 for ad channels (keyword, display, smart, fullsite, brand):
#   channel_aliases:
#     smart: [新场景名]
channel_aliases: {}

# Export types saved with `shopops import … --map 源列=column --save-source NAME`.
custom_sources: {}

# 发货成本 rule: cost per paid order (元), optionally per province and per shop.
# Leave per_order empty when unknown: profit then stays unknown ("—"), never 0.
shipping:
  per_order:
  by_province: {}         # e.g. 新疆: 18
  shops: {}               # e.g. 某某旗舰店: {per_order: 5.5, by_province: {西藏: 20}}
"""


@dataclass(frozen=True)
class ShippingRule:
    per_order: Decimal | None = None
    by_province: dict[str, Decimal] = field(default_factory=dict)


@dataclass(frozen=True)
class CustomSource:
    name: str
    base: str
    label: str
    aliases: dict[str, list[str]]


@dataclass
class Settings:
    path: Path
    money_unit: str = "元"
    aliases: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    channel_aliases: dict[str, list[str]] = field(default_factory=dict)
    custom_sources: dict[str, CustomSource] = field(default_factory=dict)
    shipping_default: ShippingRule = field(default_factory=ShippingRule)
    shipping_by_shop: dict[str, ShippingRule] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict)

    def shipping_for(self, shop: str) -> ShippingRule:
        return self.shipping_by_shop.get(shop, self.shipping_default)

    def save_custom_source(self, source: CustomSource) -> None:
        """Add a custom source to the file, keeping the rest of it as the user wrote it."""
        data = dict(self.raw)
        customs = dict(data.get("custom_sources") or {})
        customs[source.name] = {"base": source.base, "label": source.label, "aliases": source.aliases}
        data["custom_sources"] = customs
        text = self.path.read_text(encoding="utf-8")
        marker = "custom_sources:"
        block = yaml.safe_dump({"custom_sources": customs}, allow_unicode=True, sort_keys=False).rstrip()
        lines = text.splitlines()
        start = next((i for i, line in enumerate(lines) if line.startswith(marker)), None)
        if start is None:
            lines += ["", block]
        else:
            end = start + 1
            while end < len(lines) and (lines[end].startswith((" ", "\t")) or not lines[end].strip()):
                end += 1
            lines[start:end] = [*block.splitlines(), ""]
        self.path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        self.raw = data
        self.custom_sources[source.name] = source


def load_settings(path: Path) -> Settings:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as error:
        raise WorkspaceError(
            f"{path.name} is not valid YAML ({error}) — fix the file or delete it"
        ) from error
    if not isinstance(data, dict):
        raise WorkspaceError(
            f"{path.name} must be a mapping of settings — compare with `shopops init` output"
        )
    problems: list[str] = []
    display = data.get("display") or {}
    money_unit = str(display.get("money_unit", "元"))
    if money_unit not in ("元", "万元"):
        problems.append(f"display.money_unit is {money_unit!r}; use 元 or 万元")
    aliases = _string_lists_by_key(data.get("aliases") or {}, "aliases", problems, nested=True)
    channel_aliases = _string_lists_by_key(data.get("channel_aliases") or {}, "channel_aliases", problems)
    customs = {}
    for name, spec in (data.get("custom_sources") or {}).items():
        if not isinstance(spec, dict) or "base" not in spec:
            problems.append(f"custom_sources.{name} needs a 'base' source key")
            continue
        customs[name] = CustomSource(
            name=str(name),
            base=str(spec["base"]),
            label=str(spec.get("label") or name),
            aliases={str(k): [str(a) for a in v] for k, v in (spec.get("aliases") or {}).items()},
        )
    shipping = data.get("shipping") or {}
    default_rule = _shipping_rule(shipping, "shipping", problems)
    by_shop = {
        str(shop): _shipping_rule(rule or {}, f"shipping.shops.{shop}", problems, fallback=default_rule)
        for shop, rule in (shipping.get("shops") or {}).items()
    }
    if problems:
        raise WorkspaceError(f"{path.name}: " + "; ".join(problems))
    return Settings(
        path=path,
        money_unit=money_unit,
        aliases=aliases,
        channel_aliases=channel_aliases,
        custom_sources=customs,
        shipping_default=default_rule,
        shipping_by_shop=by_shop,
        raw=data,
    )


def _string_lists_by_key(
    value: Any, where: str, problems: list[str], *, nested: bool = False
) -> dict[str, Any]:
    if not isinstance(value, dict):
        problems.append(f"{where} must be a mapping")
        return {}
    result: dict[str, Any] = {}
    for key, inner in value.items():
        if nested:
            result[str(key)] = _string_lists_by_key(inner or {}, f"{where}.{key}", problems)
        elif isinstance(inner, list):
            result[str(key)] = [str(item) for item in inner]
        else:
            problems.append(f"{where}.{key} must be a list such as [别名1, 别名2]")
    return result


def _money(value: Any, where: str, problems: list[str]) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        problems.append(f"{where} is {value!r}; write an amount such as 5.5")
        return None


def _shipping_rule(
    data: dict[str, Any], where: str, problems: list[str], fallback: ShippingRule | None = None
) -> ShippingRule:
    per_order = _money(data.get("per_order"), f"{where}.per_order", problems)
    provinces = {
        str(name): amount
        for name, value in (data.get("by_province") or {}).items()
        if (amount := _money(value, f"{where}.by_province.{name}", problems)) is not None
    }
    if fallback is not None:
        per_order = per_order if per_order is not None else fallback.per_order
        provinces = {**fallback.by_province, **provinces}
    return ShippingRule(per_order=per_order, by_province=provinces)
