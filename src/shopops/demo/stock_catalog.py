"""The seasonal apparel shop of the stock demo (山岚服饰): its styles, SKUs and 组合商品.

60 styles × 2 colours × 3–4 sizes (≈ 420 SKUs). A few styles carry a role the stock analysis must
find: ``clear_good`` (last season's style, marked down 45 days before the end, sells out),
``clear_bad`` (marked down, barely moves), ``oversold`` (a 四季 bestseller sold past its stock on one
day), ``dead`` (never sells), ``plus`` (款式编码 with ``+``, written ``_x002B_`` by 聚水潭),
``repriced`` (last season's styles with one earlier price change — two cuts and a rise — that demand
answers with the style's own elasticity), ``steady`` (last season's style whose price never changed:
"no price history"), ``launch`` (two launches per category 38–58 days before the end: the cohort the
new styles are compared with) and ``new`` (launched in the last 30 days, each with an ``outlook``:
``takes_off``, ``stuck`` or ``arriving`` — created, its stock not yet in). Launches are next season's
styles; the other styles were created at random before the last month. Every style has its own
conversion (visitors → buyers), which drives its 生意参谋 商品效果 (see :mod:`stock_traffic`).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, replace
from decimal import Decimal

import numpy as np

SHOP = "山岚服饰"
PLATFORM = "taobao"
BRAND = "山岚"
CATEGORIES = ("T恤", "衬衫", "外套", "裤装", "连衣裙")
CATEGORY_CODES = {"T恤": "T", "衬衫": "C", "外套": "W", "裤装": "K", "连衣裙": "Q"}
SEASONS = ("春", "夏", "秋", "冬")  # and 四季 (all year)
ALL_YEAR = "四季"
PEAK_DAY = {"春": 105, "夏": 196, "秋": 288, "冬": 15}  # day of the year a season's demand peaks
COLOURS = ("白色", "黑色", "藏青", "卡其", "米色", "灰色", "浅蓝", "杏色")
SIZE_WEIGHT = {"S": 0.7, "M": 1.2, "L": 1.0, "XL": 0.5}
PRICES = (59, 79, 99, 129, 159, 199, 259, 299, 399)
SUPPLIERS = ("杭州织云服饰", "广州沙河制衣", "湖州童梦纺织")
WORDS = (
    "纯棉圆领",
    "宽松落肩",
    "法式复古",
    "轻薄防晒",
    "高腰直筒",
    "碎花收腰",
    "水洗牛仔",
    "亚麻休闲",
    "针织拼接",
)
PLUS_NAMES = (("T恤+短裤套装", "T恤"), ("衬衫+半裙套装", "衬衫"), ("外套+长裤套装", "外套"))
STYLE_COUNT = 60
# the launches of the last 30 days (end − these days) and how each does; an ``arriving`` one has no
# stock yet (its purchase order arrives LEAD_DAYS after creation)
NEW_OFFSETS = (29, 25, 21, 16, 9, 3)
NEW_OUTLOOKS = ("takes_off", "stuck", "takes_off", "stuck", "takes_off", "arriving")
# the cohort: two launches per category, end − these days (each with ≥ 30 days of sales by the end)
LAUNCH_OFFSETS = (58, 56, 54, 52, 50, 47, 45, 43, 41, 38)
# last season's repriced styles: (days before the end, price factor, price elasticity of demand)
REPRICES = ((40, Decimal("0.75"), 2.2), (32, Decimal("0.7"), 2.5), (26, Decimal("1.25"), 2.0))
MIN_DAYS = 60
MARKDOWN_BEFORE_END = 45
MARKDOWN = {"clear_good": Decimal("0.5"), "clear_bad": Decimal("0.7")}  # the clearances' price factor
SNAPSHOT_DAYS = 14  # the ERP snapshots written: the last 14 days
LEAD_DAYS = 7  # a purchase order arrives a week after it is placed
CONVERSION = 0.035  # a usual style's visitors → buyers


@dataclass(frozen=True)
class Style:
    code: str
    name: str
    category: str
    season: str
    year: int
    created: dt.datetime
    price: Decimal
    cost: Decimal
    colours: tuple[str, ...]
    sizes: tuple[str, ...]
    base: float  # daily units of one SKU at the season's peak (before size/colour weights)
    role: str  # normal, clear_good, clear_bad, oversold, dead, plus, repriced, steady, launch, new
    supplier: str
    conversion: float = CONVERSION  # 商品支付转化率 at the list price
    outlook: str = ""  # a new style's: takes_off, stuck, arriving
    reprice: tuple[dt.date, Decimal, float] | None = None  # (day, new price, elasticity)


@dataclass(frozen=True)
class Sku:
    code: str  # 商品编码 = 款式编码-颜色-尺码
    style: Style
    colour: str
    size: str
    base: float
    barcode: str


@dataclass(frozen=True)
class Combo:
    code: str  # 组合商品编码
    name: str
    price: Decimal
    components: tuple[tuple[str, int], ...]  # (商品编码, 数量)
    base: float


def season_of(day: dt.date) -> str:
    return SEASONS[((day.month - 3) % 12) // 3]


def previous_season(day: dt.date) -> str:
    return SEASONS[(SEASONS.index(season_of(day)) - 1) % 4]


def season_factor(season: str, days: np.ndarray) -> np.ndarray:
    """Demand relative to the season's peak on each date (``days``: numpy datetime64[D])."""
    if season == ALL_YEAR:
        return np.full(days.shape, 0.7)
    years = days.astype("datetime64[Y]")
    doy = (days - years.astype("datetime64[D]")).astype(np.int64) + 1
    angle = 2 * np.pi * (doy - PEAK_DAY[season]) / 365.0
    return np.asarray(0.08 + 0.92 * ((1 + np.cos(angle)) / 2) ** 2)


def _money(value: float) -> Decimal:
    return Decimal(str(round(value, 2))).quantize(Decimal("0.01"))


def marked_price(price: Decimal, factor: Decimal) -> Decimal:
    """A new price as shops set it: the factor's price to the yuan, less 1 jiao (129 × 0.75 → 96.9)."""
    return (price * factor).quantize(Decimal("1")) - Decimal("0.1")


def _roles(end: dt.date, days: int, rng: np.random.Generator) -> list[tuple[str, dt.date]]:
    """Each style's role and creation date (index order = style order)."""
    start = end - dt.timedelta(days=days - 1)
    early = min(start, end - dt.timedelta(days=200))
    roles = [("clear_good", early - dt.timedelta(days=3)), ("clear_bad", early - dt.timedelta(days=10))]
    roles += [("oversold", early - dt.timedelta(days=20)), ("dead", early - dt.timedelta(days=30))]
    span = days + 200 - 31  # the other styles: created between end − days − 200 and end − 31
    roles += [("plus", end - dt.timedelta(days=31 + int(rng.integers(0, span)))) for _ in PLUS_NAMES]
    roles += [("repriced", early - dt.timedelta(days=40 + 5 * k)) for k in range(len(REPRICES))]
    roles += [("steady", early - dt.timedelta(days=60))]
    roles += [("launch", end - dt.timedelta(days=offset)) for offset in LAUNCH_OFFSETS]
    normal = STYLE_COUNT - len(roles) - len(NEW_OFFSETS)
    roles += [("normal", end - dt.timedelta(days=31 + int(rng.integers(0, span)))) for _ in range(normal)]
    return roles + [("new", end - dt.timedelta(days=offset)) for offset in NEW_OFFSETS]


def build_catalog(end: dt.date, days: int, seed: int) -> tuple[list[Style], list[Sku], list[Combo]]:
    """The shop's styles, SKUs and combo packs (deterministic for a seed)."""
    if days < MIN_DAYS:
        raise ValueError(f"the stock demo needs at least {MIN_DAYS} days (got {days})")
    rng = np.random.default_rng([seed, 15, 0])
    roles = _roles(end, days, rng)
    styles = [_style(index, role, created, end, rng) for index, (role, created) in enumerate(roles)]
    styles = _plan(styles, end)
    skus = [sku for style in styles for sku in _skus(style, rng)]
    quiet = rng.choice([i for i, s in enumerate(skus) if s.style.role == "normal"], 5, replace=False)
    for i in sorted(int(q) for q in quiet):  # a few colour/size SKUs nobody buys
        skus[i] = Sku(skus[i].code, skus[i].style, skus[i].colour, skus[i].size, 0.0, skus[i].barcode)
    return styles, skus, _combos(skus, end, days)


def _style(index: int, role: str, created: dt.date, end: dt.date, rng: np.random.Generator) -> Style:
    category = CATEGORIES[index % len(CATEGORIES)]
    all_year = rng.random() < 0.2
    if role in OLD_SEASON:
        season = previous_season(end)
    elif role == "oversold":
        season, category = ALL_YEAR, "T恤"
    elif role in ("launch", "new"):  # the coming season's styles, the cohort and the new ones alike
        season = season_of(end + dt.timedelta(days=60))
    else:  # a style is next season's when created; a few sell all year
        season = ALL_YEAR if all_year else season_of(created + dt.timedelta(days=60))
    name = f"{WORDS[index % len(WORDS)]}{category}"
    code = f"SL{created.year % 100:02d}{CATEGORY_CODES[category]}{index + 1:03d}"
    if role == "plus":
        name, category = PLUS_NAMES[index - 4]
        code = f"{name}{index + 1:02d}"
    base = float(
        rng.lognormal(math.log(0.8), 0.2) if role == "launch" else rng.lognormal(math.log(0.35), 0.6)
    )
    base = ROLE_BASE.get(role, base)
    price = Decimal(int(rng.choice(PRICES[2:] if category == "外套" else PRICES[:7])))
    seconds = int(rng.integers(9 * 3600, 18 * 3600))
    colours = tuple(str(c) for c in rng.choice(COLOURS, 2, replace=False))
    sizes = ("S", "M", "L", "XL") if index % 2 else ("M", "L", "XL")
    return Style(
        code=code, name=name, category=category, season=season, year=created.year,
        created=dt.datetime.combine(created, dt.time()) + dt.timedelta(seconds=seconds),
        price=price, cost=_money(float(price) * float(rng.uniform(0.32, 0.45))), colours=colours,
        sizes=sizes, base=base, role=role, supplier=SUPPLIERS[index % len(SUPPLIERS)],
        conversion=float(np.clip(rng.lognormal(math.log(CONVERSION), 0.3), 0.015, 0.07)),
    )  # fmt: skip


OLD_SEASON = ("clear_good", "clear_bad", "repriced", "steady")  # last season's styles
ROLE_BASE = {
    "oversold": 1.6, "dead": 0.0, "clear_good": 0.25, "clear_bad": 0.12, "repriced": 3.0, "steady": 2.0,
}  # fmt: skip
# a new style's base (daily units of a SKU at the peak) and conversion, by outlook
OUTLOOK = {"takes_off": (3.2, 0.09), "stuck": (0.03, 0.007)}


def _plan(styles: list[Style], end: dt.date) -> list[Style]:
    """The roles' fixed parts: the repriced styles' price changes, the new styles' outlooks."""
    repriced = iter(REPRICES)
    outlooks = iter(NEW_OUTLOOKS)
    planned = []
    for style in styles:
        plan = style
        if style.role == "repriced":
            before, factor, elasticity = next(repriced)
            when = end - dt.timedelta(days=before - 1)
            plan = replace(style, reprice=(when, marked_price(style.price, factor), elasticity))
        elif style.role == "new":
            outlook = next(outlooks)
            base, conversion = OUTLOOK.get(outlook, (style.base, style.conversion))
            plan = replace(style, outlook=outlook, base=base, conversion=conversion)
        elif style.role == "dead":
            plan = replace(style, conversion=0.0)
        planned.append(plan)
    return planned


def _skus(style: Style, rng: np.random.Generator) -> list[Sku]:
    out = []
    for rank, colour in enumerate(style.colours):
        for size in style.sizes:
            weight = SIZE_WEIGHT[size] * (1.3 if rank == 0 else 0.8)
            barcode = f"69{int(rng.integers(10**10, 10**11)):011d}"
            out.append(
                Sku(f"{style.code}-{colour}-{size}", style, colour, size, style.base * weight, barcode)
            )
    return out


def _combos(skus: list[Sku], end: dt.date, days: int) -> list[Combo]:
    """Three packs of established, selling SKUs: 2 × one T恤, a T恤 with 裤装, three different items."""
    old = end - dt.timedelta(days=max(days // 2, 45))
    able = [s for s in skus if s.style.role == "normal" and s.base > 0.2 and s.style.created.date() < old]
    by_category = {c: [s for s in able if s.style.category == c] for c in CATEGORIES}
    tee = (by_category["T恤"] or able)[0]
    trousers = (by_category["裤装"] or able)[0]
    three = [(by_category[c] or able)[-1] for c in ("衬衫", "外套", "连衣裙")]
    packs = [
        ("ZH001", "T恤两件装", ((tee.code, 2),)),
        ("ZH002", "T恤+裤装组合", ((tee.code, 1), (trousers.code, 1))),
        ("ZH003", "三件套福袋", tuple((s.code, 1) for s in three)),
    ]
    prices = {s.code: s.style.price for s in skus}
    return [
        Combo(code, name, (sum((prices[c] * q for c, q in parts), Decimal(0)) * Decimal("0.85")).quantize(
            Decimal("1")) - Decimal("0.1"), parts, 0.4)
        for code, name, parts in packs
    ]  # fmt: skip
