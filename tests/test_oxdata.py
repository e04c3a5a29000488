"""The engine reading its data from a pyoxigraph store (validation.oxdata): same terms, same report."""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from jiukg.namespaces import JIU
from jiukg.store.terms import from_ox, to_ox
from jiukg.validation import validate_graph
from jiukg.validation.oxdata import StoreData


def _tricky() -> list:
    s = URIRef("https://example.org/s")
    return [
        Literal('quote " backslash \\ tab \t newline \n return \r'),
        Literal("中文 ünïcödé \U0001F600", lang="zh"),
        Literal("en-GB text", lang="en-gb"),
        Literal("42", datatype=XSD.integer), Literal("-0.5", datatype=XSD.decimal),
        Literal("1.5E3", datatype=XSD.double), Literal("true", datatype=XSD.boolean),
        Literal("none", datatype=XSD.boolean), Literal("2024-02-30", datatype=XSD.date),
        Literal("1990", datatype=XSD.gYear), URIRef("https://example.org/a?b=c#d"), BNode("b0"), s,
    ]


def test_terms_read_as_tsv_are_the_terms_pyoxigraph_gives():
    store = ox.Store()
    p = ox.NamedNode("https://example.org/p")
    for i, t in enumerate(_tricky()):
        store.add(ox.Quad(ox.NamedNode(f"https://example.org/s{i}"), p, to_ox(t)))
    data = StoreData(store)
    got = dict(data.subject_objects(URIRef("https://example.org/p")))
    want = {from_ox(q.subject): from_ox(q.object) for q in store.quads_for_pattern(None, p, None, None)}
    assert got == want and len(got) == len(_tricky())
    for k, v in want.items():  # equal as terms, with the same lexical form, datatype and language
        assert (str(got[k]), getattr(got[k], "datatype", None), getattr(got[k], "language", None)) == \
            (str(v), getattr(v, "datatype", None), getattr(v, "language", None))


def test_a_store_gives_the_report_an_rdflib_graph_gives():
    """A recommendation breaking several shapes (a Core constraint and a SPARQL one among them)."""
    g = Graph()
    rec = URIRef("https://w3id.org/jiukg/id/doc/JIU/REP/2099/1/rec/1")
    g.add((rec, RDF.type, JIU.Recommendation))
    g.add((rec, JIU.recommendationNumber, Literal("one", datatype=XSD.integer)))
    g.add((rec, JIU.recommendationText, Literal("text", lang="en")))
    store = ox.Store()
    store.extend(ox.Quad(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in g)
    a = validate_graph(g)
    b = validate_graph(StoreData(store))
    assert {str(r.component).rsplit("#", 1)[1] for r in a.results} >= {
        "DatatypeConstraintComponent", "MinInclusiveConstraintComponent", "SPARQLConstraintComponent"}
    assert sorted(r.key() for r in a.results) == sorted(r.key() for r in b.results)
    assert b.triples == a.triples
