"""The one store interface used by loaders, validation, the CLI and the service.

Terms crossing this interface are rdflib terms, so callers never depend on the
backend. Backends: `embedded` (pyoxigraph, on disk or in memory) and `remote`
(any SPARQL 1.1 server).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from rdflib import Graph, URIRef
from rdflib.term import Identifier, Node

Triple = tuple[Node, Node, Node]
Quad = tuple[Node, Node, Node, Node]  # the fourth term is the graph IRI


class StoreError(Exception):
    """The store could not do what was asked; the message says which store and what failed."""


class StoreUnavailable(StoreError):
    """The store (a remote server) cannot be reached now; retrying later may work."""


class QueryTimeout(StoreError):
    """A query ran past its time limit and was stopped."""


class QuerySyntaxError(StoreError):
    """The query text is not valid SPARQL; the message carries line and column where known
    (also as the attributes `line` and `column`, None when unknown)."""

    line: int | None = None
    column: int | None = None


class QueryRefused(StoreError):
    """The query asks for something this service never does (SERVICE, LOAD, updates)."""


@dataclass
class QueryResult:
    """The answer of one SPARQL query, whatever its form.

    kind is 'select', 'ask' or 'graph' (CONSTRUCT/DESCRIBE). For select,
    `variables` and `rows` (dicts from variable name to rdflib term, unbound
    variables absent); for ask, `boolean`; for graph, `triples`.
    """

    kind: str
    variables: list[str] = field(default_factory=list)
    rows: list[dict[str, Identifier]] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[Triple] = field(default_factory=list)

    def graph(self) -> Graph:
        g = Graph()
        for t in self.triples:
            g.add(t)
        return g

    def serialize(self, media_type: str) -> bytes:
        """The result in a SPARQL results format (select/ask) or an RDF format (graph), by media type."""
        import pyoxigraph as ox

        from .sparql import to_ox

        if self.kind == "graph":
            fmt = ox.RdfFormat.from_media_type(media_type)
            if fmt is None:
                raise ValueError(f"no RDF format for {media_type}")
            return ox.serialize([ox.Triple(*map(to_ox, t)) for t in self.triples], format=fmt)
        fmt = ox.QueryResultsFormat.from_media_type(media_type)
        if fmt is None:
            raise ValueError(f"no SPARQL results format for {media_type}")
        if self.kind == "ask":
            return _ask_bytes(bool(self.boolean), fmt)
        return _select_bytes(self.variables, self.rows, fmt)


@dataclass
class RawResult:
    """A query answer already serialised: what the service sends as it is."""

    kind: str  # 'select', 'ask' or 'graph'
    media_type: str
    data: bytes


def _results_bytes(doc: dict, fmt) -> bytes:
    """Write SPARQL JSON, then let pyoxigraph convert it, so every backend writes the same bytes."""
    import json

    import pyoxigraph as ox

    data = json.dumps(doc, ensure_ascii=False).encode()
    if fmt == ox.QueryResultsFormat.JSON:
        return data
    return ox.parse_query_results(data, format=ox.QueryResultsFormat.JSON).serialize(format=fmt)


def _ask_bytes(value: bool, fmt) -> bytes:
    return _results_bytes({"head": {}, "boolean": value}, fmt)


def _select_bytes(variables: list[str], rows: list[dict], fmt) -> bytes:
    from jiukg.results import term_json

    return _results_bytes({"head": {"vars": variables}, "results": {"bindings": [
        {k: term_json(v) for k, v in r.items()} for r in rows]}}, fmt)


class Store(ABC):
    """A quad store with named graphs. Each source document lives in its own graph."""

    #: a human description used in error messages ("embedded store at var/store")
    description: str = "store"

    @abstractmethod
    def query(
        self,
        sparql: str,
        *,
        default_graph: list[str] | None = None,
        named_graphs: list[str] | None = None,
        timeout: float | None = None,
    ) -> QueryResult:
        """Run a read-only SPARQL query. The default graph is the union of all graphs
        unless `default_graph` names the graphs to use."""

    def iter_rows(
        self,
        sparql: str,
        *,
        default_graph: list[str] | None = None,
        named_graphs: list[str] | None = None,
        timeout: float | None = None,
    ) -> Iterator[dict[str, Identifier]]:
        """The rows of a SELECT one at a time, for big results (backends stream where they can)."""
        res = self.query(sparql, default_graph=default_graph, named_graphs=named_graphs, timeout=timeout)
        if res.kind != "select":
            raise StoreError(f"{self.description}: iter_rows needs a SELECT query, not {res.kind}")
        yield from res.rows

    def query_raw(
        self,
        sparql: str,
        *,
        select_format: str = "application/sparql-results+json",
        graph_format: str = "application/n-triples",
        default_graph: list[str] | None = None,
        named_graphs: list[str] | None = None,
        timeout: float | None = None,
    ) -> RawResult:
        """Run a query and serialise its answer: `select_format` (a SPARQL results media type)
        for SELECT/ASK, `graph_format` (an RDF media type) for CONSTRUCT/DESCRIBE.
        Same checks and errors as `query`."""
        res = self.query(sparql, default_graph=default_graph, named_graphs=named_graphs, timeout=timeout)
        mt = graph_format if res.kind == "graph" else select_format
        return RawResult(res.kind, mt, res.serialize(mt))

    @abstractmethod
    def replace_graphs(self, graphs: dict[URIRef, Iterable[Triple]]) -> None:
        """Replace each named graph by the given triples, all at once or not at all."""

    @abstractmethod
    def add(self, quads: Iterable[Quad]) -> None:
        """Add quads to the store."""

    @abstractmethod
    def drop_graph(self, graph: URIRef) -> None:
        """Remove a named graph and all its triples."""

    @abstractmethod
    def graphs(self) -> list[URIRef]:
        """The named graphs in the store."""

    @abstractmethod
    def count(self, graph: URIRef | None = None) -> int:
        """Number of quads in one graph, or in the whole store."""

    @abstractmethod
    def quads(self, graph: URIRef | None = None) -> Iterator[Quad]:
        """All quads of one graph or of the store (for export and validation)."""

    def export(self, fmt: str = "nquads") -> bytes:
        """The whole store serialised: 'nquads' or 'trig' (graphs kept), 'turtle',
        'nt' or 'json-ld' (graphs merged)."""
        import pyoxigraph as ox

        from .sparql import to_ox

        if fmt in ("nquads", "trig"):
            quads = [ox.Quad(to_ox(s), to_ox(p), to_ox(o), to_ox(g) if g is not None else ox.DefaultGraph())
                     for s, p, o, g in self.quads()]
            return ox.serialize(quads, format=ox.RdfFormat.N_QUADS if fmt == "nquads" else ox.RdfFormat.TRIG)
        merged = Graph()
        for s, p, o, _ in self.quads():
            merged.add((s, p, o))
        return merged.serialize(format=fmt, encoding="utf-8")

    def graph(self, graph: URIRef) -> Graph:
        g = Graph(identifier=graph)
        for s, p, o, _ in self.quads(graph):
            g.add((s, p, o))
        return g

    def close(self) -> None:
        """Release the store."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
