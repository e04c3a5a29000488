"""The union graph: the embedded store's default graph holds the set union of its named graphs.

jiukg keeps every triple in a named graph (one per document), so the store's own default graph is free.
Queries see the union of the named graphs as their default graph. pyoxigraph's `use_default_graph_as_union`
gives that union as a *bag*: a fact restated in sixty progress reports (a recommendation's number, its
report) is read sixty times, and a join of three such facts multiplies to 60³ rows before DISTINCT removes
them (at a million quads the catalogue's queries ran for seconds to minutes). So the store keeps the union
itself, as a set, in its default graph, and queries read that graph.

Every write keeps it: a graph replaced or dropped takes out of the default graph the triples no other
named graph still states, in the same transaction; the bulk paths rebuild it before the store is exchanged.
A marker file in the store's folder says the default graph is complete. A store written before it existed
(no marker) is given one when opened for writing; read-only, it is queried as the bag union, as before.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

import pyoxigraph as ox

MARKER = "jiukg-union-graph"  # a file in the store's folder; RocksDB leaves files it does not own alone
DEFAULT = ox.DefaultGraph()


def marked(path: Path) -> bool:
    return (path / MARKER).is_file()


def mark(path: Path) -> None:
    (path / MARKER).write_text("The default graph of this store is the set union of its named graphs (jiukg).\n",
                               encoding="utf-8")


def unmark(path: Path) -> None:
    (path / MARKER).unlink(missing_ok=True)


def named_quads(store: ox.Store) -> Iterator[ox.Quad]:
    """The store's quads in named graphs: what it holds, without the union graph (graph by graph: the
    union graph is not read at all)."""
    for g in store.named_graphs():
        yield from store.quads_for_pattern(None, None, None, g)


def as_default(quads: Iterable[ox.Quad]) -> Iterator[ox.Quad]:
    for q in quads:
        yield ox.Quad(q.subject, q.predicate, q.object, DEFAULT)


def rebuild(store: ox.Store) -> None:
    """Make the default graph the union of the named graphs, from scratch (bulk loader: not transactional;
    callers rebuild a store no one else sees yet, or mark it complete only afterwards)."""
    store.update("CLEAR SILENT DEFAULT")
    store.bulk_extend(as_default(named_quads(store)))


def forget(graph: str) -> str:
    """SPARQL Update: take out of the default graph the triples of `graph` that no other named graph states
    (run before `graph` is dropped or replaced, in the same update)."""
    return (f"DELETE {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} "
            f"FILTER NOT EXISTS {{ GRAPH ?other {{ ?s ?p ?o }} FILTER(?other != <{graph}>) }} }}")
