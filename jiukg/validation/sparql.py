"""The SPARQL-based constraints (sh:sparql), run in an in-memory Oxigraph store."""

from __future__ import annotations

import re

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS, SKOS
from rdflib.term import Node

from jiukg.namespaces import SH

from .report import Result, short
from .shapes import sparql_constraints


_PLACEHOLDER = re.compile(r"\{[?$](\w+)\}")


def _sparql_results(data: Graph) -> list[Result]:
    """Run every SPARQL constraint once over the whole data graph (Oxigraph), $this unbound."""
    import pyoxigraph as ox

    from jiukg.store.embedded import from_ox, to_ox

    store = ox.Store()
    store.bulk_extend([ox.Quad(to_ox(s), to_ox(p), to_ox(o), ox.DefaultGraph()) for s, p, o in data])
    instances: dict[URIRef, set] = {}

    def targets(cls: URIRef) -> set:
        if cls not in instances:
            q = f"SELECT DISTINCT ?x WHERE {{ ?x a/<{RDFS.subClassOf}>* <{cls}> }}"
            instances[cls] = {from_ox(sol["x"]) for sol in store.query(q)}
        return instances[cls]

    out = []
    for c in sparql_constraints():
        allowed = set().union(*(targets(t) for t in c.targets)) if c.targets else None
        sols = store.query(c.query.replace("$this", "?this"))
        names = [v.value for v in sols.variables]
        seen = set()
        for sol in sols:
            row = {v: from_ox(sol[v]) for v in names if sol[v] is not None}
            focus = row.get("this")
            if focus is None or (allowed is not None and focus not in allowed):
                continue
            key = (focus, row.get("path"), row.get("value"))
            if key in seen:
                continue
            seen.add(key)
            msgs = {}
            for lang, text in c.messages:
                msgs[lang] = _PLACEHOLDER.sub(lambda m, lang=lang, row=row: _show(row.get(m.group(1)), lang, data), text)
            out.append(Result(focus=focus, severity=c.severity, path=row.get("path"), value=row.get("value"),
                              messages=msgs, shape=c.shape, source_shape=c.shape,
                              component=SH.SPARQLConstraintComponent))
    return out


def _show(t: Node | None, lang: str = "en", data: Graph | None = None) -> str:
    """A value in a message: a concept or organisation by its label in the message's language."""
    if t is None:
        return "—"
    if isinstance(t, URIRef):
        if data is not None:
            labels = {lit.language: str(lit) for lit in data.objects(t, SKOS.prefLabel) if isinstance(lit, Literal)}
            if labels.get(lang):
                return f"“{labels[lang]}”" if lang == "zh" else f"'{labels[lang]}'"
        return short(t)
    return str(t)


