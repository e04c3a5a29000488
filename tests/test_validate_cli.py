"""`jiukg validate`, the write gate of `jiukg load`, the HTTP routes, and the bundled corpus."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef

from jiukg import validation
from jiukg.namespaces import GRAPH, ID, SH

DATA = Path(__file__).parent / "data" / "shapes"
BASE_TTL = DATA / "base.ttl"
ST = "https://w3id.org/jiukg/id/doc/JIU/REP/2024/4/rec/2/status/WIPO/WO-PBC-38-2"


def jiukg(*args, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "jiukg.cli", *map(str, args)], capture_output=True, text=True, check=False,
                          cwd=cwd, timeout=300, env=_env())


def _env():
    import os

    env = dict(os.environ)
    env.pop("JIUKG_STORE", None)
    return env


@pytest.fixture
def broken_ttl(tmp_path) -> Path:
    """base.ttl with one violation (implementation status on a recommendation under
    consideration) and one warning (no management assessment), on one statement."""
    text = BASE_TTL.read_text(encoding="utf-8")
    text = text.replace("jiu:acceptance acc:accepted ; jiu:implementation impl:in-progress ;",
                        "jiu:acceptance acc:under-consideration ; jiu:implementation impl:in-progress ;")
    text = text.replace('jiu:managementAssessment "产权组织将在首协会框架内与相互承认做法社区合作。"@zh ;', "")
    assert "acc:under-consideration ; jiu:implementation" in text and "产权组织将在首协会框架内" not in text
    # same file name as base.ttl: loaded, it replaces the same named graph (file/base)
    (tmp_path / "v2").mkdir()
    p = tmp_path / "v2" / "base.ttl"
    p.write_text(text, encoding="utf-8")
    return p


def test_validate_conforming_file(tmp_path):
    r = jiukg("validate", BASE_TTL, "--store", tmp_path / "store")
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.strip().splitlines()[-1].startswith("conforms: 0 violations")


def test_validate_file_with_violation_prints_table(broken_ttl, tmp_path):
    r = jiukg("validate", broken_ttl, "--store", tmp_path / "store")
    assert r.returncode == 1, r.stdout + r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].startswith("id/doc/JIU/REP/2024/4/rec/2/status/WIPO/WO-PBC-38-2")
    body = "\n".join(lines[1:3])
    assert "Violation" in body and "jiu:implementation" in body and "only an accepted recommendation" in body
    assert "Warning" in body and "jiu:managementAssessment" in body
    assert lines[-1].startswith("does not conform: 1 violation, 1 warning")


def test_validate_lang_zh(broken_ttl, tmp_path):
    r = jiukg("validate", broken_ttl, "--lang", "zh", "--store", tmp_path / "store")
    assert r.returncode == 1
    assert "违规" in r.stdout and "警告" in r.stdout
    assert "只有已接受的建议才有落实状况" in r.stdout
    assert "only an accepted recommendation" not in r.stdout
    assert r.stdout.splitlines()[-1].startswith("不符合：1 项违规、1 项警告")


def test_validate_json_and_turtle(broken_ttl, tmp_path):
    r = jiukg("validate", broken_ttl, "--format", "json", "--store", tmp_path / "store")
    assert r.returncode == 1
    doc = json.loads(r.stdout)
    assert doc["conforms"] is False and doc["summary"]["violations"] == 1 and doc["summary"]["warnings"] == 1
    v = next(x for x in doc["results"] if x["severity"] == "Violation")
    assert v["focusNode"] == ST
    assert v["path"] == "https://w3id.org/jiukg/ontology#implementation"
    assert v["value"] == "https://w3id.org/jiukg/vocab/implementation/in-progress"
    assert v["sourceShape"].endswith("#StatusImplementationNeedsAcceptanceShape")
    assert set(v["message"]) == {"en", "zh"}

    r = jiukg("validate", broken_ttl, "--format", "turtle", "--store", tmp_path / "store")
    assert r.returncode == 1
    g = Graph().parse(data=r.stdout, format="turtle")
    rep = next(g.subjects(None, SH.ValidationReport))
    assert g.value(rep, SH.conforms) == Literal(False)
    sev = {g.value(res, SH.resultSeverity) for res in g.objects(rep, SH.result)}
    assert sev == {SH.Violation, SH.Warning}
    assert set(g.objects(None, SH.focusNode)) == {URIRef(ST)}


@pytest.mark.parametrize("name, content, line", [
    ("bad.ttl", "@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\nex:a ex:b \"unterminated .\n", 3),
    ("bad.nt", "<http://a> <http://b> <http://c> .\n<http://a> <http://b> .\n", 2),
    ("bad.jsonld", '{"@id": "http://a",\n "http://b": [1,\n}', 3),
])
def test_validate_unparsable_file(tmp_path, name, content, line):
    p = tmp_path / name
    p.write_text(content, encoding="utf-8")
    r = jiukg("validate", p, "--store", tmp_path / "store")
    assert r.returncode == 2, r.stdout + r.stderr
    err = r.stderr.strip()
    assert name in err and f"line {line}" in err, err
    assert "Traceback" not in err


def test_load_refused_leaves_store_unchanged(broken_ttl, tmp_path):
    store = tmp_path / "store"
    ok = jiukg("load", BASE_TTL, "--store", store)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    before = subprocess.run([sys.executable, "-m", "jiukg.cli", "export", "--format", "nquads", "--store", str(store)],
                            capture_output=True, timeout=300, env=_env(), check=False).stdout
    assert b"WO/PBC/38/2" in before
    # the same document, now broken: it would replace the graph, and must not
    refused = jiukg("load", broken_ttl, "--store", store)
    assert refused.returncode != 0
    assert "only an accepted recommendation" in refused.stderr
    assert "id/doc/JIU/REP/2024/4/rec/2/status/WIPO/WO-PBC-38-2" in refused.stderr
    assert "nothing was written" in refused.stderr
    after = subprocess.run([sys.executable, "-m", "jiukg.cli", "export", "--format", "nquads", "--store", str(store)],
                           capture_output=True, timeout=300, env=_env(), check=False).stdout
    assert after == before
    # and the store itself still validates
    r = jiukg("validate", "--store", store)
    assert r.returncode == 0, r.stdout + r.stderr


# --------------------------------------------------------------------------
# HTTP


@pytest.fixture
def client(memory_store):
    from fastapi.testclient import TestClient

    from service.app import create_app

    base = Graph().parse(BASE_TTL)
    # the graph an upload of a file with several source documents goes to: it is replaced, not added to
    memory_store.replace_graphs({GRAPH["file/upload"]: base})
    with TestClient(create_app(memory_store)) as c:
        yield c


def test_post_validate_json_turtle_html(client, broken_ttl):
    body = broken_ttl.read_bytes()
    r = client.post("/validate", content=body, headers={"Content-Type": "text/turtle"})
    assert r.status_code == 200 and r.headers["x-conforms"] == "false"
    doc = r.json()
    assert doc["summary"]["violations"] == 1
    r = client.post("/validate", content=body, headers={"Content-Type": "text/turtle", "Accept": "text/turtle"})
    g = Graph().parse(data=r.text, format="turtle")
    assert (None, SH.conforms, Literal(False)) in g
    r = client.post("/validate?lang=zh", content=body, headers={"Content-Type": "text/turtle", "Accept": "text/html"})
    assert r.headers["content-type"].startswith("text/html")
    page = r.text
    # the focus node links to its page on this service
    assert 'href="http://testserver/id/doc/JIU/REP/2024/4/rec/2/status/WIPO/WO-PBC-38-2"' in page
    assert "只有已接受的建议才有落实状况" in page and 'data-severity="Violation"' in page


def test_post_validate_other_syntaxes(client):
    g = Graph().parse(BASE_TTL)
    for ctype, fmt in (("application/n-triples", "nt"), ("application/ld+json", "json-ld")):
        r = client.post("/validate", content=g.serialize(format=fmt, encoding="utf-8"), headers={"Content-Type": ctype})
        assert r.status_code == 200, r.text
        assert r.json()["conforms"] is True
    r = client.post("/validate", content=b"<a> <b> .", headers={"Content-Type": "text/turtle"})
    assert r.status_code == 400 and "turtle" in r.text
    r = client.post("/validate", content=b"x", headers={"Content-Type": "image/png"})
    assert r.status_code == 415


def test_get_validate_store_and_filter(client, memory_store):
    r = client.get("/validate")
    assert r.status_code == 200 and r.json()["conforms"] is True
    # add a warning to the store: an empty management assessment
    g = memory_store.graph(GRAPH["file/upload"])
    ma = URIRef("https://w3id.org/jiukg/ontology#managementAssessment")
    g.set((URIRef(ST), ma, Literal(" ", lang="zh")))
    memory_store.replace_graphs({GRAPH["file/upload"]: g})
    doc = client.get("/validate").json()
    assert doc["conforms"] is True and doc["summary"]["warnings"] == 1
    assert client.get("/validate?severity=Violation").json()["results"] == []
    page = client.get("/validate?severity=Warning", headers={"Accept": "text/html"}).text
    assert 'data-severity="Warning"' in page and "WO-PBC-38-2" in page


# --------------------------------------------------------------------------
# the bundled corpus


def test_bundled_corpus_conforms(built_store):
    """The corpus builds (the gate let it through) and the whole store has no violation.

    Warnings expected, each right about the source: status statements of new
    recommendations under consideration whose management assessment is printed
    empty (WO/PBC/38/2, JIU/REP/2024/4 recommendations 1-3); recommendations whose
    text differs between WIPO's report and the CEB note; source documents whose
    issue date the loaders do not read; figures of A/76/644 that do not add up
    as printed."""
    report = validation.validate_store(built_store)
    violations = [r for r in report.results if r.severity == "Violation"]
    assert not violations, validation.render_text(report)
    assessment = [r for r in report.results if r.shape == URIRef("https://w3id.org/jiukg/shapes#StatusAssessmentShape")]
    assert {str(r.focus) for r in assessment} >= {
        str(ID[f"doc/JIU/REP/2024/4/rec/{n}/status/WIPO/WO-PBC-38-2"]) for n in (1, 2, 3)}
