"""The status-reporting template: generated for an organisation, filled in, loaded as dated status statements.

The store is the bundled corpus built by the real loaders (WIPO's progress reports hold WIPO's status of
JIU/REP/2024/4); ILO is the second organisation. The command line runs in a subprocess as a user runs it.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF

from jiukg.namespaces import JIU
from loaders import status_template as st

JIUKG = str(Path(sys.executable).parent / "jiukg")
HEADER = "report,rec,acceptance,implementation,responsible,assessment,mechanism,asOf"
REPORT = "JIU/REP/2024/4"


def jiukg(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    r = subprocess.run([JIUKG, *args], capture_output=True, timeout=timeout)
    return subprocess.CompletedProcess(r.args, r.returncode, r.stdout.decode("utf-8"), r.stderr.decode("utf-8"))


@pytest.fixture(scope="module")
def corpus_store_dir(tmp_path_factory):
    """The bundled corpus built into an on-disk store, closed: tests copy it before writing."""
    from jiukg import pipeline
    from jiukg.paths import CORPUS_DIR
    from jiukg.store import open_store

    d = tmp_path_factory.mktemp("template") / "store"
    s = open_store(str(d))
    pipeline.build(s, CORPUS_DIR)
    s.close()
    return d


@pytest.fixture
def store_dir(corpus_store_dir, tmp_path):
    d = tmp_path / "store"
    shutil.copytree(corpus_store_dir, d)
    return str(d)


def read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def write_csv(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\r\n").writerows(rows)


def fill(rows: list[list[str]], values: dict[int, list[str]]) -> list[list[str]]:
    """Rows with columns acceptance..asOf of recommendation N replaced by values[N]."""
    out = [rows[0]]
    for r in rows[1:]:
        out.append(r[:2] + values[int(r[1])] if int(r[1]) in values else r)
    return out


ILO_EN = {
    1: ["accepted", "in progress", "Director, Human Resources", "The ILO signs the statement in 2026.", "", "2025-06-30"],
    2: ["accepted", "not started", "Treasurer", "Through the HLCM, with the other organizations.", "HLCM", "2025-06-30"],
    3: ["under-consideration", "", "", "", "", "2025-06-30"],
    5: ["not accepted", "", "", "For the Governing Body to decide.", "", "2025-06-30"],
}
ILO_ZH = {  # the same statuses as Chinese labels, the mechanism by its Chinese name
    1: ["已接受", "正在落实", "Director, Human Resources", "The ILO signs the statement in 2026.", "", "2025-06-30"],
    2: ["已接受", "未开始", "Treasurer", "Through the HLCM, with the other organizations.", "管理问题高级别委员会",
        "2025-06-30"],
    3: ["正在审议", "", "", "", "", "2025-06-30"],
    5: ["未接受", "", "", "For the Governing Body to decide.", "", "2025-06-30"],
}


def rows_of(result: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(result)))


# --- generation ------------------------------------------------------------------------------

def test_ilo_template_in_csv_with_csvw_metadata(store_dir, tmp_path):
    out = tmp_path / "ilo.csv"
    r = jiukg("template", "--org", "ILO", "--report", REPORT, "--store", store_dir, "--out", str(out))
    assert r.returncode == 0, r.stderr
    rows = read_csv(out)
    assert out.read_bytes().decode("utf-8").split("\r\n")[0] == HEADER
    # rec 4 is addressed to the Secretary-General: the UN's, not the ILO's
    assert [(x[0], x[1]) for x in rows[1:]] == [(REPORT, "1"), (REPORT, "2"), (REPORT, "3"), (REPORT, "5")]
    assert all(x[2:] == [""] * 6 for x in rows[1:])  # the graph holds no ILO status yet
    md = json.loads((tmp_path / "ilo.csv-metadata.json").read_text(encoding="utf-8"))
    assert md["url"] == "ilo.csv" and md["dc:language"] == "en"
    assert md[str(JIU.reportingOrganization)] == {"@id": "https://w3id.org/jiukg/id/org/ILO"}
    # the read-only context travels as annotations on the rows: the text of rec 1 as the graph holds it
    note = next(n for n in md["notes"] if n["oa:hasTarget"]["@id"] == "ilo.csv#row=2")
    assert any("相互承认声明" in b["rdf:value"]["@value"] for b in note["oa:hasBody"])

    un = tmp_path / "un.csv"
    assert jiukg("template", "--org", "UN", "--report", REPORT, "--store", store_dir, "--out", str(un)).returncode == 0
    assert [x[1] for x in read_csv(un)[1:]] == ["1", "2", "3", "4", "5"]


def test_wipo_template_is_prefilled_with_its_latest_status_in_the_chosen_language(store_dir, tmp_path):
    out = tmp_path / "wipo.csv"
    r = jiukg("template", "--org", "WIPO", "--report", REPORT, "--lang", "zh", "--store", store_dir, "--out", str(out))
    assert r.returncode == 0, r.stderr
    rows = read_csv(out)
    assert rows[0] == ["报告", "建议编号", "接受情况", "落实情况", "负责人", "评估", "机构间机制", "截至日期"]
    rec1 = next(x for x in rows if x[1] == "1")
    assert rec1[2] == "正在审议" and rec1[7] == "2025-02-28"  # WO/PBC/38/2, status as at 28 February 2025


def test_csvw_metadata_is_json_ld_and_its_columns_match_the_header(store_dir, tmp_path):
    out = tmp_path / "ilo.csv"
    assert jiukg("template", "--org", "ILO", "--report", REPORT, "--store", store_dir, "--out", str(out)).returncode == 0
    md_path = tmp_path / "ilo.csv-metadata.json"
    md = json.loads(md_path.read_text(encoding="utf-8"))
    assert md["@context"][0] == "http://www.w3.org/ns/csvw"
    # parsed as JSON-LD by rdflib, with the CSVW context terms given locally: nothing is fetched
    doc = dict(md, **{"@context": [CSVW_TERMS, md["@context"][1]]})
    g = Graph().parse(data=json.dumps(doc), format="json-ld", base=md_path.as_uri())
    table = next(g.subjects(CSVW.tableSchema, None))
    schema = g.value(table, CSVW.tableSchema)
    columns = list(g.collection(g.value(schema, CSVW.column)))
    assert [str(g.value(c, CSVW.name)) for c in columns] == HEADER.split(",")
    for c in columns:
        langs = {t.language for t in g.objects(c, CSVW.title)}
        assert langs == {"zh", "en", "fr", "es", "ru", "ar"}, (g.value(c, CSVW.name), langs)
    schemes = {str(g.value(c, CSVW.name)): g.value(c, DC.conformsTo) for c in columns}
    assert schemes["acceptance"] == URIRef("https://w3id.org/jiukg/vocab/acceptance")
    assert schemes["implementation"] == URIRef("https://w3id.org/jiukg/vocab/implementation")
    assert (table, URIRef(str(JIU.reportingOrganization)), URIRef("https://w3id.org/jiukg/id/org/ILO")) in g
    assert Literal("接受情况", lang="zh") in set(g.objects(columns[2], CSVW.title))

    # a CSVW processor (the csvw package) reads the CSV through the metadata, with the datatypes
    import csvw

    assert csvw.CSVW(str(md_path), validate=True).is_valid
    rows = list(csvw.Table.from_file(md_path).iterdicts())
    assert [r["rec"] for r in rows] == [1, 2, 3, 5]
    # ... and finds a status word outside the schemes invalid
    filled = fill(read_csv(out), {1: ["acepted", "", "", "", "", "2025-06-30"]})
    write_csv(out, filled)
    assert not csvw.CSVW(str(md_path), validate=True).is_valid


def test_xlsx_has_drop_downs_of_the_scheme_labels_and_instructions(store_dir, tmp_path):
    import openpyxl

    out = tmp_path / "ilo.xlsx"
    r = jiukg("template", "--org", "ILO", "--report", REPORT, "--format", "xlsx", "--lang", "zh",
              "--store", store_dir, "--out", str(out))
    assert r.returncode == 0, r.stderr
    wb = openpyxl.load_workbook(out)
    ws, ins = wb.worksheets[0], wb.worksheets[1]
    assert [c.value for c in ws[1]][:8] == ["报告", "建议编号", "接受情况", "落实情况", "负责人", "评估", "机构间机制", "截至日期"]
    assert [ws.cell(r, 2).value for r in range(2, ws.max_row + 1)] == [1, 2, 3, 5]
    assert ins.title == "填写说明" and "JIU/REP/2024/4" in ins["A1"].value
    lists = {}
    for dv in ws.data_validations.dataValidation:
        if dv.type == "list":
            sheet, cells = dv.formula1.split("!")
            col = cells.split(":")[0].replace("$", "")[0]
            lists[str(dv.sqref).split(":")[0][0]] = [wb[sheet][f"{col}{i}"].value for i in range(1, 5)
                                                     if wb[sheet][f"{col}{i}"].value]
    assert lists == {"C": ["已接受", "未接受", "正在审议", "不相关"], "D": ["已落实", "正在落实", "未开始"]}
    assert wb[st.META_SHEET].sheet_state == "hidden"


def test_http_template_forms(store_dir):
    import httpx

    from jiukg.store import open_store
    from tests._service_server import serve

    s = open_store(store_dir)
    try:
        with serve(s) as url:
            r = httpx.get(f"{url}/template", params={"org": "ILO", "report": REPORT})
            assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
            assert r.text.split("\r\n")[0] == HEADER
            assert 'rel="describedby"' in r.headers["link"]
            md = httpx.get(f"{url}/template", params={"org": "ILO", "report": REPORT, "format": "csvw", "lang": "fr"})
            assert md.headers["content-type"].startswith("application/csvm+json")
            assert md.json()["dc:language"] == "fr"
            x = httpx.get(f"{url}/template", params={"org": "ILO", "report": REPORT, "format": "xlsx"})
            assert x.status_code == 200 and x.content[:2] == b"PK"
            assert httpx.get(f"{url}/template", params={"org": "NOPE", "report": REPORT}).status_code == 404
            assert httpx.get(f"{url}/template", params={"org": "ILO", "report": "JIU/REP/2099/1"}).status_code == 404
    finally:
        s.close()


# --- loading ---------------------------------------------------------------------------------

def test_filled_ilo_template_loads_beside_wipo(store_dir, tmp_path):
    out = tmp_path / "ilo.csv"
    assert jiukg("template", "--org", "ILO", "--report", REPORT, "--store", store_dir, "--out", str(out)).returncode == 0
    write_csv(out, fill(read_csv(out), ILO_EN))
    r = jiukg("load", str(out), "--store", store_dir)  # the metadata beside it names the organisation
    assert r.returncode == 0, r.stderr
    assert "4 status" in r.stdout and "1 deferral" in r.stdout

    q = jiukg("query", "recommendation-status", "--param", "org=ILO", "--format", "csv", "--store", store_dir)
    assert q.returncode == 0, q.stderr
    ilo = rows_of(q.stdout)
    sub = "JIUKG/STATUS/ILO/JIU/REP/2024/4/2025-06-30"
    assert [(x["rec"], x["acceptance"], x["implementation"], x["asOf"], x["source"]) for x in ilo] == [
        ("1", "accepted", "in-progress", "2025-06-30", sub), ("2", "accepted", "not-started", "2025-06-30", sub),
        ("3", "under-consideration", "", "2025-06-30", sub), ("5", "not-accepted", "", "2025-06-30", sub)]
    both = rows_of(jiukg("query", "recommendation-status", "--param", f"report={REPORT}", "--format", "csv",
                         "--store", store_dir).stdout)
    assert {x["organization"] for x in both if x["rec"] == "1"} == {"ILO", "WIPO"}
    d = rows_of(jiukg("query", "ceb-deferrals", "--param", "org=ILO", "--format", "csv", "--store", store_dir).stdout)
    assert [(x["rec"], x["mechanism"]) for x in d] == [("2", "HLCM")]


def test_each_statement_is_derived_from_its_row(store_dir, tmp_path):
    from jiukg import pipeline
    from jiukg.namespaces import graph_iri
    from jiukg.store import open_store

    out = tmp_path / "ilo.csv"
    assert jiukg("template", "--org", "ILO", "--report", REPORT, "--store", store_dir, "--out", str(out)).returncode == 0
    write_csv(out, fill(read_csv(out), ILO_EN))
    s = open_store(store_dir)
    try:
        pipeline.load(s, [out])
        g = s.graph(graph_iri("JIUKG/STATUS/ILO/JIU/REP/2024/4/2025-06-30"))
    finally:
        s.close()
    lines = out.read_bytes().decode("utf-8").split("\r\n")
    for stmt in g.subjects(RDF.type, JIU.StatusStatement):
        passage = g.value(stmt, PROV.wasDerivedFrom)
        n = int(g.value(passage, JIU.startLine))
        rec = str(g.value(stmt, JIU.aboutRecommendation)).rsplit("/", 1)[-1]
        assert lines[n - 1].startswith(f"{REPORT},{rec},")
        assert str(g.value(passage, JIU.passageText)) == lines[n - 1]


def test_an_unknown_status_word_is_refused_naming_row_and_column_and_nothing_is_written(store_dir, tmp_path):
    out = tmp_path / "ilo.csv"
    assert jiukg("template", "--org", "ILO", "--report", REPORT, "--store", store_dir, "--out", str(out)).returncode == 0
    bad = dict(ILO_EN)
    bad[2] = ["acepted", *ILO_EN[2][1:]]  # row 3 of the file
    write_csv(out, fill(read_csv(out), bad))
    before = jiukg("export", "--store", store_dir).stdout
    r = jiukg("load", str(out), "--store", store_dir)
    assert r.returncode != 0
    assert "row 3, column acceptance: 'acepted' is not a value of the scheme" in r.stderr
    zh = jiukg("load", str(out), "--store", store_dir, "--lang", "zh")
    assert "第 3 行，“接受情况”列：“acepted”不是概念体系“接受情况”中的值" in zh.stderr
    assert sorted(jiukg("export", "--store", store_dir).stdout.splitlines()) == sorted(before.splitlines())


def test_chinese_labels_load_the_same_as_notations(store_dir, tmp_path):
    from jiukg import pipeline

    zh = tmp_path / "zh" / "ilo.csv"
    en = tmp_path / "en" / "ilo.csv"
    zh.parent.mkdir()
    en.parent.mkdir()
    for path, lang, values in ((zh, "zh", ILO_ZH), (en, "en", None)):
        assert jiukg("template", "--org", "ILO", "--report", REPORT, "--lang", lang, "--store", store_dir,
                     "--out", str(path)).returncode == 0
        if values is None:  # notations: the schemes' codes, the mechanism's acronym
            values = {1: ["accepted", "in-progress", *ILO_EN[1][2:]], 2: ["accepted", "not-started", *ILO_EN[2][2:]],
                      3: ["under-consideration", "", "", "", "", "2025-06-30"],
                      5: ["not-accepted", "", "", ILO_EN[5][3], "", "2025-06-30"]}
        write_csv(path, fill(read_csv(path), values))

    def statements(path: Path) -> set:
        (g,) = pipeline.prepare(path, known=lambda report: {1, 2, 3, 4, 5}).graphs.values()
        keep = {JIU.aboutRecommendation, JIU.acceptance, JIU.implementation, JIU.asOf, JIU.reportingOrganization,
                JIU.responsibleOfficial, JIU.managementAssessment, JIU.deferredTo}
        return {t for t in g if t[1] in keep}

    a, b = statements(zh), statements(en)
    assert a == b and len({t[0] for t in a}) == 4
    assert (URIRef("https://w3id.org/jiukg/id/doc/JIU/REP/2024/4/rec/2/status/ILO/JIUKG-STATUS-ILO-JIU-REP-2024-4-"
                   "2025-06-30"), JIU.deferredTo, URIRef("https://w3id.org/jiukg/id/org/HLCM")) in a
    # and through the gate into the store: the same rows
    r = jiukg("load", str(zh), "--store", store_dir)
    assert r.returncode == 0, r.stderr
    first = jiukg("query", "recommendation-status", "--param", "org=ILO", "--format", "csv", "--store", store_dir).stdout
    r = jiukg("load", str(en), "--store", store_dir)  # the same submission: replaces the graph
    assert r.returncode == 0, r.stderr
    assert jiukg("query", "recommendation-status", "--param", "org=ILO", "--format", "csv",
                 "--store", store_dir).stdout == first


def test_filled_xlsx_loads_like_the_csv(store_dir, tmp_path):
    import openpyxl

    from jiukg import pipeline
    from jiukg.store import open_store

    out = tmp_path / "ilo.xlsx"
    assert jiukg("template", "--org", "ILO", "--report", REPORT, "--format", "xlsx", "--lang", "zh",
                 "--store", store_dir, "--out", str(out)).returncode == 0
    wb = openpyxl.load_workbook(out)
    ws = wb.worksheets[0]
    for r in range(2, ws.max_row + 1):
        values = ILO_ZH[ws.cell(r, 2).value]
        for k, v in enumerate(values[:-1], start=3):
            ws.cell(r, k).value = v or None
        ws.cell(r, 8).value = date.fromisoformat(values[-1])
    wb.save(out)
    s = open_store(store_dir)
    try:
        summary = pipeline.load(s, [out])
        assert summary.records["status"] == 4 and summary.records["deferral"] == 1
    finally:
        s.close()
    rows = rows_of(jiukg("query", "recommendation-status", "--param", "org=ILO", "--format", "csv",
                         "--store", store_dir).stdout)
    assert [(x["rec"], x["acceptance"]) for x in rows] == [
        ("1", "accepted"), ("2", "accepted"), ("3", "under-consideration"), ("5", "not-accepted")]


def test_a_csv_without_metadata_needs_the_organisation(store_dir, tmp_path):
    out = tmp_path / "ilo.csv"
    assert jiukg("template", "--org", "ILO", "--report", REPORT, "--store", store_dir, "--out", str(out)).returncode == 0
    write_csv(out, fill(read_csv(out), ILO_EN))
    alone = tmp_path / "alone"
    alone.mkdir()
    shutil.copy(out, alone / "status.csv")
    r = jiukg("load", str(alone / "status.csv"), "--store", store_dir)
    assert r.returncode != 0 and "the organization is not known" in r.stderr
    r = jiukg("load", str(alone / "status.csv"), "--org", "ILO", "--store", store_dir)
    assert r.returncode == 0, r.stderr
    # the metadata says ILO: submitting it for WIPO is refused
    r = jiukg("load", str(out), "--org", "WIPO", "--store", store_dir)
    assert r.returncode != 0 and "the file is the template of ILO, but it is submitted for WIPO" in r.stderr


@pytest.mark.parametrize(("values", "where"), [
    ({1: ["accepted", "in progress", "", "", "", "2025-02-30"]}, "row 2, column asOf: '2025-02-30' is not a date"),
    ({1: ["not accepted", "implemented", "", "", "", "2025-06-30"]}, "row 2, column implementation: an implementation"),
    ({2: ["accepted", "", "", "", "the Security Council", "2025-06-30"]}, "row 3, column mechanism: 'the Security"),
    ({3: ["", "", "Treasurer", "", "", "2025-06-30"]}, "row 4, column acceptance: the acceptance status is missing"),
    ({5: ["accepted", "", "", "", "", "2999-01-01"]}, "row 5, column asOf: 2999-01-01 is in the future"),
])
def test_row_errors_name_row_and_column(values, where, store_dir, tmp_path):
    out = tmp_path / "ilo.csv"
    assert jiukg("template", "--org", "ILO", "--report", REPORT, "--store", store_dir, "--out", str(out)).returncode == 0
    write_csv(out, fill(read_csv(out), values))
    sheet = st.read(out, out.read_bytes())
    with pytest.raises(st.TemplateRefused) as e:
        st.check(sheet, known=lambda report: {1, 2, 3, 4, 5})
    assert any(m.startswith(where) for m in e.value.errors), e.value.errors


def test_a_recommendation_the_graph_does_not_hold_is_refused(store_dir, tmp_path):
    out = tmp_path / "ilo.csv"
    assert jiukg("template", "--org", "ILO", "--report", REPORT, "--store", store_dir, "--out", str(out)).returncode == 0
    rows = fill(read_csv(out), ILO_EN) + [[REPORT, "9", "accepted", "implemented", "", "", "", "2025-06-30"]]
    write_csv(out, rows)
    r = jiukg("load", str(out), "--store", store_dir)
    assert r.returncode != 0 and "row 6, column rec: JIU/REP/2024/4 has no recommendation 9 in jiukg" in r.stderr


def test_post_data_takes_a_filled_csv_and_refuses_a_bad_one_whole(store_dir, tmp_path):
    import httpx

    from jiukg.config import Settings
    from jiukg.store import open_store
    from tests._service_server import serve

    s = open_store(store_dir)
    try:
        with serve(s, settings=Settings(write_token="t")) as url:
            auth = {"Authorization": "Bearer t", "Content-Type": "text/csv"}
            text = httpx.get(f"{url}/template", params={"org": "ILO", "report": REPORT}).text
            rows = list(csv.reader(io.StringIO(text)))
            bad = io.StringIO()
            csv.writer(bad).writerows(fill(rows, {**ILO_EN, 1: ["oui", *ILO_EN[1][1:]]}))
            before = httpx.get(f"{url}/dump", params={"format": "nquads"}, timeout=30).content
            r = httpx.post(f"{url}/data", params={"org": "ILO", "lang": "zh"}, content=bad.getvalue().encode(),
                           headers=auth, timeout=60)
            assert r.status_code == 422 and r.json()["written"] is False
            assert r.json()["errors"][0].startswith("第 2 行，“接受情况”列：“oui”")
            assert httpx.get(f"{url}/dump", params={"format": "nquads"}, timeout=30).content == before
            good = io.StringIO()
            csv.writer(good).writerows(fill(rows, ILO_EN))
            r = httpx.post(f"{url}/data", params={"org": "ILO"}, content=good.getvalue().encode(), headers=auth,
                           timeout=60)
            assert r.status_code == 200, r.text
            assert r.json()["records"]["status"] == 4
            page = httpx.get(f"{url}/id/doc/JIU/REP/2024/4/rec/1", headers={"Accept": "text/turtle"})
            assert "status/ILO/JIUKG-STATUS-ILO-JIU-REP-2024-4-2025-06-30" in page.text
    finally:
        s.close()


def test_a_scoped_token_submits_for_its_own_organisation_only(store_dir):
    """Tokens scoped to an organisation (jiukg.auth): ILO's token submits ILO's template into ILO's own
    submission graph, with no graph prefix configured; WIPO's token asking to submit for ILO is 403 and
    nothing is written."""
    import json

    import httpx

    from jiukg.auth import digest
    from jiukg.config import Settings
    from jiukg.store import open_store
    from tests._service_server import serve

    tokens = {"organisations": {"ILO": {"graphs": []}, "WIPO": {"graphs": []}},
              "tokens": [{"name": "ilo", "organisation": "ILO", "hash": f"sha256:{digest('ilo-t')}"},
                         {"name": "wipo", "organisation": "WIPO", "hash": f"sha256:{digest('wipo-t')}"}]}
    s = open_store(store_dir)
    try:
        with serve(s, settings=Settings(write_tokens=json.dumps(tokens))) as url:
            text = httpx.get(f"{url}/template", params={"org": "ILO", "report": REPORT}).text
            filled = io.StringIO()
            csv.writer(filled).writerows(fill(list(csv.reader(io.StringIO(text))), ILO_EN))
            body = filled.getvalue().encode()
            before = httpx.get(f"{url}/dump", params={"format": "nquads"}, timeout=30).content
            r = httpx.post(f"{url}/data", params={"org": "ILO"}, content=body, timeout=60,
                           headers={"Authorization": "Bearer wipo-t", "Content-Type": "text/csv"})
            assert r.status_code == 403, r.text
            assert httpx.get(f"{url}/dump", params={"format": "nquads"}, timeout=30).content == before
            r = httpx.post(f"{url}/data", content=body, timeout=60,  # no ?org=: the token says whose it is
                           headers={"Authorization": "Bearer ilo-t", "Content-Type": "text/csv"})
            assert r.status_code == 200, r.text
            assert r.json()["records"]["status"] == 4
            assert r.json()["graphs"] == ["https://w3id.org/jiukg/graph/JIUKG/STATUS/ILO/JIU/REP/2024/4/2025-06-30"]
    finally:
        s.close()


def _xlsx_of(template: bytes, values: dict) -> bytes:
    """A workbook template filled like `fill` fills a CSV (columns acceptance..asOf of recommendation N)."""
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(template))
    ws = wb.worksheets[0]
    for r in range(2, ws.max_row + 1):
        if ws.cell(r, 2).value in values:
            row = values[ws.cell(r, 2).value]
            for k, v in enumerate(row[:-1], start=3):
                ws.cell(r, k).value = v or None
            ws.cell(r, 8).value = date.fromisoformat(row[-1])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_the_graph_store_takes_a_filled_template_into_its_submission_graph(store_dir):
    """PUT /store?graph=<the submission's graph> with text/csv or XLSX: read by the template loader (org from the
    token), checked, written, answered by the catalogue; a bad status word is 422 naming row and column with the
    store unchanged; another graph than the file's is 400; WIPO's token on ILO's graph is 403."""
    import json

    import httpx

    from jiukg.auth import digest
    from jiukg.config import Settings
    from jiukg.store import open_store
    from tests._service_server import serve

    tokens = {"organisations": {"ILO": {"graphs": []}, "WIPO": {"graphs": []}},
              "tokens": [{"name": "ilo", "organisation": "ILO", "hash": f"sha256:{digest('ilo-t')}"},
                         {"name": "wipo", "organisation": "WIPO", "hash": f"sha256:{digest('wipo-t')}"}]}
    graph = "https://w3id.org/jiukg/graph/JIUKG/STATUS/ILO/JIU/REP/2024/4/2025-06-30"
    ilo = {"Authorization": "Bearer ilo-t", "Content-Type": "text/csv"}
    s = open_store(store_dir)
    try:
        with serve(s, settings=Settings(write_tokens=json.dumps(tokens))) as url:
            def dump() -> bytes:
                return httpx.get(f"{url}/dump", params={"format": "nquads"}, timeout=30).content

            def csv_of(values: dict) -> bytes:
                text = httpx.get(f"{url}/template", params={"org": "ILO", "report": REPORT}).text
                out = io.StringIO()
                csv.writer(out).writerows(fill(list(csv.reader(io.StringIO(text))), values))
                return out.getvalue().encode()

            before = dump()
            bad = csv_of({**ILO_EN, 2: ["acepted", *ILO_EN[2][1:]]})
            r = httpx.put(f"{url}/store", params={"graph": graph}, content=bad, headers=ilo, timeout=60)
            assert r.status_code == 422 and r.json()["written"] is False
            assert r.json()["errors"][0].startswith("row 3, column acceptance: 'acepted' is not a value")
            good = csv_of(ILO_EN)
            r = httpx.put(f"{url}/store", params={"graph": graph}, content=good, timeout=60,
                          headers={"Authorization": "Bearer wipo-t", "Content-Type": "text/csv"})
            assert r.status_code == 403, r.text
            elsewhere = "https://w3id.org/jiukg/graph/JIUKG/STATUS/ILO/JIU/REP/2024/4/2024-12-31"
            r = httpx.put(f"{url}/store", params={"graph": elsewhere}, content=good, headers=ilo, timeout=60)
            assert r.status_code == 400 and graph in r.text, r.text
            assert dump() == before

            r = httpx.put(f"{url}/store", params={"graph": graph}, content=good, headers=ilo, timeout=60)
            assert r.status_code == 201, r.text
            assert r.json()["graph"] == graph and r.json()["records"]["status"] == 4
            assert r.headers["location"].endswith("/store/JIUKG/STATUS/ILO/JIU/REP/2024/4/2025-06-30")
            q = httpx.get(f"{url}/queries/recommendation-status", params={"org": "ILO", "format": "csv"}, timeout=60)
            sub = "JIUKG/STATUS/ILO/JIU/REP/2024/4/2025-06-30"
            assert [(x["rec"], x["acceptance"], x["implementation"], x["source"]) for x in rows_of(q.text)] == [
                ("1", "accepted", "in-progress", sub), ("2", "accepted", "not-started", sub),
                ("3", "under-consideration", "", sub), ("5", "not-accepted", "", sub)]

            # the same submission as XLSX, PUT again: it replaces the graph (200: the graph was there)
            later = {**ILO_EN, 1: ["accepted", "implemented", *ILO_EN[1][2:]]}
            xlsx = _xlsx_of(httpx.get(f"{url}/template", params={"org": "ILO", "report": REPORT, "format": "xlsx"}
                                      ).content, later)
            r = httpx.put(f"{url}/store", params={"graph": graph}, content=xlsx, timeout=60,
                          headers={"Authorization": "Bearer ilo-t", "Content-Type": st.XLSX_TYPE})
            assert r.status_code == 200, r.text
            q = httpx.get(f"{url}/queries/recommendation-status", params={"org": "ILO", "format": "csv"}, timeout=60)
            assert [(x["rec"], x["implementation"]) for x in rows_of(q.text)][0] == ("1", "implemented")

            # POST to the store alone: the service names the graph after the submission (a later one here)
            newer = {n: [*v[:-1], "2025-12-31"] for n, v in ILO_EN.items()}
            r = httpx.post(f"{url}/store", content=csv_of(newer), headers=ilo, timeout=60)
            assert r.status_code == 201, r.text
            assert r.json()["graph"] == graph.replace("2025-06-30", "2025-12-31")
            assert httpx.get(r.headers["location"], headers={"Accept": "text/turtle"}).status_code == 200
    finally:
        s.close()


# --- words and reference data ------------------------------------------------------------------

def test_column_titles_name_one_column_in_every_language():
    seen: dict[str, str] = {}
    for name in (*st.COLUMNS, *st.CONTEXT):
        for lang, title in st.titles(name).items():
            key = title.casefold()
            assert seen.setdefault(key, name) == name, (title, lang)
            assert st.column_of(title)[0] == name
    assert [st.titles(c)["en"] for c in st.COLUMNS] == HEADER.split(",")


def test_drop_down_order_covers_each_scheme():
    for scheme, order in st.SCHEME_ORDER.items():
        assert set(st.status_values(scheme).values()) == set(order)


def test_all_28_participating_organisations_are_named_in_six_languages():
    from rdflib.namespace import SKOS

    from jiukg.ontology import reference_graph

    g = reference_graph()
    orgs = set(g.subjects(RDF.type, JIU.ParticipatingOrganization))
    assert {str(o).rsplit("/", 1)[-1] for o in orgs} == {
        "UN", "FAO", "IAEA", "ICAO", "ILO", "IMO", "ITC", "ITU", "UNAIDS", "UNCTAD", "UNDP", "UNEP", "UNESCO",
        "UNFPA", "UN-Habitat", "UNHCR", "UNICEF", "UNIDO", "UNODC", "UNOPS", "UNRWA", "UN-Tourism", "UN-Women",
        "UPU", "WFP", "WHO", "WIPO", "WMO"}
    for o in orgs:
        assert {lbl.language for lbl in g.objects(o, SKOS.prefLabel)} == {"zh", "en", "fr", "es", "ru", "ar"}, o
    assert st.organisation("OIT") == st.organisation("ILO") == st.organisation("国际劳工组织")


# The CSVW context terms the template uses, written out so the JSON-LD parser fetches nothing
# (the metadata's "@context" names http://www.w3.org/ns/csvw, which a parser would otherwise fetch).
CSVW_TERMS = {
    "csvw": "http://www.w3.org/ns/csvw#", "dc": "http://purl.org/dc/terms/", "oa": "http://www.w3.org/ns/oa#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "xsd": "http://www.w3.org/2001/XMLSchema#",
    "url": {"@id": "csvw:url", "@type": "@id"},
    "tableSchema": {"@id": "csvw:tableSchema"},
    "columns": {"@id": "csvw:column", "@container": "@list"},
    "name": {"@id": "csvw:name"},
    "titles": {"@id": "csvw:title", "@container": "@language"},
    "datatype": {"@id": "csvw:datatype", "@type": "@vocab"},
    "base": {"@id": "csvw:base", "@type": "@vocab"},
    "format": {"@id": "csvw:format"},
    "minimum": {"@id": "csvw:minimum"},
    "required": {"@id": "csvw:required"},
    "dialect": {"@id": "csvw:dialect"}, "header": {"@id": "csvw:header"}, "encoding": {"@id": "csvw:encoding"},
    "primaryKey": {"@id": "csvw:primaryKey"},
    "notes": {"@id": "csvw:note"},
    "string": "xsd:string", "integer": "xsd:integer", "date": "xsd:date",
}
CSVW = type("CSVW", (), {k: URIRef("http://www.w3.org/ns/csvw#" + k) for k in ("tableSchema", "column", "name",
                                                                             "title")})
DC = type("DC", (), {"conformsTo": URIRef("http://purl.org/dc/terms/conformsTo")})


# --- hostile and odd input ------------------------------------------------------------------------

def test_workbooks_are_parsed_without_xml_entity_expansion():
    import openpyxl.xml

    assert openpyxl.xml.DEFUSEDXML  # openpyxl reads through defusedxml when it is installed (pyproject.toml)


def test_a_workbook_without_the_template_header_is_refused(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.append(["name", "value"])
    wb.active.append(["x", 1])
    out = tmp_path / "other.xlsx"
    wb.save(out)
    with pytest.raises(st.UnrecognisedDocument, match="the first row must be the template's header"):
        st.load(out, out.read_bytes(), org="ILO")
    assert st.sniff(b"PK\x03\x04 not a zip") is None


def test_the_metadata_file_alone_loads_the_csv_it_names(store_dir, tmp_path):
    from jiukg import pipeline

    out = tmp_path / "ilo.csv"
    assert jiukg("template", "--org", "ILO", "--report", REPORT, "--store", store_dir, "--out", str(out)).returncode == 0
    write_csv(out, fill(read_csv(out), ILO_EN))
    md = tmp_path / "ilo.csv-metadata.json"
    p = pipeline.prepare(md, known=lambda report: {1, 2, 3, 5})
    assert p.records["status"] == 4
    assert pipeline.prepare(out, known=lambda report: {1, 2, 3, 5}).graphs.keys() == p.graphs.keys()
    out.unlink()
    with pytest.raises(st.UnrecognisedDocument, match="ilo.csv"):
        pipeline.prepare(md)


def test_template_statements_go_through_the_shacl_gate(store_dir, tmp_path):
    """What the row checks let through still meets the shapes: a statement stripped of its acceptance
    after the loader is refused by the gate, and nothing is written."""
    from jiukg import pipeline
    from jiukg.store import open_store

    out = tmp_path / "ilo.csv"
    assert jiukg("template", "--org", "ILO", "--report", REPORT, "--store", store_dir, "--out", str(out)).returncode == 0
    write_csv(out, fill(read_csv(out), ILO_EN))
    s = open_store(store_dir)
    try:
        pr = pipeline.prepare(out)
        (g,) = pr.graphs.values()
        g.remove((None, JIU.acceptance, None))
        before = s.count()
        with pytest.raises(pipeline.WriteRefused) as e:
            pipeline.commit(s, [pr])
        focus = {str(r.focus).rsplit("/status/", 1)[0] for r in e.value.report.results if r.severity == "Violation"}
        assert focus == {f"https://w3id.org/jiukg/id/doc/{REPORT}/rec/{n}" for n in (1, 2, 3, 5)}
        assert s.count() == before
    finally:
        s.close()


def test_semicolon_csv_and_workbook_day_numbers_are_read(tmp_path):
    """What spreadsheets write: ';' between cells in French or Spanish locales, a date typed into a
    cell without a date format kept as Excel's day number."""
    import openpyxl

    out = tmp_path / "status.csv"
    out.write_text("rapport;recommandation;acceptation;application;responsable;évaluation;mécanisme;situation au\r\n"
                   f"{REPORT};2;acceptée;en cours d'application;;;CCS;2025-06-30\r\n", encoding="utf-8-sig")
    sheet = st.read(out, out.read_bytes())
    org, lang, report, rows, _ = st.check(sheet, org="ILO")
    assert (lang, report) == ("fr", REPORT)
    assert [(r.rec, r.acceptance, r.implementation, str(r.mechanism), r.as_of) for r in rows] == [
        (2, "accepted", "in-progress", "https://w3id.org/jiukg/id/org/CEB", date(2025, 6, 30))]

    wb = openpyxl.Workbook()
    wb.active.append(HEADER.split(","))
    wb.active.append([REPORT, 1, "accepted", "implemented", None, None, None, 45838])  # 2025-06-30 (45658 is 2025-01-01)
    x = tmp_path / "status.xlsx"
    wb.save(x)
    _, _, _, rows, _ = st.check(st.read(x, x.read_bytes()), org="ILO", today=date(2026, 1, 1))
    assert rows[0].as_of == date(2025, 6, 30)


@pytest.mark.parametrize("lang", ["zh", "fr"])
def test_messages_are_translated_whole(lang):
    """Every message of the English lexicon in zh and fr, with the same placeholders."""
    import string

    def fields(text: str) -> set:
        return {f for _, f, _, _ in string.Formatter().parse(text) if f}

    en, own = st._toml("en")["messages"], st._toml(lang)["messages"]
    assert set(own) == set(en)
    assert {k: fields(v) for k, v in own.items()} == {k: fields(v) for k, v in en.items()}
