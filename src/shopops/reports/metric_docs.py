"""docs/metrics.md, generated from the catalog (a test checks the committed file is current)."""

from __future__ import annotations

from shopops.metrics.catalog import Catalog, load_catalog
from shopops.metrics.providers import providers

# The 合计 rule (shopops.metrics.totals), for the reference.
TOTALS_TEXT = [
    "## 合计（多店铺汇总）",
    "",
    "- 金额、数量（不含除法的指标）：知道该数的店铺相加。",
    "- 比率、客单价、ROI 等含除法的指标：只在“该店自己的比率已知”（分子分母都有、分母不为 0）的店铺上"
    "把分子、分母分别相加后重算，不是各店比率的平均。",
    "- 只有部分店铺知道的合计标出覆盖度，如 `5,189 ⁽³⁄₄⁾`（4 个店铺中 3 个），并写明缺哪个店铺"
    "（`shopops table master --total` 的 `total_coverage` 列、日报注释、看板、推送）；没有店铺知道时为“—”。",
    "- 合计的环比/同比只在两期由同一批店铺组成时计算，否则为“—”。",
    "- DSR 等评分、扣点率等设置不合计。访客数、买家数为各店相加（日累加），不是去重人数。",
]


def metrics_markdown(catalog: Catalog | None = None) -> str:
    catalog = catalog or load_catalog()
    lines = [
        "# 指标口径 · Metric reference",
        "",
        "Generated from `src/shopops/metrics/definitions/catalog.yaml` by `shopops metrics --format markdown`;",
        "do not edit by hand. Ratios are recomputed from summed parts at every grain; unknown is “—”, never 0.",
        "",
        *TOTALS_TEXT,
        "",
    ]
    sections: dict[str, list[str]] = {}
    for metric in catalog.metrics.values():
        sections.setdefault(metric.section, []).append(
            f"| `{metric.key}` | {metric.label} | {metric.unit} | `{metric.formula}` | {metric.definition} |"
        )
    for section, rows in sections.items():
        lines += [
            f"## {section}",
            "",
            "| key | 中文名 | unit | formula | 口径 |",
            "|---|---|---|---|---|",
            *rows,
            "",
        ]
    lines += [
        "## Base measures and source precedence",
        "",
        "| measure | sources, best first | days → weeks/months |",
        "|---|---|---|",
    ]
    for measure in catalog.measures.values():
        lines.append(f"| `{measure.key}` | {' > '.join(measure.sources)} | {measure.aggregate} |")
    used = {s for m in catalog.measures.values() for s in m.sources}
    lines += [
        "",
        "## Sources",
        "",
        "The names in `shopops table master --provenance` (`<measure>__source` columns).",
        "",
        "| source | what it reads |",
        "|---|---|",
    ]
    lines += [f"| `{p.key}` | {p.label} |" for p in providers().values() if p.key in used]
    return "\n".join(lines) + "\n"
