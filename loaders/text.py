"""The shared text layer: normalisation of PDF-extracted text, once, for all loaders.

Source texts are never altered (provenance offsets point into the raw file);
loaders normalise the pieces they extract: full-width/half-width forms, stray
spaces inside Chinese text, line joins inside Chinese sentences, dates, and
page furniture.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CJK_PUNCT = r"\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65\u2018-\u201d\u2014\u2026\u00b7"
_CJK_CHAR = re.compile(f"[{CJK}]")

# Full-width ASCII letters, digits and a few symbols become half-width; Chinese
# punctuation (，。：；（）“”) is kept, it is part of the text.
_FULLWIDTH_KEEP = set("，。：；（）“”‘’、！？《》【】〔〕—…·")


def to_halfwidth(s: str) -> str:
    out = []
    for ch in s:
        code = ord(ch)
        if ch in _FULLWIDTH_KEEP:
            out.append(ch)
        elif 0xFF10 <= code <= 0xFF19 or 0xFF21 <= code <= 0xFF3A or 0xFF41 <= code <= 0xFF5A or ch in "／．－＋％＃＆＝":
            out.append(chr(code - 0xFEE0))
        elif ch == "\u3000" or ch == "\u00a0":
            out.append(" ")
        else:
            out.append(ch)
    return "".join(out)


_SPACE_BETWEEN_CJK = re.compile(f"(?<=[{CJK}{CJK_PUNCT}])[ \t]+(?=[{CJK}{CJK_PUNCT}])")
_SPACE_CJK_DIGIT = re.compile(f"(?<=[{CJK}{CJK_PUNCT}])[ \t]+(?=[0-9])|(?<=[0-9])[ \t]+(?=[{CJK}{CJK_PUNCT}])")


def squeeze_cjk_spaces(s: str) -> str:
    """Remove spaces the PDF extraction put between Chinese characters, and
    between Chinese and digits ('2025 年 3 月' → '2025年3月'); Latin words keep theirs."""
    s = _SPACE_BETWEEN_CJK.sub("", s)
    s = _SPACE_CJK_DIGIT.sub("", s)
    return s


def is_cjk_text(s: str) -> bool:
    letters = [c for c in s if c.isalpha()]
    return bool(letters) and sum(1 for c in letters if _CJK_CHAR.match(c)) / len(letters) > 0.3


# A line ending inside a URL (its last token is a URL ending in '/', '.', '_' or
# '-') continued by the URL's rest: the PDF broke the URL, the join must not add a space.
_URL_TAIL = re.compile(r"(?:https?://|www\.)\S*[/._\-]$")
_URL_HEAD = re.compile(r"[a-z0-9%#?=&_~/.\-][A-Za-z0-9%#?=&_~/.\-]*(?=[\s)）。，,;；]|$)")


def join_lines(lines: list[str]) -> str:
    """Join wrapped lines of one paragraph: no space where either side is Chinese,
    one space between Latin words, hyphenated breaks mended."""
    out = ""
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        if not out:
            out = line
        elif _CJK_CHAR.match(out[-1]) or re.match(f"[{CJK_PUNCT}]", out[-1]) or _CJK_CHAR.match(line[0]) or re.match(f"[{CJK_PUNCT}]", line[0]):
            out += line
        elif _URL_TAIL.search(out) and _URL_HEAD.match(line):
            out += line  # a URL broken across lines: mend it, no space
        elif out.endswith("-") and not out.endswith(" -"):
            out = out[:-1] + line
        else:
            out += " " + line
    return out


def clean(s: str) -> str:
    """The normalisation every extracted text value gets."""
    s = unicodedata.normalize("NFC", s)
    s = to_halfwidth(s)
    s = join_lines(s.split("\n"))
    s = squeeze_cjk_spaces(s)
    s = re.sub(r"[ \t]{2,}", " ", s)
    return s.strip()


def detect_language(s: str) -> str:
    """'zh', 'fr' or 'en' from the text itself."""
    sample = s[:20000]
    if is_cjk_text(sample):
        return "zh"
    words = re.findall(r"[a-zàâçéèêëîïôûùüÿœ']+", sample.lower())
    fr = sum(1 for w in words if w in {"le", "la", "les", "des", "du", "et", "recommandation", "une", "est", "pour", "dans"})
    en = sum(1 for w in words if w in {"the", "and", "of", "recommendation", "is", "for", "to", "in", "with"})
    return "fr" if fr > en else "en"


# --- dates -------------------------------------------------------------------

_ZH_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_EN_MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december"], 1)}
_FR_MONTHS = {m: i for i, m in enumerate(
    ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
     "octobre", "novembre", "décembre"], 1)}
_EN_DATE = re.compile(r"(\d{1,2})\s+(" + "|".join(_EN_MONTHS) + r")\s+(\d{4})", re.I)
_EN_DATE_US = re.compile(r"(" + "|".join(_EN_MONTHS) + r")\s+(\d{1,2}),\s*(\d{4})", re.I)
_FR_DATE = re.compile(r"(\d{1,2})(?:er)?\s+(" + "|".join(_FR_MONTHS) + r")\s+(\d{4})", re.I)


def parse_date(s: str) -> date | None:
    """The first full date in s, in Chinese, English or French form."""
    s = to_halfwidth(s)
    if m := _ZH_DATE.search(s):
        return date(int(m[1]), int(m[2]), int(m[3]))
    if m := _EN_DATE.search(s):
        return date(int(m[3]), _EN_MONTHS[m[2].lower()], int(m[1]))
    if m := _EN_DATE_US.search(s):
        return date(int(m[3]), _EN_MONTHS[m[1].lower()], int(m[2]))
    if m := _FR_DATE.search(s):
        return date(int(m[3]), _FR_MONTHS[m[2].lower()], int(m[1]))
    return None


# --- page furniture ----------------------------------------------------------

_FURNITURE = [
    re.compile(r"^\s*\d{1,3}\s*$"),  # page numbers
    re.compile(r"^\s*\d{2}-\d{5}\s*(\(C\))?\s*$"),  # UN job numbers 25-12345 (C)
    re.compile(r"^\s*GE\.\d{2}-\d+"),
    re.compile(r"^\s*第\s*\d+\s*页\s*$"),
    re.compile(r"^\s*\d+/\d+\s*$"),  # 3/12
]


def is_page_furniture(line: str) -> bool:
    return any(p.match(line) for p in _FURNITURE)
