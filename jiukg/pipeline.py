"""Every write goes through here: read → extract → validate (the gate) → commit.

`prepare` turns files into named graphs without touching the store; `commit`
validates them together with what they refer to and replaces their graphs in
one step, or writes nothing and returns the report. `build` and `load` (CLI),
the service's upload, SPARQL Update and the Graph Store Protocol all use these
two functions. A write through the service carries an `Activity` (its token):
commit refuses graphs outside the token's scope and records the write, as
PROV, in the catalogue graph.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime, timezone
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, XSD
from rdflib.util import guess_format

from jiukg import status_order
from jiukg.namespaces import (CATALOGUE_GRAPH, GRAPH, JIU, VOID, graph_iri, slug, token_iri, write_iri,
                              written_by_jiukg)
from jiukg.ontology import static_graphs  # noqa: F401  (callers use pipeline.static_graphs)
from jiukg.store import Store
from loaders import Extraction, LoadWarning, SourceText, UnrecognisedDocument, load_text
from loaders import status_template
from loaders.base import IncompleteDocument

RDF_SUFFIXES = {".ttl": "turtle", ".nt": "nt", ".jsonld": "json-ld", ".json": "json-ld", ".trig": "trig",
                ".nq": "nquads", ".rdf": "xml", ".owl": "xml", ".n3": "n3"}


#: One commit at a time in this process: each rewrites the catalogue graph from what it read, and the service's
#: read-modify-write routes (SPARQL Update, Graph Store POST) hold it from their read to their write.
WRITE_LOCK = threading.RLock()


class WriteRefused(Exception):
    """Nothing was written; `report` says why (validation) or the message does (input)."""

    def __init__(self, message: str, report=None):
        super().__init__(message)
        self.report = report


class OutOfScope(WriteRefused):
    """The write names graphs its token may not write (`graphs`); nothing was written."""

    def __init__(self, token, graphs: list[str]):
        who = f"token {token.name!r}" + (f" of {token.organisation}" if token.organisation else "")
        why = (f" ({CATALOGUE_GRAPH} is written by jiukg itself: when and how each graph was written)"
               if str(CATALOGUE_GRAPH) in graphs else "")
        super().__init__(f"the {who} may not write {', '.join(graphs)}{why}; nothing was written")
        self.graphs = graphs


@dataclass
class Activity:
    """A write made through the service, for the scope check and the catalogue's PROV record.

    `token` is a jiukg.auth.Token (name, organisation, agent, refused()); commit fills in the rest."""

    operation: str  # e.g. "SPARQL Update", "Graph Store Protocol PUT", "upload"
    token: object
    started: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    iri: URIRef | None = None
    added: int = 0
    removed: int = 0
    used: list[URIRef] = field(default_factory=list)  # graphs that held triples before
    generated: list[URIRef] = field(default_factory=list)  # graphs that hold triples after
    invalidated: list[URIRef] = field(default_factory=list)  # graphs the write emptied

    def to_json(self) -> dict:
        return {"activity": str(self.iri) if self.iri else None, "triplesAdded": self.added,
                "triplesRemoved": self.removed, "graphs": sorted(str(g) for g in {*self.used, *self.generated})}


def _change_counts(old: Graph, new: Graph) -> tuple[int, int]:
    """Triples added and removed; blank nodes compared by the graphs' canonical forms (their labels change
    with every write)."""
    if any(isinstance(t, BNode) for g in (old, new) for tr in g for t in tr):
        from rdflib.compare import to_canonical_graph

        a, b = set(to_canonical_graph(old)), set(to_canonical_graph(new))
    else:
        a, b = set(old), set(new)
    return len(b - a), len(a - b)


def _record_activity(g: Graph, act: Activity, when: datetime) -> None:
    """The write as a prov:Activity: who (the token, on behalf of its organisation), when, which graphs, counts."""
    token = act.token
    a = act.iri
    g.add((a, RDF.type, PROV.Activity))
    who = token.name + (f" ({token.organisation})" if token.organisation else "")
    g.add((a, RDFS.label, Literal(f"{act.operation} by {who}")))
    g.add((a, PROV.startedAtTime, Literal(act.started.isoformat(timespec="milliseconds"), datatype=XSD.dateTime)))
    g.add((a, PROV.endedAtTime, Literal(when.isoformat(timespec="milliseconds"), datatype=XSD.dateTime)))
    agent = token_iri(token.name)
    g.add((a, PROV.wasAssociatedWith, agent))
    g.add((agent, RDF.type, PROV.Agent))
    g.add((agent, RDFS.label, Literal(token.name)))
    if token.agent is not None:
        g.add((a, PROV.wasAssociatedWith, token.agent))
        g.add((agent, PROV.actedOnBehalfOf, token.agent))
    for p, graphs in ((PROV.used, act.used), (PROV.generated, act.generated), (PROV.invalidated, act.invalidated)):
        for gid in graphs:
            g.add((a, p, gid))
    g.add((a, JIU.triplesAdded, Literal(act.added, datatype=XSD.integer)))
    g.add((a, JIU.triplesRemoved, Literal(act.removed, datatype=XSD.integer)))


class DocumentsRefused(WriteRefused):
    """A build met documents it recognised but could not take whole (incomplete, or an RDF file that
    does not parse): loading the rest would silently leave them out, so nothing is written.
    `refused` holds one message per file, naming it and what is missing."""

    def __init__(self, refused: list[str]):
        n = len(refused)
        super().__init__(f"{n} document{'s' * (n != 1)} refused, so nothing was written: " + "; ".join(refused))
        self.refused = refused


class WouldRemove(WriteRefused):
    """A write that would take records out of the store (typed resources its graphs hold now and the
    new data does not) without an explicit replace: nothing was written. `removed` maps each graph to
    the records it would lose, as {class IRI: [resource IRIs]}; `triples` to its triples now and after."""

    def __init__(self, removed: dict[URIRef, dict[URIRef, list]], triples: dict[URIRef, tuple[int, int]]):
        self.removed, self.triples = removed, triples
        super().__init__("the write would remove records from the store, so nothing was written: "
                         + "; ".join(self.lines(examples=0))
                         + ". To replace these documents on purpose, load again with --replace (POST /data"
                           "?replace=true); to remove a document, delete it (jiukg delete, DELETE /data).")

    def lines(self, examples: int = 3) -> list[str]:
        """One line per graph: what it would lose, by class, with a few of the resources."""
        from jiukg.validation import short

        out = []
        for gid, by_class in sorted(self.removed.items()):
            before, after = self.triples[gid]
            kinds = ", ".join(f"{len(rs)} {short(c)}" for c, rs in sorted(by_class.items(), key=lambda x: -len(x[1])))
            line = f"{gid} ({before} triples now, {after} after): would lose {kinds}"
            if examples:
                some = sorted({str(r) for rs in by_class.values() for r in rs})
                line += " (" + ", ".join(some[:examples]) + (", …" if len(some) > examples else "") + ")"
            out.append(line)
        return out

    def to_json(self) -> dict:
        return {str(g): {"triples_now": self.triples[g][0], "triples_after": self.triples[g][1],
                         "records": {str(c): sorted(str(r) for r in rs) for c, rs in by_class.items()}}
                for g, by_class in self.removed.items()}


class NoSuchGraph(WriteRefused):
    """A delete named a graph the store does not hold."""


class UnreadableRDF(UnrecognisedDocument):
    """A file named or shaped as RDF that does not parse: meant as data, so a build refuses it."""


class RefusedRDF(UnreadableRDF):
    """RDF that asks for what jiukg never does (fetch a context, expand entities) or that no store
    can hold (N3 formulas): see jiukg.rdfparse."""


@dataclass
class Prepared:
    """One input file made ready to commit: the named graphs it replaces."""

    source: str  # file name, for messages
    graphs: dict[URIRef, Graph]
    extraction: Extraction | None = None  # for source texts
    skipped: str | None = None  # what of an RDF file is not loaded, and why

    @property
    def warnings(self) -> list[LoadWarning]:
        return self.extraction.warnings if self.extraction else []

    @property
    def records(self) -> Counter:
        return self.extraction.records if self.extraction else Counter()


def _records_text(records: Counter) -> str:
    return ", ".join(f"{n} {k}" for k, n in sorted(records.items()) if n) or "no records"


@dataclass
class Summary:
    documents: int = 0
    records: Counter = field(default_factory=Counter)  # records per document, summed over the documents read
    triples: int = 0
    distinct: dict[str, int] = field(default_factory=dict)  # distinct resources in the whole store, by kind
    warnings: list[LoadWarning] = field(default_factory=list)  # the loaders' warnings (not the validation's)
    skipped: list[str] = field(default_factory=list)
    static_added: list[URIRef] = field(default_factory=list)  # ontology/reference graphs a load added
    validation: object = None
    seconds: float = 0.0

    def lines(self) -> list[str]:
        """The summary as printed: records counted per document (a recommendation two documents
        quote is two records), what the store then holds, loader warnings apart from the
        validation report's own counts."""
        docs = f"{self.documents} document{'s' * (self.documents != 1)}"
        out = [f"{docs} read; records per document, summed: {_records_text(self.records)}"]
        held = [f"{n} distinct {k}{'s' * (n != 1)}" for k, n in sorted(self.distinct.items())]
        out.append("the store holds " + ", ".join([*held, f"{self.triples} triples"]))
        if self.static_added:
            out.append("added the ontology and reference data graphs the store did not hold: "
                       + ", ".join(str(g) for g in self.static_added))
        n = len(self.warnings)
        out.append(f"{n} loader warning{'s' * (n != 1)} (the loaders' own checks, apart from the validation report)")
        if self.validation is not None:
            out.append(f"validation report: {self.validation.summary()}")
        out += [f"skipped (not a document) {s}" for s in self.skipped]
        out.append(f"{self.seconds:.2f} s")
        return out


def _rdf_format(path: Path, data: bytes) -> str | None:
    fmt = RDF_SUFFIXES.get(path.suffix.lower()) or guess_format(path.name)
    if fmt:
        return fmt
    head = data[:2000].decode("utf-8", "replace").lstrip()
    if head.startswith(("@prefix", "PREFIX", "@base")):
        return "turtle"
    return None


def prepare_rdf(path: Path, data: bytes, fmt: str, *, parse: Callable | None = None) -> Prepared:
    """An RDF file a steward prepared: TriG/N-Quads keep their graphs; a triples
    file goes into the graph of the one document it describes, else a graph named
    after the file. `parse` stands in for jiukg.rdfparse.parse (the service parses
    request bodies in a process it can stop)."""
    from jiukg import rdfparse

    try:
        parsed = (parse or rdfparse.parse)(data, fmt, what=path.name)
    except rdfparse.RDFRefused as e:
        raise RefusedRDF(f"{path.name}: {e}; nothing was read") from e
    except Exception as e:  # rdflib raises many kinds; all mean the same to the user
        raise UnreadableRDF(f"{path.name}: not valid {fmt} ({e})") from e
    if fmt in ("trig", "nquads"):
        graphs: dict[URIRef, Graph] = {}
        for s, p, o, g in parsed.quads((None, None, None, None)):
            gid = g if isinstance(g, URIRef) and str(g) != "urn:x-rdflib:default" else GRAPH["file/" + slug(path.stem)]
            graphs.setdefault(gid, Graph(identifier=gid)).add((s, p, o))
        skipped = None
        own = sorted(g for g in graphs if written_by_jiukg(g))
        if own and len(own) < len(graphs):
            # a whole dump (export -> load): the catalogue and the status order are jiukg's own, rewritten
            # by this write; alone, they are refused at commit (nobody writes them)
            n = sum(len(graphs.pop(g)) for g in own)
            skipped = (f"{', '.join(str(g) for g in own[:3])}{' …' if len(own) > 3 else ''} skipped "
                       f"({len(own)} graphs, {n} triples): jiukg writes them itself")
        return Prepared(path.name, graphs, skipped=skipped)
    g = parsed
    docs = set(g.objects(None, PROV.wasQuotedFrom)) | {d for d in g.subjects(JIU.sourceChecksum, None)}
    symbols = {str(s) for d in docs for s in g.objects(d, JIU.symbol)}
    gid = graph_iri(symbols.pop()) if len(symbols) == 1 else GRAPH["file/" + slug(path.stem)]
    return Prepared(path.name, {gid: g})


def prepare(path: str | Path, *, org: str | None = None, lang: str | None = None,
            known: Callable[[str], set[int] | None] | None = None, parse: Callable | None = None) -> Prepared:
    """Read one file (source text, RDF or a filled-in status template) into named graphs; the store
    is not touched. `org`, `lang` and `known` are for status templates (loaders.status_template):
    the organisation the submitter speaks for, the language of the errors, and the recommendation
    numbers the store holds for a report. `parse`: see prepare_rdf."""
    p = Path(path)
    if not p.is_file():
        raise UnrecognisedDocument(f"{p}: no such file")
    data = p.read_bytes()
    if not data.strip():
        raise UnrecognisedDocument(f"{p.name}: the file is empty")
    if status_template.sniff(data):  # before the RDF suffixes: a template's CSVW metadata is .json
        ex = status_template.load(p, data, org=org, lang=lang, known=known)
        return Prepared(p.name, {ex.graph_iri: ex.graph}, ex)
    fmt = _rdf_format(p, data)
    if fmt:
        return prepare_rdf(p, data, fmt, parse=parse)
    text = SourceText.from_file(p)
    ex = load_text(text)
    fatal = [w for w in ex.warnings if w.fatal]
    if fatal:
        raise IncompleteDocument(f"{p.name}: the document is incomplete, so it was not loaded: "
                                 + "; ".join(str(w) for w in fatal))
    return Prepared(p.name, {ex.graph_iri: ex.graph}, ex)


def graph_records(store: Store, graphs: dict[URIRef, Graph], when: datetime,
                  activity: Activity | None = None) -> Graph:
    """The catalogue of named graphs (graph/catalogue) after this write: when each graph
    was written, by which jiukg, from which source, by which write (a service write's
    prov:Activity, kept as the log of writes); entries of other graphs kept, entries
    of graphs the write emptied removed."""
    from jiukg import __version__

    g = Graph(identifier=CATALOGUE_GRAPH)
    if CATALOGUE_GRAPH in store.graphs():
        g += store.graph(CATALOGUE_GRAPH)
    stamp = Literal(when.isoformat(timespec="seconds"), datatype=XSD.dateTime)
    if activity is not None:
        _record_activity(g, activity, when)
    for gid, data in graphs.items():
        if gid == CATALOGUE_GRAPH:
            continue
        g.remove((gid, None, None))
        if not len(data):
            continue  # the graph is gone; the activity says who removed it
        if activity is not None:
            g.add((gid, PROV.wasGeneratedBy, activity.iri))
            if activity.token.agent is not None:
                g.add((gid, PROV.wasAttributedTo, activity.token.agent))
        g.add((gid, RDF.type, PROV.Entity))
        g.add((gid, PROV.generatedAtTime, stamp))
        g.add((gid, DCTERMS.creator, Literal(f"jiukg {__version__}")))
        g.add((gid, VOID.triples, Literal(len(data), datatype=XSD.integer)))
        for doc in data.subjects(JIU.sourceChecksum, None):
            g.add((gid, DCTERMS.source, doc))
    return g


def removed_records(store: Store, graphs: dict[URIRef, Graph]) -> WouldRemove | None:
    """What replacing `graphs` would take out of the store: every resource a graph now types (a
    recommendation, a status statement, a comment, a passage, the document...) that the new graph
    no longer types. None when nothing would be lost."""
    held = set(store.graphs())
    removed: dict[URIRef, dict[URIRef, list]] = {}
    triples: dict[URIRef, tuple[int, int]] = {}
    for gid, new in graphs.items():
        if gid not in held:
            continue
        lost: dict[URIRef, list] = {}
        blank_before: Counter = Counter()
        for s, p, c, _ in store.quads(gid):
            if p != RDF.type:
                continue
            if isinstance(s, BNode):  # blank nodes get new labels on every read: compared by number
                blank_before[c] += 1
            elif (s, RDF.type, c) not in new:
                lost.setdefault(c, []).append(s)
        blank_after = Counter(c for s, c in new.subject_objects(RDF.type) if isinstance(s, BNode))
        for c, n in (blank_before - blank_after).items():
            lost.setdefault(c, []).extend(BNode() for _ in range(n))
        if lost:
            removed[gid] = lost
            triples[gid] = (store.count(gid), len(new))
    return WouldRemove(removed, triples) if removed else None


def commit(store: Store, prepared: list[Prepared], *, extra: dict[URIRef, Graph] | None = None,
           validate: bool = True, replace: bool = False, activity: Activity | None = None) -> object:
    """Validate the new graphs with what they refer to, then replace them in the
    store all at once (an empty graph removes the graph). On a violation nothing
    is written: WriteRefused carries the report. Unless `replace`, a write that
    would remove records the store holds is refused too (WouldRemove, saying
    which): a steward's file that names a document's graph must not wipe that
    document by accident. With an `activity`, graphs outside its token's scope
    refuse the whole write (OutOfScope; `extra`, the project's own ontology and
    reference graphs a load adds, excepted) and the write is recorded in the
    catalogue graph. Returns the validation report (which may hold warnings)."""
    with WRITE_LOCK:
        return _commit(store, prepared, extra, validate, replace, activity)


def _commit(store: Store, prepared: list[Prepared], extra: dict[URIRef, Graph] | None, validate: bool,
            replace: bool, activity: Activity | None) -> object:
    if activity is not None:
        refused = activity.token.refused({gid for p in prepared for gid in p.graphs})
        if refused:
            raise OutOfScope(activity.token, refused)
    graphs: dict[URIRef, Graph] = dict(extra or {})
    for p in prepared:
        for gid, g in p.graphs.items():
            if written_by_jiukg(gid):
                raise WriteRefused(f"{p.source}: {gid} is written by jiukg itself (when and how each graph was "
                                   "written, the order of each organisation's statements); it cannot be loaded. "
                                   "Nothing was written.")
            if gid in graphs and gid not in (extra or {}):
                graphs[gid] += g  # two inputs for one document: merged, never one silently dropped
            else:
                graphs[gid] = g
    report = None
    if validate:
        from jiukg.validation import validate_write

        report = validate_write(store, graphs)
        if not report.conforms:
            raise WriteRefused("the data breaks the shapes; nothing was written", report)
    if not replace:  # after validation: a write the shapes refuse is told why first
        loss = removed_records(store, {gid: graphs[gid] for p in prepared for gid in p.graphs})
        if loss is not None:
            raise loss
    when = datetime.now(timezone.utc)
    if activity is not None:
        import secrets

        existing = set(store.graphs())
        for gid, new in graphs.items():
            old = store.graph(gid) if gid in existing else Graph()
            added, removed = _change_counts(old, new)
            activity.added += added
            activity.removed += removed
            if len(old):
                activity.used.append(gid)
            if len(new):
                activity.generated.append(gid)
            elif len(old):
                activity.invalidated.append(gid)
        activity.iri = write_iri(when, secrets.token_hex(4))
    for gid, triples in status_order.derive(store, graphs).items():
        graphs[gid] = Graph(identifier=gid)
        graphs[gid] += triples
    graphs[CATALOGUE_GRAPH] = graph_records(store, graphs, when, activity)
    store.replace_graphs(graphs)
    return report


def _read_line(name: str, pr: Prepared) -> str:
    """The progress line of one file read: its graphs and that document's own record counts."""
    graphs = ", ".join(str(g) for g in pr.graphs)
    if pr.extraction is None:
        return (f"read  {name}: {graphs} (RDF, {sum(len(g) for g in pr.graphs.values())} triples)"
                + (f"; {pr.skipped}" if pr.skipped else ""))
    n = len(pr.warnings)
    return (f"read  {name}: {graphs}: {_records_text(pr.records)}"
            + (f"; {n} loader warning{'s' * (n != 1)}" if n else ""))


def build(store: Store, corpus: Path, *, progress: Callable[[str], None] = lambda s: None,
          replace: bool = False) -> Summary:
    """Load a whole corpus: every file a loader recognises, plus ontology and reference data.

    A file that is no document at all (the corpus README) is skipped with a line saying so; a
    file recognised as a document but incomplete (or RDF that does not parse) refuses the whole
    build (DocumentsRefused): building without it would drop its data without a word."""
    t0 = time.perf_counter()
    summary = Summary()
    prepared, refused = [], []
    for f in sorted(p for p in corpus.iterdir() if p.is_file()):
        try:
            pr = prepare(f)
        except (IncompleteDocument, UnreadableRDF) as e:
            refused.append(str(e))
            progress(f"refuse {e}")
            continue
        except UnrecognisedDocument as e:
            summary.skipped.append(str(e))
            progress(f"skip  (not a document) {e}")
            continue
        prepared.append(pr)
        progress(_read_line(f.name, pr))
    if refused:
        raise DocumentsRefused(refused)
    summary.validation = commit(store, prepared, extra=static_graphs(), replace=replace)
    _summarise(summary, store, prepared, t0)
    return summary


def missing_static_graphs(store: Store) -> dict[URIRef, Graph]:
    """The ontology and reference data graphs the store does not hold yet."""
    held = set(store.graphs())
    return {gid: g for gid, g in static_graphs().items() if gid not in held}


def load(store: Store, files: list[Path], *, progress: Callable[[str], None] = lambda s: None,
         replace: bool = False, activity: Activity | None = None, org: str | None = None,
         lang: str | None = None, parse: Callable | None = None) -> Summary:
    """Add or replace documents. Every file must be recognised, or nothing is written; a file that would
    remove records the store holds is refused unless `replace` (WouldRemove). A store that
    does not hold the ontology and reference data yet gets them in the same write, through the same
    gate: without them queries lose the organisations' names and the classes the data is typed by.
    `org` and `lang`: for status templates (see prepare)."""
    from jiukg.template import recommendation_numbers

    t0 = time.perf_counter()
    summary = Summary()
    prepared = []
    for f in files:
        pr = prepare(f, org=org, lang=lang, known=lambda report: recommendation_numbers(store, report), parse=parse)
        # UnrecognisedDocument (TemplateRefused among them) propagates: the whole load is refused
        prepared.append(pr)
        progress(_read_line(str(f), pr))
    extra = missing_static_graphs(store)
    if extra:
        progress("add   the ontology and reference data graphs, which the store does not hold yet: "
                 + ", ".join(str(g) for g in extra))
    summary.validation = commit(store, prepared, extra=extra or None, replace=replace, activity=activity)
    summary.static_added = sorted(extra)
    _summarise(summary, store, prepared, t0)
    return summary


def document_graph(name: str) -> URIRef:
    """The named graph a user means: a graph IRI as it is, else a document symbol (A/80/263/Add.1)."""
    if name.startswith(("http://", "https://")):
        return URIRef(name)
    return graph_iri(name)


def delete(store: Store, names: list[str], *, progress: Callable[[str], None] = lambda s: None,
           activity: Activity | None = None) -> object:
    """Remove whole documents (their named graphs) and their catalogue entries: the one operation that
    removes records on purpose. Validated like any write, so a delete that would leave other documents
    pointing at nothing is refused with the report; with an `activity`, scoped and recorded like any
    write. Returns the validation report."""
    with WRITE_LOCK:
        return _delete(store, names, progress, activity)


def _delete(store: Store, names: list[str], progress: Callable[[str], None], activity: Activity | None) -> object:
    held = set(store.graphs())
    graphs: dict[URIRef, Graph] = {}
    for name in names:
        gid = document_graph(name)
        if written_by_jiukg(gid):
            raise WriteRefused(f"{gid} is written by jiukg itself and cannot be deleted; nothing was written")
        if gid not in held:
            raise NoSuchGraph(f"{name}: the store holds no graph {gid}; nothing was written")
        graphs[gid] = Graph(identifier=gid)
        progress(f"delete {gid}: {store.count(gid)} triples")
    return _commit(store, [Prepared("delete", graphs)], None, True, True, activity)


_DISTINCT = {"recommendation": JIU.Recommendation}


def _summarise(summary: Summary, store: Store, prepared: list[Prepared], t0: float, triples: int | None = None) -> None:
    summary.documents = len(prepared)
    for p in prepared:
        summary.records.update(p.records)
        summary.warnings.extend(p.warnings)
    summary.triples = store.count() if triples is None else triples
    for kind, cls in _DISTINCT.items():
        rows = store.query(f"SELECT (COUNT(DISTINCT ?r) AS ?n) WHERE {{ GRAPH ?g {{ ?r a <{cls}> }} }}").rows
        summary.distinct[kind] = int(rows[0]["n"].toPython()) if rows and "n" in rows[0] else 0
    summary.seconds = time.perf_counter() - t0
