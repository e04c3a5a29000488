"""The shapes graph: what the engines read, once per graph.

`Shapes` wraps one shapes graph: the project's (every file of shapes/), a data
steward's own, or both together. The engines keep what they derive from it
(the compiled shapes, the SPARQL constraints, the hand-over decision) in the
object, so it is computed once per graph, not per validation.

Shapes files are read with rdflib's literal normalisation off: "1"^^xsd:boolean
stays "1" (SHACL compares RDF terms: only "true" switches sh:uniqueLang on), and
an ill-typed "none"^^xsd:boolean keeps its lexical form.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

import rdflib
from rdflib import Graph
from rdflib.namespace import RDF, RDFS
from rdflib.term import Node

from jiukg.namespaces import PREFIXES, SH
from jiukg.paths import SHAPES_DIR

SHAPES_NS = "https://w3id.org/jiukg/shapes#"
SEVERITIES = ("Violation", "Warning", "Info")


class ShapesError(ValueError):
    """The shapes cannot be run as they are (SHACL says: refuse them); the message says which and why."""


_EXACT = threading.Lock()


@contextmanager
def exact_literals():
    """Parse with rdflib's literal normalisation off (see the module docstring)."""
    with _EXACT:
        before = rdflib.NORMALIZE_LITERALS
        rdflib.NORMALIZE_LITERALS = False
        try:
            yield
        finally:
            rdflib.NORMALIZE_LITERALS = before


def read_shapes_file(path: Path, graph: Graph | None = None, data: str | bytes | None = None) -> Graph:
    """One shapes file (Turtle, or by suffix N-Triples / RDF/XML) into `graph`; never fetches anything."""
    g = graph if graph is not None else Graph()
    suffix = Path(path).suffix.lower()
    fmt = {".nt": "nt", ".rdf": "xml", ".owl": "xml", ".xml": "xml"}.get(suffix, "turtle")
    if fmt == "xml":
        raise ShapesError(f"{Path(path).name}: shapes are read as Turtle or N-Triples, not RDF/XML")
    with exact_literals():
        if data is not None:
            g.parse(data=data, format=fmt, publicID=Path(path).name)
        else:
            g.parse(path, format=fmt)
    return g


class Shapes:
    """One shapes graph and what the engines derive from it (kept, so computed once).

    `axioms` are rdfs:subClassOf triples mixed into every data graph (the
    project keeps those of external vocabularies in shapes/); `name` says where
    the shapes came from, for messages."""

    def __init__(self, graph: Graph, *, axioms: Iterable[tuple] = (), name: str = "shapes"):
        self.graph = graph
        self.axioms = tuple(axioms)
        self.name = name
        self._memo: dict[str, object] = {}
        self._lock = threading.Lock()

    def memo(self, key: str, make: Callable[[], object]):
        """What `make` derives from this graph, made once."""
        with self._lock:
            if key not in self._memo:
                self._memo[key] = make()
            return self._memo[key]

    def labels(self, shape: Node) -> dict[str, str]:
        """sh:name / rdfs:label of a shape by language."""
        out: dict[str, str] = {}
        for p in (SH.name, RDFS.label):
            for lit in self.graph.objects(shape, p):
                out.setdefault(getattr(lit, "language", None) or "", str(lit))
        return out

    def parent(self, shape: Node) -> Node:
        """The named node shape a (possibly blank) property shape belongs to, else the shape itself."""
        if (shape, RDF.type, SH.NodeShape) in self.graph:
            return shape
        for parent in self.graph.subjects(SH.property, shape):
            return parent
        return shape


@lru_cache(maxsize=1)
def shapes_graph() -> Graph:
    """All shapes/*.ttl in one graph (parsed once per process)."""
    g = Graph()
    for p, ns in PREFIXES.items():
        g.bind(p, ns)
    for f in sorted(SHAPES_DIR.glob("*.ttl")):
        read_shapes_file(f, g)
    return g


@lru_cache(maxsize=1)
def axioms() -> tuple:
    """External-vocabulary axioms kept in shapes/ (rdfs:subClassOf), mixed into every data graph."""
    return tuple(shapes_graph().triples((None, RDFS.subClassOf, None)))


@lru_cache(maxsize=1)
def project_shapes() -> Shapes:
    """The project's shapes (shapes/)."""
    return Shapes(shapes_graph(), axioms=axioms(), name="shapes/")


def load_shapes(files: Iterable[tuple[str, bytes | str | None]] | Iterable[Path], *, project: bool = True) -> Shapes:
    """The project's shapes plus a steward's files (`project=False`: the files alone).

    `files`: paths, or (name, content) pairs for uploads. A file that does not
    parse raises ShapesError naming it."""
    g = Graph()
    names = []
    if project:
        for t in shapes_graph():
            g.add(t)
        names.append("shapes/")
    for f in files:
        name, content = (f if isinstance(f, tuple) else (str(f), None))
        try:
            read_shapes_file(Path(name), g, content)
        except ShapesError:
            raise
        except Exception as e:
            raise ShapesError(f"{Path(name).name}: not valid RDF: {' '.join(str(e).split())[:300]}") from e
        names.append(Path(name).name)
    return Shapes(g, axioms=axioms() if project else (), name=" + ".join(names))


def shape_labels(shape: Node) -> dict[str, str]:
    """rdfs:label / sh:name of a shape of the project by language."""
    return project_shapes().labels(shape)


def _sev_name(sev: Node) -> str:
    """Violation, Warning, Info for SHACL's severities; the IRI itself for any other."""
    s = str(sev)
    local = s.rsplit("#", 1)[-1]
    return local if s.startswith(str(SH)) and local in SEVERITIES else s
