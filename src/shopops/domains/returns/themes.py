"""评价主题 (review themes): the words the bad reviews of a SKU or style keep using, counted.

A review's text (评价内容 and 追评) is cut into words by ``rjieba`` (jieba-rs, the jieba algorithm
and dictionary compiled into the wheel: nothing is downloaded, no cache file is written, nothing is
logged). The apparel defects of :data:`DOMAIN_WORDS` are added to its dictionary so that 偏小, 起球,
发错货 … stay one word. Out go stop words, single characters, words without a Chinese character
(numbers, Latin letters, markup) and a defect word right after a negation (不起球, 没有异味: no
defect). Each keyword counts once per review; a SKU's themes are ranked by the reviews that mention
them. A keyword is mapped to the reason class (品质, 仓配, 尺码 …) of the 退款原因 rules where one of
the class's words is in it, or it is part of one (发错 → 发错货 → 仓配), so that the themes of the
reviews line up with the reasons of the returns; none fits: null.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import cache
from typing import TYPE_CHECKING, Literal

import polars as pl

from shopops.domains.returns.rules import ReturnRules

if TYPE_CHECKING:
    import rjieba

DOMAIN_WORDS = (
    "偏小", "偏大", "起球", "开线", "脱线", "掉色", "褪色", "色差", "发错", "发错货", "错发", "少件", "漏发",
    "异味", "线头", "勾丝", "掉毛", "缩水", "变形", "破洞", "污渍", "瑕疵", "透光", "起皱", "不透气",
    "码数", "尺码", "做工", "面料", "质量", "物流", "快递", "包装", "客服", "退货", "退款", "描述不符",
)  # fmt: skip
NEGATIONS = frozenset({"不", "没", "没有", "无", "未", "不会", "并不", "并没有", "一点也不", "也不", "都不"})
STOP_WORDS = frozenset(
    re.split(
        r"\s+",
        """
    的 了 是 我 你 他 她 它 我们 你们 他们 这 那 这个 那个 这样 那样 这种 那种 就 也 还 都 很 太 又 再 才 和 与 跟
    及 或 而 且 但 但是 而且 然后 所以 因为 如果 虽然 不过 还是 就是 只是 可是 真是 还有 已经 一直 一下 一点 一些 有点
    有些 一个 一件 一次 一样 什么 怎么 为什么 这么 那么 非常 特别 真的 实在 确实 比较 感觉 觉得 觉 说 看 看看 买 买的
    购买 收到 到货 拿到 穿 穿上 穿着 东西 宝贝 商品 产品 衣服 裤子 卖家 店家 商家 掌柜 亲 大家 自己 时候 现在 之后
    以后 之前 以前 今天 昨天 然而 并且 而是 不是 没有 不会 可以 能 会 要 想 让 给 把 被 在 从 对 到 上 下 里 中 吧 啊
    呢 吗 哦 嗯 呀 哈 哈哈 哎 唉 啦 嘛 么 呗 好 好的 很好 不好 差 太差 很差 真差 一般 垃圾 失望 差评 中评 好评 评价
    追评 五星 一星 还行 不错 满意 不满意 喜欢 不喜欢 希望 建议 下次 再也 再也不 千万 别买 不要 不会再 没法 很多
    严重 有股 完全 根本 直接 结果 居然 竟然 简直 总之 不能 起到 其他 其它 厉害 发来 寄来 两件 三件 几件 一双 两双
    """.strip(),
    )
)
_CHINESE = re.compile(r"[\u4e00-\u9fff]")

THEME_COLUMNS = (
    "shop", "by", "product", "style", "reviews", "keyword", "mentions", "share", "reason_class", "example",
)  # fmt: skip


@cache
def _tokenizer() -> rjieba.Jieba:
    import rjieba  # imported when themes are asked for: ~0.1 s to build the dictionary

    tokenizer = rjieba.Jieba()
    for word in DOMAIN_WORDS:
        tokenizer.add_word(word, None, None)
    return tokenizer


def keywords(text: str | None) -> list[str]:
    """The distinct keywords of one review text, in order of first use."""
    if not text:
        return []
    found: list[str] = []
    previous = ""
    for token in _tokenizer().cut(text):
        word = token.strip()
        if not word:
            continue
        negated = previous in NEGATIONS
        previous = word
        if (
            len(word) < 2
            or word in STOP_WORDS
            or not _CHINESE.search(word)
            or (negated and word in DOMAIN_WORDS)
            or word in found
        ):
            continue
        found.append(word)
    return found


def keyword_class(rules: ReturnRules, word: str) -> str | None:
    """The reason class of a keyword: :meth:`ReturnRules.classify` where a class's word is in it,
    else the first class with a word it is part of (发错 of 发错货); None when no class fits."""
    name = rules.classify(word)
    fitted = next((c for c in rules.reason_classes if c.name == name), None)
    if fitted is not None and any(w in word for w in fitted.words):
        return name
    for reason_class in rules.reason_classes:
        if any(word in w for w in reason_class.words):
            return reason_class.name
    return None


def review_themes(
    reviews: pl.DataFrame,
    rules: ReturnRules,
    *,
    by: Literal["sku", "style"] = "sku",
    grades: Sequence[str] = ("差评",),
    top: int | None = 10,
) -> pl.DataFrame:
    """The keyword themes of the reviews of ``grades`` (a :func:`reviews.review_list` frame) per shop
    and SKU (``sku``, else the 规格 text) or style (``style``, else the SKU, else the 规格): one row per
    keyword, ``mentions`` = reviews that use it, ``share`` = mentions ÷ the group's ``reviews``; the
    ``top`` keywords per group (None: all), groups with the most reviews first. THEME_COLUMNS."""
    chosen = reviews.filter(pl.col("grade").is_in(list(grades)))
    # the colours and sizes the specs name (卡其, XL …) are what was bought, not what went wrong
    spec_values = {
        value.strip()
        for spec in chosen["spec"].drop_nulls().to_list()
        for part in re.split(r"[;；,，\s]+", spec)
        for value in [part.split(":")[-1].split("：")[-1]]
        if value.strip()
    }
    keys = ["style", "sku", "spec"] if by == "style" else ["sku", "spec"]
    groups: dict[tuple[str, str], list[tuple[list[str], str]]] = {}
    styles: dict[tuple[str, str], str | None] = {}
    for row in chosen.iter_rows(named=True):
        product = next((row[k] for k in keys if row[k]), None) or "—"
        key = (row["shop"], product)
        text = "\n".join(t for t in (row["content"], row["follow_up"]) if t)
        words = [w for w in keywords(text) if w not in spec_values]
        groups.setdefault(key, []).append((words, text))
        styles.setdefault(key, row["style"])
        if styles[key] != row["style"]:
            styles[key] = None
    records = []
    for (shop, product), items in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        counts = Counter(word for words, _ in items for word in words)
        ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        for word, mentions in ranked[:top] if top is not None else ranked:
            example = next(text for words, text in items if word in words)
            records.append(
                {
                    "shop": shop, "by": by, "product": product, "style": styles[(shop, product)],
                    "reviews": len(items), "keyword": word, "mentions": mentions,
                    "share": mentions / len(items), "reason_class": keyword_class(rules, word),
                    "example": example,
                }
            )  # fmt: skip
    return pl.DataFrame(records, schema=_SCHEMA, orient="row") if records else pl.DataFrame(schema=_SCHEMA)


_SCHEMA = {
    "shop": pl.String, "by": pl.String, "product": pl.String, "style": pl.String, "reviews": pl.Int64,
    "keyword": pl.String, "mentions": pl.Int64, "share": pl.Float64, "reason_class": pl.String,
    "example": pl.String,
}  # fmt: skip


def theme_words(frame: pl.DataFrame) -> Iterable[str]:
    """The keywords of a themes frame, most mentioned first (for a one-line summary)."""
    totals = Counter[str]()
    for word, mentions in frame.select("keyword", "mentions").iter_rows():
        totals[word] += mentions
    return [word for word, _ in sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))]
