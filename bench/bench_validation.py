"""Time SHACL validation on the bundled corpus and on generated data shaped like the loaders' output.

    .venv/bin/python bench/bench_validation.py --sizes bundled,10000,100000

`bundled` builds data/corpus (with the ontology and reference data) into an
in-memory store and times `validation.validate_store` on it, the whole graph,
as `jiukg validate` and GET /validate do. A number generates progress reports
(documents, sessions, JIU reports, recommendations, status statements,
passages), CEB comment notes and a statistics dataset of about that many
triples, through jiukg.namespaces like the loaders, with a few realistic
defects (missing management assessments, a deferral without evidence) so that
warnings are produced. Then it times:

- compiled: jiukg's own engine (jiukg.validation): the SHACL Core constraints
  the shapes use are evaluated in Python over the data graph's indexes, and
  each SPARQL-based constraint runs once in an in-memory Oxigraph store, as a
  LATERAL join that pre-binds $this to each of its focus nodes. pyshacl is not
  used (the project's shapes never need the hand-over; pyshacl is the reference
  the tests compare against);
- pyshacl: plain pyshacl on the same shapes, RDFS inference off;
- gate: `validate_write` of one progress report replacing its graph in a store
  already holding everything (the diff against the old graph, the lookup of
  records in other graphs that depend on it, the context fetch and the
  validation),

and prints a table. `--engines` picks which to run; plain pyshacl is skipped
above --pyshacl-max triples (it grows much faster than linearly: about 90x
slower than the compiled engine at 10k triples and 200x at 100k, bench/README.md).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rdflib import Graph, Literal, URIRef
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

ORGS = ["WIPO", "FAO", "ILO", "ITU", "UNESCO", "UNDP", "UNICEF", "WHO", "WFP", "UNHCR", "IAEA", "ICAO", "IMO",
        "UPU", "WMO", "UNIDO", "UNFPA", "UNOPS", "UNEP", "UNCTAD"]
MECHANISMS = ["CEB", "HLCM", "HLCP", "HLCM-HR", "HLCM-DTN", "HLCM-PN", "MR-COP", "UNSDG"]
ACCEPTANCE = ["accepted"] * 6 + ["not-accepted", "under-consideration", "not-relevant"]
IMPLEMENTATION = ["implemented", "implemented", "in-progress", "not-started"]
ZH = "联合国系统各组织的行政首长应通过联合国系统行政首长协调理事会，在年底之前，拟定全面的操作准则。"


class Passages:
    """Line-numbered passages of one fake source text, like loaders.emit.passage."""

    def __init__(self, g: Graph, symbol: str):
        self.g, self.symbol, self.line, self.offset = g, symbol, 1, 0

    def derive(self, record: URIRef, text: str) -> None:
        lines = text.count("\n") + 1
        p = passage_iri(self.symbol, self.line, self.line + lines - 1)
        g = self.g
        g.add((p, RDF.type, JIU.Passage))
        g.add((p, JIU.passageText, Literal(text, lang="zh")))
        g.add((p, JIU.startLine, Literal(self.line, datatype=XSD.integer)))
        g.add((p, JIU.endLine, Literal(self.line + lines - 1, datatype=XSD.integer)))
        g.add((p, JIU.startOffset, Literal(self.offset, datatype=XSD.integer)))
        g.add((p, JIU.endOffset, Literal(self.offset + len(text), datatype=XSD.integer)))
        g.add((p, PROV.wasQuotedFrom, doc_iri(self.symbol)))
        g.add((record, PROV.wasDerivedFrom, p))
        self.line += lines + 1
        self.offset += len(text) + 1


def _document(g: Graph, symbol: str, cls: URIRef, kind: str, issued: date | None = None, source: bool = False):
    d = doc_iri(symbol)
    g.add((d, RDF.type, cls))
    g.add((d, JIU.symbol, Literal(symbol)))
    g.add((d, RDFS.label, Literal(symbol)))
    g.add((d, DCTERMS.type, concept("document-kind", kind)))
    if issued:
        g.add((d, DCTERMS.issued, Literal(issued.isoformat(), datatype=XSD.date)))
    if source:
        g.add((d, JIU.sourceChecksum, Literal(f"{abs(hash(symbol)):064x}"[-64:])))
        g.add((d, DCTERMS.language, LANG["zh"]))
        g.add((d, DCTERMS.title, Literal("联合检查组建议的落实进展报告", lang="zh")))
    return d


def progress_report(rnd: random.Random, org: str, session: int, reports: list[tuple[str, int]]) -> tuple[URIRef, Graph]:
    """One organisation's progress report: statements on every recommendation of `reports`."""
    g = Graph()
    symbol = f"WO/PBC/{session}/2" if org == "WIPO" else f"{org}/PR/{session}/2"
    year = 1990 + session
    issued = date(year, 3, 31)
    as_of = date(year, 2, 28)
    d = _document(g, symbol, JIU.ProgressReport, "progress-report", issued, source=True)
    sess = ID[f"org/{org}-PBC/session/{session}"]
    g.add((d, JIU.session, sess))
    g.add((sess, RDF.type, JIU.Session))
    g.add((sess, JIU.sessionNumber, Literal(session)))
    g.add((sess, JIU.sessionOf, org_iri(org)))
    g.add((d, JIU.preparedBy, org_iri(org)))
    ps = Passages(g, symbol)
    for rep, n in reports:
        r = _document(g, rep, JIU.JIUReport, "jiu-report")
        g.add((r, DCTERMS.title, Literal("审查联合国系统内部实施相互承认原则的情况", lang="zh")))
        for i in range(1, n + 1):
            rec = rec_iri(rep, i)
            g.add((rec, RDF.type, JIU.Recommendation))
            g.add((rec, JIU.inPublication, r))
            g.add((rec, JIU.recommendationNumber, Literal(i)))
            g.add((rec, JIU.recommendationText, Literal(f"{ZH}（{rep} 建议 {i}）", lang="zh")))
            # the JIU report fixes the addressee: every organisation reports the same
            g.add((rec, JIU.addresseeKind, concept("addressee", ["legislative", "executive-head"][(i + len(rep)) % 2])))
            g.add((rec, JIU.deadline, Literal(f"{int(rep.split('/')[2]) + 2}-12-31", datatype=XSD.date)))
            if rnd.random() < 0.3:
                g.add((rec, JIU.toBeImplementedThrough, org_iri("CEB")))
                g.add((rec, JIU.implementationChannelEvidence, Literal("通过联合国系统行政首长协调理事会", lang="zh")))
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
    return graph_iri(symbol), g


def ceb_note(rnd: random.Random, rep: str, n: int, k: int) -> tuple[URIRef, Graph]:
    g = Graph()
    symbol = f"A/{int(rep.split('/')[2]) - 1944}/{100 + k}/Add.1"
    d = _document(g, symbol, JIU.CEBCommentsNote, "ceb-comments-note", date(int(rep.split("/")[2]) + 1, 6, 1), True)
    r = _document(g, rep, JIU.JIUReport, "jiu-report")
    ps = Passages(g, symbol)
    for i in [None] + list(range(1, n + 1)):
        c = comment_iri(rep, i, symbol)
        g.add((c, RDF.type, JIU.CEBComment))
        g.add((c, JIU.commentOn, rec_iri(rep, i) if i else r))
        g.add((c, JIU.commentText, Literal("各组织支持这项建议，并指出其落实需要机构间协调。", lang="zh")))
        g.add((c, JIU.reportedIn, d))
        if i:
            rec = rec_iri(rep, i)
            g.add((rec, RDF.type, JIU.Recommendation))
            g.add((rec, JIU.inPublication, r))
            g.add((rec, JIU.recommendationNumber, Literal(i)))
            g.add((c, JIU.stance, concept("stance", rnd.choice(["supported", "partially-supported", "noted"]))))
            g.add((c, JIU.stanceEvidence, Literal("支持这项建议", lang="zh")))
            ps.derive(rec, f"建议 {i}")
        ps.derive(c, "各组织支持这项建议，并指出其落实需要机构间协调。")
    return graph_iri(symbol), g


def statistics(n_years: int) -> tuple[URIRef, Graph]:
    g = Graph()
    symbol = "A/76/644"
    d = _document(g, symbol, JIU.SecretaryGeneralReport, "sg-report", date(2022, 1, 10), True)
    ds = ID["dataset/oversight-implementation/A-76-644"]
    g.add((ds, RDF.type, QB.DataSet))
    g.add((ds, QB.structure, JIU.oversightDSD))
    g.add((ds, JIU.reportedIn, d))
    ps = Passages(g, symbol)
    for body in ("OIOS", "BOA", "JIU"):
        for y in range(2000, 2000 + n_years):
            obs = ID[f"dataset/oversight-implementation/A-76-644/{body}/{y}"]
            per = ID[f"period/{y}"]
            g.add((per, RDF.type, TIME.ProperInterval))
            g.add((obs, RDF.type, QB.Observation))
            g.add((obs, QB.dataSet, ds))
            g.add((obs, JIU.oversightBody, org_iri(body)))
            g.add((obs, JIU.refPeriod, per))
            g.add((obs, JIU.recommendationsIssued, Literal(200)))
            g.add((obs, JIU.recommendationsImplemented, Literal(150)))
            g.add((obs, JIU.recommendationsOutstanding, Literal(50)))
            g.add((obs, JIU.implementationRate, Literal("75.0", datatype=XSD.decimal)))
            ps.derive(obs, f"{body} {y}: 200 150 50 75%")
    return graph_iri(symbol), g


def generate(n_triples: int, seed: int = 1) -> dict[URIRef, Graph]:
    """Named graphs totalling about n_triples (plus the ontology and reference data at validation)."""
    rnd = random.Random(seed)
    graphs: dict[URIRef, Graph] = {}
    gid, g = statistics(10)
    graphs[gid] = g
    total = len(g)
    session, k = 20, 0
    while total < n_triples:
        # a year: ~6 new JIU reports, each reported on by several organisations and commented by the CEB
        year = 2000 + session - 20 + k // 10
        reports = [(f"JIU/REP/{year}/{j + 1 + (k % 10) * 10}", rnd.randint(3, 9)) for j in range(6)]
        for org in rnd.sample(ORGS, 4):
            gid, g = progress_report(rnd, org, session, reports)
            graphs[gid] = graphs[gid] + g if gid in graphs else g
            total += len(g)
        for j, (rep, n) in enumerate(reports[:2]):
            gid, g = ceb_note(rnd, rep, n, k * 10 + j)
            graphs[gid] = g
            total += len(g)
        session += 1
        k += 1
    return graphs


# ---------------------------------------------------------------------------


def _time(fn, repeat: int = 1):
    best, out = None, None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        dt = time.perf_counter() - t0
        best = dt if best is None else min(best, dt)
    return best, out


def bundled(engines: list[str], pyshacl_max: int, repeat: int) -> dict:
    """The bundled corpus, built into an in-memory store: the whole store validated, and the gate for one document."""
    from jiukg import pipeline, validation
    from jiukg.paths import CORPUS_DIR
    from jiukg.store import open_store

    with open_store(":memory:") as st:
        pipeline.build(st, CORPUS_DIR)
        triples = st.count()
        row = {"size": "bundled", "triples": triples, "graphs": len(st.graphs())}
        _engines(row, engines, pyshacl_max, repeat, lambda e: validation.validate_store(st, engine=e))
        if "gate" in engines:
            gid = next(g for g in st.graphs() if "graph/WO/PBC/38/" in str(g))
            one = {gid: st.graph(gid)}
            dt, rep = _time(lambda: validation.validate_write(st, dict(one)), repeat)
            row["gate"] = dt
            row["gate_triples"] = rep.triples
    return row


def _engines(row: dict, engines: list[str], pyshacl_max: int, repeat: int, validate) -> None:
    """Time `validate(engine)` for each engine asked for; plain pyshacl only up to pyshacl_max triples."""
    for engine in ("compiled", "pyshacl"):
        if engine not in engines:
            continue
        if engine == "pyshacl" and row["triples"] > pyshacl_max:
            row[engine] = None
            continue
        dt, rep = _time(lambda e=engine: validate(e), repeat)
        row[engine] = dt
        row[engine + "_results"] = (rep.count("Violation"), rep.count("Warning"), rep.count("Info"))


def run(sizes: list, engines: list[str], pyshacl_max: int, repeat: int) -> list[dict]:
    from jiukg import validation
    from jiukg.pipeline import static_graphs
    from jiukg.store import open_store

    rows = []
    for n in sizes:
        if n == "bundled":
            row = bundled(engines, pyshacl_max, repeat)
            rows.append(row)
            print(_line(row), flush=True)
            continue
        graphs = generate(n)
        triples = sum(len(g) for g in graphs.values())
        row = {"size": n, "triples": triples, "graphs": len(graphs)}
        _engines(row, engines, pyshacl_max, repeat,
                 lambda e, g=graphs: validation.validate_write(None, dict(g), engine=e))
        if "gate" in engines:
            # the write gate: one progress report replacing its graph in a store holding the rest
            with open_store(":memory:") as st:
                st.replace_graphs({**static_graphs(), **graphs})
                gid = next(g for g in graphs if "graph/WO/PBC/" in str(g) or "/PR/" in str(g))
                one = {gid: graphs[gid]}
                dt, rep = _time(lambda st=st, one=one: validation.validate_write(st, dict(one)), repeat)
                row["gate"] = dt
                row["gate_triples"] = rep.triples
        rows.append(row)
        print(_line(row), flush=True)
    return rows


def _fmt(v):
    return "—" if v is None else f"{v:8.2f} s"


HEADER = f"{'size':>9} {'triples':>9} {'graphs':>6}  {'compiled':>10} {'pyshacl':>10} {'speed-up':>8}  {'gate (1 doc)':>12}  V/W/I"


def _line(row) -> str:
    c, p = row.get("compiled"), row.get("pyshacl")
    sp = f"{p / c:7.1f}x" if c and p else "       —"
    vwi = row.get("compiled_results") or row.get("pyshacl_results") or ("", "", "")
    gate = _fmt(row.get("gate")) + (f" ({row['gate_triples']} t)" if row.get("gate_triples") else "")
    return (f"{row['size']:>9} {row['triples']:>9} {row['graphs']:>6}  {_fmt(c):>10} {_fmt(p):>10} {sp:>8}  "
            f"{gate:>12}  {'/'.join(map(str, vwi))}")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="bundled,10000,100000",
                    help="comma-separated: 'bundled' (data/corpus) and triple counts (e.g. bundled,10000,1000000)")
    ap.add_argument("--engines", default="compiled,pyshacl,gate", help="compiled, pyshacl, gate")
    ap.add_argument("--pyshacl-max", type=int, default=150_000, help="skip plain pyshacl above this many triples")
    ap.add_argument("--repeat", type=int, default=1, help="runs per measurement (best is kept)")
    a = ap.parse_args(argv)
    sizes = [s.strip() if s.strip() == "bundled" else int(s.replace("_", "")) for s in a.sizes.split(",") if s.strip()]
    print(HEADER)
    run(sizes, a.engines.split(","), a.pyshacl_max, a.repeat)


if __name__ == "__main__":
    main()
