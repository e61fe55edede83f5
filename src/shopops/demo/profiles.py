"""The demo shops."""

from __future__ import annotations

from decimal import Decimal

from shopops.demo.simulation import ShopProfile, Sku

SHIPPING_BY_PROVINCE = {"新疆": Decimal("18.00"), "西藏": Decimal("20.00")}

CLOUD = ShopProfile(
    name="云朵旗舰店",
    platform="tmall",
    fee_rate=Decimal("0.05"),
    visitors=2600,
    conversion=0.035,
    skus=(
        Sku(
            "YD-TS-BLK-M",
            "650012345601",
            "云朵 纯棉短袖T恤 黑色 M",
            Decimal("79.00"),
            Decimal("26.50"),
            Decimal("28.00"),
        ),
        Sku("YD-TS-WHT-L", "650012345601", "云朵 纯棉短袖T恤 白色 L", Decimal("79.00"), Decimal("26.50")),
        Sku("YD-HD-GRY-XL", "650012345602", "云朵 加绒连帽卫衣 灰色 XL", Decimal("169.00"), Decimal("61.20")),
        Sku("YD-SK-3P", "650012345603", "云朵 中筒棉袜 3双装", Decimal("29.90"), Decimal("8.10")),
    ),
    channels={"keyword": (3, 180.0, 2.8), "display": (2, 120.0, 1.6)},
    affiliate=90.0,
    shipping_per_order=Decimal("5.50"),
)

FIELD = ShopProfile(
    name="小野家居",
    platform="taobao",
    fee_rate=Decimal("0"),
    visitors=900,
    conversion=0.028,
    skus=(
        Sku("XY-BD-150", "660098765401", "小野 水洗棉四件套 1.5m", Decimal("239.00"), Decimal("92.00")),
        Sku("XY-PL-2P", "660098765402", "小野 羽丝绒枕头 一对", Decimal("89.00"), Decimal("31.40")),
        Sku("XY-TW-3P", "660098765403", "小野 纯棉毛巾 3条装", Decimal("39.90"), None),  # no cost yet
    ),
    channels={"keyword": (2, 60.0, 3.1), "display": (1, 40.0, 1.2), "fullsite": (1, 150.0, 2.2)},
    affiliate=25.0,
    shipping_per_order=Decimal("6.00"),
)

PROFILES = (CLOUD, FIELD)
