"""The ontology page documents every SHACL shape: its target, its constraints in words, each
SPARQL rule's message and severity, in the page's language, with a link to the shapes as Turtle."""

from __future__ import annotations

import html
import re

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from jiukg import validation
from jiukg.validation import shapes
from jiukg.namespaces import SH
from jiukg.paths import CORPUS_DIR, SHAPES_DIR

JSH = "https://w3id.org/jiukg/shapes#"


@pytest.fixture(scope="module")
def client():
    from fastapi.testclient import TestClient

    from jiukg import pipeline
    from jiukg.store import open_store
    from service.app import create_app

    with open_store(":memory:") as st:
        pipeline.build(st, CORPUS_DIR)
        with TestClient(create_app(st)) as c:
            yield c


@pytest.fixture(scope="module")
def page_en(client) -> str:
    r = client.get("/ontology", headers={"Accept": "text/html"}, params={"lang": "en"})
    assert r.status_code == 200
    return r.text


def _text(page: str) -> str:
    """The page as a reader sees it: tags dropped, entities decoded, spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def test_every_shape_of_shapes_dir_is_on_the_page(page_en):
    """Each named shape (node and property shapes, read from the files themselves) is there by IRI
    (anchor title) and shown by its prefixed name."""
    named = set()
    for f in SHAPES_DIR.glob("*.ttl"):
        g = Graph().parse(f, format="turtle")
        named |= {s for t in (SH.NodeShape, SH.PropertyShape) for s in g.subjects(RDF.type, t) if isinstance(s, URIRef)}
    assert len(named) > 50
    text = _text(page_en)
    for s in sorted(named):
        assert f'title="{s}"' in page_en, s
        assert "jsh:" + str(s).removeprefix(JSH) in text, s
    # shapes whose targets are not jiu: classes are there too, with their targets in words
    assert "instances of qb:DataSet" in text and "instances of qb:Observation" in text
    assert "instances of time:Instant" in text
    assert "subjects of jiu:sourceChecksum" in text


def test_every_sparql_rule_shows_its_message_and_severity(page_en, client):
    sg = validation.shapes_graph()
    text = _text(page_en)
    rules = list(sg.subject_objects(SH.sparql))
    assert len(rules) > 20
    for shape, c in rules:
        (en,) = [m for m in sg.objects(c, SH.message) if m.language == "en"]
        severity = shapes._sev_name(sg.value(shape, SH.severity) or SH.Violation)
        assert f"SPARQL rule ({severity}): {' '.join(str(en).split())}" in text, shape
    zh = _text(client.get("/ontology", headers={"Accept": "text/html", "Accept-Language": "zh"}).text)
    for shape, c in rules:
        (msg,) = [m for m in sg.objects(c, SH.message) if m.language == "zh"]
        assert " ".join(str(msg).split()) in zh, shape
    assert "SPARQL 规则 (违规)" in zh and "SPARQL 规则 (警告)" in zh


def test_constraints_are_in_words(page_en):
    """sh:or, minLength, qualified counts and node-level rules, which the page used to leave out."""
    text = _text(page_en)
    assert "jiu:preparedBy jsh:DocumentPreparedBy either an instance of org:Organization or an instance of " \
           "org:Post Violation" in text
    assert "jiu:commentText jsh:CommentText at least 1 value; a language-tagged string; at most one per " \
           "language; at least 1 character" in text
    assert "at least 1 value in language zh" in text
    assert "the node itself an IRI; matching /^https://w3id\\.org/jiukg/id/doc// (Violation)" in text
    assert "exactly one of: time:inXSDDate: at least 1 value; time:inXSDgYear: at least 1 value" in text


def test_page_links_to_the_shapes_as_turtle(page_en, client):
    m = re.search(r'<a href="([^"]*/shapes\?format=ttl)">', page_en)
    assert m, "no link to /shapes"
    r = client.get(m.group(1))
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    g = Graph().parse(data=r.text, format="turtle")
    assert (URIRef(JSH + "InstantShape"), RDF.type, SH.NodeShape) in g
