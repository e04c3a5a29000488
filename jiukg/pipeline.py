"""Every write goes through here: read → extract → validate (the gate) → commit.

`prepare` turns files into named graphs without touching the store; `commit`
validates them together with what they refer to and replaces their graphs in
one step, or writes nothing and returns the report. `build` and `load` (CLI),
and the service's upload, all use these two functions.
"""

from __future__ import annotations

import time
from datetime import datetime, timezone
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, XSD
from rdflib.util import guess_format

from jiukg.namespaces import CATALOGUE_GRAPH, GRAPH, JIU, VOID, graph_iri, slug
from jiukg.ontology import static_graphs  # noqa: F401  (callers use pipeline.static_graphs)
from jiukg.store import Store
from loaders import Extraction, LoadWarning, SourceText, UnrecognisedDocument, load_text
from loaders.base import IncompleteDocument

RDF_SUFFIXES = {".ttl": "turtle", ".nt": "nt", ".jsonld": "json-ld", ".json": "json-ld", ".trig": "trig",
                ".nq": "nquads", ".rdf": "xml", ".owl": "xml", ".n3": "n3"}


class WriteRefused(Exception):
    """Nothing was written; `report` says why (validation) or the message does (input)."""

    def __init__(self, message: str, report=None):
        super().__init__(message)
        self.report = report


class DocumentsRefused(WriteRefused):
    """A build met documents it recognised but could not take whole (incomplete, or an RDF file that
    does not parse): loading the rest would silently leave them out, so nothing is written.
    `refused` holds one message per file, naming it and what is missing."""

    def __init__(self, refused: list[str]):
        n = len(refused)
        super().__init__(f"{n} document{'s' * (n != 1)} refused, so nothing was written: " + "; ".join(refused))
        self.refused = refused


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
        return Prepared(path.name, graphs)
    g = parsed
    docs = set(g.objects(None, PROV.wasQuotedFrom)) | {d for d in g.subjects(JIU.sourceChecksum, None)}
    symbols = {str(s) for d in docs for s in g.objects(d, JIU.symbol)}
    gid = graph_iri(symbols.pop()) if len(symbols) == 1 else GRAPH["file/" + slug(path.stem)]
    return Prepared(path.name, {gid: g})


def prepare(path: str | Path, *, parse: Callable | None = None) -> Prepared:
    """Read one file (source text or RDF) into named graphs; the store is not touched.
    `parse`: see prepare_rdf."""
    p = Path(path)
    if not p.is_file():
        raise UnrecognisedDocument(f"{p}: no such file")
    data = p.read_bytes()
    if not data.strip():
        raise UnrecognisedDocument(f"{p.name}: the file is empty")
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


def graph_records(store: Store, graphs: dict[URIRef, Graph], when: datetime) -> Graph:
    """The catalogue of named graphs (graph/catalogue) after this write: when each graph
    was written, by which jiukg, from which source; entries of other graphs kept."""
    from jiukg import __version__

    g = Graph(identifier=CATALOGUE_GRAPH)
    if CATALOGUE_GRAPH in store.graphs():
        g += store.graph(CATALOGUE_GRAPH)
    stamp = Literal(when.isoformat(timespec="seconds"), datatype=XSD.dateTime)
    for gid, data in graphs.items():
        if gid == CATALOGUE_GRAPH:
            continue
        g.remove((gid, None, None))
        g.add((gid, RDF.type, PROV.Entity))
        g.add((gid, PROV.generatedAtTime, stamp))
        g.add((gid, DCTERMS.creator, Literal(f"jiukg {__version__}")))
        g.add((gid, VOID.triples, Literal(len(data), datatype=XSD.integer)))
        for doc in data.subjects(JIU.sourceChecksum, None):
            g.add((gid, DCTERMS.source, doc))
    return g


def commit(store: Store, prepared: list[Prepared], *, extra: dict[URIRef, Graph] | None = None,
           validate: bool = True) -> object:
    """Validate the new graphs with what they refer to, then replace them in the
    store all at once. On a violation nothing is written: WriteRefused carries
    the report. Returns the validation report (which may hold warnings)."""
    graphs: dict[URIRef, Graph] = dict(extra or {})
    for p in prepared:
        for gid, g in p.graphs.items():
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
    graphs[CATALOGUE_GRAPH] = graph_records(store, graphs, datetime.now(timezone.utc))
    store.replace_graphs(graphs)
    return report


def _read_line(name: str, pr: Prepared) -> str:
    """The progress line of one file read: its graphs and that document's own record counts."""
    graphs = ", ".join(str(g) for g in pr.graphs)
    if pr.extraction is None:
        return f"read  {name}: {graphs} (RDF, {sum(len(g) for g in pr.graphs.values())} triples)"
    n = len(pr.warnings)
    return (f"read  {name}: {graphs}: {_records_text(pr.records)}"
            + (f"; {n} loader warning{'s' * (n != 1)}" if n else ""))


def build(store: Store, corpus: Path, *, progress: Callable[[str], None] = lambda s: None) -> Summary:
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
    summary.validation = commit(store, prepared, extra=static_graphs())
    _summarise(summary, store, prepared, t0)
    return summary


def missing_static_graphs(store: Store) -> dict[URIRef, Graph]:
    """The ontology and reference data graphs the store does not hold yet."""
    held = set(store.graphs())
    return {gid: g for gid, g in static_graphs().items() if gid not in held}


def load(store: Store, files: list[Path], *, progress: Callable[[str], None] = lambda s: None,
         parse: Callable | None = None) -> Summary:
    """Add or replace documents. Every file must be recognised, or nothing is written. A store that
    does not hold the ontology and reference data yet gets them in the same write, through the same
    gate: without them queries lose the organisations' names and the classes the data is typed by."""
    t0 = time.perf_counter()
    summary = Summary()
    prepared = []
    for f in files:
        pr = prepare(f, parse=parse)  # UnrecognisedDocument propagates: the whole load is refused
        prepared.append(pr)
        progress(_read_line(str(f), pr))
    extra = missing_static_graphs(store)
    if extra:
        progress("add   the ontology and reference data graphs, which the store does not hold yet: "
                 + ", ".join(str(g) for g in extra))
    summary.validation = commit(store, prepared, extra=extra or None)
    summary.static_added = sorted(extra)
    _summarise(summary, store, prepared, t0)
    return summary


_DISTINCT = {"recommendation": JIU.Recommendation}


def _summarise(summary: Summary, store: Store, prepared: list[Prepared], t0: float) -> None:
    summary.documents = len(prepared)
    for p in prepared:
        summary.records.update(p.records)
        summary.warnings.extend(p.warnings)
    summary.triples = store.count()
    for kind, cls in _DISTINCT.items():
        rows = store.query(f"SELECT (COUNT(DISTINCT ?r) AS ?n) WHERE {{ GRAPH ?g {{ ?r a <{cls}> }} }}").rows
        summary.distinct[kind] = int(rows[0]["n"].toPython()) if rows and "n" in rows[0] else 0
    summary.seconds = time.perf_counter() - t0
