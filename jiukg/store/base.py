"""The one store interface used by loaders, validation, the CLI and the service.

Terms crossing this interface are rdflib terms, so callers never depend on the
backend. Backends: `embedded` (pyoxigraph, on disk or in memory) and `remote`
(any SPARQL 1.1 server).
"""

from __future__ import annotations

import queue
import threading
import time
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from rdflib import Graph, URIRef
from rdflib.term import Identifier, Node

Triple = tuple[Node, Node, Node]
Quad = tuple[Node, Node, Node, Node]  # the fourth term is the graph IRI

#: Query lanes. "user" (the default) is for queries a person wrote or asked for (/sparql): they
#: share a bounded set of workers. "internal" is for the service's own short queries (linked-data
#: pages, the web page, the catalogue): they have workers of their own, so slow user queries never
#: make them wait. Backends without workers (remote, in-memory) accept and ignore the lane.
USER_LANE = "user"
INTERNAL_LANE = "internal"
LANES = (USER_LANE, INTERNAL_LANE)


class StoreError(Exception):
    """The store could not do what was asked; the message says which store and what failed."""


class StoreUnavailable(StoreError):
    """The store (a remote server) cannot be reached now; retrying later may work."""


class StoreBusy(StoreError):
    """An embedded store is held by another process (RocksDB lets one process open it read-write).
    `holder` is what that process recorded next to the store: its pid, command line and, for
    `jiukg serve`, the URL it serves (see embedded.Holder)."""

    def __init__(self, message: str, holder: dict | None = None):
        super().__init__(message)
        self.holder = holder or {}


class QueryTimeout(StoreError):
    """A query ran past its time limit and was stopped."""


class QuerySyntaxError(StoreError):
    """The query text is not valid SPARQL; the message carries line and column where known
    (also as the attributes `line` and `column`, None when unknown)."""

    line: int | None = None
    column: int | None = None


class ResultTooLarge(StoreError):
    """A query's answer was larger than the store sends (its max_result_bytes); it was stopped."""


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

        from .terms import to_ox

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


@dataclass(frozen=True)
class Generation:
    """What the store holds, as a validator for HTTP caching: `tag` changes with every write
    through this jiukg (ETag), `modified` is when the last one was made (Last-Modified; the
    store's opening time until the first write, which is never earlier than the data)."""

    tag: str
    modified: datetime


class WriteGeneration:
    """A write counter per opened store. The instance id makes tags of two openings (a restart,
    another process) differ, so a counter that starts again at 0 never repeats an old tag.

    `modified` is kept in whole seconds (HTTP dates have no finer ones) and every write moves it
    on by at least one, so a write in the same second as the answer before it still gives a later
    Last-Modified, and If-Modified-Since never takes new content for old."""

    def __init__(self):
        self.instance = uuid.uuid4().hex[:12]
        self.count = 0
        self.modified = datetime.now(timezone.utc).replace(microsecond=0)

    def bump(self) -> None:
        self.count += 1
        self.modified = max(datetime.now(timezone.utc).replace(microsecond=0), self.modified + timedelta(seconds=1))

    def current(self, shared: str = "") -> Generation:
        return Generation(f"{self.instance}.{self.count}{'.' + shared if shared else ''}", self.modified)


def check_lane(lane: str) -> str:
    if lane not in LANES:
        raise ValueError(f"lane must be one of {', '.join(LANES)}, not {lane!r}")
    return lane


def explicit_dataset(default_graph, named_graphs) -> tuple[list[str], list[str]] | None:
    """The dataset the SPARQL 1.1 Protocol asks for, or None for the store's own default dataset.

    Once either list is given, the other one is empty, not "everything": named graphs alone
    give an empty default graph; a default graph alone gives no named graphs."""
    if not default_graph and not named_graphs:
        return None
    return [str(g) for g in default_graph or []], [str(g) for g in named_graphs or []]


_END = object()


def threaded_rows(produce: Callable[[], Iterator], *, deadline: float | None, description: str,
                  chunk: int = 256) -> Iterator:
    """Yield the items of `produce()`, which runs on a thread of its own.

    Why: pyoxigraph result iterators must be used on the thread that made them (another thread
    aborts the process), while a caller may resume a generator from any thread (Starlette's
    streaming responses do). A bounded queue keeps memory flat; items travel in small chunks,
    sent early whenever the consumer is waiting. Closing the generator stops the producer at its
    next item; `deadline` (time.monotonic()) raises QueryTimeout in the consumer."""
    q: queue.Queue = queue.Queue(maxsize=8)
    stop = threading.Event()

    def put(item) -> bool:
        while not stop.is_set():
            try:
                q.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def work():
        batch: list = []
        try:
            for item in produce():
                batch.append(item)
                if len(batch) >= chunk or q.empty():
                    if not put(batch):
                        return
                    batch = []
            if batch and not put(batch):
                return
            put(_END)
        except BaseException as e:  # handed to the consumer, which raises it
            put(e)

    threading.Thread(target=work, daemon=True, name="jiukg-rows").start()

    def consume():
        try:
            yield None  # primed below: from then on, closing or dropping the generator stops the producer
            while True:
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    raise QueryTimeout(f"{description}: the query ran past its time limit and was stopped")
                try:
                    item = q.get(timeout=left)
                except queue.Empty:
                    continue  # the deadline check above raises
                if item is _END:
                    return
                if isinstance(item, BaseException):
                    raise item
                yield from item
        finally:
            stop.set()

    gen = consume()
    next(gen)
    return gen


class Store(ABC):
    """A quad store with named graphs. Each source document lives in its own graph.

    Dataset rules for every query method (SPARQL 1.1 Protocol): with neither `default_graph`
    nor `named_graphs`, the default graph is the union of all named graphs and every named graph
    is visible to GRAPH (unless the query has its own FROM / FROM NAMED); with either given, the
    dataset is exactly what was given: the other part is empty."""

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
        lane: str = USER_LANE,
        base_iri: str | None = None,
    ) -> QueryResult:
        """Run a read-only SPARQL query (dataset rules: see the class). `timeout` in seconds;
        `lane` (see LANES) says whose query it is, so the service's own never wait behind users'.
        `base_iri` resolves the query's relative IRIs (the service passes its endpoint's public URL)."""

    @abstractmethod
    def iter_rows(
        self,
        sparql: str,
        *,
        default_graph: list[str] | None = None,
        named_graphs: list[str] | None = None,
        timeout: float | None = None,
        lane: str = USER_LANE,
    ) -> Iterator[dict[str, Identifier]]:
        """The rows of a SELECT as they come, without holding the whole result: an iterator
        whose first row is there before the last one is computed. Errors in the query itself
        (syntax, refusal, an unreachable store) are raised by this call; `timeout` bounds the
        whole iteration. Close the iterator (or let it go) to stop the query early."""

    def query_raw(
        self,
        sparql: str,
        *,
        select_format: str = "application/sparql-results+json",
        graph_format: str = "application/n-triples",
        default_graph: list[str] | None = None,
        named_graphs: list[str] | None = None,
        timeout: float | None = None,
        lane: str = USER_LANE,
        base_iri: str | None = None,
    ) -> RawResult:
        """Run a query and serialise its answer: `select_format` (a SPARQL results media type)
        for SELECT/ASK, `graph_format` (an RDF media type) for CONSTRUCT/DESCRIBE.
        Same checks and errors as `query`."""
        res = self.query(sparql, default_graph=default_graph, named_graphs=named_graphs, timeout=timeout,
                         lane=lane, **({"base_iri": base_iri} if base_iri else {}))
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

        from .terms import to_ox

        if fmt in ("nquads", "trig"):
            quads = [ox.Quad(to_ox(s), to_ox(p), to_ox(o), to_ox(g) if g is not None else ox.DefaultGraph())
                     for s, p, o, g in self.quads()]
            return ox.serialize(quads, format=ox.RdfFormat.N_QUADS if fmt == "nquads" else ox.RdfFormat.TRIG)
        merged = Graph()
        for s, p, o, _ in self.quads():
            merged.add((s, p, o))
        return merged.serialize(format=fmt, encoding="utf-8")

    def generation(self) -> Generation:
        """A cheap validator of the store's content: its tag changes on every write through jiukg.
        Backends keep a WriteGeneration bumped by each write; see theirs for what else they watch."""
        gen = getattr(self, "_write_generation", None)
        if gen is None:
            gen = self._write_generation = WriteGeneration()
        return gen.current()

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
