"""Competitor tracking (竞店/竞品): registry, snapshot facts, 生意参谋 indices and 指数还原, findings."""

from shopops.domains.rivals.facts import (
    daily_sales,
    disappeared_items,
    group_share,
    new_items,
    price_changes,
    rank_changes,
    review_growth,
)
from shopops.domains.rivals.index_fit import IndexFit, fit_index, own_index_pairs
from shopops.domains.rivals.registry import (
    RivalItem,
    add_manual,
    add_rival_item,
    add_rival_shop,
    list_rivals,
)

__all__ = [
    "IndexFit",
    "RivalItem",
    "add_manual",
    "add_rival_item",
    "add_rival_shop",
    "daily_sales",
    "disappeared_items",
    "fit_index",
    "group_share",
    "list_rivals",
    "new_items",
    "own_index_pairs",
    "price_changes",
    "rank_changes",
    "review_growth",
]
