"""CPU work on request bodies (parsing, validating, loading) runs here: off the event loop, one at a time.

Why one at a time: validating (and loading) is pure Python and holds the GIL. Several such threads at once
starve the event loop (with a dozen posted bodies /healthz took seconds); one leaves it about
half the interpreter, so every other route keeps answering at once. Further bodies wait their
turn without costing CPU. Parsing goes further: it runs in a process of its own
(jiukg/_parse_worker.py), killed past Settings.body_timeout. Size is bounded before any of
this (FastAPI's max_body_size).
"""

from __future__ import annotations

import threading
from functools import partial
from pathlib import Path

import anyio
import anyio.to_thread
from rdflib import Dataset, Graph

import jiukg
from jiukg.rdfparse import QUAD_FORMATS, RDFRefused
from jiukg.store import QueryTimeout, StoreError

PARSER = Path(jiukg.__file__).with_name("_parse_worker.py")
PARSERS = 2  # parser processes at most; more bodies wait (each at most its body_timeout)
_limiter: anyio.CapacityLimiter | None = None
_pool = None
_pool_lock = threading.Lock()


def parse_body(data: bytes, fmt: str, *, what: str = "the data", timeout: float = 60.0) -> Graph | Dataset:
    """jiukg.rdfparse.parse, run in the parser process and stopped after `timeout` seconds."""
    global _pool
    if _pool is None:
        from jiukg.store.embedded import QueryPool

        with _pool_lock:
            if _pool is None:
                _pool = QueryPool(PARSERS, "the body parser", "parse", script=PARSER)
    try:
        answer = _pool.run({"data": data, "fmt": fmt, "what": what}, timeout)
    except QueryTimeout:
        raise RDFRefused(f"parsing took longer than {timeout:g} s, the limit for one body, and was stopped; "
                         "send the data in smaller parts") from None
    except StoreError as e:
        raise ValueError(f"the parser failed ({e})") from None
    if answer[0] == "err":
        raise (RDFRefused if answer[1] == "refused" else ValueError)(answer[2])
    if fmt in QUAD_FORMATS:
        ds = Dataset()
        for s, p, o, g in answer[1]:
            (ds.graph(g) if g is not None else ds.default_graph).add((s, p, o))
        return ds
    g = Graph()
    for s, p, o, _ in answer[1]:
        g.add((s, p, o))
    return g


async def run_body_work(fn, *args, **kwargs):
    """`fn(*args, **kwargs)` on a worker thread, after any body work already running has finished."""
    global _limiter
    if _limiter is None:
        _limiter = anyio.CapacityLimiter(1)
    return await anyio.to_thread.run_sync(partial(fn, *args, **kwargs), limiter=_limiter)
