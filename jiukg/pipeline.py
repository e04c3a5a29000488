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

from rdflib import Dataset, Graph, Literal, URIRef
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


@dataclass
class Summary:
    documents: int = 0
    records: Counter = field(default_factory=Counter)
    triples: int = 0
    warnings: list[LoadWarning] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    validation: object = None
    seconds: float = 0.0

    def lines(self) -> list[str]:
        recs = ", ".join(f"{n} {k}" for k, n in sorted(self.records.items())) or "none"
        out = [f"{self.documents} documents, records: {recs}; {self.triples} triples in the store; "
               f"{len(self.warnings)} warnings; {self.seconds:.2f} s"]
        out += [f"skipped {s}" for s in self.skipped]
        return out


def _rdf_format(path: Path, data: bytes) -> str | None:
    fmt = RDF_SUFFIXES.get(path.suffix.lower()) or guess_format(path.name)
    if fmt:
        return fmt
    head = data[:2000].decode("utf-8", "replace").lstrip()
    if head.startswith(("@prefix", "PREFIX", "@base")):
        return "turtle"
    return None


def prepare_rdf(path: Path, data: bytes, fmt: str) -> Prepared:
    """An RDF file a steward prepared: TriG/N-Quads keep their graphs; a triples
    file goes into the graph of the one document it describes, else a graph named
    after the file."""
    try:
        if fmt in ("trig", "nquads"):
            ds = Dataset()
            ds.parse(data=data, format=fmt)
            graphs: dict[URIRef, Graph] = {}
            for s, p, o, g in ds.quads((None, None, None, None)):
                gid = g if isinstance(g, URIRef) and str(g) != "urn:x-rdflib:default" else GRAPH["file/" + slug(path.stem)]
                graphs.setdefault(gid, Graph(identifier=gid)).add((s, p, o))
            return Prepared(path.name, graphs)
        g = Graph()
        g.parse(data=data, format=fmt)
    except Exception as e:  # rdflib raises many kinds; all mean the same to the user
        raise UnrecognisedDocument(f"{path.name}: not valid {fmt} ({e})") from e
    docs = set(g.objects(None, PROV.wasQuotedFrom)) | {d for d in g.subjects(JIU.sourceChecksum, None)}
    symbols = {str(s) for d in docs for s in g.objects(d, JIU.symbol)}
    gid = graph_iri(symbols.pop()) if len(symbols) == 1 else GRAPH["file/" + slug(path.stem)]
    return Prepared(path.name, {gid: g})


def prepare(path: str | Path) -> Prepared:
    """Read one file (source text or RDF) into named graphs; the store is not touched."""
    p = Path(path)
    if not p.is_file():
        raise UnrecognisedDocument(f"{p}: no such file")
    data = p.read_bytes()
    if not data.strip():
        raise UnrecognisedDocument(f"{p.name}: the file is empty")
    fmt = _rdf_format(p, data)
    if fmt:
        return prepare_rdf(p, data, fmt)
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


def build(store: Store, corpus: Path, *, progress: Callable[[str], None] = lambda s: None) -> Summary:
    """Load a whole corpus: every file a loader recognises, plus ontology and reference data."""
    t0 = time.perf_counter()
    summary = Summary()
    prepared = []
    for f in sorted(p for p in corpus.iterdir() if p.is_file()):
        try:
            pr = prepare(f)
        except UnrecognisedDocument as e:
            summary.skipped.append(str(e))
            progress(f"skip  {e}")
            continue
        prepared.append(pr)
        progress(f"read  {f.name}: " + ", ".join(str(g) for g in pr.graphs))
    summary.validation = commit(store, prepared, extra=static_graphs())
    _summarise(summary, store, prepared, t0)
    return summary


def load(store: Store, files: list[Path], *, progress: Callable[[str], None] = lambda s: None) -> Summary:
    """Add or replace documents. Every file must be recognised, or nothing is written."""
    t0 = time.perf_counter()
    summary = Summary()
    prepared = []
    for f in files:
        pr = prepare(f)  # UnrecognisedDocument propagates: the whole load is refused
        prepared.append(pr)
        progress(f"read  {f}: " + ", ".join(str(g) for g in pr.graphs))
    summary.validation = commit(store, prepared)
    _summarise(summary, store, prepared, t0)
    return summary


def _summarise(summary: Summary, store: Store, prepared: list[Prepared], t0: float) -> None:
    summary.documents = len(prepared)
    for p in prepared:
        summary.records.update(p.records)
        summary.warnings.extend(p.warnings)
    summary.triples = store.count()
    summary.seconds = time.perf_counter() - t0
