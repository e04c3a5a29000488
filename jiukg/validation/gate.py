"""The write gate and whole-store validation: which data to validate, with what context."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass

from rdflib import BNode, Graph, URIRef
from rdflib.namespace import OWL, RDF
from rdflib.term import Node

from jiukg.namespaces import BASE, CATALOGUE_GRAPH, JIU, ONTOLOGY_GRAPH, REFERENCE_GRAPH
from jiukg.store.terms import iri_batches

from .engine import _labels, gc_paused, validate_graph
from .report import Result, ValidationReport
from .shapes import Shapes

# A write replaces named graphs. What it can break: the records it writes (the
# new graphs' subjects), the resources whose description it changes or removes
# (a recommendation dropped from its report may still be described by a CEB
# note), and the records of other graphs that point at those resources (a status
# statement about the dropped recommendation) or that they point at. All of them
# are validated against the store as it would be after the write. The changed
# resources come from a diff of each graph's old and new triples; the records
# pointing at them from one indexed SPARQL lookup per batch of 400 IRIs; so the
# cost follows the size of the write and of its neighbourhood, not of the store.
# Results on other graphs' records that the store already had before the write
# are not blamed on it (a second, small validation of the old state finds them).
# Blank nodes compare equal in the diff (their labels change with every parse):
# a change inside one is not traced to the IRI holding it; the loaders mint an
# IRI for every record.


def _static() -> dict[URIRef, Graph]:
    from jiukg.ontology import static_graphs

    return static_graphs()


_BATCH = 400
# Properties whose other ends matter to a rule: records sharing a publication
# (number unique per report) or a dataset (no duplicate observation).
_REVERSE = (JIU.inPublication, URIRef("http://purl.org/linked-data/cube#dataSet"))


def _not_in(exclude: set) -> str:
    not_in = ", ".join(f"<{g}>" for g in sorted(exclude))
    return f"FILTER (?g NOT IN ({not_in}))" if not_in else ""


def _batches(terms: Iterable[Node]) -> Iterable[str]:
    return iri_batches(terms, _BATCH)


def _fetch(store, subjects: set, exclude: set) -> list[tuple]:
    """Triples of the store, outside the excluded graphs, whose subject is one of `subjects`."""
    out = []
    for values in _batches(subjects):
        q = f"SELECT ?s ?p ?o WHERE {{ GRAPH ?g {{ VALUES ?s {{ {values} }} ?s ?p ?o }} {_not_in(exclude)} }}"
        out += [(r["s"], r["p"], r["o"]) for r in store.query(q).rows]
    return out


def _fetch_reverse(store, objects: set, exclude: set) -> set:
    """Subjects in the store (outside excluded graphs) that share a publication or dataset with the new data."""
    preds = " ".join(f"<{p}>" for p in _REVERSE)
    found = set()
    for values in _batches(objects):
        q = (f"SELECT DISTINCT ?s WHERE {{ GRAPH ?g {{ VALUES ?o {{ {values} }} VALUES ?p {{ {preds} }} ?s ?p ?o }} "
             f"{_not_in(exclude)} }}")
        found |= {r["s"] for r in store.query(q).rows}
    return found


def _referrers(store, targets: set, exclude: set) -> set:
    """Subjects of the store (outside the excluded graphs) with a triple pointing at one of `targets`.

    rdf:type links are left out: a class is not a record, and following them
    would pull in every instance of a class a graph happens to describe."""
    found = set()
    for values in _batches(targets):
        q = (f"SELECT DISTINCT ?s WHERE {{ GRAPH ?g {{ VALUES ?o {{ {values} }} ?s ?p ?o "
             f"FILTER (?p != <{RDF.type}>) }} {_not_in(exclude)} }}")
        found |= {r["s"] for r in store.query(q).rows}
    return found


_ANY_BNODE = BNode("any")  # blank nodes compare equal in the diff: their labels differ from one parse to the next


def _key(t: tuple) -> tuple:
    return tuple(_ANY_BNODE if isinstance(x, BNode) else x for x in t)


@dataclass
class _Change:
    """What a write changes, against what the store holds now."""

    old: dict  # graph IRI -> the store's current triples of that graph
    subjects: set  # IRIs whose description the write changes or removes (or adds)
    objects: set  # IRIs that the added or removed triples point at


def _changes(store, graphs: dict[URIRef, Graph], existing: set) -> _Change:
    old: dict[URIRef, Graph] = {}
    subjects: set = set()
    objects: set = set()
    for gid, new in graphs.items():
        before = Graph()
        if gid in existing:
            for s, p, o, _ in store.quads(gid):
                before.add((s, p, o))
        old[gid] = before
        diff = {_key(t) for t in before} ^ {_key(t) for t in new}
        for s, p, o in diff:
            if isinstance(s, URIRef):
                subjects.add(s)
            if isinstance(o, URIRef) and p != RDF.type:
                objects.add(o)
    return _Change(old, subjects, objects)


def context(store, graphs: dict[URIRef, Graph], extra: Iterable[Node] = ()) -> Graph:
    """What the store already says about the resources the new graphs mention, and about `extra`.

    Two hops: the descriptions of every IRI the new data names (subject or
    object) and of the `extra` IRIs (the records a write may break), then of
    every IRI those descriptions name; plus the records that share a publication
    or dataset with them. The graphs being replaced, the ontology and the
    reference data are left out (the new versions, and the files, stand in for
    them)."""
    ctx = Graph()
    if store is None:
        return ctx
    exclude = set(graphs) | {ONTOLOGY_GRAPH, REFERENCE_GRAPH, CATALOGUE_GRAPH}
    others = [g for g in store.graphs() if g not in exclude]
    if not others:
        return ctx
    extra = set(extra)
    mentioned = set(extra)
    for g in graphs.values():
        for s, p, o in g:
            mentioned.add(s)
            if isinstance(o, URIRef) and p != RDF.type:
                mentioned.add(o)
    static_terms = {s for g in _static().values() for s in g.subjects()}
    seen = set(static_terms)
    frontier = (mentioned - seen) | (_fetch_reverse(store, mentioned, exclude) - seen)
    for hop in range(2):
        if not frontier:
            break
        seen |= frontier
        triples = _fetch(store, frontier, exclude)
        nxt = set()
        for t in triples:
            ctx.add(t)
            if isinstance(t[2], URIRef) and t[1] != RDF.type:
                nxt.add(t[2])
        if hop == 0:  # the extra records' publications and datasets: their siblings too
            nxt |= _fetch_reverse(store, {t[2] for t in triples if t[1] in _REVERSE and t[0] in extra}, exclude)
        frontier = nxt - seen
    return ctx


def _data_graph() -> Graph:
    """An rdflib graph to validate: triples only (no contexts), a third faster to fill than the default store."""
    return Graph(store="SimpleMemory")


def _data(graphs: dict[URIRef, Graph], ctx: Graph | None = None) -> Graph:
    data = _data_graph()
    for g in list(graphs.values()):
        for t in g:
            data.add(t)
    for gid, g in _static().items():
        if gid not in graphs:
            for t in g:
                data.add(t)
    if ctx is not None:
        for t in ctx:
            data.add(t)
    return data


def _result_key(r: Result) -> tuple:
    return (r.focus, r.path, r.component, r.source_shape, r.value)


def validate_write(store, graphs: dict[URIRef, Graph], *, engine: str = "compiled",
                   shapes: Shapes | None = None) -> ValidationReport:
    """The gate: validate the graphs about to replace theirs, with what they refer to in the store.

    Reported: every result on the new graphs' subjects; and the results the
    write would bring on the resources whose description it changes and on the
    records of other graphs that point at them or that they point at. The rest
    of the store serves as context only."""
    with gc_paused():
        return _validate_write(store, graphs, engine, shapes)


@dataclass
class WriteJob:
    """What validating a write needs, gathered from the store: then validated without it
    (in the service, in a worker process that can be stopped: service/validate_work.py)."""

    graphs: dict  # graph IRI -> the new Graph
    ctx: Graph  # what the store says about what they mention (see context)
    touched: set  # records outside the new graphs that the write may break
    old: dict  # graph IRI -> the store's current triples of each graph written


def write_job(store, graphs: dict[URIRef, Graph]) -> WriteJob:
    """Gather from the store what validating `graphs` as a write needs."""
    change = _Change({}, set(), set())
    dependents: set = set()
    if store is not None:
        existing = set(store.graphs())
        change = _changes(store, graphs, existing)
        exclude = set(graphs) | {ONTOLOGY_GRAPH, REFERENCE_GRAPH, CATALOGUE_GRAPH}
        if existing - exclude:
            dependents = _referrers(store, change.subjects, exclude)
        for gid, g in _static().items():  # the files' records stand in for the store's
            if gid not in graphs:
                dependents |= {s for x in change.subjects for s, p in g.subject_predicates(x) if p != RDF.type}
    touched = (change.subjects | change.objects | dependents) - {s for g in graphs.values() for s in g.subjects()}
    return WriteJob(graphs, context(store, graphs, touched), touched, change.old)


def check_write(job: WriteJob, *, engine: str = "compiled", shapes: Shapes | None = None) -> ValidationReport:
    """Validate a gathered write (no store needed)."""
    with gc_paused():
        return _check_write(job, engine, shapes)


def _validate_write(store, graphs: dict[URIRef, Graph], engine: str, shapes: Shapes | None) -> ValidationReport:
    t0 = time.perf_counter()
    report = _check_write(write_job(store, graphs), engine, shapes)
    report.seconds = time.perf_counter() - t0
    return report


def _check_write(job: WriteJob, engine: str, shapes: Shapes | None) -> ValidationReport:
    t0 = time.perf_counter()
    graphs, ctx, touched = job.graphs, job.ctx, job.touched
    data = _data(graphs, ctx)
    focus = None
    if len(ctx) or any(g not in graphs for g in _static()):
        focus = {s for g in graphs.values() for s in g.subjects()} | touched
    report = validate_graph(data, engine=engine, focus=focus, shapes=shapes)
    if focus is not None and touched:
        # results on records outside the new graphs: only those the write brings
        outside = [r for r in report.results if r.focus in touched]
        if outside:
            before = validate_graph(_data(job.old, ctx), engine=engine, focus={r.focus for r in outside},
                                    shapes=shapes)
            had = {_result_key(r) for r in before.results}
            report.results = [r for r in report.results if r.focus not in touched or _result_key(r) not in had]
            report.labels = _labels(data, {r.focus for r in report.results})
    report.seconds = time.perf_counter() - t0
    return report


def validate_store(store, *, engine: str = "compiled", shapes: Shapes | None = None) -> ValidationReport:
    """Validate everything in the store (all graphs together)."""
    with gc_paused():
        return _validate_store(store, engine, shapes)


def _validate_store(store, engine: str, shapes: Shapes | None) -> ValidationReport:
    t0 = time.perf_counter()
    report = check_store(store_triples(store), engine=engine, shapes=shapes)
    report.seconds = time.perf_counter() - t0
    return report


def store_triples(store) -> Iterable[tuple]:
    """The store's triples, every graph (a triple in two graphs comes twice; the data graph keeps one)."""
    return ((s, p, o) for s, p, o, _ in store.quads())


def check_store(triples: Iterable[tuple], *, engine: str = "compiled",
                shapes: Shapes | None = None) -> ValidationReport:
    """Validate the store's triples, gathered (no store needed)."""
    with gc_paused():
        t0 = time.perf_counter()
        data = _data_graph()
        for t in triples:
            data.add(t)
        if (URIRef(BASE + "ontology"), RDF.type, OWL.Ontology) not in data:
            for g in _static().values():  # a store without the ontology: use the files
                for t in g:
                    data.add(t)
        report = validate_graph(data, engine=engine, shapes=shapes)
        report.seconds = time.perf_counter() - t0
        return report
