"""Synthetic jiukg data of any size, shaped like the loaders' output, written as N-Quads as it is made.

    .venv/bin/python -m bench.generate 1000000 -o /tmp/1m.nq      # about a million quads
    .venv/bin/python -m bench.generate 10000 -o /tmp/10k.nq --seed 7

Why synthetic: the real corpus is five documents; the service must answer at the
size of every JIU report since the 1970s and every organisation's progress reports.
Why streaming: 10M quads never fit comfortably in an rdflib graph, so each
document is made, written (one line per quad) and forgotten.

The shape follows the real graph, year after year from 1990:
- the Secretary-General's statistics (a qb:DataSet, an observation per oversight body);
- about 10 JIU reports, each with 5-15 recommendations, titles and texts in English
  and Chinese, every record derived from a line-numbered passage (provenance);
- a CEB comments note on about half of the reports (a stance per recommendation);
- a progress report by each of the 28 participating organisations: a status
  statement on every recommendation of the last three years' reports, some
  deferred to an inter-agency mechanism, some to be implemented through the CEB.
Each document is its own named graph (graph_iri of its symbol), as the loaders make it.
Generation stops after the document that reaches the size asked for, so small
sizes hold the first organisations of the first year. The same seed gives the
same bytes. A few realistic defects (missing management assessments, a deferral
without evidence) produce warnings; nothing produces a violation, so the data
passes the gate (`jiukg validate` / `jiukg load`).
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, QB, RDF, RDFS, TIME, XSD

from jiukg.namespaces import (
    ID,
    JIU,
    LANG,
    comment_iri,
    concept,
    doc_iri,
    graph_iri,
    org_iri,
    passage_iri,
    rec_iri,
    status_iri,
)

# the 28 JIU participating organisations of data/reference/organizations.ttl (WIPO first: the flagship's org)
ORGS = ["WIPO", "UN", "FAO", "IAEA", "ICAO", "ILO", "IMO", "ITC", "ITU", "UNAIDS", "UNCTAD", "UNDP", "UNEP",
        "UNESCO", "UNFPA", "UN-Habitat", "UNHCR", "UNICEF", "UNIDO", "UNODC", "UNOPS", "UNRWA", "UN-Tourism",
        "UN-Women", "UPU", "WFP", "WHO", "WMO"]
MECHANISMS = ["CEB", "UNSDG", "IASG", "HLCM-RMF", "HLCM-OSH", "HLCM-FB-CTS", "CCS-UNS"]
ACCEPTANCE = ["accepted"] * 6 + ["not-accepted", "under-consideration", "not-relevant"]
IMPLEMENTATION = ["implemented", "implemented", "in-progress", "not-started"]
ZH = "联合国系统各组织的行政首长应通过联合国系统行政首长协调理事会，在年底之前，拟定全面的操作准则。"
EN = ("The executive heads of the United Nations system organizations should, through the CEB, "
      "develop comprehensive operational guidelines by the end of the year.")
REPORTS_PER_YEAR = 10
FIRST_YEAR = 1990
SIZES = {"10k": 10_000, "100k": 100_000, "1M": 1_000_000, "10M": 10_000_000}


class Doc:
    """The triples of one document's graph, as they are made."""

    def __init__(self, gid: URIRef):
        self.gid, self.triples = gid, []

    def add(self, t: tuple) -> None:
        self.triples.append(t)


class Passages:
    """Line-numbered passages of one fake source text, like loaders.emit.passage."""

    def __init__(self, g: Doc, symbol: str, lang: str = "zh"):
        self.g, self.symbol, self.lang, self.line, self.offset = g, symbol, lang, 1, 0

    def derive(self, record: URIRef, text: str) -> None:
        lines = text.count("\n") + 1
        p = passage_iri(self.symbol, self.line, self.line + lines - 1)
        g = self.g
        g.add((p, RDF.type, JIU.Passage))
        g.add((p, JIU.passageText, Literal(text, lang=self.lang)))
        g.add((p, JIU.startLine, Literal(self.line, datatype=XSD.integer)))
        g.add((p, JIU.endLine, Literal(self.line + lines - 1, datatype=XSD.integer)))
        g.add((p, JIU.startOffset, Literal(self.offset, datatype=XSD.integer)))
        g.add((p, JIU.endOffset, Literal(self.offset + len(text), datatype=XSD.integer)))
        g.add((p, PROV.wasQuotedFrom, doc_iri(self.symbol)))
        g.add((record, PROV.wasDerivedFrom, p))
        self.line += lines + 1
        self.offset += len(text) + 1


def _document(g: Doc, rnd: random.Random, symbol: str, cls: URIRef, kind: str, issued: date | None = None,
              source: bool = False, lang: str = "zh") -> URIRef:
    d = doc_iri(symbol)
    g.add((d, RDF.type, cls))
    g.add((d, JIU.symbol, Literal(symbol)))
    g.add((d, RDFS.label, Literal(symbol)))
    g.add((d, DCTERMS.type, concept("document-kind", kind)))
    if issued:
        g.add((d, DCTERMS.issued, Literal(issued.isoformat(), datatype=XSD.date)))
    if source:
        g.add((d, JIU.sourceChecksum, Literal(f"{rnd.getrandbits(256):064x}")))
        g.add((d, DCTERMS.language, LANG[lang]))
    return d


def _recommendation(g: Doc, rep: str, i: int, report: URIRef) -> URIRef:
    rec = rec_iri(rep, i)
    g.add((rec, RDF.type, JIU.Recommendation))
    g.add((rec, JIU.inPublication, report))
    g.add((rec, JIU.recommendationNumber, Literal(i)))
    return rec


def jiu_report(rnd: random.Random, rep: str, n: int, year: int) -> Doc:
    """A JIU report in English: its recommendations' texts (en, with the zh translation) and addressees."""
    g = Doc(graph_iri(rep))
    r = _document(g, rnd, rep, JIU.JIUReport, "jiu-report", date(year, 6, 30), source=True, lang="en")
    g.add((r, DCTERMS.title, Literal(f"Review of mutual recognition in the United Nations system ({rep})", lang="en")))
    g.add((r, DCTERMS.title, Literal("审查联合国系统内部实施相互承认原则的情况", lang="zh")))
    ps = Passages(g, rep, "en")
    for i in range(1, n + 1):
        rec = _recommendation(g, rep, i, r)
        g.add((rec, JIU.recommendationText, Literal(f"{EN} ({rep} recommendation {i})", lang="en")))
        g.add((rec, JIU.recommendationText, Literal(f"{ZH}（{rep} 建议 {i}）", lang="zh")))
        g.add((rec, JIU.addresseeKind, concept("addressee", ["legislative", "executive-head"][(i + len(rep)) % 2])))
        g.add((rec, JIU.deadline, Literal(f"{year + 2}-12-31", datatype=XSD.date)))
        if rnd.random() < 0.3:
            g.add((rec, JIU.toBeImplementedThrough, org_iri("CEB")))
            g.add((rec, JIU.implementationChannelEvidence, Literal("through the CEB", lang="en")))
        ps.derive(rec, f"Recommendation {i}\n{EN}")
    return g


def progress_report(rnd: random.Random, org: str, year: int, reports: list[tuple[str, int]]) -> Doc:
    """One organisation's progress report of `year`: a status statement on every recommendation of `reports`."""
    session = year - 1960
    symbol = f"WO/PBC/{session}/2" if org == "WIPO" else f"{org}/PR/{session}/2"
    g = Doc(graph_iri(symbol))
    as_of = date(year, 2, 28)
    d = _document(g, rnd, symbol, JIU.ProgressReport, "progress-report", date(year, 3, 31), source=True)
    g.add((d, DCTERMS.title, Literal("联合检查组建议的落实进展报告", lang="zh")))
    sess = ID[f"org/{org}-PBC/session/{session}"]
    g.add((d, JIU.session, sess))
    g.add((sess, RDF.type, JIU.Session))
    g.add((sess, JIU.sessionNumber, Literal(session)))
    g.add((sess, JIU.sessionOf, org_iri(org)))
    g.add((d, JIU.preparedBy, org_iri(org)))
    ps = Passages(g, symbol)
    for rep, n in reports:
        r = _document(g, rnd, rep, JIU.JIUReport, "jiu-report")
        for i in range(1, n + 1):
            rec = _recommendation(g, rep, i, r)
            g.add((rec, JIU.recommendationText, Literal(f"{ZH}（{rep} 建议 {i}）", lang="zh")))
            ps.derive(rec, f"建议 {i}：\n{ZH}")
            st = status_iri(rep, i, org, symbol)
            g.add((st, RDF.type, JIU.StatusStatement))
            g.add((st, JIU.aboutRecommendation, rec))
            g.add((st, JIU.reportingOrganization, org_iri(org)))
            g.add((st, JIU.asOf, Literal(as_of.isoformat(), datatype=XSD.date)))
            g.add((st, JIU.reportedIn, d))
            acc = rnd.choice(ACCEPTANCE)
            g.add((st, JIU.acceptance, concept("acceptance", acc)))
            if acc == "accepted":
                g.add((st, JIU.implementation, concept("implementation", rnd.choice(IMPLEMENTATION))))
            g.add((st, JIU.responsibleOfficial, Literal("行政、财务和管理部门助理总干事", lang="zh")))
            if rnd.random() < 0.85:
                g.add((st, JIU.managementAssessment, Literal("产权组织在多个两年期均保持其工作计划和预算具备相同的详细程度。", lang="zh")))
            g.add((st, JIU.isNew, Literal(rnd.random() < 0.3)))
            g.add((st, JIU.proposedForApproval, Literal(acc == "accepted")))
            if rnd.random() < 0.1:
                g.add((st, JIU.deferredTo, org_iri(rnd.choice(MECHANISMS))))
                if rnd.random() < 0.9:
                    g.add((st, JIU.deferralEvidence, Literal("将在首协会框架内处理", lang="zh")))
            ps.derive(st, "接受情况：已接受\n落实情况：已落实\n管理层/联络点评估：")
    return g


def ceb_note(rnd: random.Random, rep: str, n: int, year: int, k: int) -> Doc:
    """The CEB's comments on one JIU report: a general comment and a stance per recommendation."""
    symbol = f"A/{year - 1944}/{100 + k}/Add.1"
    g = Doc(graph_iri(symbol))
    d = _document(g, rnd, symbol, JIU.CEBCommentsNote, "ceb-comments-note", date(year + 1, 6, 1), True)
    r = _document(g, rnd, rep, JIU.JIUReport, "jiu-report")
    ps = Passages(g, symbol)
    for i in [None, *range(1, n + 1)]:
        c = comment_iri(rep, i, symbol)
        g.add((c, RDF.type, JIU.CEBComment))
        g.add((c, JIU.commentOn, rec_iri(rep, i) if i else r))
        g.add((c, JIU.commentText, Literal("各组织支持这项建议，并指出其落实需要机构间协调。", lang="zh")))
        g.add((c, JIU.reportedIn, d))
        if i:
            rec = _recommendation(g, rep, i, r)
            g.add((c, JIU.stance, concept("stance", rnd.choice(["supported", "partially-supported", "noted"]))))
            g.add((c, JIU.stanceEvidence, Literal("支持这项建议", lang="zh")))
            ps.derive(rec, f"建议 {i}")
        ps.derive(c, "各组织支持这项建议，并指出其落实需要机构间协调。")
    return g


def statistics(rnd: random.Random, year: int) -> Doc:
    """The Secretary-General's statistics of `year`: a qb:DataSet with an observation per oversight body."""
    symbol = f"A/{year - 1945}/644"
    g = Doc(graph_iri(symbol))
    d = _document(g, rnd, symbol, JIU.SecretaryGeneralReport, "sg-report", date(year, 1, 10), True)
    ds = ID[f"dataset/oversight-implementation/{symbol.replace('/', '-')}"]
    g.add((ds, RDF.type, QB.DataSet))
    g.add((ds, QB.structure, JIU.oversightDSD))
    g.add((ds, JIU.reportedIn, d))
    ps = Passages(g, symbol)
    per = ID[f"period/{year - 1}"]
    g.add((per, RDF.type, TIME.ProperInterval))
    for body in ("OIOS", "BOA", "JIU"):
        obs = ID[f"dataset/oversight-implementation/{symbol.replace('/', '-')}/{body}/{year - 1}"]
        issued = rnd.randint(100, 400)
        done = rnd.randint(0, issued)
        g.add((obs, RDF.type, QB.Observation))
        g.add((obs, QB.dataSet, ds))
        g.add((obs, JIU.oversightBody, org_iri(body)))
        g.add((obs, JIU.refPeriod, per))
        g.add((obs, JIU.recommendationsIssued, Literal(issued)))
        g.add((obs, JIU.recommendationsImplemented, Literal(done)))
        g.add((obs, JIU.recommendationsOutstanding, Literal(issued - done)))
        g.add((obs, JIU.implementationRate, Literal(f"{100 * done / issued:.1f}", datatype=XSD.decimal)))
        ps.derive(obs, f"{body} {year - 1}: {issued} {done} {issued - done} {100 * done / issued:.1f}%")
    return g


def documents(seed: int = 1) -> Iterator[Doc]:
    """Every document of the synthetic corpus, year by year, without end (the caller stops)."""
    rnd = random.Random(seed)
    recent: list[list[tuple[str, int]]] = []
    year = FIRST_YEAR
    while True:
        yield statistics(rnd, year)
        reports = [(f"JIU/REP/{year}/{j}", rnd.randint(5, 15)) for j in range(1, REPORTS_PER_YEAR + 1)]
        for rep, n in reports:
            yield jiu_report(rnd, rep, n, year)
        for k, (rep, n) in enumerate(reports):
            if rnd.random() < 0.5:
                yield ceb_note(rnd, rep, n, year, k)
        recent = [*recent[-2:], reports]  # the last three years' reports
        covered = [r for yr in recent for r in yr]
        for org in ORGS:
            yield progress_report(rnd, org, year, covered)
        year += 1


# ---------------------------------------------------------------- N-Quads

def _escape(s: str) -> str:
    return s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")


_XSD_STRING = str(XSD.string)


def term(t) -> str:
    """One term in N-Quads syntax (UTF-8 kept: Chinese text is written as it is)."""
    if isinstance(t, URIRef):
        return f"<{t}>"
    if isinstance(t, Literal):
        lex = f'"{_escape(str(t))}"'
        if t.language:
            return f"{lex}@{t.language}"
        if t.datatype and str(t.datatype) != _XSD_STRING:
            return f"{lex}^^<{t.datatype}>"
        return lex
    if isinstance(t, BNode):
        return f"_:{t}"
    raise TypeError(f"not an RDF term: {t!r}")


def write(n_quads: int, out, seed: int = 1) -> tuple[int, int]:
    """Write documents to the text stream `out` until at least n_quads quads; returns (quads, graphs)."""
    total = graphs = 0
    for doc in documents(seed):
        g = f"<{doc.gid}>"
        out.write("".join(f"{term(s)} {term(p)} {term(o)} {g} .\n" for s, p, o in doc.triples))
        total += len(doc.triples)
        graphs += 1
        if total >= n_quads:
            return total, graphs
    raise AssertionError("unreachable")


def write_file(n_quads: int, path: str | Path, seed: int = 1) -> tuple[int, int]:
    """`write` to a file (UTF-8 N-Quads), made aside and renamed, so a file of that name is always whole."""
    path = Path(path)
    tmp = path.with_name(path.name + ".part")
    with open(tmp, "w", encoding="utf-8", newline="\n") as f:
        counts = write(n_quads, f, seed)
    tmp.replace(path)
    return counts


def generate(n_triples: int, seed: int = 1) -> dict[URIRef, Graph]:
    """Named rdflib graphs totalling about n_triples: the same documents as `write`, in memory (small sizes)."""
    graphs: dict[URIRef, Graph] = {}
    total = 0
    for doc in documents(seed):
        g = graphs.setdefault(doc.gid, Graph(identifier=doc.gid))
        for t in doc.triples:
            g.add(t)
        total += len(doc.triples)
        if total >= n_triples:
            return graphs
    raise AssertionError("unreachable")


def size(text: str) -> int:
    """'10k', '1M', '100_000' -> a number of quads."""
    return SIZES.get(text) or int(float(text.replace("_", "").lower().replace("k", "e3").replace("m", "e6")))


def add_reference(store: Path) -> None:
    """Add to a store of generated data loaded some other way the ontology and reference graphs that
    `jiukg load` adds: without them no organisation's acronym is known and every `org=` query of the
    catalogue answers nothing."""
    from jiukg.ontology import static_graphs
    from jiukg.store.embedded import EmbeddedStore

    st = EmbeddedStore(str(store))
    try:
        held = set(st.graphs())
        st.replace_graphs({g: gr for g, gr in static_graphs().items() if g not in held})
    finally:
        st.close()


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("size", help="quads, e.g. 10k, 100k, 1M, 10M or 250000")
    ap.add_argument("-o", "--output", help="file to write (default: standard output)")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args(argv)
    if a.output:
        quads, graphs = write_file(size(a.size), a.output, a.seed)
    else:
        quads, graphs = write(size(a.size), sys.stdout, a.seed)
    print(f"{quads} quads in {graphs} graphs", file=sys.stderr)


if __name__ == "__main__":
    main()
