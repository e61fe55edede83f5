"""`shopops demo`: generate realistic exports, import them through the normal path, show the result."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from shopops.demo.douyin import simulate_douyin
from shopops.demo.exports import write_cost_sheet, write_exports
from shopops.demo.live_feed import live_file_shops, write_live_feeds
from shopops.demo.manifest import add_service_truth, shop_json, shop_truth
from shopops.demo.planting import Plant
from shopops.demo.platform_shops import PLATFORM_SHOPS, add_platform_shops
from shopops.demo.profiles import PROFILES, SHIPPING_BY_PROVINCE
from shopops.demo.returns_demo import add_returns, returns_file_shops
from shopops.demo.returns_truth import add_returns_truth
from shopops.demo.rival_demo import write_rival_demo
from shopops.demo.service import file_shops, gmv_from_manifest, shop_day_totals, write_service_exports
from shopops.demo.simulation import simulate
from shopops.demo.staff import add_staff, define_staff_groups, staff_files
from shopops.demo.stock import write_stock_shop
from shopops.demo.stock_catalog import MIN_DAYS as STOCK_MIN_DAYS
from shopops.demo.stock_catalog import PLATFORM as STOCK_PLATFORM
from shopops.demo.stock_catalog import SHOP as STOCK_SHOP
from shopops.demo.stock_platform import FEE_RATE as STOCK_FEE_RATE
from shopops.demo.stock_platform import SHIPPING as STOCK_SHIPPING
from shopops.reports.workbook import build_report
from shopops.workspace import Workspace


@dataclass(frozen=True)
class DemoFiles:
    files: list[Path]
    manifest: Path
    start: dt.date
    end: dt.date


def generate(
    folder: Path,
    *,
    days: int,
    end: dt.date,
    seed: int,
    plants: Sequence[Plant] = (),
    platforms: bool = False,
    service: bool = False,
    stock: bool = False,
    staff: bool = False,
    live: bool = False,
    rivals: bool = False,
) -> DemoFiles:
    """Write every demo export and ``manifest.json`` (the true metric values) into ``folder``.

    ``plants`` are anomalies written into the data (see :mod:`shopops.demo.planting`); the
    manifest lists them under ``planted``. Without plants the output is the default demo.
    ``stock`` adds the apparel shop of the stock demo (``folder/山岚服饰/``: ERP stock snapshots,
    商品资料, BOM and its 生意参谋/千牛/推广 exports; truths under ``manifest["stock"]``, its 总表
    under ``manifest["shops"]``); it needs at least 60 days. ``live`` (with ``platforms``) adds the
    Douyin room's 直播大屏累计数据 of every session and the last one's 直播计划 (``manifest["live"]``).
    ``rivals`` adds 30 days of competitor snapshots and 交易指数 (``folder/竞品/``, ``manifest["rivals"]``).
    """
    folder.mkdir(parents=True, exist_ok=True)
    start = end - dt.timedelta(days=days - 1)
    cost_change = start + dt.timedelta(days=days // 2)
    names = {profile.name for profile in PROFILES}
    for plant in plants:
        if plant.shop not in names or not start <= plant.date <= end:
            raise ValueError(f"planted {plant.kind} for {plant.shop} on {plant.date} is outside the demo")
    histories = [
        simulate(profile, start, days, seed, index + 1, plants) for index, profile in enumerate(PROFILES)
    ]
    files: list[Path] = []
    manifest: dict[str, object] = {
        "start": start.isoformat(),
        "end": end.isoformat(),
        "seed": seed,
        "shops": {},
    }
    for history, style in zip(histories, ("a", "b"), strict=True):
        files.extend(write_exports(history, folder, style=style))
        truth = shop_truth(history, sycm_missing_last_day=style == "b", cost_change=cost_change)
        manifest["shops"][history.profile.name] = shop_json(history.profile, truth)  # type: ignore[index]
    files.append(write_cost_sheet(histories, folder, cost_change))
    if platforms:  # the JD and Douyin shops (`shopops demo` has them; most tests use the Taobao two)
        files.extend(add_platform_shops(manifest, folder, start, days, seed))
    if stock:  # 山岚服饰: ERP stock and products, 商品效果, and the exports every Taobao shop has
        apparel = write_stock_shop(folder, end, days, seed)
        files.extend(apparel.files + apparel.returns_files)
        add_returns(manifest, apparel.returns)  # its after-sales and reviews: manifest["returns"]
        manifest["stock"] = apparel.truth
        manifest["shops"][STOCK_SHOP] = apparel.shop  # type: ignore[index]
    if service:  # the 客服 team's 赤兔/千牛/飞鸽/咚咚 exports, truths under manifest["service"]
        written, service_truth = write_service_exports(folder, gmv_from_manifest(manifest), start, end, seed)
        manifest["service"] = service_truth
        files.extend(written)
        for shop, totals in shop_day_totals(service_truth).items():
            add_service_truth(manifest["shops"][shop]["days"], totals)  # type: ignore[index]
    # the 退货 metrics of every shop-day, from the main shops' refunds and manifest["returns"]
    add_returns_truth(manifest, list(zip(histories, ("a", "b"), strict=True)))
    if live and platforms:  # the Douyin room's board readings, the last session a replay (demo/live_feed.py)
        # The replay and the five sessions before it (each anchor's benchmark): each board file costs an
        # import (~0.5 s), and five sessions already make every anchor's usual figures.
        sessions = simulate_douyin(start, days, seed)[1][-6:]
        written, manifest["live"] = write_live_feeds(folder, sessions, seed)
        files.extend(written)
    if staff and service:  # the 绩效 team: 员工名单, 绩效录入, 目标表; true scores under manifest["staff"]
        files.extend(add_staff(manifest, folder, end, seed))
    if rivals:  # the 竞品 page's data: rival snapshots and 交易指数 (demo/rival_demo.py)
        files.extend(write_rival_demo(folder, manifest, end, seed))
    if plants:
        manifest["planted"] = [plant.to_json() for plant in plants]
    target = folder / "manifest.json"
    target.write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return DemoFiles(files, target, start, end)


def configure(workspace: Workspace, *, platforms: bool = False, stock: bool = False) -> None:
    """Register the demo shops and write their shipping rule into shopops.yaml."""
    registered = [(p.name, p.platform, p.fee_rate) for p in PROFILES] + (PLATFORM_SHOPS if platforms else [])
    registered += [(STOCK_SHOP, STOCK_PLATFORM, STOCK_FEE_RATE)] if stock else []
    for name, platform, fee_rate in registered:
        if name not in {shop for shop, _, _ in workspace.shops()}:
            workspace.add_shop(name, platform, fee_rate)
    config = workspace.root / "shopops.yaml"
    text = config.read_text(encoding="utf-8")
    provinces = ", ".join(f"{name}: {cost}" for name, cost in SHIPPING_BY_PROVINCE.items())
    shipping = [(p.name, p.shipping_per_order) for p in PROFILES] + (
        [(STOCK_SHOP, STOCK_SHIPPING)] if stock else []
    )
    shops = ", ".join(f"{name}: {{per_order: {cost}}}" for name, cost in shipping)
    text = text.replace("  per_order:\n", f"  per_order: {PROFILES[0].shipping_per_order}\n", 1)
    text = text.replace("  by_province: {}         # e.g. 新疆: 18", f"  by_province: {{{provinces}}}", 1)
    text = text.replace("  shops: {}               # e.g.", f"  shops: {{{shops}}}  # e.g.", 1)
    config.write_text(text, encoding="utf-8")


def run_demo(directory: Path, *, days: int, end: dt.date, seed: int, console: Console) -> Path:
    began = time.perf_counter()
    exports = directory / "exports"
    stock = days >= STOCK_MIN_DAYS  # the apparel shop's seasons and launches need two months
    generated = generate(
        exports,
        days=days,
        end=end,
        seed=seed,
        platforms=True,
        service=True,
        stock=stock,
        staff=True,
        live=True,
        rivals=True,
    )
    console.print(
        f"生成了 {len(generated.files)} 个导出文件（{generated.start} ~ {generated.end}）→ {exports}"
    )
    workspace = Workspace.init(directory)
    configure(workspace, platforms=True, stock=stock)
    workspace = Workspace(directory)  # reload settings with the shipping rule
    with (
        workspace,
        Progress(
            TextColumn("导入 {task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            console=console,
            transient=True,
        ) as progress,
    ):
        task = progress.add_task("", total=len(generated.files))
        # 赤兔/咚咚 and the ERP files name no shop in most exports: the demo says which, as `--shop` would
        manifest = json.loads(generated.manifest.read_text(encoding="utf-8"))
        shop_of = (
            file_shops(exports, manifest)
            | stock_file_shops(exports, manifest)
            | returns_file_shops(exports, manifest)
            | staff_files(exports, manifest)
            | live_file_shops(exports, manifest)
        )
        define_staff_groups(workspace.connection, manifest)  # the 店铺组 its 目标表 names
        for path in generated.files:
            progress.update(task, description=path.name)
            result = workspace.import_file(path, shop=shop_of.get(path))
            console.print(f"  ✓ {result.file}: {result.source_label}, {result.rows} 行")
            progress.advance(task)
        frame = workspace.master_table(generated.end - dt.timedelta(days=6), generated.end)
        report = directory / "reports" / f"总表_{generated.end}.csv"
        frame.write_csv(report, null_value="")
        daily = build_report(workspace, "daily", generated.end)
    table = Table(
        "日期", "店铺", "支付金额", "访客数", "转化率", "推广花费", "净利", title="最近 7 天总表（节选）"
    )
    for row in frame.iter_rows(named=True):
        table.add_row(
            str(row["date"]),
            row["shop"],
            _show(row["gmv"]),
            _show(row["visitors"]),
            "—" if row["conversion_rate"] is None else f"{row['conversion_rate']:.2%}",
            _show(row["ad_spend"]),
            _show(row["net_profit"]),
        )
    console.print(table)
    console.print(f"工作区 {directory}（{time.perf_counter() - began:.1f} 秒）")
    if not stock:
        console.print(
            f"  {STOCK_SHOP}（商品与库存）需要至少 {STOCK_MIN_DAYS} 天的数据，--days {days} 时未生成"
        )
    console.print(f"  日报: {daily.path}")
    for line in daily.missing():
        console.print(f"    注意 {line}（详见日报的「数据来源」）")
    console.print(
        f"  周报/月报: shopops -w {directory} report weekly  |  shopops -w {directory} report monthly"
    )
    console.print(
        f"  总表: shopops -w {directory} table master --from {generated.end - dt.timedelta(days=29)}"
        f" --to {generated.end} --format xlsx -o 总表.xlsx"
    )
    console.print(f"  已写出 {report}")
    if replay := manifest.get("live", {}).get("replay", {}).get("file"):
        console.print(
            f"  直播场控: shopops -w {directory} live replay {exports / replay} --speed 60"
            "  （同时 shopops serve 的「直播」页跟着动）"
        )
    if scored := manifest.get("staff", {}).get("scored", {}).get("month"):
        console.print(
            f"  绩效: shopops -w {directory} staff score --period {scored}  （--explain 小美 看计算过程）"
        )
    return directory


def stock_file_shops(folder: Path, manifest: dict[str, object]) -> dict[Path, str | None]:
    """The shop of each of the stock shop's files under ``folder`` (``--shop`` for the ERP files)."""
    stock = manifest.get("stock")
    files = stock.get("files", []) if isinstance(stock, dict) else []
    return {folder / f["path"]: f["shop"] for f in files}


def _show(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, int):
        return f"{value:,}"
    return f"{float(value):,.2f}"  # type: ignore[arg-type]
