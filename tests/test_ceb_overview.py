"""The loader of the CEB annual overview report: mechanisms, the JIU passages, citations.

Expected records (tests/expected/ceb_overview.json) were written by reading the
source text; the English fixture proves that a new language needs lexicon
phrases, not code.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from rdflib import BNode, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, ORG, PROV, RDF, RDFS, SKOS
from rdflib.namespace import TIME as _TIME

from jiukg.namespaces import JIU, concept, doc_iri, org_iri
from jiukg.ontology import reference_graph, subclasses
from loaders.base import SourceText
from loaders.ceb_overview import CEBOverviewLoader

HERE = Path(__file__).parent
CORPUS_FILE = "ceb-annual-overview-2022.zh.txt"
EXPECTED = json.loads((HERE / "expected" / "ceb_overview.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def source(corpus_dir) -> SourceText:
    return SourceText.from_file(corpus_dir / CORPUS_FILE)


@pytest.fixture(scope="module")
def loader() -> CEBOverviewLoader:
    return CEBOverviewLoader()


@pytest.fixture(scope="module")
def extraction(loader, source):
    return loader.load(source)


def _as_json(record) -> dict:
    d = json.loads(json.dumps(dataclasses.asdict(record), default=str, ensure_ascii=False))
    for m in d.get("mechanisms", []):  # line spans: checked against the graph below
        m.pop("passages"), m.pop("parent_passages")
    return d


# --- recognition -------------------------------------------------------------

def test_recognises_the_overview_and_rejects_everything_else(loader, corpus_dir, source):
    assert loader.recognise(source)
    others = [p for p in sorted(corpus_dir.iterdir()) if p.name not in (CORPUS_FILE, "README.md")]
    assert others
    for p in others:
        assert not loader.recognise(SourceText.from_file(p)), p.name
    assert not loader.recognise(SourceText(""))
    assert not loader.recognise(SourceText("\n \n"))
    assert not loader.recognise(SourceText("#@! 0x00 garbage ~~~\n" * 40))
    for lang in ("en", "fr"):
        assert not loader.recognise(SourceText.from_file(HERE / "fixtures" / f"ceb_comments.{lang}.txt"))
    for p in sorted((HERE / "fixtures").glob("*.txt")):  # every other kind's fixture, in every language
        assert loader.recognise(SourceText.from_file(p)) == p.name.startswith("ceb_overview."), p.name


def test_recognition_does_not_depend_on_the_file_name(loader, source):
    assert loader.recognise(SourceText(source.raw, name="x.pdf.txt"))


# --- the records, every field ------------------------------------------------

def test_every_field_is_expected(extraction):
    assert set(_as_json(extraction.data)) == set(EXPECTED) - {"_comment", "records"}


@pytest.mark.parametrize("field", [k for k in EXPECTED if k not in ("_comment", "warnings", "records",
                                                                     "mechanisms", "jiu", "citations")])
def test_document_fields(extraction, field):
    assert _as_json(extraction.data)[field] == EXPECTED[field]


@pytest.mark.parametrize("kind,key", [("mechanisms", "iri"), ("jiu", "paragraph"), ("citations", "symbol")])
def test_records_match_the_expected_ones(extraction, kind, key):
    got = _as_json(extraction.data)[kind]
    want = EXPECTED[kind]
    assert [g[key] for g in got] == [w[key] for w in want]
    for g, w in zip(got, want):
        assert g == w, f"{kind} {w[key]}: " + ", ".join(k for k in w if g.get(k) != w[k])


def test_record_counts(extraction):
    assert dict(extraction.records) == EXPECTED["records"]


def test_warnings(extraction):
    got = [(w.line, w.message) for w in extraction.warnings]
    assert len(got) == len(EXPECTED["warnings"]), got
    for want in EXPECTED["warnings"]:
        assert any(line == want["line"] and want["contains"] in msg for line, msg in got), want


# --- the reference data ----------------------------------------------------------

def test_every_mechanism_is_a_reference_resource_with_zh_and_en_labels(extraction):
    ref = reference_graph()
    kinds = subclasses(JIU.InterAgencyMechanism)
    for m in extraction.data.mechanisms:
        iri = URIRef(m.iri)
        assert any(t in kinds for t in ref.objects(iri, RDF.type)), m.iri
        langs = {l.language for l in ref.objects(iri, SKOS.prefLabel)}
        assert {"zh", "en"} <= langs, m.iri
        # what the text says it is part of agrees with the reference data
        # (directly, or through the reference's own parent)
        for p in m.parents:
            chain = set(ref.transitive_objects(iri, ORG.subOrganizationOf))
            assert URIRef(p) in chain, (m.iri, p)


# --- the graph -----------------------------------------------------------------

def test_mentions_have_passages_naming_the_mechanism(extraction, source):
    from loaders.ceb_common import load_lexicon, read_layout

    layout = read_layout(source, load_lexicon("ceb_overview", "zh"))
    g = extraction.graph
    labels = reference_graph()
    for m in extraction.data.mechanisms:
        iri = URIRef(m.iri)
        passages = set(g.objects(iri, PROV.wasDerivedFrom))
        assert len(passages) >= len(m.paragraphs), m.iri
        names = {str(o).casefold() for p in (SKOS.prefLabel, SKOS.altLabel, JIU.acronym) for o in labels.objects(iri, p)}
        for p in passages:
            start, end = g.value(p, JIU.startOffset).toPython(), g.value(p, JIU.endOffset).toPython()
            raw = str(g.value(p, JIU.passageText))
            assert raw == source.raw[start:end]
            # the passage spans page breaks exactly; its body text leaves out the
            # footnotes and links the extraction put in the middle
            s0, s1 = g.value(p, JIU.startLine).toPython(), g.value(p, JIU.endLine).toPython()
            body = " ".join(b.text for b in layout.blocks if s0 <= b.start_line and b.end_line <= s1)
            text = body.replace("安全首协会", "安全理事会").casefold()
            assert any(n in text for n in names), (m.iri, raw[:80])
        assert set(g.objects(iri, ORG.subOrganizationOf)) == {URIRef(p) for p in m.parents}


def test_document_description(extraction):
    g = extraction.graph
    d = doc_iri(EXPECTED["symbol"])
    assert (d, RDF.type, JIU.CEBAnnualOverview) in g
    assert (d, DCTERMS.type, concept("document-kind", "ceb-annual-overview")) in g
    assert (d, JIU.agendaItem, Literal("12 (a)")) in g
    assert (d, JIU.preparedBy, org_iri("CEB")) in g
    assert (d, JIU.submittedTo, org_iri("ECOSOC")) in g
    s = g.value(d, JIU.session)
    assert g.value(s, JIU.sessionNumber).toPython() == 2023
    assert g.value(s, JIU.sessionOf) == org_iri("ECOSOC")
    assert str(g.value(g.value(s, _TIME.hasBeginning), _TIME.inXSDDate)) == "2022-07-25"
    assert str(g.value(g.value(s, _TIME.hasEnd), _TIME.inXSDDate)) == "2023-07-26"


def test_citations_in_the_graph(extraction, source):
    g = extraction.graph
    d = doc_iri(EXPECTED["symbol"])
    refs = set(g.objects(d, DCTERMS.references))
    assert refs == {doc_iri(c["symbol"]) for c in EXPECTED["citations"]}
    res = doc_iri("A/RES/75/233")
    assert (res, RDF.type, JIU.Resolution) in g and (res, JIU.adoptedBy, org_iri("UN-GA")) in g
    assert (doc_iri("E/RES/2008(LX)"), JIU.adoptedBy, org_iri("ECOSOC")) in g
    assert (doc_iri("A/77/507"), RDF.type, JIU.Document) in g
    assert (doc_iri("A/77/507"), RDF.type, JIU.Resolution) not in g
    # the slip is read as the Security Council, while the passage keeps the raw text
    sc = doc_iri("S/RES/2388(2017)")
    raw = " ".join(str(g.value(p, JIU.passageText)) for p in g.objects(sc, PROV.wasDerivedFrom))
    assert "安全首" in raw and "2388(2017)" in raw


def test_jiu_passages(extraction):
    g = extraction.graph
    d = doc_iri(EXPECTED["symbol"])
    assert (d, DCTERMS.subject, org_iri("JIU")) in g
    ps = sorted((s for s in g.subjects(DCTERMS.subject, org_iri("JIU")) if s != d), key=str)
    assert len(ps) == 4
    summaries = {str(g.value(p, JIU.summary)) for p in ps}
    assert summaries == {j["text"] for j in EXPECTED["jiu"]}
    assert all(g.value(p, RDF.type) == JIU.Passage for p in ps)


def test_graph_is_deterministic_and_has_no_blank_nodes(loader, source, extraction):
    again = loader.load(SourceText(source.raw, name="renamed.txt"))
    assert isomorphic(again.graph, extraction.graph)
    assert not any(isinstance(t, BNode) for triple in extraction.graph for t in triple)


def test_graph_passes_the_shapes(extraction):
    from jiukg.ontology import ontology_graph
    from jiukg.validation import validate_graph

    report = validate_graph(extraction.graph + ontology_graph() + reference_graph())
    assert report.conforms, report.summary()


# --- another language: phrases, not code ---------------------------------------

def test_english_fixture(loader):
    text = SourceText.from_file(HERE / "fixtures" / "ceb_overview.en.txt")
    assert loader.recognise(text)
    x = loader.load(text)
    ov = x.data
    assert (ov.lang, ov.symbol, ov.symbol_printed, ov.year, ov.session, ov.agenda_item) == (
        "en", "E/2099/12", True, 2098, 2099, "12 (a)")
    assert (str(ov.session_start), str(ov.session_end)) == ("2098-07-26", "2099-07-23")
    mech = {m.iri.rsplit("/", 1)[1]: m for m in ov.mechanisms}
    assert set(mech) == {"CEB", "HLCM", "HLCP", "HLCM-FB", "HLCM-TFAS", "HLCP-IAWG-AI"}
    parents = {k: [p.rsplit("/", 1)[1] for p in m.parents] for k, m in mech.items()}
    assert parents == {"CEB": [], "HLCM": ["CEB"], "HLCP": ["CEB"], "HLCM-FB": ["HLCM"],
                       "HLCM-TFAS": ["HLCM"], "HLCP-IAWG-AI": ["HLCP"]}
    assert mech["HLCM"].paragraphs == ["2", "3"]
    assert [j.paragraph for j in ov.jiu] == ["5"]
    cited = {c.symbol: c.adopted_by and c.adopted_by.rsplit("/", 1)[1] for c in ov.citations}
    assert cited == {"E/RES/2008(LX)": "ECOSOC", "A/RES/64/289": "UN-GA", "A/RES/76/233": "UN-GA",
                     "A/RES/77/1": "UN-GA", "S/RES/2388(2017)": None, "A/77/507": None,
                     "E/RES/2097/15": "ECOSOC"}
    # a name the reference data lacks is reported, never minted
    assert [w.message.split("'")[1] for w in x.warnings] == ["Task Force on Ocean Data"]
    assert dict(x.records) == {"mechanism": 6, "jiu-cooperation": 1, "citation": 7}
    assert (doc_iri("E/2099/12"), RDFS.comment, None) not in x.graph


def test_french_fixture(loader):
    text = SourceText.from_file(HERE / "fixtures" / "ceb_overview.fr.txt")
    assert loader.recognise(text)
    x = loader.load(text)
    ov = x.data
    assert (ov.lang, ov.symbol, ov.symbol_printed, ov.year, ov.session, ov.agenda_item) == (
        "fr", "E/2099/12", True, 2098, 2099, "12 a)")
    assert ov.title == ("Rapport d'ensemble annuel du Conseil des chefs de secrétariat des organismes des Nations "
                        "Unies pour la coordination pour 2098")
    assert (str(ov.session_start), str(ov.session_end)) == ("2098-07-26", "2099-07-23")
    assert (ov.session_body, ov.prepared_by) == (str(org_iri("ECOSOC")), str(org_iri("CEB")))
    mech = {m.iri.rsplit("/", 1)[1]: m for m in ov.mechanisms}
    assert set(mech) == {"CEB", "HLCM", "HLCP", "UNSDG", "HLCM-FB", "HLCM-TFAS", "HLCP-IAWG-AI"}
    parents = {k: [p.rsplit("/", 1)[1] for p in m.parents] for k, m in mech.items()}
    # HLCM-FB: the parent named last inside the name ([mechanisms.parent] in_name);
    # the others: the sentence patterns ('…, par l'intermédiaire de son …', '… a créé une …')
    assert parents == {"CEB": [], "HLCM": ["CEB"], "HLCP": ["CEB"], "UNSDG": ["CEB"], "HLCM-FB": ["HLCM"],
                       "HLCM-TFAS": ["HLCM"], "HLCP-IAWG-AI": ["HLCP"]}
    assert mech["HLCM-FB"].names == ["Réseau Finances et budget du Comité de haut niveau sur la gestion"]
    assert mech["CEB"].names == ["Conseil des chefs de secrétariat des organismes des Nations Unies pour la coordination",
                                 "CCS"]
    assert mech["HLCM"].paragraphs == ["2", "3"]
    assert mech["HLCP"].paragraphs == ["2", "4"]
    assert [j.paragraph for j in ov.jiu] == ["5"]
    cited = {c.symbol: c.adopted_by and c.adopted_by.rsplit("/", 1)[1] for c in ov.citations}
    # 2008 (LX) needs the organ named before it (le Conseil économique et social dans sa résolution …)
    assert cited == {"E/RES/2008(LX)": "ECOSOC", "A/RES/64/289": "UN-GA", "A/RES/76/233": "UN-GA",
                     "A/RES/77/1": "UN-GA", "S/RES/2388(2017)": None, "A/77/507": None,
                     "E/RES/2097/15": "ECOSOC"}
    assert [w.message.split("'")[1] for w in x.warnings] == ["Équipe spéciale sur les données océaniques"]
    assert dict(x.records) == {"mechanism": 7, "jiu-cooperation": 1, "citation": 7}
    g = x.graph
    d = doc_iri("E/2099/12")
    assert (d, JIU.submittedTo, org_iri("ECOSOC")) in g and (d, JIU.agendaItem, Literal("12 a)")) in g
    assert (org_iri("HLCM-FB"), ORG.subOrganizationOf, org_iri("HLCM")) in g
    assert (d, DCTERMS.subject, org_iri("JIU")) in g
    assert not any(isinstance(t, BNode) for triple in g for t in triple)


def test_french_fixture_graph_passes_the_shapes(loader):
    from jiukg.ontology import ontology_graph
    from jiukg.validation import validate_graph

    x = loader.load(SourceText.from_file(HERE / "fixtures" / "ceb_overview.fr.txt"))
    report = validate_graph(x.graph + ontology_graph() + reference_graph())
    assert report.conforms, report.summary()


def test_parent_in_name_is_read_from_the_lexicon(loader):
    """Without the French in_name patterns, a name that states its parent last gives no parent:
    the rule is lexicon data, not code."""
    from loaders.ceb_common import load_lexicon
    from loaders.ceb_overview import DEFAULT_IN_NAME, _embedded_parent

    name, hlcm_fb = "Réseau Finances et budget du Comité de haut niveau sur la gestion", org_iri("HLCM-FB")
    assert _embedded_parent(name, hlcm_fb) is None
    assert _embedded_parent(name, hlcm_fb, DEFAULT_IN_NAME) is None
    fr = load_lexicon("ceb_overview", "fr")["mechanisms"]["parent"]["in_name"]
    assert _embedded_parent(name, hlcm_fb, fr) == org_iri("HLCM")
    assert _embedded_parent("HLCM Finance and Budget Network", hlcm_fb) == org_iri("HLCM")
    assert _embedded_parent("管理问题高级别委员会财务和预算网", hlcm_fb) == org_iri("HLCM")
