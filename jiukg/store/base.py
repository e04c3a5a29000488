"""The one store interface used by loaders, validation, the CLI and the service.

Terms crossing this interface are rdflib terms, so callers never depend on the
backend. Backends: `embedded` (pyoxigraph, on disk or in memory) and `remote`
(any SPARQL 1.1 server).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Iterable, Iterator

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
    """The query text is not valid SPARQL; the message carries line and column where known."""


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
        from rdflib import Dataset

        ds = Dataset()
        for s, p, o, g in self.quads():
            ds.graph(g).add((s, p, o))
        if fmt in ("nquads", "trig"):
            return ds.serialize(format=fmt, encoding="utf-8")
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
