"""Describe one resource from the store: its triples, what points at it, the
statements that hang off it, its source passages and the labels of its neighbours.

Everything is read through SPARQL, so any store backend gives the same page.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS

from jiukg.namespaces import BASE, JIU, PREFIXES, SPARQL_PREFIXES
from service.i18n import pick
from service.querying import run_query, sparql_iri

LABEL_PROPS = (SKOS.prefLabel, RDFS.label, JIU.symbol, DCTERMS.title, JIU.acronym)  # in order of preference
#: resources that only exist to say something about the one they point at
DEPENDENT_CLASSES = (JIU.StatusStatement, JIU.CEBComment)
INCOMING_LIMIT = 1000


@dataclass
class Description:
    iri: URIRef
    out: list[tuple] = field(default_factory=list)  # (p, o)
    incoming: list[tuple] = field(default_factory=list)  # (s, p)
    dependents: dict = field(default_factory=lambda: defaultdict(lambda: defaultdict(list)))  # s -> p -> [o]
    labels: dict = field(default_factory=lambda: defaultdict(list))  # iri -> [Literal]
    label_triples: list[tuple] = field(default_factory=list)
    incoming_truncated: bool = False

    @property
    def exists(self) -> bool:
        return bool(self.out or self.incoming)

    def values(self, p) -> list:
        return [o for pp, o in self.out if pp == p]

    @property
    def types(self) -> list:
        return self.values(RDF.type)

    def triples(self) -> list[tuple]:
        """The RDF description: own triples, incoming links, dependent statements, labels."""
        ts = [(self.iri, p, o) for p, o in self.out]
        ts += [(s, p, self.iri) for s, p in self.incoming]
        for s, props in self.dependents.items():
            ts += [(s, p, o) for p, os in props.items() for o in os]
        ts += self.label_triples
        return ts

    def label(self, iri, lang: str) -> str:
        lit = pick(self.labels.get(iri, []), lang)
        return str(lit) if lit is not None else curie(iri)


def curie(iri) -> str:
    s = str(iri)
    best = None
    for p, ns in PREFIXES.items():
        if s.startswith(ns) and (best is None or len(ns) > len(best[1])):
            best = (p, ns)
    if best and best[0] == "id":
        return s[len(BASE):]
    if best and s != best[1]:
        return f"{best[0]}:{s[len(best[1]):]}"
    return s


def _vals(iris) -> str:
    return " ".join(sparql_iri(str(i)) for i in iris)


async def describe(store, iri: str, timeout: float) -> Description:
    d = Description(URIRef(iri))
    me = sparql_iri(iri)
    r = await run_query(store, f"SELECT DISTINCT ?p ?o WHERE {{ {me} ?p ?o }}", timeout=timeout, check=False)
    d.out = [(row["p"], row["o"]) for row in r.rows]
    r = await run_query(store, f"SELECT DISTINCT ?s ?p WHERE {{ ?s ?p {me} }} LIMIT {INCOMING_LIMIT + 1}",
                        timeout=timeout, check=False)
    d.incoming = [(row["s"], row["p"]) for row in r.rows][:INCOMING_LIMIT]
    d.incoming_truncated = len(r.rows) > INCOMING_LIMIT
    if not d.exists:
        return d
    r = await run_query(store, SPARQL_PREFIXES + f"""
        SELECT DISTINCT ?s ?p ?o WHERE {{
          {{ ?s ?x {me} . VALUES ?c {{ {_vals(DEPENDENT_CLASSES)} }} ?s a ?c }}
          UNION {{ {me} prov:wasDerivedFrom ?s }}
          ?s ?p ?o }}""", timeout=timeout, check=False)
    for row in r.rows:
        d.dependents[row["s"]][row["p"]].append(row["o"])
    # passages of the dependent statements (status statements and comments have their own)
    deps_passages = {o for props in d.dependents.values() for o in props.get(PROV.wasDerivedFrom, [])}
    deps_passages -= set(d.dependents)
    if deps_passages:
        r = await run_query(store, f"SELECT DISTINCT ?s ?p ?o WHERE {{ VALUES ?s {{ {_vals(deps_passages)} }} ?s ?p ?o }}",
                            timeout=timeout, check=False)
        for row in r.rows:
            d.dependents[row["s"]][row["p"]].append(row["o"])
    linked = {d.iri}
    linked |= {x for p, o in d.out for x in (p, o) if isinstance(x, URIRef)}
    linked |= {x for s, p in d.incoming for x in (s, p)}
    for s, props in d.dependents.items():
        linked |= {x for p, os in props.items() for x in [p, *os] if isinstance(x, URIRef)}
    linked = {x for x in linked if isinstance(x, URIRef) and not isinstance(x, BNode)}
    linked_list = sorted(linked)
    for i in range(0, len(linked_list), 400):
        chunk = linked_list[i:i + 400]
        r = await run_query(store, f"""SELECT DISTINCT ?x ?p ?l WHERE {{ VALUES ?x {{ {_vals(chunk)} }}
            VALUES ?p {{ {_vals(LABEL_PROPS)} }} ?x ?p ?l }}""", timeout=timeout, check=False)
        for row in r.rows:
            if isinstance(row["l"], Literal):
                d.labels[row["x"]].append((LABEL_PROPS.index(row["p"]), str(row["l"]), row["l"]))
                if row["x"] != d.iri:
                    d.label_triples.append((row["x"], row["p"], row["l"]))
    for x, ls in d.labels.items():
        d.labels[x] = [lit for _, _, lit in sorted(ls, key=lambda t: t[:2])]
    return d
