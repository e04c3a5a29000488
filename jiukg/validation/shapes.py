"""The shapes graph: every file of shapes/, read once, and what the engines read from it."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from rdflib import Graph, URIRef
from rdflib.namespace import RDFS
from rdflib.term import Node

from jiukg.namespaces import PREFIXES, SH
from jiukg.paths import SHAPES_DIR

SHAPES_NS = "https://w3id.org/jiukg/shapes#"


@lru_cache(maxsize=1)
def shapes_graph() -> Graph:
    """All shapes/*.ttl in one graph (parsed once per process)."""
    g = Graph()
    for p, ns in PREFIXES.items():
        g.bind(p, ns)
    for f in sorted(SHAPES_DIR.glob("*.ttl")):
        g.parse(f, format="turtle")
    return g


@lru_cache(maxsize=1)
def _core_shapes() -> Graph:
    """The shapes graph without the sh:sparql constraints (they run compiled)."""
    g = Graph()
    sg = shapes_graph()
    skip = set()
    for c in sg.objects(None, SH.sparql):
        skip.add(c)
    for t in sg:
        if t[1] == SH.sparql or t[0] in skip:
            continue
        g.add(t)
    return g


@lru_cache(maxsize=1)
def axioms() -> tuple:
    """External-vocabulary axioms kept in shapes/ (rdfs:subClassOf), mixed into every data graph."""
    return tuple(shapes_graph().triples((None, RDFS.subClassOf, None)))


@dataclass(frozen=True)
class SparqlConstraint:
    shape: URIRef
    node: Node
    query: str
    severity: str
    messages: tuple  # ((lang, text), ...)
    targets: tuple  # target classes


@lru_cache(maxsize=1)
def sparql_constraints() -> tuple[SparqlConstraint, ...]:
    """Every sh:SPARQLConstraint of the shapes, with its prefixes expanded."""
    sg = shapes_graph()
    out = []
    for shape, c in sg.subject_objects(SH.sparql):
        prefixes = ""
        for decl_src in sg.objects(c, SH.prefixes):
            for d in sg.objects(decl_src, SH.declare):
                prefixes += f"PREFIX {sg.value(d, SH.prefix)}: <{sg.value(d, SH.namespace)}>\n"
        sev = sg.value(shape, SH.severity) or SH.Violation
        msgs = tuple((m.language or "", str(m)) for m in sg.objects(c, SH.message)) or \
            tuple((m.language or "", str(m)) for m in sg.objects(shape, SH.message))
        out.append(SparqlConstraint(shape, c, prefixes + str(sg.value(c, SH.select)), _sev_name(sev), msgs,
                                    tuple(sg.objects(shape, SH.targetClass))))
    return tuple(sorted(out, key=lambda s: str(s.shape)))


def shape_labels(shape: Node) -> dict[str, str]:
    """rdfs:label / sh:name of a shape by language; a property shape also gives its node shape's."""
    sg = shapes_graph()
    out = {}
    for p in (SH.name, RDFS.label):
        for lit in sg.objects(shape, p):
            out.setdefault(lit.language or "", str(lit))
    return out


def _sev_name(sev: Node) -> str:
    return str(sev).rsplit("#", 1)[-1]

