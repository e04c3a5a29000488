"""Notes by which the Secretary-General transmits his and the CEB's comments on a JIU report.

The note comments on the report as a whole (its general comments) and on each
recommendation, quoting the recommendation first. Each comment becomes a
jiu:CEBComment on the very recommendation resource (rec_iri) that the
organisations' progress reports speak of, with the stance read from the
lexicon's phrases. The phrases are data (loaders/lexicons/{lang}/ceb_comments.toml):
another language needs phrases, not code.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, XSD

from jiukg.namespaces import (JIU, comment_iri, concept, doc_iri, normalize_symbol, rec_iri,
                              session_iri)

from . import completeness, reference
from .base import Extraction, Loader, LoadWarning, SourceText
from .completeness import Expectation
from .ceb_common import (Block, find_citations, link_symbol, load_lexicon, read_layout, rx,
                         search_any, parse_number)
from .emit import cited_document, date_literal, derived, document, new_graph
from .mechanisms import add_mentions, implementation_channel
from .text import clean, detect_language

KIND = "ceb-comments-note"
_JIU_SYMBOL = re.compile(r"(?<![A-Za-z])(?P<prefix>[A-Z]{2,6})/(?P<rest>(?:REP|NOTE)/\d{4}/\d+)")


@dataclass
class Comment:
    number: int | None  # None: the general comments on the report
    text: str
    stance: str | None
    stance_evidence: str | None
    start_line: int
    end_line: int
    paragraphs: list[str] = field(default_factory=list)
    secretariat: list[tuple] = field(default_factory=list)  # (number, text, start, end): the Secretariat's own


@dataclass
class Recommendation:
    number: int
    text: str
    addressee: str | None
    deadline: date | None
    deadline_text: str | None
    channel: list[str]  # reference IRIs of the mechanisms it is to be implemented through (loaders.mechanisms)
    channel_evidence: list[str]  # the phrases that say so
    start_line: int
    end_line: int


@dataclass
class Citation:
    symbol: str
    resolution: bool
    start_line: int
    end_line: int


@dataclass
class CEBCommentsNote:
    symbol: str
    symbol_derived: bool
    lang: str
    report: str
    report_title: str | None
    circulated_as: str | None
    session: int | None
    session_body: str | None  # reference IRI
    agenda_item: str | None
    header_lines: tuple[int, int]
    report_mentions: list[tuple[int, int]]  # blocks that name the report
    comments: list[Comment]
    recommendations: list[Recommendation]
    citations: list[Citation]
    warnings: list[LoadWarning] = field(default_factory=list)


def _lexicon(text: SourceText) -> tuple[str, dict | None]:
    lang = detect_language(text.raw)
    return lang, load_lexicon("ceb_comments", lang)


def _header(layout) -> list[Block]:
    out = []
    for b in layout.blocks:
        if b.kind == "section":
            break
        out.append(b)
    return out


class CEBCommentsLoader(Loader):
    kind = KIND

    def recognise(self, text: SourceText) -> bool:
        if not text.raw.strip():
            return False
        lang, lex = _lexicon(text)
        if lex is None:
            return False
        layout = read_layout(text, lex)
        head = " ".join(b.text for b in _header(layout))
        # The opening says what the note is; whether it goes on to comment on every recommendation
        # is for the completeness check, which refuses a copy cut short and says what is missing.
        return bool(head) and all(search_any(p, head, re.I) for p in lex["recognise"].values())

    # --- extraction ----------------------------------------------------------

    def extract(self, text: SourceText) -> CEBCommentsNote:
        lang, lex = _lexicon(text)
        if lex is None:
            raise ValueError(f"{text.name}: no ceb_comments lexicon for language {lang!r}")
        layout = read_layout(text, lex)
        warnings: list[LoadWarning] = []
        head_blocks = _header(layout)
        head = " ".join(b.text for b in head_blocks)
        doc = lex["document"]

        report_m = rx(r"JIU/(?:REP|NOTE)/\d{4}/\d+(?:/Rev\.\d+)?").search(head)
        report = normalize_symbol(report_m.group()) if report_m else None
        title_m = search_any(doc["report_title"], head, re.I)
        session_m = search_any(doc["session"], head, re.I)
        item_m = search_any(doc["agenda_item"], head, re.I)
        body_m = search_any(doc["submitted_to"], head, re.I)
        body = reference.lookup(body_m["body"]) if body_m else None

        circulated = None
        for fn in layout.footnotes:
            if m := search_any(doc["circulated_as"], fn.text, re.I):
                circulated = normalize_symbol(m["symbol"])
                break

        # The note's own symbol. Printed notes carry it in the page header,
        # which PDF extraction may drop (A/80/263/Add.1 is printed nowhere in
        # the bundled text). By the UN's documented practice the
        # Secretary-General's note transmitting his and the CEB's comments on
        # a JIU report is issued as the first addendum to the document under
        # which the report was circulated (report A/80/263 -> comments
        # A/80/263/Add.1; WIPO's progress reports list e.g. A/79/694/Add.1 as
        # the CEB comments on JIU/REP/2023/8). So: the symbol if printed
        # anywhere (text or links), else derived by that rule from the
        # circulation symbol (footnote 1), with a warning. Without either the
        # note cannot be identified: no symbol is made up (a made-up one put a
        # second copy of the same comments in the store), the note is refused.
        symbol, symbol_derived = None, False
        if circulated:
            own = re.compile(re.escape(circulated) + r"\s*/\s*Add\.\s*\d+")
            if m := own.search(text.raw):
                symbol = normalize_symbol(m.group())
            else:
                symbol, symbol_derived = f"{circulated}/Add.1", True
                warnings.append(LoadWarning(symbol, None, (
                    f"the note's own symbol is not printed; {symbol} derived from the report's "
                    f"circulation symbol {circulated} (comments are issued as its first addendum)")))
        else:
            symbol = f"UNIDENTIFIED/{text.sha256[:12]}"  # never stored: the fatal warning refuses the note
            warnings.append(completeness.incomplete(text.name, None, (
                "the note's own symbol is printed nowhere, nor is the symbol under which the report was "
                "circulated (the footnote the note's symbol is derived from); a symbol is never invented")))
        if report is None:
            warnings.append(LoadWarning(symbol, head_blocks[0].start_line if head_blocks else None,
                                        "no JIU report symbol in the opening paragraph"))

        # Other prefixes on the report's REP/YYYY/N are slips ("UNEP/REP/2024/4"
        # for JIU/REP/2024/4): the title and the opening say which report it
        # is; the passage keeps the raw text, the warning says what was read.
        slips: set[str] = set()
        if report:
            for i, line in enumerate(text.lines, 1):
                for m in _JIU_SYMBOL.finditer(line):
                    if m["prefix"] != "JIU" and normalize_symbol("JIU/" + m["rest"]) == report:
                        slips.add(normalize_symbol(m.group()))
                        warnings.append(LoadWarning(symbol, i, (
                            f"'{m.group()}' read as {report}: same report number, and the title and "
                            f"opening paragraph name {report} (extraction or typing slip)")))

        # Passages that name the report (under a slip too): its description
        # in the graph is derived from them, the raw text kept as printed.
        mentions: list[tuple[int, int]] = []
        if report:
            rest = report.split("/", 1)[1]
            for b in layout.blocks:
                if any(re.search(r"[A-Z]{2,6}/" + re.escape(rest) + r"(?!\d)", line) for _, line in b.lines):
                    mentions.append((b.start_line, b.end_line))

        comments, recs = self._comments(text, layout, lex, symbol, warnings)
        warnings += self._completeness(text, layout, lex, symbol, recs, comments)
        citations = self._citations(text, layout, lex, report, slips, circulated)

        if symbol.startswith("UNIDENTIFIED/"):  # the messages name the file, not the placeholder
            warnings = [dataclasses.replace(w, document=text.name) for w in warnings]
        head_lines = (head_blocks[0].start_line, head_blocks[-1].end_line) if head_blocks else (1, 1)
        return CEBCommentsNote(
            symbol=normalize_symbol(symbol), symbol_derived=symbol_derived, lang=lang, report=report or "",
            report_title=title_m["title"] if title_m else None, circulated_as=circulated,
            session=parse_number(session_m["number"], lex) if session_m else None,
            session_body=str(body) if body else None, agenda_item=item_m["item"] if item_m else None,
            header_lines=head_lines, report_mentions=mentions, comments=comments, recommendations=recs, citations=citations,
            warnings=warnings)

    def _comments(self, text, layout, lex, symbol, warnings):
        secs = lex["sections"]
        section = None
        general: list[Block] = []
        per_rec: dict[int, tuple[Block, list[Block]]] = {}
        order: list[int] = []
        current: int | None = None
        for b in layout.blocks:
            if b.kind == "section":
                section = next((k for k, p in secs.items() if rx(p, re.I).search(b.text)), "other")
                current = None
                continue
            if section == "general" and b.kind == "para":
                general.append(b)
            elif section == "specific":
                if b.kind == "rec":
                    n = int(b.number)
                    if n in per_rec:
                        warnings.append(LoadWarning(symbol, b.start_line, f"recommendation {n} is headed twice"))
                    per_rec[n] = (b, [])
                    order.append(n)
                    current = n
                elif b.kind == "para" and current is not None:
                    per_rec[current][1].append(b)

        comments: list[Comment] = []
        if general:  # none: the completeness check says what is missing
            comments.append(self._comment(None, general, lex))
        recs: list[Recommendation] = []
        for n in order:
            head, paras = per_rec[n]
            rec = self._recommendation(n, head, lex)
            recs.append(rec)
            if not rec.text:
                warnings.append(LoadWarning(symbol, head.start_line, f"recommendation {n}: no recommendation text after the heading"))
            if paras:
                comments.append(self._comment(n, paras, lex))
        if order != sorted(order):  # a number missing from 1..N is for the completeness check
            where = next((per_rec[n][0].start_line for n, m in zip(order, sorted(order), strict=True) if n != m), None)
            warnings.append(LoadWarning(symbol, where, f"recommendations are not in order: {order}"))
        for c in comments:
            if c.stance is None:
                what = f"recommendation {c.number}" if c.number else "the general comments"
                warnings.append(LoadWarning(symbol, c.start_line, f"no stance phrase found in the comment on {what}"))
        return comments, recs

    @staticmethod
    def _completeness(text, layout, lex, symbol, recs, comments) -> list[LoadWarning]:
        """Every note of this kind has its three sections (introduction, general comments, comments on
        specific recommendations), quotes the recommendations 1..N and comments on each, and ends a
        sentence: a copy lacking any of it is refused (loaders.completeness) instead of silently losing
        comments."""
        secs, c = lex["sections"], lex["completeness"]
        present = {k for b in layout.blocks if b.kind == "section"
                   for k, p in secs.items() if rx(p, re.I).search(b.text)}
        last = completeness.last_line(text)
        exp = [Expectation(k in present, last,
                           f"the section {p!r}, which every note of this kind has, is not in the text")
               for k, p in secs.items()]
        if "general" in present:
            exp.append(Expectation(any(cm.number is None for cm in comments), last,
                                   f"the section {secs['general']!r} holds no paragraph"))
        if "specific" in present:
            exp.append(Expectation(bool(recs), last, f"the section {secs['specific']!r} quotes no recommendation"))
        numbers = [r.number for r in recs]
        for n in sorted(set(range(1, max(numbers, default=0) + 1)) - set(numbers)):
            exp.append(Expectation(False, None, f"recommendation {n} is not in the text (the note quotes "
                                                f"recommendations up to {max(numbers)})"))
        commented = {cm.number for cm in comments}
        for r in recs:
            exp.append(Expectation(r.number in commented, r.start_line,
                                   f"recommendation {r.number} is quoted but no comment on it follows"))
        body = [b for b in layout.blocks if b.text]
        if body and (tail := body[-1]).kind != "section":
            exp.append(Expectation(completeness.ends_sentence(tail.text, c["sentence_end"]), last, (
                f"the last paragraph, from line {tail.start_line}, stops in mid-sentence at line {last}")))
        return completeness.check(symbol, exp)

    @staticmethod
    def _comment(number, paras: list[Block], lex) -> Comment:
        # paragraphs in which the Secretariat speaks for itself ("秘书处确认") are not the CEB's comment
        own = [rx(p, re.I) for p in lex.get("secretariat", {}).get("paragraph", [])]
        secretariat = [p for p in paras if any(r.match(p.text) for r in own)]
        paras = [p for p in paras if p not in secretariat] or paras
        stance = evidence = None
        for p in paras:
            for name, phrases in lex["stance"].items():
                found = [m for ph in phrases for m in rx(ph, re.I).finditer(p.text)]
                if found:
                    # The evidence is the earliest phrase, extended over the
                    # phrases overlapping it: '总体上支持' + '支持这项建议'.
                    found.sort(key=lambda m: (m.start(), -m.end()))
                    start, end = found[0].start(), found[0].end()
                    for m in found[1:]:
                        if m.start() < end:
                            end = max(end, m.end())
                    stance, evidence = name, p.text[start:end]
                    break
            if stance:
                break
        return Comment(number, "\n".join(p.text for p in paras), stance, evidence,
                       paras[0].start_line, paras[-1].end_line, [p.number for p in paras],
                       [(p.number, p.text, p.start_line, p.end_line) for p in secretariat if p not in paras])

    @staticmethod
    def _recommendation(n: int, head: Block, lex) -> Recommendation:
        body_lines = head.lines[1:]
        txt = clean("\n".join(line for _, line in body_lines))
        rl = lex["recommendation"]
        addressee = None
        best = None
        for kind, phrases in rl["addressee"].items():
            m = search_any(phrases, txt, re.I)
            if m and (best is None or m.start() < best.start()):
                best, addressee = m, kind
        deadline = deadline_text = None
        if m := search_any(rl["deadline"]["end_of_year"], txt, re.I):
            deadline, deadline_text = date(int(m["year"]), 12, 31), m.group()
        channel, evidence = implementation_channel(txt, lex["language"])
        return Recommendation(n, txt, addressee, deadline, deadline_text, channel, evidence,
                              head.start_line, head.end_line)

    @staticmethod
    def _citations(text, layout, lex, report, slips, circulated) -> list[Citation]:
        found: dict[str, Citation] = {}

        def add(sym, start, end):
            sym = normalize_symbol(sym)
            if sym in slips or sym in found:
                return
            found[sym] = Citation(sym, "/RES/" in sym, start, end)

        for b in layout.blocks:
            for sym, _ in find_citations(b.text, lex):
                add(sym, b.start_line, b.end_line)
        for fn in layout.footnotes:
            for sym, _ in find_citations(fn.text, lex):
                add(sym, fn.start_line, fn.end_line)
        for line, url in layout.links:
            if sym := link_symbol(url):
                add(sym, line, line)
        return sorted(found.values(), key=lambda c: (c.start_line, c.symbol))

    # --- emission ------------------------------------------------------------

    def emit(self, text: SourceText, note: CEBCommentsNote) -> Extraction:
        g = new_graph()
        lang, sym = note.lang, note.symbol
        d = document(g, sym, JIU.CEBCommentsNote, KIND, lang=lang, title=note.report_title, source=text)
        h0, h1 = note.header_lines
        derived(g, d, text, sym, h0, h1, lang)
        if note.symbol_derived:  # not printed: the first addendum of the report's circulation symbol
            g.add((d, JIU.symbolInferred, Literal(True)))
            g.add((d, RDFS.comment, Literal(
                "The symbol is not printed in the source text: derived from the symbol under which the report "
                "was circulated (comments are issued as its first addendum); see the loader's warnings.", lang="en")))
        if note.agenda_item:
            g.add((d, JIU.agendaItem, Literal(note.agenda_item)))
        if note.session and note.session_body:
            s = session_iri(note.session_body, note.session)
            g.add((s, RDF.type, JIU.Session))
            g.add((s, JIU.sessionNumber, Literal(note.session, datatype=XSD.integer)))
            g.add((s, JIU.sessionOf, reference_iri(note.session_body)))
            g.add((d, JIU.session, s))
        if note.session_body:
            g.add((d, JIU.submittedTo, reference_iri(note.session_body)))
        records: Counter = Counter()

        report = doc_iri(note.report) if note.report else None
        if report is not None:
            g.add((report, RDF.type, JIU.JIUReport if "/REP/" in note.report else JIU.JIUNote))
            g.add((report, JIU.symbol, Literal(note.report)))
            g.add((report, RDFS.label, Literal(note.report)))
            g.add((report, DCTERMS.type, concept("document-kind", "jiu-report" if "/REP/" in note.report else "jiu-note")))
            # The report's title as this note words it stays on the note: the
            # report's own dcterms:title (one per language) is not the note's
            # to give, and other documents translate it differently. The note is
            # the UN's own document on the report, so the title it prints is the
            # title the UN circulates the report under: jiu:officialTitle.
            if note.report_title:
                g.add((report, JIU.officialTitle, Literal(note.report_title, lang=lang)))
            g.add((report, JIU.cebCommentsDocument, d))
            for s0, s1 in note.report_mentions:
                derived(g, report, text, sym, s0, s1, lang)
            if note.circulated_as:
                c = doc_iri(note.circulated_as)
                g.add((report, JIU.circulatedAs, c))
                g.add((c, RDF.type, JIU.Document))
                g.add((c, JIU.symbol, Literal(note.circulated_as)))
                g.add((c, RDFS.label, Literal(note.circulated_as)))

        for c in note.citations:
            ci = doc_iri(c.symbol)
            g.add((d, DCTERMS.references, ci))
            if c.symbol != note.report:
                cited_document(g, c.symbol)
            derived(g, ci, text, sym, c.start_line, c.end_line, lang)
            records["citation"] += 1

        for r in note.recommendations:
            ri = rec_iri(note.report, r.number)
            g.add((ri, RDF.type, JIU.Recommendation))
            g.add((ri, JIU.inPublication, report))
            g.add((ri, JIU.recommendationNumber, Literal(r.number, datatype=XSD.integer)))
            if r.text:
                g.add((ri, JIU.recommendationText, Literal(r.text, lang=lang)))
            if r.addressee:
                g.add((ri, JIU.addresseeKind, concept("addressee", r.addressee)))
            if r.deadline:
                g.add((ri, JIU.deadline, date_literal(r.deadline)))
                g.add((ri, JIU.deadlineText, Literal(r.deadline_text, lang=lang)))
            for m in r.channel:
                g.add((ri, JIU.toBeImplementedThrough, reference_iri(m)))
            for t in r.channel_evidence:
                g.add((ri, JIU.implementationChannelEvidence, Literal(t, lang=lang)))
            rp = derived(g, ri, text, sym, r.start_line, r.end_line, lang)
            if r.text:
                add_mentions(g, ri, r.text, lang, sym, rp)
            records["recommendation"] += 1

        addressees = (load_lexicon("common", lang) or {}).get("addressee", {})
        for c in note.comments:
            ci = comment_iri(note.report, c.number, sym)
            g.add((ci, RDF.type, JIU.CEBComment))
            g.add((ci, JIU.commentOn, rec_iri(note.report, c.number) if c.number is not None else report))
            g.add((ci, JIU.commentText, Literal(c.text, lang=lang)))
            if c.stance:
                g.add((ci, JIU.stance, concept("stance", c.stance)))
                g.add((ci, JIU.stanceEvidence, Literal(c.stance_evidence, lang=lang)))
                # "noted" because the recommendation is addressed to someone else ("这项建议是向秘书长提出的"):
                # the reason is who it is addressed to, named in the evidence
                if c.stance == "noted" and c.stance_evidence:
                    for word, notation in sorted(addressees.items(), key=lambda kv: -len(kv[0])):
                        if word in c.stance_evidence:
                            g.add((ci, JIU.stanceAddressee, concept("addressee", notation)))
                            break
            # the Secretariat's own paragraphs ("秘书处确认……") beside the organisations' comments: said by the
            # Secretary-General's office, not the CEB
            for n, ptext, s0, s1 in c.secretariat:
                si = URIRef(f"{ci}/secretariat/{n}")
                g.add((si, RDF.type, JIU.SecretariatComment))
                g.add((si, JIU.commentOn, rec_iri(note.report, c.number) if c.number is not None else report))
                g.add((si, JIU.commentText, Literal(ptext, lang=lang)))
                g.add((si, JIU.reportedIn, d))
                g.add((si, JIU.paragraphNumber, Literal(n)))
                sp = derived(g, si, text, sym, s0, s1, lang)
                add_mentions(g, si, ptext, lang, sym, sp)
                records["secretariat-comment"] += 1
            g.add((ci, JIU.reportedIn, d))
            cp = derived(g, ci, text, sym, c.start_line, c.end_line, lang)
            add_mentions(g, ci, c.text, lang, sym, cp)
            records["ceb-comment"] += 1

        return Extraction(symbol=sym, kind=KIND, graph=g, records=records, warnings=list(note.warnings), data=note)


def reference_iri(iri: str) -> URIRef:
    return URIRef(iri)
