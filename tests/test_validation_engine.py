"""Regression tests of the validation engines, each named after what it guards (the W3C suite,
tests/test_w3c_shacl.py, covers SHACL itself)."""

from __future__ import annotations

import json

import pytest
from rdflib import Graph, Literal, URIRef

from jiukg.namespaces import SH
from jiukg.validation import ENGINES, Shapes, ShapesError, handover_reasons, render, validate_graph

PREFIXES = """@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <https://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
"""
EX = "https://example.org/"


def shapes(text: str) -> Shapes:
    return Shapes(Graph().parse(data=PREFIXES + text, format="turtle"))


def data(text: str) -> Graph:
    return Graph().parse(data=PREFIXES + text, format="turtle")


@pytest.mark.parametrize("engine", ENGINES)
def test_custom_severity_is_kept_and_every_format_renders(engine):
    sh = shapes("ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:severity ex:Minor ; "
                "sh:property [ sh:path ex:p ; sh:minCount 1 ; sh:severity ex:Minor ] .")
    report = validate_graph(data("ex:a ex:q 1 ."), shapes=sh, engine=engine)
    [r] = report.results
    assert r.severity_iri == URIRef(EX + "Minor") and r.standard_severity == "Info"
    assert report.conforms and not report.shacl_conforms  # a custom severity never refuses data
    g = report.graph()
    assert (None, SH.resultSeverity, URIRef(EX + "Minor")) in g
    doc = json.loads(render(report, "json"))
    assert doc["results"][0]["severity"] == EX + "Minor" and doc["summary"]["infos"] == 1
    assert "Minor" in render(report, "table")


@pytest.mark.parametrize("engine", ENGINES)
def test_ill_typed_boolean_rewritten_by_rdflib_is_still_ill_typed(engine):
    """rdflib parses "none"^^xsd:boolean to the text "false"; the value is still not a boolean."""
    sh = shapes("ex:S a sh:NodeShape ; sh:targetSubjectsOf ex:flag ; "
                "sh:property [ sh:path ex:flag ; sh:datatype xsd:boolean ] .")
    d = data('ex:a ex:flag "none"^^xsd:boolean . ex:b ex:flag "true"^^xsd:boolean .')
    report = validate_graph(d, shapes=sh, engine=engine)
    assert [(r.focus, r.component) for r in report.results] == [(URIRef(EX + "a"), SH.DatatypeConstraintComponent)]


def test_handover_is_decided_from_the_whole_shapes_graph_before_validation():
    """A shape the compiled engine does not implement, even one no data reaches, sends all to pyshacl."""
    sh = shapes("ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:property [ sh:path ex:p ; sh:minCount 1 ] . "
                "ex:T a sh:NodeShape ; sh:targetClass ex:Nothing ; sh:closed true .")
    assert handover_reasons(sh) == ["<https://example.org/T> uses sh:closed"]
    report = validate_graph(data("ex:a ex:q 1 ."), shapes=sh)
    assert report.engine.startswith("pyshacl (hand-over: <https://example.org/T> uses sh:closed")
    assert [r.component for r in report.results] == [SH.MinCountConstraintComponent]


def test_sparql_on_a_target_node_shape_reports_only_its_target():
    sh = shapes('ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:sparql [ sh:select """'
                'SELECT $this WHERE { $this <https://example.org/p> ?x }""" ] .')
    report = validate_graph(data("ex:a ex:p 1 . ex:b ex:p 2 ."), shapes=sh)
    assert [(r.focus, r.value) for r in report.results] == [(URIRef(EX + "a"), URIRef(EX + "a"))]


def test_sparql_constraint_of_a_property_shape_gets_path_and_its_own_targets():
    sh = shapes('ex:P a sh:PropertyShape ; sh:targetSubjectsOf ex:p ; sh:path ex:p ; sh:sparql [ sh:select """'
                'SELECT $this ?value WHERE { $this $PATH ?value FILTER (?value > 1) }""" ] .')
    report = validate_graph(data("ex:a ex:p 1 . ex:b ex:p 2 ."), shapes=sh)
    assert [(r.focus, r.path, r.value) for r in report.results] == [
        (URIRef(EX + "b"), URIRef(EX + "p"), Literal(2))]


@pytest.mark.parametrize("query", [
    "SELECT $this WHERE { $this ?p ?o MINUS { $this ?p 1 } }",
    "SELECT $this WHERE { VALUES ?o { 1 } $this ?p ?o }",
    "SELECT $this WHERE { SERVICE <http://127.0.0.1:9/sparql> { $this ?p ?o } }",
    "SELECT $this WHERE { BIND (1 AS $this) }",
    "SELECT $this WHERE { $this ?p ?o { SELECT ?o WHERE { ?s ?q ?o } } }",
])
@pytest.mark.parametrize("engine", ENGINES)
def test_queries_shacl_sparql_prohibits_are_refused_in_every_engine(query, engine):
    sh = shapes(f'ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:sparql [ sh:select """{query}""" ] .')
    with pytest.raises(ShapesError, match="5.2.1"):
        validate_graph(data("ex:a ex:p 1 ."), shapes=sh, engine=engine)


def test_project_sparql_results_carry_the_focus_node_as_value_when_the_query_binds_none(memory_store):
    """RecordHasPassage, ObservationMeasure and ProgressReportSession bind no ?value: SHACL-SPARQL
    (§5.3.2) makes the focus node the value."""
    from jiukg.namespaces import JIU
    from jiukg.validation import validate_write

    rec = URIRef("https://w3id.org/jiukg/id/doc/JIU/REP/2024/4/rec/1")
    g = Graph()
    g.add((rec, URIRef(str(JIU) + "recommendationNumber"), Literal(1)))
    g.add((rec, URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), JIU.Recommendation))
    report = validate_write(None, {URIRef("https://w3id.org/jiukg/graph/test"): g})
    passage = [r for r in report.results if str(r.source_shape).endswith("RecordHasPassageShape")]
    assert passage and all(r.value == rec for r in passage)
