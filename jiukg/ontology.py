"""The ontology, vocabularies and reference data as graphs (loaded once)."""

from __future__ import annotations

from functools import lru_cache

from rdflib import Graph, URIRef
from rdflib.namespace import RDFS

from jiukg.namespaces import PREFIXES
from jiukg.paths import ONTOLOGY_DIR, REFERENCE_DIR


@lru_cache(maxsize=1)
def ontology_graph() -> Graph:
    """ontology/*.ttl: the OWL ontology and the SKOS vocabularies."""
    g = Graph()
    for p, ns in PREFIXES.items():
        g.bind(p, ns)
    for f in sorted(ONTOLOGY_DIR.glob("*.ttl")):
        g.parse(f)
    return g


@lru_cache(maxsize=1)
def reference_graph() -> Graph:
    g = Graph()
    for f in sorted(REFERENCE_DIR.glob("*.ttl")):
        g.parse(f)
    return g


@lru_cache(maxsize=64)
def subclasses(cls: URIRef) -> frozenset[URIRef]:
    """cls and all its subclasses declared in the ontology."""
    g = ontology_graph()
    return frozenset(g.transitive_subjects(RDFS.subClassOf, cls))


def static_graphs() -> dict[URIRef, Graph]:
    """The ontology and reference data as the named graphs every build writes."""
    from jiukg.namespaces import ONTOLOGY_GRAPH, REFERENCE_GRAPH

    return {ONTOLOGY_GRAPH: ontology_graph(), REFERENCE_GRAPH: reference_graph()}
