"""Conversions between rdflib terms (what crosses the store interface) and pyoxigraph's
and SPARQL results' terms. A module of its own so that base (the interface) and
sparql (the query checks) both use it without importing each other."""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Identifier

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


def to_ox(term: Identifier):
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"cannot store {term!r}")


def from_ox(term) -> Identifier | None:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        dt = term.datatype.value
        if dt == XSD_STRING:
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(dt))
    if isinstance(term, ox.DefaultGraph) or term is None:
        return None
    raise TypeError(f"unexpected term {term!r}")


def from_json(b: dict) -> Identifier:
    """One binding of SPARQL 1.1 JSON results, also Virtuoso's 'typed-literal'. Language tags
    are lower-cased as Oxigraph does, so every backend gives equal terms."""
    t, v = b["type"], b["value"]
    if t == "typed-literal":
        t = "literal"
    return results_term(t, v, b.get("xml:lang") or b.get("lang"), b.get("datatype"), "JSON")


def results_term(kind: str, value: str, lang: str | None, datatype: str | None, syntax: str) -> Identifier:
    """A term of SPARQL results (JSON or XML), read the same way for every server."""
    if kind == "uri":
        return URIRef(value)
    if kind == "bnode":
        return BNode(value)
    if kind == "literal":
        if lang:
            return Literal(value, lang=lang.lower())
        if datatype and datatype not in (XSD_STRING, RDF_LANGSTRING):
            return Literal(value, datatype=URIRef(datatype))
        return Literal(value)
    raise ValueError(f"unknown term type {kind!r} in SPARQL {syntax} results")


def nt(term: Identifier) -> str:
    """N-Triples syntax of a term (for INSERT DATA), escaped by pyoxigraph."""
    return str(to_ox(term))


def iri_batches(terms, size: int):
    """The IRIs among `terms`, sorted, as the bodies of SPARQL VALUES blocks of at most `size` each. The
    IRIs come from the store or from data rdfparse checked (no `>` or space can stand in one), so they are
    written as they are: a million through `nt` would cost the gate 0.6 s."""
    iris = sorted(t for t in terms if isinstance(t, URIRef))
    for i in range(0, len(iris), size):
        yield " ".join(f"<{t}>" for t in iris[i:i + size])
