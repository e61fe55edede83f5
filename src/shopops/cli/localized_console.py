"""A rich console that says each line in the run's language (see :mod:`shopops.cli.messages`).

Every string printed is read as the command wrote it (markup and all); each differently styled run
of it is translated on its own (so "✗" stays red and the message after it is translated), and a
line whose runs are not all known is tried as a whole. Tables and other renderables pass as they are.
"""

from __future__ import annotations

import re
from typing import Any

from rich.console import Console
from rich.text import Text

from shopops.cli.messages import Language, catalog, language

# "feed.csv: feed.csv: 文件是空的" (a command names the file, and so does the error): once is enough.
_REPEATED_FILE = re.compile(r"(?P<file>[^\s:：]+\.[A-Za-z0-9]{1,5})[:：] (?=(?P=file)[:：\s])")
_FOREIGN = {"zh": re.compile(r"[A-Za-z]{2}"), "en": re.compile(r"[\u4e00-\u9fff]")}


class LocalizedConsole(Console):
    def print(self, *objects: Any, **options: Any) -> None:
        lang = language()
        markup = options.get("markup")
        emoji = options.get("emoji")
        shown = [
            localize_text(self.render_str(o, markup=markup, emoji=emoji, highlight=False), lang)
            if isinstance(o, str)
            else o
            for o in objects
        ]
        super().print(*shown, **options)


def localize_text(text: Text, lang: Language | None = None) -> Text:
    """``text`` in ``lang``: run by run, else as a whole line; unchanged where nothing is known."""
    chosen = lang or language()
    foreign = _FOREIGN[chosen]
    plain = text.plain
    if not foreign.search(plain):
        return text
    bounds = sorted({b for span in text.spans for b in (span.start, span.end) if 0 < b < len(plain)})
    pieces = text.divide(bounds) if bounds else [text]
    done: list[Text] = []
    complete = True
    for piece in pieces:
        said, whole_piece = _translate_lines(piece.plain, chosen)
        complete = complete and whole_piece
        if said is None:
            done.append(piece)
            continue
        again = Text(said, style=piece.style)
        for span in piece.spans:
            again.stylize(span.style)
        done.append(again)
    if not complete:
        whole = catalog().translate(plain, chosen)
        if whole is not None:
            return Text(whole, style=text.style, end=text.end)
    result = Text(style=text.style, end=text.end, justify=text.justify, overflow=text.overflow)
    for piece in done:
        result.append_text(piece)
    return result


def _translate_lines(plain: str, lang: Language) -> tuple[str | None, bool]:
    """``plain`` translated line by line (None: no line changed), and whether every foreign line was."""
    foreign = _FOREIGN[lang]
    lines = [_REPEATED_FILE.sub("", line) for line in plain.split("\n")]
    said = [catalog().translate(line, lang) if foreign.search(line) else line for line in lines]
    complete = all(s is not None for s in said)
    if all(s is None or s == line for s, line in zip(said, lines, strict=True)) and "\n".join(lines) == plain:
        return None, complete
    return "\n".join(s if s is not None else line for s, line in zip(said, lines, strict=True)), complete
