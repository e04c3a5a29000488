"""jiukg.rdfparse on its own: what it refuses, what it still reads, and the backstop under it."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS

sys.path.insert(0, str(Path(__file__).parent))
from test_hostile_input import Fifo, Listener, entity_bomb  # noqa: E402

from jiukg import rdfparse  # noqa: E402


@pytest.fixture
def listener():
    lst = Listener()
    yield lst
    lst.close()


def test_the_backstop_stops_a_parser_reaching_out_even_unchecked(listener, tmp_path):
    """Below the allow-list: while no_fetch() is on, rdflib's own JSON-LD loader can neither connect
    nor open a file, so a reference the checks missed still fetches nothing."""
    fifo = Fifo(tmp_path / "ctx.jsonld")
    try:
        for ctx in (listener.url + "ctx", str(fifo.path)):
            doc = json.dumps({"@context": ctx, "@id": "http://example.org/a", "p": 1})
            with pytest.raises(rdfparse.RDFRefused), rdfparse.no_fetch():
                Graph().parse(data=doc, format="json-ld")
        time.sleep(0.3)
        assert listener.connections == [] and not fifo.opened.is_set()
    finally:
        fifo.close()


def test_outside_the_block_the_thread_is_as_before(tmp_path):
    f = tmp_path / "x.txt"
    f.write_text("x")
    with rdfparse.no_fetch():
        pass
    assert f.read_text() == "x"


def test_jiukg_s_own_context_expands_without_a_fetch():
    doc = {"@context": "https://w3id.org/jiukg/context.jsonld", "@id": "https://w3id.org/jiukg/id/org/WIPO",
           "rdfs:label": {"@value": "世界知识产权组织", "@language": "zh"}}
    g = rdfparse.parse(json.dumps(doc).encode(), "json-ld")
    assert (URIRef("https://w3id.org/jiukg/id/org/WIPO"), RDFS.label, Literal("世界知识产权组织", lang="zh")) in g


def test_an_import_of_the_own_context_is_inlined():
    doc = {"@context": {"@version": 1.1, "@import": "https://w3id.org/jiukg/context.jsonld", "name": "rdfs:label"},
           "@id": "https://w3id.org/jiukg/id/x", "name": "x"}
    g = rdfparse.parse(json.dumps(doc).encode(), "json-ld")
    assert (URIRef("https://w3id.org/jiukg/id/x"), RDFS.label, Literal("x")) in g


def test_rdfxml_without_a_doctype_still_parses_and_a_bomb_is_refused_at_once():
    ok = (b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">'
          b'<rdf:Description rdf:about="http://example.org/a"><ex:p>v</ex:p></rdf:Description></rdf:RDF>')
    assert len(rdfparse.parse(ok, "xml")) == 1
    with pytest.raises(rdfparse.RDFRefused, match="DOCTYPE"):
        rdfparse.parse(entity_bomb(), "xml")
    # refused at its declaration, before any entity is used: the same bomb cut off inside its first use
    # (so no parser could read on) is refused for the DOCTYPE, not as broken XML
    bomb = entity_bomb()
    with pytest.raises(rdfparse.RDFRefused, match="DOCTYPE"):
        rdfparse.parse(bomb[: bomb.index(b"&lol9;") + 3], "xml")


@pytest.mark.parametrize("body", [b"@prefix : <http://e/> . { :a :b :c } => { :a :b :d } .",
                                  b"@prefix : <http://e/> . ?x :b :c .", b'@prefix : <http://e/> . "lit" :b :c .'])
def test_what_no_store_holds_is_refused(body):
    with pytest.raises(rdfparse.RDFRefused):
        rdfparse.parse(body, "n3")


@pytest.mark.parametrize("fmt,body", [
    ("turtle", b"<http://e/s> <http://e/p> <http://e/o\\u003E } #> ."),
    ("nt", b"<http://e/s> <http://e/p> \"1\"^^<http://e/d\\u0020x> ."),
    ("trig", b"<http://e/g\\u003E x> { <http://e/s> <http://e/p> \"o\" }"),
    ("nquads", b"<http://e/s> <http://e/p> \"o\" <http://e/g\\u003E> ."),
])
def test_an_iri_that_is_not_one_is_refused_wherever_it_stands(fmt, body):
    with pytest.raises(rdfparse.RDFRefused, match="not an IRI"):
        rdfparse.parse(body, fmt)
