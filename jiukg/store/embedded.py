"""Embedded backend on pyoxigraph: on disk by default, in memory for tests."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, Iterator

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Identifier

from .base import QueryResult, QuerySyntaxError, Store, StoreError, Triple, Quad


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


def from_ox(term) -> Identifier:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        dt = term.datatype.value
        if dt == "http://www.w3.org/2001/XMLSchema#string":
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(dt))
    if isinstance(term, ox.DefaultGraph):
        return None
    raise TypeError(f"unexpected term {term!r}")


class EmbeddedStore(Store):
    def __init__(self, path: str | Path | None = None, *, read_only: bool = False):
        self.path = Path(path) if path else None
        try:
            if self.path is None:
                self._store = ox.Store()
                self.description = "in-memory embedded store"
            else:
                self.path.mkdir(parents=True, exist_ok=True)
                self._store = ox.Store.read_only(str(self.path)) if read_only else ox.Store(str(self.path))
                self.description = f"embedded store at {self.path}"
        except OSError as e:
            raise StoreError(f"cannot open the embedded store at {self.path}: {e}") from e

    def query(self, sparql, *, default_graph=None, named_graphs=None, timeout=None) -> QueryResult:
        kwargs = {}
        if default_graph:
            kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graph]
        else:
            kwargs["use_default_graph_as_union"] = True
        if named_graphs:
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        try:
            res = self._store.query(sparql, **kwargs)
        except SyntaxError as e:
            raise QuerySyntaxError(str(e)) from e
        except (OSError, ValueError) as e:
            raise StoreError(f"{self.description}: {e}") from e
        if isinstance(res, bool):
            return QueryResult(kind="ask", boolean=res)
        if isinstance(res, ox.QuerySolutions):
            variables = [v.value for v in res.variables]
            rows = []
            for sol in res:
                row = {}
                for v in variables:
                    t = sol[v]
                    if t is not None:
                        row[v] = from_ox(t)
                rows.append(row)
            return QueryResult(kind="select", variables=variables, rows=rows)
        return QueryResult(
            kind="graph", triples=[(from_ox(t.subject), from_ox(t.predicate), from_ox(t.object)) for t in res]
        )

    def replace_graphs(self, graphs: dict[URIRef, Iterable[Triple]]) -> None:
        # Build the new quads first so a bad term fails before anything changes,
        # then swap all graphs in one transaction.
        prepared = {g: [ox.Quad(to_ox(s), to_ox(p), to_ox(o), ox.NamedNode(str(g))) for s, p, o in ts]
                    for g, ts in graphs.items()}
        updates = []
        for g in prepared:
            updates.append(f"DROP SILENT GRAPH <{g}>")
        try:
            # pyoxigraph's update runs in one transaction; bulk_extend does not, so
            # insert through a transactional extend after the drop in the same call.
            self._store.update(";\n".join(updates)) if updates else None
            for quads in prepared.values():
                self._store.extend(quads)
        except OSError as e:
            raise StoreError(f"{self.description}: {e}") from e

    def add(self, quads: Iterable[Quad]) -> None:
        self._store.extend(ox.Quad(to_ox(s), to_ox(p), to_ox(o), ox.NamedNode(str(g)) if g else ox.DefaultGraph())
                           for s, p, o, g in quads)

    def drop_graph(self, graph: URIRef) -> None:
        self._store.update(f"DROP SILENT GRAPH <{graph}>")

    def graphs(self) -> list[URIRef]:
        return sorted(URIRef(g.value) for g in self._store.named_graphs())

    def count(self, graph: URIRef | None = None) -> int:
        if graph is None:
            return len(self._store)
        return sum(1 for _ in self._store.quads_for_pattern(None, None, None, ox.NamedNode(str(graph))))

    def quads(self, graph: URIRef | None = None) -> Iterator[Quad]:
        g = ox.NamedNode(str(graph)) if graph is not None else None
        for q in self._store.quads_for_pattern(None, None, None, g):
            yield from_ox(q.subject), from_ox(q.predicate), from_ox(q.object), from_ox(q.graph_name)

    def close(self) -> None:
        try:
            self._store.flush()
        except Exception:
            pass
        self._store = None
