"""The CEB's annual overview report to ECOSOC: the Board's machinery and what it cites.

What the graph takes from it: which inter-agency mechanisms (the CEB, its
high-level committees, networks, task forces, the UNSDG…) the report speaks
of, where, and what it says each is part of; the CEB's work with the JIU; and
the documents and resolutions it cites. Mechanisms resolve to the reference
IRIs (data/reference/organizations.ttl) through their labels in any language;
a name the reference lacks is reported, never minted here, so IRIs stay
stable. Phrases are data: loaders/lexicons/{lang}/ceb_overview.toml.

The 2022 overview prints no E/2023/… symbol: it is loaded under the
provisional identifier JIUKG-PROVISIONAL/CEB-AOR/2022 (see PROVISIONAL_PREFIX
for why that is safe). A copy that stops before the conclusions section every
overview closes with, or in mid-sentence, is refused (loaders.completeness).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, ORG, RDF, RDFS, SKOS, TIME, XSD

from jiukg.namespaces import JIU, instant_iri, normalize_symbol, session_iri
from jiukg.ontology import reference_graph, subclasses

from . import completeness, reference
from .base import Extraction, Loader, LoadWarning, SourceText
from .completeness import Expectation
from .ceb_common import (Block, apply_corrections, find_citations, link_symbol, load_lexicon, read_layout,
                         rx, search_any)
from .emit import cited_document, date_literal, derived, document, new_graph, passage
from .text import detect_language, parse_date

KIND = "ceb-annual-overview"
# Used when the text prints no symbol and the lexicon knows none: a local,
# clearly non-UN identifier, reported as a warning. Deliberate, unlike a
# symbol made up for a document that cannot be identified (the CEB-comments
# loader refuses such a note): there is one annual overview per year, and
# the kind and the year its title states identify it, so the provisional
# identifier is stable — every copy of the 2022 overview lands in the same
# graph, none can duplicate another — and it never looks like a UN symbol.
# Once the E/YYYY/N symbol is checked against the official record, a
# [[document.known]] row in the lexicon replaces it.
PROVISIONAL_PREFIX = "JIUKG-PROVISIONAL/CEB-AOR"


@dataclass
class Mechanism:
    iri: str
    names: list[str]  # the names under which the text mentions it
    parents: list[str]  # org:subOrganizationOf as read in the text
    paragraphs: list[str]  # where it is mentioned: paragraph numbers, or 'L<line>' for headings
    passages: list[tuple[int, int]] = field(default_factory=list)
    parent_passages: list[tuple[str, int, int]] = field(default_factory=list)


@dataclass
class Citation:
    symbol: str
    resolution: bool
    adopted_by: str | None
    start_line: int
    end_line: int


@dataclass
class JIUPassage:
    paragraph: str
    text: str
    start_line: int
    end_line: int


@dataclass
class CEBOverview:
    symbol: str
    symbol_printed: bool
    lang: str
    title: str | None
    year: int | None
    session: int | None
    session_body: str | None
    session_start: date | None
    session_end: date | None
    agenda_item: str | None
    prepared_by: str | None
    header_lines: tuple[int, int]
    mechanisms: list[Mechanism]
    jiu: list[JIUPassage]
    citations: list[Citation]
    warnings: list[LoadWarning] = field(default_factory=list)


def _lexicon(text: SourceText):
    lang = detect_language(text.raw)
    return lang, load_lexicon("ceb_overview", lang)


def _header(layout) -> list[Block]:
    out = []
    for b in layout.blocks:
        if b.kind == "section":
            break
        out.append(b)
    return out


def _is_latin(s: str) -> bool:
    return bool(re.fullmatch(r"[\x00-\x7f\u00c0-\u024f\u2019]+", s))


_MECH_LABELS: dict[URIRef, list[str]] | None = None


def _mechanism_labels() -> dict[URIRef, list[str]]:
    """Every label and acronym of every inter-agency mechanism in the reference data."""
    global _MECH_LABELS
    if _MECH_LABELS is None:
        g = reference_graph()
        allowed = subclasses(JIU.InterAgencyMechanism)
        out: dict[URIRef, list[str]] = {}
        for cls in allowed:
            for s in g.subjects(RDF.type, cls):
                names = {str(o) for p in (SKOS.prefLabel, SKOS.altLabel, JIU.acronym) for o in g.objects(s, p)}
                out.setdefault(s, [])
                out[s] = sorted(set(out[s]) | {n for n in names if len(n) >= 2})
        _MECH_LABELS = out
    return _MECH_LABELS


def _occurrences(text: str, iris) -> list[tuple[int, int, URIRef, str]]:
    """Non-overlapping mentions (start, end, IRI, name as found), longest names first;
    Latin names only on word boundaries."""
    labels = _mechanism_labels()
    folded = text.casefold()
    cands = []
    for iri in iris:
        for name in labels.get(iri, []):
            key = name.casefold()
            for m in re.finditer(re.escape(key), folded):
                s, e = m.start(), m.end()
                if _is_latin(name) and ((s > 0 and folded[s - 1].isalnum()) or (e < len(folded) and folded[e].isalnum())):
                    continue
                cands.append((s, e, iri, text[s:e]))
    cands.sort(key=lambda c: (-(c[1] - c[0]), c[0]))
    taken: list[tuple[int, int, URIRef, str]] = []
    for c in cands:
        if all(c[1] <= t[0] or c[0] >= t[1] for t in taken):
            taken.append(c)
    return sorted(taken)


# Where a mechanism's name embeds its parent's name, per language
# ([mechanisms.parent] in_name); {parent} stands for a label of the parent.
# The default is the parent named first ('HLCM Finance and Budget Network',
# '管理问题高级别委员会财务和预算网'); French names it last ('Réseau Finances et
# budget du Comité de haut niveau sur la gestion').
DEFAULT_IN_NAME = ("^{parent}",)


def _embedded_parent(name: str, iri: URIRef, patterns=DEFAULT_IN_NAME) -> URIRef | None:
    """The mechanism whose label the found name embeds where the lexicon's patterns
    say a parent stands; the longest such label wins."""
    best, best_len = None, 0
    folded = name.casefold()
    for other, labels in _mechanism_labels().items():
        if other == iri:
            continue
        for label in labels:
            k = label.casefold()
            if not (best_len < len(k) < len(folded)) or k not in folded:
                continue
            for pat in patterns:
                m = rx(pat.replace("{parent}", f"(?P<parent>{re.escape(k)})")).search(folded)
                if m is None:
                    continue
                s, e = m.span("parent")
                if _is_latin(label) and ((s > 0 and folded[s - 1].isalnum()) or
                                         (e < len(folded) and folded[e].isalnum())):
                    continue
                best, best_len = other, len(k)
                break
    return best


class CEBOverviewLoader(Loader):
    kind = KIND

    def recognise(self, text: SourceText) -> bool:
        if not text.raw.strip():
            return False
        lang, lex = _lexicon(text)
        if lex is None:
            return False
        head = " ".join(b.text for b in _header(read_layout(text, lex)))
        return bool(head) and all(search_any(p, head, re.I) for p in lex["recognise"].values())

    # --- extraction ----------------------------------------------------------

    def extract(self, text: SourceText) -> CEBOverview:
        lang, lex = _lexicon(text)
        if lex is None:
            raise ValueError(f"{text.name}: no ceb_overview lexicon for language {lang!r}")
        layout = read_layout(text, lex)
        warnings: list[LoadWarning] = []
        head_blocks = _header(layout)
        head = " ".join(b.text for b in head_blocks)
        doc = lex["document"]

        title_m = search_any(doc["title"], head, re.I)
        year = int(title_m["year"]) if title_m and title_m["year"] else None
        session_m = search_any(doc["session"], head, re.I)
        dates_m = search_any(doc["session_dates"], head, re.I)
        item_m = search_any(doc["agenda_item"], head, re.I)
        body = reference.lookup(doc["submitted_to"])
        prepared = reference.lookup(doc["prepared_by"])

        # The overview's own symbol: printed in the opening lines (masthead)
        # if the extraction kept it, else a symbol the lexicon knows for that
        # year, else a provisional local identifier, with a warning.
        symbol, printed = None, False
        if m := search_any(doc["symbol"], head):
            symbol, printed = normalize_symbol(m["symbol"]), True
        else:
            known = [k for k in doc.get("known", []) if k.get("year") == year]
            if known:
                symbol = normalize_symbol(known[0]["symbol"])
            elif year is not None:
                symbol = f"{PROVISIONAL_PREFIX}/{year}"
                warnings.append(LoadWarning(symbol, None, (
                    "the overview's own symbol is not printed in the text and none is known for "
                    f"{year}; loaded under the provisional identifier {symbol}")))
            else:  # neither symbol nor year: nothing identifies it, and no identifier is made up
                symbol = f"UNIDENTIFIED/{text.sha256[:12]}"
                warnings.append(completeness.incomplete(text.name, None, (
                    "the overview's own symbol is printed nowhere and its title states no year, so "
                    "nothing identifies it; an identifier is never invented")))

        warnings += self._completeness(text, layout, lex, symbol)
        mechanisms = self._mechanisms(layout, lex, symbol, warnings)
        jiu = self._jiu(layout, lex)
        citations = self._citations(layout, lex, symbol, warnings)
        head_lines = (head_blocks[0].start_line, head_blocks[-1].end_line) if head_blocks else (1, 1)
        return CEBOverview(
            symbol=symbol, symbol_printed=printed, lang=lang, title=title_m["title"] if title_m else None,
            year=year, session=int(session_m["year"]) if session_m else None,
            session_body=str(body) if body else None,
            session_start=parse_date(dates_m["start"]) if dates_m else None,
            session_end=parse_date(dates_m["end"]) if dates_m else None,
            agenda_item=item_m["item"] if item_m else None, prepared_by=str(prepared) if prepared else None,
            header_lines=head_lines, mechanisms=mechanisms, jiu=jiu, citations=citations, warnings=warnings)

    @staticmethod
    def _completeness(text: SourceText, layout, lex, symbol) -> list[LoadWarning]:
        """An annual overview closes with its conclusions section: the text must reach it, hold a
        paragraph after it and end a sentence; a copy cut short is refused (loaders.completeness)."""
        c = lex["completeness"]
        body = [b for b in layout.blocks if b.text]
        final = next((i for i, b in enumerate(body)
                      if b.kind == "section" and search_any(c["final_section"], b.text, re.I)), None)
        last = completeness.last_line(text)
        tail = body[-1] if body else None
        return completeness.check(symbol, [
            Expectation(final is not None, last, (
                f"the text stops at line {last} before the section {c['final_section_name']!r} that closes "
                "every annual overview")),
            Expectation(final is None or any(b.kind == "para" for b in body[final + 1:]), last, (
                f"the section {c['final_section_name']!r} has no paragraph")),
            Expectation(tail is None or completeness.ends_sentence(tail.text, c["sentence_end"]), last, (
                f"the last paragraph, from line {tail.start_line if tail else last}, stops in mid-sentence at "
                f"line {last}")),
        ])

    @staticmethod
    def _where(b: Block) -> str:
        return b.number if b.kind == "para" and b.number else f"L{b.start_line}"

    def _mechanisms(self, layout, lex, symbol, warnings) -> list[Mechanism]:
        mlex = lex.get("mechanisms", {})
        parent_patterns = mlex.get("parent", {}).get("patterns", [])
        in_name = tuple(mlex.get("parent", {}).get("in_name", DEFAULT_IN_NAME))
        found: dict[URIRef, Mechanism] = {}
        applied_warned: set[int] = set()

        def rec(iri: URIRef) -> Mechanism:
            if iri not in found:
                found[iri] = Mechanism(str(iri), [], [], [])
            return found[iri]

        def mention(iri: URIRef, name: str, b: Block):
            m = rec(iri)
            if name not in m.names:
                m.names.append(name)
            where = self._where(b)
            if where not in m.paragraphs:
                m.paragraphs.append(where)
                m.passages.append((b.start_line, b.end_line))

        def parent(child: URIRef, par: URIRef, b: Block):
            m = rec(child)
            if str(par) not in m.parents:
                m.parents.append(str(par))
                m.parent_passages.append((str(par), b.start_line, b.end_line))

        for b in layout.blocks:
            if b.kind == "section" and not b.text:
                continue
            txt, applied = apply_corrections(b.text, lex)
            for c in applied:
                if b.start_line not in applied_warned:
                    applied_warned.add(b.start_line)
                    warnings.append(LoadWarning(symbol, b.start_line, f"read '{c['wrong']}' as '{c['right']}': {c['reason']}"))
            named = [iri for _, iri in reference.names_in(txt, JIU.InterAgencyMechanism)]
            if not named:
                self._unknown(txt, [], mlex, b, symbol, warnings)
                continue
            occ = _occurrences(txt, named)
            for s, e, iri, name in occ:
                mention(iri, name, b)
                if (p := _embedded_parent(name, iri, in_name)) is not None:
                    parent(iri, p, b)
                    pm = rec(p)
                    where = self._where(b)
                    if where not in pm.paragraphs:
                        pm.paragraphs.append(where)
                        pm.passages.append((b.start_line, b.end_line))
            # Parents stated by the patterns of the lexicon.
            for (_, _, child, cname) in occ:
                for (_, _, par, pname) in occ:
                    if par == child:
                        continue
                    for pat in parent_patterns:
                        p = pat.replace("{parent}", re.escape(pname)).replace("{child}", re.escape(cname))
                        if rx(p, re.I).search(txt):
                            parent(child, par, b)
                            break
            self._unknown(txt, occ, mlex, b, symbol, warnings)
        return sorted(found.values(), key=lambda m: m.iri)

    @staticmethod
    def _unknown(txt, occ, mlex, b, symbol, warnings):
        """Warn about names ending in a mechanism cue word that the reference data lacks."""
        stop = rx(mlex.get("name_stop", r"\s"))
        not_names = [rx(p) for p in mlex.get("not_names", [])]
        for cue in mlex.get("cues", []):
            for m in rx(cue["cue"]).finditer(txt):
                if "name" in m.groupdict():  # the cue pattern spans the whole name (English, French)
                    start, end = m.span("name")
                else:  # the name runs back from the cue to a stop character (Chinese)
                    start, end = m.start(), m.end()
                    limit = max(0, m.start() - 30)
                    while start > limit and not stop.match(txt[start - 1]):
                        start -= 1
                name = txt[start:end].strip()
                if any(s <= start < e or s < end <= e for s, e, _, _ in occ):
                    continue  # part of a known name
                if any(p.search(name) for p in not_names):
                    continue
                warnings.append(LoadWarning(symbol, b.start_line, (
                    f"'{name}' reads like the name of an inter-agency {cue['class']} that the reference data "
                    "lacks: add it to data/reference/organizations.ttl if it is one")))

    @staticmethod
    def _jiu(layout, lex) -> list[JIUPassage]:
        jiu = reference.lookup(lex.get("jiu", {}).get("body", "JIU"))
        out = []
        for b in layout.blocks:
            if b.kind != "para":
                continue
            if any(iri == jiu for _, iri in reference.names_in(b.text)):
                out.append(JIUPassage(b.number, b.text, b.start_line, b.end_line))
        return out

    @staticmethod
    def _citations(layout, lex, symbol, warnings) -> list[Citation]:
        organs = {"A": reference.lookup("UN-GA") or reference.lookup("GA"), "E": reference.lookup("ECOSOC")}
        found: dict[str, Citation] = {}

        def add(sym, series, start, end):
            sym = normalize_symbol(sym)
            if sym == symbol or sym in found:
                return
            res = "/RES/" in sym
            series = series or (sym.split("/")[0] if res else None)
            org = organs.get(series) if res else None
            found[sym] = Citation(sym, res, str(org) if org else None, start, end)

        units = [(b.text, b.start_line, b.end_line) for b in layout.blocks]
        units += [(f.text, f.start_line, f.end_line) for f in layout.footnotes]
        for txt, s, e in units:
            txt, _ = apply_corrections(txt, lex)
            for sym, series in find_citations(txt, lex):
                add(sym, series, s, e)
        for line, url in layout.links:
            if sym := link_symbol(url):
                add(sym, None, line, line)
        return sorted(found.values(), key=lambda c: (c.start_line, c.symbol))

    # --- emission ------------------------------------------------------------

    def emit(self, text: SourceText, ov: CEBOverview) -> Extraction:
        g = new_graph()
        lang, sym = ov.lang, ov.symbol
        d = document(g, sym, JIU.CEBAnnualOverview, KIND, lang=lang, title=ov.title, source=text)
        h0, h1 = ov.header_lines
        derived(g, d, text, sym, h0, h1, lang)
        if not ov.symbol_printed:
            g.add((d, JIU.symbolInferred, Literal(True)))
            g.add((d, RDFS.comment, Literal(
                "The symbol is not printed in the source text; see the loader's warnings.", lang="en")))
        if ov.agenda_item:
            g.add((d, JIU.agendaItem, Literal(ov.agenda_item)))
        if ov.prepared_by:
            g.add((d, JIU.preparedBy, URIRef(ov.prepared_by)))
        if ov.session_body:
            g.add((d, JIU.submittedTo, URIRef(ov.session_body)))
            if ov.session:
                s = session_iri(ov.session_body, ov.session)
                g.add((s, RDF.type, JIU.Session))
                # ECOSOC designates its sessions by year ("2023 session").
                g.add((s, JIU.sessionNumber, Literal(ov.session, datatype=XSD.integer)))
                g.add((s, JIU.sessionOf, URIRef(ov.session_body)))
                for prop, day in ((TIME.hasBeginning, ov.session_start), (TIME.hasEnd, ov.session_end)):
                    if day:
                        i = instant_iri(day.isoformat())
                        g.add((i, RDF.type, TIME.Instant))
                        g.add((i, TIME.inXSDDate, date_literal(day)))
                        g.add((s, prop, i))
                g.add((d, JIU.session, s))
        records: Counter = Counter()

        for m in ov.mechanisms:
            iri = URIRef(m.iri)
            for s0, s1 in m.passages:
                derived(g, iri, text, sym, s0, s1, lang)
            for par, s0, s1 in m.parent_passages:
                g.add((iri, ORG.subOrganizationOf, URIRef(par)))
                derived(g, iri, text, sym, s0, s1, lang)
            records["mechanism"] += 1

        jiu = reference.lookup("JIU")
        for p in ov.jiu:
            pi = passage(g, text, sym, p.start_line, p.end_line, lang)
            g.add((pi, DCTERMS.subject, jiu))
            g.add((pi, JIU.summary, Literal(p.text, lang=lang)))
            g.add((d, DCTERMS.subject, jiu))
            records["jiu-cooperation"] += 1

        for c in ov.citations:
            ci = cited_document(g, c.symbol, adopted_by=URIRef(c.adopted_by) if c.adopted_by else None)
            g.add((d, DCTERMS.references, ci))
            derived(g, ci, text, sym, c.start_line, c.end_line, lang)
            records["citation"] += 1

        return Extraction(symbol=sym, kind=KIND, graph=g, records=records, warnings=list(ov.warnings), data=ov)
