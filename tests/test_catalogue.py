"""The query catalogue: headers, parameter binding (injection-proof), formats, each query's
answer on a hand-written fixture and on the bundled corpus, and the /queries routes."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Literal, URIRef

from answers_expected import DEFERRALS, OVERDUE_2023_03_01, STATUS_CHANGES
from jiukg import catalogue
from jiukg.catalogue import CatalogueError, UnknownQuery, UnknownValue
from jiukg.namespaces import BASE, status_iri
from jiukg.paths import CORPUS_DIR, QUERIES_DIR

FIXTURE = Path(__file__).parent / "data" / "catalogue_fixture.trig"
PBC38 = CORPUS_DIR / "wipo-pbc38-jiu-progress.zh.txt"


def load_fixture(store) -> None:
    """Ontology + reference graphs (as a build stores them) + the hand-written fixture, and the status order
    jiukg derives from it (written around the pipeline, it is derived as a bulk load does)."""
    from jiukg import status_order
    from jiukg.pipeline import static_graphs

    store.replace_graphs({g: list(gr) for g, gr in static_graphs().items()})
    ds = Dataset()
    ds.parse(FIXTURE, format="trig")
    store.add((s, p, o, g) for s, p, o, g in ds.quads((None, None, None, None))
              if isinstance(g, URIRef) and g.startswith("https://w3id.org/jiukg/graph/"))
    status_order.refresh(store)


@pytest.fixture
def fx(memory_store):
    load_fixture(memory_store)
    return memory_store


@pytest.fixture(scope="module")
def corpus(corpus_store):
    """The bundled corpus built by the real loaders into each backend in turn: the embedded store,
    an Oxigraph server and Virtuoso (conftest.py); every test_corpus_* expects the same rows of each."""
    return corpus_store


def rows(result, *cols) -> list[tuple[str, ...]]:
    """Rows as tuples of lexical values ('' when unbound), for the given columns or all."""
    cols = cols or tuple(result.variables)
    return [tuple("" if r.get(c) is None else str(r[c]) for c in cols) for r in result.rows]


def run(store, name, **params):
    return catalogue.run(store, name, {k: str(v) for k, v in params.items()})


# --- the catalogue itself --------------------------------------------------------

def test_catalogue_has_every_question_with_a_full_header():
    qs = catalogue.load_catalogue()
    names = [q.name for q in qs]
    assert len(qs) >= 15
    assert names == sorted(names)
    for required in ("ceb-deferrals", "recommendation-status", "status-history", "status-changes", "not-accepted",
                     "outstanding-by-official", "past-deadline", "ceb-stance-vs-status", "reports-with-ceb-comments",
                     "implementation-rates", "resolutions-covered", "documents-citing", "mechanisms", "provenance",
                     "reviews-in-progress", "active-reports"):
        assert required in names
    readme = (QUERIES_DIR / "README.md").read_text(encoding="utf-8")
    for q in qs:
        assert q.title and q.description, q.name
        assert f"`{q.name}`" in readme, f"{q.name} is not documented in queries/README.md"
        assert "ORDER BY" in q.text and "SELECT DISTINCT" in q.text, q.name
        catalogue.bind(q, q.example)  # every example is valid
    flagship = catalogue.get_query("ceb-deferrals")
    assert [(p.name, p.type, p.default) for p in flagship.params] == [("org", "string", "WIPO")]
    assert flagship.example == {"org": "WIPO"}


def test_header_errors_are_clear(tmp_path):
    with pytest.raises(CatalogueError, match="title"):
        catalogue.parse_query("SELECT * { ?s ?p ?o }", "x")
    with pytest.raises(CatalogueError, match="unknown type"):
        catalogue.parse_query("# title: t\n# param: a | float | 1 | d\nSELECT * { ?s ?p ?_a }", "x")
    with pytest.raises(CatalogueError, match="never used"):
        catalogue.parse_query("# title: t\n# param: a | string | 1 | d\nSELECT * { ?s ?p ?o }", "x")


def test_unknown_query_lists_the_catalogue():
    with pytest.raises(UnknownQuery) as e:
        catalogue.get_query("no-such-query")
    assert "ceb-deferrals" in str(e.value)
    with pytest.raises(UnknownQuery):  # the service never reads files by path
        catalogue.get_query(str(QUERIES_DIR / "ceb-deferrals.rq"))
    assert catalogue.get_query(str(QUERIES_DIR / "ceb-deferrals.rq"), allow_files=True).name == "ceb-deferrals"


# --- binding parameters ------------------------------------------------------------

def test_parameters_are_typed_and_checked():
    q = catalogue.get_query("status-history")
    b = catalogue.bind(q, {"report": "JIU/NOTE/2022/1 Rev.1", "rec": "4"})
    assert b == {"_report": Literal("JIU/NOTE/2022/1/Rev.1"), "_rec": Literal(4)}
    with pytest.raises(CatalogueError, match="rec.*not an integer"):
        catalogue.bind(q, {"report": "JIU/REP/2020/7", "rec": "six"})
    with pytest.raises(CatalogueError, match="rec is required"):
        catalogue.bind(q, {"report": "JIU/REP/2020/7"})
    with pytest.raises(CatalogueError, match="unknown parameter colour"):
        catalogue.bind(q, {"report": "JIU/REP/2020/7", "rec": "6", "colour": "red"})
    pd = catalogue.get_query("past-deadline")
    assert catalogue.bind(pd, {})["_before"] == Literal(date.today().isoformat(), datatype=URIRef(
        "http://www.w3.org/2001/XMLSchema#date"))
    for bad in ("2025-13-01", "1 March 2025", "2025-03-01T00:00:00"):
        with pytest.raises(CatalogueError, match="not a date"):
            catalogue.bind(pd, {"before": bad})
    prov = catalogue.get_query("provenance")
    assert catalogue.bind(prov, {"resource": "id/doc/JIU/REP/2024/4"})["_resource"] == \
        URIRef("https://w3id.org/jiukg/id/doc/JIU/REP/2024/4")
    for bad in ("https://x/a>b", "https://x/a\nb", "https://x/{a}", "no scheme", 'https://x/"q"', "https://x/a b"):
        with pytest.raises(CatalogueError, match="not an absolute IRI"):
            catalogue.bind(prov, {"resource": bad})


def test_values_block_opens_the_where_group_whatever_precedes_it():
    q = catalogue.parse_query('# title: t\n# param: a | string | x | d\nPREFIX e: <http://e/#{>\n'
                              '# WHERE { in a comment\nSELECT ?s (CONCAT("WHERE {", ?o) AS ?c) WHERE {\n'
                              '  ?s e:p ?o , ?_a }', "t")
    text = catalogue.bound_text(q, catalogue.bind(q, {}))
    assert text.index('VALUES (?_a) { ("x") }') > text.index('AS ?c) WHERE {')
    c = catalogue.parse_query("# title: t\n# param: a | string | x | d\nCONSTRUCT { ?s ?p ?o } { ?s ?p ?o , ?_a }", "c")
    text = catalogue.bound_text(c, catalogue.bind(c, {}))
    assert text.startswith("# title: t\n# param: a | string | x | d\nCONSTRUCT { ?s ?p ?o } {\n  VALUES")


def test_a_parameter_used_only_in_a_subselect_is_bound_there(memory_store):
    """A VALUES block binds nothing inside a sub-select; a parameter used only there (the walk of a query
    that sorts its rows before aggregating them) is bound in the innermost sub-select holding its uses,
    any other at the top level, as before."""
    q = catalogue.parse_query(
        "# title: t\n# param: a | string | s1 | d\n# param: b | string | p | d\n"
        'SELECT ?s (GROUP_CONCAT(?o; separator=",") AS ?os) WHERE {\n'
        '  { SELECT ?s ?o WHERE { ?s <http://e/p> ?o . FILTER(?s = IRI(CONCAT("http://e/", ?_a))) } ORDER BY ?o }\n'
        '  ?s <http://e/kind> ?_b\n} GROUP BY ?s', "t")
    text = catalogue.bound_text(q, catalogue.bind(q, {}))
    sub = text.index("{ SELECT ?s ?o WHERE {")
    assert text.index('VALUES (?_a) { ("s1") }') > sub > text.index('VALUES (?_b) { ("p") }')
    e = "http://e/"
    memory_store.add([(URIRef(e + s), URIRef(e + "p"), Literal(o), URIRef(e + "g"))
                      for s, o in (("s1", "c"), ("s1", "a"), ("s1", "b"), ("s2", "z"))])
    memory_store.add([(URIRef(e + s), URIRef(e + "kind"), Literal("p"), URIRef(e + "g")) for s in ("s1", "s2")])
    assert rows(catalogue.run(memory_store, q, {})) == [(e + "s1", "a,b,c")]
    assert rows(catalogue.run(memory_store, q, {"a": "s2"})) == [(e + "s2", "z")]
    assert rows(catalogue.run(memory_store, q, {"a": "s2", "b": "q"})) == []


NASTY = ['WIPO" } ; DROP ALL ; #', "WIPO>", "a\nb", "a\rb", '"""', "x\\", "'} }", "<http://e/x>", "\\u0022 }"]


@pytest.mark.parametrize("value", NASTY)
def test_string_values_are_data_and_come_back_unchanged(memory_store, tmp_path, value):
    rq = tmp_path / "echo.rq"
    rq.write_text("# title: echo\n# param: x | string | (required) | d\nSELECT ?v WHERE { BIND(?_x AS ?v) }\n")
    q = catalogue.load_query(rq)
    result = catalogue.run(memory_store, q, {"x": value})
    assert rows(result) == [(value,)]


@pytest.mark.parametrize("value", NASTY)
def test_injection_leaves_the_store_unchanged(fx, value):
    before_count, before_dump = fx.count(), fx.export("nquads")
    # the value is data in the check of known organisations (it names none) and in the query itself
    with pytest.raises(UnknownValue) as e:
        run(fx, "ceb-deferrals", org=value)
    assert repr(value) in str(e.value) and "known: ILO, WIPO" in str(e.value)
    for name, params in (("ceb-deferrals", {"org": value}), ("recommendation-status", {"org": value, "report": value})):
        q = catalogue.get_query(name)
        assert rows(fx.query(catalogue.bound_text(q, catalogue.bind(q, params)))) == []
    assert fx.count() == before_count and fx.export("nquads") == before_dump
    with pytest.raises(CatalogueError):  # an IRI with > or a newline is refused before any query
        run(fx, "provenance", resource="https://w3id.org/jiukg/id/x" + value)
    assert fx.count() == before_count


def test_pyoxigraph_substitutions_limits():
    """Why the catalogue binds by VALUES: pyoxigraph 0.5 substitutions need the variable in the
    projection, and BOUND() does not see a substituted variable. If this fails, reconsider."""
    s = ox.Store()
    s.add(ox.Quad(ox.NamedNode("http://e/a"), ox.NamedNode("http://e/p"), ox.Literal("ILO")))
    subs = {ox.Variable("_org"): ox.Literal("ILO")}
    with pytest.raises(RuntimeError, match="projection"):
        s.query("SELECT ?s WHERE { ?s <http://e/p> ?_org }", substitutions=subs)
    r = list(s.query("SELECT ?s ?_org WHERE { ?s <http://e/p> ?o FILTER(BOUND(?_org)) }", substitutions=subs))
    assert r == []


# --- formats ---------------------------------------------------------------------------

def test_csv_is_the_sparql_csv_results_format(fx):
    q = catalogue.get_query("ceb-deferrals")
    text = catalogue.bound_text(q, catalogue.bind(q, {"org": "WIPO"}))
    ours = catalogue.to_csv(fx.query(text))
    theirs = fx._store.query(text, use_default_graph_as_union=True).serialize(
        format=ox.QueryResultsFormat.CSV).decode("utf-8")
    assert ours == theirs  # pyoxigraph's own writer: an independent implementation of the format
    assert ours.startswith("report,rec,mechanism,evidence,asOf,source\r\n")


def test_csv_quotes_and_plain_values():
    from jiukg.store.base import QueryResult

    r = QueryResult(kind="select", variables=["a", "b", "c"],
                    rows=[{"a": URIRef("http://e/x"), "b": Literal('say "hi", then\ngo', lang="en")},
                          {"c": Literal(3)}])
    assert catalogue.to_csv(r) == 'a,b,c\r\nhttp://e/x,"say ""hi"", then\ngo",\r\n,,3\r\n'
    j = catalogue.to_json(r)
    assert j["head"]["vars"] == ["a", "b", "c"]
    assert j["results"]["bindings"][0]["b"] == {"type": "literal", "value": 'say "hi", then\ngo', "xml:lang": "en"}
    assert j["results"]["bindings"][1]["c"]["datatype"] == "http://www.w3.org/2001/XMLSchema#integer"


def test_table_aligns_cjk_columns(fx):
    out = catalogue.to_table(run(fx, "outstanding-by-official", org="WIPO"), max_width=80)
    lines = out.splitlines()
    header, data = lines[0], lines[2:-1]
    start = catalogue.display_width(header[:header.index("organization")])
    for line in data:
        i = line.index("WIPO")
        assert catalogue.display_width(line[:i]) == start, line
    assert lines[-1] == "(3 rows)"
    assert catalogue.display_width("审查ab") == 6


# --- every query on the hand-written fixture -------------------------------------------

def test_every_query_runs_on_the_fixture(fx):
    for q in catalogue.load_catalogue():
        r = catalogue.run(fx, q, q.example)
        assert r.kind == "select", q.name


def test_ceb_deferrals_fixture(fx):
    r = run(fx, "ceb-deferrals", org="WIPO")
    assert r.variables == ["report", "rec", "mechanism", "evidence", "asOf", "source"]
    assert rows(r) == [
        ("JIU/NOTE/2022/1/Rev.1", "4", "CEB", "这项建议将通过首协会机构间协调机制进行处理", "2025-02-28", "WO/PBC/38/2"),
        ("JIU/REP/2023/8", "7", "HR Network", "这项建议将通过机构间机制进行处理", "2025-02-28", "WO/PBC/38/2"),
        ("JIU/REP/2024/3", "1", "CEB", "这项建议将通过首协会机构间协调机制进行处理", "2025-02-28", "WO/PBC/38/2"),
    ]
    # another organisation, by any of its acronyms, case-insensitively
    assert rows(run(fx, "ceb-deferrals", org="ilo"), "report", "rec", "mechanism", "source") == [
        ("JIU/REP/2024/3", "1", "HLCM", "ILO/TEST/1")]
    assert rows(run(fx, "ceb-deferrals", org="OMPI")) == rows(r)
    # an organisation that reports nothing here is an error naming those that do, not an empty answer
    with pytest.raises(UnknownValue, match=r"no organisation 'UNDP' in the data; known: ILO, WIPO"):
        run(fx, "ceb-deferrals", org="UNDP")


def test_recommendation_status_fixture(fx):
    r = run(fx, "recommendation-status", org="WIPO", report="JIU/REP/2023/3")
    assert r.variables == ["report", "rec", "addressee", "organization", "asOf", "acceptance", "implementation",
                           "responsible", "source"]
    assert rows(r) == [
        ("JIU/REP/2023/3", "1", "legislative", "WIPO", "2025-02-28", "accepted", "in-progress",
         "计划编制、预算和风险管理司司长兼助理财务主任", "WO/PBC/38/2"),
        ("JIU/REP/2023/3", "5", "executive-head", "WIPO", "2025-02-28", "not-relevant", "", "", "WO/PBC/38/2"),
    ]
    everything = run(fx, "recommendation-status")
    assert len(everything.rows) == 13  # 10 + 2 WIPO statements, 1 ILO
    assert {x[3] for x in rows(everything)} == {"WIPO", "ILO"}
    assert rows(run(fx, "recommendation-status", report="JIU/REP/2020/7"), "asOf", "implementation", "source") == [
        ("2023-02-28", "in-progress", "WO/PBC/35/2"), ("2025-02-28", "implemented", "WO/PBC/38/2")]


def test_status_history_fixture(fx):
    assert rows(run(fx, "status-history", report="JIU/REP/2020/7", rec=6)) == [
        ("JIU/REP/2020/7", "6", "WIPO", "2023-02-28", "accepted", "in-progress", "accepted", "", "", "WO/PBC/35/2",
         "", "reported", ""),
        ("JIU/REP/2020/7", "6", "WIPO", "2025-02-28", "accepted", "implemented", "", "in-progress", "",
         "WO/PBC/38/2", "", "reported", ""),
    ]
    # outstanding in WO/PBC/35/2, not listed by WO/PBC/38/2: a row says so
    assert rows(run(fx, "status-history", report="JIU/REP/2018/4", rec=10),
                "asOf", "acceptance", "implementation", "source", "reported") == [
        ("2023-02-28", "accepted", "in-progress", "WO/PBC/35/2", "reported"),
        ("2025-02-28", "", "", "WO/PBC/38/2", "not-reported")]
    assert rows(run(fx, "status-history", report="JIU/REP/2024/3", rec=1), "organization", "asOf") == [
        ("ILO", "2025-01-31"), ("WIPO", "2025-02-28")]
    assert rows(run(fx, "status-history", report="JIU/REP/2024/3", rec=1, org="WIPO"), "organization") == [("WIPO",)]


def test_status_changes_fixture(fx):
    expected = [("JIU/REP/2020/7", "6", "WIPO", "2023-02-28", "accepted", "in-progress", "WO/PBC/35/2",
                 "2025-02-28", "accepted", "implemented", "WO/PBC/38/2", "compared", "")]
    assert rows(run(fx, "status-changes", org="WIPO")) == expected
    assert rows(run(fx, "status-changes", org="WIPO", **{"from": "WO/PBC/35/2", "to": "WO/PBC/38/2"})) == expected
    assert rows(run(fx, "status-changes", org="WIPO", **{"from": "WO/PBC/38/2"})) == []
    assert rows(run(fx, "status-changes", org="ILO")) == []


def test_status_changes_over_three_reports(memory_store):
    """Three reports of one organisation: the changes between consecutive statements; any later one when both
    documents are named; a change the later report states (its note, from a document known by symbol only)
    in place of the compared one; walked from the organisation, from the earlier document or from the later."""
    from jiukg import status_order
    from jiukg.namespaces import GRAPH, ID, JIU, VOCAB
    from rdflib.namespace import XSD

    org, ex = ID["org/TSTO"], "https://example.org/"
    acc, imp = (lambda v: VOCAB["acceptance/" + v]), (lambda v: VOCAB["implementation/" + v])
    pub = URIRef(ex + "pub")
    t = [(org, JIU.acronym, Literal("TSTO", lang="en")), (pub, JIU.symbol, Literal("JIU/REP/2001/1"))]
    docs = {n: URIRef(f"{ex}doc{n}") for n in (1, 2, 3)}
    t += [(d, JIU.symbol, Literal(f"T/{n}")) for n, d in docs.items()]
    recs = {}
    for n in (1, 2):
        recs[n] = URIRef(f"{ex}rec{n}")
        t += [(recs[n], JIU.inPublication, pub), (recs[n], JIU.recommendationNumber, Literal(str(n)))]

    def st(name, rec, doc, as_of, a, i=None):
        s = URIRef(ex + name)
        t.extend([(s, JIU.reportingOrganization, org), (s, JIU.aboutRecommendation, recs[rec]),
                  (s, JIU.reportedIn, docs[doc]), (s, JIU.acceptance, acc(a))])
        if as_of:
            t.append((s, JIU.asOf, Literal(as_of, datatype=XSD.date)))
        if i:
            t.append((s, JIU.implementation, imp(i)))
        return s

    st("s1", 1, 1, "2021-02-28", "accepted", "not-started")
    st("s2", 1, 2, "2022-02-28", "accepted", "in-progress")
    st("s3", 1, 3, "2023-02-28", "accepted", "implemented")
    st("t1", 2, 1, "2021-02-28", "under-consideration")
    p = st("p", 2, 2, None, "under-consideration")  # the status T/3 says held before, known by T/2's symbol
    t3 = st("t3", 2, 3, "2023-02-28", "accepted", "in-progress")
    t += [(t3, JIU.previousStatement, p), (t3, JIU.statusChangeNote, Literal("之前为“正在审议”", lang="zh"))]
    memory_store.replace_graphs({GRAPH["tsto"]: t})
    status_order.refresh(memory_store)

    def changes(**params):
        return [(r[1], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11], r[12])
                for r in rows(run(memory_store, "status-changes", org="tsto", **params))]

    s1_s2 = ("1", "2021-02-28", "accepted", "not-started", "T/1", "2022-02-28", "accepted", "in-progress", "T/2",
             "compared", "")
    s2_s3 = ("1", "2022-02-28", "accepted", "in-progress", "T/2", "2023-02-28", "accepted", "implemented", "T/3",
             "compared", "")
    s1_s3 = ("1", "2021-02-28", "accepted", "not-started", "T/1", "2023-02-28", "accepted", "implemented", "T/3",
             "compared", "")
    p_t3 = ("2", "", "under-consideration", "", "T/2", "2023-02-28", "accepted", "in-progress", "T/3", "stated",
            "之前为“正在审议”")
    t1_t3 = ("2", "2021-02-28", "under-consideration", "", "T/1", "2023-02-28", "accepted", "in-progress", "T/3",
             "compared", "")
    # t1 -> t3 is consecutive, but T/3 states what held before: its own row stands for the change
    assert changes() == [s1_s2, s2_s3, p_t3]
    assert changes(**{"from": "T/1", "to": "T/3"}) == [s1_s3, t1_t3]
    assert changes(**{"from": "T/1", "to": "T/2"}) == [s1_s2]
    assert changes(**{"from": "T/2"}) == [s2_s3, p_t3]
    assert changes(to="T/3") == [s2_s3, p_t3]
    assert changes(to="T/2") == [s1_s2]
    assert changes(**{"from": "T/3"}) == []
    assert changes(**{"from": "T/9"}) == [] and changes(to="T/9") == []


def test_not_accepted_fixture(fx):
    assert rows(run(fx, "not-accepted", org="WIPO"), "report", "rec", "acceptance", "qualifier") == [
        ("JIU/NOTE/2022/1/Rev.1", "2", "not-accepted", ""),
        ("JIU/NOTE/2022/1/Rev.1", "4", "not-relevant", ""),
        ("JIU/REP/2023/3", "5", "not-relevant", ""),
        ("JIU/REP/2023/8", "7", "not-relevant", ""),
        ("JIU/REP/2024/3", "1", "not-relevant", "不单是产权组织的职权范围"),
    ]
    r = run(fx, "not-accepted", org="WIPO", report="JIU/NOTE/2022/1/Rev.1")
    assert rows(r, "rec", "assessment") == [("2", "产权组织已实施各种措施。"), ("4", "")]


def test_outstanding_by_official_fixture(fx):
    # JIU/REP/2018/4 rec 10 was outstanding in WO/PBC/35/2 but is absent from the latest report: closed
    assert rows(run(fx, "outstanding-by-official", org="WIPO"), "responsible", "report", "rec", "acceptance",
                "implementation") == [
        ("人力资源管理部主任", "JIU/REP/2023/8", "1", "under-consideration", ""),
        ("行政、财务和管理部门（行政部门）助理总干事", "JIU/REP/2024/4", "2", "under-consideration", ""),
        ("计划编制、预算和风险管理司司长兼助理财务主任", "JIU/REP/2023/3", "1", "accepted", "in-progress"),
    ]
    assert rows(run(fx, "outstanding-by-official", org="ILO"), "responsible", "report", "rec") == [
        ("Treasurer", "JIU/REP/2024/3", "1")]


def test_past_deadline_fixture(fx):
    assert rows(run(fx, "past-deadline", before="2025-03-01", org="WIPO")) == [
        ("JIU/REP/2023/3", "1", "2024-12-31", "在 2024 年底前", "WIPO", "accepted", "in-progress", "2025-02-28",
         "WO/PBC/38/2")]
    assert rows(run(fx, "past-deadline", before="2026-01-01", org="WIPO"), "report", "rec", "deadline") == [
        ("JIU/REP/2023/3", "1", "2024-12-31"), ("JIU/REP/2023/8", "1", "2025-12-31"),
        ("JIU/REP/2024/4", "2", "2025-12-31")]
    assert rows(run(fx, "past-deadline", before="2028-01-01"), "report", "rec", "organization")[-1] == \
        ("JIU/REP/2024/3", "1", "ILO")
    # strictly before: JIU/REP/2023/3 rec 1 (deadline 2024-12-31) is not yet overdue; as at that date WIPO's
    # latest report is WO/PBC/35/2, by which JIU/REP/2018/4 rec 10 is
    assert rows(run(fx, "past-deadline", before="2024-12-31"), "report", "rec", "source") == [
        ("JIU/REP/2018/4", "10", "WO/PBC/35/2")]
    # as at 1 March 2023 the known status is WO/PBC/35/2's: JIU/REP/2018/4 rec 10 was then overdue
    assert rows(run(fx, "past-deadline", before="2023-03-01", org="WIPO"), "report", "rec", "asOf", "source") == [
        ("JIU/REP/2018/4", "10", "2023-02-28", "WO/PBC/35/2")]


def test_ceb_stance_vs_status_fixture(fx):
    assert rows(run(fx, "ceb-stance-vs-status", report="JIU/REP/2024/4"),
                "rec", "stance", "commentSource", "organization", "acceptance", "source") == [
        ("2", "partially-supported", "A/80/263/Add.1", "WIPO", "under-consideration", "WO/PBC/38/2"),
        ("3", "supported", "A/80/263/Add.1", "", "", ""),
    ]


def test_reports_with_ceb_comments_fixture(fx):
    assert rows(run(fx, "reports-with-ceb-comments")) == [
        ("JIU/REP/2023/8", "A/79/694/Add.1", "WO/PBC/38/2"),
        ("JIU/REP/2024/4", "A/80/263/Add.1", "A/80/263/Add.1"),
    ]


def test_implementation_rates_fixture(fx):
    # the fixture's observations say neither where they are printed nor that "implemented" counts the closed
    assert rows(run(fx, "implementation-rates")) == [
        ("JIU", "2011", "2020", "", "implemented", "", "85.5", "period", "", "false", "A/76/644"),
        ("OIOS", "2010-01-01", "2021-06-30", "全部建议", "implemented", "", "92.2", "period", "", "false", "A/76/644"),
        ("OIOS", "2010-01-01", "2021-06-30", "全部建议", "implemented", "11139", "", "period", "", "false", "A/76/644"),
        ("OIOS", "2010-01-01", "2021-06-30", "全部建议", "issued", "12075", "", "period", "", "false", "A/76/644"),
        ("OIOS", "2010-01-01", "2021-06-30", "全部建议", "outstanding", "936", "", "period", "", "false", "A/76/644"),
    ]
    assert [x[0] for x in rows(run(fx, "implementation-rates", body="jiu"))] == ["JIU"]


def test_resolutions_covered_fixture(fx):
    assert rows(run(fx, "resolutions-covered", report="A/76/644")) == [
        ("A/76/644", "A/RES/75/242A", "138", "A/76/307"),
        ("A/76/644", "A/RES/75/242A", "138", "A/76/307/Add.1"),
        ("A/76/644", "A/RES/75/252", "141", ""),
    ]
    with pytest.raises(UnknownValue, match="no document 'A/99/1'"):
        run(fx, "resolutions-covered", report="A/99/1")


def test_documents_citing_fixture(fx):
    assert rows(run(fx, "documents-citing", cited="A/RES/70/255")) == [
        ("A/76/644", "sg-report", "2022-01-07", "A/RES/70/255")]
    # the cited resolution has no jiu:symbol: matched by its IRI
    assert [x[0] for x in rows(run(fx, "documents-citing", cited="A/RES/74/271"))] == ["A/76/644"]


def test_mechanisms_fixture(fx):
    r = run(fx, "mechanisms")
    names = {x[1] for x in rows(r)}
    assert {"CEB", "HLCM", "HLCP", "UNSDG", "HR Network", "DTN", "Mutual Recognition Community of Practice"} <= names
    hr = rows(run(fx, "mechanisms", mechanism="HR Network"), "kind", "partOf", "via", "report", "rec", "organization")
    assert hr == [("Network", "https://w3id.org/jiukg/id/org/HLCM", "deferredTo", "JIU/REP/2023/8", "7", "WIPO"),
                  ("Network", "https://w3id.org/jiukg/id/org/HLCM", "toBeImplementedThrough", "JIU/REP/2023/8",
                   "7", "")]
    assert rows(run(fx, "mechanisms", mechanism="HLCP"), "kind", "via") == [("HighLevelCommittee", "")]
    ceb = rows(run(fx, "mechanisms", mechanism="ceb"), "via", "report", "rec", "organization")
    assert ("deferredTo", "JIU/REP/2024/3", "1", "WIPO") in ceb and len(ceb) == 6


def test_provenance_fixture(fx):
    iri = str(status_iri("JIU/REP/2024/3", 1, "WIPO", "WO/PBC/38/2"))
    r = run(fx, "provenance", resource=iri)
    assert rows(r, "resource", "document", "startLine", "endLine", "startOffset", "endOffset") == [
        (iri, "WO/PBC/38/2", "522", "536", "20000", "20400")]
    assert "首协会机构间协调机制" in rows(r, "text")[0][0]
    assert rows(run(fx, "provenance", resource="id/doc/JIU/REP/2024/3/rec/1/status/WIPO/WO-PBC-38-2"),
                "resource") == [(iri,)]


def test_reviews_and_active_reports_fixture(fx):
    assert rows(run(fx, "reviews-in-progress", document="WO/PBC/38/2"), "review", "year", "listedIn",
                "organization") == [("A474", "2024", "WO/PBC/38/2", "WIPO"), ("A485", "2025", "WO/PBC/38/2", "WIPO")]
    assert rows(run(fx, "reviews-in-progress", org="ILO")) == []
    assert rows(run(fx, "active-reports", document="WO/PBC/38/2")) == [
        ("JIU/REP/2023/8", "1", "executive-head", "A/79/694/Add.1", "WO/PBC/38/2"),
        ("JIU/REP/2024/4", "3", "executive-head", "", "WO/PBC/38/2"),
    ]


# --- every query on the bundled corpus (expected results read from data/corpus/) ----------

PBC38_SRC = "WO/PBC/38/2"
BUDGET = "计划编制、预算和风险管理司司长兼助理财务主任"


CEB_PHRASE = "这项建议将通过首协会机构间协调机制进行处理"  # "will be handled through the CEB inter-agency mechanism"
INTER_AGENCY = "这项建议将通过机构间机制进行处理"  # "will be handled through inter-agency mechanisms"


def test_corpus_ceb_deferrals(corpus):
    """WO/PBC/38/2: the records whose recommendation is addressed to the CEB or an inter-agency mechanism
    and whose management assessment hands it to one. JIU/REP/2023/3 rec. 5 says the same in its
    assessment, but its text names neither, so it is not CEB-level; JIU/REP/2023/8 rec. 7 names the
    HLCM's HR Network (管理问题高级别委员会人力资源网). No row says CEB where the words name no mechanism."""
    r = run(corpus, "ceb-deferrals", org="WIPO")
    assert r.variables == ["report", "rec", "mechanism", "evidence", "asOf", "source"]
    hr = "在管理问题高级别委员会人力资源网下届会议上，产权组织将要求在人力资源网未来的届会议程中增加该议题"
    assert rows(r) == [
        ("JIU/NOTE/2022/1/Rev.1", "1", "CEB", CEB_PHRASE, "2025-02-28", PBC38_SRC),
        ("JIU/NOTE/2022/1/Rev.1", "4", "CEB", CEB_PHRASE, "2025-02-28", PBC38_SRC),
        # WO/PBC/38/2 l. 972 "通过适当机构间机制" and l. 984 "通过机构间机制": no mechanism named, so not the CEB
        ("JIU/REP/2023/3", "4", "unspecified inter-agency mechanism", INTER_AGENCY, "2025-02-28", PBC38_SRC),
        ("JIU/REP/2023/8", "7", "HR Network", f"{hr} / {INTER_AGENCY}", "2025-02-28", PBC38_SRC),
        ("JIU/REP/2024/2", "3", "CEB", CEB_PHRASE, "2025-02-28", PBC38_SRC),
        ("JIU/REP/2024/3", "1", "CEB", CEB_PHRASE, "2025-02-28", PBC38_SRC),
    ]


def test_corpus_recommendation_status(corpus):
    r = run(corpus, "recommendation-status", org="WIPO", report="JIU/REP/2023/3")
    # WO/PBC/38/2 recounts the status of recs 1-5 in WO/PBC/37/6 Rev. (l. 329-331, 393, 989-991, 1045):
    # statements of that report, known by symbol only, with no as-at date and no responsible official
    recounted = [x for x in rows(r) if x[8] == "WO/PBC/37/6/Rev."]
    assert [(x[1], x[4], x[5], x[6]) for x in recounted] == [
        ("1", "", "accepted", "in-progress"), ("2", "", "under-consideration", ""),
        ("3", "", "under-consideration", ""), ("4", "", "under-consideration", ""),
        ("5", "", "under-consideration", "")]
    assert [x for x in rows(r) if x[8] != "WO/PBC/37/6/Rev."] == [
        ("JIU/REP/2023/3", "1", "legislative", "WIPO", "2025-02-28", "accepted", "in-progress", BUDGET, PBC38_SRC),
        ("JIU/REP/2023/3", "2", "legislative", "WIPO", "2025-02-28", "under-consideration", "",
         "内部监督司（监督司）司长", PBC38_SRC),
        ("JIU/REP/2023/3", "3", "executive-head", "WIPO", "2025-02-28", "not-accepted", "", BUDGET, PBC38_SRC),
        ("JIU/REP/2023/3", "4", "executive-head", "WIPO", "2025-02-28", "not-relevant", "", BUDGET, PBC38_SRC),
        ("JIU/REP/2023/3", "5", "executive-head", "WIPO", "2025-02-28", "not-relevant", "", BUDGET, PBC38_SRC),
    ]
    sources = [x[8] for x in rows(run(corpus, "recommendation-status", org="WIPO"))]
    # 9 (Annex I) + 20 (Annex II) + 6 (Annex III) records in WO/PBC/38/2; 5 (Annex I) + 19 (Annex II) in WO/PBC/35/2
    assert sources.count(PBC38_SRC) == 35 and sources.count("WO/PBC/35/2") == 24


def test_corpus_status_history_and_changes(corpus):
    # WO/PBC/35/2 md l. 117 "之前为“尚未启动”" (in WO/PBC/34/6), WO/PBC/38/2 l. 436 "之前为“正在落实”" (in
    # WO/PBC/37/6 Rev.): each earlier report's status just before the report that recounts it
    assert rows(run(corpus, "status-history", report="JIU/REP/2020/7", rec=6, org="WIPO"),
                "asOf", "acceptance", "implementation", "source", "reported") == [
        ("", "accepted", "not-started", "WO/PBC/34/6", "recounted"),
        ("2023-02-28", "accepted", "in-progress", "WO/PBC/35/2", "reported"),
        ("", "accepted", "in-progress", "WO/PBC/37/6/Rev.", "recounted"),
        ("2025-02-28", "accepted", "implemented", PBC38_SRC, "reported")]
    assert rows(run(corpus, "status-history", report="JIU/REP/2019/5", rec=1, org="WIPO"),
                "asOf", "implementation", "reported") == [
        ("", "in-progress", "recounted"), ("2023-02-28", "in-progress", "reported"),
        ("", "in-progress", "recounted"), ("2025-02-28", "in-progress", "reported")]
    # every change the two reports state (tests/answers_expected.py, typed from the texts)
    assert rows(run(corpus, "status-changes", org="WIPO")) == STATUS_CHANGES
    # the only recommendation in both reports whose status changed
    expected = [("JIU/REP/2020/7", "6", "in-progress", "WO/PBC/35/2", "implemented", PBC38_SRC)]
    cols = ("report", "rec", "fromImplementation", "fromSource", "toImplementation", "toSource")
    assert rows(run(corpus, "status-changes", org="WIPO", **{"from": "WO/PBC/35/2", "to": PBC38_SRC}),
                *cols) == expected


def test_corpus_deferrals(corpus):
    assert rows(run(corpus, "deferrals", org="WIPO")) == DEFERRALS
    assert rows(run(corpus, "deferrals")) == DEFERRALS  # WIPO is the only organisation that reports


def test_corpus_past_deadline_as_at_a_date(corpus):
    cols = ("report", "rec", "deadline", "organization", "acceptance", "implementation", "asOf", "source")
    assert rows(run(corpus, "past-deadline", before="2023-03-01", org="WIPO"), *cols) == OVERDUE_2023_03_01


def test_corpus_not_accepted(corpus):
    r = run(corpus, "not-accepted", org="WIPO")
    assert sorted(rows(r, "report", "rec", "acceptance", "source")) == sorted(
        [(rep, str(n), "not-accepted", PBC38_SRC) for rep, n in
         [("JIU/REP/2023/4", 9), ("JIU/REP/2023/3", 3), ("JIU/NOTE/2022/1/Rev.1", 2), ("JIU/NOTE/2022/1/Rev.1", 5)]]
        + [(rep, str(n), "not-relevant", PBC38_SRC) for rep, n in
           [("JIU/REP/2024/3", 1), ("JIU/REP/2024/2", 3), ("JIU/REP/2023/8", 2), ("JIU/REP/2023/8", 7),
            ("JIU/REP/2023/3", 4), ("JIU/REP/2023/3", 5), ("JIU/NOTE/2022/1/Rev.1", 1),
            ("JIU/NOTE/2022/1/Rev.1", 4)]])
    why = {(x[0], x[1]): x for x in rows(r, "report", "rec", "qualifier", "assessment")}
    assert "成本计算" in why[("JIU/REP/2023/3", "3")][3]
    assert "不单是产权组织的职权范围" in why[("JIU/REP/2024/3", "1")][2]


def test_corpus_outstanding_and_past_deadline(corpus):
    # para. 8 of WO/PBC/38/2: 3 legislative + 5 executive-head recommendations outstanding
    admin = "行政、财务和管理部门（行政部门）助理总干事"
    assert sorted(rows(run(corpus, "outstanding-by-official", org="WIPO"),
                       "report", "rec", "acceptance", "implementation", "responsible")) == sorted([
        ("JIU/REP/2023/3", "1", "accepted", "in-progress", BUDGET),
        ("JIU/REP/2023/3", "2", "under-consideration", "", "内部监督司（监督司）司长"),
        ("JIU/REP/2023/2", "5", "accepted", "in-progress", "法律顾问"),
        ("JIU/REP/2019/5", "1", "accepted", "in-progress", "首席信息官"),
        ("JIU/REP/2024/4", "1", "under-consideration", "", admin),
        ("JIU/REP/2024/4", "2", "under-consideration", "", admin),
        ("JIU/REP/2024/4", "3", "under-consideration", "", admin),
        ("JIU/REP/2023/8", "1", "under-consideration", "", "人力资源管理部主任"),
    ])
    # "在 2024 年底前" is the only deadline before March 2025 among them
    assert rows(run(corpus, "past-deadline", before="2025-03-01", org="WIPO"), "report", "rec", "deadline") == [
        ("JIU/REP/2023/3", "1", "2024-12-31")]
    # "在2025年底前" (JIU/REP/2023/8 rec. 1, whose text also says 2027: the earlier date counts) and
    # "在2025年年底前" (JIU/REP/2024/4 rec. 2); rec. 3's 2029 is later
    assert rows(run(corpus, "past-deadline", before="2026-01-01", org="WIPO"), "report", "rec", "deadline") == [
        ("JIU/REP/2023/3", "1", "2024-12-31"), ("JIU/REP/2023/8", "1", "2025-12-31"),
        ("JIU/REP/2024/4", "2", "2025-12-31")]


def test_corpus_ceb_stance_vs_status(corpus):
    """A/80/263/Add.1 paras 5, 6, 11, 16, 18: not all organisations support rec. 1 (并非所有组织都支持),
    some partly support rec. 2, all broadly support rec. 3, recs 4 and 5 are addressed to others; WIPO's
    WO/PBC/38/2 has recs 1-3 of JIU/REP/2024/4 under consideration."""
    note, uc = "A/80/263/Add.1", "under-consideration"
    assert rows(run(corpus, "ceb-stance-vs-status", report="JIU/REP/2024/4")) == [
        ("JIU/REP/2024/4", "1", "divided", "并非所有组织都支持", note, "WIPO", "2025-02-28", uc, "", PBC38_SRC, ""),
        ("JIU/REP/2024/4", "2", "partially-supported", "部分支持", note, "WIPO", "2025-02-28", uc, "", PBC38_SRC, ""),
        ("JIU/REP/2024/4", "3", "supported", "总体上支持这项建议", note, "WIPO", "2025-02-28", uc, "", PBC38_SRC, ""),
        # paras 16 and 18: noted because addressed to the Secretary-General / to legislative organs
        ("JIU/REP/2024/4", "4", "noted", "这项建议是向秘书长提出的", note, "", "", "", "", "", "secretary-general"),
        ("JIU/REP/2024/4", "5", "noted", "这项建议是向立法机关和理事机构提出的", note, "", "", "", "", "",
         "legislative"),
    ]


def test_corpus_ceb_comment_documents_and_active_reports(corpus):
    """Annex IV of WO/PBC/38/2 lists the active reports with their CEB comment documents (none yet for
    JIU/REP/2024/4 there); the SG note A/80/263/Add.1 carries the comments on JIU/REP/2024/4 itself."""
    # WO/PBC/35/2 md l. 283-287: five active reports whose CEB-comments cell is filled ("首协会评论意见", a link,
    # "首协会评论意见和检查组的回应" for JIU/REP/2018/4) without a symbol: comments exist, document not named
    assert rows(run(corpus, "reports-with-ceb-comments")) == [
        ("JIU/REP/2018/4", "", "WO/PBC/35/2"),
        ("JIU/REP/2019/5", "", "WO/PBC/35/2"),
        ("JIU/REP/2019/5", "A/74/691/Add.1", PBC38_SRC),
        ("JIU/REP/2019/8", "", "WO/PBC/35/2"),
        ("JIU/REP/2020/2", "", "WO/PBC/35/2"),
        ("JIU/REP/2020/7", "", "WO/PBC/35/2"),
        ("JIU/REP/2023/2", "A/79/301/Add.1", PBC38_SRC),
        ("JIU/REP/2023/3", "A/78/595/Add.1", PBC38_SRC),
        ("JIU/REP/2023/8", "A/79/694/Add.1", PBC38_SRC),
        ("JIU/REP/2024/4", "A/80/263/Add.1", "A/80/263/Add.1"),
    ]
    assert rows(run(corpus, "reports-with-ceb-comments", report="JIU/REP/2023/8")) == [
        ("JIU/REP/2023/8", "A/79/694/Add.1", PBC38_SRC)]
    assert rows(run(corpus, "active-reports", document=PBC38_SRC)) == [
        ("JIU/REP/2019/5", "1", "executive-head", "A/74/691/Add.1", PBC38_SRC),
        ("JIU/REP/2023/2", "1", "legislative", "A/79/301/Add.1", PBC38_SRC),
        ("JIU/REP/2023/3", "2", "legislative", "A/78/595/Add.1", PBC38_SRC),
        ("JIU/REP/2023/8", "1", "executive-head", "A/79/694/Add.1", PBC38_SRC),
        ("JIU/REP/2024/4", "3", "executive-head", "", PBC38_SRC),
    ]


def test_corpus_reviews_in_progress(corpus):
    r = rows(run(corpus, "reviews-in-progress", document=PBC38_SRC), "review", "year")
    assert sorted(set(r)) == [("A474", "2024"), ("A476", "2024"), ("A479", "2025"), ("A480", "2025"),
                              ("A481", "2025"), ("A483", "2025"), ("A484", "2025"), ("A485", "2025")]


SG11 = "A/76/644"


def _rates_expected() -> list[tuple[str, ...]]:
    """implementation-rates rows, one per printed figure, written from A/76/644: Annex III (l. 2826-2874) and
    paragraphs 90-92 (l. 1074-1112). Columns: body, periodStart, periodEnd, category, measure, count, rate,
    scope, location, periodInferred, source.

    Annex III gives, per column, the recommendations implemented ("已执行") in that period and the cumulative
    implementation rate ("累计执行率") since the first year up to the column's end; the totals (issued,
    implemented, "因时过境迁而不必执行/不再执行" closed, "执行中" outstanding) close the row. Its columns
    "2020a" and "2021a" end on 30 June (footnote a); their beginnings are the loader's reading."""
    out = []

    def annex(body, category, columns, implemented, rates, totals):
        first = columns[0][0]
        for i, ((start, end), n, rate) in enumerate(zip(columns, implemented, rates)):
            inferred = "true" if len(start) > 4 else "false"
            # the first column is both its period and the running total
            out.append((body, start, end, category, "implemented", str(n), "", "cumulative" if i == 0 else "period",
                        "Annex III", inferred, SG11))
            out.append((body, first, end, category, "implemented", "", str(rate), "cumulative", "Annex III", "false",
                        SG11))
        issued, done, closed, left = totals
        end = columns[-1][1]
        for measure, v in (("issued", issued), ("implemented", done), ("closed", closed), ("outstanding", left)):
            out.append((body, first, end, category, measure, v, "", "cumulative", "Annex III", "false", SG11))

    oios = [("2010", "2017"), ("2018", "2018"), ("2019-01-01", "2020-06-30"), ("2020-07-01", "2021-06-30")]
    annex("OIOS", "all", oios, [7276, 953, 1052, 1136], [88, 87, 89, 92], ("12075", "10417", "722", "936"))
    annex("OIOS", "critical", oios, [1087, 17, 20, 15], [98, 97, 98, 99], ("1202", "1139", "49", "14"))
    boa = [("2010", "2011"), ("2012", "2013")] + [(str(y), str(y)) for y in range(2014, 2021)]
    annex("BOA", "volume-I", boa, [42, 37, 5, 6, 17, 31, 13, 49, 96], [64, 86, 74, 68, 63, 64, 54, 58, 66],
          ("662", "296", "77", "289"))
    annex("BOA", "volume-II", boa, [179, 95, 76, 45, 39, 34, 57, 24, 42], [95, 98, 96, 93, 96, 94, 93, 90, 91],
          ("735", "591", "55", "89"))

    def para(body, start, end, category, n, issued, done, rate, left):
        # "已执行或不再执行" (implemented or no longer applicable): implemented-or-closed, not Annex III's "已执行"
        where = f"paragraph {n}"
        out.extend([(body, start, end, category, "issued", issued, "", "period", where, "false", SG11),
                    (body, start, end, category, "implemented-or-closed", done, "", "period", where, "false", SG11),
                    (body, start, end, category, "implemented-or-closed", "", rate, "period", where, "false", SG11),
                    (body, start, end, category, "outstanding", left, "", "period", where, "false", SG11)])

    # para. 90 (a), (b): January 2010 to June 2021, compared with January 2010 to June 2020 (the critical ones'
    # 97 % of 2020 is the paragraph's; Annex III prints 98 for the same period: two figures, two locations)
    para("OIOS", "2010", "2021-06-30", "all", 90, "12075", "11139", "92.2", "936")
    para("OIOS", "2010", "2020-06-30", "all", 90, "11179", "10003", "89.5", "1176")
    para("OIOS", "2010", "2021-06-30", "critical", 90, "1202", "1188", "99", "14")
    para("OIOS", "2010", "2020-06-30", "critical", 90, "1195", "1159", "97", "36")
    # para. 91: volumes I and II together, 2010-2020
    para("BOA", "2010", "2020", "volumes-I-II", 91, "1397", "1019", "73", "378")
    # para. 92: the Secretariat's acceptance rate ("接受建议率") and the implementation rate of accepted ones
    out += [
        ("JIU", "2011", "2020", "all", "accepted", "", "62.2", "period", "paragraph 92", "false", SG11),
        ("JIU", "2011", "2020", "accepted", "implemented", "", "85.5", "period", "paragraph 92", "false", SG11),
        ("JIU", "2010", "2019", "all", "accepted", "", "66.8", "period", "paragraph 92", "false", SG11),
        ("JIU", "2010", "2019", "accepted", "implemented", "", "85.9", "period", "paragraph 92", "false", SG11),
    ]
    return out


def test_corpus_implementation_rates(corpus):
    r = run(corpus, "implementation-rates")
    assert r.variables == ["body", "periodStart", "periodEnd", "category", "measure", "count", "rate", "scope",
                           "location", "periodInferred", "source"]
    expected = _rates_expected()
    assert len(expected) == 92
    assert sorted(rows(r)) == sorted(expected)
    assert rows(run(corpus, "implementation-rates", body="jiu")) == [x for x in rows(r) if x[0] == "JIU"]


# A/76/644 Annex I: agenda item, resolution (as its undocs.org link names it: 75/242 A is A/RES/75/242,
# 75/253 A is A/RES/75/253), the reports submitted ('' where a row names none: "not requested",
# "to be submitted", a budget proposal without a symbol)
RESOLUTIONS = [
    ("169", "A/RES/74/261", [""]), ("169", "A/RES/74/261B", [""]), ("169", "A/RES/74/261C", [""]),
    ("145", "A/RES/75/2", ["A/76/383"]),
    ("138", "A/RES/75/242", ["A/76/307", "A/76/307/Add.1"]), ("138", "A/RES/75/242B", [""]),
    ("142", "A/RES/75/243", ["A/75/6/Add.1"]), ("144", "A/RES/75/244", ["A/76/80"]),
    ("148", "A/RES/75/245B", [""]),
    ("151", "A/RES/75/247", ["A/75/301(PartII)", "A/76/281(PartI)", "A/76/281(PartI)/Add.1"]),
    ("152", "A/RES/75/248", ["A/76/99"]), ("153", "A/RES/75/249", ["A/76/411"]),
    ("166 (b)", "A/RES/75/250", [""]), ("141", "A/RES/75/252", [""]),
    ("141", "A/RES/75/253", ["", "A/75/556", "A/76/303", "A/76/308", "A/76/313", "A/76/323", "A/76/329",
                             "A/76/330", "A/76/331", "A/76/350", "A/76/386", "A/76/524", "A/76/593",
                             "A/76/6(Sect.11)", "A/76/6(Sect.13)"]
     + [f"A/76/6(Sect.3)/Add.{i}" for i in range(1, 8)] + ["A/76/6(Sect.4)", "A/C.5/76/22"]),
    ("141", "A/RES/75/253B", ["", "A/76/340", "A/76/400", "A/76/400/Corr.1", "A/76/522", "A/76/6(Sect.2)"]),
    ("141", "A/RES/75/253C", [""]),
    ("141", "A/RES/75/254", ["A/76/6(Introduction)"]), ("141", "A/RES/75/254B", ["A/76/6(Introduction)"]),
    ("141", "A/RES/75/254C", ["A/76/6(Introduction)"]),
    ("141", "A/RES/75/255", [""]), ("141", "A/RES/75/256", [""]), ("147", "A/RES/75/270", [""]),
    ("146", "A/RES/75/292", [""]),
    ("154", "A/RES/75/293", [""]), ("154", "A/RES/75/294", [""]), ("154", "A/RES/75/295", [""]),
    ("154", "A/RES/75/296", [""]), ("155", "A/RES/75/297", [""]), ("156", "A/RES/75/298", [""]),
    ("158", "A/RES/75/299", [""]), ("159", "A/RES/75/300", [""]), ("163", "A/RES/75/301", [""]),
    ("165", "A/RES/75/302", [""]), ("166 (a)", "A/RES/75/303", [""]), ("167", "A/RES/75/304", [""]),
    ("168", "A/RES/75/305", [""]), ("170", "A/RES/75/306", [""]),
]


def test_corpus_resolutions_covered(corpus):
    expected = sorted((SG11, res, item, doc) for item, res, docs in RESOLUTIONS for doc in docs)
    assert len(expected) == 69
    assert sorted(rows(run(corpus, "resolutions-covered", report=SG11))) == expected
    assert rows(run(corpus, "resolutions-covered", report=PBC38_SRC)) == []


def test_corpus_documents_citing(corpus):
    """Resolution 70/255 is cited (in its summary) only by A/76/644, 64/289 only by the CEB overview
    (which carries no symbol of its own in the text, so has a provisional one); neither text gives its date."""
    assert rows(run(corpus, "documents-citing", cited="A/RES/70/255")) == [
        (SG11, "sg-report", "", "A/RES/70/255")]
    assert rows(run(corpus, "documents-citing", cited="A/RES/64/289")) == [
        ("JIUKG-PROVISIONAL/CEB-AOR/2022", "ceb-annual-overview", "", "A/RES/64/289")]
    assert rows(run(corpus, "documents-citing", cited="A/RES/99/999")) == []


ORG = "https://w3id.org/jiukg/id/org/"
UNSPECIFIED = "https://w3id.org/jiukg/ontology#UnspecifiedInterAgencyMechanism"
# The CEB machinery (data/reference/organizations.ttl) placed only as a source says: name (English
# acronym, else English label), kind, part of. CEB overview 2022 para. 2 (l. 58): the CEB's subsidiary
# mechanisms are the HLCM and the HLCP; no document puts the UNSDG, the DTN, the Legal Network, the
# CCS-UNS, the OSH Forum or the treasury working group under anything; A/80/263/Add.1 para. 7
# (l. 90-94): "相互承认同业交流群及其倡导者网络" — the champions network is the community of practice's own,
# and both are informal groups (这些非正式小组) with no parent named.
MECHANISMS = [
    ("BIG", "InterAgencyMechanism", "UNSDG"), ("CCS-UNS", "InterAgencyMechanism", ""),
    ("CEB", "InterAgencyMechanism", ""),
    ("CEB Task Force on Addressing Sexual Harassment within the Organizations of the United Nations System",
     "TaskForce", "CEB"),
    ("DTN", "Network", ""), ("DTN Cloud Computing Community of Practice", "CommunityOfPractice", "HLCM-DTN"),
    ("FBN", "Network", "HLCM"), ("HLCM", "HighLevelCommittee", "CEB"),
    ("HLCM Cross-Functional Task Force on Diversity, Equity and Inclusion", "TaskForce", "HLCM"),
    ("HLCM Occupational Safety and Health Forum", "InterAgencyMechanism", ""),
    ("HLCM Risk Management Forum", "InterAgencyMechanism", "HLCM"), ("HLCP", "HighLevelCommittee", "CEB"),
    ("HLCP Strategic Foresight Network", "Network", "HLCP"), ("HLCP Task Team on Inequalities", "TaskForce", "HLCP"),
    ("HR Network", "Network", "HLCM"), ("IASG", "InterAgencyMechanism", ""), ("IAWG-AI", "TaskForce", "HLCP"),
    ("Mutual Recognition Champions Network", "Network", "MR-COP"),
    ("Mutual Recognition Community of Practice", "CommunityOfPractice", ""),
    ("Network of Focal Points on Multilingualism", "Network", ""), ("PN", "Network", "HLCM"),
    ("Task Force on Accounting Standards", "TaskForce", "HLCM"),
    ("Task Force on the Future of the United Nations System Workforce", "TaskForce", "CEB"),
    ("UNSDG", "InterAgencyMechanism", ""), ("UNSDG Task Team on Mutual Recognition", "TaskForce", "UNSDG"),
    ("United Nations System Legal Network", "Network", ""),
    ("United Nations System Workplace Mental Health and Well-being Strategy Implementation Board",
     "InterAgencyMechanism", ""),
    ("Working Group on Common Treasury Services", "InterAgencyMechanism", ""),
    ("unspecified inter-agency mechanism", "InterAgencyMechanism", ""),
]
U = "unspecified inter-agency mechanism"
# What the documents tie to a mechanism: WIPO's assessments defer (deferredTo, by organisation and
# report: WO/PBC/38/2, and WO/PBC/35/2 for JIU/REP/2019/8, md l. 234 "将在首协会的框架内考虑"); the
# phrase names the mechanism or none (WO/PBC/38/2 l. 984 and 1015: "通过机构间机制")
DEFERRED = [("CEB", "JIU/NOTE/2022/1/Rev.1", "1", "WO-PBC-38-2"), ("CEB", "JIU/NOTE/2022/1/Rev.1", "4", "WO-PBC-38-2"),
            ("CEB", "JIU/REP/2019/8", "4", "WO-PBC-35-2"), (U, "JIU/REP/2023/3", "4", "WO-PBC-38-2"),
            (U, "JIU/REP/2023/3", "5", "WO-PBC-38-2"), ("CEB", "JIU/REP/2024/2", "3", "WO-PBC-38-2"),
            ("CEB", "JIU/REP/2024/3", "1", "WO-PBC-38-2"), ("HR Network", "JIU/REP/2023/8", "7", "WO-PBC-38-2")]
# recommendation texts to be carried out through the CEB, or "through the relevant / appropriate
# inter-agency mechanisms" (WO/PBC/35/2 md l. 187 "通过相关机构间机制"; WO/PBC/38/2 l. 972 "通过适当机构间机制")
THROUGH = [("CEB", rep, rec) for rep, rec in [
    ("JIU/NOTE/2022/1/Rev.1", "1"), ("JIU/NOTE/2022/1/Rev.1", "4"),
    ("JIU/REP/2023/8", "7"), ("JIU/REP/2024/2", "3"), ("JIU/REP/2024/3", "1"), ("JIU/REP/2024/3", "2"),
    ("JIU/REP/2024/4", "2")]] + [(U, "JIU/REP/2020/8", "8"), (U, "JIU/REP/2023/3", "4")]
# Mechanisms a text names (namesMechanism): (name, report, rec, organization: WIPO for an assessment,
# CEB for a comment, '' for the recommendation's own text, pointer)
_C2 = "JIU/REP/2024/4/ceb-comment/rec/2/A-80-263-Add.1"
NAMED = [
    # recommendation texts
    ("CEB", "JIU/NOTE/2022/1/Rev.1", "1", "", "JIU/NOTE/2022/1/Rev.1/rec/1"),  # PBC/38 l. 1067 在首协会的框架内
    ("CEB", "JIU/NOTE/2022/1/Rev.1", "4", "", "JIU/NOTE/2022/1/Rev.1/rec/4"),  # l. 1142 作为首协会成员
    ("CEB", "JIU/REP/2023/8", "7", "", "JIU/REP/2023/8/rec/7"),  # l. 775 作为…（首协会）的成员
    ("HR Network", "JIU/REP/2023/8", "7", "", "JIU/REP/2023/8/rec/7"),  # l. 775 管理问题高级别委员会人力资源网
    ("CEB", "JIU/REP/2024/2", "3", "", "JIU/REP/2024/2/rec/3"),  # l. 562
    ("CEB", "JIU/REP/2024/3", "1", "", "JIU/REP/2024/3/rec/1"),  # l. 531
    ("CEB", "JIU/REP/2024/3", "2", "", "JIU/REP/2024/3/rec/2"),  # l. 170
    ("CEB", "JIU/REP/2024/4", "2", "", "JIU/REP/2024/4/rec/2"),  # PBC/38 l. 475; note l. 68
    ("Mutual Recognition Community of Practice", "JIU/REP/2024/4", "2", "", "JIU/REP/2024/4/rec/2"),  # 相互承认做法社区 / 同业交流群
    ("Mutual Recognition Champions Network", "JIU/REP/2024/4", "2", "", "JIU/REP/2024/4/rec/2"),  # 相互承认倡导者网络
    ("HLCM", "JIU/REP/2024/4", "4", "", "JIU/REP/2024/4/rec/4"),  # note l. 175 管理问题高级别委员会网络准则
    ("UNSDG", "JIU/REP/2020/2", "3", "", "JIU/REP/2020/2/rec/3"),  # PBC/35 md l. 212 与联合国可持续发展集团协商
    # WIPO's assessments
    ("CEB", "JIU/NOTE/2022/1/Rev.1", "1", "WIPO", "JIU/NOTE/2022/1/Rev.1/rec/1/status/WIPO/WO-PBC-38-2"),
    ("CEB", "JIU/NOTE/2022/1/Rev.1", "4", "WIPO", "JIU/NOTE/2022/1/Rev.1/rec/4/status/WIPO/WO-PBC-38-2"),
    ("CEB", "JIU/REP/2019/8", "4", "WIPO", "JIU/REP/2019/8/rec/4/status/WIPO/WO-PBC-35-2"),
    ("CEB", "JIU/REP/2024/2", "3", "WIPO", "JIU/REP/2024/2/rec/3/status/WIPO/WO-PBC-38-2"),
    ("CEB", "JIU/REP/2024/3", "1", "WIPO", "JIU/REP/2024/3/rec/1/status/WIPO/WO-PBC-38-2"),
    ("HR Network", "JIU/REP/2023/8", "7", "WIPO", "JIU/REP/2023/8/rec/7/status/WIPO/WO-PBC-38-2"),  # l. 789
    # PBC/38 l. 1037 数字与技术网络（DTN）云计算实践社区; PBC/35 md l. 244 数字和技术网（DTN）云采用分组
    ("DTN", "JIU/REP/2019/5", "1", "WIPO", "JIU/REP/2019/5/rec/1/status/WIPO/WO-PBC-38-2"),
    ("DTN Cloud Computing Community of Practice", "JIU/REP/2019/5", "1", "WIPO",
     "JIU/REP/2019/5/rec/1/status/WIPO/WO-PBC-38-2"),
    ("DTN Cloud Computing Community of Practice", "JIU/REP/2019/5", "1", "WIPO",
     "JIU/REP/2019/5/rec/1/status/WIPO/WO-PBC-35-2"),
    ("UNSDG", "JIU/REP/2020/2", "3", "WIPO", "JIU/REP/2020/2/rec/3/status/WIPO/WO-PBC-35-2"),  # md l. 213
    # the CEB's comments (A/80/263/Add.1 paras 6, 7, 9, 10 on rec. 2; para. 17 on rec. 4)
    ("CEB", "JIU/REP/2024/4", "2", "CEB", _C2),
    ("Mutual Recognition Community of Practice", "JIU/REP/2024/4", "2", "CEB", _C2),
    ("HLCM", "JIU/REP/2024/4", "2", "CEB", _C2), ("UNSDG", "JIU/REP/2024/4", "2", "CEB", _C2),
    ("BIG", "JIU/REP/2024/4", "2", "CEB", _C2),
    ("United Nations System Legal Network", "JIU/REP/2024/4", "2", "CEB", _C2),
    # para. 17 "秘书处确认，驻地协调员在业务创新小组的指导下": the Secretariat's own paragraph, not the CEB's
    ("BIG", "JIU/REP/2024/4", "4", "Secretariat", "JIU/REP/2024/4/ceb-comment/rec/4/A-80-263-Add.1/secretariat/17"),
]


def test_corpus_mechanisms(corpus):
    r = run(corpus, "mechanisms")
    doc = BASE + "id/doc/"
    got = sorted((x[1], x[2], x[3].removeprefix(ORG), x[4], x[5], x[6], x[7], x[8].removeprefix(doc))
                 for x in rows(r))
    kinds = {name: (kind, part) for name, kind, part in MECHANISMS}
    linked = {name for name, *_ in DEFERRED + THROUGH + NAMED}
    expected = [(n, k, part, "", "", "", "", "") for n, (k, part) in kinds.items() if n not in linked]
    expected += [(n, *kinds[n], "deferredTo", rep, rec, "WIPO", f"{rep}/rec/{rec}/status/WIPO/{src}")
                 for n, rep, rec, src in DEFERRED]
    expected += [(n, *kinds[n], "toBeImplementedThrough", rep, rec, "", f"{rep}/rec/{rec}") for n, rep, rec in THROUGH]
    expected += [(n, *kinds[n], "namesMechanism", rep, rec, org, ptr) for n, rep, rec, org, ptr in NAMED]
    assert len(expected) == 64
    assert got == sorted(expected)
    assert {x[0] for x in rows(r)} == {UNSPECIFIED} | {ORG + m for m in (
        "UNSDG-BIG", "CCS-UNS", "CEB", "TF-SEXUAL-HARASSMENT", "HLCM-DTN", "DTN-CLOUD-COP", "HLCM-FB", "HLCM",
        "HLCM-DEI", "HLCM-OSH", "HLCM-RMF", "HLCP", "HLCP-SFN", "HLCP-INEQ", "HLCM-HR", "IASG", "HLCP-IAWG-AI",
        "MR-CHAMPIONS", "MR-COP", "MULTILINGUALISM-FPN", "HLCM-PN", "HLCM-TFAS", "TF-FUTURE-WORKFORCE", "UNSDG",
        "UNSDG-MR-TT", "HLCM-LN", "MHWB-IB", "HLCM-FB-CTS")}
    hr = rows(run(corpus, "mechanisms", mechanism="HR Network"), "name", "via", "report", "rec", "organization")
    assert hr == [("HR Network", "deferredTo", "JIU/REP/2023/8", "7", "WIPO"),
                  ("HR Network", "namesMechanism", "JIU/REP/2023/8", "7", ""),
                  ("HR Network", "namesMechanism", "JIU/REP/2023/8", "7", "WIPO")]


def test_corpus_provenance(corpus):
    """The status statement on JIU/REP/2024/3 rec. 1 comes from its record in WO/PBC/38/2: from the
    report symbol heading the record to the assessment line; the text is those lines as they are."""
    lines = PBC38.read_text(encoding="utf-8").splitlines()
    end = next(i for i, line in enumerate(lines, 1) if CEB_PHRASE in line and i > 500)
    start = max(i for i, line in enumerate(lines[:end], 1) if line.strip() == "JIU/REP/2024/3")
    iri = str(status_iri("JIU/REP/2024/3", 1, "WIPO", PBC38_SRC))
    r = rows(run(corpus, "provenance", resource=iri), "resource", "document", "startLine", "endLine", "text")
    assert r == [(iri, PBC38_SRC, str(start), str(end), "\n".join(lines[start - 1:end]))]
    assert (start, end) == (523, 543)


# --- the service routes ----------------------------------------------------------------

@pytest.fixture
def client(fx):
    from fastapi.testclient import TestClient

    from service.app import create_app

    with TestClient(create_app(fx)) as c:
        yield c


def test_service_lists_the_catalogue(client):
    r = client.get("/queries", headers={"Accept": "application/json"})
    assert r.status_code == 200
    items = r.json()
    assert len(items) >= 15 and items[0]["url"].endswith("/queries/" + items[0]["name"])
    flag = next(i for i in items if i["name"] == "ceb-deferrals")
    assert flag["params"][0] == {"name": "org", "type": "string", "default": "WIPO", "required": False,
                                 "description": flag["params"][0]["description"]}
    page = client.get("/queries", headers={"Accept": "text/html"})
    assert page.headers["content-type"].startswith("text/html")
    assert 'href="/queries/ceb-deferrals?org=WIPO&amp;format=html&amp;lang=en"' in page.text
    assert client.get("/queries?format=json").json() == items


def test_service_runs_a_query_in_each_format(client):
    r = client.get("/queries/ceb-deferrals", params={"org": "WIPO"})
    assert r.headers["content-type"].startswith("application/sparql-results+json")
    data = r.json()
    assert data["head"]["vars"] == ["report", "rec", "mechanism", "evidence", "asOf", "source"]
    assert [b["report"]["value"] for b in data["results"]["bindings"]] == [
        "JIU/NOTE/2022/1/Rev.1", "JIU/REP/2023/8", "JIU/REP/2024/3"]
    assert data["results"]["bindings"][0]["asOf"]["datatype"] == "http://www.w3.org/2001/XMLSchema#date"
    c = client.get("/queries/ceb-deferrals?org=WIPO", headers={"Accept": "text/csv"})
    assert c.headers["content-type"].startswith("text/csv")
    assert list(csv.reader(io.StringIO(c.text)))[1][:3] == ["JIU/NOTE/2022/1/Rev.1", "4", "CEB"]
    assert client.get("/queries/ceb-deferrals?org=WIPO&format=csv").text == c.text
    h = client.get("/queries/mechanisms?mechanism=HR%20Network", headers={"Accept": "text/html"})
    assert h.status_code == 200 and "<table" in h.text
    # IRI cells link to where this service serves them
    assert 'href="/id/org/HLCM"' in h.text  # a path: never built from the Host header


def test_service_errors(client, fx):
    assert client.get("/queries/no-such-query").status_code == 404
    bad = client.get("/queries/status-history?report=JIU/REP/2020/7&rec=six")
    assert bad.status_code == 400 and "not an integer" in bad.text
    assert client.get("/queries/ceb-deferrals?colour=red").status_code == 400
    assert client.get("/queries/provenance", params={"resource": "https://x/a>b"}).status_code == 400
    before = fx.export("nquads")
    r = client.get("/queries/ceb-deferrals", params={"org": 'WIPO" } ; DROP ALL ; #'})
    assert r.status_code == 400 and "no organisation" in r.text and "ILO, WIPO" in r.text
    # unknown organisation, mechanism or report: 400 naming the known values
    r = client.get("/queries/ceb-deferrals", params={"org": "UNICEF"})
    assert r.status_code == 400 and "'UNICEF'" in r.text and "known: ILO, WIPO" in r.text
    r = client.get("/queries/mechanisms", params={"mechanism": "No Such Network"})
    assert r.status_code == 400 and "inter-agency mechanism" in r.text and "HLCM" in r.text
    r = client.get("/queries/status-history", params={"report": "JIU/REP/2099/1", "rec": "1"})
    assert r.status_code == 400 and "JIU/REP/2024/3" in r.text
    assert client.get("/queries/ceb-deferrals", params={"org": "wipo"}).status_code == 200
    html_page = client.get("/queries/ceb-deferrals", params={"org": "<script>x</script>", "format": "html"})
    assert "<script>x</script>" not in html_page.text
    assert fx.export("nquads") == before
    assert client.get("/queries/ceb-deferrals?format=xml").status_code == 400


def test_json_results_are_sparql_json(fx):
    data = catalogue.to_json(run(fx, "provenance", resource="id/doc/JIU/REP/2024/3/rec/1/status/WIPO/WO-PBC-38-2"))
    b = data["results"]["bindings"][0]
    assert b["resource"]["type"] == "uri" and b["text"]["xml:lang"] == "zh"
    assert json.loads(json.dumps(data)) == data


def test_page_options_are_not_query_parameters(tmp_path):
    """?lang= and ?format= choose the page; they never reach the query (and no query may declare them)."""
    from jiukg.catalogue import CatalogueError, parse_query

    with pytest.raises(CatalogueError, match="reserved"):
        parse_query("# title: t\n# param: lang | string | en | no\nSELECT * WHERE { ?s ?p ?o }", "bad")
