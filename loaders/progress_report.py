"""An organisation's progress report on JIU recommendations (e.g. WIPO's WO/PBC/38/2).

One module for every layout and language: the words live in the TOML lexicons
(loaders/lexicons/{lang}/progress_report.toml and common.toml), the layouts in
two small tokenizers that feed one state machine and one record model:

* PDF text: one line of the page per line, blank lines between; each record
  repeats its report header ("JIU/REP/2024/3" + title); status-change notes
  ("之前为“正在审议”", "与之前状态相比无变化", "评估已更新") and the unjiu.org
  links are drawn in boxes and annotations, so the extraction puts them at
  the END OF THE PAGE, after the page's records.
* Markdown: tab-separated rows ("接受情况<TAB>已接受<TAB>之前为“正在落实”"),
  pipe rows, and HTML rows (`<p>` label cells beside `<p>` value cells, notes
  in a `<div>`); notes stand in the record's own rows or in a paragraph right
  after it.

Assignment of page-end floats (PDF text), worked out from the layout:

* A page is the run of lines up to the end of a block of float lines (note
  lines and link lines); its records are those whose "建议 N" line is on it.
* Links name their report in the file name (jiu_rep_2024_3_part_i_english_0.pdf
  → JIU/REP/2024/3; jiu_note_2022_1_rev.1.pdf → JIU/NOTE/2022/1/Rev.1): each
  goes to the records of that report on its page (a record may get the part I
  and part II links). A link matching no record on its page is a warning.
* Notes come in the order of the records they belong to. A record that is new
  in this report (its JIU publication was issued since the previous report)
  can have none. "之前为X" (previous status X) fits only a record whose current
  value on X's dimension (acceptance or implementation) differs from X, and a
  record has at most one per dimension; "无变化" (unchanged) excludes
  "之前为"; "评估已更新" (assessment updated) continues the group of the note
  before it. Among the order-preserving assignments that respect this, the one
  giving a note to the most records wins; a tie between different
  assignments is reported as a warning (the first is kept).

Cross-references "参见上文建议 4" / "请参见上文对建议 2 的评估" (see the
assessment of recommendation N above): when the record has no deferral phrase
of its own but the recommendation it points to (same publication, same
document) was deferred to a mechanism, the record inherits that deferral, the
cross-reference being its evidence; when the record has its own phrase, that
phrase is the evidence and the cross-reference adds nothing. A reference to a
recommendation that is not deferred carries nothing (WO/PBC/38/2,
JIU/REP/2023/4 recs 9 and 10 → rec 2, an implemented one).

Deferral is read only from the lexicon's phrases, which say the matter will
be handled through or in the framework of a mechanism. Two borderline
assessments are deliberately not deferrals: JIU/NOTE/2022/1/Rev.1 rec 2
("这项建议应在整个联合国系统一级实施，产权组织将乐于参与": system-wide
level, no mechanism, not accepted) and JIU/REP/2019/5 rec 1 in WO/PBC/35/2
("该方法将由数字和技术网（DTN）云采用分组确定": the DTN designs an approach
while WIPO, status in progress, keeps implementing it; the DTN's group is a mention, below). The mechanism
deferred to is the one the deferral phrases themselves name (the most specific,
deepest in the reference data, if several), else jiu:UnspecifiedInterAgencyMechanism
("这项建议将通过机构间机制进行处理" names none; the CEB is never assumed).
Every mechanism the recommendation text or the assessment names is also
recorded as a jiu:MechanismMention with its sentence (loaders.mechanisms).
The channel a recommendation is to be implemented through is
another matter, read by loaders.mechanisms.implementation_channel, which the
CEB-comments loader shares: the mechanism named in the recommendation's own
"通过 / 作为……成员 / 在……框架内" phrase.

Self-checks (each mismatch a LoadWarning with document and line): the
annex counts and new counts stated in the introduction, "均为“正在审议”"
style claims, the paragraph on outstanding recommendations, the proposed
decision against the records (listed but not read or still outstanding;
closed but not listed), the active-report listing's outstanding counts and
addressees against the outstanding records, duplicated review codes,
incomplete records. Completeness (loaders.completeness, fatal warnings: the
pipeline then refuses to replace stored data with less): the document's own
symbol, every annex the body announces ("附件四列出了……", "[后接附件三]"), and
the closing line of the last one ("[附件四和文件完]").
"""

from __future__ import annotations

import re
import tomllib
from bisect import bisect_right
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date
from functools import lru_cache
from itertools import product
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, ORG, RDF, RDFS, SKOS, TIME, XSD

from jiukg.namespaces import (
    JIU, LANG, concept, instant_iri, listing_iri, normalize_symbol, rec_iri, review_iri,
    session_iri, status_iri,
)
from jiukg.ontology import reference_graph

from . import completeness, reference
from .base import Extraction, Loader, LoadWarning, SourceText
from .completeness import Expectation, last_line
from .mechanisms import UNSPECIFIED, add_mentions, implementation_channel, mechanism_pattern
from .emit import date_literal, derived, document, new_graph
from .text import clean, detect_language, is_page_furniture, parse_date, to_halfwidth

LEXICON_DIR = Path(__file__).parent / "lexicons"

JIU_SYMBOL = r"JIU/(?:REP|NOTE|ML)/\d{4}/\d+(?:\s*/?\s*Rev\.?\s*\d+)?"
_JIU_SYMBOL_AT_START = re.compile(rf"^(?P<symbol>{JIU_SYMBOL})(?P<rest>(?:[^\d/].*)?)$")
_ANY_JIU_SYMBOL = re.compile(JIU_SYMBOL)
_DOC_SYMBOL_LINE = re.compile(r"^[A-Z]{1,6}(?:/[A-Z0-9.]+)+(?:\s*Rev\.?\s*\d*)?$")
_UN_SYMBOL = re.compile(r"(?<![A-Za-z0-9/])[A-Z]{1,6}(?:/[A-Za-z0-9.]+){2,}(?:/(?:Add|Rev|Corr)\.\s*\d+)?")
_LINK_LINE = re.compile(r"^\s*(?P<url>https?://\S*unjiu\.org\S*)\s*$")
_LINK_REPORT = re.compile(r"jiu[_-](?P<kind>rep|note|ml)[_-](?P<year>\d{4})[_-](?P<n>\d+)(?:[_-]rev\.?[_-]?(?P<rev>\d+))?", re.I)
_MD_LINK = re.compile(r"\[(?P<label>[^\]]*)\]\((?P<url>[^)]*)\)")
_HTML_P = re.compile(r"<p>(.*?)</p>", re.S)
_HTML_DIV = re.compile(r"<div[^>]*>(.*?)</div>", re.S)
_TAG = re.compile(r"<[^>]+>")
_CJK_EDGE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff01-\uff65\u2018-\u201d\u2014\u2026]")
_BRACKETS = "()（）[]【】"



# --- lexicons -----------------------------------------------------------------

def _toml(lang: str, name: str) -> dict:
    p = LEXICON_DIR / lang / f"{name}.toml"
    if not p.is_file():
        return {}
    with p.open("rb") as f:
        return tomllib.load(f)


class Lexicon:
    """The phrases of one language, compiled."""

    def __init__(self, lang: str):
        self.lang = lang
        c, p = _toml(lang, "common"), _toml(lang, "progress_report")
        if not p:
            raise KeyError(lang)
        f = re.I | re.M if lang != "zh" else re.M

        def rx(s: str) -> re.Pattern:
            return re.compile(mechanism_pattern(s), f)

        def rxs(v) -> list[re.Pattern]:
            return [rx(s) for s in ([v] if isinstance(v, str) else v)]

        self.acceptance = sorted(c["acceptance"].items(), key=lambda kv: -len(kv[0]))
        self.implementation = sorted(c["implementation"].items(), key=lambda kv: -len(kv[0]))
        self.addressee = c["addressee"]
        sc = c["status_change"]
        self.note_previous, self.note_unchanged, self.note_updated = rxs(sc["previous"]), rxs(sc["unchanged"]), rxs(sc["updated"])
        self.numerals = c.get("numerals", {})
        self.deferral = rxs(c["deferral"]["patterns"])
        self.deadline = rxs(c["deadline"]["patterns"])
        self.months = {k.casefold(): v for k, v in c.get("months", {}).items()}

        r = p["recognise"]
        self.rec_title, self.rec_markers = rxs(r["title"]), rxs(r["markers"])
        h = p["header"]
        self.original_language = rx(h["original_language"])
        self.languages = {k.casefold(): v for k, v in h["languages"].items()}
        self.prepared = rx(h["prepared"])
        self.date_label, self.session, self.session_dates = rx(h["date"]), rx(h["session"]), rx(h["session_dates"])
        b = p["body"]
        self.previous_report, self.sentence_end = rxs(b["previous_report"]), rx(b["sentence_end"])
        self.annex_count, self.annex_new, self.annex_all_status = rx(b["annex_count"]), rx(b["annex_new"]), rx(b["annex_all_status"])
        self.outstanding_sentence, self.outstanding_pair = rx(b["outstanding_sentence"]), rx(b["outstanding_pair"])
        self.review_row = rx(b["review_row"])
        d = p["decision"]
        self.approve, self.decision_item, self.decision_end = rxs(d["approve"]), rx(d["item"]), rxs(d["end"])
        self.own_symbol = rxs(d["own_symbol"])
        a = p["annex"]
        self.annex_follows, self.annex_title, self.annex_end = rx(a["follows"]), rx(a["title"]), rx(a["end"])
        self.annex_announced, self.annex_end_text, self.annex_name = rx(a["announced"]), a["end_text"], a["name"]
        self.records_heading, self.as_at, self.from_note = rx(a["records_heading"]), rx(a["as_at"]), rx(a["from_note"])
        self.listing_heading, self.listing_count = rx(a["listing_heading"]), rx(a["listing_count"])
        self.listing_columns = {k: rx(v) for k, v in a["listing_columns"].items()}
        rc = p["records"]
        self.section, self.intro, self.new = rx(rc["section"]), rx(rc["intro"]), rx(rc["new"])
        self.recommendation = rx(rc["recommendation"])
        self.quoted_title, self.continued = rx(rc["quoted_title"]), rx(rc["continued"])
        self.title_link_labels, self.see_above = rx(rc["title_link_labels"]), rx(rc["see_above"])
        self.fields: list[tuple[str, str]] = sorted(
            ((label, key) for key, labels in rc["fields"].items() for label in labels), key=lambda kv: -len(kv[0]))
        labels = "|".join(re.escape(lbl) for lbl, _ in self.fields)
        self.field_line = re.compile(rf"^(?P<label>{labels})\s*[:：]\s*(?P<value>.*)$", f)
        self.field_cell = re.compile(rf"^(?P<label>{labels})\s*[:：]?$", f)
        self.flags = f

    # -- values -------------------------------------------------------------
    def field_key(self, label: str) -> str:
        for lbl, key in self.fields:
            if lbl.casefold() == label.casefold():
                return key
        raise KeyError(label)

    def status(self, dim: str, value: str) -> tuple[str | None, str]:
        """(notation, rest of the value) for a value printed as acceptance or implementation."""
        table = self.acceptance if dim == "acceptance" else self.implementation
        v = value.strip()
        for phrase, notation in table:
            if v.casefold().startswith(phrase.casefold()):
                return notation, v[len(phrase):].strip()
        return None, v

    def dimension_of(self, value: str) -> tuple[str, str] | None:
        """('acceptance'|'implementation', notation) of a status value named in a note."""
        v = value.strip().casefold()
        for dim, table in (("acceptance", self.acceptance), ("implementation", self.implementation)):
            for phrase, notation in table:
                if v == phrase.casefold():
                    return dim, notation
        return None

    def addressee_of(self, word: str) -> str | None:
        for w, notation in self.addressee.items():
            if w.casefold() == word.strip().casefold():
                return notation
        return None

    def number(self, s: str) -> int | None:
        """An integer written in digits, Roman numerals, Chinese numerals or words."""
        s = to_halfwidth(s).strip().strip(".")
        if s.isdigit():
            return int(s)
        if re.fullmatch(r"[IVXLC]+", s):
            vals, total = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}, 0
            for i, ch in enumerate(s):
                v = vals[ch]
                total += -v if i + 1 < len(s) and vals[s[i + 1]] > v else v
            return total
        digits, mults = self.numerals.get("digits", {}), self.numerals.get("multipliers", {})
        if digits and all(ch in digits or ch in mults for ch in s):
            total, cur = 0, 0
            for ch in s:
                if ch in digits:
                    cur = digits[ch]
                else:
                    total += (cur or 1) * mults[ch]
                    cur = 0
            return total + cur
        words = {k.casefold(): v for k, v in self.numerals.get("words", {}).items()}
        skip = {w.casefold() for w in self.numerals.get("connectives", [])}
        toks = [t for t in re.split(r"[\s\-‑]+", s.casefold()) if t and t not in skip]
        if toks and all(t in words for t in toks):
            return sum(words[t] for t in toks)
        return None

    def month(self, s: str | None) -> int | None:
        if s is None:
            return None
        if s.isdigit():
            return int(s)
        return self.months.get(s.casefold())


@lru_cache(maxsize=8)
def lexicon(lang: str) -> Lexicon:
    return Lexicon(lang)


# --- the record model ---------------------------------------------------------

@dataclass
class Record:
    """One recommendation as the progress report presents it, with its status."""

    report: str  # canonical symbol of the JIU publication
    report_title: str | None
    number: int
    text: str = ""
    annex: int | None = None
    addressee: str | None = None  # notation, scheme addressee
    from_note: bool = False
    as_of: str | None = None
    is_new: bool = False
    acceptance: str | None = None
    acceptance_qualifier: str | None = None
    implementation: str | None = None
    responsible: str | None = None
    assessment: str | None = None
    deadlines: list[list[str]] = field(default_factory=list)  # [deadline text, ISO date]
    channel: list[str] = field(default_factory=list)  # IRIs of the mechanisms (loaders.mechanisms)
    channel_evidence: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    previous_acceptance: str | None = None
    previous_implementation: str | None = None
    unchanged: bool = False
    assessment_updated: bool = False
    links: list[str] = field(default_factory=list)
    deferred_to: str | None = None
    deferral_evidence: list[str] = field(default_factory=list)
    proposed: bool | None = None
    start_line: int = 0
    end_line: int = 0
    text_end_line: int = 0
    note_lines: list[int] = field(default_factory=list)
    # working state, not part of the result
    _fields: dict = field(default_factory=dict, repr=False)
    _field: str | None = field(default=None, repr=False)

    @property
    def outstanding(self) -> bool:
        return self.acceptance == "under-consideration" or (
            self.acceptance == "accepted" and self.implementation != "implemented")

    @property
    def closed(self) -> bool:
        return self.acceptance in ("not-accepted", "not-relevant") or (
            self.acceptance == "accepted" and self.implementation == "implemented")

    def result(self) -> dict:
        d = asdict(self)
        for k in ("_fields", "_field", "note_lines"):
            d.pop(k, None)
        return d


@dataclass
class Review:
    code: str
    title: str
    year: str
    line: int


@dataclass
class Listing:
    report: str
    title: str
    outstanding: int | None
    addressees: list[str]
    ceb_documents: list[str]
    ceb_comments: str  # the CEB-comments cell as printed, symbols aside (a link label where the layout keeps cells)
    other: str  # the other-documents cell (PDF text: whatever follows the count, symbols aside)
    links: list[str]
    start_line: int
    end_line: int


@dataclass
class ProgressReport:
    symbol: str | None = None
    lang: str = "zh"
    layout: str = "pdf-text"
    title: str | None = None
    issued: str | None = None
    original_language: str | None = None
    body: str | None = None
    session: int | None = None
    session_start: str | None = None
    session_end: str | None = None
    session_label: str | None = None
    reporting_org: str | None = None
    prepared_by_secretariat: bool = False
    previous_reports: list[str] = field(default_factory=list)
    previous_printed: dict = field(default_factory=dict)  # canonical symbol -> as printed ("WO/PBC/37/6 Rev.")
    publications: dict = field(default_factory=dict)  # symbol -> {'title', 'issued', 'new'}
    records: list[Record] = field(default_factory=list)
    reviews: list[Review] = field(default_factory=list)
    listings: list[Listing] = field(default_factory=list)
    decision: dict = field(default_factory=dict)  # report symbol -> [numbers]
    decision_found: bool = False
    end_marker: bool = False
    stated: dict = field(default_factory=dict)  # for tests: what the text says about itself

    def result(self) -> dict:
        """Plain data for tests and the expected-records files."""
        return {
            "symbol": self.symbol, "lang": self.lang, "layout": self.layout, "title": self.title,
            "issued": self.issued, "original_language": self.original_language, "body": self.body,
            "session": self.session, "session_start": self.session_start, "session_end": self.session_end,
            "reporting_org": self.reporting_org, "previous_reports": self.previous_reports,
            "publications": self.publications,
            "decision": self.decision, "stated": self.stated,
            "records": [r.result() for r in self.records],
            "reviews": [asdict(r) for r in self.reviews],
            "listings": [asdict(x) for x in self.listings],
        }


# --- tokenizing: lines to rows -----------------------------------------------

@dataclass
class Row:
    kind: str
    line: int
    value: object = None
    extra: object = None
    cells: list[str] | None = None  # the cells of a tab or pipe row, cleaned, when the layout keeps them


def _note_tokens(lex: Lexicon, text: str) -> list[tuple[str, str | None, str]] | None:
    """The notes a piece of text consists of — [(kind, value, words)] — or None if it holds anything else."""
    out, pos, s = [], 0, text.strip()
    while pos < len(s):
        while pos < len(s) and s[pos] in " \t":
            pos += 1
        if pos >= len(s):
            break
        for kind, pats in (("previous", lex.note_previous), ("unchanged", lex.note_unchanged), ("updated", lex.note_updated)):
            m = next((m for p in pats if (m := p.match(s, pos))), None)
            if m:
                out.append((kind, m.groupdict().get("value"), m.group(0)))
                pos = m.end()
                break
        else:
            return None
    return out or None


def _split_notes(lex: Lexicon, value: str) -> tuple[str, list[tuple[str, str | None, str]]]:
    """A field value without the notes printed inside it, and those notes."""
    notes = []
    for kind, pats in (("previous", lex.note_previous), ("unchanged", lex.note_unchanged), ("updated", lex.note_updated)):
        for p in pats:
            for m in p.finditer(value):
                notes.append((m.start(), kind, m.groupdict().get("value"), m.group(0)))
    for _, _, _, words in notes:
        value = value.replace(words, " ")
    return re.sub(r"\s{2,}", " ", value).strip(), [(k, v, w) for _, k, v, w in sorted(notes)]


class Tokenizer:
    """Lines to rows. The PDF-text and Markdown layouts differ only in how a
    line splits into cells; what a cell says is read the same way."""

    def __init__(self, lex: Lexicon, markdown: bool):
        self.lex, self.markdown = lex, markdown

    def rows(self, no: int, raw: str) -> list[Row]:
        lex = self.lex
        if self.markdown:
            links = [m["url"] for m in _MD_LINK.finditer(raw) if _LINK_LINE.match(m["url"])]
            raw_ = _MD_LINK.sub("", raw)
            out = [Row("link", no, u) for u in links]
            if "<p>" in raw_:
                return self._html_row(no, raw_) + out
            line = raw_.strip()
            if line.startswith("|") and line.endswith("|"):
                cells = [c for c in line.strip("|").split("|")]
                if all(re.fullmatch(r"\s*:?-{2,}:?\s*", c) for c in cells):
                    return out
            else:
                cells = raw_.split("\t")
            cells = [clean(c) for c in cells]
            while cells and not cells[-1]:
                cells.pop()
            if len(cells) >= 2:
                m = lex.recommendation.match(cells[0])
                if m and not m["rest"].strip(" :："):
                    return [Row("rec", no, int(m["n"]), " ".join(cells[1:]))] + out
                m = lex.field_cell.match(cells[0])
                if m:
                    return [Row("field", no, lex.field_key(m["label"]), " ".join(cells[1:]))] + out
            rows = self._line_rows(no, raw_, " ".join(cells))
            if len(cells) >= 2:
                for r in rows:
                    r.cells = cells
            return rows + out
        return self._line_rows(no, raw, clean(raw))

    def _html_row(self, no: int, raw: str) -> list[Row]:
        """`<p>建议 5</p> <p>管理层/联络点评估</p> …<TAB><p>text</p> <p>…</p> … <div>note</div>`."""
        lex = self.lex
        cells = raw.split("\t")
        notes = [clean(_TAG.sub("", d)) for c in cells for d in _HTML_DIV.findall(c)]
        ps = [[clean(_TAG.sub("", p)) for p in _HTML_P.findall(_HTML_DIV.sub("", c))] for c in cells]
        ps = [c for c in ps if c]
        rows: list[Row] = []
        if len(ps) >= 2:
            labels, values = ps[0], ps[1]
            m = lex.recommendation.match(labels[0]) if labels else None
            keys = []
            for lbl in labels[1:]:
                fm = lex.field_cell.match(lbl)
                keys.append(lex.field_key(fm["label"]) if fm else None)
            if m and all(keys):
                names = ["rec"] + keys
                k = len(names)
                if "assessment" in names and len(values) > k:
                    ia = names.index("assessment")
                    tail = k - ia - 1
                    head_vals = values[:ia]
                    mid = values[ia:len(values) - tail]
                    tail_vals = values[len(values) - tail:] if tail else []
                    values = head_vals + ["\n".join(mid)] + tail_vals
                for name, val in zip(names, values):
                    if name == "rec":
                        rows.append(Row("rec", no, int(m["n"]), val))
                    else:
                        rows.append(Row("field", no, name, clean(val)))
                if len(values) < k:
                    rows.append(Row("warning", no, f"HTML row has {len(values)} values for {k} labels"))
        if not rows:
            text = clean(_TAG.sub(" ", raw))
            rows = self._line_rows(no, raw, text)
        for n in notes:
            toks = _note_tokens(lex, n)
            rows.append(Row("notes", no, toks) if toks else Row("text", no, n))
        return rows

    def _line_rows(self, no: int, raw: str, text: str) -> list[Row]:
        lex = self.lex
        if not text:
            return [Row("blank", no)]
        if m := _LINK_LINE.match(raw):
            return [Row("link", no, m["url"])]
        if is_page_furniture(raw) or re.fullmatch(r"[¹²³⁴⁵⁶⁷⁸⁹⁰\d]{1,2}", text):
            return [Row("furniture", no)]
        if toks := _note_tokens(lex, text):
            return [Row("notes", no, toks)]
        if m := lex.annex_end.match(text):
            return [Row("annex_end", no, lex.number(m["n"]), m["n"])]
        if m := lex.annex_follows.match(text):
            return [Row("annex_follows", no, lex.number(m["n"]) if m["n"] else 1, m["n"] or None)]
        if m := lex.annex_title.match(text):
            return [Row("annex_title", no, lex.number(m["n"]), m["n"])]
        if m := lex.records_heading.match(text):
            return [Row("records_heading", no, lex.addressee_of(m["addressee"]))]
        if m := lex.as_at.match(text):
            return [Row("as_at", no, parse_date(m["date"]), bool(lex.from_note.search(m["rest"] or "")))]
        if lex.listing_heading.search(text):
            return [Row("listing_heading", no, parse_date(text))]
        if m := lex.section.match(text):
            return [Row("section", no, m["year"])]
        if m := lex.intro.match(text):
            return [Row("intro", no, parse_date(m["date"]), bool(lex.new.search(text)))]
        if m := _JIU_SYMBOL_AT_START.match(text):
            return [Row("report", no, normalize_symbol(m["symbol"]), m["rest"].strip())]
        if m := lex.recommendation.match(text):
            rest = text[m.end("n"):].lstrip()
            if not rest or rest[0] in ":：":
                return [Row("rec", no, int(m["n"]), rest.lstrip(":： "))]
        if m := lex.field_line.match(text):
            return [Row("field", no, lex.field_key(m["label"]), m["value"].strip())]
        return [Row("text", no, text)]


# --- joined text with a map back to lines -------------------------------------

class Joined:
    """Cleaned lines joined as one text (no space where Chinese meets), with offsets mapped back to lines."""

    def __init__(self, items: list[tuple[int, str]]):
        self.text, self._starts, self._lines = "", [], []
        for no, piece in items:
            piece = piece.strip()
            if not piece:
                continue
            if self.text and not (_CJK_EDGE.match(self.text[-1]) or _CJK_EDGE.match(piece[0])):
                self.text += " "
            self._starts.append(len(self.text))
            self._lines.append(no)
            self.text += piece

    def offset_of(self, line: int) -> int:
        """Offset of the first piece from `line` or after it."""
        i = next((k for k, ln in enumerate(self._lines) if ln >= line), None)
        return self._starts[i] if i is not None else len(self.text)

    def line_at(self, offset: int) -> int | None:
        i = bisect_right(self._starts, offset) - 1
        return self._lines[i] if i >= 0 else None


# --- reading ------------------------------------------------------------------

def _named(text: str, cls: URIRef) -> list[tuple[int, str, URIRef]]:
    """Reference resources of class `cls` named in `text`, as (position, name, IRI), in text order."""
    return reference.find_names(text, cls)


def _depth(iri: URIRef) -> int:
    g, d, seen = reference_graph(), 0, {iri}
    cur = iri
    while (parent := g.value(cur, ORG.subOrganizationOf)) is not None and parent not in seen:
        seen.add(parent)
        cur, d = parent, d + 1
    return d


def _most_specific(text: str) -> URIRef | None:
    hits = _named(text, JIU.InterAgencyMechanism)
    if not hits:
        return None
    return max(hits, key=lambda h: (_depth(h[2]), -h[0]))[2]



def _link_report(url: str) -> str | None:
    """The JIU publication whose text a link points to (not its highlights or annexes)."""
    if "highlight" in url.casefold():
        return None
    m = _LINK_REPORT.search(url)
    if not m:
        return None
    sym = f"JIU/{m['kind'].upper()}/{m['year']}/{int(m['n'])}"
    return sym + (f"/Rev.{m['rev']}" if m["rev"] else "")


def _unbracket(s: str) -> str:
    s = s.strip()
    while len(s) >= 2 and s[0] in _BRACKETS and s[-1] in _BRACKETS:
        s = s[1:-1].strip()
    return s


class _Reader:
    """One pass over a document: body (header, paragraphs, reviews, decision), then annexes."""

    def __init__(self, text: SourceText, lex: Lexicon, markdown: bool):
        self.src, self.lex, self.markdown = text, lex, markdown
        self.doc = ProgressReport(lang=lex.lang, layout="markdown" if markdown else "pdf-text")
        self.warnings: list[tuple[int | None, str, bool]] = []
        self.expectations: list[Expectation] = []  # what the document must contain (loaders.completeness)
        self._announced: dict[int, tuple[str, int | None]] = {}  # annexes the body announces: n -> (as printed, line)
        self._annex_labels: dict[int, tuple[str, int]] = {}  # annexes named by '[后接附件N]', titles, the end line
        self._annexes_read: set[int] = set()
        self._listing_header: list[str | None] | None = None  # column keys of the active-report table, if printed
        tok = Tokenizer(lex, markdown)
        self.rows: list[Row] = []
        for i, raw in enumerate(text.lines, 1):
            self.rows.extend(tok.rows(i, raw))

    def warn(self, line: int | None, message: str, fatal: bool = False):
        self.warnings.append((line, message, fatal))

    # -- body --------------------------------------------------------------
    def read(self) -> ProgressReport:
        starts = {"annex_follows", "annex_title", "records_heading", "listing_heading"}
        body_end = next((i for i, r in enumerate(self.rows) if r.kind in starts), len(self.rows))
        self._body(self.rows[:body_end])
        self._pages: list[tuple[list[Record], list[Row]]] = []
        self._annexes(self.rows[body_end:])
        for recs, floats in self._pages:
            self._assign_floats(recs, floats)
        self._resolve()
        self._check()
        self._completeness()
        return self.doc

    def _row_text(self, r: Row) -> str | None:
        if r.kind == "text":
            return r.value
        if r.kind in ("blank", "furniture", "link", "notes"):
            return None
        return clean(self.src.lines[r.line - 1].replace("\t", " "))

    def _body(self, rows: list[Row]):
        lex, doc = self.lex, self.doc
        items = []
        seen = set()
        for r in rows:
            if r.line in seen:
                continue
            seen.add(r.line)
            t = self._row_text(r)
            if t:
                items.append((r.line, t))
        # header: everything before the title
        title_at = None
        for idx, (no, t) in enumerate(items[:60]):
            if any(p.search(t) for p in lex.rec_title):
                title_at = idx
                doc.title = t
                break
        header = items[:title_at] if title_at is not None else items[:12]
        for no, t in header:
            if doc.symbol is None and _DOC_SYMBOL_LINE.match(t) and not t.startswith("JIU/"):
                doc.symbol = normalize_symbol(t)
            if m := lex.original_language.search(t):
                doc.original_language = lex.languages.get(m["lang"].strip().casefold(), doc.original_language)
            if lex.date_label.search(t) and (d := parse_date(t)):
                doc.issued = d.isoformat()
            if m := lex.session.search(t):
                doc.session = lex.number(m["n"])
                doc.session_label = t
            if m := lex.session_dates.search(to_halfwidth(t)):
                y, gd = int(m["y"]), m.groupdict()
                m1, m2 = lex.month(gd.get("m1")), lex.month(gd.get("m2"))
                m1, m2 = m1 or m2, m2 or m1
                try:
                    doc.session_start = date(y, m1, int(m["d1"])).isoformat()
                    doc.session_end = date(y, m2, int(m["d2"])).isoformat()
                except (TypeError, ValueError):
                    self.warn(no, f"session dates not understood: {t!r}")
        after = items[title_at + 1:] if title_at is not None else items
        for no, t in after[:3]:
            if lex.prepared.search(t):
                doc.prepared_by_secretariat = True
        head_text = " ".join(t for _, t in header)
        bodies = _named(head_text, JIU.GoverningBody)
        if bodies:
            doc.body = str(bodies[0][2])
        elif header:
            self.warn(header[0][0], "no governing body named in the header")
        if title_at is None:
            self.warn(items[0][0] if items else None, "no title of a progress report on JIU recommendations found")
        # the reporting organisation: named earliest in paragraph 1
        para1 = []
        for no, t in after:
            if para1 and re.match(r"^\s*[2２]\s*[.．]", t):
                break
            if para1 or re.match(r"^\s*[1１]\s*[.．]", t):
                para1.append((no, t))
        orgs = _named(Joined(para1).text, JIU.ParticipatingOrganization)
        if orgs:
            doc.reporting_org = str(orgs[0][2])
        else:
            self.warn(para1[0][0] if para1 else None, "no reporting organisation named in paragraph 1")

        j = Joined(after)
        jt = j.text
        for p in lex.previous_report:
            for m in p.finditer(jt):
                sym = normalize_symbol(m["symbol"])
                if sym not in doc.previous_reports:
                    doc.previous_reports.append(sym)
                    doc.previous_printed[sym] = m["symbol"].strip()
        self._stated_counts(j)
        for m in lex.annex_announced.finditer(jt):
            if (n := lex.number(m["n"])) is not None:
                self._announced.setdefault(n, (m["n"], j.line_at(m.start())))
        # reviews in progress
        for no, t in after:
            if m := lex.review_row.match(t):
                doc.reviews.append(Review(m["code"], m["title"].strip(" -–—"), m["year"], no))
        # proposed decision
        starts = [m for p in lex.approve if (m := p.search(jt))]
        if starts:
            doc.decision_found = True
            s = min(m.end() for m in starts)
            e = len(jt)
            for p in lex.decision_end:
                for no, t in after:
                    if p.search(t) and (j.line_at(s) or 0) < no:
                        e = min(e, j.offset_of(no))
                        break
            span = jt[s:e]
            for m in lex.decision_item.finditer(span):
                sym = normalize_symbol(m["symbol"])
                nums = [int(x) for x in re.findall(r"\d+", m["numbers"])]
                doc.decision.setdefault(sym, [])
                doc.decision[sym].extend(n for n in nums if n not in doc.decision[sym])
            self._decision_line = j.line_at(s)
            if not doc.decision:
                self.warn(j.line_at(s), "the proposed decision lists no recommendation")
        if doc.symbol is None:
            for p in lex.own_symbol:
                if m := p.search(jt):
                    doc.symbol = normalize_symbol(m["symbol"])
                    break
        self._body_joined = j

    def _stated_counts(self, j: Joined):
        lex, st = self.lex, self.doc.stated
        jt = j.text
        st.setdefault("annex", {})
        for m in lex.annex_count.finditer(jt):
            annex = lex.number(m["annex"])
            sent_end = lex.sentence_end.search(jt, m.end())
            sentence = jt[m.start(): sent_end.start() if sent_end else len(jt)]
            entry = {"count": lex.number(m["n"]), "line": j.line_at(m.start())}
            if mn := lex.annex_new.search(sentence, m.end() - m.start()):
                entry["new"] = lex.number(mn["n"])
            if ma := lex.annex_all_status.search(sentence):
                entry["all_status"] = ma["value"]
            st["annex"][str(annex)] = entry
        for sm in lex.outstanding_sentence.finditer(jt):
            # the sentence around the keyword
            b = 0
            for e in lex.sentence_end.finditer(jt, 0, sm.start()):
                b = e.end()
            e = lex.sentence_end.search(jt, sm.end())
            sentence = jt[b: e.start() if e else len(jt)]
            pairs, first = {}, None
            for pm in lex.outstanding_pair.finditer(sentence):
                a = lex.addressee_of(pm["addressee"])
                pairs[a] = pairs.get(a, 0) + (lex.number(pm["n"]) or 0)
                first = pm.start() if first is None else first
            if pairs:
                st["outstanding"] = {"counts": pairs, "line": j.line_at(b + first)}
                break

    # -- annexes -----------------------------------------------------------
    def _annexes(self, rows: list[Row]):
        lex, doc = self.lex, self.doc
        mode = "records"
        annex = {"n": None, "addressee": None, "from_note": False, "as_of": None}
        last_annex, pending = 0, None
        report = None  # dict(symbol, title, line, used, title_lines, expecting_title)
        intro = None
        rec: Record | None = None
        page_records: list[Record] = []
        floats: list[Row] = []
        listing_rows: list[dict] = []
        listing_links: list[Row] = []
        newness: dict[str, bool] = {}
        self._last_record = None

        def finish():
            nonlocal rec
            if rec is not None:
                self._finish_record(rec)
                self._last_record = rec
            rec = None

        def close_page():
            nonlocal floats, page_records
            if floats:  # assigned once every record is read (their statuses decide)
                self._pages.append((page_records, floats))
            floats, page_records = [], []

        def set_title():
            if report and report["expecting"]:
                t = clean("\n".join(report["title_lines"]))
                t = lex.title_link_labels.sub("", t).strip() if t else t
                report["title"] = t or None
                report["expecting"] = False
                pub = doc.publications.setdefault(report["symbol"], {"title": None, "issued": None, "new": False})
                if pub["title"] is None and report["title"]:
                    pub["title"] = report["title"]

        for r in rows:
            k = r.kind
            if k == "warning":
                self.warn(r.line, str(r.value))
                continue
            if k in ("blank", "furniture"):
                continue
            if k in ("notes", "link"):
                if mode == "listing" or mode == "after":
                    if k == "link":
                        listing_links.append(r)
                    continue
                if self.markdown:
                    target = rec or self._last_record
                    if target is None:
                        self.warn(r.line, f"status-change note or link with no record before it: {self.src.lines[r.line - 1].strip()!r}")
                    else:
                        self._apply_float(target, r)
                else:
                    floats.append(r)
                continue
            # any other row ends a block of page-end floats: the page is over
            if floats:
                close_page()
            if k == "annex_end":
                finish()
                doc.end_marker = True
                self._annex_labels.setdefault(r.value, (r.extra, r.line))
                mode = "after"
                continue
            if mode == "after":
                continue
            if k == "annex_follows" or k == "annex_title":
                finish()
                set_title()
                pending = r.value
                if r.extra:
                    self._annex_labels.setdefault(r.value, (r.extra, r.line))
                continue
            if k == "records_heading":
                finish()
                last_annex = pending or last_annex + 1
                pending = None
                self._annexes_read.add(last_annex)
                annex = {"n": last_annex, "addressee": r.value, "from_note": False, "as_of": None}
                mode, report, intro = "records", None, None
                continue
            if k == "listing_heading":
                finish()
                last_annex = pending or last_annex + 1
                pending = None
                self._annexes_read.add(last_annex)
                mode = "listing"
                continue
            if mode == "listing":
                if r.cells and lex.listing_columns["report"].fullmatch(r.cells[0]):
                    self._listing_header = [next((key for key, p in lex.listing_columns.items() if p.search(c)), None)
                                            for c in r.cells]
                    continue
                if k == "report":
                    listing_rows.append({"symbol": r.value, "texts": [r.extra], "cells": r.cells,
                                         "start": r.line, "end": r.line})
                elif listing_rows and k in ("text", "field", "rec"):
                    listing_rows[-1]["texts"].append(self._row_text(r) or "")
                    listing_rows[-1]["end"] = r.line
                continue
            if k == "as_at":
                if annex["n"] is None:
                    self.warn(r.line, "status date outside an annex of records")
                annex["as_of"] = r.value.isoformat() if r.value else None
                annex["from_note"] = annex["from_note"] or r.extra
                continue
            if k == "section":
                finish()
                set_title()
                report, intro = None, None
                continue
            if k == "intro":
                finish()
                set_title()
                intro = (r.value, r.extra)
                continue
            if k == "report":
                finish()
                set_title()
                sym, rest = r.value, r.extra or ""
                title = None
                if rest:
                    if m := lex.quoted_title.search(rest):
                        title = m["title"]
                    else:
                        title = lex.continued.sub("", rest).strip() or None
                report = {"symbol": sym, "title": title, "line": r.line, "used": False,
                          "title_lines": [], "expecting": title is None}
                pub = doc.publications.setdefault(sym, {"title": None, "issued": None, "new": False})
                if title and pub["title"] is None:
                    pub["title"] = title
                if intro is not None:
                    d, new = intro
                    if d:
                        pub["issued"] = d.isoformat()
                    if new:
                        pub["new"] = True
                        newness[sym] = True
                    intro = None
                continue
            if k == "rec":
                finish()
                set_title()
                if annex["n"] is None:
                    self.warn(r.line, f"recommendation {r.value} outside an annex of records")
                if report is None:
                    self.warn(r.line, f"recommendation {r.value} with no JIU report symbol before it")
                    rep_sym, rep_title, start = "JIU/UNKNOWN", None, r.line
                else:
                    rep_sym, rep_title = report["symbol"], report["title"]
                    start = r.line if report["used"] or self.markdown else report["line"]
                    report["used"] = True
                rec = Record(report=rep_sym, report_title=rep_title, number=r.value, annex=annex["n"],
                             addressee=annex["addressee"], from_note=annex["from_note"], as_of=annex["as_of"],
                             is_new=newness.get(rep_sym, False), start_line=start, end_line=r.line,
                             text_end_line=r.line)
                rec._fields = {"text": [(r.line, r.extra)] if r.extra else []}
                rec._field = "text"
                page_records.append(rec)
                doc.records.append(rec)
                continue
            if k == "field":
                set_title()
                if rec is None:
                    self.warn(r.line, f"field {r.value!r} with no recommendation before it")
                    continue
                rec._field = r.value
                rec._fields.setdefault(r.value, []).append((r.line, r.extra))
                rec.end_line = max(rec.end_line, r.line)
                continue
            if k == "text":
                if report is not None and report["expecting"] and rec is None:
                    report["title_lines"].append(r.value)
                    continue
                if rec is not None:
                    rec._fields.setdefault(rec._field, []).append((r.line, r.value))
                    rec.end_line = r.line
                    if rec._field == "text":
                        rec.text_end_line = r.line
                    continue
                self.warn(r.line, f"text outside any record, not understood: {r.value[:60]!r}")
                continue
        finish()
        close_page()
        self._listings(listing_rows, listing_links)

    # -- records -----------------------------------------------------------
    def _finish_record(self, rec: Record):
        lex = self.lex
        f = rec._fields

        def val(key):
            parts = f.get(key)
            if parts is None:
                return None
            return clean("\n".join(v for _, v in parts if v))

        rec.text = val("text") or ""
        if rec.as_of is None:
            self.warn(rec.start_line, f"{rec.report} recommendation {rec.number}: no status date (no “as at” heading before it)")
        if not rec.text:
            self.warn(rec.start_line, f"{rec.report} recommendation {rec.number}: no recommendation text")
        for key in ("acceptance", "implementation", "responsible", "assessment"):
            if key not in f:
                self.warn(rec.start_line, f"{rec.report} recommendation {rec.number}: no {key} field")
        acc = val("acceptance")
        if acc is not None:
            acc, notes = _split_notes(lex, acc)
            for n in notes:
                self._note_to(rec, n, f["acceptance"][0][0])
            notation, rest = lex.status("acceptance", acc)
            if notation is None and acc:
                self.warn(f["acceptance"][0][0], f"{rec.report} recommendation {rec.number}: acceptance value not understood: {acc!r}")
            rec.acceptance = notation
            q = _unbracket(rest) if notation else None
            rec.acceptance_qualifier = q or None
        imp = val("implementation")
        if imp is not None:
            imp, notes = _split_notes(lex, imp)
            for n in notes:
                self._note_to(rec, n, f["implementation"][0][0])
            notation, rest = lex.status("implementation", imp)
            if imp and notation is None:
                self.warn(f["implementation"][0][0], f"{rec.report} recommendation {rec.number}: implementation value not understood: {imp!r}")
            elif rest:
                self.warn(f["implementation"][0][0], f"{rec.report} recommendation {rec.number}: words after the implementation value: {rest!r}")
            rec.implementation = notation
        if rec.acceptance == "accepted" and rec.implementation is None and "implementation" in f:
            self.warn(f["implementation"][0][0], f"{rec.report} recommendation {rec.number}: accepted but no implementation status")
        for key in ("responsible", "assessment"):
            v = val(key)
            if v is not None:
                v, notes = _split_notes(lex, v) if key == "responsible" else (v, [])
                for n in notes:
                    self._note_to(rec, n, f[key][0][0])
            setattr(rec, key, v or None)
        if rec.responsible is None and "responsible" in f:
            self.warn(f["responsible"][0][0], f"{rec.report} recommendation {rec.number}: no responsible official")
        last = [ln for parts in f.values() for ln, v in parts if v]
        if last:
            rec.end_line = max(last)
        # deadlines, channel
        taken: list[tuple[int, int]] = []
        found = []
        for p in lex.deadline:
            for m in p.finditer(rec.text):
                if any(m.start() < e and s < m.end() for s, e in taken):
                    continue
                y, mo_raw = int(m["y"]), m.groupdict().get("m")
                mo = lex.month(mo_raw) if mo_raw else None
                if mo_raw and mo is None:
                    continue  # "by the 2024 …": not a month
                try:
                    d = _end_of_month(y, mo) if mo else date(y, 12, 31)
                except ValueError:
                    continue
                taken.append((m.start(), m.end()))
                found.append((m.start(), m.group(0).strip(), d.isoformat()))
        rec.deadlines = [[t, d] for _, t, d in sorted(found)]
        rec.channel, rec.channel_evidence = implementation_channel(rec.text, lex.lang)
        # deferral (cross-references resolved once all records are read)
        if rec.assessment:
            dev = []
            for p in lex.deferral:
                for m in p.finditer(rec.assessment):
                    if not any(m.start() < e and s < m.end() for s, e, _ in dev):
                        dev.append((m.start(), m.end(), m.group(0).strip()))
            if dev:
                rec.deferral_evidence = [t for _, _, t in sorted(dev)]
                # the mechanism the deferral phrases name (the most specific if several), else the
                # unspecified one: "这项建议将通过机构间机制进行处理" names none, and the CEB is not implied
                named = [m for t in rec.deferral_evidence if (m := _most_specific(t)) is not None]
                rec.deferred_to = str(max(named, key=_depth) if named else UNSPECIFIED)

    def _note_to(self, rec: Record, note: tuple[str, str | None, str], line: int):
        kind, value, words = note
        rec.notes.append(words)
        if line not in rec.note_lines:
            rec.note_lines.append(line)
        if kind == "unchanged":
            rec.unchanged = True
        elif kind == "updated":
            rec.assessment_updated = True
        else:
            dim = self.lex.dimension_of(value or "")
            if dim is None:
                self.warn(line, f"{rec.report} recommendation {rec.number}: previous status not understood: {words!r}")
                return
            setattr(rec, f"previous_{dim[0]}", dim[1])

    def _apply_float(self, rec: Record, row: Row):
        if row.kind == "link":
            if row.value not in rec.links:
                rec.links.append(row.value)
            return
        for n in row.value:
            self._note_to(rec, n, row.line)

    def _assign_floats(self, records: list[Record], floats: list[Row]):
        """The page-end floats of one page (PDF text) to the page's records; see the module docstring."""
        links = [r for r in floats if r.kind == "link"]
        notes = [(r.line, n) for r in floats if r.kind == "notes" for n in r.value]
        for lr in links:
            sym = _link_report(lr.value)
            targets = [rec for rec in records if rec.report == sym]
            if not targets:
                self.warn(lr.line, f"link {lr.value} matches no record on its page")
            for rec in targets:
                if lr.value not in rec.links:
                    rec.links.append(lr.value)
        if not notes:
            return
        eligible = [rec for rec in records if not rec.is_new]
        if not eligible:
            for line, n in notes:
                self.warn(line, f"status-change note {n[2]!r} on a page with no record that could carry it")
            return
        best, best_score, ties = None, None, []
        for assign in product(range(len(eligible)), repeat=len(notes)):
            if any(assign[i] > assign[i + 1] for i in range(len(assign) - 1)):
                continue
            score = self._score(eligible, notes, assign)
            if score is None:
                continue
            if best_score is None or score > best_score:
                best, best_score, ties = assign, score, []
            elif score == best_score:
                ties.append(assign)
        if best is None:
            self.warn(notes[0][0], "status-change notes fit no order of the page's records; given in order")
            best = tuple(min(i, len(eligible) - 1) for i in range(len(notes)))
        elif ties:
            self.warn(notes[0][0], f"status-change notes could belong to the page's records in {len(ties) + 1} ways; kept the first")
        for (line, n), i in zip(notes, best):
            self._note_to(eligible[i], n, line)

    def _score(self, eligible, notes, assign):
        per = defaultdict(list)
        for (line, n), i in zip(notes, assign):
            per[i].append(n)
        for i, ns in per.items():
            rec = eligible[i]
            kinds = Counter(k for k, _, _ in ns)
            if kinds["unchanged"] > 1 or kinds["updated"] > 1:
                return None
            dims = []
            for k, v, _ in ns:
                if k != "previous":
                    continue
                d = self.lex.dimension_of(v or "")
                if d is None:
                    continue
                dim, notation = d
                current = rec.acceptance if dim == "acceptance" else rec.implementation
                if current == notation or current is None:
                    return None
                if dim == "implementation" and rec.acceptance != "accepted":
                    return None
                dims.append(dim)
            if len(dims) != len(set(dims)) or (dims and kinds["unchanged"]):
                return None
        covered = sum(1 for ns in per.values() if any(k != "updated" for k, _, _ in ns))
        # "评估已更新" stays with the note before it
        cont = sum(1 for j in range(1, len(notes)) if notes[j][1][0] == "updated" and assign[j] == assign[j - 1])
        return (covered, cont)

    # -- listings ----------------------------------------------------------
    def _listings(self, rows: list[dict], links: list[Row]):
        """Rows of the list of active reports. A table row that keeps its cells (Markdown) is read cell
        by cell, by the columns of its header (positional if there is none), so the CEB-comments cell
        and the other-documents cell stay apart; a PDF text row is one run of text, split at the
        outstanding count: document symbols after it are the CEB comments, the rest other documents."""
        lex = self.lex
        default = list(lex.listing_columns)
        for row in rows:
            cells = row.get("cells")
            if cells and len(cells) >= 3 and len(row["texts"]) == 1:
                header = self._listing_header or default
                by = defaultdict(list)
                for i, c in enumerate(cells):
                    key = header[i] if i < len(header) else "other"
                    by[key or "other"].append(c)
                title = clean(" ".join(by["title"]))
                count = " ".join(by["outstanding"])
                ceb_cell, other = clean(" ".join(by["ceb"])), clean(" ".join(by["other"]))
            else:
                t = clean("\n".join(x for x in row["texts"] if x))
                pairs = list(lex.listing_count.finditer(t))
                title, count = (t[:pairs[0].start()].strip(), t[pairs[0].start():pairs[-1].end()]) if pairs else (t, "")
                ceb_cell, other = "", t[pairs[-1].end():].strip() if pairs else ""
            pairs = list(lex.listing_count.finditer(count))
            if pairs:
                n = sum(int(p["n"]) for p in pairs)
                addr = [a for p in pairs if (a := lex.addressee_of(p["addressee"]))]
            else:
                self.warn(row["start"], f"listing of {row['symbol']}: no outstanding count found")
                n, addr = None, []
            cebs = [normalize_symbol(m.group(0)) for m in _UN_SYMBOL.finditer(ceb_cell + " " + other)]
            ceb_cell, other = _UN_SYMBOL.sub(" ", ceb_cell).strip(), _UN_SYMBOL.sub(" ", other).strip()
            lk = [lr.value for lr in links if _link_report(lr.value) == row["symbol"]]
            self.doc.listings.append(Listing(row["symbol"], title, n, addr, cebs, clean(ceb_cell), clean(other),
                                             sorted(set(lk), key=lk.index), row["start"], row["end"]))

    # -- after reading -----------------------------------------------------
    def _resolve(self):
        doc, lex = self.doc, self.lex
        by_key = {(r.report, r.number): r for r in doc.records}
        for rec in doc.records:
            if rec.deferred_to is None and rec.assessment:
                m = lex.see_above.search(rec.assessment)
                if m:
                    other = by_key.get((rec.report, int(m["n"])))
                    if other is not None and other.deferred_to:
                        rec.deferred_to = other.deferred_to
                        rec.deferral_evidence = [m.group(0)]
            if doc.decision_found:
                rec.proposed = rec.number in doc.decision.get(rec.report, [])
        for rec in doc.records:
            rec.notes = list(dict.fromkeys(rec.notes))

    def _check(self):
        doc, lex = self.doc, self.lex
        st = doc.stated
        recs_by_annex = defaultdict(list)
        for r in doc.records:
            recs_by_annex[r.annex].append(r)
        # duplicates
        seen = {}
        for r in doc.records:
            key = (r.report, r.number)
            if key in seen:
                self.warn(r.start_line, f"{r.report} recommendation {r.number} appears twice (also line {seen[key]})")
            seen[key] = r.start_line
        # annex counts
        for annex, e in sorted(st.get("annex", {}).items()):
            got = recs_by_annex.get(int(annex), [])
            if e.get("count") is not None and e["count"] != len(got):
                self.warn(e["line"], f"annex {annex} is said to hold {e['count']} recommendations; {len(got)} were read")
            if "new" in e and e["new"] != sum(r.is_new for r in got):
                self.warn(e["line"], f"annex {annex} is said to hold {e['new']} new recommendations; "
                                     f"{sum(r.is_new for r in got)} were read as new")
            if "all_status" in e:
                dim = lex.dimension_of(e["all_status"])
                if dim:
                    off = [r for r in got if getattr(r, dim[0]) != dim[1]]
                    if off:
                        self.warn(e["line"], f"annex {annex} is said to be all “{e['all_status']}”, but "
                                             f"{len(off)} of its {len(got)} recommendations are not: "
                                             + ", ".join(f"{r.report} rec {r.number} ({getattr(r, dim[0])})" for r in off))
        # paragraph on outstanding recommendations
        if "outstanding" in st:
            for addr, n in sorted(st["outstanding"]["counts"].items()):
                got = sum(1 for r in doc.records if r.addressee == addr and r.outstanding)
                if got != n:
                    self.warn(st["outstanding"]["line"], f"{n} recommendations to {addr} are said to be outstanding; "
                                                         f"{got} outstanding were read")
        # proposed decision
        if doc.decision_found:
            line = getattr(self, "_decision_line", None)
            for sym, nums in doc.decision.items():
                for n in nums:
                    r = next((r for r in doc.records if r.report == sym and r.number == n), None)
                    if r is None:
                        self.warn(line, f"the proposed decision lists {sym} recommendation {n}, which was not read")
                    elif r.outstanding:
                        self.warn(line, f"the proposed decision lists {sym} recommendation {n}, which is outstanding")
            for r in doc.records:
                if r.closed and not r.from_note and not r.proposed:
                    self.warn(r.start_line, f"{r.report} recommendation {r.number} is closed but not in the proposed decision")
        # active reports listing
        if doc.listings:
            listed = set()
            for x in doc.listings:
                listed.add(x.report)
                got = [r for r in doc.records if r.report == x.report and r.outstanding]
                if x.outstanding is not None and x.outstanding != len(got):
                    self.warn(x.start_line, f"the list of active reports gives {x.outstanding} outstanding for {x.report}; "
                                            f"{len(got)} outstanding were read")
                kinds = {r.addressee for r in got}
                if got and x.addressees and kinds != set(x.addressees):
                    self.warn(x.start_line, f"the list of active reports gives addressees {x.addressees} for {x.report}; "
                                            f"the outstanding records are addressed to {sorted(kinds)}")
            for sym in sorted({r.report for r in doc.records if r.outstanding} - listed):
                self.warn(None, f"{sym} has outstanding recommendations but is not in the list of active reports")
        # reviews
        titles = {}
        for rv in doc.reviews:
            if rv.code in titles and titles[rv.code] != rv.title:
                self.warn(rv.line, f"review code {rv.code} listed twice with different titles: "
                                   f"{titles[rv.code]!r} and {rv.title!r}")
            titles.setdefault(rv.code, rv.title)
        if doc.reporting_org is None:
            self.warn(None, "the reporting organisation was not found")

    def _completeness(self):
        """The document's own symbol, every annex it announces and its closing line, against what was read:
        a copy lacking any of them (a truncated file) is refused by the pipeline (loaders.completeness)."""
        lex, doc = self.lex, self.doc
        exp = self.expectations
        exp.append(Expectation(doc.symbol is not None, None, (
            "the document's own symbol is printed nowhere in the text (neither in the header nor in the "
            "proposed decision), and a symbol is never invented")))
        due = dict(self._announced)
        for n, label in self._annex_labels.items():
            due.setdefault(n, label)
        for n, (printed, line) in sorted(due.items()):
            exp.append(Expectation(n in self._annexes_read, line,
                                   f"{lex.annex_name.format(n=printed or n)} is announced but not in the text"))
        last = last_line(self.src)
        closing = lex.annex_end_text.format(n=(due[max(due)][0] or max(due)) if due else "…")
        exp.append(Expectation(doc.end_marker, last, (
            f"the text stops at line {last} before “{closing}”, the line that closes the document")))


def _earlier_status(r: Record) -> tuple[str | None, str | None] | None:
    """(acceptance, implementation) in the earlier report, as the record's notes state it, or None.

    "之前为X" gives X on its dimension; the other follows from the scheme: an implementation status
    is given only for an accepted recommendation (so "之前为“正在落实”" was accepted, in progress), and a
    recommendation under consideration or not accepted has none. "与之前状态相比无变化" gives the
    current status. "评估已更新" alone says nothing about the status."""
    if r.previous_acceptance or r.previous_implementation:
        acc = r.previous_acceptance or ("accepted" if r.previous_implementation else r.acceptance)
        imp = r.previous_implementation
        if imp is None and acc == r.acceptance == "accepted":
            imp = r.implementation  # only the acceptance note was printed: implementation as now
        return acc, imp
    if r.unchanged and r.acceptance:
        return r.acceptance, r.implementation
    return None


def _emit_earlier(g, text: SourceText, sym: str, lang: str, r: Record, rec, st, org, org_code: str, d,
                  earlier: tuple[str, URIRef]) -> None:
    """The earlier report's statement that the record's status-change notes state: reported in that
    report (known here by its symbol only, and no as-at date), recounted in this one, derived from
    the note lines; this record's statement points to it (jiu:previousStatement)."""
    prev_sym, prev_doc = earlier
    acc, imp = _earlier_status(r)
    s0 = status_iri(r.report, r.number, org_code, prev_sym)
    g.add((s0, RDF.type, JIU.StatusStatement))
    g.add((s0, JIU.aboutRecommendation, rec))
    g.add((s0, JIU.reportingOrganization, org))
    g.add((s0, JIU.reportedIn, prev_doc))
    g.add((s0, JIU.recountedIn, d))
    if acc:
        g.add((s0, JIU.acceptance, concept("acceptance", acc)))
    if imp:
        g.add((s0, JIU.implementation, concept("implementation", imp)))
    g.add((st, JIU.previousStatement, s0))
    for ln in sorted(set(r.note_lines)) or [r.start_line]:
        derived(g, s0, text, sym, ln, ln, lang)


def _end_of_month(y: int, m: int) -> date:
    if m == 12:
        return date(y, 12, 31)
    return date.fromordinal(date(y, m + 1, 1).toordinal() - 1)


# --- the loader ---------------------------------------------------------------

def _is_markdown(text: SourceText) -> bool:
    tabs = sum(1 for ln in text.lines if "\t" in ln)
    return tabs >= 3 or any(ln.lstrip().startswith("<p>") for ln in text.lines) or "](#)" in text.raw


class ProgressReportLoader(Loader):
    kind = "progress-report"

    def recognise(self, text: SourceText) -> bool:
        """A progress-report title in the opening lines, and either the header line saying the
        secretariat prepared it right after the title (enough for a copy cut short, which the
        completeness check then refuses with what is missing) or a JIU symbol and a record label
        or the approval paragraph."""
        try:
            if not text.raw.strip():
                return False
            lex = lexicon(detect_language(text.raw))
        except KeyError:  # no lexicon for the language
            return False
        head = [t for t in (clean(ln) for ln in text.lines[:200]) if t]
        title_at = next((i for i, t in enumerate(head) if any(p.search(t) for p in lex.rec_title)), None)
        if title_at is not None and any(lex.prepared.search(t) for t in head[title_at + 1:title_at + 4]):
            return True
        if title_at is None and not any(p.search(clean("\n".join(text.lines[:200]))) for p in lex.rec_title):
            return False  # not even a title wrapped over lines
        if not _ANY_JIU_SYMBOL.search(to_halfwidth(text.raw)):
            return False
        body = "\n".join(clean(ln) for ln in text.lines)
        return any(p.search(body) for p in lex.rec_markers) or any(
            p.search(clean(text.raw)) for p in lex.approve)

    def extract(self, text: SourceText) -> tuple[ProgressReport, list[LoadWarning]]:
        lang = detect_language(text.raw)
        lex = lexicon(lang)
        reader = _Reader(text, lex, _is_markdown(text))
        doc = reader.read()
        name = doc.symbol or text.name
        warnings = [LoadWarning(name, line, msg, fatal) for line, msg, fatal in reader.warnings]
        warnings += completeness.check(name, reader.expectations)
        return doc, warnings

    def emit(self, text: SourceText, records) -> Extraction:
        doc, warnings = records
        lang = doc.lang
        sym = doc.symbol or f"UNIDENTIFIED/{text.sha256[:12]}"
        g = new_graph()
        d = document(g, sym, JIU.ProgressReport, "progress-report", lang=lang, title=doc.title,
                     issued=date.fromisoformat(doc.issued) if doc.issued else None, source=text)
        if doc.original_language:
            g.add((d, JIU.originalLanguage, LANG[doc.original_language]))
        org = URIRef(doc.reporting_org) if doc.reporting_org else None
        org_code = doc.reporting_org.rsplit("/", 1)[-1] if doc.reporting_org else "UNKNOWN"
        if org is not None and doc.prepared_by_secretariat:
            g.add((d, JIU.preparedBy, org))
        if doc.body:
            body = URIRef(doc.body)
            g.add((d, JIU.submittedTo, body))
            if doc.session is not None:
                s = session_iri(doc.body, doc.session)
                g.add((d, JIU.session, s))
                g.add((s, RDF.type, JIU.Session))
                g.add((s, JIU.sessionNumber, Literal(doc.session, datatype=XSD.integer)))
                g.add((s, JIU.sessionOf, body))
                if doc.session_label:
                    g.add((s, RDFS.label, Literal(doc.session_label, lang=lang)))
                for prop, day in ((TIME.hasBeginning, doc.session_start), (TIME.hasEnd, doc.session_end)):
                    if day:
                        dd = date.fromisoformat(day)
                        inst = instant_iri(dd)
                        g.add((s, prop, inst))
                        g.add((inst, RDF.type, TIME.Instant))
                        g.add((inst, TIME.inXSDDate, date_literal(dd)))
        prev_docs = []
        for prev in doc.previous_reports:
            p = document(g, prev, JIU.ProgressReport, "progress-report")
            g.add((d, DCTERMS.references, p))
            # the symbol as the text prints it, beside the canonical jiu:symbol
            if (printed := doc.previous_printed.get(prev)) and printed != prev:
                g.add((p, SKOS.notation, Literal(printed)))
            prev_docs.append((prev, p))
        # the earlier report the status-change notes speak of: the one the body names as the previous
        # report ("自向成员国提交上一份报告（WO/PBC/37/6 Rev.）以来"); none if it names none or several
        earlier = prev_docs[0] if len(prev_docs) == 1 else None
        as_ofs = sorted({r.as_of for r in doc.records if r.as_of})
        if as_ofs:
            g.add((d, JIU.statusesAsOf, date_literal(date.fromisoformat(as_ofs[-1]))))
        # the JIU publications the report speaks of
        pubs = {}
        for psym, info in doc.publications.items():
            cls, kind = (JIU.JIUNote, "jiu-note") if psym.startswith("JIU/NOTE/") else (JIU.JIUReport, "jiu-report")
            pubs[psym] = document(g, psym, cls, kind, lang=lang, title=info.get("title"),
                                  issued=date.fromisoformat(info["issued"]) if info.get("issued") else None)
            g.add((d, DCTERMS.references, pubs[psym]))
        counts = Counter()
        for r in doc.records:
            if r.report not in pubs:
                continue
            rec = rec_iri(r.report, r.number)
            g.add((rec, RDF.type, JIU.Recommendation))
            g.add((rec, JIU.inPublication, pubs[r.report]))
            g.add((rec, JIU.recommendationNumber, Literal(r.number, datatype=XSD.integer)))
            if r.text:
                g.add((rec, JIU.recommendationText, Literal(r.text, lang=lang)))
            if r.addressee:
                g.add((rec, JIU.addresseeKind, concept("addressee", r.addressee)))
            for t, day in r.deadlines:
                g.add((rec, JIU.deadline, date_literal(date.fromisoformat(day))))
                g.add((rec, JIU.deadlineText, Literal(t, lang=lang)))
            for m in r.channel:
                g.add((rec, JIU.toBeImplementedThrough, URIRef(m)))
            if r.channel:
                for t in r.channel_evidence:
                    g.add((rec, JIU.implementationChannelEvidence, Literal(t, lang=lang)))
            for u in r.links:
                g.add((rec, JIU.jiuLink, Literal(u, datatype=XSD.anyURI)))
            rp = derived(g, rec, text, sym, r.start_line, max(r.text_end_line, r.start_line), lang)
            add_mentions(g, rec, r.text, lang, sym, rp)
            counts["recommendation"] += 1
            st = status_iri(r.report, r.number, org_code, sym)
            g.add((st, RDF.type, JIU.StatusStatement))
            g.add((st, JIU.aboutRecommendation, rec))
            if org is not None:
                g.add((st, JIU.reportingOrganization, org))
            if r.as_of:
                g.add((st, JIU.asOf, date_literal(date.fromisoformat(r.as_of))))
            g.add((st, JIU.reportedIn, d))
            if r.acceptance:
                g.add((st, JIU.acceptance, concept("acceptance", r.acceptance)))
            if r.implementation:
                g.add((st, JIU.implementation, concept("implementation", r.implementation)))
            for prop, v in ((JIU.acceptanceQualifier, r.acceptance_qualifier), (JIU.responsibleOfficial, r.responsible),
                            (JIU.managementAssessment, r.assessment)):
                if v:
                    g.add((st, prop, Literal(v, lang=lang)))
            for n in r.notes:
                g.add((st, JIU.statusChangeNote, Literal(n, lang=lang)))
            if r.previous_acceptance:
                g.add((st, JIU.previousAcceptance, concept("acceptance", r.previous_acceptance)))
            if r.previous_implementation:
                g.add((st, JIU.previousImplementation, concept("implementation", r.previous_implementation)))
            if r.unchanged:
                g.add((st, JIU.statusUnchanged, Literal(True)))
            if r.assessment_updated:
                g.add((st, JIU.assessmentUpdated, Literal(True)))
            g.add((st, JIU.isNew, Literal(r.is_new)))
            if r.deferred_to:
                g.add((st, JIU.deferredTo, URIRef(r.deferred_to)))
                for t in r.deferral_evidence:
                    g.add((st, JIU.deferralEvidence, Literal(t, lang=lang)))
            if r.proposed is not None:
                g.add((st, JIU.proposedForApproval, Literal(r.proposed)))
            sp = derived(g, st, text, sym, r.start_line, r.end_line, lang)
            if r.assessment:
                add_mentions(g, st, r.assessment, lang, sym, sp)
            for ln in sorted(set(r.note_lines) - set(range(r.start_line, r.end_line + 1))):
                derived(g, st, text, sym, ln, ln, lang)
            counts["status"] += 1
            if earlier is not None and org is not None and _earlier_status(r):
                _emit_earlier(g, text, sym, lang, r, rec, st, org, org_code, d, earlier)
                counts["earlier status"] += 1
        for rv in doc.reviews:
            ri = review_iri(rv.code)
            g.add((ri, RDF.type, JIU.JIUReview))
            g.add((ri, JIU.projectCode, Literal(rv.code)))
            g.add((ri, DCTERMS.title, Literal(rv.title, lang=lang)))
            g.add((ri, JIU.workProgrammeYear, Literal(rv.year, datatype=XSD.gYear)))
            g.add((ri, JIU.listedIn, d))
            if org is not None:
                g.add((ri, JIU.concerns, org))
            derived(g, ri, text, sym, rv.line, rv.line, lang)
            counts["review"] += 1
        for x in doc.listings:
            li = listing_iri(sym, x.report)
            pub = pubs.get(x.report)
            if pub is None:
                cls, kind = (JIU.JIUNote, "jiu-note") if x.report.startswith("JIU/NOTE/") else (JIU.JIUReport, "jiu-report")
                pub = pubs[x.report] = document(g, x.report, cls, kind)
                g.add((d, DCTERMS.references, pub))
            g.add((li, RDF.type, JIU.ActiveReportListing))
            g.add((li, JIU.listedReport, pub))
            g.add((li, JIU.reportedIn, d))
            if x.title:
                g.add((li, DCTERMS.title, Literal(x.title, lang=lang)))
            if x.outstanding is not None:
                g.add((li, JIU.outstandingCount, Literal(x.outstanding, datatype=XSD.integer)))
            for a in x.addressees:
                g.add((li, JIU.addresseeKind, concept("addressee", a)))
            if x.ceb_comments:  # the CEB-comments cell as printed: filled, with or without a symbol
                g.add((li, JIU.cebCommentsCell, Literal(x.ceb_comments, lang=lang)))
            for c in x.ceb_documents:
                cd = document(g, c, JIU.CEBCommentsNote, "ceb-comments-note")
                g.add((li, JIU.cebCommentsDocument, cd))
                g.add((d, DCTERMS.references, cd))
            for u in x.links:
                g.add((li, JIU.jiuLink, Literal(u, datatype=XSD.anyURI)))
            derived(g, li, text, sym, x.start_line, x.end_line, lang)
            counts["listing"] += 1
        for k in ("recommendation", "status", "earlier status", "review", "listing"):
            counts.setdefault(k, 0)
        return Extraction(symbol=sym, kind=self.kind, graph=g, records=counts, warnings=warnings, data=doc)
