"""The completeness check every loader shares: what a document says it holds, against what was read.

A truncated or partial copy must never replace a good graph. Each loader lists what its document must
contain, taken from the document itself wherever it says so: the annexes and sections it announces, the
closing line it ends with, the recommendations it quotes (each with its comment), the tables an annex
announces. Every expectation not met becomes a fatal LoadWarning that names what is missing and where
the document announces it; `jiukg.pipeline.prepare` then refuses the document (IncompleteDocument)
and nothing is written. The phrases are lexicon data ([completeness] tables, loaders/lexicons/).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .base import LoadWarning, SourceText
from .text import clean, is_cjk_text

_ZH_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
              "九": 9}
_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}


@dataclass(frozen=True)
class Expectation:
    """One thing the document must contain."""

    met: bool
    line: int | None  # where the document announces it, or where the text stops
    what: str  # what is missing and how we know it is due, in the document's own words


def incomplete(document: str, line: int | None, what: str) -> LoadWarning:
    """The fatal warning for one thing missing: the pipeline refuses the document."""
    return LoadWarning(document, line, f"incomplete: {what}", fatal=True)


def check(document: str, expectations: Iterable[Expectation]) -> list[LoadWarning]:
    """A fatal warning for every expectation not met, in the order given."""
    return [incomplete(document, e.line, e.what) for e in expectations if not e.met]


def numeral(s: str) -> int | None:
    """The value of an annex or section numeral as printed: 3, III (or iii), 三, 十二.

    >>> [numeral(x) for x in ("3", "IV", "iii", "三", "十二", "B")]
    [3, 4, 3, 3, 12, None]
    """
    s = s.strip()
    if s.isdigit():
        return int(s)
    if s and all(c in _ROMAN for c in s.upper()):
        vals = [_ROMAN[c] for c in s.upper()]
        return sum(-v if i + 1 < len(vals) and vals[i + 1] > v else v for i, v in enumerate(vals))
    if s and all(c in _ZH_DIGITS or c in "十百" for c in s):
        total, cur = 0, 0
        for c in s:
            if c in _ZH_DIGITS:
                cur = _ZH_DIGITS[c]
            else:
                total += (cur or 1) * (10 if c == "十" else 100)
                cur = 0
        return (total + cur) or None
    return None


def announced(text: str, pattern: str | re.Pattern, flags: int = 0) -> dict[int, str]:
    """The numerals a text announces through `pattern` (group 'n'): {value: numeral as printed}."""
    rx = pattern if isinstance(pattern, re.Pattern) else re.compile(pattern, flags)
    out: dict[int, str] = {}
    for m in rx.finditer(text):
        v = numeral(m["n"])
        if v is not None:
            out.setdefault(v, m["n"])
    return out


def joined(items: Iterable[tuple[int, str]]) -> tuple[str, Callable[[int], int | None]]:
    """Numbered lines cleaned and joined as one text (a phrase may wrap), with the line of an offset."""
    text, starts, nos = "", [], []
    for no, line in items:
        piece = clean(line)
        if not piece:
            continue
        if text and not (is_cjk_text(text[-1]) or is_cjk_text(piece[0])):
            text += " "
        starts.append(len(text))
        nos.append(no)
        text += piece

    def line_at(offset: int) -> int | None:
        i = bisect_right(starts, offset) - 1
        return nos[i] if i >= 0 else None

    return text, line_at


def ends_sentence(text: str, pattern: str, flags: int = 0) -> bool:
    """Does the text end a sentence? A copy cut at a line boundary mostly stops inside one."""
    return bool(re.search(pattern, text.rstrip(), flags))


def last_line(source: SourceText) -> int:
    """The number of the last non-blank line: where a cut copy stops."""
    for i in range(len(source.lines), 0, -1):
        if source.lines[i - 1].strip():
            return i
    return 0
