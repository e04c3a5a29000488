"""pyshacl: for shapes the compiled engine does not implement, and as the plain `engine="pyshacl"`.

jiukg keeps pyshacl from being silently wrong where it knows how it errs:
- the SPARQL queries are checked first (sparql.check: SHACL 1.0 §5.2.1 says
  which must be refused; pyshacl runs them);
- pyshacl reads sh:uniqueLang, sh:deactivated, sh:closed and
  sh:qualifiedValueShapesDisjoint by their value ("1"^^xsd:boolean counts as
  true); SHACL compares RDF terms, so only "true"^^xsd:boolean switches them on,
  and the copy of the shapes handed to pyshacl leaves the others out;
- pyshacl does not implement $shapesGraph: a query using it is refused with
  that reason (the compiled engine runs it);
- only the report's own sh:result are results (pyshacl also writes the nested
  results of sh:node and the like as sh:detail), and a severity of the shapes'
  own is kept as it is.
"""

from __future__ import annotations

from rdflib import Graph
from rdflib.namespace import RDF

from jiukg.namespaces import SH

from .core import is_true
from .report import LANGS, Result
from .shapes import Shapes, ShapesError, _sev_name
from .sparql import check, uses_shapes_graph

_BOOLEANS = (SH.uniqueLang, SH.deactivated, SH.closed, SH.qualifiedValueShapesDisjoint)


def _for_pyshacl(data: Graph) -> Graph:
    """pyshacl needs a context-aware store; the engine's own graphs hold triples only (gate._data_graph)."""
    if not isinstance(data, Graph):  # a store's data (oxdata.StoreData)
        return data.to_graph()
    if data.store.context_aware:
        return data
    g = Graph()
    for t in data:
        g.add(t)
    return g


def _shapes_for_pyshacl(shapes: Shapes) -> Graph:
    def make():
        sg = shapes.graph
        if not any((None, p, None) in sg and any(not is_true(o) for o in sg.objects(None, p)) for p in _BOOLEANS):
            return sg
        g = Graph()
        for s, p, o in sg:
            if p in _BOOLEANS and not is_true(o):
                continue
            g.add((s, p, o))
        return g

    return shapes.memo("pyshacl-shapes", make)  # type: ignore[return-value]


def run(shapes: Shapes, data: Graph) -> list[Result]:
    """pyshacl on the whole shapes graph (data is used in place: callers pass a graph of their own)."""
    from pyshacl import validate

    check(shapes)
    if uses_shapes_graph(shapes):
        raise ShapesError("a SPARQL constraint uses $shapesGraph, which pyshacl does not implement "
                          "(the compiled engine does)")
    try:
        _, rg, _ = validate(_for_pyshacl(data), shacl_graph=_shapes_for_pyshacl(shapes), inference="none",
                            inplace=True, advanced=False, allow_warnings=True, allow_infos=True)
    except Exception as e:  # ill-formed shapes, or what pyshacl does not implement: it says which
        raise ShapesError(f"pyshacl cannot run these shapes: {' '.join(str(e).split())[:500]}") from e
    return parse_results(rg, shapes)


def parse_results(rg: Graph, shapes: Shapes) -> list[Result]:
    """The results of a pyshacl report graph: the report's own sh:result, not nested sh:detail ones."""
    out = []
    for rep in rg.subjects(RDF.type, SH.ValidationReport):
        for n in rg.objects(rep, SH.result):
            src = rg.value(n, SH.sourceShape)
            msgs: dict[str, str] = {}
            for m in rg.objects(n, SH.resultMessage):
                msgs.setdefault(getattr(m, "language", None) or "", str(m))
            if src is not None and not any(k in msgs for k in LANGS):
                # pyshacl's generic message: prefer the shape's own words
                for m in shapes.graph.objects(src, SH.message):
                    msgs.setdefault(getattr(m, "language", None) or "", str(m))
            out.append(Result(
                focus=rg.value(n, SH.focusNode),
                severity=_sev_name(rg.value(n, SH.resultSeverity) or SH.Violation),
                path=rg.value(n, SH.resultPath),
                value=rg.value(n, SH.value),
                messages=msgs,
                shape=shapes.parent(src) if src is not None else None,
                source_shape=src,
                component=rg.value(n, SH.sourceConstraintComponent),
                constraint=rg.value(n, SH.sourceConstraint),
            ))
    return out
