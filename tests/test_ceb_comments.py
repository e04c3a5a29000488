"""The loader of the Secretary-General's notes transmitting CEB comments on a JIU report.

Expected records (tests/expected/ceb_comments.json) were written by reading the
source text; the English and French fixtures prove that a new language needs
lexicon phrases, not code.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from rdflib import BNode, Literal
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, PROV, RDF

from jiukg.namespaces import JIU, comment_iri, concept, doc_iri, org_iri, rec_iri
from loaders.base import SourceText
from loaders.ceb_comments import CEBCommentsLoader
from loaders.text import clean

HERE = Path(__file__).parent
CORPUS_FILE = "sg-note-ceb-comments-jiu-rep-2024-4.zh.txt"
EXPECTED = json.loads((HERE / "expected" / "ceb_comments.json").read_text(encoding="utf-8"))
REPORT = "JIU/REP/2024/4"
NOTE = "A/80/263/Add.1"


@pytest.fixture(scope="module")
def source(corpus_dir) -> SourceText:
    return SourceText.from_file(corpus_dir / CORPUS_FILE)


@pytest.fixture(scope="module")
def loader() -> CEBCommentsLoader:
    return CEBCommentsLoader()


@pytest.fixture(scope="module")
def extraction(loader, source):
    return loader.load(source)


def _as_json(record) -> dict:
    return json.loads(json.dumps(dataclasses.asdict(record), default=str, ensure_ascii=False))


# --- recognition -------------------------------------------------------------

def test_recognises_the_note_and_rejects_everything_else(loader, corpus_dir, source):
    assert loader.recognise(source)
    others = [p for p in sorted(corpus_dir.iterdir()) if p.name not in (CORPUS_FILE, "README.md")]
    assert others, "the corpus should hold other documents"
    for p in others:
        assert not loader.recognise(SourceText.from_file(p)), p.name
    assert not loader.recognise(SourceText(""))
    assert not loader.recognise(SourceText("   \n\n  "))
    assert not loader.recognise(SourceText("lorem ipsum dolor sit amet\n" * 50))
    assert not loader.recognise(SourceText("建议 1\n\n5. 支持。\n秘书长的说明\n"))
    assert not loader.recognise(SourceText.from_file(HERE / "fixtures" / "ceb_overview.en.txt"))
    for name in ("ceb_overview.fr.txt", "sg_accountability.en.txt", "sg_accountability.fr.txt"):
        assert not loader.recognise(SourceText.from_file(HERE / "fixtures" / name)), name


def test_recognition_does_not_depend_on_the_file_name(loader, source):
    assert loader.recognise(SourceText(source.raw, name="anything.txt"))


# --- the records, every field ------------------------------------------------

@pytest.mark.parametrize("field", [k for k in EXPECTED if k not in ("_comment", "warnings", "records",
                                                                     "comments", "recommendations", "citations")])
def test_document_fields(extraction, field):
    got = _as_json(extraction.data)
    assert got[field] == EXPECTED[field]


@pytest.mark.parametrize("kind", ["comments", "recommendations", "citations"])
def test_records_match_the_expected_ones(extraction, kind):
    got = _as_json(extraction.data)[kind]
    want = EXPECTED[kind]
    assert len(got) == len(want), [r.get("number", r.get("symbol")) for r in got]
    for g, w in zip(got, want):
        for key in w:
            assert g[key] == w[key], f"{kind} {w.get('number', w.get('symbol'))}: {key}"
        assert set(g) == set(w), f"{kind}: unexpected fields {set(g) ^ set(w)}"


def test_every_field_is_expected(extraction):
    got = set(_as_json(extraction.data))
    assert got == set(EXPECTED) - {"_comment", "records"}


def test_record_counts(extraction):
    assert dict(extraction.records) == EXPECTED["records"]


def test_warnings(extraction):
    got = [(w.line, w.message) for w in extraction.warnings]
    assert len(got) == len(EXPECTED["warnings"]), got
    for want in EXPECTED["warnings"]:
        assert any(line == want["line"] and want["contains"] in msg for line, msg in got), want


# --- the graph -----------------------------------------------------------------

def test_comments_hang_on_the_shared_recommendation_iris(extraction):
    g = extraction.graph
    assert extraction.symbol == NOTE
    note = doc_iri(NOTE)
    for n in range(1, 6):
        c = comment_iri(REPORT, n, NOTE)
        # the same IRI a WIPO progress report mints for the recommendation
        assert (c, JIU.commentOn, rec_iri(REPORT, n)) in g
        assert str(rec_iri(REPORT, n)).endswith("/id/doc/JIU/REP/2024/4/rec/%d" % n)
        assert (c, JIU.reportedIn, note) in g
        assert (c, RDF.type, JIU.CEBComment) in g
    general = comment_iri(REPORT, None, NOTE)
    assert (general, JIU.commentOn, doc_iri(REPORT)) in g
    stances = {n: g.value(comment_iri(REPORT, n, NOTE), JIU.stance) for n in [None, 1, 2, 3, 4, 5]}
    assert stances == {None: concept("stance", "supported"), 1: concept("stance", "divided"),
                       2: concept("stance", "partially-supported"), 3: concept("stance", "supported"),
                       4: concept("stance", "noted"), 5: concept("stance", "noted")}


def test_recommendation_two_goes_through_the_ceb(extraction):
    g = extraction.graph
    r2 = rec_iri(REPORT, 2)
    assert list(g.objects(r2, JIU.toBeImplementedThrough)) == [org_iri("CEB")]
    assert g.value(r2, JIU.implementationChannelEvidence) == Literal("通过联合国系统行政首长协调理事会", lang="zh")
    for n in (1, 3, 4, 5):
        assert (rec_iri(REPORT, n), JIU.toBeImplementedThrough, None) not in g
    assert g.value(r2, JIU.addresseeKind) == concept("addressee", "executive-head")
    assert g.value(rec_iri(REPORT, 4), JIU.addresseeKind) == concept("addressee", "secretary-general")
    assert g.value(rec_iri(REPORT, 5), JIU.addresseeKind) == concept("addressee", "legislative")
    assert str(g.value(r2, JIU.deadline)) == "2025-12-31"
    assert (rec_iri(REPORT, 1), JIU.inPublication, doc_iri(REPORT)) in g


def test_document_description(extraction):
    g = extraction.graph
    note = doc_iri(NOTE)
    assert (note, RDF.type, JIU.CEBCommentsNote) in g
    assert (note, DCTERMS.type, concept("document-kind", "ceb-comments-note")) in g
    assert (note, JIU.agendaItem, Literal("144")) in g
    session = g.value(note, JIU.session)
    assert g.value(session, JIU.sessionNumber).toPython() == 80
    assert g.value(session, JIU.sessionOf) == org_iri("UN-GA")
    assert (doc_iri(REPORT), JIU.circulatedAs, doc_iri("A/80/263")) in g
    assert set(g.objects(note, DCTERMS.references)) == {doc_iri(s) for s in (REPORT, "A/80/263", "A/80/150")}
    # no citation of the slip
    assert doc_iri("UNEP/REP/2024/4") not in set(g.all_nodes())


def test_every_record_has_an_exact_passage(extraction, source):
    g = extraction.graph
    records = set(g.subjects(RDF.type, JIU.CEBComment)) | set(g.subjects(RDF.type, JIU.Recommendation))
    assert len(records) == 11
    for r in records | set(g.objects(doc_iri(NOTE), DCTERMS.references)):
        passages = list(g.objects(r, PROV.wasDerivedFrom))
        assert passages, r
        for p in passages:
            start, end = g.value(p, JIU.startOffset).toPython(), g.value(p, JIU.endOffset).toPython()
            assert str(g.value(p, JIU.passageText)) == source.raw[start:end]
            assert g.value(p, PROV.wasQuotedFrom) == doc_iri(NOTE)
    # the comment text is the cleaned passage (footnote marks aside)
    c1 = comment_iri(REPORT, 1, NOTE)
    p = g.value(c1, PROV.wasDerivedFrom)
    assert clean(str(g.value(p, JIU.passageText))) == str(g.value(c1, JIU.commentText))
    assert str(g.value(c1, JIU.stanceEvidence)) in str(g.value(c1, JIU.commentText))


def test_the_slip_stays_in_the_passage(extraction):
    g = extraction.graph
    texts = [str(g.value(p, JIU.passageText)) for p in g.objects(doc_iri(REPORT), PROV.wasDerivedFrom)]
    assert any("(UNEP/REP/2024/4)" in t for t in texts)


def test_graph_is_deterministic_and_has_no_blank_nodes(loader, source, extraction):
    again = loader.load(SourceText(source.raw, name="other-name.txt"))
    assert isomorphic(again.graph, extraction.graph)
    assert set(again.graph) == set(extraction.graph)
    assert not any(isinstance(t, BNode) for triple in extraction.graph for t in triple)


def test_graph_passes_the_shapes(extraction):
    from jiukg.ontology import ontology_graph, reference_graph
    from jiukg.validation import validate_graph

    report = validate_graph(extraction.graph + ontology_graph() + reference_graph())
    assert report.conforms, report.summary()


# --- self-check ----------------------------------------------------------------

def test_missing_comment_is_reported_with_its_line(loader, source):
    lines = source.raw.split("\n")
    heading = next(i for i, l in enumerate(lines, 1) if l.strip() == "建议 3")
    nxt = next(i for i, l in enumerate(lines, 1) if l.strip() == "建议 4")
    # drop the comment paragraphs on recommendation 3, keep its quoted text
    first_para = next(i for i in range(heading, nxt) if lines[i - 1].strip().startswith("11."))
    cut = "\n".join(lines[: first_para - 1] + lines[nxt - 1:])
    note = loader.extract(SourceText(cut))
    fatal = [(w.line, w.message) for w in note.warnings if w.fatal]
    # a quoted recommendation without its comment: the copy is incomplete, the pipeline refuses it
    assert fatal == [(heading, "incomplete: recommendation 3 is quoted but no comment on it follows")]
    assert [c.number for c in note.comments] == [None, 1, 2, 4, 5]


# --- other languages: phrases, not code ------------------------------------------

@pytest.mark.parametrize("lang,stances,addressees", [
    ("en", [("supported", "organizations support"), ("divided", "Not all organizations support"),
            ("partially-supported", "partial support"),
            ("supported", "generally support the recommendation"),
            ("noted", "the recommendation is addressed to the Secretary-General")],
     ["executive-head", "executive-head", "executive-head", "secretary-general"]),
    ("fr", [("supported", "Dans l'ensemble, les organismes appuient"),
            ("divided", "Les organismes ne sont pas tous favorables"),
            ("partially-supported", "appui partiel"),
            ("noted", "cette recommandation s'adresse aux organes délibérants et directeurs")],
     ["executive-head", "executive-head", "legislative"]),
])
def test_fixture_in_another_language(loader, lang, stances, addressees):
    text = SourceText.from_file(HERE / "fixtures" / f"ceb_comments.{lang}.txt")
    assert loader.recognise(text)
    x = loader.load(text)
    note = x.data
    assert note.lang == lang
    assert (note.report, note.circulated_as, note.symbol) == (REPORT, "A/80/263", NOTE)
    assert note.session == 80 and note.session_body == str(org_iri("UN-GA"))
    assert note.agenda_item == "144"
    assert [(c.stance, c.stance_evidence) for c in note.comments] == stances
    assert [r.addressee for r in note.recommendations] == addressees
    assert [str(r.deadline) for r in note.recommendations][:2] == ["2026-12-31", "2025-12-31"]
    r2 = note.recommendations[1]
    assert r2.channel == [str(org_iri("CEB"))]
    assert r2.channel_evidence and all(e in r2.text for e in r2.channel_evidence)
    assert x.records["ceb-comment"] == len(stances) and x.records["recommendation"] == len(addressees)
    # comment text keeps page-broken paragraphs whole, without the footnotes
    assert all("Circulated" not in c.text and "Distribué" not in c.text for c in note.comments)
    g = x.graph
    assert g.value(comment_iri(REPORT, 2, NOTE), JIU.commentText).language == lang
    assert {str(s) for s in g.objects(doc_iri(NOTE), DCTERMS.references)} == {
        str(doc_iri(s)) for s in (REPORT, "A/80/263", "A/80/150")}
