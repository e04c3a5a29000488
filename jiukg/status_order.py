"""The order of each organisation's status statements, derived by jiukg at write time.

"The latest status as at a date" asks, of every statement, whether the organisation said anything later:
a self-join over all statements (past-deadline took 9.6 s at 1M quads in Oxigraph, status-changes more
than 10 s). So every write that touches an organisation's statements or progress reports also rewrites
that organisation's graph `graph/status-order/<org>`, in the same replace as the documents, with:

- statement `jiu:succeededBy` statement: the organisation's next statement(s) on the same recommendation,
  by as-at date (what "consecutive statements" means; `jiu:succeededBy+` reaches every later one);
- statement `jiu:supersededOn` date: the first later date at which the organisation reported either a
  statement on the recommendation or a progress report (which, not listing it, closes it);
- organisation `jiu:latestStatusAsOf` date: the as-at date of its latest statement.

A statement is what the queries join: a subject with `jiu:reportingOrganization`, `jiu:asOf` (an
xsd:date, as the shapes require) and, for the first two facts, `jiu:aboutRecommendation`; a report
is a subject with `jiu:preparedBy` and `jiu:statusesAsOf`. The graphs are never loaded from outside
(`namespaces.written_by_jiukg`); a bulk load, and a restore of a release made before them, derive them whole.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections import defaultdict
from datetime import date

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD

from jiukg.namespaces import ID, JIU
from jiukg.namespaces import STATUS_ORDER_GRAPHS as PREFIX
from jiukg.namespaces import is_status_order_graph as is_order_graph
from jiukg.store.base import INTERNAL_LANE
from jiukg.store.terms import iri_batches

_STATEMENT = (JIU.reportingOrganization, JIU.aboutRecommendation, JIU.asOf)
_REPORT = (JIU.preparedBy, JIU.statusesAsOf)
_ORG_IRI = str(ID["org/"])
_BATCH = 200  # graphs or organisations per VALUES block
_PROPS = " ".join(p.n3() for p in (*_STATEMENT, *_REPORT))
_LOCAL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def graph_for(org: URIRef) -> URIRef:
    """graph/status-order/WIPO for the reference data's organisations; a digest for any other IRI."""
    o = str(org)
    local = o[len(_ORG_IRI):] if o.startswith(_ORG_IRI) else ""
    if not _LOCAL.fullmatch(local):  # a path segment of its own, never `..` or a slash
        local = "iri-" + hashlib.sha256(o.encode()).hexdigest()[:16]
    return URIRef(PREFIX + local)


_XSD_DATE = str(XSD.date)
_ORG, _REC, _AS_OF = (str(p) for p in _STATEMENT)
_BY, _REPORT_AS_OF = (str(p) for p in _REPORT)
_DAYS: dict[str, date | None] = {}


def _day(value) -> date | None:
    """The date SPARQL compares, or None where it cannot (a comparison with it is an error: no row).
    `value`: (lexical form, datatype IRI) for a literal, a string for an IRI."""
    if not isinstance(value, tuple) or value[1] != _XSD_DATE:
        return None
    if value[0] not in _DAYS:
        v = Literal(value[0], datatype=XSD.date).toPython()
        _DAYS[value[0]] = v if isinstance(v, date) else None
    return _DAYS[value[0]]


def _plain(term):
    """A term as the derivation compares it: a literal as (lexical form, datatype IRI), else its string."""
    if isinstance(term, Literal):
        return (str(term), str(term.datatype or ""))
    return str(term)


def _rows(store, sparql: str):
    return store.query(sparql, lane=INTERNAL_LANE).rows


def _orgs_in(store, graphs) -> set[URIRef]:
    """The organisations whose statements or reports the stored versions of `graphs` hold."""
    orgs: set[URIRef] = set()
    for vals in iri_batches(graphs, _BATCH):
        for pattern in (f"?s {JIU.reportingOrganization.n3()} ?o", f"?s {JIU.preparedBy.n3()} ?o"):
            for r in _rows(store, f"SELECT DISTINCT ?o WHERE {{ VALUES ?g {{ {vals} }} GRAPH ?g {{ {pattern} }} }}"):
                if isinstance(r.get("o"), URIRef):
                    orgs.add(r["o"])
    return orgs


def _stored_facts(store, orgs, skip: set, props: tuple, link: URIRef) -> list[tuple]:
    """(subject, property, value) of `props` of every subject `link`ed to one of `orgs`, from the graphs
    not in `skip` (those being replaced)."""
    out = []
    pv = " ".join(p.n3() for p in props)
    for vals in iri_batches(orgs, _BATCH):
        q = (f"SELECT DISTINCT ?g ?s ?p ?v WHERE {{ VALUES ?org {{ {vals} }} ?s {link.n3()} ?org . "
             f"VALUES ?p {{ {pv} }} GRAPH ?g {{ ?s ?p ?v }} }}")
        out.extend((str(r["s"]), str(r["p"]), _plain(r["v"])) for r in _rows(store, q)
                   if r["g"] not in skip and isinstance(r["s"], URIRef))
    return out


def _all_facts(store) -> list[tuple]:
    """Every statement's and report's facts. An embedded store is read through pyoxigraph, without making
    rdflib terms of a million values (1M quads: 1 s, not 9)."""
    import pyoxigraph as ox

    raw = getattr(store, "_store", None)
    if not isinstance(raw, ox.Store):
        return [(str(r["s"]), str(r["p"]), _plain(r["v"])) for r in _rows(
            store, f"SELECT DISTINCT ?s ?p ?v WHERE {{ VALUES ?p {{ {_PROPS} }} ?s ?p ?v }}")
            if isinstance(r["s"], URIRef)]
    out = set()
    # the union graph (store/union.py) holds each triple of the named graphs once
    graph = ox.DefaultGraph() if store.union_graph else None
    for p in (*_STATEMENT, *_REPORT):
        for q in raw.quads_for_pattern(None, ox.NamedNode(str(p)), None, graph):
            if isinstance(q.graph_name, ox.DefaultGraph) != (graph is not None) or not isinstance(q.subject, ox.NamedNode):
                continue
            v = q.object
            out.add((q.subject.value, str(p), (v.value, v.datatype.value) if isinstance(v, ox.Literal) else v.value))
    return list(out)


def derive(store, graphs: dict[URIRef, Graph] | None = None) -> dict[URIRef, list[tuple]]:
    """The status-order graphs, as lists of triples, after replacing `graphs` (an empty graph: removed) in
    `store`: those of the organisations the write touches, before or after it; an emptied one removes its
    graph. With `graphs` None: every organisation's, from the store as it is, and every stale one removed.
    (Lists, not rdflib graphs: at 1M quads, adding 37,000 triples to graphs took 1.5 s of 2.7.)"""
    held = list(store.graphs())
    if graphs is None:
        facts = _all_facts(store)
        orgs = {v for _, p, v in facts if p in (_ORG, _BY) and isinstance(v, str)}
        out = {g: [] for g in held if is_order_graph(g)}
    else:
        replaced = {g for g in graphs if not is_order_graph(g)}
        new = [g for gid, g in graphs.items() if gid in replaced]
        touched = _orgs_in(store, replaced & set(held))
        for g in new:
            touched.update(o for p in (JIU.reportingOrganization, JIU.preparedBy)
                           for o in g.objects(None, p) if isinstance(o, URIRef))
        facts = (_stored_facts(store, touched, replaced, _STATEMENT, JIU.reportingOrganization)
                 + _stored_facts(store, touched, replaced, _REPORT, JIU.preparedBy))
        for g in new:
            facts.extend((str(s), str(p), _plain(v)) for p in (*_STATEMENT, *_REPORT)
                         for s, v in g.subject_objects(p) if isinstance(s, URIRef))
        orgs = {str(o) for o in touched}
        out = {}
    subjects: dict = defaultdict(lambda: defaultdict(set))
    for s, p, v in facts:
        subjects[s][p].add(v)
    by_org: dict = defaultdict(list)  # organisation -> its statements' and reports' subjects
    for s, props in subjects.items():
        props["subject"] = s
        for o in props.get(_ORG, set()) | props.get(_BY, set()):
            if o in orgs:
                by_org[o].append(props)
    for org in sorted(orgs):
        out[graph_for(URIRef(org))] = _order(org, by_org.get(org, []))
    return out


@functools.lru_cache(maxsize=4096)
def _lit(value) -> Literal:
    return Literal(value[0], datatype=URIRef(value[1]))


def _order(org: str, described: list[dict]) -> list[tuple]:
    """One organisation's graph: see the module's docstring. `described`: the facts of its statements and
    reports."""
    g: dict[tuple, None] = {}  # the triples once each (a statement about two recommendations meets two rows)
    pairs: dict = defaultdict(list)  # recommendation -> [(day, value, statement)]
    reports: list[tuple] = []  # (day, value)
    latest = None
    for props in described:
        if org in props.get(_BY, ()):
            reports.extend((d, v) for v in props.get(_REPORT_AS_OF, ()) if (d := _day(v)))
        if org not in props.get(_ORG, ()):
            continue
        s = props["subject"]
        for v in props.get(_AS_OF, ()):
            d = _day(v)
            if d is None:
                continue
            if latest is None or d > latest[0]:
                latest = (d, v)
            for rec in props.get(_REC, ()):
                pairs[rec].append((d, v, s))
    if latest is not None:
        g[(URIRef(org), JIU.latestStatusAsOf, _lit(latest[1]))] = None
    reports.sort(key=lambda x: x[0])
    for rows in pairs.values():
        rows.sort(key=lambda x: x[0])
        for d, _, s in rows:
            nxt = next(((d2, v2) for d2, v2, _ in rows if d2 > d), None)
            rep = next(((d2, v2) for d2, v2 in reports if d2 > d), None)
            if nxt is not None:
                for d2, _, s2 in rows:
                    if d2 == nxt[0]:
                        g[(URIRef(s), JIU.succeededBy, URIRef(s2))] = None
            sup = min((x for x in (nxt, rep) if x is not None), key=lambda x: x[0], default=None)
            if sup is not None:
                g[(URIRef(s), JIU.supersededOn, _lit(sup[1]))] = None
    return list(g)


def refresh(store, *, unseen: bool = False, derived: dict | None = None) -> dict[URIRef, list[tuple]]:
    """Derive every organisation's status order again from the store as it is, and write it: after a bulk
    load or a restore, or data written around the pipeline. Returns the graphs written. Into an embedded
    store that holds none yet, the graphs are added in one transaction, not as the text of an update;
    `unseen`: the store is one no one else sees yet (bulk.py's staging store, discarded on failure), so by
    the bulk loader. `derived`: what `derive` just gave for this store, if the caller asked it."""
    graphs = derive(store) if derived is None else derived
    add = getattr(store, "add_new_graphs", None)
    if add is not None and not any(is_order_graph(g) for g in store.graphs()):
        add(graphs, bulk=unseen)
    else:
        store.replace_graphs(graphs)
    return graphs


def ensure(store) -> bool:
    """Derive the status order of a store written before jiukg kept it (statements, but no status-order
    graph): without it the queries that read it would answer as if no organisation had reported. Returns
    whether it was derived. Read-only stores are left as they are."""
    if any(is_order_graph(g) for g in store.graphs()):
        return False
    if not store.query(f"ASK {{ ?s {JIU.reportingOrganization.n3()} ?o ; {JIU.asOf.n3()} ?d }}",
                       lane=INTERNAL_LANE).boolean:
        return False
    if getattr(store, "read_only", False):
        return False
    refresh(store)
    return True
