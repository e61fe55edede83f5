"""指数还原: turn 生意参谋 交易指数 into an estimate of money, fitted on our own shop's pairs.

The mapping is a power law, money = exp(a) · 交易指数^b with b > 0, fitted by least squares in
log-log space on the days where we know both our shop's 交易指数 and our real 支付金额. It is
monotone (a higher index always means more money). Its error is measured on the same pairs: the
median absolute percentage error, and a range from the 5th to the 95th percentile of the log
residuals, which every estimate carries — an estimate is never shown as a fact.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb
import numpy as np
import polars as pl

from shopops.domains.rivals.facts import frame
from shopops.errors import UserError

MIN_PAIRS = 7


@dataclass(frozen=True)
class IndexFit:
    shop: str
    intercept: float
    exponent: float
    pairs: int
    median_abs_pct_error: float  # e.g. 0.06 = typical estimate within ±6%
    low_factor: float  # estimate × low_factor … estimate × high_factor holds ~90% of our days
    high_factor: float
    index_min: float
    index_max: float

    def estimate(self, index: float) -> float:
        return float(np.exp(self.intercept) * index**self.exponent)

    def estimate_range(self, index: float) -> tuple[float, float, float]:
        """(low, estimate, high) money for a 交易指数."""
        middle = self.estimate(index)
        return middle * self.low_factor, middle, middle * self.high_factor

    def to_record(self) -> dict[str, object]:
        return {
            "shop": self.shop,
            "formula": f"支付金额 ≈ {np.exp(self.intercept):.6g} × 交易指数^{self.exponent:.4f}",
            "pairs": self.pairs,
            "median_abs_pct_error": round(self.median_abs_pct_error, 4),
            "range_factors": [round(self.low_factor, 4), round(self.high_factor, 4)],
            "index_range": [self.index_min, self.index_max],
        }


def own_index_pairs(con: duckdb.DuckDBPyConnection, shop: str | None = None) -> pl.DataFrame:
    """Our shop's 交易指数 and real 支付金额 on the same days (shop, date, trade_index, gmv)."""
    return frame(
        con,
        "SELECT i.shop, i.date, i.trade_index, CAST(d.gmv AS DOUBLE) AS gmv FROM rival_index_day i"
        " JOIN sycm_shop_day d ON d.shop = i.shop AND d.date = i.date"
        " WHERE i.subject = 'own' AND i.item_id = '' AND i.trade_index > 0 AND d.gmv > 0"
        " AND ($shop IS NULL OR i.shop = $shop) ORDER BY i.shop, i.date",
        {"shop": shop},
    )


def fit_index(pairs: pl.DataFrame, shop: str = "") -> IndexFit:
    """Fit the mapping on (trade_index, gmv) pairs; a user error when they cannot carry one."""
    if pairs.height < MIN_PAIRS:
        raise UserError(
            f"指数还原 needs at least {MIN_PAIRS} days with both our 交易指数 and our 支付金额"
            f" (found {pairs.height}) — import 生意参谋 本店交易指数 (sycm_own_index) and 店铺整体 for the same days"
        )
    x = np.log(pairs["trade_index"].to_numpy().astype(float))
    y = np.log(pairs["gmv"].to_numpy().astype(float))
    if float(np.ptp(x)) == 0.0:
        raise UserError("指数还原: our 交易指数 is the same on every day, so no mapping can be fitted")
    exponent, intercept = np.polyfit(x, y, 1)
    if exponent <= 0:
        raise UserError(
            "指数还原: our 支付金额 does not rise with our 交易指数 on these days — check that both files"
            " are of the same shop and days"
        )
    residuals = y - (intercept + exponent * x)
    low, high = np.quantile(residuals, [0.05, 0.95])
    return IndexFit(
        shop=shop,
        intercept=float(intercept),
        exponent=float(exponent),
        pairs=pairs.height,
        median_abs_pct_error=float(np.median(np.abs(np.expm1(residuals)))),
        low_factor=float(np.exp(min(low, 0.0))),
        high_factor=float(np.exp(max(high, 0.0))),
        index_min=float(np.exp(x.min())),
        index_max=float(np.exp(x.max())),
    )


def rival_revenue_estimates(
    con: duckdb.DuckDBPyConnection, fit: IndexFit, start: dt.date, end: dt.date
) -> pl.DataFrame:
    """Rivals' 交易指数 per day with the estimated money and its range (labelled 估算)."""
    rows = frame(
        con,
        "SELECT date, rival_shop AS shop, item_id, trade_index FROM rival_index_day"
        " WHERE subject = 'rival' AND trade_index > 0 AND date BETWEEN $start AND $end ORDER BY date, shop, item_id",
        {"start": start, "end": end},
    )
    factor = float(np.exp(fit.intercept))
    estimate = pl.lit(factor) * pl.col("trade_index").pow(fit.exponent)
    return rows.with_columns(
        (estimate * fit.low_factor).round(2).alias("revenue_low"),
        estimate.round(2).alias("revenue_estimate"),
        (estimate * fit.high_factor).round(2).alias("revenue_high"),
        ((pl.col("trade_index") < fit.index_min) | (pl.col("trade_index") > fit.index_max)).alias(
            "outside_fitted_range"
        ),
    )
