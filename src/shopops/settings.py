"""Workspace settings: the ``shopops.yaml`` file a user edits by hand (aliases, shipping rule, display, push)."""

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

# 推送 (shopops push): the daily summary to group bots (钉钉 / 企业微信 / 飞书) and e-mail.
# Secrets may stay out of this file: any of webhook, secret can be written as webhook_env / secret_env
# (the name of an environment variable); the e-mail password is only read from password_env.
push:
  timeout: 10             # seconds per request
  retries: 3              # further attempts after a network error, HTTP 5xx or a platform rate limit
  backoff: 2              # seconds before the first retry, doubled each time
  channels: {}
#   channels:
#     运营群:                        # any name; shopops push --channel 运营群
#       kind: dingtalk               # dingtalk | wecom | feishu | email
#       webhook: https://oapi.dingtalk.com/robot/send?access_token=…
#       secret: SEC…                 # 加签 secret; or secret_env: DINGTALK_SECRET
#       format: markdown             # markdown (default) or text
#     企微群:
#       kind: wecom
#       webhook_env: WECOM_WEBHOOK   # https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…
#     飞书群:
#       kind: feishu                 # format markdown sends a 富文本 (post) message
#       webhook: https://open.feishu.cn/open-apis/bot/v2/hook/…
#       secret_env: FEISHU_SECRET    # only when 签名校验 is on
#     老板邮箱:
#       kind: email
#       host: smtp.exmail.qq.com
#       port: 465                    # default: 465 (ssl), 587 (starttls), 25 (none)
#       security: ssl                # ssl | starttls | none
#       user: ops@example.com
#       password_env: SHOPOPS_SMTP_PASSWORD
#       sender: ops@example.com      # default: user
#       recipients: [boss@example.com]

# 异常发现 (shopops findings): thresholds of the rule presets; every key is optional.
#   alerts:
#     provisional_days: 7          # refunds / ad attribution still move for this many days
#     rules:
#       gmv_change: {threshold: 0.30, min_base: 3000}   # 支付金额环比 |Δ| > 30%, previous day ≥ ¥3000
#       refund_rate: {threshold: 0.15, min_base: 3000}  # 退款率 > 15%
#       conversion_drop: {threshold: 0.02, min_visitors: 500}
#       roi: {threshold: 1.0, min_spend: 300}
# Your own promotion days (大促), added to the built-in 618 / 双11 / 双12 / 年货节 / 38节
# (the built-in calendar and every key: src/shopops/analysis/promo_calendar.yaml):
#   promo_calendar:
#     promotions:
#       - {key: anniversary, label: 店庆, start: "09-20", end: "09-22", after: 3}
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


PUSH_KINDS = ("dingtalk", "wecom", "feishu", "email")
PUSH_FORMATS = ("markdown", "text")
SMTP_SECURITY = {"ssl": 465, "starttls": 587, "none": 25}


@dataclass(frozen=True)
class PushChannel:
    """One place the summary goes. Secrets given as ``*_env`` are read when sending, not here."""

    name: str
    kind: str  # dingtalk | wecom | feishu | email
    format: str = "markdown"  # markdown | text (group bots)
    webhook: str | None = None
    webhook_env: str | None = None
    secret: str | None = None
    secret_env: str | None = None
    host: str | None = None  # e-mail: SMTP server
    port: int = 465
    security: str = "ssl"  # ssl | starttls | none
    user: str | None = None
    password_env: str | None = None
    sender: str | None = None
    recipients: tuple[str, ...] = ()


@dataclass(frozen=True)
class PushSettings:
    timeout: float = 10.0
    retries: int = 3
    backoff: float = 2.0
    channels: dict[str, PushChannel] = field(default_factory=dict)


@dataclass
class Settings:
    path: Path
    money_unit: str = "元"
    aliases: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    channel_aliases: dict[str, list[str]] = field(default_factory=dict)
    custom_sources: dict[str, CustomSource] = field(default_factory=dict)
    shipping_default: ShippingRule = field(default_factory=ShippingRule)
    shipping_by_shop: dict[str, ShippingRule] = field(default_factory=dict)
    push: PushSettings = field(default_factory=PushSettings)
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
    push = _push_settings(data.get("push") or {}, problems)
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
        push=push,
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


def _number(value: Any, where: str, problems: list[str], default: float, *, whole: bool = False) -> float:
    if value is None or value == "":
        return default
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = -1.0
    if number < 0 or (whole and number != int(number)):
        problems.append(f"{where} is {value!r}; write a {'whole ' if whole else ''}number of 0 or more")
        return default
    return number


def _push_settings(data: Any, problems: list[str]) -> PushSettings:
    if not isinstance(data, dict):
        problems.append("push must be a mapping with timeout, retries and channels")
        return PushSettings()
    channels_data = data.get("channels") or {}
    if not isinstance(channels_data, dict):
        problems.append("push.channels must be a mapping of 名称: {kind: …, …}")
        channels_data = {}
    channels = {}
    for name, spec in channels_data.items():
        channel = _push_channel(str(name), spec, problems)
        if channel is not None:
            channels[channel.name] = channel
    timeout = _number(data.get("timeout"), "push.timeout", problems, 10.0)
    return PushSettings(
        timeout=timeout if timeout > 0 else 10.0,
        retries=int(_number(data.get("retries"), "push.retries", problems, 3, whole=True)),
        backoff=_number(data.get("backoff"), "push.backoff", problems, 2.0),
        channels=channels,
    )


def _text(spec: dict[str, Any], key: str) -> str | None:
    value = spec.get(key)
    return None if value is None or str(value).strip() == "" else str(value).strip()


def _push_channel(name: str, spec: Any, problems: list[str]) -> PushChannel | None:
    where = f"push.channels.{name}"
    if not isinstance(spec, dict):
        problems.append(f"{where} must be a mapping such as {{kind: dingtalk, webhook: …}}")
        return None
    kind = str(spec.get("kind", ""))
    if kind not in PUSH_KINDS:
        problems.append(f"{where}.kind is {kind!r}; use one of {', '.join(PUSH_KINDS)}")
        return None
    if "password" in spec:
        problems.append(
            f"{where}.password: keep the password out of shopops.yaml — put it in an environment variable"
            " and name that variable with password_env"
        )
    message_format = str(spec.get("format", "markdown"))
    if message_format not in PUSH_FORMATS:
        problems.append(f"{where}.format is {message_format!r}; use markdown or text")
    if kind == "email":
        return _email_channel(name, spec, where, problems)
    webhook, webhook_env = _text(spec, "webhook"), _text(spec, "webhook_env")
    if webhook is None and webhook_env is None:
        problems.append(f"{where} needs webhook (the robot's URL) or webhook_env (a variable holding it)")
    elif webhook is not None and not webhook.startswith(("https://", "http://")):
        problems.append(f"{where}.webhook must be the full URL starting with https://")
    return PushChannel(
        name=name,
        kind=kind,
        format=message_format,
        webhook=webhook,
        webhook_env=webhook_env,
        secret=_text(spec, "secret"),
        secret_env=_text(spec, "secret_env"),
    )


def _email_channel(name: str, spec: dict[str, Any], where: str, problems: list[str]) -> PushChannel:
    security = str(spec.get("security", "ssl"))
    if security not in SMTP_SECURITY:
        problems.append(f"{where}.security is {security!r}; use ssl, starttls or none")
        security = "ssl"
    host = _text(spec, "host")
    if host is None:
        problems.append(f"{where} needs host (the SMTP server, e.g. smtp.exmail.qq.com)")
    port = int(_number(spec.get("port"), f"{where}.port", problems, SMTP_SECURITY[security], whole=True))
    raw_recipients = spec.get("recipients") or []
    if isinstance(raw_recipients, str):
        raw_recipients = [raw_recipients]
    recipients = tuple(str(r).strip() for r in raw_recipients if str(r).strip())
    if not recipients:
        problems.append(f"{where} needs recipients: [someone@example.com]")
    user, sender = _text(spec, "user"), _text(spec, "sender")
    if sender is None and user is None:
        problems.append(f"{where} needs sender (the From address) or user")
    return PushChannel(
        name=name,
        kind="email",
        format="text",
        host=host,
        port=port,
        security=security,
        user=user,
        password_env=_text(spec, "password_env"),
        sender=sender or user,
        recipients=recipients,
    )
