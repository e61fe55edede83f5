"""docs/metrics.md, generated from the catalog (a test checks the committed file is current)."""

from __future__ import annotations

from shopops.metrics.catalog import Catalog, load_catalog
from shopops.metrics.providers import providers


def metrics_markdown(catalog: Catalog | None = None) -> str:
    catalog = catalog or load_catalog()
    lines = [
        "# 指标口径 · Metric reference",
        "",
        "Generated from `src/shopops/metrics/definitions/catalog.yaml` by `shopops metrics --format markdown`;",
        "do not edit by hand. Ratios are recomputed from summed parts at every grain; unknown is “—”, never 0.",
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
