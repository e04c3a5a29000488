"""The write gate across graphs: replacing one document's graph must not break, unseen,
the records of other graphs that depend on what it changes or removes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from jiukg import pipeline, validation
from jiukg.namespaces import GRAPH, ID, JIU, SH

DATA = Path(__file__).parent / "data" / "shapes"
REPORT, REPORT_V2, PROGRESS = DATA / "gate-report.ttl", DATA / "gate-report-v2.ttl", DATA / "gate-progress-report.ttl"
REP = ID["doc/JIU/REP/2024/4"]
REC2 = ID["doc/JIU/REP/2024/4/rec/2"]
ST = ID["doc/JIU/REP/2024/4/rec/2/status/WIPO/WO-PBC-38-2"]
JSH = "https://w3id.org/jiukg/shapes#"


def jiukg(*args) -> subprocess.CompletedProcess:
    import os

    env = {k: v for k, v in os.environ.items() if k != "JIUKG_STORE"}
    return subprocess.run([sys.executable, "-m", "jiukg.cli", *map(str, args)], capture_output=True, text=True,
                          check=False, timeout=300, env=env)


def export(store: Path) -> bytes:
    r = subprocess.run([sys.executable, "-m", "jiukg.cli", "export", "--format", "nquads", "--store", str(store)],
                       capture_output=True, timeout=300, check=False)
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_replacing_a_report_cannot_orphan_a_status_statement_of_another_graph(tmp_path):
    """The audit's reproduction: v2 of the report drops recommendation 2, which a progress
    report (another graph) has a status statement about. The load is refused, the report names
    the statement, its path and the severity, and the store is unchanged byte for byte."""
    store = tmp_path / "store"
    for f in (REPORT, PROGRESS):
        r = jiukg("load", f, "--store", store)
        assert r.returncode == 0, r.stdout + r.stderr
    before = export(store)
    assert str(REC2).encode() in before
    refused = jiukg("load", REPORT_V2, "--store", store)
    assert refused.returncode == 1, refused.stdout + refused.stderr
    err = refused.stderr
    assert "nothing was written" in err
    row = next(line for line in err.splitlines() if "jiu:aboutRecommendation" in line)
    heading = err.splitlines()[err.splitlines().index(row) - 1]
    assert heading.startswith("id/doc/JIU/REP/2024/4/rec/2/status/WIPO/WO-PBC-38-2")
    assert row.split()[0] == "Violation" and "id/doc/JIU/REP/2024/4/rec/2" in row
    assert export(store) == before
    ok = jiukg("validate", "--store", store)
    assert ok.returncode == 0 and "0 violations" in ok.stdout, ok.stdout + ok.stderr


@pytest.fixture
def loaded(memory_store):
    pipeline.load(memory_store, [REPORT, PROGRESS])
    return memory_store


def _graph_of(store, path: Path) -> dict[URIRef, Graph]:
    return pipeline.prepare(path).graphs


def test_gate_reports_the_dependent_record(loaded):
    """At the API: the result is on the other graph's statement, from the status shape's class rule."""
    report = validation.validate_write(loaded, _graph_of(loaded, REPORT_V2))
    assert not report.conforms
    found = [(r.focus, r.path, r.severity, r.shape, r.component) for r in report.results]
    assert (ST, JIU.aboutRecommendation, "Violation", URIRef(JSH + "StatusStatementShape"),
            SH.ClassConstraintComponent) in found
    with pytest.raises(pipeline.WriteRefused):
        pipeline.load(loaded, [REPORT_V2])
    assert (ST, JIU.aboutRecommendation, REC2) in loaded.graph(GRAPH["WO/PBC/38/2"])


def test_a_recommendation_still_described_elsewhere_is_checked_after_the_write(loaded, tmp_path):
    """A CEB note (third graph) also describes recommendation 2: dropping it from the report
    leaves a recommendation without text, which the gate reports (a warning: the write goes through)."""
    note = tmp_path / "note.ttl"
    note.write_text(f"""@base <https://w3id.org/jiukg/id/> .
@prefix jiu: <https://w3id.org/jiukg/ontology#> . @prefix prov: <http://www.w3.org/ns/prov#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> . @prefix dcterms: <http://purl.org/dc/terms/> .
@prefix dockind: <https://w3id.org/jiukg/vocab/document-kind/> .
<doc/A/80/263/Add.1> a jiu:CEBCommentsNote ; jiu:symbol "A/80/263/Add.1" ; dcterms:type dockind:ceb-comments-note ;
    dcterms:issued "2025-07-15"^^xsd:date ; jiu:sourceChecksum "{'1' * 64}" .
<{REC2}> a jiu:Recommendation ; jiu:inPublication <{REP}> ; jiu:recommendationNumber 2 ;
    prov:wasDerivedFrom <doc/A/80/263/Add.1/passage/L1-L1> .
<doc/A/80/263/Add.1/passage/L1-L1> a jiu:Passage ; jiu:passageText "建议 2"@zh ;
    jiu:startLine 1 ; jiu:endLine 1 ; jiu:startOffset 0 ; jiu:endOffset 4 ; prov:wasQuotedFrom <doc/A/80/263/Add.1> .
""", encoding="utf-8")
    assert pipeline.load(loaded, [note]).validation.results == []
    with pytest.raises(pipeline.WouldRemove):  # v2 drops recommendation 2's description: only on purpose
        pipeline.load(loaded, [REPORT_V2])
    summary = pipeline.load(loaded, [REPORT_V2], replace=True)  # accepted: the statement's recommendation is still one
    text = [(r.focus, r.path, r.severity, r.component) for r in summary.validation.results]
    assert text == [(REC2, JIU.recommendationText, "Warning", SH.MinCountConstraintComponent)]


def test_results_the_write_brings_on_other_graphs_are_reported(loaded):
    """A new deadline on recommendation 2, before the statement's date: the statement (another
    graph) now gets the 'past the deadline' note, and the gate says so."""
    graphs = _graph_of(loaded, REPORT)
    (g,) = graphs.values()
    g.add((REC2, JIU.deadline, Literal("2024-12-31", datatype=XSD.date)))
    report = validation.validate_write(loaded, graphs)
    assert report.conforms
    assert [(r.focus, r.severity, r.shape) for r in report.results] == \
        [(ST, "Info", URIRef(JSH + "StatusPastDeadlineShape"))]


def test_results_other_graphs_already_had_are_not_blamed_on_the_write(loaded):
    """The statement lacked its assessment before the write (a warning of the store): a new
    version of the report that touches recommendation 2 does not report it as its own."""
    pr = _graph_of(loaded, PROGRESS)
    (pg,) = pr.values()
    pg.remove((ST, JIU.managementAssessment, None))
    loaded.replace_graphs(pr)  # as if written before the shapes asked for it
    assert any(r.focus == ST for r in validation.validate_store(loaded).results)
    graphs = _graph_of(loaded, REPORT)
    (g,) = graphs.values()
    g.set((REC2, JIU.recommendationText, Literal("各组织的行政首长应拟定全面的操作准则。", lang="zh")))
    report = validation.validate_write(loaded, graphs)
    assert report.results == [], validation.render_text(report)


def test_gate_reads_the_neighbourhood_not_the_store(loaded):
    """Unrelated graphs stay out of the data the gate validates, however many there are."""
    alone = validation.validate_write(loaded, _graph_of(loaded, REPORT_V2))
    unrelated = {}
    for i in range(5):
        g = Graph()
        for j in range(200):
            x = URIRef(f"https://example.org/unrelated/{i}/{j}")
            g.add((x, RDF.type, URIRef("https://example.org/Thing")))
            g.add((x, URIRef("https://example.org/next"), URIRef(f"https://example.org/unrelated/{i}/{j + 1}")))
        unrelated[GRAPH[f"unrelated/{i}"]] = g
    loaded.replace_graphs(unrelated)
    among = validation.validate_write(loaded, _graph_of(loaded, REPORT_V2))
    assert among.triples == alone.triples
    assert [r.focus for r in among.results] == [r.focus for r in alone.results] == [ST]
