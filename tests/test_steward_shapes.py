"""A data steward's own shapes: `jiukg validate --shapes` / `--only-shapes`, and POST /validate's form.

tests/data/steward/my.ttl uses a property shape with targets of its own, an
implicit class target and a SPARQL constraint on a sh:targetNode shape; the
report must be pyshacl's on the full W3C result key (focus node, path, value,
source constraint component, source shape, severity), and name each result's
shape.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from pyshacl import validate as pyshacl_validate
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from jiukg.namespaces import SH
from jiukg.ontology import static_graphs
from jiukg.validation import axioms, shapes_graph

STEWARD = Path(__file__).parent / "data" / "steward"
MY, DATA = STEWARD / "my.ttl", STEWARD / "data.ttl"
EX = "https://example.org/steward/"


def jiukg(*args, cwd) -> subprocess.CompletedProcess:
    import os

    env = {k: v for k, v in os.environ.items() if k != "JIUKG_STORE"}
    return subprocess.run([sys.executable, "-m", "jiukg.cli", *map(str, args)], capture_output=True, text=True,
                          check=False, cwd=cwd, timeout=300, env=env)


def keys(rg: Graph) -> list[tuple]:
    """The W3C result key of every result of a report graph (blank shapes by their node shape and path)."""
    def shape(s):
        if isinstance(s, URIRef):
            return str(s)
        return "[] " + " ".join(sorted(str(o) for o in rg.objects(s, SH.path))) if (s, SH.path, None) in rg \
            else "[]"

    out = []
    for rep in rg.subjects(RDF.type, SH.ValidationReport):
        for r in rg.objects(rep, SH.result):
            out.append(tuple(str(rg.value(r, SH[p]) or "") for p in (
                "focusNode", "resultPath", "value", "sourceConstraintComponent", "resultSeverity")) +
                (shape(rg.value(r, SH.sourceShape)),))
    return sorted(out)


def pyshacl_report(with_project: bool) -> Graph:
    """pyshacl over what jiukg validates (the data, the ontology and reference data, the shapes' axioms)."""
    data = Graph().parse(DATA)
    for g in static_graphs().values():
        data += g
    shapes = Graph().parse(MY)
    if with_project:
        for t in axioms():
            data.add(t)
        shapes += shapes_graph()
    _, rg, _ = pyshacl_validate(data, shacl_graph=shapes, inference="none", allow_warnings=True)
    # pyshacl leaves blank property shapes undescribed: say which path each has, as jiukg's report does
    for s in set(rg.objects(None, SH.sourceShape)):
        for p in shapes.objects(s, SH.path):
            rg.add((s, SH.path, p))
    return rg


@pytest.mark.parametrize("only", [False, True], ids=["added", "only"])
def test_validate_with_stewards_shapes_gives_pyshacls_report(tmp_path, only):
    args = ["validate", "--shapes", MY, DATA, "--format", "turtle"] + (["--only-shapes"] if only else [])
    r = jiukg(*args, cwd=tmp_path)
    assert r.returncode == 1, r.stderr
    got = keys(Graph().parse(data=r.stdout, format="turtle"))
    assert got == keys(pyshacl_report(with_project=not only))
    focus = {k[0] for k in got}
    shapes = {k[5] for k in got}
    # each feature of my.ttl reports, and nothing runs where it should not
    assert EX + "EmailShape" in shapes  # the property shape's own target (ex:dora has no class)
    assert EX + "ann" in focus and EX + "chief" in focus  # implicit class target, through a subclass too
    assert (EX + "chief", "", EX + "chief", str(SH.SPARQLConstraintComponent), str(SH.Violation),
            EX + "ChiefShape") in got  # the SPARQL shape on its one target, sh:value the focus node
    assert not any(k[0] == EX + "carl" and k[5] == EX + "ChiefShape" for k in got)
    assert len(got) == 8


def test_report_names_the_shape_of_each_result(tmp_path):
    r = jiukg("validate", "--shapes", MY, DATA, "--format", "json", cwd=tmp_path)
    doc = json.loads(r.stdout)
    assert all(res["shape"] for res in doc["results"])
    assert {res["shape"] for res in doc["results"]} >= {EX + "EmailShape", EX + "ChiefShape"}
    assert doc["summary"]["engine"] == "compiled" and doc["summary"]["shapes"] == "shapes/ + my.ttl"
    table = jiukg("validate", "--shapes", MY, DATA, cwd=tmp_path).stdout
    chief = [line for line in table.splitlines() if "no deputy" in line]
    assert chief and chief[0].rstrip().endswith("— " + EX + "ChiefShape")
    # a blank property shape is named by its node shape and path; a missing message says what failed
    assert any(line.rstrip().endswith(f"— {EX}Auditor {EX}name") and "does not satisfy sh:minCount" in line
               for line in table.splitlines())


def test_shapes_that_shacl_refuses_are_refused_before_anything_runs(tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text(MY.read_text().replace("FILTER NOT EXISTS", "MINUS"), encoding="utf-8")
    r = jiukg("validate", "--shapes", bad, DATA, cwd=tmp_path)
    assert r.returncode == 2 and r.stdout == ""
    assert "MINUS is not allowed" in r.stderr and "§5.2.1" in r.stderr
    broken = tmp_path / "broken.ttl"
    broken.write_text("ex:x a sh:NodeShape", encoding="utf-8")
    r = jiukg("validate", "--shapes", broken, DATA, cwd=tmp_path)
    assert r.returncode == 2 and "broken.ttl" in r.stderr
    r = jiukg("validate", "--only-shapes", DATA, cwd=tmp_path)
    assert r.returncode == 2 and "--only-shapes needs" in r.stderr


def test_handover_is_said_in_the_report(tmp_path):
    """Shapes the compiled engine does not implement (sh:closed) go to pyshacl as a whole, and the
    report says so and why."""
    closed = tmp_path / "closed.ttl"
    closed.write_text(MY.read_text() + "\n@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .\n"
                      "ex:Auditor sh:closed true ; sh:ignoredProperties ( rdf:type ) .\n", encoding="utf-8")
    doc = json.loads(jiukg("validate", "--only-shapes", "--shapes", closed, DATA, "--format", "json",
                           cwd=tmp_path).stdout)
    assert doc["summary"]["engine"].startswith("pyshacl (hand-over: ") and "sh:closed" in doc["summary"]["engine"]
    assert any(res["constraint"] == str(SH.ClosedConstraintComponent) for res in doc["results"])


@pytest.fixture
def client(memory_store):
    from fastapi.testclient import TestClient

    from service.app import create_app

    with TestClient(create_app(memory_store)) as c:
        yield c


def test_post_validate_form_with_shapes(client):
    before = client.app.state.store.count()
    files = [("data", ("data.ttl", DATA.read_bytes(), "text/turtle")),
             ("shapes", ("my.ttl", MY.read_bytes(), "text/turtle"))]
    r = client.post("/validate", files=files)
    assert r.status_code == 200 and r.headers["x-conforms"] == "false"
    doc = r.json()
    assert doc["summary"]["shapes"] == "shapes/ + my.ttl" and len(doc["results"]) == 8
    r = client.post("/validate", files=files, data={"only_shapes": "1"}, headers={"Accept": "text/turtle"})
    assert keys(Graph().parse(data=r.text, format="turtle")) == keys(pyshacl_report(with_project=False))
    r = client.post("/validate", files=files, headers={"Accept": "text/html"})
    assert f"<code>{EX}ChiefShape</code>" in r.text and "my.ttl" in r.text
    # refused shapes: 400 naming the reason; nothing written either way
    bad = MY.read_bytes().replace(b"FILTER NOT EXISTS", b"MINUS")
    r = client.post("/validate", files=[files[0], ("shapes", ("bad.ttl", bad, "text/turtle"))])
    assert r.status_code == 400 and "MINUS" in r.text
    assert client.app.state.store.count() == before


def test_validation_page_has_the_upload_form(client):
    page = client.get("/validate", headers={"Accept": "text/html"}).text
    assert 'enctype="multipart/form-data"' in page
    assert 'name="data"' in page and 'name="shapes"' in page and 'name="only_shapes"' in page
