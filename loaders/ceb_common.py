"""What the CEB loaders share: TOML lexicons, the page layout of UN documents
extracted from PDFs (numbered paragraphs, headings, footnotes, link lines),
and citations of documents and resolutions.

Everything language-specific is read from loaders/lexicons/{lang}/{kind}.toml;
this module holds only what is the same in every language (UN symbol forms,
the numbering rules of resolutions).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .base import SourceText
from .text import clean, is_page_furniture, to_halfwidth

LEXICON_DIR = Path(__file__).parent / "lexicons"


@lru_cache(maxsize=32)
def load_lexicon(kind: str, lang: str) -> dict | None:
    """The phrase lexicon of a document kind in one language, or None if there is none."""
    path = LEXICON_DIR / lang / f"{kind}.toml"
    if not path.is_file():
        return None
    with path.open("rb") as f:
        return tomllib.load(f)


def rx(pattern: str, flags: int = 0) -> re.Pattern:
    return _compile(pattern, flags)


@lru_cache(maxsize=512)
def _compile(pattern: str, flags: int) -> re.Pattern:
    return re.compile(pattern, flags)


def search_any(patterns, text: str, flags: int = 0) -> re.Match | None:
    """The earliest match of any of the patterns (a string or a list of them)."""
    if isinstance(patterns, str):
        patterns = [patterns]
    best = None
    for p in patterns:
        m = rx(p, flags).search(text)
        if m and (best is None or m.start() < best.start() or (m.start() == best.start() and m.end() > best.end())):
            best = m
    return best


# --- numbers -------------------------------------------------------------------

_ZH_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def parse_number(s: str, lex: dict | None = None) -> int | None:
    """An ordinal or cardinal as printed: '80', '八十', '八十届' or, with the
    lexicon's [numbers] words, 'eightieth', 'seventy-ninth', 'quatre-vingtième'."""
    s = to_halfwidth(s).strip()
    if m := re.search(r"\d+", s):
        return int(m.group())
    if any(c in _ZH_DIGITS or c in "十百" for c in s):
        total, cur = 0, 0
        for c in s:
            if c in _ZH_DIGITS:
                cur = _ZH_DIGITS[c]
            elif c == "十":
                total += (cur or 1) * 10
                cur = 0
            elif c == "百":
                total += (cur or 1) * 100
                cur = 0
        return total + cur or None
    words = (lex or {}).get("numbers", {}).get("words", {})
    if not words:
        return None
    # Longest-prefix segmentation over the number words, so that compounds
    # ('seventy-ninth', 'quatre-vingt-unième') need only their parts listed.
    rest, total, found = s.lower(), 0, False
    keys = sorted(words, key=len, reverse=True)
    while rest:
        rest = rest.lstrip(" -")
        if not rest:
            break
        for k in keys:
            if rest.startswith(k):
                total += words[k]
                rest = rest[len(k):]
                found = True
                break
        else:
            for joiner in (lex or {}).get("numbers", {}).get("joiners", []):
                if rest.startswith(joiner + " ") or rest.startswith(joiner + "-"):
                    rest = rest[len(joiner):]
                    break
            else:
                return None
    return total if found else None


# --- layout --------------------------------------------------------------------

_URL_LINE = re.compile(r"^\s*(?:https?://|www\.)\S+\s*$")
_RULE = re.compile(r"^\s*_{5,}\s*$")
_FOOTNOTE_START = re.compile(r"^\s*(?P<mark>\d{1,2}|\*{1,3})\s+(?P<text>\S.*)$")
_LINK_SYMBOL = re.compile(r"^\s*https?://(?:undocs\.org|docs\.un\.org)/(?:[a-z]{2}/)?(?P<symbol>\S+?)\s*$")


@dataclass
class Footnote:
    mark: str
    start_line: int
    end_line: int
    lines: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return clean("\n".join(self.lines))


@dataclass
class Block:
    """A run of body lines: a numbered paragraph, a heading or the lines in between."""

    kind: str  # 'para', 'section', 'subsection', 'subheading', 'rec', 'text'
    start_line: int
    end_line: int
    lines: list[tuple[int, str]]
    number: str | None = None  # paragraph or recommendation number, as printed
    text: str = ""  # cleaned, footnote marks removed


@dataclass
class Layout:
    blocks: list[Block]
    footnotes: list[Footnote]
    links: list[tuple[int, str]]  # (line, URL)


def read_layout(source: SourceText, lex: dict) -> Layout:
    """Split the text into body blocks, footnotes and link lines.

    PDF extraction puts each page's footnotes after a rule of underscores and
    the page's hyperlinks after them, one URL a line; the body resumes after
    the URLs, often in the middle of a sentence. Footnote marks in the body
    ('报告(JIU/REP/2024/4)1 从…', 'guidance,2 such as') are removed from the
    cleaned text when the number is one of the document's footnotes.
    """
    layout_lex = lex.get("layout", {})
    starts = [(kind, rx(p)) for kind, p in layout_lex.get("starts", {}).items()]
    footnotes: list[Footnote] = []
    links: list[tuple[int, str]] = []
    body: list[tuple[int, str]] = []
    in_notes, seen_url = False, False
    for i, raw in enumerate(source.lines, 1):
        line = to_halfwidth(raw)
        if not line.strip() or is_page_furniture(line):
            continue
        if _URL_LINE.match(line):
            links.append((i, line.strip()))
            seen_url = True
            continue
        if _RULE.match(line):
            in_notes, seen_url = True, False
            continue
        if in_notes:
            if seen_url or any(kind in ("para", "section") and p.match(line) for kind, p in starts):
                in_notes = False
            else:
                m = _FOOTNOTE_START.match(line)
                if m:
                    footnotes.append(Footnote(m["mark"], i, i, [m["text"]]))
                elif footnotes:
                    footnotes[-1].lines.append(line)
                    footnotes[-1].end_line = i
                continue
        m = _FOOTNOTE_START.match(line)
        if m and m["mark"].startswith("*"):
            footnotes.append(Footnote(m["mark"], i, i, [m["text"]]))
            continue
        body.append((i, line))

    marks = {f.mark for f in footnotes if f.mark.isdigit()}
    blocks: list[Block] = []
    for i, line in body:
        kind = number = None
        for k, p in starts:
            if m := p.match(line):
                kind, number = k, m.groupdict().get("number")
                break
        if kind is None and blocks:
            blocks[-1].lines.append((i, line))
            blocks[-1].end_line = i
            continue
        blocks.append(Block(kind or "text", i, i, [(i, line)], number))
    for b in blocks:
        b.text = clean("\n".join(strip_marks(line, marks) for _, line in b.lines))
    return Layout(blocks, footnotes, links)


_MARK = re.compile(r"(?<=[\u4e00-\u9fff，。；：、）)”》.,;:])(?<!\d\.)(?P<marks>\d{1,2}(?:[、,]\d{1,2})*)(?=\s|$)")


def strip_marks(line: str, marks: set[str]) -> str:
    """Remove footnote reference marks whose numbers are footnotes of the document."""

    def repl(m: re.Match) -> str:
        nums = re.split(r"[、,]", m["marks"])
        return "" if all(n in marks for n in nums) else m.group()

    return _MARK.sub(repl, line)


# --- corrections -----------------------------------------------------------------

def apply_corrections(text: str, lex: dict) -> tuple[str, list[dict]]:
    """Known translation or extraction slips listed in the lexicon ([[correction]]),
    fixed in the text used for matching (never in the passages)."""
    applied = []
    for c in lex.get("correction", []):
        if c["wrong"] in text:
            text = text.replace(c["wrong"], c["right"])
            applied.append(c)
    return text, applied


# --- citations -------------------------------------------------------------------

# UN document symbols, language-independent: series/…/number with optional
# addenda, revisions, corrigenda; E/RES/2008(LX), S/RES/2388(2017).
SYMBOL = re.compile(
    r"(?<![A-Za-z0-9/])(?P<symbol>(?:A|E|S|CEB|JIU)(?:/[A-Z]+)*(?:/\d+(?:\s?\((?:[IVXLC]+|\d{4})\))?)+"
    r"(?:/(?:Add|Rev|Corr)\.\d+)*)"
)
_RES_NUMBER = re.compile(r"(?P<a>\d{1,4})\s*/\s*(?P<b>\d{1,4})|(?P<n>\d{1,4})\s*\(\s*(?P<s>[IVXLC]+|\d{4})\s*\)")


@dataclass
class Citation:
    symbol: str
    resolution: bool
    adopted_by: str | None  # reference acronym of the organ, when a resolution
    start_line: int
    end_line: int


def resolution_symbol(number: str, organ: str | None) -> tuple[str | None, str | None]:
    """The symbol of a resolution cited by number, by the UN numbering rules:
    GA resolutions since the 31st session are session/number (76/233 ->
    A/RES/76/233); ECOSOC's since 1978 year/number (2022/15 -> E/RES/2022/15);
    the Security Council's number (year) (2388 (2017) -> S/RES/2388(2017));
    older GA and ECOSOC ones number (session in Roman numerals), told apart by
    the organ named. Returns (symbol, organ series) or (None, None)."""
    m = _RES_NUMBER.fullmatch(number.strip())
    if not m:
        return None, None
    if m["a"]:
        series = "E" if len(m["a"]) == 4 else "A"
        return f"{series}/RES/{int(m['a'])}/{int(m['b'])}", series
    if m["s"].isdigit():
        return f"S/RES/{int(m['n'])}({m['s']})", "S"
    series = organ if organ in ("A", "E") else None
    if series is None:
        return None, None
    return f"{series}/RES/{int(m['n'])}({m['s']})", series


def find_citations(text: str, lex: dict) -> list[tuple[str, str | None]]:
    """Symbols printed in `text` and resolutions cited by number:
    [(symbol, organ series or None)] in order of appearance."""
    out: list[tuple[int, str, str | None]] = []
    for m in SYMBOL.finditer(text):
        sym = re.sub(r"\s+", "", m["symbol"])
        out.append((m.start(), sym, sym.split("/")[0] if "/RES/" in sym else None))
    cit = lex.get("citations", {})
    organs = cit.get("organs", {})
    for m in rx(cit.get("resolutions", r"(?!x)x")).finditer(text):
        before = text[max(0, m.start() - int(cit.get("organ_window", 40))): m.start() + 1]
        organ, pos = None, -1
        for series, names in organs.items():
            for name in names:
                p = before.rfind(name)
                if p > pos:
                    organ, pos = series, p
        for n in _RES_NUMBER.finditer(m["list"]):
            sym, series = resolution_symbol(n.group(), organ)
            if sym:
                out.append((m.start() + n.start(), sym, series))
    out.sort(key=lambda t: t[0])
    return [(s, o) for _, s, o in out]


def link_symbol(url: str) -> str | None:
    """The document symbol of an undocs.org / docs.un.org link."""
    m = _LINK_SYMBOL.match(url)
    return m["symbol"] if m and SYMBOL.fullmatch(m["symbol"]) else None
