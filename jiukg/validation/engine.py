"""Validate one data graph: the compiled engine, or pyshacl where it is handed over."""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Iterable
from contextlib import contextmanager

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDFS, SKOS
from rdflib.term import Node

from jiukg.namespaces import JIU, SH

from . import core, handover, sparql
from .oxdata import StoreData
from .report import Result, ValidationReport
from .shapes import Shapes, project_shapes


ENGINES = ("compiled", "pyshacl")
_gc_lock = threading.Lock()
_gc_pauses = 0


@contextmanager
def gc_paused():
    """Python's cyclic garbage collector off while a validation builds its millions of terms and index
    entries (it would otherwise walk them again and again: a fifth of the time at 1M triples); on
    again when the last validation running in the process ends."""
    global _gc_pauses
    with _gc_lock:
        if _gc_pauses == 0:
            was = gc.isenabled()
            gc.disable()
            gc_paused.was = was  # type: ignore[attr-defined]
        _gc_pauses += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pauses -= 1
            if _gc_pauses == 0 and getattr(gc_paused, "was", True):
                gc.enable()


def handover_reasons(shapes: Shapes) -> list[str]:
    """Why the compiled engine cannot run these shapes (empty: it runs them all), from the whole graph."""
    return core.compiled(shapes).reasons


def validate_graph(data: Graph | StoreData, *, engine: str = "compiled", focus: set | None = None,
                   shapes: Shapes | None = None) -> ValidationReport:
    """Validate one data graph (modified in place: the shapes' axioms are added).

    `data`: an rdflib Graph, or a pyoxigraph store's graphs (oxdata.StoreData:
    the engine reads them there, and the SPARQL constraints run there).

    engine "compiled" (the default) runs the compiled engine, or hands the
    whole validation to pyshacl when the shapes graph holds anything it does not
    implement (decided before validation, from the whole graph; the report's
    `engine` says so and why); "pyshacl" runs plain pyshacl. Shapes that must be
    refused (SHACL-SPARQL §5.2.1) raise ShapesError before anything runs.

    `focus`: keep only results on these nodes (for the gate: the subjects of the
    data being written and the records it may break; the rest of the context
    fetched from the store is checked only through them)."""
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(ENGINES)}, not {engine!r}")
    with gc_paused():
        return _validate_graph(data, engine, focus, shapes if shapes is not None else project_shapes())


def _validate_graph(data: Graph, engine: str, focus: set | None, shapes: Shapes) -> ValidationReport:
    t0 = time.perf_counter()
    sparql.check(shapes)
    for t in shapes.axioms:
        data.add(t)
    reasons = handover_reasons(shapes)
    if engine == "pyshacl":
        results, used = handover.run(shapes, data), "pyshacl"
    elif reasons:
        results = handover.run(shapes, data)
        used = "pyshacl (hand-over: " + "; ".join(reasons[:3]) + (f"; {len(reasons) - 3} more" if len(reasons) > 3
                                                                  else "") + ")"
    else:
        results, jobs = core.run(shapes, data)
        results += sparql.run(shapes, data, jobs, shapes.parent)
        used = "compiled"
    if focus is not None:
        results = [r for r in results if r.focus in focus]
    _conflicting_values(results, data)
    report = ValidationReport(results=results, triples=len(data), shapes=shapes, engine=used)
    report.labels = _labels(data, {r.focus for r in results})
    report.seconds = time.perf_counter() - t0
    return report


def _conflicting_values(results: list[Result], data: Graph) -> None:
    """Give sh:uniqueLang results (SHACL reports them without sh:value) the values of their language.

    SHACL makes one result per duplicated language and says not which: the
    results of one shape on one focus node and path take them in order."""
    groups: dict[tuple, list[Result]] = {}
    for r in results:
        if r.component == SH.UniqueLangConstraintComponent and r.value is None and isinstance(r.path, URIRef):
            groups.setdefault((r.focus, r.path, r.source_shape), []).append(r)
    for (focus, path, _), rs in groups.items():
        by_lang: dict[str, list] = {}
        for v in data.objects(focus, path):
            if isinstance(v, Literal) and v.language:
                by_lang.setdefault(v.language.lower(), []).append(v)
        dup = [sorted(vs) for _, vs in sorted(by_lang.items()) if len(vs) > 1]
        for r, vs in zip(rs, dup):
            r.values = tuple(vs)


_LABEL_PROPS = (RDFS.label, SKOS.prefLabel, JIU.symbol, DCTERMS.title)


def _labels(data: Graph, nodes: Iterable[Node]) -> dict:
    out = {}
    for n in nodes:
        ls: dict[str, str] = {}
        for p in _LABEL_PROPS:
            for lit in data.objects(n, p):
                if isinstance(lit, Literal):
                    ls.setdefault(lit.language or "", str(lit))
            if ls:
                break
        if ls:
            out[n] = ls
    return out


