"""The bulk path: large RDF files into an on-disk embedded store, still through the gate, all or nothing.

Why: `jiukg load` reads files with rdflib and validates everything at once, which
at a million quads took minutes and gigabytes. Here pyoxigraph parses (it never
fetches anything: no remote contexts, no imports) straight into a *staging*
store next to the store, with its bulk loader; the named graphs are then
validated: into an empty store (everything new) in one pass, the files parsed
again into an in-memory pyoxigraph store and validated there by the same
engine (validation.oxdata: no rdflib graph, no per-batch context); into a
store holding data, in batches of bounded size (`validation.validate_write`,
the same gate, with the staging store as context, so references across
batches resolve). Only if the data passes is the staging store exchanged with the store in one
atomic rename (Linux renameat2 RENAME_EXCHANGE). Until that rename the store is
not touched: a refusal, an error or a SIGKILL at any point leaves it exactly as
it was, and the next bulk load removes the leftover staging directory.

A non-empty store is copied into the staging store (the graphs the files do not
replace), so the cost of a bulk load grows with the store; small loads into a
big store are the ordinary path's job. `restore` puts back a release (`jiukg
release`: dumps with SHA-256 checksums in its DCAT description), or a folder of
N-Quads files with a SHA256SUMS manifest: the checksums are verified, and
revalidation may be skipped since the release was validated when it was written.
"""

from __future__ import annotations

import ctypes
import dataclasses
import gc
import gzip
import hashlib
import os
import shutil
import threading
import time
import uuid
import zlib
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.namespace import PROV

from jiukg import status_order
from jiukg.namespaces import (CATALOGUE_GRAPH, GRAPH, JIU, ONTOLOGY_GRAPH, REFERENCE_GRAPH, graph_iri, slug,
                              written_by_jiukg)
from jiukg.store import StoreError, union
from jiukg.store.embedded import EmbeddedStore
from jiukg.store.sparql import from_ox
from jiukg.store.union_copy import UnionCopy

FORMATS = {".nq": ox.RdfFormat.N_QUADS, ".nt": ox.RdfFormat.N_TRIPLES, ".trig": ox.RdfFormat.TRIG,
           ".ttl": ox.RdfFormat.TURTLE}
QUAD_FORMATS = (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG)
BULK_BYTES = 20_000_000  # files this large together go the bulk path on their own (`--bulk` forces it)
BATCH_TRIPLES = 150_000  # triples validated at once: bounds the memory of the gate
STAGING = ".{name}.bulk-"


class BulkError(StoreError):
    """The bulk load or restore did not happen; the store is as it was."""


def rdf_format(path: Path) -> ox.RdfFormat | None:
    """The pyoxigraph format of a file the bulk path reads (name.nq, name.ttl.gz, ...), else None."""
    suffixes = path.suffixes[-2:] if path.suffix == ".gz" else path.suffixes[-1:]
    return FORMATS.get(suffixes[0].lower()) if suffixes else None


def eligible(files: Iterable[Path], force: bool = False) -> bool:
    """Whether `jiukg load` should take the bulk path: every file RDF it reads, and large (or forced)."""
    files = list(files)
    if not files or not all(rdf_format(f) for f in files):
        return False
    return force or sum(f.stat().st_size for f in files if f.is_file()) >= BULK_BYTES


def _open_input(path: Path):
    return gzip.open(path, "rb") if path.suffix == ".gz" else open(path, "rb")


# ---------------------------------------------------------------- staging and the exchange


def _staging_dirs(path: Path) -> list[Path]:
    return sorted(path.parent.glob(STAGING.format(name=path.name) + "*"))


def clean_leftovers(path: Path) -> None:
    """Remove staging directories a killed bulk load left (never the store itself)."""
    for d in _staging_dirs(path):
        shutil.rmtree(d, ignore_errors=True)


def _exchange(a: Path, b: Path) -> None:
    """Swap two directories atomically (renameat2 RENAME_EXCHANGE): a crash sees one or the other, never neither."""
    libc = ctypes.CDLL(None, use_errno=True)
    fn = getattr(libc, "renameat2", None)
    if fn is None:
        raise BulkError("this system has no atomic directory exchange (renameat2); use the ordinary load path")
    at_fdcwd, rename_exchange = -100, 2
    if fn(ctypes.c_int(at_fdcwd), os.fsencode(a), ctypes.c_int(at_fdcwd), os.fsencode(b),
          ctypes.c_uint(rename_exchange)) != 0:
        err = ctypes.get_errno()
        raise BulkError(f"cannot exchange {a} and {b}: {os.strerror(err)}; the store was not changed")
    fd = os.open(a.parent, os.O_RDONLY)
    try:
        os.fsync(fd)  # the rename itself made durable
    finally:
        os.close(fd)


class _Staged:
    """The store as the gate sees it during a bulk load: the staging store for what is there now
    (context, referrers), the live store for what each graph held before (the diff)."""

    def __init__(self, stage: EmbeddedStore, live: EmbeddedStore):
        self.stage, self.live = stage, live
        self._before = set(live.graphs())

    def graphs(self):
        return self.stage.graphs()

    def quads(self, graph=None):
        return self.live.quads(graph) if graph in self._before else iter(())

    def query(self, *args, **kwargs):
        return self.stage.query(*args, **kwargs)

    def graph(self, graph):
        return self.stage.graph(graph)


class _GraphInfo:
    """What pipeline.graph_records needs of a graph (its size, its source documents), read from the staging store."""

    def __init__(self, stage: EmbeddedStore, gid: URIRef, n: int | None = None):
        self.n = stage.count(gid) if n is None else n
        q = f"SELECT DISTINCT ?d WHERE {{ GRAPH <{gid}> {{ ?d <{JIU.sourceChecksum}> ?c }} }}"
        self.docs = [r["d"] for r in stage.query(q).rows]

    def __len__(self):
        return self.n

    def subjects(self, p, o):
        return iter(self.docs) if p == JIU.sourceChecksum else iter(())


def _sizes(stage: EmbeddedStore) -> dict[URIRef, int]:
    """The quads of each named graph, in one query (Rust, without the GIL: 1M quads, 1 s)."""
    q = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    return {URIRef(r["g"].value): int(r["n"].value) for r in stage._store.query(q)}


def _load_file(stage: EmbeddedStore, path: Path, fmt: ox.RdfFormat) -> None:
    """Bulk-load one file into the staging store, with the ordinary path's graph rules: a quads file keeps
    its graphs (default-graph triples go to the file's graph); a triples file goes into the graph of the
    one document it describes, else the file's graph."""
    st = stage._store
    file_graph = GRAPH["file/" + slug(path.name.split(".")[0])]
    tmp = ox.NamedNode(f"{GRAPH}bulk-incoming/{uuid.uuid4().hex}")
    try:
        with _open_input(path) as f:
            if fmt in QUAD_FORMATS:
                st.bulk_load(f, fmt, to_graph=ox.NamedNode(str(file_graph)))
                return
            st.bulk_load(f, fmt, to_graph=tmp)
    except SyntaxError as e:
        raise BulkError(f"{path.name}: not valid {fmt.name} ({e}); the store was not changed") from e
    except OSError as e:
        raise BulkError(f"{path.name}: cannot be read ({e}); the store was not changed") from e
    q = (f"SELECT DISTINCT ?sym WHERE {{ GRAPH <{tmp.value}> {{ {{ ?x <{PROV.wasQuotedFrom}> ?d }} UNION "
         f"{{ ?d <{JIU.sourceChecksum}> ?c }} ?d <{JIU.symbol}> ?sym }} }}")
    symbols = {r["sym"].value for r in st.query(q)}
    target = graph_iri(symbols.pop()) if len(symbols) == 1 else file_graph
    st.update(f"ADD <{tmp.value}> TO <{target}> ; DROP SILENT GRAPH <{tmp.value}>")


def _copy_kept(stage: EmbeddedStore, live: EmbeddedStore, replaced: set) -> None:
    """The live store's graphs the load does not replace, into the staging store."""
    # the status order is derived whole after the load: not copied
    keep = [g for g in live._store.named_graphs()
            if URIRef(g.value) not in replaced and not status_order.is_order_graph(g.value)]
    stage._store.bulk_extend(q for g in keep for q in live._store.quads_for_pattern(None, None, None, g))


def _graph(stage: EmbeddedStore, gid: URIRef, memo: dict) -> Graph:
    """One graph of the staging store as a triples-only rdflib graph; terms converted once per batch
    (predicates, classes and many literals repeat), which is most of the cost of reading it."""
    g = Graph(store="SimpleMemory", identifier=gid)
    add = g.add

    def term(t):
        r = memo.get(t)
        if r is None:
            r = memo[t] = from_ox(t)
        return r

    for q in stage._store.quads_for_pattern(None, None, None, ox.NamedNode(str(gid))):
        add((term(q.subject), term(q.predicate), term(q.object)))
    return g


def _batches(stage: EmbeddedStore, graphs: list[URIRef], limit: int) -> Iterable[dict[URIRef, Graph]]:
    batch, n, memo = {}, 0, {}
    for gid in graphs:
        g = _graph(stage, gid, memo)
        if batch and n + len(g) > limit:
            yield batch
            batch, n, memo = {}, 0, {}
        batch[gid] = g
        n += len(g)
    if batch:
        yield batch


def _merge(reports: list) -> object:
    first = reports[0]
    results, labels = [], {}
    for r in reports:
        results += r.results
        labels.update(r.labels)
    return dataclasses.replace(first, results=results, labels=labels, triples=sum(r.triples for r in reports),
                               seconds=sum(r.seconds for r in reports))


def validate_staged(stage: EmbeddedStore, live: EmbeddedStore, graphs: list[URIRef], *,
                    batch_triples: int = BATCH_TRIPLES, progress: Callable[[str], None] = lambda s: None):
    """The gate over the loaded graphs; one report for them all.

    Into an empty store everything in the staging store is new: it is validated
    in one pass, merged into an in-memory store (validate_whole). Into a store that holds data, a
    batch at a time, each with its context (the gate of an ordinary write)."""
    from jiukg.validation import validate_write

    if not graphs:
        return None
    if live._is_empty():
        return validate_whole(stage, graphs, progress=progress)
    view = _Staged(stage, live)
    reports = []
    for i, batch in enumerate(_batches(stage, graphs, batch_triples), 1):
        report = validate_write(view, batch)
        reports.append(report)
        progress(f"gate  batch {i}: {len(batch)} graphs, {sum(len(g) for g in batch.values())} triples, "
                 f"{report.count('Violation')} violations ({report.seconds:.1f} s)")
    return _merge(reports) if reports else None


def validate_whole(stage: EmbeddedStore, graphs: list[URIRef], *, progress: Callable[[str], None] = lambda s: None):
    """The gate over a staging store that holds new data only (a load into an empty store, a restore), in one
    pass: its graphs merged into an in-memory store's default graph (validation.oxdata) and validated there."""
    skip = {ox.NamedNode(str(g)) for g in _standing_in()}
    st = stage._store
    names = [g for g in st.named_graphs() if g not in skip]
    quads = (ox.Quad(q.subject, q.predicate, q.object)
             for g in names for q in st.quads_for_pattern(None, None, None, g))
    return _gate_whole(quads, lambda: len(graphs), progress)


def _standing_in() -> set:
    """Graphs whose files stand in for them in the gate (as in validate_write): the ontology, the reference
    data; and the catalogue, which describes the graphs and is written after the gate."""
    from jiukg.ontology import static_graphs

    return set(static_graphs()) | {CATALOGUE_GRAPH}


def _gate_whole(quads: Iterable, n_graphs: Callable[[], int], progress: Callable[[str], None]):
    """Validate new data (quads, their graph ignored) with the ontology and reference files, as the gate of an
    ordinary write does (validate_write): every result, except those on the reference data's records that
    the files have without the new data. None if there is no data."""
    from jiukg.ontology import static_graphs
    from jiukg.store.terms import to_ox
    from jiukg.validation import validate_graph
    from jiukg.validation.engine import _labels, gc_paused
    from jiukg.validation.gate import _result_key
    from jiukg.validation.oxdata import StoreData

    t0 = time.perf_counter()
    mem = ox.Store()
    mem.bulk_extend(quads)
    if next(iter(mem), None) is None:
        return None
    static = Graph(store="SimpleMemory")
    for g in static_graphs().values():
        for t in g:
            static.add(t)
    mem.bulk_extend(ox.Quad(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in static)
    with gc_paused():
        data = StoreData(mem)
        report = validate_graph(data)
        if report.results:
            had = {_result_key(r) for r in validate_graph(static, focus={r.focus for r in report.results}).results}
            old = {r.focus for r in report.results if _result_key(r) in had}
            # a record the new data describes (a triple beyond the files') keeps its results
            new = {f for f in old if any(t not in static for t in data.triples_of(f))}
            report.results = [r for r in report.results if _result_key(r) not in had or r.focus in new]
            report.labels = _labels(data, {r.focus for r in report.results})
    report.seconds = time.perf_counter() - t0
    progress(f"gate  {n_graphs()} graphs in one pass, {report.triples} triples, "
             f"{report.count('Violation')} violations ({report.seconds:.1f} s)")
    return report


def validate_files(files: list[Path], *, batch_triples: int = BATCH_TRIPLES,
                   progress: Callable[[str], None] = lambda s: None):
    """The gate over files on their own, no store: what `load` checks, parsed by pyoxigraph straight into the
    in-memory store it is validated in. Returns the report (None: no data). `batch_triples` is not used
    (the files are all new: validated in one pass)."""
    skip = {ox.NamedNode(str(g)) for g in _standing_in()}
    graphs: set = set()

    def quads():
        for f in files:
            fmt = rdf_format(f)
            if fmt is None:
                raise BulkError(f"{f}: not an RDF file the bulk path reads (.nq, .nt, .trig, .ttl, optionally .gz)")
            try:
                with _open_input(f) as inp:
                    last, keep = None, False
                    for q in ox.parse(inp, fmt):
                        g = q.graph_name
                        if g != last:  # a file's quads come a graph at a time: decide once per run of them
                            last, keep = g, g not in skip
                            if keep:
                                graphs.add(g)
                        if keep:
                            yield ox.Quad(q.subject, q.predicate, q.object)
            except SyntaxError as e:
                raise BulkError(f"{f.name}: not valid {fmt.name} ({e})") from e
            except OSError as e:
                raise BulkError(f"{f.name}: cannot be read ({e})") from e

    return _gate_whole(quads(), lambda: len(graphs), progress)


# ---------------------------------------------------------------- load and restore


def _stage(live: EmbeddedStore) -> tuple[Path, EmbeddedStore]:
    if live.path is None or live.read_only:
        raise BulkError("the bulk path needs an on-disk store open for writing")
    clean_leftovers(live.path)
    d = live.path.parent / (STAGING.format(name=live.path.name) + uuid.uuid4().hex[:12])
    stage = EmbeddedStore(d)
    # the bulk loader writes past the union graph (store/union.py): queried as the bag union until rebuilt
    union.unmark(d)
    stage.union_graph = False
    return d, stage


def _union(stage: EmbeddedStore, progress: Callable[[str], None]) -> None:
    t0 = time.perf_counter()
    stage.rebuild_union()
    progress(f"union the default graph: the distinct triples of the named graphs ({time.perf_counter() - t0:.1f} s)")


def _complete_union(stage: EmbeddedStore, staging_dir: Path, copy: UnionCopy | None,
                    progress: Callable[[str], None]) -> None:
    """The staging store's union graph made whole once it holds every graph: the copy's files are in (the
    static graphs' writes kept theirs), so its triples with blank nodes are added; without a complete copy,
    rebuilt from the named graphs. The copy's leftovers go: the staging folder becomes the store's."""
    if copy is not None and copy.complete:
        copy.finish(stage._store)
        stage.union_graph = True
        union.mark(staging_dir)
    else:
        _union(stage, progress)
    if copy is not None:
        copy.close()


def _finish(live: EmbeddedStore, stage: EmbeddedStore, staging_dir: Path) -> None:
    """Make the staging store the store: both closed first (RocksDB keeps working by path, so a handle
    still open across the rename would write into, and delete files of, the other directory), then
    exchanged in one rename."""
    stage.close()
    live.close()
    gc.collect()  # the last references to the pyoxigraph stores: dropping them closes RocksDB
    _exchange(staging_dir, live.path)
    shutil.rmtree(staging_dir, ignore_errors=True)


def _write_files(stage: EmbeddedStore, files: list[Path], copy: UnionCopy | None,
                 progress: Callable[[str], None]) -> None:
    """The files into the staging store by the bulk loader; then the union graph's copy of them, if made."""
    for f in files:
        fmt = rdf_format(f)
        if fmt is None or not f.exists():
            raise BulkError(f"{f}: not an RDF file the bulk path reads (.nq, .nt, .trig, .ttl, optionally .gz)")
        before = len(stage._store) if copy is None else None  # counting 1M quads costs a second
        _load_file(stage, f, fmt)
        progress(f"read  {f}" + (f": {len(stage._store) - before} quads" if before is not None else "")
                 + " (bulk loader)")
    if copy is not None:
        t1 = time.perf_counter()
        try:
            copy.load(stage._store)
        except ValueError as e:
            raise BulkError(f"{e}; the store was not changed") from e
        progress(f"union the files' triples into the default graph ({time.perf_counter() - t1:.1f} s)")


def load(live: EmbeddedStore, files: list[Path], *, progress: Callable[[str], None] = lambda s: None,
         batch_triples: int = BATCH_TRIPLES):
    """Add or replace the files' graphs; nothing changes unless every file parses and every batch passes the gate.

    Returns a pipeline.Summary. `live` is closed afterwards (its directory now holds the new store)."""
    from jiukg import pipeline
    from jiukg.ontology import static_graphs

    t0 = time.perf_counter()
    staging_dir, stage = _stage(live)
    # all new (an empty store, files read twice): the gate parses and validates the files in a thread while
    # the bulk loader, which releases the GIL, writes the staging store (1M quads: 23 s instead of 35 s, peak
    # memory 1.3 GB); a refusal still comes before anything is exchanged
    one_pass = live._is_empty() and all(f.is_file() and rdf_format(f) for f in files)
    pool = ThreadPoolExecutor(1, thread_name_prefix="jiukg-gate") if one_pass else None
    # the union graph's triples (store/union.py) from a child process's read of the files (store/union_copy.py)
    copy = UnionCopy([(f, rdf_format(f)) for f in files], staging_dir) if one_pass else None
    gate = pool.submit(validate_files, files, progress=progress) if pool else None
    try:
        _write_files(stage, files, copy, progress)
        loaded = stage.graphs()
        replaced = set(loaded)
        static = static_graphs()
        held = set(live.graphs())
        extra = {gid: g for gid, g in static.items() if gid not in held and gid not in replaced}
        if not live._is_empty():
            _copy_kept(stage, live, replaced)
        if extra:
            stage.replace_graphs(extra)
            progress("add   the ontology and reference data graphs, which the store does not hold yet: "
                     + ", ".join(str(g) for g in extra))
        to_check = [g for g in loaded if g not in (CATALOGUE_GRAPH, ONTOLOGY_GRAPH, REFERENCE_GRAPH)]
        _complete_union(stage, staging_dir, copy, progress)  # the batched gate queries the staging store
        # read while the gate's thread still validates, all new data (mostly Rust queries, without the GIL):
        # the graphs' sizes, for the catalogue and the summary (but the catalogue's and the status order's,
        # written after the gate and counted then), and the status order
        sizes = {g: n for g, n in _sizes(stage).items() if not written_by_jiukg(g)} if gate is not None else {}
        derived = status_order.derive(stage)
        if gate is not None:
            # all new: validated in one pass, the files parsed again into memory (which costs less than
            # reading the staging store back: 1M quads, 9 s of CPU against 13 s)
            report = gate.result()
            report = report if to_check else None
        else:
            report = validate_staged(stage, live, to_check, batch_triples=batch_triples, progress=progress)
        if report is not None and not report.conforms:
            raise pipeline.WriteRefused("the data breaks the shapes; nothing was written", report)
        # the status order and the catalogue records keep the union graph as any write does
        order = status_order.refresh(stage, unseen=True, derived=derived)
        gone = [g for g in held if status_order.is_order_graph(g) and g not in order]  # their records go
        when = datetime.now(timezone.utc)
        infos = {gid: _GraphInfo(stage, gid, sizes.get(gid)) for gid in dict.fromkeys([*loaded, *extra, *order, *gone])
                 if gid != CATALOGUE_GRAPH}
        stage.replace_graphs({CATALOGUE_GRAPH: pipeline.graph_records(stage, infos, when)})
        summary = pipeline.Summary(validation=report, static_added=sorted(extra))
        triples = None
        if sizes:  # the counted graphs, and those written after the count
            triples = sum(sizes.values()) + sum(stage.count(g) for g in stage.graphs() if g not in sizes)
        pipeline._summarise(summary, stage, [], t0, triples=triples)
        summary.documents = len(files)
        _finish(live, stage, staging_dir)
        summary.seconds = time.perf_counter() - t0
        return summary
    except BaseException:
        if copy is not None:
            copy.close()
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)  # a running validation cannot be stopped: let it end
        gate = None  # it holds the staging store: released, it closes before its folder is removed
        stage.close()
        shutil.rmtree(staging_dir, ignore_errors=True)
        raise
    finally:
        if pool is not None:
            pool.shutdown(wait=False)


MANIFEST = "SHA256SUMS"
SPDX = "http://spdx.org/rdf/terms#"


def sha256(path: Path) -> str:
    """The SHA-256 of a file, as a SHA256SUMS line states it (hex)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def checksums(folder: Path) -> dict[str, str]:
    """File name -> SHA-256 a release states: its DCAT description (dcat.ttl, spdx:checksum, as `jiukg release`
    writes it) or a SHA256SUMS manifest (`sha256sum` format). The description is read with pyoxigraph
    (a local file; Turtle has no imports to fetch): rdflib took longer than restoring 100k quads."""
    if (folder / "dcat.ttl").is_file():
        checksum, value = {}, {}
        try:
            for t in ox.parse(path=str(folder / "dcat.ttl"), format=ox.RdfFormat.TURTLE):
                if t.predicate.value == SPDX + "checksum" and isinstance(t.subject, ox.NamedNode):
                    checksum[t.object] = t.subject.value
                elif t.predicate.value == SPDX + "checksumValue":
                    value[t.subject] = t.object.value
        except SyntaxError as e:
            raise BulkError(f"{folder / 'dcat.ttl'}: not valid Turtle ({e}); nothing was restored") from e
        return {dist.split("#", 1)[1]: value[c].lower() for c, dist in checksum.items() if c in value and "#" in dist}
    if (folder / MANIFEST).is_file():
        out = {}
        for line in (folder / MANIFEST).read_text().splitlines():
            if line.strip():
                digest, name = line.split(None, 1)
                out[name.lstrip("*").strip()] = digest.lower()
        return out
    raise BulkError(f"{folder}: no dcat.ttl (a `jiukg release`) and no {MANIFEST}; nothing to verify against")


def release_dumps(folder: Path) -> list[Path]:
    """The files that hold the whole dataset: N-Quads (gzip or not) at the folder's top."""
    dumps = sorted(p for p in folder.iterdir() if p.is_file() and p.name.endswith((".nq", ".nq.gz")))
    if not dumps:
        raise BulkError(f"{folder}: no N-Quads dump (.nq or .nq.gz) to restore")
    return dumps


class _Feed:
    """One dump streamed once into the bulk loader: a thread reads the file, hashes what it reads (the bytes
    the checksum is of), gunzips it and counts its lines, and writes the N-Quads into a pipe that pyoxigraph
    reads by path (/dev/fd/N) in Rust, without the GIL. Hashing and unzipping run beside the loader, no
    Python call per read; the checksum is compared after the load, before anything replaces the store."""

    def __init__(self, path: Path):
        self.path, self.sha256, self.lines, self.error = path, None, 0, None
        self._r, self._w = os.pipe()
        self._thread = threading.Thread(target=self._run, name=f"restore-feed-{path.name}", daemon=True)

    def __enter__(self) -> str:
        self._thread.start()
        return f"/dev/fd/{self._r}"

    def __exit__(self, *exc) -> None:
        os.close(self._r)  # a loader that stopped early: the writer gets EPIPE and ends
        self._thread.join()

    def _run(self) -> None:
        h = hashlib.sha256()
        unzip = zlib.decompressobj(wbits=31) if self.path.suffix == ".gz" else None
        begun = False  # a gzip member has begun and not ended
        try:
            with open(self.path, "rb") as f, open(self._w, "wb", buffering=0) as out:
                for chunk in iter(lambda: f.read(1 << 20), b""):
                    h.update(chunk)
                    if unzip is None:
                        self._write(out, chunk)
                    while unzip is not None and chunk:
                        data, chunk, begun = unzip.decompress(chunk), b"", True
                        if unzip.eof:  # gzip members may follow one another
                            chunk, unzip, begun = unzip.unused_data, zlib.decompressobj(wbits=31), False
                        self._write(out, data)
                if begun:
                    raise zlib.error("the gzip stream ends early")
                if self._last not in (b"", b"\n"):
                    self.lines += 1  # a last line without its newline
            self.sha256 = h.hexdigest()
        except BrokenPipeError:
            pass  # the loader stopped reading (its error says why)
        except (OSError, zlib.error) as e:
            self.error = e

    _last = b""

    def _write(self, out, data: bytes) -> None:
        if not data:
            return
        self.lines += data.count(b"\n")
        self._last = data[-1:]
        view = memoryview(data)
        while view:
            view = view[out.write(view):]


def restore(live: EmbeddedStore, folder: Path, *, verify: bool = True, validate: bool = False,
            progress: Callable[[str], None] = lambda s: None, batch_triples: int = BATCH_TRIPLES) -> int:
    """Replace the whole store with a release's dump; returns the N-Quads lines (quads) read.

    Every dump must be listed with a checksum; each is hashed as it streams into the staging store, and a
    mismatch (or anything unreadable) changes nothing: the staging store is dropped before the exchange."""
    folder = Path(folder)
    if not folder.is_dir():
        raise BulkError(f"{folder}: not a folder")
    dumps = release_dumps(folder)
    sums = checksums(folder) if verify else {}
    for d in dumps:
        if verify and d.name not in sums:
            raise BulkError(f"{d.name}: no checksum in the release's description; nothing was restored")
    staging_dir, stage = _stage(live)
    n = 0
    # the union graph's triples (store/union.py): the dumps read again by a child process, whose file a second
    # bulk loader writes into the default graph while the first still writes the graphs (two cores)
    copy = UnionCopy([(d, ox.RdfFormat.N_QUADS) for d in dumps], staging_dir)
    beside = ThreadPoolExecutor(1, thread_name_prefix="jiukg-restore-union")
    copied = beside.submit(copy.load, stage._store)
    try:
        for i, d in enumerate(dumps):
            feed, broken = _Feed(d), None
            try:
                with feed as path:
                    stage._store.bulk_load(path=path, format=ox.RdfFormat.N_QUADS)
            except SyntaxError as e:
                broken = f"not valid N-Quads ({e})"
            if feed.error is not None:
                broken = f"cannot be read ({feed.error})"
            if not broken:
                try:
                    copied.result()  # the copy read every dump: its hashes say whether it read what was loaded
                    if copy.result()["sha256"][i] != feed.sha256:
                        broken = "changed while it was read (two reads differ)"
                except ValueError as e:
                    broken = f"changed while it was read ({e})"
            if broken:
                if verify and sha256(d) != sums[d.name]:  # a damaged file: say so rather than what broke
                    raise BulkError(f"{d.name}: SHA-256 does not match the release's {sums[d.name]}; "
                                    "nothing was restored")
                raise BulkError(f"{d.name}: {broken}; nothing was restored")
            if verify:
                if feed.sha256 != sums[d.name]:
                    raise BulkError(f"{d.name}: SHA-256 {feed.sha256} does not match the release's {sums[d.name]}; "
                                    "nothing was restored")
                progress(f"check {d.name}: SHA-256 matches")
            n += feed.lines
            progress(f"read  {d.name}: {feed.lines} lines")
        if validate:
            from jiukg import pipeline

            graphs = [g for g in stage.graphs() if g not in (CATALOGUE_GRAPH, ONTOLOGY_GRAPH, REFERENCE_GRAPH)]
            empty = EmbeddedStore(None)  # the store is replaced whole: nothing of it is "before"
            report = validate_staged(stage, empty, graphs, batch_triples=batch_triples, progress=progress)
            if report is not None and not report.conforms:
                raise pipeline.WriteRefused("the release breaks the shapes; nothing was restored", report)
        _complete_union(stage, staging_dir, copy, progress)
        if not any(status_order.is_order_graph(g) for g in stage.graphs()):
            # a release made before jiukg kept the status order: derived once, as a load would have
            status_order.refresh(stage, unseen=True)
        _finish(live, stage, staging_dir)
        beside.shutdown()
        return n
    except BaseException:
        copy.close()
        beside.shutdown(wait=True)  # its bulk loader writes the staging store: it ends before the store closes
        stage.close()
        shutil.rmtree(staging_dir, ignore_errors=True)
        raise
