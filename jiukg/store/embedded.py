"""Embedded backend on pyoxigraph: on disk by default, in memory for tests.

Queries with a time limit run in a small pool of worker processes (`_worker.py`)
that hold read-only handles, because pyoxigraph cannot stop a running query: on
timeout the worker is killed and replaced. Workers read a *snapshot* of the
store, a RocksDB checkpoint made with `Store.backup` (hard links, a few ms) after
each write, instead of the live directory: opening the live directory read-only
while this process writes it is undefined behaviour (pyoxigraph docs) and took
2 s per reopen here (WAL replay), whereas a checkpoint opens in ≈ 10 ms and never
changes under the reader. Queries without a time limit (loaders, validation,
the CLI) run in this process on the read-write handle.

The in-memory store has no worker pool (other processes cannot see its memory):
its time limit is checked between result rows, so a query that streams stops in
time, but one that works long before its first row (ORDER BY, GROUP BY, ASK)
runs to its end before QueryTimeout is raised. Use it for tests only.
"""

from __future__ import annotations

import os
import pickle
import queue
import select
import shutil
import struct
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path

import pyoxigraph as ox
from rdflib import URIRef

from .base import (
    Quad,
    QueryResult,
    QueryTimeout,
    RawResult,
    Store,
    StoreError,
    Triple,
)
from .sparql import check_query, from_ox, syntax_error, to_ox

WORKER = Path(__file__).with_name("_worker.py")
BULK_THRESHOLD = 50_000  # triples: above this, a build into an empty on-disk store uses the bulk loader


def _dataset_kwargs(default_graph, named_graphs, use_union: bool) -> dict:
    kw: dict = {}
    if default_graph:
        kw["default_graph"] = [ox.NamedNode(str(g)) for g in default_graph]
    elif use_union:
        kw["use_default_graph_as_union"] = True
    if named_graphs:
        kw["named_graphs"] = [ox.NamedNode(str(g)) for g in named_graphs]
    return kw


def _convert(res, deadline: float | None, description: str) -> QueryResult:
    if isinstance(res, (bool, ox.QueryBoolean)):
        return QueryResult(kind="ask", boolean=bool(res))
    if isinstance(res, ox.QuerySolutions):
        variables = [v.value for v in res.variables]
        rows = []
        for n, sol in enumerate(res):
            if deadline is not None and n % 256 == 0 and time.monotonic() > deadline:
                raise QueryTimeout(f"{description}: the query ran past its time limit and was stopped")
            rows.append({v: from_ox(sol[v]) for v in variables if sol[v] is not None})
        return QueryResult(kind="select", variables=variables, rows=rows)
    triples = []
    for n, t in enumerate(res):
        if deadline is not None and n % 256 == 0 and time.monotonic() > deadline:
            raise QueryTimeout(f"{description}: the query ran past its time limit and was stopped")
        triples.append((from_ox(t.subject), from_ox(t.predicate), from_ox(t.object)))
    return QueryResult(kind="graph", triples=triples)


def _parse_raw(kind: str, media_type: str, data: bytes) -> QueryResult:
    if kind == "graph":
        triples = [(from_ox(t.subject), from_ox(t.predicate), from_ox(t.object))
                   for t in ox.parse(data, format=ox.RdfFormat.from_media_type(media_type))]
        return QueryResult(kind="graph", triples=triples)
    res = ox.parse_query_results(data, format=ox.QueryResultsFormat.from_media_type(media_type))
    return _convert(res, None, "")


class _Worker:
    def __init__(self):
        self.proc = subprocess.Popen([sys.executable, str(WORKER)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     bufsize=0, close_fds=True)
        self.snapshot: str | None = None

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        for f in (self.proc.stdin, self.proc.stdout):
            try:
                f.close()
            except OSError:
                pass

    def ask(self, req: dict, deadline: float) -> tuple:
        """Send one request; wait for the answer until `deadline` (TimeoutError) or the worker's end (EOFError)."""
        data = pickle.dumps(req, protocol=pickle.HIGHEST_PROTOCOL)
        try:
            self.proc.stdin.write(struct.pack(">Q", len(data)) + data)
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError) as e:
            raise EOFError(str(e)) from e
        fd = self.proc.stdout.fileno()
        head = self._read(fd, 8, deadline)
        body = self._read(fd, struct.unpack(">Q", head)[0], deadline)
        return pickle.loads(body)

    @staticmethod
    def _read(fd: int, n: int, deadline: float) -> bytes:
        parts, got = [], 0
        while got < n:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                raise TimeoutError
            chunk = os.read(fd, min(n - got, 1 << 20))
            if not chunk:
                raise EOFError("the query worker ended")
            parts.append(chunk)
            got += len(chunk)
        return b"".join(parts)


class QueryPool:
    """N worker processes; a query waits for a free one, a timed-out one is killed and replaced."""

    def __init__(self, size: int, description: str):
        self.size = max(1, int(size))
        self.description = description
        self._idle: queue.Queue[_Worker | None] = queue.Queue()
        for _ in range(self.size):
            self._idle.put(None)  # a slot: the worker starts on first use
        self._live: set[_Worker] = set()
        self._lock = threading.Lock()
        self.closed = False

    def snapshots_in_use(self) -> set[str]:
        with self._lock:
            return {w.snapshot for w in self._live if w.snapshot}

    def _spawn(self) -> _Worker:
        w = _Worker()
        with self._lock:
            self._live.add(w)
        return w

    def _discard(self, w: _Worker) -> None:
        w.kill()
        with self._lock:
            self._live.discard(w)

    def run(self, req: dict, timeout: float) -> tuple:
        deadline = time.monotonic() + timeout
        try:
            w = self._idle.get(timeout=max(0.0, timeout))
        except queue.Empty:
            raise QueryTimeout(f"{self.description}: all {self.size} query workers stayed busy for the "
                               f"{timeout:g} s time limit") from None
        if w is None or w.proc.poll() is not None:
            if w is not None:
                self._discard(w)
            w = self._spawn()
        w.snapshot = req["path"]
        try:
            answer = w.ask(req, deadline)
        except TimeoutError:
            self._discard(w)
            self._idle.put(None if self.closed else self._spawn())  # the replacement warms up now
            raise QueryTimeout(f"{self.description}: the query ran past its {timeout:g} s time limit "
                               "and was stopped") from None
        except (EOFError, OSError, pickle.UnpicklingError) as e:
            self._discard(w)
            self._idle.put(None)
            raise StoreError(f"{self.description}: the query worker failed ({e})") from None
        except BaseException:
            self._discard(w)
            self._idle.put(None)
            raise
        self._idle.put(w)
        return answer

    def close(self) -> None:
        self.closed = True
        with self._lock:
            live = list(self._live)
        for w in live:
            self._discard(w)


class EmbeddedStore(Store):
    def __init__(self, path: str | Path | None = None, *, read_only: bool = False, query_workers: int = 2):
        self.path = Path(path) if path else None
        self.read_only = read_only
        self._query_workers = query_workers
        self._pool: QueryPool | None = None
        self._write_lock = threading.RLock()
        self._generation = 0  # bumped by every write; snapshots are per generation
        self._snapshot: tuple[int, str] | None = None
        self._snap_root: Path | None = None
        try:
            if self.path is None:
                self._store = ox.Store()
                self.description = "in-memory embedded store"
            else:
                if not read_only:
                    self.path.mkdir(parents=True, exist_ok=True)
                self._store = ox.Store.read_only(str(self.path)) if read_only else ox.Store(str(self.path))
                self.description = f"embedded store at {self.path}"
        except OSError as e:
            raise StoreError(f"cannot open the embedded store at {self.path}: {e}") from e

    # ------------------------------------------------------------ queries

    def query(self, sparql, *, default_graph=None, named_graphs=None, timeout=None) -> QueryResult:
        if self.path is not None and timeout is not None:
            raw = self._pooled(sparql, default_graph, named_graphs, timeout,
                               "application/sparql-results+json", "application/n-triples")
            return _parse_raw(raw.kind, raw.media_type, raw.data)
        res = self._in_process(sparql, default_graph, named_graphs)
        deadline = time.monotonic() + timeout if timeout is not None else None
        try:
            return _convert(res, deadline, self.description)
        except OSError as e:
            raise StoreError(f"{self.description}: {e}") from e

    def query_raw(self, sparql, *, select_format="application/sparql-results+json",
                  graph_format="application/n-triples", default_graph=None, named_graphs=None,
                  timeout=None) -> RawResult:
        if self.path is not None and timeout is not None:
            return self._pooled(sparql, default_graph, named_graphs, timeout, select_format, graph_format)
        return super().query_raw(sparql, select_format=select_format, graph_format=graph_format,
                                 default_graph=default_graph, named_graphs=named_graphs, timeout=timeout)

    def iter_rows(self, sparql, *, default_graph=None, named_graphs=None, timeout=None):
        if self.path is not None and timeout is not None:
            raw = self._pooled(sparql, default_graph, named_graphs, timeout,
                               "application/sparql-results+json", "application/n-triples")
            if raw.kind != "select":
                raise StoreError(f"{self.description}: iter_rows needs a SELECT query, not {raw.kind}")
            res = ox.parse_query_results(raw.data, format=ox.QueryResultsFormat.JSON)
        else:
            res = self._in_process(sparql, default_graph, named_graphs)
            if not isinstance(res, ox.QuerySolutions):
                raise StoreError(f"{self.description}: iter_rows needs a SELECT query")
        return self._stream(res, timeout if self.path is None else None)

    def _stream(self, res, timeout):
        deadline = time.monotonic() + timeout if timeout is not None else None
        variables = [v.value for v in res.variables]
        for n, sol in enumerate(res):
            if deadline is not None and n % 256 == 0 and time.monotonic() > deadline:
                raise QueryTimeout(f"{self.description}: the query ran past its time limit and was stopped")
            yield {v: from_ox(sol[v]) for v in variables if sol[v] is not None}

    def _in_process(self, sparql, default_graph, named_graphs):
        scan = check_query(sparql)
        kw = _dataset_kwargs(default_graph, named_graphs, use_union=not scan.has_dataset)
        try:
            return self._store.query(sparql, **kw)
        except SyntaxError as e:
            raise syntax_error(e) from None
        except (OSError, ValueError) as e:
            raise StoreError(f"{self.description}: {e}") from e

    def _pooled(self, sparql, default_graph, named_graphs, timeout, select_format, graph_format) -> RawResult:
        scan = check_query(sparql)  # refusals never cost a worker; syntax errors come from the worker
        if self._pool is None:
            with self._write_lock:
                if self._pool is None:
                    self._pool = QueryPool(self._query_workers, self.description)
        req = {"path": self._current_snapshot(), "query": sparql,
               "default_graph": [str(g) for g in default_graph or []],
               "named_graphs": [str(g) for g in named_graphs or []],
               "union": not scan.has_dataset, "select_format": select_format, "graph_format": graph_format}
        answer = self._pool.run(req, timeout)
        self._prune_snapshots()
        if answer[0] == "ok":
            _, kind, media_type, data = answer
            return RawResult(kind, media_type, data)
        _, what, message = answer
        if what == "syntax":
            raise syntax_error(SyntaxError(message))
        raise StoreError(f"{self.description}: {message}")

    # ------------------------------------------------------------ snapshots for the workers

    def _current_snapshot(self) -> str:
        with self._write_lock:
            if self._snapshot and self._snapshot[0] == self._generation:
                return self._snapshot[1]
            if self._snap_root is None:
                self._snap_root = Path(tempfile.mkdtemp(prefix=f".{self.path.name}-snapshots-",
                                                        dir=self.path.parent))
            target = self._snap_root / f"{self._generation}-{uuid.uuid4().hex[:8]}"
            try:
                self._store.backup(str(target))  # a RocksDB checkpoint: hard links, flushes first
            except OSError as e:
                raise StoreError(f"{self.description}: cannot snapshot the store for the query workers: {e}") from e
            self._snapshot = (self._generation, str(target))
        self._prune_snapshots()
        return str(target)

    def _prune_snapshots(self) -> None:
        """Remove snapshots no worker holds open (a worker moves to the newest on its next query)."""
        if self._snap_root is None or self._pool is None:
            return
        with self._write_lock:
            keep = self._pool.snapshots_in_use() | ({self._snapshot[1]} if self._snapshot else set())
            for d in self._snap_root.iterdir():
                if str(d) not in keep:
                    shutil.rmtree(d, ignore_errors=True)

    def _written(self) -> None:
        self._generation += 1

    # ------------------------------------------------------------ writes

    def _check_writable(self) -> None:
        if self.read_only:
            raise StoreError(f"{self.description} is open read-only")

    def replace_graphs(self, graphs: dict[URIRef, Iterable[Triple]]) -> None:
        self._check_writable()
        if not graphs:
            return
        # Convert every term first: a bad term fails before anything changes.
        try:
            prepared = {str(g): [ox.Quad(to_ox(s), to_ox(p), to_ox(o), ox.NamedNode(str(g))) for s, p, o in ts]
                        for g, ts in graphs.items()}
        except (TypeError, ValueError) as e:
            raise StoreError(f"{self.description}: nothing was written: {e}") from e
        total = sum(len(q) for q in prepared.values())
        with self._write_lock:
            try:
                if self.path is not None and total >= BULK_THRESHOLD and self._is_empty():
                    self._bulk(prepared)
                else:
                    self._store.update(self._replace_update(prepared))  # one update = one transaction
            except (OSError, SyntaxError, ValueError) as e:
                raise StoreError(f"{self.description}: nothing was written: {e}") from e
            finally:
                self._written()

    def _is_empty(self) -> bool:
        return next(iter(self._store.quads_for_pattern(None, None, None, None)), None) is None

    def _bulk(self, prepared: dict[str, list]) -> None:
        """The bulk loader is not transactional; on an empty store, undoing it is emptying it."""
        try:
            self._store.bulk_extend(q for quads in prepared.values() for q in quads)
        except BaseException:
            self._store.clear()
            raise

    @staticmethod
    def _replace_update(prepared: dict[str, list]) -> str:
        parts = []
        for g, quads in prepared.items():
            parts.append(f"DROP SILENT GRAPH <{g}>")
            if quads:
                body = "\n".join(f"{q.subject} {q.predicate} {q.object} ." for q in quads)
                parts.append(f"INSERT DATA {{ GRAPH <{g}> {{\n{body}\n}} }}")
        return " ;\n".join(parts) if parts else ""

    def add(self, quads: Iterable[Quad]) -> None:
        self._check_writable()
        try:
            prepared = [ox.Quad(to_ox(s), to_ox(p), to_ox(o), ox.NamedNode(str(g)) if g else ox.DefaultGraph())
                        for s, p, o, g in quads]
        except (TypeError, ValueError) as e:
            raise StoreError(f"{self.description}: nothing was written: {e}") from e
        with self._write_lock:
            try:
                self._store.extend(prepared)
            except OSError as e:
                raise StoreError(f"{self.description}: nothing was written: {e}") from e
            finally:
                self._written()

    def drop_graph(self, graph: URIRef) -> None:
        self._check_writable()
        with self._write_lock:
            try:
                self._store.update(f"DROP SILENT GRAPH <{ox.NamedNode(str(graph)).value}>")
            finally:
                self._written()

    # ------------------------------------------------------------ reads

    def graphs(self) -> list[URIRef]:
        """Named graphs holding at least one triple (as a SPARQL server lists them)."""
        out = []
        for g in self._store.named_graphs():
            if next(iter(self._store.quads_for_pattern(None, None, None, g)), None) is not None:
                out.append(URIRef(g.value))
        return sorted(out)

    def count(self, graph: URIRef | None = None) -> int:
        if graph is None:
            return len(self._store)
        q = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{ox.NamedNode(str(graph)).value}> {{ ?s ?p ?o }} }}"
        return int(next(iter(self._store.query(q)))["n"].value)

    def quads(self, graph: URIRef | None = None) -> Iterator[Quad]:
        g = ox.NamedNode(str(graph)) if graph is not None else None
        for q in self._store.quads_for_pattern(None, None, None, g):
            yield from_ox(q.subject), from_ox(q.predicate), from_ox(q.object), from_ox(q.graph_name)

    def export(self, fmt: str = "nquads") -> bytes:
        if fmt == "nquads":
            return self._store.dump(format=ox.RdfFormat.N_QUADS)
        if fmt == "trig":
            return self._store.dump(format=ox.RdfFormat.TRIG)
        return super().export(fmt)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool = None
        if self._snap_root is not None:
            shutil.rmtree(self._snap_root, ignore_errors=True)
            self._snap_root = None
        if self._store is not None:
            try:
                if not self.read_only:
                    self._store.flush()
            except Exception:
                pass
        self._store = None
