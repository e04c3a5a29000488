"""The Secretary-General's progress report on accountability (e.g. A/76/644).

What the graph needs from it:
- Annex I: one jiu:ResolutionFollowUp per table row (agenda item, resolution,
  reports submitted, summary). The PDF text gives the table column by column
  within each row fragment; a row split by a page break restarts the column
  order after the repeated table header. Cells are told apart by cues from the
  lexicon (a resolution number, a document symbol, report phrases) and by line
  width (the summary column is the widest).
- Paragraphs on the oversight function (90–92 in A/76/644) and Annex III: the
  implementation figures of OIOS, the Board of Auditors and the JIU as RDF Data
  Cube observations, one qb:DataSet per table or paragraph. Annex III rule: the
  year columns under "implemented" count what was implemented in that period;
  the "cumulative implementation rate" row is the rate since the first year up
  to the end of that column. Numbers printed with thin-space thousands
  ("12 075 7 276") are grouped by the table's own arithmetic (periods sum to the
  total; implemented + closed + in progress = issued).
- The documents it cites (undocs.org links and symbols in the text).

Resolution parts follow the report's own links: part A is the bare symbol
(75/242 A -> A/RES/75/242), later parts carry their letter (A/RES/75/242B).
The report's symbol is the one printed alone as page furniture; failing that,
a lexicon entry keyed on the report's ordinal and session names it (warned).

Phrases and cues are data: loaders/lexicons/{zh,en,fr}/sg_accountability.toml.
"""

from __future__ import annotations

import calendar
import dataclasses
import itertools
import re
import tomllib
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, QB, RDF, RDFS, TIME, XSD

from jiukg.namespaces import (
    JIU, dataset_iri, followup_iri, instant_iri, normalize_symbol, observation_iri,
    org_iri, period_iri, session_iri,
)

from . import completeness, reference
from .base import Extraction, Loader, LoadWarning, SourceText, UnrecognisedDocument
from .completeness import Expectation
from .emit import cited_document, derived, document, new_graph
from .text import clean, detect_language, is_page_furniture, parse_date, to_halfwidth

LEXICON_DIR = Path(__file__).parent / "lexicons"
LANGUAGES = ("zh", "en", "fr")
HEAD_LINES = 40  # non-blank opening lines that must name the kind (masthead, title, "report of")

# A UN document symbol as printed in the annex ("A/76/6 (Sect. 3)/Add.1", "A/C.5/76/22").
SYMBOL = (r"(?<![A-Za-z/])(?:A|E|S|ST)/(?:[A-Z]+\.?\d*/)*\d+(?:/\d+)*"
          r"(?:\s*\((?:Sect\.\s*\d+|Part\s+[IVX]+|Introduction|Vol\.\s*[IVX]+)\))?"
          r"(?:/(?:Add|Corr|Rev)\.\d+)*")
_SYMBOL = re.compile(SYMBOL)
_UNDOCS = re.compile(r"https?://(?:undocs\.org|docs\.un\.org)/(?:[a-z]{2}/)?(?P<sym>\S+)")


@lru_cache(maxsize=None)
def lexicon(lang: str) -> dict:
    with open(LEXICON_DIR / lang / "sg_accountability.toml", "rb") as f:
        return tomllib.load(f)


def width(s: str) -> int:
    """Display width: CJK and full-width characters count 2."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s.rstrip())


def parse_number(s: str) -> int:
    return int(re.sub(r"[\s,]", "", s))


def decimal_mark(lex: dict) -> str:
    """The lexicon's decimal separator: '.' unless it says otherwise (French writes 92,2 %)."""
    return lex.get("decimal_mark", ".")


def parse_decimal(s: str, lex: dict) -> Decimal:
    return Decimal(s.strip().replace(decimal_mark(lex), "."))


def ordinal_value(word: str, lex: dict) -> int | None:
    """A numeral from the lexicon: Chinese 七十六, English seventy-sixth, French soixante-seizième, digits."""
    word = word.strip().lower()
    if word.isdigit():
        return int(word)
    nums = lex["numbers"]
    if "digits" in nums:  # Chinese positional numerals
        total, cur = 0, 0
        for ch in word:
            if ch in nums["digits"]:
                cur = nums["digits"][ch]
            elif ch == nums["ten"]:
                total += (cur or 1) * 10
                cur = 0
            elif ch == nums["hundred"]:
                total += (cur or 1) * 100
                cur = 0
            else:
                return None
        return total + cur
    words = nums["words"]
    total = 0
    for part in re.split(r"[-\s]+", word):
        if part not in words:
            return None
        total += words[part]
    return total


# --- records -----------------------------------------------------------------


@dataclass
class Fragment:
    start_line: int
    end_line: int


@dataclass
class FollowUp:
    row: int
    agenda_item: str
    agenda_title: str
    resolution: str  # as printed, e.g. '75/253 A'
    resolutions: list[str]  # A/RES/... symbols
    resolution_title: str
    reports: str
    follow_up_documents: list[str]
    summary: str
    fragments: list[Fragment] = field(default_factory=list)
    key: str = ""  # resolution key for the IRI
    occurrence: int | None = None


@dataclass
class Observation:
    dataset: str  # dataset name, e.g. 'oios'
    body: str  # acronym
    begin: str  # '2010' or '2021-06-30'
    end: str
    category: str  # as printed
    notation: str | None
    measures: dict[str, Decimal | int] = field(default_factory=dict)
    lines: list[tuple[int, int]] = field(default_factory=list)

    @property
    def period(self) -> str:
        return self.begin if self.begin == self.end else f"{self.begin}/{self.end}"


@dataclass
class Dataset:
    name: str
    body: str
    label: str
    start_line: int
    end_line: int
    as_of: str | None = None


@dataclass
class Citation:
    symbol: str
    line: int


@dataclass
class Report:
    symbol: str
    symbol_evidence: str  # 'printed' or 'lexicon'
    lang: str
    title: str | None
    ordinal: int | None
    session: int | None
    agenda_item: str | None
    issued: object
    title_line: int
    follow_ups: list[FollowUp] = field(default_factory=list)
    datasets: list[Dataset] = field(default_factory=list)
    observations: list[Observation] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    warnings: list[LoadWarning] = field(default_factory=list)


# --- the loader ----------------------------------------------------------------


class SGAccountabilityLoader(Loader):
    kind = "sg-report"

    def _lexicon_for(self, text: SourceText) -> dict | None:
        if not text.raw.strip():
            return None
        lang = detect_language(text.raw)
        try:
            lex = lexicon(lang)
        except FileNotFoundError:
            return None
        return lex

    def recognise(self, text: SourceText) -> bool:
        """The report's title and 'report of the Secretary-General' in its opening lines. The
        annexes are not needed to know the kind: a copy that lacks them is refused by the
        completeness check, which says what is missing."""
        lex = self._lexicon_for(text)
        if lex is None:
            return False
        opening = [ln for ln in text.lines[:120] if ln.strip()][:HEAD_LINES]
        flat = re.sub(r"\s+", " ", to_halfwidth("\n".join(opening)))
        ident = lex["identity"]
        return bool(re.search(ident["title"], flat) and ident["report_of"] in flat)

    # -- extract --------------------------------------------------------------

    def extract(self, text: SourceText) -> Report:
        lex = self._lexicon_for(text)
        if lex is None or not self.recognise(text):
            raise UnrecognisedDocument(f"{text.name}: not a progress report on accountability")
        lines = [to_halfwidth(l) for l in text.lines]
        report = self._identity(text, lines, lex)
        self._annex_i(text, lines, lex, report)
        self._paragraphs(text, lines, lex, report)
        self._annex_iii(text, lines, lex, report)
        self._check_observations(report)
        self._citations(text, lines, report)
        self._completeness(text, lines, lex, report)
        if report.symbol_evidence == "none":  # the messages name the file, not the placeholder
            report.warnings = [dataclasses.replace(w, document=text.name) for w in report.warnings]
        return report

    def _warn(self, report: Report, line: int | None, message: str) -> None:
        report.warnings.append(LoadWarning(report.symbol, line, message))

    def _identity(self, text: SourceText, lines: list[str], lex: dict) -> Report:
        ident = lex["identity"]
        lang = lex["language"]
        flat_lines = [re.sub(r"\s+", " ", l).strip() for l in lines]
        # The title may wrap: search a window of joined lines.
        title = ordinal = None
        title_line = 1
        for i, n in itertools.product(range(len(lines)), (1, 2)):
            if not lines[i].strip():  # the window starts on the title's own line, which title_line names
                continue
            window = clean("\n".join(lines[i:i + n]))
            if m := re.search(ident["title"], window):
                title_line = i + 1
                ordinal = ordinal_value(m["ordinal"], lex)
                title = re.sub(r"\s*\*+$", "", m.group(0)).strip()
                break
        session = agenda = None
        for l in flat_lines[:40]:
            if session is None and (m := re.search(ident["session"], l)):
                session = ordinal_value(m["n"], lex)
            if agenda is None and (m := re.search(ident["agenda_item"], l)):
                agenda = m["item"]
        # The report's own symbol: a symbol alone on a line (page header/footer).
        # Page furniture, not a table cell: never a linked (cited) symbol, and next to
        # a page number or job number when there is one.
        linked = {_link_symbol(m["sym"]) for l in lines for m in _UNDOCS.finditer(l)}
        nonblank = [i for i, l in enumerate(flat_lines) if l]
        counts = Counter()
        for k, i in enumerate(nonblank):
            l = flat_lines[i]
            if (m := re.fullmatch(r"(A/\d{2}/\d+(?:/(?:Add|Corr|Rev)\.\d+)*)", l)) and session is not None \
                    and m[1].startswith(f"A/{session}/") and normalize_symbol(m[1]) not in linked:
                near = [flat_lines[j] for j in nonblank[max(0, k - 3):k + 4] if j != i]
                counts[m[1]] += 2 if any(is_page_furniture(x) or re.search(r"\d+/\d+$", x) for x in near) else 1
        if counts:
            symbol, evidence = counts.most_common(1)[0][0], "printed"
        else:
            known = [k for k in ident.get("known", []) if k["ordinal"] == ordinal and k["session"] == session]
            if known:
                symbol, evidence = known[0]["symbol"], "lexicon"
            else:  # never invented: the graph is built under a placeholder the pipeline refuses
                symbol, evidence = f"UNIDENTIFIED/{text.sha256[:12]}", "none"
        issued = None
        for l in flat_lines[:30]:
            if re.match(r"^\d{1,2}\s+\w+\s+\d{4}$|^\d{4}年\d{1,2}月\d{1,2}日$", l.replace(" ", "") if lang == "zh" else l):
                issued = parse_date(l)
                break
        report = Report(normalize_symbol(symbol), evidence, lang, title, ordinal, session, agenda, issued, title_line)
        if evidence == "none":
            report.warnings.append(completeness.incomplete(text.name, title_line, (
                f"the report's own symbol is printed nowhere in the text and no lexicon entry names report "
                f"{ordinal} of session {session}; a symbol is never invented")))
        if evidence == "lexicon":
            self._warn(report, title_line, f"symbol {symbol} not printed; identified by lexicon "
                                           f"(report {ordinal}, session {session})")
        return report

    # -- Annex I ----------------------------------------------------------------

    def _section(self, lines: list[str], heading: str, next_heading: str | None, start: int = 0) -> tuple[int, int]:
        """0-based [begin, end) of the lines after a heading line, up to the next heading."""
        begin = next((i for i in range(start, len(lines)) if lines[i].strip() == heading), None)
        if begin is None:
            return -1, -1
        end = len(lines)
        if next_heading:
            end = next((i for i in range(begin + 1, len(lines)) if lines[i].strip() == next_heading), len(lines))
        return begin + 1, end

    def _annex_i(self, text: SourceText, lines: list[str], lex: dict, report: Report) -> None:
        a = lex["annex_i"]
        begin, end = self._section(lines, a["heading"], a["next_heading"])
        if begin < 0:  # the completeness check says so
            return
        row_re = re.compile(a["row_start"])
        headers = [re.sub(r"\s+", " ", h) for h in a["page_header"]]
        rows: list[list[tuple[int, str] | None]] = []  # None marks a page break
        skipping = False
        for i in range(begin, end):
            raw = lines[i]
            flat = re.sub(r"\s+", " ", raw).strip()
            if not flat:
                continue
            if any(flat.startswith(h) for h in headers):
                skipping = False
                if rows and (not rows[-1] or rows[-1][-1] is not None):
                    rows[-1].append(None)
                continue
            if flat.startswith(a["footnote_rule"]):
                skipping = True
                continue
            if skipping or _UNDOCS.match(flat) or flat.startswith("http") or is_page_furniture(raw) \
                    or flat == report.symbol:
                continue
            if row_re.match(raw):
                rows.append([(i + 1, raw)])
            elif rows:
                rows[-1].append((i + 1, raw))
        stated = None
        intro = clean("\n".join(lines[begin:min(end, begin + 6)]))
        if m := re.search(a["stated_count"], intro):
            stated = int(m["n"])
        for n, row in enumerate(rows, 1):
            report.follow_ups.append(self._row(n, row, lex, report))
        if stated is not None and stated != len(rows):
            self._warn(report, begin + 1, f"{a['heading']} says {stated} resolutions, {len(rows)} rows found")
        keys = Counter(f.key for f in report.follow_ups)
        seen = Counter()
        for f in report.follow_ups:
            if keys[f.key] > 1:
                seen[f.key] += 1
                f.occurrence = seen[f.key]

    def _row(self, n: int, row: list, lex: dict, report: Report) -> FollowUp:
        a = lex["annex_i"]
        lay = a["layout"]
        res_re = re.compile(a["resolution"])
        cues = sorted(a["reports_cues"], key=len, reverse=True)
        one_line = sorted(a["reports_one_line"], key=len, reverse=True)
        conj = "|".join(re.escape(c) for c in a["conjunctions"])
        cue_alt = "|".join(re.escape(c) for c in cues)
        split_re = re.compile(rf"\s+(?=(?:{SYMBOL}|{cue_alt}))")
        symbol_line = re.compile(rf"^\s*(?:(?:{conj})\s*)?{SYMBOL}")

        cells = {"agenda": [], "resolution": [], "reports": [], "summary": []}
        fragments: list[Fragment] = []
        state = "agenda"
        reports_by_symbol = False
        frag_no = 0
        frag_start = frag_end = None

        def close_fragment():
            if frag_start is not None:
                fragments.append(Fragment(frag_start, frag_end))

        def reports_line(s: str) -> str:
            """Feed a line in the reports state; returns the summary part, if any."""
            nonlocal state, reports_by_symbol
            s = s.strip()
            if not cells["reports"] and _SYMBOL.match(s):
                reports_by_symbol = True
            if reports_by_symbol:
                m = symbol_line.match(s)
                if m or not cells["reports"]:
                    # symbols and conjunctions, then maybe the summary
                    pos = 0
                    while True:
                        mm = re.compile(rf"\s*(?:(?:{conj})\s*)?{SYMBOL}\s*(?:{conj})?").match(s, pos)
                        if not mm or mm.end() == pos:
                            break
                        pos = mm.end()
                    cells["reports"].append(s[:pos])
                    rest = s[pos:].strip()
                    if rest:
                        state = "summary"
                        return rest
                    return ""
                state = "summary"
                return s
            for c in one_line:
                if s.startswith(c + " ") or s.startswith(c + "\t"):
                    cells["reports"].append(c)
                    state = "summary"
                    return s[len(c):].strip()
            if cells["reports"] and s in one_line:
                state = "summary"
                return s
            if cells["reports"] and width(s) > lay["reports_max_width"]:
                state = "summary"
                return s
            cells["reports"].append(s)
            return ""

        for item in row:
            if item is None:
                close_fragment()
                frag_start = frag_end = None
                frag_no += 1
                state = "continuation"
                continue
            line_no, raw = item
            if frag_start is None:
                frag_start = line_no
            frag_end = line_no
            s = raw.strip()
            if state == "agenda":
                if len(cells["agenda"]) == 0:
                    m = re.match(a["row_start"], raw)
                    cells["agenda_item"] = [m["item"]]
                    s = m["rest"].strip()
                # the resolution may follow on the same line
                mm = re.search(r"(?:^|\s)(\d{2}/\d{1,3}\s*(?:[A-C](?:" + a["part_range"] +
                               r"[A-C])?)?\s*[：:])", s)
                if mm:
                    before = s[:mm.start(1)].strip()
                    if before:
                        cells["agenda"].append(before)
                    s = s[mm.start(1):]
                    state = "resolution"
                else:
                    cells["agenda"].append(s)
                    continue
            if state == "continuation":
                if cells["resolution"] and width(s) <= lay["resolution_max_width"]:
                    cells["resolution"].append(s)
                    continue
                state = "summary"
            if state == "resolution":
                if cells["resolution"] and (symbol_line.match(s) or any(s.startswith(c) for c in cues)):
                    state = "reports"
                else:
                    parts = split_re.split(s, maxsplit=1) if cells["resolution"] or res_re.match(s) else [s]
                    # do not split inside the resolution number itself
                    cells["resolution"].append(parts[0])
                    if len(parts) == 1:
                        continue
                    s = parts[1]
                    state = "reports"
            if state == "reports":
                s = reports_line(s)
                if not s:
                    continue
            if state == "summary":
                cells["summary"].append(s)
        close_fragment()

        agenda_item = re.sub(r"\s+", " ", cells.get("agenda_item", [""])[0])
        agenda_title = clean("\n".join(cells["agenda"]))
        res_text = clean("\n".join(cells["resolution"]))
        m = res_re.match(res_text)
        resolutions: list[str] = []
        key = ""
        printed = res_text
        res_title = res_text
        if m:
            num, parts = m["num"], (m["parts"] or "")
            printed = f"{num} {parts}".strip()
            res_title = m["title"].strip()
            rng = re.split(a["part_range"], parts) if parts else []
            if len(rng) == 2:
                letters = [chr(c) for c in range(ord(rng[0]), ord(rng[1]) + 1)]
                key = f"A/RES/{num}{rng[0]}-{rng[1]}"
            else:
                letters = [parts] if parts else [""]
                key = f"A/RES/{num}{parts}"
            # The report's own links name part A by the bare symbol (A/RES/75/242) and
            # later parts with their letter (A/RES/75/242B); follow the same convention.
            resolutions = [normalize_symbol(f"A/RES/{num}{'' if p == 'A' else p}") for p in letters]
        else:
            self._warn(report, row[0][0], f"Annex I row {n}: no resolution number in {res_text[:40]!r}")
            key = f"row-{n}"
        reports = clean("\n".join(cells["reports"]))
        docs = []
        for sm in _SYMBOL.finditer(reports):
            sym = normalize_symbol(sm.group(0))
            if sym not in docs:
                docs.append(sym)
        summary = clean("\n".join(cells["summary"]))
        if not reports or not summary:
            self._warn(report, row[0][0], f"Annex I row {n} ({printed}): "
                                          f"{'no reports cell' if not reports else 'no summary'}")
        return FollowUp(n, agenda_item, agenda_title, printed, resolutions, res_title, reports, docs, summary,
                        fragments, key)

    # -- paragraphs on the oversight function ---------------------------------

    def _paragraphs(self, text: SourceText, lines: list[str], lex: dict, report: Report) -> None:
        p = lex["paragraphs"]
        flat = [re.sub(r"\s+", " ", l).strip() for l in lines]
        sec = next((i for i, l in enumerate(flat) if l.endswith(p["section"]) and len(l) < 40), None)
        if sec is None:
            self._warn(report, None, f"no section {p['section']!r}: paragraph figures not read")
            return
        stop = next((i for i in range(sec + 1, len(flat)) if flat[i] == p["next_section"]), len(flat))
        body = None
        i = sec + 1
        while i < stop:
            if (m := re.match(p["body_heading"], flat[i])) and (iri := reference.lookup(m["name"])) is not None:
                body = str(iri).rsplit("/", 1)[-1]
                i += 1
                continue
            if (m := re.match(p["paragraph_start"], flat[i])) and body:
                j = i + 1
                while j < stop and not re.match(p["paragraph_start"], flat[j]) and not (
                        (mm := re.match(p["body_heading"], flat[j])) and reference.lookup(mm["name"]) is not None):
                    j += 1
                end = j
                while end > i and not flat[end - 1]:
                    end -= 1
                self._paragraph(lines, i, end, int(m["n"]), body, lex, report)
                body = None  # one paragraph of figures per body heading
                i = j
                continue
            i += 1

    def _paragraph(self, lines, i, end, number, body, lex, report: Report) -> None:
        p = lex["paragraphs"]
        cats = lex["annex_iii"]["categories"]
        text = clean("\n".join(lines[i:end]))
        name = f"{body.lower()}-paragraph-{number}"
        label = lex["labels"]["paragraph"].format(n=number)
        ds = Dataset(name, body, label, i + 1, end)
        if m := re.search(p["as_of"], text):
            d = parse_date(m["date"])
            ds.as_of = d.isoformat() if d else None
        found = []
        period_res = [re.compile(r) for r in p["periods"]]
        sub_re = re.compile(p["subparagraph"])
        firsts = [m for r in period_res for m in r.finditer(text)]
        if not firsts:
            self._warn(report, i + 1, f"paragraph {number}: no period stated")
            return
        first_m = min(firsts, key=lambda m: m.start())
        first_period = self._bounds(first_m, lex)
        lead_in = text[:first_m.start()]
        current = None
        # Clauses: split at each stated period, at "in comparison" and at sub-paragraphs (a), (b);
        # a sub-paragraph that states no period of its own has the paragraph's first one.
        subs = {m.start() for m in sub_re.finditer(text)}
        marks = sorted({m.start() for m in firsts} | subs |
                       {m.start() for m in re.finditer(re.escape(p["clause_split"]), text)} | {0, len(text)})
        for a, b in itertools.pairwise(marks):
            clause = text[a:b]
            if a in subs:
                current = first_period
            for r in period_res:
                if pm := r.match(clause):
                    current = self._bounds(pm, lex)
                    break
            if current is None:
                continue
            category, notation = p["default_category"], cats.get(p["default_category"])
            for c in p.get("categories", []):
                if c["printed"] in clause or c["printed"] in lead_in:
                    category, notation = c["printed"], c["notation"]
                    break
            measures = {}
            if m := re.search(p["issued"], clause):
                measures["recommendationsIssued"] = parse_number(m["n"])
            if m := re.search(p["implemented"], clause):
                measures["recommendationsImplemented"] = parse_number(m["n"])
                measures["implementationRate"] = parse_decimal(m["rate"], lex)
            if m := re.search(p["outstanding"], clause):
                measures["recommendationsOutstanding"] = parse_number(m["n"])
                measures["_outstandingRate"] = parse_decimal(m["rate"], lex)
            if measures:
                found.append(Observation(name, body, *current, category, notation, measures, [(i + 1, end)]))
            if m := re.search(p["acceptance"], clause):
                found.append(Observation(name, body, *current, p["default_category"], cats.get(p["default_category"]),
                                         {"acceptanceRate": parse_decimal(m["rate"], lex)}, [(i + 1, end)]))
            if m := re.search(p["accepted_implementation"], clause):
                found.append(Observation(name, body, *current, p["accepted_category"], cats.get(p["accepted_category"]),
                                         {"implementationRate": parse_decimal(m["rate"], lex)}, [(i + 1, end)]))
        # Sub-paragraphs "(b) ..." that state no period of their own share the first one.
        merged = self._merge(found, report)
        if merged:
            report.datasets.append(ds)
            report.observations.extend(merged)
        else:
            self._warn(report, i + 1, f"paragraph {number}: no figures read")

    @staticmethod
    def _bounds(m: re.Match, lex: dict) -> tuple[str, str]:
        """ISO bounds of a stated period: a January start or December end is a year."""
        g = m.groupdict()
        y1, y2 = int(g["y1"]), int(g["y2"])
        m1, m2 = _month(g.get("m1"), lex, 1), _month(g.get("m2"), lex, 12)
        begin = str(y1) if m1 == 1 else f"{y1}-{m1:02d}-01"
        end = str(y2) if m2 == 12 else f"{y2}-{m2:02d}-{calendar.monthrange(y2, m2)[1]:02d}"
        return begin, end

    def _merge(self, found: list[Observation], report: Report) -> list[Observation]:
        """One observation per (period, category) in a dataset; conflicting values are warned about."""
        out: dict[tuple, Observation] = {}
        for o in found:
            k = (o.dataset, o.period, o.category)
            if k not in out:
                out[k] = o
                continue
            have = out[k]
            for m, v in o.measures.items():
                if m in have.measures and have.measures[m] != v:
                    self._warn(report, o.lines[0][0], f"{o.dataset} {o.period} {o.category}: {m} given as "
                                                      f"{have.measures[m]} and {v}")
                else:
                    have.measures[m] = v
            have.lines.extend(l for l in o.lines if l not in have.lines)
        return list(out.values())

    # -- Annex III ------------------------------------------------------------

    def _annex_iii(self, text: SourceText, lines: list[str], lex: dict, report: Report) -> None:
        t = lex["annex_iii"]
        begin, end = self._section(lines, t["heading"], None)
        if begin < 0:  # the completeness check says so
            return
        flat = [re.sub(r"\s+", " ", l).strip() for l in lines]
        # Footnote 'a': the month/day the marked columns end.
        note = next((_Note(re.match(t["period_end_note"], flat[i]), lex) for i in range(begin, end)
                     if re.match(t["period_end_note"], flat[i])), None)
        tables: list[tuple[str, int]] = []
        for i in range(begin, end):
            if flat[i] and (iri := reference.lookup(flat[i])) is not None and str(iri).rsplit("/", 1)[-1] in (
                    "OIOS", "BOA", "JIU"):
                tables.append((str(iri).rsplit("/", 1)[-1], i))
        for n, (body, start) in enumerate(tables):
            stop = tables[n + 1][1] if n + 1 < len(tables) else end
            self._table(lines, flat, start, stop, body, lex, note, report)

    def _table(self, lines, flat, start, stop, body, lex, note, report: Report) -> None:
        t = lex["annex_iii"]
        cats = t["categories"]
        since = next((int(m["year"]) for i in range(start, stop) if (m := re.search(t["since_year"], flat[i]))), None)
        header_i = next((i for i in range(start, stop) if flat[i].endswith(t["total"]) or f" {t['total']} " in flat[i]),
                        None)
        if header_i is None:  # a table cut after its heading, or one the lexicon cannot read: refused either way
            report.warnings.append(completeness.incomplete(report.symbol, start + 1, (
                f"the {body} table of {t['heading']} has no header row with {t['total']!r}")))
            return
        labels = re.findall(r"(?<![\d/-])(\d{4}(?:-\d{4}|/\d{2})?a?)(?![\d])", flat[header_i])
        periods: list[tuple[str, str, str]] = []
        for label in labels:
            periods.append(self._column_period(label, note, periods[-1][1] if periods else None))
        for (b1, e1, l1), (b2, e2, l2) in itertools.pairwise(periods):
            if _next_day(e1) != _as_begin(b2):
                self._warn(report, header_i + 1, f"Annex III {body}: columns {l1!r} (ending {_as_end(e1)}) and "
                                                 f"{l2!r} (beginning {_as_begin(b2)}) leave a gap: a column may be "
                                                 "missing or a label misprinted")
        # A column of the footnoted kind ('2020a': period ending 30 June) runs from the day after the
        # previous column; one that so spans other than twelve months is reported once the figures
        # show whether the columns add up (then none is missing).
        spans = [(label, b, e, _months(b, e)) for n, (b, e, label) in enumerate(periods)
                 if n and label.endswith("a") and _months(b, e) != 12]
        told = False
        first = since if since is not None else int(periods[0][0][:4])
        last_end = periods[-1][1]
        ds = Dataset(body.lower(), body, lex["labels"]["oios_dataset"], start + 1, stop)
        found: list[Observation] = []
        k = len(periods)
        last_row: Observation | None = None
        unrated: list[tuple[int, str]] = []  # category rows still waiting for the rate row printed under each
        for i in range(header_i + 1, stop):
            line = flat[i]
            if not line:
                continue
            if line.startswith(t["rate_row"]) and last_row is not None:
                unrated = [u for u in unrated if u[1] != last_row.category]
                rates = re.findall(rf"\d+(?:{re.escape(decimal_mark(lex))}\d+)?",
                                   line[len(t["rate_row"]):].split(")", 1)[-1])
                if len(rates) != k:
                    self._warn(report, i + 1, f"Annex III {body}: {len(rates)} rates for {k} columns")
                for (b, e, label), r in zip(periods, rates):
                    found.append(Observation(ds.name, body, str(first), e, last_row.category, last_row.notation,
                                             {"implementationRate": parse_decimal(r, lex)}, [(i + 1, i + 1)]))
                continue
            cat = next((c for c in sorted(cats, key=len, reverse=True) if line.startswith(c)), None)
            if cat is None:
                continue
            tokens = re.findall(r"\d[\d,]*", line[len(cat):])
            values = self._group(tokens, k)
            if values is None:
                self._warn(report, i + 1, f"Annex III {body} {cat}: figures {' '.join(tokens)} do not add up "
                                          f"under any grouping of {k + 4} columns")
                continue
            issued, per, total, closed, progress = values[0], values[1:k + 1], values[k + 1], values[k + 2], values[k + 3]
            if spans and not told:
                told = True
                figures = " + ".join(_thin(v) for v in per) + f" = {_thin(total)}"
                for lb, b, e, months in spans:
                    prev = next(p for p in reversed(periods) if _as_end(p[1]) < _as_begin(b))
                    self._warn(report, header_i + 1, (
                        f"Annex III {body}: column {lb!r} (footnote a: ending {_as_end(e)}) follows column "
                        f"{prev[2]!r} (ending {_as_end(prev[1])}), so it is read as {_as_begin(b)} to "
                        f"{_as_end(e)}, {months} months; no column is missing: the {cat!r} row (line {i + 1}) "
                        f"has {k} period figures for the {k} labels and they add up to its total ({figures})"))
            unrated.append((i + 1, cat))
            last_row = Observation(ds.name, body, str(first), last_end, cat, cats[cat],
                                   {"recommendationsIssued": issued, "recommendationsImplemented": total,
                                    "recommendationsClosed": closed, "recommendationsOutstanding": progress},
                                   [(i + 1, i + 1)])
            found.append(last_row)
            for (b, e, label), v in zip(periods, per):
                found.append(Observation(ds.name, body, b, e, cat, cats[cat], {"recommendationsImplemented": v},
                                         [(i + 1, i + 1)]))
        for line_no, cat in unrated:
            report.warnings.append(completeness.incomplete(report.symbol, line_no, (
                f"the row {cat!r} of the {body} table of {t['heading']} is not followed by its "
                f"{t['rate_row']!r} row")))
        merged = self._merge(found, report)
        report.datasets.append(ds)
        report.observations.extend(merged)

    # -- completeness -----------------------------------------------------------

    def _completeness(self, text: SourceText, lines: list[str], lex: dict, report: Report) -> None:
        """The sections and annexes the summary announces, Annex I, and a table in Annex III for each
        oversight body the summary names there, against the text: what is missing is a fatal warning."""
        c = lex["completeness"]
        flat = [re.sub(r"\s+", " ", ln).strip() for ln in lines]
        section_rx, annex_rx = re.compile(c["section_heading"]), re.compile(c["annex_heading"], re.I)
        # the summary: from its heading to the first section heading
        s0 = next((i + 1 for i, ln in enumerate(flat) if ln == c["summary"]), len(lines))
        s1 = next((i for i in range(s0, len(lines)) if section_rx.match(lines[i])), len(lines))
        summary, line_at = completeness.joined((i + 1, lines[i]) for i in range(s0, s1))
        annexes = {completeness.numeral(m["n"]) for ln in flat if (m := annex_rx.fullmatch(ln))}
        sections = {completeness.numeral(m["n"]) for ln in lines if (m := section_rx.match(ln))}
        exp = [Expectation(1 in annexes, None, f"{lex['annex_i']['heading']}, the table of resolutions every "
                                               "report of this kind has, is not in the text")]
        announced = [(completeness.numeral(m["n"]), m) for m in re.finditer(c["annex_announced"], summary, re.I)]
        for n, m in announced:
            if n != 1:
                exp.append(Expectation(n in annexes, line_at(m.start()), (
                    f"{c['annex_name'].format(n=m['n'])} is announced in the summary but is not in the text")))
        for m in re.finditer(c.get("section_announced", r"(?!)"), summary):
            exp.append(Expectation(completeness.numeral(m["n"]) in sections, line_at(m.start()), (
                f"{c['section_name'].format(n=m['n'])} is announced in the summary but is not in the text")))
        # Annex III: a table for every oversight body the summary names where it announces the annex
        iii = next((m for n, m in announced if n == 3), None)
        if iii is not None and 3 in annexes:
            end = re.search(c["sentence_end"], summary[iii.end():])
            sentence = summary[iii.start(): iii.end() + (end.start() if end else len(summary))]
            tables = {ds.body for ds in report.datasets if ds.label == lex["labels"]["oios_dataset"]}
            for at, key, iri in reference.find_names(sentence):
                body = str(iri).rsplit("/", 1)[-1]
                if body in ("OIOS", "BOA", "JIU"):
                    exp.append(Expectation(body in tables, line_at(iii.start() + at), (
                        f"the {body} table of {lex['annex_iii']['heading']} ({sentence[at:at + len(key)]}, "
                        "announced in the summary) is not in the text")))
        elif iii is None and 3 not in annexes:
            self._warn(report, None, f"no {lex['annex_iii']['heading']}: its figures were not read")
        report.warnings.extend(completeness.check(report.symbol, exp))

    @staticmethod
    def _column_period(label: str, note, previous_end: str | None = None) -> tuple[str, str, str]:
        """(begin, end, label) of a year column. A column marked 'a' ends on the footnote's day of its
        year and begins the day after the previous column ends: the columns add up to the total
        since the first year, so together they cover the whole period (a first column, with none
        before it, covers the twelve months before its end)."""
        marked = label.endswith("a")
        core = label.rstrip("a")
        if m := re.fullmatch(r"(\d{4})-(\d{4})", core):
            b, e = m[1], m[2]
        elif m := re.fullmatch(r"(\d{4})/(\d{2})", core):
            b, e = m[1], m[1][:2] + m[2]
        else:
            b = e = core
        if marked and note is not None:
            mon, day = _month(note["month"], note.lex, 12), int(note["day"])
            y = int(e)
            e = f"{y}-{mon:02d}-{day:02d}"
            nb = _next_day(previous_end) if previous_end else _next_day(f"{y - 1}-{mon:02d}-{day:02d}")
            b = nb if b == core else b
        return b, e, label

    @staticmethod
    def _group(tokens: list[str], k: int) -> list[int] | None:
        """Group thin-space-separated digit tokens into k + 4 numbers (issued, k periods, total,
        closed, in progress) so that the periods add up to the total and total + closed +
        in progress = issued. The grouping with the fewest joins wins."""
        want = k + 4
        best = None

        def rec(pos: int, acc: list[int], joins: int):
            nonlocal best
            if len(acc) == want:
                if pos == len(tokens):
                    ok = sum(acc[1:k + 1]) == acc[k + 1] and acc[k + 1] + acc[k + 2] + acc[k + 3] == acc[0]
                    if ok and (best is None or joins < best[0]):
                        best = (joins, list(acc))
                return
            if pos >= len(tokens):
                return
            head = tokens[pos].replace(",", "")
            value = int(head)
            rec(pos + 1, acc + [value], joins)
            j = pos + 1
            if len(head) <= 3:
                while j < len(tokens) and len(tokens[j]) == 3 and "," not in head:
                    value = value * 1000 + int(tokens[j])
                    j += 1
                    rec(j, acc + [value], joins + (j - pos - 1))

        rec(0, [], 0)
        return best[1] if best else None

    # -- checks -----------------------------------------------------------------

    def _check_observations(self, report: Report) -> None:
        for o in report.observations:
            ms = o.measures
            issued = ms.get("recommendationsIssued")
            line = o.lines[0][0]
            if issued:
                done = ms.get("recommendationsImplemented", 0) + ms.get("recommendationsClosed", 0)
                if "implementationRate" in ms and "recommendationsImplemented" in ms:
                    self._check_rate(report, o, line, "implementation rate", done, issued, ms["implementationRate"])
                if "_outstandingRate" in ms and "recommendationsOutstanding" in ms:
                    self._check_rate(report, o, line, "in-progress rate", ms["recommendationsOutstanding"], issued,
                                     ms["_outstandingRate"])
                if "recommendationsOutstanding" in ms and "recommendationsImplemented" in ms and \
                        done + ms["recommendationsOutstanding"] != issued:
                    self._warn(report, line, f"{o.dataset} {o.period} {o.category}: implemented/closed {done} + "
                                             f"outstanding {ms['recommendationsOutstanding']} ≠ issued {issued}")

    def _check_rate(self, report, o, line, what, part, whole, printed: Decimal) -> None:
        exp = printed.as_tuple().exponent
        tolerance = Decimal(5) * (Decimal(10) ** (exp - 1)) + Decimal("0.0001")
        actual = Decimal(part) * 100 / Decimal(whole)
        if abs(actual - printed) > tolerance:
            self._warn(report, line, f"{o.dataset} {o.period} {o.category}: {what} printed {printed}% but "
                                     f"{part}/{whole} = {actual:.2f}%")

    # -- citations ----------------------------------------------------------------

    def _citations(self, text: SourceText, lines: list[str], report: Report) -> None:
        seen: dict[str, int] = {}
        for n, line in enumerate(lines, 1):
            for m in _UNDOCS.finditer(line):
                sym = _link_symbol(m["sym"])
                if sym and sym != report.symbol:
                    seen.setdefault(sym, n)
            if "http" in line:
                continue
            for m in _SYMBOL.finditer(line):
                sym = normalize_symbol(m.group(0))
                if sym != report.symbol:
                    seen.setdefault(sym, n)
        report.citations = [Citation(s, n) for s, n in seen.items()]

    # -- emit ---------------------------------------------------------------------

    def emit(self, text: SourceText, report: Report) -> Extraction:
        g = new_graph()
        lang = report.lang
        sym = report.symbol
        d = document(g, sym, JIU.SecretaryGeneralReport, self.kind, lang=lang, title=report.title,
                     issued=report.issued, source=text)
        g.add((d, JIU.preparedBy, org_iri("UN-SG")))
        body = lexicon(lang)["identity"]["body"]
        if report.session is not None:
            s = session_iri(body, report.session)
            g.add((s, RDF.type, JIU.Session))
            g.add((s, JIU.sessionNumber, Literal(report.session, datatype=XSD.integer)))
            g.add((s, JIU.sessionOf, org_iri(body)))
            g.add((d, JIU.session, s))
            g.add((d, JIU.submittedTo, org_iri(body)))
        if report.agenda_item:
            g.add((d, JIU.agendaItem, Literal(report.agenda_item)))
        derived(g, d, text, sym, report.title_line, min(report.title_line + 1, len(text.lines)), lang)
        counts = Counter()

        for f in report.follow_ups:
            fu = followup_iri(sym, f.key, f.occurrence)
            g.add((fu, RDF.type, JIU.ResolutionFollowUp))
            g.add((fu, JIU.reportedIn, d))
            g.add((fu, JIU.agendaItem, Literal(f.agenda_item)))
            g.add((fu, RDFS.label, Literal(f"{f.resolution}: {f.resolution_title}", lang=lang)))
            for r in f.resolutions:
                g.add((fu, JIU.aboutResolution, cited_document(g, r, adopted_by=org_iri(body))))
            for doc in f.follow_up_documents:
                g.add((fu, JIU.followUpDocument, cited_document(g, doc)))
            if f.summary:
                g.add((fu, JIU.summary, Literal(f.summary, lang=lang)))
            for fr in f.fragments:
                derived(g, fu, text, sym, fr.start_line, fr.end_line, lang)
            counts["resolution-follow-up"] += 1

        periods = set()
        for ds in report.datasets:
            di = dataset_iri(sym, ds.name)
            g.add((di, RDF.type, QB.DataSet))
            g.add((di, QB.structure, JIU.oversightDSD))
            g.add((di, DCTERMS.source, d))
            g.add((di, RDFS.label, Literal(f"{sym} {ds.label}: {ds.body}", lang=lang)))
            # where the figures are printed: "paragraph 90", or "Annex III" (the only annex of figures); the
            # label keeps the document's own words ("第90段", "附件三")
            where = f"paragraph {ds.name.rsplit('-', 1)[1]}" if "-paragraph-" in ds.name else "Annex III"
            g.add((di, JIU.figureLocation, Literal(where)))
            if ds.as_of:
                g.add((di, DCTERMS.date, Literal(ds.as_of, datatype=XSD.date)))
            derived(g, di, text, sym, ds.start_line, ds.end_line, lang)
            counts["dataset"] += 1
        names = {ds.name for ds in report.datasets}
        paragraphs = {ds.name for ds in report.datasets if "-paragraph-" in ds.name}
        try:
            pattern = lexicon(lang).get("paragraphs", {}).get("implemented_or_closed")
        except OSError:
            pattern = None
        or_closed = re.compile(pattern) if pattern else None
        for o in report.observations:
            if o.dataset not in names:
                continue
            di = dataset_iri(sym, o.dataset)
            oi = observation_iri(di, o.period, o.notation or o.category)
            g.add((oi, RDF.type, QB.Observation))
            g.add((oi, QB.dataSet, di))
            g.add((oi, JIU.oversightBody, org_iri(o.body)))
            pi = period_iri(o.begin, o.end)
            g.add((oi, JIU.refPeriod, pi))
            periods.add((o.begin, o.end))
            g.add((oi, JIU.category, Literal(o.category, lang=lang)))
            if o.notation and lang != "en":
                g.add((oi, JIU.category, Literal(o.notation, lang="en")))
            for m, v in o.measures.items():
                if m.startswith("_"):
                    continue
                dt = XSD.decimal if isinstance(v, Decimal) else XSD.integer
                g.add((oi, JIU[m], Literal(str(v), datatype=dt)))
            for a, b in o.lines:
                derived(g, oi, text, sym, a, b, lang)
            # what "implemented" counts: a paragraph that says "已执行或不再执行" (implemented or no longer
            # applicable) counts the closed ones too; Annex III keeps them in a column of their own
            if o.dataset in paragraphs and "recommendationsImplemented" in o.measures and or_closed and any(
                    or_closed.search(clean(" ".join(text.lines[a - 1:b]))) for a, b in o.lines):
                g.add((oi, JIU.implementedIncludesClosed, Literal(True)))
            # Annex III prints years and a footnote on the day a column ends ("述期截至 6 月 30 日"):
            # a beginning on a given day is the loader's reading (the day after the previous column)
            if o.dataset not in paragraphs and len(o.begin) > 4:
                g.add((oi, JIU.periodBeginningInferred, Literal(True)))
            counts["observation"] += 1
        for b, e in periods:
            pi = period_iri(b, e)
            g.add((pi, RDF.type, TIME.ProperInterval))
            g.add((pi, RDFS.label, Literal(b if b == e else f"{b}/{e}")))
            g.add((pi, TIME.hasBeginning, _instant(g, b)))
            g.add((pi, TIME.hasEnd, _instant(g, e, end=True)))

        for c in report.citations:
            ci = cited_document(g, c.symbol)
            g.add((d, DCTERMS.references, ci))
            derived(g, ci, text, sym, c.line, c.line, lang)
            counts["citation"] += 1
        return Extraction(sym, self.kind, g, counts, list(report.warnings), report)


# --- helpers -------------------------------------------------------------------


def _month(value: str | None, lex: dict, default: int) -> int:
    """A month given as digits or as a name from the lexicon's [months]."""
    if not value:
        return default
    if value.isdigit():
        return int(value)
    return lex["months"][value.lower()]


class _Note:
    """The period-end footnote of Annex III with its lexicon, for month names."""

    def __init__(self, m: re.Match, lex: dict):
        self.m, self.lex = m, lex

    def __getitem__(self, k):
        return self.m[k]


def _link_symbol(s: str) -> str | None:
    s = s.rstrip(".,;")
    while s.endswith(")") and s.count(")") > s.count("("):
        s = s[:-1]
    # undocs lower-cases the part letter of a resolution: A/RES/75/242b -> A/RES/75/242B
    if m := re.fullmatch(r"([A-Z]/RES/\d+/\d+)([a-z])", s):
        s = m[1] + m[2].upper()
    if not re.match(r"^[A-Z]+/", s):
        return None
    return normalize_symbol(s)


def _thin(n: int) -> str:
    """A number with thin-space thousands, as the tables print them: 10 417."""
    return f"{n:,}".replace(",", " ")


def _months(begin: str, end: str) -> int:
    """Whole months from the first day of `begin` to the last day of `end` ('2019-01-01', '2020-06-30': 18)."""
    b, e = _as_begin(begin), _as_end(end)
    return (int(e[:4]) - int(b[:4])) * 12 + int(e[5:7]) - int(b[5:7]) + 1


def _as_begin(v: str) -> str:
    return f"{v}-01-01" if len(v) == 4 else v


def _as_end(v: str) -> str:
    return f"{v}-12-31" if len(v) == 4 else v


def _next_day(v: str) -> str:
    from datetime import date, timedelta

    e = _as_end(v)
    return (date.fromisoformat(e) + timedelta(days=1)).isoformat()


def _instant(g, value: str, end: bool = False) -> URIRef:
    i = instant_iri(value)
    g.add((i, RDF.type, TIME.Instant))
    if len(value) == 4:
        g.add((i, TIME.inXSDgYear, Literal(value, datatype=XSD.gYear)))
    else:
        g.add((i, TIME.inXSDDate, Literal(value, datatype=XSD.date)))
    return i
