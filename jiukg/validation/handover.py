"""The hand-over to pyshacl: what the compiled engine does not run, pyshacl does."""

from __future__ import annotations

from rdflib import Graph
from rdflib.namespace import RDF

from jiukg.namespaces import SH

from .core import _parent_shape
from .report import LANGS, Result
from .shapes import _core_shapes, _sev_name, shapes_graph


def _for_pyshacl(data: Graph) -> Graph:
    """pyshacl needs a context-aware store; the engine's own graphs hold triples only (_data_graph)."""
    if data.store.context_aware:
        return data
    g = Graph()
    for t in data:
        g.add(t)
    return g


def _core_results(data: Graph) -> list[Result]:
    """pyshacl on the core shapes (data is used in place: callers pass a graph of their own)."""
    from pyshacl import validate

    _, rg, _ = validate(_for_pyshacl(data), shacl_graph=_core_shapes(), inference="none", inplace=True, advanced=False,
                        allow_warnings=True, allow_infos=True)
    return _parse_results(rg)


def _pyshacl_all(data: Graph) -> list[Result]:
    from pyshacl import validate

    _, rg, _ = validate(_for_pyshacl(data), shacl_graph=shapes_graph(), inference="none", inplace=True, advanced=False,
                        allow_warnings=True, allow_infos=True)
    return _parse_results(rg)


def _parse_results(rg: Graph) -> list[Result]:
    out = []
    for n in rg.subjects(RDF.type, SH.ValidationResult):
        src = rg.value(n, SH.sourceShape)
        msgs: dict[str, str] = {}
        for m in rg.objects(n, SH.resultMessage):
            msgs.setdefault(m.language or "", str(m))
        if src is not None and not any(k in msgs for k in LANGS):
            # pyshacl's generic message: prefer the shape's own words
            for m in shapes_graph().objects(src, SH.message):
                msgs.setdefault(m.language or "", str(m))
        out.append(Result(
            focus=rg.value(n, SH.focusNode),
            severity=_sev_name(rg.value(n, SH.resultSeverity) or SH.Violation),
            path=rg.value(n, SH.resultPath),
            value=rg.value(n, SH.value),
            messages=msgs,
            shape=_parent_shape(src) if src is not None else None,
            source_shape=src,
            component=rg.value(n, SH.sourceConstraintComponent),
        ))
    return out


