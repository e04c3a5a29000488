"""Names met in the texts resolved to reference resources (data/reference/).

Every label, alt label and acronym of the reference data, in every language,
is an index key, so a French or English document needs labels, not code.
"""

from __future__ import annotations

import re
from functools import lru_cache

from rdflib import URIRef
from rdflib.namespace import RDF, SKOS

from jiukg.namespaces import JIU
from jiukg.ontology import reference_graph, subclasses


@lru_cache(maxsize=1)
def _index() -> dict[str, URIRef]:
    g = reference_graph()
    idx: dict[str, URIRef] = {}
    for prop in (SKOS.prefLabel, SKOS.altLabel, JIU.acronym):
        for s, o in g.subject_objects(prop):
            idx.setdefault(str(o).casefold(), s)
    return idx


def lookup(name: str) -> URIRef | None:
    """The resource whose label or acronym is `name` (case-insensitive), if any."""
    return _index().get(name.strip().casefold())


_LATIN = re.compile(r"[a-z]")


def find_names(text: str, cls: URIRef | None = None) -> list[tuple[int, str, URIRef]]:
    """Reference resources named in `text`, each once, in text order: [(offset, name
    as indexed, IRI)]. Longer names win over names inside them; Latin names must stand
    as words ('UN' is not in 'under'). With `cls`, only instances of that class or its
    subclasses as declared in the ontology."""
    allowed = subclasses(cls) if cls is not None else None
    g = reference_graph()
    folded = text.casefold()
    found: list[tuple[int, str, URIRef]] = []
    seen: set[URIRef] = set()
    for key in sorted(_index(), key=len, reverse=True):
        if len(key) < 2 or key not in folded:
            continue
        iri = _index()[key]
        if iri in seen:
            continue
        if allowed is not None and not any(t in allowed for t in g.objects(iri, RDF.type)):
            continue
        if _LATIN.search(key):
            m = re.search(rf"(?<![a-z0-9]){re.escape(key)}(?![a-z0-9])", folded)
            if m is None:
                continue
            at = m.start()
        else:
            at = folded.index(key)
        seen.add(iri)
        found.append((at, key, iri))
    return sorted(found)


def names_in(text: str, cls: URIRef | None = None) -> list[tuple[str, URIRef]]:
    """Reference resources named in `text`, longest names first: [(name, IRI)] (see find_names)."""
    return [(name, iri) for _, name, iri in sorted(find_names(text, cls), key=lambda t: -len(t[1]))]
