"""The SG accountability report loader against the real A/76/644 text and an English fixture."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from rdflib import BNode, Literal, URIRef
import rdflib.namespace as ns

from jiukg.namespaces import JIU, dataset_iri, doc_iri, followup_iri, observation_iri, org_iri, period_iri
from loaders.base import SourceText, UnrecognisedDocument
from loaders.sg_accountability import SGAccountabilityLoader

HERE = Path(__file__).parent
EXPECTED = json.loads((HERE / "expected" / "sg_accountability.json").read_text(encoding="utf-8"))
SYM = "A/76/644"


@pytest.fixture(scope="module")
def source(corpus_dir) -> SourceText:
    return SourceText.from_file(corpus_dir / "sg-accountability-report-11.zh.txt")


@pytest.fixture(scope="module")
def extraction(source):
    return SGAccountabilityLoader().load(source)


def as_expected(report) -> dict:
    """Every field of the report and of every record, as plain JSON (the warnings are checked on their own)."""
    d = dataclasses.asdict(report)
    d.pop("warnings")
    for o in d["observations"]:
        o["measures"] = {k: str(v) for k, v in o["measures"].items()}
    return json.loads(json.dumps(d, default=str, ensure_ascii=False))


def test_recognises_only_its_own_kind(corpus_dir):
    loader = SGAccountabilityLoader()
    verdicts = {p.name: loader.recognise(SourceText.from_file(p)) for p in sorted(corpus_dir.iterdir())}
    assert [n for n, ok in verdicts.items() if ok] == ["sg-accountability-report-11.zh.txt"]
    assert not loader.recognise(SourceText(""))
    assert not loader.recognise(SourceText("\n \n"))
    assert not loader.recognise(SourceText("%PDF-1.7 \x00\x01 garbage 问责制 附件一"))
    with pytest.raises(UnrecognisedDocument):
        loader.extract(SourceText("just some text"))


def test_identity(extraction):
    r = extraction.data
    assert (r.symbol, r.symbol_evidence) == (SYM, "printed")
    assert r.title == "关于问责制的第十一次进展报告：加强联合国秘书处的问责制"
    assert (r.ordinal, r.session, r.agenda_item, r.issued) == (11, 76, "136", None)


def test_records_match_what_the_document_says(extraction):
    """Every field of every record against tests/expected/sg_accountability.json, itself checked against the text."""
    got = as_expected(extraction.data)
    want = {k: v for k, v in EXPECTED.items() if k != "_comment"}
    assert set(got) == set(want)
    for key in set(want) - {"follow_ups", "datasets", "observations", "citations"}:
        assert got[key] == want[key], key
    assert len(got["follow_ups"]) == len(want["follow_ups"]) == 64
    for g, e in zip(got["follow_ups"], want["follow_ups"], strict=True):
        assert g == e, f"Annex I row {e['row']}: " + ", ".join(k for k in e if g.get(k) != e[k])
    for kind in ("datasets", "observations", "citations"):
        assert len(got[kind]) == len(want[kind]), kind
        for i, (g, e) in enumerate(zip(got[kind], want[kind], strict=True)):
            assert g == e, f"{kind}[{i}]: " + ", ".join(k for k in e if g.get(k) != e[k])


def test_counts(extraction):
    assert extraction.records["resolution-follow-up"] == 64
    assert extraction.records["observation"] == 57
    assert extraction.records["citation"] == 106
    assert extraction.records["dataset"] == 5


def test_source_inconsistencies_are_warned(extraction):
    msgs = [str(w) for w in extraction.warnings]
    assert any("in-progress rate printed 8.8%" in m and "936/12075" in m for m in msgs)
    assert any("Annex I row 16" in m and "no summary" in m for m in msgs)
    assert any("boa 2010/2020 第一卷" in m and "printed 66%" in m for m in msgs)
    assert any("boa 2010/2020 第二卷" in m and "printed 91%" in m for m in msgs)
    # the 2020a column follows 2018: read as eighteen months, since the figures add up (no column is missing)
    assert any(m.startswith("A/76/644:2842: Annex III OIOS: column '2020a' (footnote a: ending 2020-06-30) follows "
                            "column '2018' (ending 2018-12-31), so it is read as 2019-01-01 to 2020-06-30, 18 months; "
                            "no column is missing: the '全部建议' row (line 2844) has 4 period figures for the 4 "
                            "labels and they add up to its total (7 276 + 953 + 1 052 + 1 136 = 10 417)") for m in msgs)
    assert not any("may be missing" in m for m in msgs)
    assert len(msgs) == 5, msgs


def test_followup_graph(extraction):
    g = extraction.graph
    fu = followup_iri(SYM, "A/RES/75/242A")
    assert (fu, ns.RDF.type, JIU.ResolutionFollowUp) in g
    assert (fu, JIU.reportedIn, doc_iri(SYM)) in g
    assert (fu, JIU.aboutResolution, doc_iri("A/RES/75/242")) in g
    assert set(g.objects(fu, JIU.followUpDocument)) == {doc_iri("A/76/307"), doc_iri("A/76/307/Add.1")}
    assert (fu, JIU.agendaItem, Literal("138")) in g
    # 75/253 A is followed up in 26 rows, each its own resource
    rows = [followup_iri(SYM, "A/RES/75/253A", k) for k in range(1, 27)]
    assert all((r, ns.RDF.type, JIU.ResolutionFollowUp) in g for r in rows)
    assert (followup_iri(SYM, "A/RES/75/253A", 27), ns.RDF.type, JIU.ResolutionFollowUp) not in g
    parts = set(g.objects(followup_iri(SYM, "A/RES/75/254A-C"), JIU.aboutResolution))
    assert parts == {doc_iri("A/RES/75/254"), doc_iri("A/RES/75/254B"), doc_iri("A/RES/75/254C")}


def test_every_record_has_provenance_and_no_blank_nodes(extraction, source):
    g = extraction.graph
    records = set(g.subjects(ns.RDF.type, JIU.ResolutionFollowUp)) | set(g.subjects(ns.RDF.type, ns.QB.Observation)) \
        | set(g.objects(doc_iri(SYM), URIRef("http://purl.org/dc/terms/references")))
    assert len(records) == 64 + 57 + 106
    for r in records:
        passages = list(g.objects(r, ns.PROV.wasDerivedFrom))
        assert passages, r
        for p in passages:
            start = int(g.value(p, JIU.startOffset))
            end = int(g.value(p, JIU.endOffset))
            assert str(g.value(p, JIU.passageText)) == source.raw[start:end]
    assert not any(isinstance(n, BNode) for t in g for n in t)


def test_data_cube(extraction):
    g = extraction.graph
    ds = dataset_iri(SYM, "oios")
    assert (ds, ns.QB.structure, JIU.oversightDSD) in g
    obs = observation_iri(ds, "2010/2021-06-30", "all")
    assert (obs, ns.QB.dataSet, ds) in g
    assert (obs, JIU.oversightBody, org_iri("OIOS")) in g
    assert (obs, JIU.category, Literal("全部建议", lang="zh")) in g
    assert (obs, JIU.category, Literal("all", lang="en")) in g
    assert (obs, JIU.recommendationsIssued, Literal("12075", datatype=ns.XSD.integer)) in g
    assert (obs, JIU.recommendationsImplemented, Literal("10417", datatype=ns.XSD.integer)) in g
    assert (obs, JIU.recommendationsClosed, Literal("722", datatype=ns.XSD.integer)) in g
    assert (obs, JIU.recommendationsOutstanding, Literal("936", datatype=ns.XSD.integer)) in g
    assert (obs, JIU.implementationRate, Literal("92", datatype=ns.XSD.decimal)) in g
    period = period_iri("2010", "2021-06-30")
    assert (obs, JIU.refPeriod, period) in g
    assert (period, ns.RDF.type, ns.TIME.ProperInterval) in g
    begin, end = g.value(period, ns.TIME.hasBeginning), g.value(period, ns.TIME.hasEnd)
    assert g.value(begin, ns.TIME.inXSDgYear) == Literal("2010", datatype=ns.XSD.gYear)
    assert g.value(end, ns.TIME.inXSDDate) == Literal("2021-06-30", datatype=ns.XSD.date)
    jiu = observation_iri(dataset_iri(SYM, "jiu-paragraph-92"), "2011/2020", "all")
    assert (jiu, JIU.oversightBody, org_iri("JIU")) in g
    assert (jiu, JIU.acceptanceRate, Literal("62.2", datatype=ns.XSD.decimal)) in g
    assert len(set(g.subjects(ns.RDF.type, ns.QB.DataSet))) == 5


def test_deterministic(source, extraction):
    again = SGAccountabilityLoader().load(source)
    assert again.graph.isomorphic(extraction.graph) and len(again.graph) == len(extraction.graph)


def test_symbol_from_lexicon_when_not_printed(source):
    raw = "\n".join(l for l in source.raw.split("\n") if l.strip() != SYM)
    r = SGAccountabilityLoader().extract(SourceText(raw))
    assert (r.symbol, r.symbol_evidence) == (SYM, "lexicon")
    assert any("identified by lexicon" in w.message for w in r.warnings)


def test_grouping_of_thin_space_numbers():
    group = SGAccountabilityLoader._group
    tokens = "12 075 7 276 953 1 052 1 136 10 417 722 936".split()
    assert group(tokens, 4) == [12075, 7276, 953, 1052, 1136, 10417, 722, 936]
    assert group("1 202 1 087 17 20 15 1 139 49 14".split(), 4) == [1202, 1087, 17, 20, 15, 1139, 49, 14]
    assert group("1 2 3".split(), 4) is None


# --- English fixture: the same layout, data not code -------------------------


@pytest.fixture(scope="module")
def english():
    return SourceText.from_file(HERE / "fixtures" / "sg_accountability.en.txt")


def test_english_fixture(english):
    loader = SGAccountabilityLoader()
    assert loader.recognise(english)
    x = loader.load(english)
    r = x.data
    assert (r.symbol, r.lang, r.ordinal, r.session, r.agenda_item, str(r.issued)) == (
        SYM, "en", 11, 76, "136", "2021-12-22")
    rows = [(f.agenda_item, f.resolution, f.follow_up_documents, f.reports) for f in r.follow_ups]
    assert rows == [
        ("138", "75/242 A", ["A/76/307", "A/76/307/Add.1"], "A/76/307 and A/76/307/Add.1"),
        ("141", "75/253 A", ["A/76/386"], "A/76/386"),
        ("141", "75/253 A", [], "No action requested"),
        ("147", "75/270", [], "No action requested"),
    ]
    assert r.follow_ups[2].resolution_title.endswith("programme budget for 2021: Global service delivery")
    assert r.follow_ups[2].summary == "Not applicable"
    assert r.follow_ups[1].summary.startswith("In the report, the Secretary-General outlined")
    obs = {(o.dataset, o.period, o.notation): {k: str(v) for k, v in o.measures.items() if not k.startswith("_")}
           for o in r.observations}
    assert obs[("oios-paragraph-90", "2010/2021-06-30", "all")] == {
        "recommendationsIssued": "12075", "recommendationsImplemented": "11139", "implementationRate": "92.2",
        "recommendationsOutstanding": "936"}
    assert obs[("oios-paragraph-90", "2010/2021-06-30", "critical")]["recommendationsImplemented"] == "1188"
    assert obs[("jiu-paragraph-92", "2011/2020", "accepted")] == {"implementationRate": "85.5"}
    assert obs[("oios", "2010/2021-06-30", "all")]["recommendationsClosed"] == "722"
    assert obs[("oios", "2019-01-01/2020-06-30", "all")] == {"recommendationsImplemented": "1052"}
    assert obs[("boa", "2010/2014", "volume-I")]["implementationRate"] == "74"
    msgs = [w.message for w in x.warnings]
    # the fixture's BOA row is deliberately off: 84 + 6 of 120 is 75%, printed 74%
    assert any("printed 74%" in m and "90/120" in m for m in msgs)
    assert not any("8.8" in m or "7.8" in m for m in msgs)
    assert x.records["resolution-follow-up"] == 4
    assert x.records["citation"] == 7
    assert (doc_iri(SYM), JIU.agendaItem, Literal("136")) in x.graph


def test_stated_row_count_is_checked(english):
    changed = SourceText(english.raw.replace("the 4 resolutions", "the 5 resolutions"))
    r = SGAccountabilityLoader().extract(changed)
    assert any("says 5 resolutions, 4 rows found" in w.message for w in r.warnings)


# --- French fixture: the same layout, again data not code --------------------


@pytest.fixture(scope="module")
def french():
    return SourceText.from_file(HERE / "fixtures" / "sg_accountability.fr.txt")


@pytest.fixture(scope="module")
def french_extraction(french):
    return SGAccountabilityLoader().load(french)


def test_recognises_only_its_own_fixtures():
    loader = SGAccountabilityLoader()
    verdicts = {p.name: loader.recognise(SourceText.from_file(p)) for p in sorted((HERE / "fixtures").glob("*.txt"))}
    assert [n for n, ok in verdicts.items() if ok] == ["sg_accountability.en.txt", "sg_accountability.fr.txt"]


def test_french_fixture_identity(french_extraction):
    r = french_extraction.data
    assert (r.symbol, r.symbol_evidence, r.lang, r.ordinal, r.session, r.agenda_item, str(r.issued)) == (
        SYM, "printed", "fr", 11, 76, "136", "2021-12-22")
    assert r.title == ("Onzième rapport intérimaire sur l'application du principe de responsabilité : renforcer le "
                       "principe de responsabilité au Secrétariat de l'Organisation des Nations Unies")


def test_french_fixture_annex_i(french_extraction):
    r = french_extraction.data
    rows = [(f.agenda_item, f.resolution, f.resolutions, f.follow_up_documents, f.reports) for f in r.follow_ups]
    assert rows == [
        ("138", "75/242 A", ["A/RES/75/242"], ["A/76/307", "A/76/307/Add.1"], "A/76/307 et A/76/307/Add.1"),
        ("141", "75/253 A", ["A/RES/75/253"], ["A/76/386"], "A/76/386"),
        ("141", "75/253 A", ["A/RES/75/253"], [], "Aucune mesure demandée"),
        ("147", "75/270", ["A/RES/75/270"], [], "Aucune mesure demandée"),
    ]
    assert r.follow_ups[0].agenda_title == "Rapports financiers et états financiers vérifiés"
    assert r.follow_ups[1].resolution_title == "Questions spéciales relatives au projet de budget-programme pour 2021 : Umoja"
    assert r.follow_ups[2].resolution_title.endswith("pour 2021 : modèle de prestation de services centralisée")
    assert r.follow_ups[1].summary == ("Dans le rapport, le Secrétaire général a présenté les réalisations de la "
                                       "Division du progiciel de gestion intégré")
    assert [f.summary for f in r.follow_ups[2:]] == ["Sans objet", "Sans objet"]
    assert r.follow_ups[3].agenda_title == r.follow_ups[3].resolution_title == "Corps commun d'inspection"
    g = french_extraction.graph
    # two rows follow up 75/253 A: each its own resource; the first row's parts link as in English
    assert (followup_iri(SYM, "A/RES/75/253A", 2), JIU.reportedIn, doc_iri(SYM)) in g
    assert set(g.objects(followup_iri(SYM, "A/RES/75/242A"), JIU.followUpDocument)) == {
        doc_iri("A/76/307"), doc_iri("A/76/307/Add.1")}
    assert (followup_iri(SYM, "A/RES/75/270"), JIU.summary, Literal("Sans objet", lang="fr")) in g


def test_french_fixture_figures(french_extraction):
    r = french_extraction.data
    obs = {(o.dataset, o.period, o.notation): {k: str(v) for k, v in o.measures.items() if not k.startswith("_")}
           for o in r.observations}
    # decimal commas (92,2 %) and space-grouped thousands (12 075) read as numbers
    assert obs[("oios-paragraph-90", "2010/2021-06-30", "all")] == {
        "recommendationsIssued": "12075", "recommendationsImplemented": "11139", "implementationRate": "92.2",
        "recommendationsOutstanding": "936"}
    assert obs[("oios-paragraph-90", "2010/2020-06-30", "all")] == {
        "recommendationsIssued": "11179", "recommendationsImplemented": "10003", "implementationRate": "89.5",
        "recommendationsOutstanding": "1176"}
    assert obs[("oios-paragraph-90", "2010/2021-06-30", "critical")] == {
        "recommendationsIssued": "1202", "recommendationsImplemented": "1188", "implementationRate": "99",
        "recommendationsOutstanding": "14"}
    assert obs[("boa-paragraph-91", "2010/2020", "volumes-I-II")] == {
        "recommendationsIssued": "1397", "recommendationsImplemented": "1019", "implementationRate": "73",
        "recommendationsOutstanding": "378"}
    assert obs[("jiu-paragraph-92", "2011/2020", "all")] == {"acceptanceRate": "62.2"}
    assert obs[("jiu-paragraph-92", "2011/2020", "accepted")] == {"implementationRate": "85.5"}
    assert obs[("oios", "2010/2021-06-30", "all")] == {
        "recommendationsIssued": "12075", "recommendationsImplemented": "10417", "recommendationsClosed": "722",
        "recommendationsOutstanding": "936", "implementationRate": "92"}
    assert obs[("oios", "2019-01-01/2020-06-30", "all")] == {"recommendationsImplemented": "1052"}
    assert obs[("oios", "2010/2018", "all")] == {"implementationRate": "87"}
    assert obs[("boa", "2010/2014", "volume-I")]["implementationRate"] == "74"
    assert {d.name for d in r.datasets} == {"oios-paragraph-90", "boa-paragraph-91", "jiu-paragraph-92", "oios", "boa"}
    assert next(d for d in r.datasets if d.name == "jiu-paragraph-92").as_of == "2021-11-08"
    # the same deliberate slip as in the English fixture, and nothing else
    msgs = [w.message for w in french_extraction.warnings]
    assert any("printed 74%" in m and "90/120" in m for m in msgs)
    assert any("column '2020a' (footnote a: ending 2020-06-30) follows column '2018'" in m for m in msgs)
    assert len(msgs) == 2, msgs


def test_french_fixture_graph(french_extraction, french):
    g, x = french_extraction.graph, french_extraction
    assert dict(x.records) == {"resolution-follow-up": 4, "dataset": 5, "observation": 18, "citation": 7}
    assert {str(c) for c in g.objects(doc_iri(SYM), URIRef("http://purl.org/dc/terms/references"))} == {
        str(doc_iri(s)) for s in ("A/RES/70/255", "A/73/688", "A/75/686", "A/76/307", "A/76/307/Add.1", "A/76/386",
                                  "A/RES/75/242")}
    obs = observation_iri(dataset_iri(SYM, "oios"), "2010/2021-06-30", "all")
    assert (obs, JIU.category, Literal("Toutes les recommandations", lang="fr")) in g
    assert (obs, JIU.category, Literal("all", lang="en")) in g
    assert (obs, JIU.oversightBody, org_iri("OIOS")) in g
    assert (observation_iri(dataset_iri(SYM, "jiu-paragraph-92"), "2011/2020", "all"), JIU.acceptanceRate,
            Literal("62.2", datatype=ns.XSD.decimal)) in g
    assert (doc_iri(SYM), ns.DCTERMS.title, Literal(x.data.title, lang="fr")) in g
    for r in set(g.subjects(ns.RDF.type, JIU.ResolutionFollowUp)) | set(g.subjects(ns.RDF.type, ns.QB.Observation)):
        passages = list(g.objects(r, ns.PROV.wasDerivedFrom))
        assert passages, r
        for p in passages:
            start, end = int(g.value(p, JIU.startOffset)), int(g.value(p, JIU.endOffset))
            assert str(g.value(p, JIU.passageText)) == french.raw[start:end]
    assert not any(isinstance(n, BNode) for t in g for n in t)


def test_french_stated_row_count_is_checked(french):
    changed = SourceText(french.raw.replace("des 4 résolutions", "des 3 résolutions"))
    r = SGAccountabilityLoader().extract(changed)
    assert any("says 3 resolutions, 4 rows found" in w.message for w in r.warnings)


def test_french_decimal_comma_is_a_lexicon_setting(french):
    """A rate printed with a decimal comma is read through the lexicon's decimal_mark:
    changing a printed rate changes the value read, and the rate check still applies."""
    changed = SourceText(french.raw.replace("de 62,2 %", "de 61,7 %").replace("(92,2 %)", "(90,1 %)"))
    x = SGAccountabilityLoader().load(changed)
    obs = {(o.dataset, o.period, o.notation): o.measures for o in x.data.observations}
    assert str(obs[("jiu-paragraph-92", "2011/2020", "all")]["acceptanceRate"]) == "61.7"
    assert any("implementation rate printed 90.1%" in w.message and "11139/12075" in w.message for w in x.warnings)


def test_annex_iii_columns_cover_the_whole_period(extraction):
    """The OIOS columns add up to the total since 2010, so together they cover it: '2020a' (ending 30 June
    2020) follows '2018' and runs from 2019-01-01; with what was closed it gives paragraph 90's 10 003
    implemented or closed from January 2010 to June 2020."""
    obs = {(o.period, o.notation): o.measures for o in extraction.data.observations if o.dataset == "oios"}
    columns = ["2010/2017", "2018", "2019-01-01/2020-06-30", "2020-07-01/2021-06-30"]
    implemented = [obs[(p, "all")]["recommendationsImplemented"] for p in columns]
    assert sum(implemented) == obs[("2010/2021-06-30", "all")]["recommendationsImplemented"] == 10417
    assert sum(implemented[:3]) + obs[("2010/2021-06-30", "all")]["recommendationsClosed"] == 10003
    para = {(o.period, o.notation): o.measures for o in extraction.data.observations
            if o.dataset == "oios-paragraph-90"}
    assert para[("2010/2020-06-30", "all")]["recommendationsImplemented"] == 10003


def test_a_real_gap_between_columns_is_warned(english):
    """Columns '2014' then '2016' (no 2015) leave a gap: that is the case where a column may be missing."""
    changed = SourceText(english.raw.replace("2010/11 2012/13 2014 Total", "2010/11 2012/13 2015 Total"))
    msgs = [w.message for w in SGAccountabilityLoader().extract(changed).warnings]
    assert any("columns '2012/13' (ending 2013-12-31) and '2015' (beginning 2015-01-01) leave a gap" in m for m in msgs)
