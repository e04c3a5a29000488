"""The progress-report loader on WIPO's two real reports (PDF text and Markdown)
and on small English and French fixtures in the PDF-text layout.

tests/expected/progress_report_pbc{38,35}.json hold every record of the two
real documents, every field, as read from the documents; any difference fails.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import BNode, Literal
from rdflib import namespace as ns
from rdflib.namespace import DCTERMS, PROV, RDF

from jiukg.namespaces import JIU, concept, doc_iri, org_iri, rec_iri, session_iri, status_iri
from loaders import SourceText, UnrecognisedDocument, load_text, recognise
from loaders.progress_report import ProgressReportLoader

HERE = Path(__file__).parent
FIXTURES = HERE / "fixtures"
EXPECTED = HERE / "expected"
PBC38 = "wipo-pbc38-jiu-progress.zh.txt"
PBC35 = "wipo-pbc35-jiu-progress.zh.md"


def _load(path: Path):
    return load_text(SourceText.from_file(path))


@pytest.fixture(scope="module")
def pbc38(corpus_dir):
    return _load(corpus_dir / PBC38)


@pytest.fixture(scope="module")
def pbc35(corpus_dir):
    return _load(corpus_dir / PBC35)


def _result(ex) -> dict:
    d = ex.data.result()
    d["warnings"] = [{"line": w.line, "message": w.message, "fatal": w.fatal} for w in ex.warnings]
    d["counts"] = dict(ex.records)
    return json.loads(json.dumps(d, ensure_ascii=False))


def _diff(a, b, path="") -> list[str]:
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for k in sorted(set(a) | set(b), key=str):
            if k not in a or k not in b:
                out.append(f"{path}/{k}: only in {'expected' if k in b else 'extracted'}")
            else:
                out += _diff(a[k], b[k], f"{path}/{k}")
        return out
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{path}: {len(a)} items extracted, {len(b)} expected"] + [
                f"{path}[{i}]: {x!r} != {y!r}" for i, (x, y) in enumerate(zip(a, b)) if x != y][:5]
        return [m for i, (x, y) in enumerate(zip(a, b)) for m in _diff(x, y, f"{path}[{i}]")]
    return [] if a == b else [f"{path}: extracted {a!r}, expected {b!r}"]


@pytest.mark.parametrize("name,expected", [(PBC38, "progress_report_pbc38.json"), (PBC35, "progress_report_pbc35.json")])
def test_every_record_every_field(corpus_dir, name, expected):
    got = _result(_load(corpus_dir / name))
    want = json.loads((EXPECTED / expected).read_text(encoding="utf-8"))
    diffs = _diff(got, want)
    assert not diffs, "\n".join(diffs[:40])


def test_counts_and_identity(pbc38, pbc35):
    assert pbc38.symbol == "WO/PBC/38/2" and pbc38.kind == "progress-report"
    assert pbc35.symbol == "WO/PBC/35/2"  # only in its proposed decision
    # earlier statuses: one per record with a "之前为…" or "与之前状态相比无变化" note
    # (WO/PBC/38/2: 13 + 4; WO/PBC/35/2: 21 + 3)
    assert dict(pbc38.records) == {"recommendation": 35, "status": 35, "earlier status": 17, "review": 8, "listing": 5}
    assert dict(pbc35.records) == {"recommendation": 24, "status": 24, "earlier status": 24, "review": 8, "listing": 5}
    # the stated counts of the text itself: annex I 9, annex II 20, annex III 6
    by_annex = {}
    for r in pbc38.data.records:
        by_annex.setdefault(r.annex, []).append(r)
    assert [len(by_annex[n]) for n in (1, 2, 3)] == [9, 20, 6]
    assert [sum(r.is_new for r in by_annex[n]) for n in (1, 2)] == [3, 9]


def test_real_warnings_are_real_inconsistencies(pbc38, pbc35):
    """Each real document has exactly one inconsistency: WO/PBC/38/2 paragraph 5
    says the six recommendations of annex III are all “正在审议”, but the annex
    gives other statuses; WO/PBC/35/2 table 2 lists A460 twice with two titles."""
    w38 = [str(w) for w in pbc38.warnings]
    assert len(w38) == 1 and w38[0].startswith("WO/PBC/38/2:39: annex 3 is said to be all “正在审议”")
    w35 = [str(w) for w in pbc35.warnings]
    assert len(w35) == 1 and w35[0].startswith("WO/PBC/35/2:31: review code A460 listed twice")
    assert not any(w.fatal for w in pbc38.warnings + pbc35.warnings)


def _rec(ex, report, n):
    return next(r for r in ex.data.records if r.report == report and r.number == n)


def test_page_end_notes_go_to_the_right_record(pbc38):
    # page 335-399: notes "无变化", "评估已更新", "之前为“未开始”" for 2023/3 rec 2 then 2023/2 rec 5
    r = _rec(pbc38, "JIU/REP/2023/3", 2)
    assert (r.unchanged, r.assessment_updated, r.previous_implementation) == (True, True, None)
    r = _rec(pbc38, "JIU/REP/2023/2", 5)
    assert (r.unchanged, r.previous_implementation, r.notes) == (False, "not-started", ["之前为“未开始”"])
    # page 218-277: the new 2024/2 rec 2 cannot carry "之前为“正在审议”"; 2023/6 rec 4 does
    assert _rec(pbc38, "JIU/REP/2024/2", 2).notes == []
    assert _rec(pbc38, "JIU/REP/2023/6", 4).previous_acceptance == "under-consideration"
    # page 995-1052: "之前为“正在审议”" for 2023/3 rec 5; "无变化" + "评估已更新" for 2019/5 rec 1
    assert _rec(pbc38, "JIU/REP/2023/3", 5).previous_acceptance == "under-consideration"
    r = _rec(pbc38, "JIU/REP/2019/5", 1)
    assert (r.unchanged, r.assessment_updated, r.previous_acceptance) == (True, True, None)
    # links go by the report named in the file: part I and part II for 2024/3, the truncated anchor kept
    assert len(_rec(pbc38, "JIU/REP/2024/3", 1).links) == 2
    assert _rec(pbc38, "JIU/REP/2024/2", 6).links == [
        "https://www.unjiu.org/sites/www.unjiu.org/files/jiu_rep_2024_2_0.pdf#page=%5B11"]


def test_markdown_notes_by_value_not_position(pbc35):
    # "接受情况 已接受 之前为“尚未启动”": printed beside acceptance, but 尚未启动 is an implementation value
    r = _rec(pbc35, "JIU/REP/2020/7", 6)
    assert (r.previous_acceptance, r.previous_implementation, r.implementation) == (None, "not-started", "in-progress")
    r = _rec(pbc35, "JIU/REP/2020/8", 9)  # HTML row: five assessment paragraphs, note in a <div>
    assert r.responsible == "信息技术技术司司长" and r.previous_implementation == "in-progress"
    assert r.assessment.startswith("由于持续的减排努力") and r.assessment.endswith("涵盖产权组织的所有活动。")


def test_deferrals_and_ceb_level(pbc38, pbc35):
    ceb, hr = str(org_iri("CEB")), str(org_iri("HLCM-HR"))
    unspecified = "https://w3id.org/jiukg/ontology#UnspecifiedInterAgencyMechanism"
    deferred = {(r.report, r.number): r.deferred_to for r in pbc38.data.records if r.deferred_to}
    assert deferred == {
        ("JIU/REP/2024/3", 1): ceb, ("JIU/REP/2024/2", 3): ceb, ("JIU/REP/2023/8", 7): hr,
        # l. 984 and 1015 "这项建议将通过机构间机制进行处理": no mechanism named, so not the CEB
        ("JIU/REP/2023/3", 4): unspecified, ("JIU/REP/2023/3", 5): unspecified,
        ("JIU/NOTE/2022/1/Rev.1", 1): ceb, ("JIU/NOTE/2022/1/Rev.1", 4): ceb}
    assert _rec(pbc38, "JIU/REP/2023/8", 7).deferral_evidence[0].startswith("在管理问题高级别委员会人力资源网下届会议上")
    assert {(r.report, r.number): r.deferred_to for r in pbc35.data.records if r.deferred_to} == {
        ("JIU/REP/2019/8", 4): ceb}
    # the channel is the mechanism the recommendation's own phrase names ("作为首协会的成员", "通过首协会"),
    # not a body it asks that mechanism to task (the HR Network, the mutual recognition community of practice)
    channel = {(r.report, r.number): r.channel for r in pbc38.data.records if r.channel}
    assert channel[("JIU/REP/2024/3", 2)] == [ceb] and channel[("JIU/REP/2023/8", 7)] == [ceb]
    assert channel[("JIU/REP/2024/4", 2)] == [ceb]
    assert _rec(pbc38, "JIU/REP/2024/4", 2).channel_evidence == ["通过联合国系统行政首长协调理事会"]
    assert _rec(pbc38, "JIU/NOTE/2022/1/Rev.1", 1).deadlines == [["在2024年6月之前", "2024-06-30"]]


def impl(notation):
    return concept("implementation", notation)


def test_graph(pbc38, pbc35, corpus_dir):
    g38, g35 = pbc38.graph, pbc35.graph
    assert not any(isinstance(x, BNode) for t in g38 for x in t)
    # one recommendation, two dated statements, one per reporting document
    rec = rec_iri("JIU/REP/2020/7", 6)
    s38, s35 = status_iri("JIU/REP/2020/7", 6, "WIPO", "WO/PBC/38/2"), status_iri("JIU/REP/2020/7", 6, "WIPO", "WO/PBC/35/2")
    assert (s38, JIU.aboutRecommendation, rec) in g38 and (s35, JIU.aboutRecommendation, rec) in g35
    assert (s38, JIU.implementation, None) in g38 and g38.value(s38, JIU.asOf).toPython().isoformat() == "2025-02-28"
    assert g35.value(s35, JIU.asOf).toPython().isoformat() == "2023-02-28"
    assert (s38, JIU.reportingOrganization, org_iri("WIPO")) in g38
    # the proposed decision: 21 assessments to approve in WO/PBC/38/2, 19 in WO/PBC/35/2
    assert len(list(g38.subjects(JIU.proposedForApproval, Literal(True)))) == 21
    assert len(list(g35.subjects(JIU.proposedForApproval, Literal(True)))) == 19
    d = doc_iri("WO/PBC/38/2")
    assert (d, DCTERMS.references, doc_iri("WO/PBC/37/6/Rev.")) in g38
    assert (doc_iri("WO/PBC/37/6/Rev."), JIU.symbol, Literal("WO/PBC/37/6/Rev.")) in g38  # l. 48 "WO/PBC/37/6 Rev."
    assert (doc_iri("WO/PBC/37/6/Rev."), ns.SKOS.notation, Literal("WO/PBC/37/6 Rev.")) in g38  # as printed
    assert (d, DCTERMS.references, doc_iri("A/79/694/Add.1")) in g38
    s = session_iri("WIPO-PBC", 38)
    assert (d, JIU.session, s) in g38 and (s, JIU.sessionOf, org_iri("WIPO-PBC")) in g38
    assert g38.value(g38.value(s, ns.TIME.hasEnd), ns.TIME.inXSDDate).toPython().isoformat() == "2025-05-23"
    listings = {g38.value(x, JIU.listedReport): x for x in g38.subjects(RDF.type, JIU.ActiveReportListing)}
    x = listings[doc_iri("JIU/REP/2023/8")]
    assert g38.value(x, JIU.outstandingCount).toPython() == 1
    assert g38.value(x, JIU.cebCommentsDocument) == doc_iri("A/79/694/Add.1")
    # provenance: the passage text is the exact source text of its lines
    src = SourceText.from_file(corpus_dir / PBC38)
    for p in set(g38.objects(None, PROV.wasDerivedFrom)):
        a, b = g38.value(p, JIU.startLine).toPython(), g38.value(p, JIU.endLine).toPython()
        assert str(g38.value(p, JIU.passageText)) == "\n".join(src.lines[a - 1:b])
    st = status_iri("JIU/REP/2023/3", 2, "WIPO", "WO/PBC/38/2")
    lines = sorted(g38.value(p, JIU.startLine).toPython() for p in g38.objects(st, PROV.wasDerivedFrom))
    assert lines == [335, 393, 394]  # the record, then its two page-end notes
    # l. 436 "之前为“正在落实”" for JIU/REP/2020/7 rec 6: the status of WO/PBC/37/6 Rev., recounted here
    s0 = status_iri("JIU/REP/2020/7", 6, "WIPO", "WO/PBC/37/6 Rev.")
    assert (s38, JIU.previousStatement, s0) in g38
    assert (s0, JIU.reportedIn, doc_iri("WO/PBC/37/6/Rev.")) in g38 and (s0, JIU.recountedIn, d) in g38
    assert g38.value(s0, JIU.implementation) == impl("in-progress") and g38.value(s0, JIU.asOf) is None
    assert [g38.value(p, JIU.startLine).toPython() for p in g38.objects(s0, PROV.wasDerivedFrom)] == [436]
    # md l. 117 "已接受 之前为“尚未启动”": not started in WO/PBC/34/6
    s34 = status_iri("JIU/REP/2020/7", 6, "WIPO", "WO/PBC/34/6")
    assert (s35, JIU.previousStatement, s34) in g35 and g35.value(s34, JIU.implementation) == impl("not-started")
    assert g38.value(d, JIU.statusesAsOf).toPython().isoformat() == "2025-02-28"
    # deterministic: loading again gives the same triples
    assert set(_load(corpus_dir / PBC38).graph) == set(g38)


def test_recognise_only_progress_reports(corpus_dir, tmp_path):
    loader = ProgressReportLoader()
    for name in (PBC38, PBC35):
        assert loader.recognise(SourceText.from_file(corpus_dir / name))
    for p in sorted(corpus_dir.glob("*.txt")) + sorted(corpus_dir.glob("*.md")):
        if p.name not in (PBC38, PBC35, "README.md"):
            assert not loader.recognise(SourceText.from_file(p)), p.name
    for p in sorted(FIXTURES.glob("*.txt")):  # other kinds' English and French fixtures
        assert loader.recognise(SourceText.from_file(p)) == p.name.startswith("progress_report."), p.name
    assert not loader.recognise(SourceText("", name="empty"))
    assert not loader.recognise(SourceText("\x00\x01 garbage ¤¤ 12 34\n" * 50, name="garbage"))
    other = ("Note by the Secretary-General\nComments of the Secretary-General and the United Nations System Chief "
             "Executives Board for Coordination on the report of the Joint Inspection Unit JIU/REP/2024/4\n"
             "Recommendation 1\nThe recommendation is supported.\n")
    assert not loader.recognise(SourceText(other, name="ceb-note.en.txt"))
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    with pytest.raises(UnrecognisedDocument):
        recognise(SourceText.from_file(empty))


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_fixtures_by_lexicon_only(lang):
    ex = _load(FIXTURES / f"progress_report.{lang}.txt")
    doc = ex.data
    assert ex.warnings == []
    assert (ex.symbol, doc.lang, doc.session, doc.session_start, doc.issued) == (
        "WO/PBC/38/2", lang, 38, "2025-05-19", "2025-03-31")
    assert doc.body == str(org_iri("WIPO-PBC")) and doc.reporting_org == str(org_iri("WIPO"))
    assert doc.previous_reports == ["WO/PBC/37/6/Rev."] and doc.original_language == "en"
    r = _rec(ex, "JIU/REP/2024/3", 1)
    assert (r.annex, r.addressee, r.is_new, r.acceptance, r.deferred_to, r.channel, r.proposed) == (
        2, "executive-head", True, "not-relevant", str(org_iri("CEB")), [str(org_iri("CEB"))], True)
    assert r.acceptance_qualifier and r.deadlines[0][1] == "2027-12-31"
    r = _rec(ex, "JIU/REP/2023/6", 4)  # a page-end note, shared page
    assert (r.previous_acceptance, r.is_new, r.implementation) == ("under-consideration", False, "implemented")
    r = _rec(ex, "JIU/REP/2019/5", 1)
    assert (r.unchanged, r.assessment_updated, r.outstanding, r.proposed) == (True, True, True, False)
    assert [x.report for x in doc.listings][-1] == "JIU/REP/2019/5" and doc.listings[-1].ceb_documents == ["A/74/691/Add.1"]
    assert doc.reviews[0].code == "A474" and doc.reviews[0].year == "2024"
    if lang == "en":
        # earlier statuses: two "Previously …" and two "No change from previous status" notes
        assert dict(ex.records) == {"recommendation": 7, "status": 7, "earlier status": 4, "review": 2, "listing": 2}
        r = _rec(ex, "JIU/REP/2023/8", 7)
        # deferred to the HR Network its assessment names; implemented through the CEB its text names
        assert (r.deferred_to, r.channel) == (str(org_iri("HLCM-HR")), [str(org_iri("CEB"))])
        assert _rec(ex, "JIU/REP/2023/3", 1).unchanged  # second record of the shared page
        n = _rec(ex, "JIU/NOTE/2022/1/Rev.1", 1)
        assert (n.annex, n.from_note, n.deadlines) == (3, True, [["by June 2024", "2024-06-30"]])
    else:
        # earlier statuses: JIU/REP/2023/6 rec 4 ("Auparavant") and JIU/REP/2019/5 rec 1 (unchanged)
        assert dict(ex.records) == {"recommendation": 4, "status": 4, "earlier status": 2, "review": 1, "listing": 1}


def test_count_mismatch_names_document_and_line():
    raw = (FIXTURES / "progress_report.en.txt").read_text(encoding="utf-8")
    line = next(i for i, ln in enumerate(raw.split("\n"), 1) if ln.startswith("2. Annex I contains"))
    ex = load_text(SourceText(raw.replace("2. Annex I contains three", "2. Annex I contains four"), name="x.txt"))
    assert [str(w) for w in ex.warnings] == [f"WO/PBC/38/2:{line}: annex 1 is said to hold 4 recommendations; 3 were read"]


def test_truncated_copy_reads_what_is_there_and_says_what_is_missing(corpus_dir):
    lines = (corpus_dir / PBC38).read_text(encoding="utf-8").split("\n")
    text = SourceText("\n".join(lines[:382]), name="truncated.txt")  # ends inside JIU/REP/2023/2 rec 5
    ex = load_text(text)
    assert ex.symbol == "WO/PBC/38/2" and ex.records["recommendation"] == 8
    msgs = [str(w) for w in ex.warnings]
    # fatal: the annexes paragraphs 3, 5 and 6 announce, and the closing line of the last one
    assert [str(w) for w in ex.warnings if w.fatal] == [
        "WO/PBC/38/2:31: incomplete: 附件二 is announced but not in the text",
        "WO/PBC/38/2:39: incomplete: 附件三 is announced but not in the text",
        "WO/PBC/38/2:43: incomplete: 附件四 is announced but not in the text",
        "WO/PBC/38/2:381: incomplete: the text stops at line 381 before “[附件四和文件完]”, the line that closes "
        "the document"]
    assert "WO/PBC/38/2:365: JIU/REP/2023/2 recommendation 5: no responsible field" in msgs
    assert any(m.startswith("WO/PBC/38/2:31: annex 2 is said to hold 20 recommendations; 0 were read") for m in msgs)
    r = _rec(ex, "JIU/REP/2023/2", 5)
    assert r.acceptance == "accepted" and r.implementation == "in-progress" and r.responsible is None


def test_pipe_rows_read_like_tab_rows(corpus_dir, pbc35):
    """The same Markdown with its tab rows written as pipe-table rows gives the same records."""
    raw = (corpus_dir / PBC35).read_text(encoding="utf-8")
    piped = "\n".join(("| " + " | ".join(c for c in ln.rstrip("\t").split("\t")) + " |")
                      if "\t" in ln and "<p>" not in ln else ln for ln in raw.split("\n"))
    ex = load_text(SourceText(piped, name="piped.md"))
    strip = lambda recs: [{k: v for k, v in r.result().items() if not k.endswith("line")} for r in recs]  # noqa: E731
    assert strip(ex.data.records) == strip(pbc35.data.records)



def test_active_report_cells_stay_apart(corpus_dir, pbc35):
    """WO/PBC/35/2 Annex III is a tab table (报告文号 | 联检组报告链接 | 未完成建议数量 | 首协会评论意见 | 其他文件):
    each cell is its own field, "首协会评论意见" and "报告要点" are never run together."""
    lines = (corpus_dir / PBC35).read_text(encoding="utf-8").split("\n")
    assert len(pbc35.data.listings) == 5
    for x in pbc35.data.listings:
        cells = lines[x.start_line - 1].split("\t")
        assert cells[0] == x.report and cells[1] == x.title
        assert cells[2] == f"{x.outstanding} {'立法机构' if x.addressees == ['legislative'] else '行政首长'}"
        assert (x.ceb_comments, x.other) == (cells[3], cells[4]) == (cells[3], "报告要点")
    assert pbc35.data.listings[-1].ceb_comments == "首协会评论意见和检查组的回应"
