"""Embedded backend on pyoxigraph: on disk by default, in memory for tests.

Queries with a time limit run in worker processes (`_worker.py`) that hold
read-only handles, because pyoxigraph cannot stop a running query: on timeout
the worker is killed and replaced. Workers read a *snapshot* of the store, a
RocksDB checkpoint made with `Store.backup` (hard links, a few ms) after each
write, instead of the live directory: opening the live directory read-only
while this process writes it is undefined behaviour (pyoxigraph docs) and took
2 s per reopen here (WAL replay), whereas a checkpoint opens in ≈ 10 ms and never
changes under the reader. Queries without a time limit (loaders, validation,
the CLI) run in this process on the read-write handle.

Workers come in two lanes (base.LANES), each its own pool, so slow user queries
never hold up the service's own short ones: "user" starts workers on demand up to
`query_workers` and queues queries beyond that (each waits at most its own time
limit); "internal" has `internal_workers` of its own. A user query that finds every
user worker busy first gets a short try (SPARE_SECONDS) on a spare worker kept started, so
simple queries answer at once while long ones fill the lane; the user lane's own workers run
niced (USER_NICENESS), so long queries yield the CPU to the service and its spare.

The in-memory store has no worker pool (other processes cannot see its memory):
its time limit is checked between result rows, so a query that streams stops in
time, but one that works long before its first row (ORDER BY, GROUP BY, ASK)
runs to its end before QueryTimeout is raised. Use it for tests only.
"""

from __future__ import annotations

import json
import os
import pickle
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
from rdflib import BNode, Literal, URIRef

from jiukg.namespaces import DEFAULT_GRAPH

from .base import (
    INTERNAL_LANE,
    USER_LANE,
    Quad,
    QueryResult,
    QueryTimeout,
    RawResult,
    ResultTooLarge,
    Store,
    StoreBusy,
    StoreError,
    Triple,
    WriteGeneration,
    check_lane,
    explicit_dataset,
    threaded_rows,
)
from . import union
from .sparql import XSD_STRING, check_query, from_ox, syntax_error, to_ox

WORKER = Path(__file__).with_name("_worker.py")
SPARE_LANE = "spare"  # not a lane callers name: the user lane's short tries (QueryPool.run)
BULK_THRESHOLD = 50_000  # triples: above this, a build into an empty on-disk store uses the bulk loader


def _dataset_kwargs(default_graph, named_graphs, use_union: bool) -> dict:
    """pyoxigraph's keywords for the protocol's dataset rules (base.Store). pyoxigraph itself keeps
    all named graphs when only default_graph is given, and the store's own default graph when only
    named_graphs is: so both lists are always passed together."""
    ds = explicit_dataset(default_graph, named_graphs)
    if ds is not None:
        return {"default_graph": [ox.NamedNode(g) for g in ds[0]], "named_graphs": [ox.NamedNode(g) for g in ds[1]]}
    if use_union:
        return {"use_default_graph_as_union": True}
    return {}


def _decode(t):
    """A term as the worker encodes it (see _worker.py), as an rdflib term."""
    if t[0] == "u":
        return URIRef(t[1])
    if t[0] == "b":
        return BNode(t[1])
    if t[2]:
        return Literal(t[1], lang=t[2])
    if t[3] == XSD_STRING:
        return Literal(t[1])
    return Literal(t[1], datatype=URIRef(t[3]))


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
    def __init__(self, nice: int = 0, script: Path = WORKER):
        self.proc = subprocess.Popen([sys.executable, str(script)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     bufsize=0, close_fds=True)
        self.snapshot: str | None = None
        if nice:
            try:
                os.setpriority(os.PRIO_PROCESS, self.proc.pid, nice)
            except OSError:
                pass

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
        self.send(req)
        return self.recv(deadline)

    def send(self, req: dict) -> None:
        data = pickle.dumps(req, protocol=pickle.HIGHEST_PROTOCOL)
        try:
            self.proc.stdin.write(struct.pack(">Q", len(data)) + data)
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError) as e:
            raise EOFError(str(e)) from e

    def recv(self, deadline: float) -> tuple:
        """The worker's next message (a stream request gets several)."""
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
    """Up to `size` worker processes, started when needed. A query takes an idle worker, or starts
    one while fewer than `size` live, or waits (at most its own time limit) for one to come free.
    A worker that runs past a query's limit is killed; the next query that needs one starts another."""

    def __init__(self, size: int, description: str, name: str = USER_LANE, warm: bool = False, nice: int = 0,
                 script: Path = WORKER):
        self.script = script  # the worker program (same protocol): query workers, or the query guard
        self.size = max(1, int(size))
        self.warm = warm  # keep `size` workers started, so a query never waits for a Python to start
        self.nice = nice  # the workers' niceness: long user queries yield the CPU to the service itself
        self.description = description
        self.name = name
        self._idle: list[_Worker] = []
        self._live: set[_Worker] = set()
        self._starting = 0  # slots taken by workers being started
        self._cond = threading.Condition()
        self.closed = False

    @property
    def busy(self) -> int:
        with self._cond:
            return len(self._live) + self._starting - len(self._idle)

    def snapshots_in_use(self) -> set[str]:
        with self._cond:
            return {w.snapshot for w in self._live if w.snapshot}

    def acquire(self, deadline: float, timeout: float) -> _Worker:
        with self._cond:
            while True:
                if self.closed:
                    raise StoreError(f"{self.description} is closed")
                while self._idle:
                    w = self._idle.pop()
                    if w.proc.poll() is None:
                        return w
                    self._live.discard(w)  # died while idle
                    w.kill()
                if len(self._live) + self._starting < self.size:
                    self._starting += 1
                    break
                left = deadline - time.monotonic()
                if left <= 0 or not self._cond.wait(left) and deadline - time.monotonic() <= 0:
                    raise QueryTimeout(f"{self.description}: all {self.size} {self.name} query workers stayed busy "
                                       f"for the {timeout:g} s time limit") from None
        try:
            w = _Worker(self.nice, self.script)
        except OSError as e:
            with self._cond:
                self._starting -= 1
                self._cond.notify()
            raise StoreError(f"{self.description}: cannot start a query worker ({e})") from None
        with self._cond:
            self._starting -= 1
            self._live.add(w)
        return w

    def release(self, w: _Worker) -> None:
        """A worker that answered goes back to the idle list."""
        with self._cond:
            if self.closed or w.proc.poll() is not None:
                self._live.discard(w)
                w.kill()
            else:
                self._idle.append(w)
            self._cond.notify()

    def discard(self, w: _Worker) -> None:
        """Kill a worker (timed out, broken, or abandoned mid-stream); its slot is free again. A warm
        pool starts its replacement now, so the next query does not wait for a Python to start."""
        w.kill()
        with self._cond:
            self._live.discard(w)
            if w in self._idle:
                self._idle.remove(w)
            self._cond.notify()
        self.fill()

    def fill(self) -> None:
        """A warm pool starts workers up to its size (each is idle until a query comes)."""
        with self._cond:
            while self.warm and not self.closed and len(self._live) + self._starting < self.size:
                try:
                    fresh = _Worker(self.nice, self.script)
                except OSError:
                    return
                self._live.add(fresh)
                self._idle.append(fresh)
                self._cond.notify()

    def guarded(self, w: _Worker, timeout: float, call):
        """`call()` talks to worker `w`: past the time limit, or if the worker broke, it is killed
        (the query really stops) and the store error says which."""
        try:
            return call()
        except TimeoutError:
            self.discard(w)
            raise QueryTimeout(f"{self.description}: the query ran past its {timeout:g} s time limit "
                               "and was stopped") from None
        except (EOFError, OSError, pickle.UnpicklingError) as e:
            self.discard(w)
            raise StoreError(f"{self.description}: the query worker failed ({e})") from None

    def run(self, req: dict, timeout: float, spare: QueryPool | None = None) -> tuple:
        """Run one request on a worker. With a `spare` pool: when every worker is busy, the request
        first gets a short try there (SPARE_SECONDS), and only queues if it needs longer; so a
        simple query answers at once even while long ones fill every worker."""
        deadline = time.monotonic() + timeout
        if spare is not None and self.busy >= self.size and spare.busy < spare.size:
            try:
                return spare.run(req, min(SPARE_SECONDS, timeout))
            except QueryTimeout:
                if timeout <= SPARE_SECONDS:
                    raise  # its whole time limit is spent
                # a long query (or the spare taken meanwhile): wait for a worker as before, in the time left
        w = self.acquire(deadline, timeout)
        w.snapshot = req.get("path")
        try:
            answer = self.guarded(w, timeout, lambda: w.ask(req, deadline))
        except StoreError:
            raise  # guarded() has discarded the worker
        except BaseException:
            self.discard(w)
            raise
        self.release(w)
        return answer

    def close(self) -> None:
        with self._cond:
            self.closed = True
            live = list(self._live)
            self._live.clear()
            self._idle.clear()
            self._cond.notify_all()
        for w in live:
            w.kill()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Holder:
    """A small JSON file beside an on-disk store (.<name>.holder.json) saying which process holds it
    read-write: pid, command line, and the URL when that process is `jiukg serve`. RocksDB's own lock
    only says "Resource temporarily unavailable"; with this file the next command can name the
    holder, and read through its service instead."""

    def __init__(self, store_path: Path):
        self.path = store_path.parent / f".{store_path.name}.holder.json"

    def read(self) -> dict | None:
        """What the live holder recorded; None if no file or its process is gone (a crash)."""
        try:
            info = json.loads(self.path.read_text(encoding="utf-8"))
            return info if _alive(int(info["pid"])) else None
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def write(self, **info) -> None:
        data = {"pid": os.getpid(), "command": " ".join(sys.argv), **info}
        tmp = self.path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(data), encoding="utf-8")
        tmp.replace(self.path)

    def clear(self) -> None:
        try:
            if json.loads(self.path.read_text(encoding="utf-8")).get("pid") == os.getpid():
                self.path.unlink()
        except (OSError, ValueError):
            pass


def remove_stale_snapshots(store_path: Path) -> None:
    """Snapshot folders left by a process that ended without closing the store (SIGKILL, a crash).
    Their names carry the pid that made them; folders of a live process are kept."""
    for d in store_path.parent.glob(f".{store_path.name}-snapshots-*"):
        pid = d.name[len(f".{store_path.name}-snapshots-"):].split("-")[0]
        if not (pid.isdigit() and _alive(int(pid)) and int(pid) != os.getpid()):
            shutil.rmtree(d, ignore_errors=True)


SPARE_WORKERS = 1  # user lane: workers for a short try when all the others are busy (QueryPool.run)
SPARE_SECONDS = 1.0
USER_NICENESS = 10  # the user lane's regular workers (os.setpriority): long queries yield the CPU
DEFAULT_QUERY_WORKERS = 4  # user lane: at most this many at once; more wait for a free one
DEFAULT_INTERNAL_WORKERS = 2  # the service's own queries


class EmbeddedStore(Store):
    def __init__(self, path: str | Path | None = None, *, read_only: bool = False,
                 query_workers: int = DEFAULT_QUERY_WORKERS, internal_workers: int = DEFAULT_INTERNAL_WORKERS,
                 max_result_bytes: int | None = None):
        self.path = Path(path) if path else None
        self.max_result_bytes = max_result_bytes  # user lane, in a worker: a bigger answer stops the query
        self.read_only = read_only
        self._lane_sizes = {USER_LANE: query_workers, INTERNAL_LANE: internal_workers, SPARE_LANE: SPARE_WORKERS}
        self._pools: dict[str, QueryPool] = {}
        self._write_lock = threading.RLock()
        self._generation = 0  # bumped by every write; snapshots are per generation
        self._write_generation = WriteGeneration()  # the same writes, for HTTP validators (generation())
        self._snapshot: tuple[int, str] | None = None
        self._snap_root: Path | None = None
        self.holder: Holder | None = None
        try:
            if self.path is None:
                self._store = ox.Store()
                self.description = "in-memory embedded store"
            else:
                if not read_only:
                    self.path.mkdir(parents=True, exist_ok=True)
                self._store = ox.Store.read_only(str(self.path)) if read_only else ox.Store(str(self.path))
                self.description = f"embedded store at {self.path}"
                if not read_only:  # this process holds the store now: say so, and tidy up after a crash
                    self.holder = Holder(self.path)
                    self.holder.write()
                    remove_stale_snapshots(self.path)
            self.union_graph = self._keep_union()
        except OSError as e:
            if "lock" in str(e).lower() and self.path is not None:
                holder = Holder(self.path).read()
                who = (f"process {holder['pid']} ({holder.get('command', '?')}"
                       + (f", serving {holder['url']}" if holder.get("url") else "") + ")") if holder \
                    else "another process"
                raise StoreBusy(f"the embedded store at {self.path} is in use by {who}", holder) from e
            raise StoreError(f"cannot open the embedded store at {self.path}: {e}") from e

    def _keep_union(self) -> bool:
        """Whether the default graph holds the union of the named graphs (union.py): always in memory, from
        the start on disk; a store written before (no marker) gets it now if it may be written."""
        if self.path is None or union.marked(self.path):
            return True
        if self.read_only:
            return False
        if not self._is_empty():  # once per store; about 20 s per million quads: say so, it is not a hang
            sys.stderr.write(f"note: {self.description} was written before its union graph (jiukg/store/union.py);"
                             " building it once, about 20 s per million quads\n")
            union.rebuild(self._store)
            self._store.flush()
        union.mark(self.path)
        return True

    def rebuild_union(self) -> None:
        """After writes that went past this class (the bulk paths write the pyoxigraph store directly)."""
        if self.path is not None:
            union.unmark(self.path)  # not complete until rebuilt: a crash before the end leaves a store that is
        union.rebuild(self._store)  # rebuilt when next opened
        if self.path is not None:
            self._store.flush()
            union.mark(self.path)
        self.union_graph = True

    # ------------------------------------------------------------ queries

    @property
    def _pool(self) -> QueryPool | None:
        """The user lane's pool (None until a timed query started it)."""
        return self._pools.get(USER_LANE)

    def _lane_pool(self, lane: str) -> QueryPool:
        pool = self._pools.get(lane)
        if pool is None:
            with self._write_lock:
                pool = self._pools.get(lane)
                if pool is None:
                    # user queries may run long: their workers run at a lower priority than the service
                    # and its spare; the spare is kept started, ready for a short query at any time
                    pool = self._pools[lane] = QueryPool(self._lane_sizes[lane], self.description, lane,
                                                         warm=lane == SPARE_LANE,
                                                         nice=USER_NICENESS if lane == USER_LANE else 0)
                    pool.fill()
        return pool

    def query(self, sparql, *, default_graph=None, named_graphs=None, timeout=None, lane=USER_LANE,
              base_iri=None) -> QueryResult:
        check_lane(lane)
        if self.path is not None and timeout is not None:
            raw = self._pooled(sparql, default_graph, named_graphs, timeout, lane,
                               "application/sparql-results+json", "application/n-triples", base_iri)
            return _parse_raw(raw.kind, raw.media_type, raw.data)
        res = self._in_process(sparql, default_graph, named_graphs, base_iri)
        deadline = time.monotonic() + timeout if timeout is not None else None
        try:
            return _convert(res, deadline, self.description)
        except OSError as e:
            raise StoreError(f"{self.description}: {e}") from e

    def query_raw(self, sparql, *, select_format="application/sparql-results+json",
                  graph_format="application/n-triples", default_graph=None, named_graphs=None,
                  timeout=None, lane=USER_LANE, base_iri=None) -> RawResult:
        check_lane(lane)
        if self.path is not None and timeout is not None:
            return self._pooled(sparql, default_graph, named_graphs, timeout, lane, select_format, graph_format,
                                base_iri)
        return super().query_raw(sparql, select_format=select_format, graph_format=graph_format,
                                 default_graph=default_graph, named_graphs=named_graphs, timeout=timeout,
                                 base_iri=base_iri)

    def iter_rows(self, sparql, *, default_graph=None, named_graphs=None, timeout=None, lane=USER_LANE):
        """Streams: from a worker in chunks (timed, on disk), else from a thread of this process."""
        check_lane(lane)
        deadline = time.monotonic() + timeout if timeout is not None else None
        if self.path is not None and timeout is not None:
            return self._pooled_rows(sparql, default_graph, named_graphs, timeout, lane)
        scan = check_query(sparql)
        if scan.form not in (None, "SELECT"):
            raise StoreError(f"{self.description}: iter_rows needs a SELECT query, not {scan.form}")
        ready = threading.Event()
        failed: list[BaseException] = []

        def produce():
            # The query is made and read on the producer thread (pyoxigraph results must stay on one thread).
            try:
                res = self._in_process(sparql, default_graph, named_graphs)
                if not isinstance(res, ox.QuerySolutions):
                    raise StoreError(f"{self.description}: iter_rows needs a SELECT query")
            except BaseException as e:
                failed.append(e)
                raise
            finally:
                ready.set()
            variables = [v.value for v in res.variables]
            for sol in res:
                yield {v: from_ox(sol[v]) for v in variables if sol[v] is not None}

        rows = threaded_rows(produce, deadline=deadline, description=self.description)
        ready.wait(None if timeout is None else max(0.0, timeout))
        if failed:  # the query did not even start: say so now, as query() would
            rows.close()
            raise failed[0]
        return rows

    def _in_process(self, sparql, default_graph, named_graphs, base_iri=None):
        scan = check_query(sparql)
        kw = _dataset_kwargs(default_graph, named_graphs, use_union=not scan.has_dataset and not self.union_graph)
        try:
            return self._store.query(sparql, base_iri=base_iri, **kw)
        except SyntaxError as e:
            raise syntax_error(e) from None
        except (OSError, ValueError) as e:
            raise StoreError(f"{self.description}: {e}") from e

    def _request(self, sparql, default_graph, named_graphs, **extra) -> dict:
        scan = check_query(sparql)  # refusals never cost a worker; syntax errors come from the worker
        ds = explicit_dataset(default_graph, named_graphs)
        return {"path": self._current_snapshot(), "query": sparql, "dataset": ds is not None,
                "default_graph": ds[0] if ds else [], "named_graphs": ds[1] if ds else [],
                "union": not scan.has_dataset and not self.union_graph, **extra}

    def _pooled(self, sparql, default_graph, named_graphs, timeout, lane, select_format, graph_format,
                base_iri=None) -> RawResult:
        cap = self.max_result_bytes if lane == USER_LANE else None
        req = self._request(sparql, default_graph, named_graphs, select_format=select_format,
                            graph_format=graph_format, base_iri=base_iri, max_bytes=cap)
        pool = self._lane_pool(lane)
        spare = self._lane_pool(SPARE_LANE) if lane == USER_LANE else None  # started with the user lane
        answer = pool.run(req, timeout, spare)
        self._prune_snapshots()
        if answer[0] == "ok":
            _, kind, media_type, data = answer
            return RawResult(kind, media_type, data)
        self._raise(answer)

    def _raise(self, answer: tuple):
        _, what, message = answer
        if what == "syntax":
            raise syntax_error(SyntaxError(message))
        if what == "too_large":
            raise ResultTooLarge(f"{self.description}: {message}")
        raise StoreError(f"{self.description}: {message}")

    def _pooled_rows(self, sparql, default_graph, named_graphs, timeout, lane) -> Iterator[dict]:
        """Send a stream request and wait for its head (so query errors are raised here); the rows
        follow in chunks while the caller reads. The worker is held until the last row; closing the
        iterator early kills it (it may still be computing)."""
        req = self._request(sparql, default_graph, named_graphs, stream=True)
        pool = self._lane_pool(lane)
        deadline = time.monotonic() + timeout
        w = pool.acquire(deadline, timeout)
        w.snapshot = req["path"]

        def recv() -> tuple:
            return pool.guarded(w, timeout, lambda: w.recv(deadline))

        pool.guarded(w, timeout, lambda: w.send(req))
        head = recv()
        if head[0] == "err":
            pool.release(w)
            self._raise(head)
        variables = head[1]

        def rows():
            done = False
            try:
                yield None  # primed below, so dropping the iterator unstarted still frees the worker
                while True:
                    msg = recv()
                    if msg[0] == "rows":
                        for r in msg[1]:
                            yield {v: _decode(t) for v, t in zip(variables, r) if t is not None}
                    elif msg[0] == "end":
                        done = True
                        return
                    else:
                        done = True  # the worker reported the error and waits for the next request
                        self._raise(msg)
            except (QueryTimeout, StoreError):
                if not done:  # recv() already discarded the worker
                    done = None
                raise
            finally:
                if done:
                    pool.release(w)
                elif done is False:
                    pool.discard(w)  # abandoned mid-stream: the worker may still be computing
                self._prune_snapshots()

        it = rows()
        next(it)
        return it

    # ------------------------------------------------------------ snapshots for the workers

    def _current_snapshot(self) -> str:
        with self._write_lock:
            if self._snapshot and self._snapshot[0] == self._generation:
                return self._snapshot[1]
            if self._snap_root is None:
                self._snap_root = Path(tempfile.mkdtemp(prefix=f".{self.path.name}-snapshots-{os.getpid()}-",
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
        if self._snap_root is None or not self._pools:
            return
        with self._write_lock:
            keep = {self._snapshot[1]} if self._snapshot else set()
            for pool in list(self._pools.values()):
                keep |= pool.snapshots_in_use()
            for d in self._snap_root.iterdir():
                if str(d) not in keep:
                    shutil.rmtree(d, ignore_errors=True)

    def _written(self) -> None:
        self._generation += 1
        self._write_generation.bump()

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
            # the graph's name checked as an IRI even when it gets no triples: it is written into the update
            prepared = {ox.NamedNode(str(g)).value: [ox.Quad(to_ox(s), to_ox(p), to_ox(o), ox.NamedNode(str(g)))
                                                     for s, p, o in ts]
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

    def add_new_graphs(self, graphs: dict[URIRef, Iterable[Triple]], *, bulk: bool = False) -> None:
        """Graphs the store does not hold, each triple also into the union graph: one transaction, without the
        text of an update (1M quads, the status order's 37,000 triples: 1.1 s, where replace_graphs takes 2.9).
        `bulk`: by the bulk loader (0.6 s), which is not transactional: only for a store no one else sees yet,
        which a failure discards (bulk.py's staging store)."""
        self._check_writable()
        try:
            quads = [ox.Quad(to_ox(s), to_ox(p), to_ox(o), ox.NamedNode(str(g))) for g, ts in graphs.items()
                     for s, p, o in ts]
        except (TypeError, ValueError) as e:
            raise StoreError(f"{self.description}: nothing was written: {e}") from e
        with self._write_lock:
            held = set(self.graphs())
            if any(g in held for g in graphs):
                raise StoreError(f"{self.description}: nothing was written: the store already holds some of "
                                 "these graphs (replace_graphs replaces them)")
            every = quads + (list(union.as_default(quads)) if self.union_graph else [])
            try:
                if bulk:
                    self._store.bulk_extend(every)
                else:
                    self._store.extend(every)
            except OSError as e:
                raise StoreError(f"{self.description}: nothing was written: {e}") from e
            finally:
                self._written()

    def _is_empty(self) -> bool:
        return next(iter(self._store.quads_for_pattern(None, None, None, None)), None) is None

    def _bulk(self, prepared: dict[str, list]) -> None:
        """The bulk loader is not transactional; on an empty store, undoing it is emptying it."""
        try:
            every = [q for quads in prepared.values() for q in quads]
            self._store.bulk_extend(every + list(dict.fromkeys(union.as_default(every))))
        except BaseException:
            self._store.clear()
            raise

    @staticmethod
    def _replace_update(prepared: dict[str, list]) -> str:
        """One update: the old graphs out (and their triples no other graph states out of the union graph),
        then the new ones in, each triple into its graph and into the union graph."""
        parts, blocks = [], []
        for g in prepared:
            parts += [union.forget(g), f"DROP SILENT GRAPH <{g}>"]
        for g, quads in prepared.items():
            if quads:
                body = "\n".join(f"{q.subject} {q.predicate} {q.object} ." for q in quads)
                blocks += [f"GRAPH <{g}> {{\n{body}\n}}", body]
        if blocks:  # one INSERT DATA: a blank node label names one node in a graph and in the union graph
            parts.append("INSERT DATA {\n" + "\n".join(blocks) + "\n}")
        return " ;\n".join(parts)

    def add(self, quads: Iterable[Quad]) -> None:
        self._check_writable()
        try:
            # the default graph is the union graph: a triple for it goes to graph/default, as an update's does
            prepared = [ox.Quad(to_ox(s), to_ox(p), to_ox(o), ox.NamedNode(str(g or DEFAULT_GRAPH)))
                        for s, p, o, g in quads]
        except (TypeError, ValueError) as e:
            raise StoreError(f"{self.description}: nothing was written: {e}") from e
        with self._write_lock:
            try:
                self._store.extend(prepared + list(union.as_default(prepared)))
            except OSError as e:
                raise StoreError(f"{self.description}: nothing was written: {e}") from e
            finally:
                self._written()

    def drop_graph(self, graph: URIRef) -> None:
        self._check_writable()
        with self._write_lock:
            try:
                g = ox.NamedNode(str(graph)).value
                self._store.update(f"{union.forget(g)} ; DROP SILENT GRAPH <{g}>")
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
        if graph is None:  # the quads in named graphs: what the store holds, without the union graph
            q = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
            return int(next(iter(self._store.query(q)))["n"].value)
        q = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{ox.NamedNode(str(graph)).value}> {{ ?s ?p ?o }} }}"
        return int(next(iter(self._store.query(q)))["n"].value)

    def quads(self, graph: URIRef | None = None) -> Iterator[Quad]:
        found = union.named_quads(self._store) if graph is None else \
            self._store.quads_for_pattern(None, None, None, ox.NamedNode(str(graph)))
        for q in found:
            yield from_ox(q.subject), from_ox(q.predicate), from_ox(q.object), from_ox(q.graph_name)

    def export(self, fmt: str = "nquads") -> bytes:
        if fmt in ("nquads", "trig"):  # the named graphs: the union graph is the store's index, not its data
            return ox.serialize(union.named_quads(self._store),
                                format=ox.RdfFormat.N_QUADS if fmt == "nquads" else ox.RdfFormat.TRIG)
        return super().export(fmt)

    def close(self) -> None:
        for pool in list(self._pools.values()):
            pool.close()
        self._pools.clear()
        if self._snap_root is not None:
            shutil.rmtree(self._snap_root, ignore_errors=True)
            self._snap_root = None
        if self.holder is not None:
            self.holder.clear()
            self.holder = None
        if self._store is not None:
            try:
                if not self.read_only:
                    self._store.flush()
            except Exception:
                pass
        self._store = None
