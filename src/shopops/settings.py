"""Workspace settings: the ``shopops.yaml`` file a user edits by hand (aliases, shipping rule, display, push)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from shopops.errors import WorkspaceError
from shopops.holiday_settings import user_holidays
from shopops.proxy_settings import trusted_proxies

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

# 读取上限 (limits): the largest file an import accepts, so a damaged or hostile file cannot fill
# the disk or the memory. A file past one is refused with one line naming the key to raise here.
#   limits:
#     unpacked_mb: 1024        # a ZIP member, or all parts of a workbook, unpacked (MiB)
#     ratio: 100               # unpacked size ÷ packed size of a ZIP member or workbook part
#     rows: 5000000            # rows of a table (lines of a text file)
#     columns: 1000            # columns of a row
#     cells: 20000000          # rows × columns of a workbook sheet (read into memory at once)
#     cell_chars: 32767        # characters in one cell (Excel's own limit)
#     span: 1000               # colspan / rowspan of a cell in an HTML ".xls"

# 备份 (backup): `shopops run daily` writes backups/daily-<time>.zip (the warehouse, this file and a
# manifest) and keeps the newest `keep` of them (0 = none); `shopops backup` writes one on demand.
# dir may be another disk or a synced folder (relative = inside the workspace).
#   backup:
#     keep: 14
#     dir: backups

# 驾驶舱 behind a reverse proxy (nginx, caddy …): the proxies whose X-Forwarded-For is believed, as
# addresses or networks. Without them the client is the connecting address (login throttling counts
# wrong passwords per user and client address; a proxy not listed makes every user one client).
#   web:
#     trusted_proxies: [127.0.0.1, 10.0.0.0/8]

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

# 退货 (shopops returns): the 退款原因 → 原因大类 mapping replaces the default one whole (all classes:
# src/shopops/domains/returns/reason_classes.yaml). A reason is in the first class, in this order,
# with one of its words in it; the last class takes the rest. product_classes: the classes that are
# 品退 (product-caused). Every key is optional.
#   returns:
#     reason_classes:
#       - {name: 品质, words: [质量, 破损, 描述不符, 褪色]}
#       - {name: 服务/其他, words: []}
#     product_classes: [品质]
#     provisional_days: 14         # a cohort by payment date keeps moving this many days (暂估)
#     min_orders: 20               # the focus list leaves out SKUs with fewer paid order lines

# 直播场控 (shopops live): each room's shop, alert thresholds (all keys: shopops/domains/live/live_settings.py)
#   live: {rooms: {山野好物直播间: 山野好物抖音店}, stale_minutes: 5, throttle_minutes: 10}

# 节假日 (holidays): chinese-calendar knows holidays only up to the year of its release (pip install -U
# chinese-calendar). For a later year copy the days off ("first..last": name) and the 调休 working days
# from the State Council's notice here, or its 春节 counts as ordinary days in the baselines
# (`shopops doctor` warns 60 days ahead). The dates below are an example only:
#   holidays:
#     "2027-01-01": 元旦
#     "2027-02-05..2027-02-11": 春节
#   workdays: ["2027-02-14"]
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


# limits: in shopops.yaml, with their defaults: the largest file the readers accept (their
# ReadLimits, shopops.ingest.readers.limits, takes its fields and defaults from here).
READ_LIMIT_DEFAULTS: dict[str, int] = {
    "unpacked_mb": 1024,
    "ratio": 100,
    "rows": 5_000_000,
    "columns": 1_000,
    "cells": 20_000_000,
    "cell_chars": 32_767,
    "span": 1_000,
}

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


@dataclass(frozen=True)
class BackupSettings:
    keep: int = 14  # daily backups `shopops run daily` keeps (0 = none)
    dir: Path | None = None  # None = <workspace>/backups; relative = inside the workspace


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
    limits: dict[str, int] = field(default_factory=lambda: dict(READ_LIMIT_DEFAULTS))
    backup: BackupSettings = field(default_factory=BackupSettings)
    holidays: dict[dt.date, str] = field(default_factory=dict)  # user-added 放假 days → name
    workdays: frozenset[dt.date] = frozenset()  # user-added 调休 working days
    trusted_proxies: tuple[str, ...] = ()  # web.trusted_proxies: networks such as 10.0.0.0/8
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
    except ValueError as error:  # a date that does not exist, such as 2027-02-30 (unquoted)
        raise WorkspaceError(f"{path.name} has a date that does not exist ({error}) — correct it") from error
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
    limits = _read_limits(data.get("limits") or {}, problems)
    backup = _backup_settings(data.get("backup"), problems)
    holidays, workdays = user_holidays(data.get("holidays"), data.get("workdays"), problems)
    proxies = trusted_proxies(data.get("web"), problems)
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
        limits=limits,
        backup=backup,
        holidays=holidays,
        workdays=workdays,
        trusted_proxies=proxies,
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


def _read_limits(data: Any, problems: list[str]) -> dict[str, int]:
    limits = dict(READ_LIMIT_DEFAULTS)
    if not isinstance(data, dict):
        problems.append("limits must be a mapping such as {rows: 5000000, unpacked_mb: 2048}")
        return limits
    for key, value in data.items():
        if key not in limits:
            problems.append(f"limits.{key} is not a setting (use {', '.join(READ_LIMIT_DEFAULTS)})")
        elif (
            not (
                (isinstance(value, int) and not isinstance(value, bool))
                or (isinstance(value, float) and value.is_integer())
            )
            or value < 1
        ):
            problems.append(f"limits.{key} is {value!r}; write a whole number of 1 or more")
        else:
            limits[key] = int(value)
    return limits


def _backup_settings(data: Any, problems: list[str]) -> BackupSettings:
    if data is None:
        return BackupSettings()
    if not isinstance(data, dict):
        problems.append("backup must be a mapping such as {keep: 14, dir: backups}")
        return BackupSettings()
    for key in data:
        if key not in ("keep", "dir"):
            problems.append(f"backup.{key} is not a setting (use keep, dir)")
    keep = data.get("keep", 14)
    if isinstance(keep, bool) or not isinstance(keep, int) or keep < 0:
        problems.append(f"backup.keep is {keep!r}; write a whole number of 0 or more (0 = no daily backups)")
        keep = 14
    folder = data.get("dir")
    if folder is not None and (not isinstance(folder, str) or not folder.strip()):
        problems.append(f"backup.dir is {folder!r}; write a folder such as backups or D:/shopops-backups")
        folder = None
    return BackupSettings(keep=keep, dir=Path(folder.strip()).expanduser() if folder else None)


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
