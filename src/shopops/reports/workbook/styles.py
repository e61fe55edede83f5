"""Cell formats of the report workbook, created once per workbook and looked up by name."""

from __future__ import annotations

from typing import Any

FONT = "Microsoft YaHei"
GREEN = {"font_color": "#1E7B34", "bg_color": "#E2F0D9"}
RED = {"font_color": "#C00000", "bg_color": "#FBE2E2"}

NUMBER_FORMATS = {
    "money": "#,##0.00",
    "money_whole": "#,##0",  # amounts of a week or month on the 总表 (the cell keeps the cents)
    "count": "#,##0",
    "percent": "0.00%",
    "multiple": "0.00",
    "score": "0.00",
    "change_pct": "+0.0%;-0.0%;0.0%",
    "change_pp": '+0.00"pp";-0.00"pp";0.00"pp"',
    "change_diff": "+0.00;-0.00;0.00",
    "change_score": "+0.000;-0.000;0.000",
    "date": "yyyy-mm-dd",
    "datetime": "yyyy-mm-dd hh:mm",
}
BORDER = {"border": 1, "border_color": "#BFBFBF"}
TOTAL = {"bold": True, "bg_color": "#FFF7E0", "top": 2, "top_color": "#7F7F7F"}

BASE: dict[str, dict[str, Any]] = {
    "title": {"bold": True, "font_size": 14, "font_color": "#1F3864"},
    "subtitle": {"font_size": 9, "font_color": "#595959"},
    "note": {"font_size": 9, "font_color": "#595959"},
    "note_wrap": {"font_size": 9, "font_color": "#595959", "text_wrap": True, "valign": "top"},
    "warning": {"font_size": 9, "font_color": "#C00000"},
    "heading": {"bold": True, "font_size": 11, "font_color": "#1F3864"},
    "section": {
        "bold": True,
        "font_color": "#FFFFFF",
        "bg_color": "#305496",
        "align": "center",
        "valign": "vcenter",
        **BORDER,
    },
    "header": {
        "bold": True,
        "bg_color": "#D9E1F2",
        "align": "center",
        "valign": "vcenter",
        "text_wrap": True,
        **BORDER,
    },
    "subheader": {"font_size": 9, "bg_color": "#EDF1F9", "align": "center", "valign": "vcenter", **BORDER},
    "text": {"valign": "vcenter", **BORDER},
    "label": {"valign": "vcenter", "text_wrap": True, **BORDER},
    "wrap": {"valign": "top", "text_wrap": True, **BORDER},
    "dash": {"align": "center", "valign": "vcenter", "font_color": "#A6A6A6", **BORDER},
}


class Styles:
    """Formats by name; ``cell(kind, total)`` for typed data cells (kind: a NUMBER_FORMATS key or text/dash)."""

    def __init__(self, workbook: Any) -> None:
        self._workbook = workbook
        self._cache: dict[tuple[str, bool, str], Any] = {}
        self.good = workbook.add_format(GREEN)
        self.bad = workbook.add_format(RED)

    def __getitem__(self, name: str) -> Any:
        return self.cell(name) if name in NUMBER_FORMATS else self._get(name, False)

    def cell(self, kind: str, total: bool = False, mark: str = "") -> Any:
        """``mark`` ("⁽³⁄₄⁾", a partial 合计's coverage) is shown by the number format after the
        value, so the cell keeps a number that Excel can sum."""
        return self._get(kind, total, mark)

    def _get(self, kind: str, total: bool, mark: str = "") -> Any:
        key = (kind, total, mark)
        if key not in self._cache:
            properties: dict[str, Any] = {}
            if kind in NUMBER_FORMATS:
                number_format = NUMBER_FORMATS[kind]
                if mark:
                    number_format = ";".join(f'{part}" {mark}"' for part in number_format.split(";"))
                properties = {"num_format": number_format, "valign": "vcenter", **BORDER}
            else:
                properties = dict(BASE[kind])
            if total:
                properties.update(TOTAL)
            self._cache[key] = self._workbook.add_format(properties)
        return self._cache[key]


def workbook_options() -> dict[str, Any]:
    """XlsxWriter options: no text ever becomes a formula, URL or number."""
    return {
        "strings_to_formulas": False,
        "strings_to_urls": False,
        "strings_to_numbers": False,
        "default_format_properties": {"font_name": FONT, "font_size": 10},
    }
