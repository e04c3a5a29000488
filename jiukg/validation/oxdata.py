"""A data graph in a pyoxigraph Store, for the engine: no rdflib graph built, no copy for the SPARQL constraints.

Why: at a million triples, filling an rdflib graph, scanning it per path and
copying it into Oxigraph for the SPARQL constraints took three quarters of a
validation. Here the data is the default graph of an in-memory pyoxigraph
store (filled by `bulk`: parsed by pyoxigraph, or copied from a staging
store): the core engine reads only the predicates the shapes use, one
`SELECT DISTINCT` per predicate whose results Oxigraph writes as TSV (parsed
as text: much faster than a Python object per solution), each distinct term
turned into an rdflib term once; the SPARQL constraints run in the same store
(their focus nodes in a named graph beside it, removed afterwards).

The default graph, not the union of named graphs: Oxigraph evaluates joins
over its union of graphs hundreds of times slower (measured: a SPARQL
constraint of the project's shapes over 300 focus nodes at 100k quads, 0.03 s
against more than 3 minutes). Literals are the store's: Oxigraph keeps the
lexical form of an ill-typed literal and writes valid numbers, booleans and
dates canonically, which is what a store holds after a load.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from jiukg.store.terms import from_ox, to_ox

_DEFAULT = ox.DefaultGraph()
_XSD_BOOLEAN, _XSD_INTEGER, _XSD_DECIMAL, _XSD_DOUBLE = (URIRef(str(XSD.boolean)), URIRef(str(XSD.integer)),
                                                        URIRef(str(XSD.decimal)), URIRef(str(XSD.double)))
_ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))")
_CHARS = {"t": "\t", "n": "\n", "r": "\r", "b": "\b", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


def _unescape(s: str) -> str:
    return _ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)) if m.group(3) is None
                       else _CHARS.get(m.group(3), m.group(3)), s)


def tsv_term(t: str) -> Node:
    """One term of Oxigraph's SPARQL TSV results, as the rdflib term `from_ox` makes of it."""
    c = t[0]
    if c == "<":
        return URIRef(t[1:-1])
    if c == "_":
        return BNode(t[2:])
    if c == '"':
        k = t.rindex('"')
        lex = t[1:k]
        if "\\" in lex:
            lex = _unescape(lex)
        rest = t[k + 1:]
        if not rest:
            return Literal(lex)
        if rest[0] == "@":
            return Literal(lex, lang=rest[1:])
        return Literal(lex, datatype=URIRef(rest[3:-1]))
    # the short forms TSV writes for canonical booleans and numbers
    if t in ("true", "false"):
        dt = _XSD_BOOLEAN
    elif "e" in t or "E" in t:
        dt = _XSD_DOUBLE
    elif "." in t:
        dt = _XSD_DECIMAL
    else:
        dt = _XSD_INTEGER
    return Literal(t, datatype=dt)


class StoreData:
    """The default graph of `store`, with the narrow rdflib Graph interface the engine uses."""

    def __init__(self, store: ox.Store):
        self.store = store
        self._terms: dict[str, Node] = {}
        self._len: int | None = None

    # -- reading

    def rows(self, query: str) -> Iterator[list[Node]]:
        """The solutions of a SELECT over the data graph, as rdflib terms (each distinct term made once)."""
        text = self.store.query(query).serialize(format=ox.QueryResultsFormat.TSV)
        terms = self._terms
        for line in text.decode().split("\n")[1:]:
            if not line:
                continue
            row = []
            for cell in line.split("\t"):
                if not cell:
                    row.append(None)
                    continue
                t = terms.get(cell)
                if t is None:
                    t = terms[cell] = tsv_term(cell)
                row.append(t)
            yield row

    def subject_objects(self, p: Node) -> Iterator[tuple]:
        for s, o in self.rows(f"SELECT ?s ?o WHERE {{ ?s {to_ox(p)} ?o }}"):
            yield s, o

    def subjects(self, p: Node | None = None, o: Node | None = None) -> Iterator[Node]:
        pattern = f"?s {to_ox(p) if p is not None else '?p'} {to_ox(o) if o is not None else '?o'}"
        for (s,) in self.rows(f"SELECT DISTINCT ?s WHERE {{ {pattern} }}"):
            yield s

    def objects(self, s: Node | None = None, p: Node | None = None) -> Iterator[Node]:
        if s is None:
            for (o,) in self.rows(f"SELECT DISTINCT ?o WHERE {{ ?s {to_ox(p) if p is not None else '?p'} ?o }}"):
                yield o
            return
        for q in self.store.quads_for_pattern(to_ox(s), to_ox(p) if p is not None else None, None, _DEFAULT):
            yield from_ox(q.object)

    def triples_of(self, s: Node) -> Iterator[tuple]:
        for q in self.store.quads_for_pattern(to_ox(s), None, None, _DEFAULT):
            yield s, from_ox(q.predicate), from_ox(q.object)

    def add(self, t: tuple) -> None:
        s, p, o = t
        self.store.add(ox.Quad(to_ox(s), to_ox(p), to_ox(o), _DEFAULT))
        self._len = None

    def __contains__(self, t: tuple) -> bool:
        s, p, o = (to_ox(x) if x is not None else None for x in t)
        return next(iter(self.store.quads_for_pattern(s, p, o, _DEFAULT)), None) is not None

    def __len__(self) -> int:
        if self._len is None:
            self._len = int(next(iter(self.store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")))[0].value)
        return self._len

    def __iter__(self) -> Iterator[tuple]:
        for s, p, o in self.rows("SELECT ?s ?p ?o WHERE { ?s ?p ?o }"):
            yield s, p, o

    def to_graph(self) -> Graph:
        """An rdflib graph of the data (for pyshacl, when the shapes are handed over)."""
        g = Graph()
        for t in self:
            g.add(t)
        return g
