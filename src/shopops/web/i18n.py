"""UI text: Chinese by default, English when the `lang` cookie says so. Keys are the Chinese text."""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

import yaml

from shopops.domains import domains
from shopops.metrics.catalog import load_catalog

LANGUAGES = ("zh", "en")
WORDS_EN = resources.files("shopops.web").joinpath("words_en.yaml")  # more words, kept out of this file

EN = {
    "店铺运营驾驶舱": "Shop operations dashboard",
    "总览": "Overview",
    "总表": "Master table",
    "趋势": "Trends",
    "异常": "Findings",
    "目标": "Targets",
    "导入": "Import",
    "口径": "Metric dictionary",
    "设置": "Settings",
    "登录": "Log in",
    "退出": "Log out",
    "用户名": "User name",
    "密码": "Password",
    "店铺": "Shop",
    "全部店铺": "All shops",
    "日期": "Date",
    "从": "From",
    "到": "To",
    "粒度": "Grain",
    "日": "Day",
    "周": "Week",
    "月": "Month",
    "查看": "Show",
    "下载 Excel": "Download Excel",
    "下载 CSV": "Download CSV",
    "筛选": "Filter",
    "环比": "vs prev. day",
    "周同比": "vs last week",
    "时间进度": "Time elapsed",
    "完成进度": "Achieved",
    "今日异常": "Findings of the day",
    "涉及金额": "Money at stake",
    "预测区间": "Forecast range",
    "按涉及金额排序": "by money at stake",
    "展开明细": "Show the items",
    "每天按涉及金额（偏离平常水平的金额，估算）排序，全部列出；分组的发现点开看明细。": (
        "Each day's findings by money at stake (how far from a usual day, estimated), all of them;"
        " open a group to see its items."
    ),
    "数据不完整": "Incomplete data",
    "未能检查": "Not checked",
    "没有异常": "No findings",
    "说明": "Explanation",
    "数值": "Value",
    "预期范围": "Expected range",
    "级别": "Severity",
    "指标": "Metric",
    "确认": "Acknowledge",
    "已确认": "Acknowledged",
    "评论": "Comment",
    "保存": "Save",
    "目标值": "Target",
    "已完成": "Achieved so far",
    "状态": "Status",
    "期间": "Period",
    "范围": "Scope",
    "预测": "Forecast",
    "日均需": "Needed per day",
    "没有目标": "No targets for this period",
    "拖放文件到这里，或点击选择（可多选）": "Drop files here, or click to choose (several at once)",
    "上传并导入": "Upload and import",
    "导入记录": "Import history",
    "文件": "File",
    "来源": "Source",
    "行数": "Rows",
    "日期范围": "Dates",
    "时间": "Time",
    "操作人": "By",
    "结果": "Result",
    "定义": "Definition",
    "单位": "Unit",
    "越高越好": "Higher is better",
    "越低越好": "Lower is better",
    "用户": "Users",
    "角色": "Role",
    "推送渠道": "Push channels",
    "添加用户": "Add user",
    "逗号分隔，留空为全部店铺": "comma-separated; empty = all shops",
    "平台": "Platform",
    "扣点": "Fee rate",
    "大促/节日": "Promo / holiday",
    "异常点": "Finding",
    "没有数据": "No data",
    "无权访问": "Not allowed",
    "请求有误": "Bad request",
    "密码错误次数过多，请稍后再试": "Too many wrong passwords — try again later",
    "用户名或密码错误": "Wrong user name or password",
    "合计": "Total",
    "未配置": "not configured",
    "已配置": "configured",
    "竞品": "Rivals",
    "分组": "Group",
    "还没有竞品数据": "No competitor data yet",
    "竞品与我方对比": "Rival vs our item",
    "最新价": "Latest price",
    "日均销量": "Units / day",
    "期间销量": "Units in period",
    "估算销售额": "Est. revenue",
    "件数×当日价": "units × price of the day",
    "指数还原": "From the trade index",
    "估算及区间": "estimate and range",
    "我方商品": "Our item",
    "成交均价": "Avg. selling price",
    "支付金额": "Paid amount",
    "计数器变小：这段时间的销量未知": "The counter went down: sales unknown for that stretch",
    "计数重置": "Counter reset",
    "计数下降": "Counter went down",
    "天": "days",
    "估算": "est.",
    "含估算": "incl. est.",
    "竞店整体": "whole rival shop",
    "未对标我方商品": "Not paired with one of our items",
    "对标商品不在你的店铺范围内": "The paired item is not in your shops",
    "竞品销售额均为估算，不是事实：件数来自累计销量的差（或月销量÷30），乘以当日价格。": "Rival revenue is always an estimate, not a fact: units come from the change in the sales counter (or monthly sales ÷ 30), times the price of the day.",
    "天本店数据": "days of our own data",
    "典型误差": "typical error",
    "90% 区间": "90% range",
    "没有足够的本店交易指数与支付金额，无法做指数还原。": "Not enough days of our own trade index with GMV to convert indices to money.",
    "我方为成交均价（支付金额÷件数）。": "Our price is the average selling price (paid amount ÷ units).",
    "价格走势": "Price",
    "日销量走势": "Units per day",
    "近期价格变化": "Recent price changes",
    "原价": "Old price",
    "新价": "New price",
    "变化": "Change",
    "近14天中位价": "14-day median",
    "促销": "Promotion",
    "降价促销": "Price cut",
    "手工": "manual",
    "这段时间没有价格变化": "No price changes in this period",
    "上新": "New items",
    "首次出现": "First seen",
    "竞店": "Rival shop",
    "商品": "Item",
    "没有上新": "No new items",
    "消失的商品": "Items gone",
    "最后出现": "Last seen",
    "没有消失的商品": "No items gone",
    "API 令牌": "API tokens",
    "上一页": "Previous",
    "下一页": "Next",
    "修复": "Fix",
    "健康": "Health",
    "全部": "All",
    "共": "Total",
    "创建令牌": "Create token",
    "创建时间": "Created",
    "吊销": "Revoke",
    "命令行": "Command line",
    "审计": "Audit",
    "对象": "Target",
    "按文件中的店铺": "Shop named in the file",
    "操作": "Action",
    "新令牌只显示这一次，请现在复制": "The new token is shown only once: copy it now",
    "最近使用": "Last used",
    "有效天数": "Valid for (days)",
    "条": "records",
    "标签": "Label",
    "检查": "Check",
    "用途，如 报表脚本": "Purpose, e.g. report script",
    "编号": "ID",
    "详情": "Details",
    "谁": "Who",
    "过期时间": "Expires",
    "还没有令牌": "No tokens yet",
    "正常": "OK",
    "注意": "Warning",
    "故障": "Failed",
    # 总表 (templates/table.html, web/master_view.py)
    "选择列": "Columns",
    "已隐藏 {n} 个空列（所选店铺在这段时间全为 —）": "{n} empty columns hidden (— for every selected shop in this period)",
    "显示了 {n} 个空列（所选店铺在这段时间全为 —）": "Showing {n} empty columns (— for every selected shop in this period)",
    "显示空列": "Show them",
    "隐藏空列": "Hide them",
    "没有保存，请重试": "Not saved — try again",
}


@cache
def english() -> dict[str, str]:
    """Our words, the findings' words (words_en.yaml), every domain's (its ``translations`` YAML file:
    Chinese → English) and the metric names (the catalog's ``label_en``, which win: one English name
    for a metric wherever it is shown)."""
    words = EN | {str(k): str(v) for k, v in (yaml.safe_load(WORDS_EN.read_text("utf-8")) or {}).items()}
    for domain in domains():
        if domain.translations is not None:
            words |= {
                str(k): str(v)
                for k, v in (yaml.safe_load(domain.translations.read_text("utf-8")) or {}).items()
            }
    return words | {m.label: m.label_en for m in load_catalog().metrics.values() if m.label_en}


# Parts of a composed label ("积压·双11后·8 件", "11-24 起") that carry a number.
PATTERNS = (
    (re.compile(r"^(1) 件$"), "{0} item"),
    (re.compile(r"^(1) 条$"), "{0} finding"),
    (re.compile(r"^(\d[\d,]*) 件$"), "{0} items"),
    (re.compile(r"^(\d[\d,]*) 条$"), "{0} findings"),
    (re.compile(r"^(\d[\d,]*) 天$"), "{0} days"),
    (re.compile(r"^(\d{2}-\d{2}|\d{4}-\d{2}-\d{2}) 起$"), "since {0}"),
    (re.compile(r"^另有 (\d[\d,]*) 条（含 (\d[\d,]*) 项）$"), "{0} more ({1} items)"),
    (re.compile(r"^另有 (\d[\d,]*) 条$"), "{0} more"),
    (re.compile(r"^支付金额 ≈ (\S+) × 交易指数\^(\S+)$"), "GMV ≈ {0} × trade index^{1}"),  # 竞品's index fit
)


def _english(text: str) -> str:
    words = english()
    if text in words:
        return words[text]
    for pattern, english_text in PATTERNS:
        if found := pattern.match(text):
            return english_text.format(*found.groups())
    if "·" in text:  # a composed label: each part on its own (a product's name stays as it is)
        return "·".join(_english(part) for part in text.split("·"))
    return text


def translate(text: str, lang: str) -> str:
    """``text`` in ``lang``: the Chinese text itself, or its English words where known."""
    return _english(text) if lang == "en" else text
