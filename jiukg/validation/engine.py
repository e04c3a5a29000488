"""Validate one data graph: the compiled engine, or pyshacl where it is handed over."""

from __future__ import annotations

import time
from collections.abc import Iterable

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDFS, SKOS
from rdflib.term import Node

from jiukg.namespaces import JIU, SH

from .core import _compiled_shapes, _fast_core
from .handover import _core_results, _pyshacl_all
from .report import Result, ValidationReport
from .shapes import axioms
from .sparql import _sparql_results


def validate_graph(data: Graph, *, engine: str = "compiled", focus: set | None = None) -> ValidationReport:
    """Validate one data graph (modified in place: the axioms are added).

    `focus`: keep only results on these nodes (for the gate: the subjects of the
    data being written and the records it may break; the rest of the context
    fetched from the store is checked only through them)."""
    t0 = time.perf_counter()
    for t in axioms():
        data.add(t)
    if engine == "pyshacl":
        results = _pyshacl_all(data)
    elif engine == "hybrid" or not _compiled_shapes()[1]:
        results = _core_results(data) + _sparql_results(data)
    else:
        results = _fast_core(data) + _sparql_results(data)
    if focus is not None:
        results = [r for r in results if r.focus in focus]
    _conflicting_values(results, data)
    report = ValidationReport(results=results, triples=len(data))
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


