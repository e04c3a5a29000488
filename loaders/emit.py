"""RDF emission helpers shared by all loaders: documents, passages, literals.

Keeps the provenance pattern in one place: record --prov:wasDerivedFrom-->
jiu:Passage --prov:wasQuotedFrom--> jiu:Document, the passage holding its exact
text, line range and character offsets.
"""

from __future__ import annotations

from datetime import date

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, XSD

from jiukg.namespaces import JIU, LANG, PREFIXES, concept, doc_iri, normalize_symbol, passage_iri

from .base import SourceText


def new_graph() -> Graph:
    g = Graph()
    for p, ns in PREFIXES.items():
        g.bind(p, ns)
    return g


def text_literal(value: str, lang: str) -> Literal:
    return Literal(value, lang=lang)


def date_literal(d: date) -> Literal:
    return Literal(d.isoformat(), datatype=XSD.date)


def document(g: Graph, symbol: str, cls: URIRef, kind: str, *, lang: str | None = None,
             title: str | None = None, issued: date | None = None, source: SourceText | None = None) -> URIRef:
    """Describe a document; with `source`, it is the one the statements were extracted from."""
    sym = normalize_symbol(symbol)
    d = doc_iri(sym)
    g.add((d, RDF.type, cls))
    g.add((d, JIU.symbol, Literal(sym)))
    g.add((d, RDFS.label, Literal(sym)))
    g.add((d, DCTERMS.type, concept("document-kind", kind)))
    if title and lang:
        g.add((d, DCTERMS.title, Literal(title, lang=lang)))
    if issued:
        g.add((d, DCTERMS.issued, date_literal(issued)))
    if source is not None:
        g.add((d, JIU.sourceChecksum, Literal(source.sha256)))
        if lang:
            g.add((d, DCTERMS.language, LANG[lang]))
    return d


def cited_document(g: Graph, symbol: str, *, adopted_by: URIRef | None = None) -> URIRef:
    """A document known only by its symbol because another cites it: typed a
    jiu:Resolution (with its kind) when the symbol is a resolution's, else jiu:Document."""
    sym = normalize_symbol(symbol)
    d = doc_iri(sym)
    resolution = "/RES/" in sym
    g.add((d, RDF.type, JIU.Resolution if resolution else JIU.Document))
    g.add((d, JIU.symbol, Literal(sym)))
    g.add((d, RDFS.label, Literal(sym)))
    if resolution:
        g.add((d, DCTERMS.type, concept("document-kind", "resolution")))
    if adopted_by is not None:
        g.add((d, JIU.adoptedBy, adopted_by))
    return d


def passage(g: Graph, source: SourceText, doc_symbol: str, start_line: int, end_line: int, lang: str) -> URIRef:
    """The passage of lines start_line..end_line (1-based, inclusive), exact text kept."""
    text, start, end = source.span(start_line, end_line)
    p = passage_iri(doc_symbol, start_line, end_line)
    g.add((p, RDF.type, JIU.Passage))
    g.add((p, JIU.passageText, Literal(text, lang=lang)))
    g.add((p, JIU.startLine, Literal(start_line, datatype=XSD.integer)))
    g.add((p, JIU.endLine, Literal(end_line, datatype=XSD.integer)))
    g.add((p, JIU.startOffset, Literal(start, datatype=XSD.integer)))
    g.add((p, JIU.endOffset, Literal(end, datatype=XSD.integer)))
    g.add((p, PROV.wasQuotedFrom, doc_iri(doc_symbol)))
    return p


def derived(g: Graph, record: URIRef, source: SourceText, doc_symbol: str, start_line: int, end_line: int,
            lang: str) -> URIRef:
    """Link a record to the passage it came from; returns the passage."""
    p = passage(g, source, doc_symbol, start_line, end_line, lang)
    g.add((record, PROV.wasDerivedFrom, p))
    return p
